/*
 * Copyright (C) 2026 ratkn developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 *
 * This program is distributed in the hope that it will be useful, but
 * WITHOUT ANY WARRANTY; without even the implied warranty of MERCHANTABILITY
 * or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License
 * for more details.
 */

#include "ratkn_keystore.h"
#include "ratkn_jwe.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include <bio/bio_reader.h>
#include <bio/bio_writer.h>
#include <collections/linked_list.h>
#include <threading/mutex.h>

/**
 * Label of the EDEK's additional authenticated data
 */
#define EDEK_LABEL "ratkn v1 edek"

/**
 * Longest usage string
 */
#define USAGE_MAX 32

/**
 * Schema; kms_meta holds "schema" = 1
 */
static char *schema =
	"CREATE TABLE IF NOT EXISTS kms_meta ("
	"  k TEXT PRIMARY KEY, v TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS kms_keys ("
	"  name TEXT NOT NULL, version INTEGER NOT NULL, usage TEXT NOT NULL,"
	"  state INTEGER NOT NULL, created INTEGER NOT NULL,"
	"  len INTEGER NOT NULL, edek BLOB NOT NULL,"
	"  PRIMARY KEY (name, version));"
	"CREATE TABLE IF NOT EXISTS kms_grants ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,"
	"  peer TEXT NOT NULL, status TEXT NOT NULL,"
	"  lifetime INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO kms_meta (k, v) VALUES ('schema', '1');";

typedef struct private_ratkn_keystore_t private_ratkn_keystore_t;

/**
 * Private data of a ratkn_keystore_t object.
 */
struct private_ratkn_keystore_t {

	/**
	 * Public interface.
	 */
	ratkn_keystore_t public;

	/**
	 * Database
	 */
	sqlite3 *db;

	/**
	 * Token session, NULL if none
	 */
	ratkn_pkcs11_t *token;

	/**
	 * Label of the CMK
	 */
	char *cmk;

	/**
	 * Serializes database transactions
	 */
	mutex_t *mutex;
};

/*
 * Described in header
 */
char *ratkn_key_state_name(ratkn_key_state_t state)
{
	switch (state)
	{
		case RATKN_KEY_ACTIVE:
			return "active";
		case RATKN_KEY_RETIRED:
			return "retired";
		case RATKN_KEY_REVOKED:
			return "revoked";
		default:
			return "unknown";
	}
}

/*
 * Described in header
 */
void ratkn_key_info_destroy(ratkn_key_info_t *info)
{
	if (info)
	{
		free(info->name);
		free(info->usage);
		free(info);
	}
}

/**
 * Check a usage string
 */
static bool usage_valid(char *usage)
{
	size_t len;

	len = usage ? strlen(usage) : 0;
	return len && len <= USAGE_MAX &&
		   strspn(usage, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

/**
 * Log a database error
 */
static void db_error(private_ratkn_keystore_t *this, char *what)
{
	DBG1(DBG_LIB, "ratkn: key store: %s failed: %s", what,
		 sqlite3_errmsg(this->db));
}

/**
 * Prepare a statement, NULL (logged) on error
 */
static sqlite3_stmt *prepare(private_ratkn_keystore_t *this, char *sql)
{
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v2(this->db, sql, -1, &stmt, NULL) != SQLITE_OK)
	{
		db_error(this, "preparing a statement");
		return NULL;
	}
	return stmt;
}

/**
 * Execute SQL without results
 */
static bool exec(private_ratkn_keystore_t *this, char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(this->db, sql, NULL, NULL, &msg) != SQLITE_OK)
	{
		DBG1(DBG_LIB, "ratkn: key store: '%.40s' failed: %s", sql, msg);
		sqlite3_free(msg);
		return FALSE;
	}
	return TRUE;
}

/**
 * Read key metadata from a row (name, version, usage, state, created, len)
 */
static ratkn_key_info_t *row_info(sqlite3_stmt *stmt)
{
	ratkn_key_info_t *info;

	INIT(info,
		.name = strdup((char*)sqlite3_column_text(stmt, 0) ?: ""),
		.version = sqlite3_column_int64(stmt, 1),
		.usage = strdup((char*)sqlite3_column_text(stmt, 2) ?: ""),
		.state = sqlite3_column_int(stmt, 3),
		.created = sqlite3_column_int64(stmt, 4),
		.len = sqlite3_column_int(stmt, 5),
	);
	return info;
}

#define INFO_COLUMNS "name, version, usage, state, created, len, edek"

/**
 * Look up a version (0: the active one), with its EDEK; caller holds mutex
 */
static bool lookup(private_ratkn_keystore_t *this, char *name,
				   uint32_t version, ratkn_key_info_t **info, chunk_t *edek)
{
	sqlite3_stmt *stmt;
	const void *blob;
	bool found = FALSE;

	if (version)
	{
		stmt = prepare(this, "SELECT " INFO_COLUMNS " FROM kms_keys "
					   "WHERE name = ? AND version = ?");
	}
	else
	{
		stmt = prepare(this, "SELECT " INFO_COLUMNS " FROM kms_keys "
					   "WHERE name = ? AND state = 1 "
					   "ORDER BY version DESC LIMIT 1");
	}
	if (!stmt)
	{
		return FALSE;
	}
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	if (version)
	{
		sqlite3_bind_int64(stmt, 2, version);
	}
	if (sqlite3_step(stmt) == SQLITE_ROW)
	{
		*info = row_info(stmt);
		if (edek)
		{
			blob = sqlite3_column_blob(stmt, 6);
			*edek = chunk_clone(chunk_create((u_char*)blob,
									sqlite3_column_bytes(stmt, 6)));
		}
		found = TRUE;
	}
	sqlite3_finalize(stmt);
	return found;
}

/**
 * Header of an EDEK: format, name, version
 */
static chunk_t edek_header(char *name, uint32_t version)
{
	bio_writer_t *writer;
	chunk_t header;

	writer = bio_writer_create(8 + strlen(name));
	writer->write_uint8(writer, RATKN_EDEK_FORMAT);
	writer->write_data8(writer, chunk_from_str(name));
	writer->write_uint32(writer, version);
	header = writer->extract_buf(writer);
	writer->destroy(writer);
	return header;
}

/**
 * AAD of an EDEK: label, header, usage
 */
static chunk_t edek_aad(chunk_t header, char *usage)
{
	bio_writer_t *writer;
	chunk_t aad;

	writer = bio_writer_create(64);
	writer->write_data(writer, chunk_create(EDEK_LABEL,
											strlen(EDEK_LABEL) + 1));
	writer->write_data(writer, header);
	writer->write_data8(writer, chunk_from_str(usage));
	aad = writer->extract_buf(writer);
	writer->destroy(writer);
	return aad;
}

/**
 * Encrypt a key under the CMK into an EDEK
 */
static bool wrap(private_ratkn_keystore_t *this, char *name, uint32_t version,
				 char *usage, chunk_t key, chunk_t *edek)
{
	chunk_t header, aad, iv, cipher;
	bool ok = FALSE;

	if (!this->token)
	{
		DBG1(DBG_LIB, "ratkn: key store opened without a token");
		return FALSE;
	}
	if (!this->token->random(this->token, RATKN_PKCS11_IV_LEN, &iv))
	{
		return FALSE;
	}
	header = edek_header(name, version);
	aad = edek_aad(header, usage);
	if (this->token->encrypt(this->token, this->cmk, iv, aad, key, &cipher))
	{
		*edek = chunk_cat("mmm", header, iv, cipher);
		header = chunk_empty;
		ok = TRUE;
	}
	else
	{
		chunk_free(&iv);
	}
	chunk_free(&header);
	chunk_free(&aad);
	return ok;
}

/**
 * Parse an EDEK into name, version, IV and ciphertext (pointing into it)
 */
static bool parse_edek(chunk_t edek, char **name, uint32_t *version,
					   chunk_t *header, chunk_t *iv, chunk_t *cipher)
{
	bio_reader_t *reader;
	chunk_t n;
	uint8_t format;
	bool ok;

	reader = bio_reader_create(edek);
	ok = reader->read_uint8(reader, &format) &&
		 format == RATKN_EDEK_FORMAT &&
		 reader->read_data8(reader, &n) &&
		 reader->read_uint32(reader, version) &&
		 reader->read_data(reader, RATKN_PKCS11_IV_LEN, iv) &&
		 reader->remaining(reader) >= RATKN_PKCS11_TAG_LEN + RATKN_JWE_MIN_KEY;
	if (ok)
	{
		*cipher = reader->peek(reader);
		*header = chunk_create(edek.ptr, iv->ptr - edek.ptr);
	}
	reader->destroy(reader);
	if (!ok)
	{
		return FALSE;
	}
	*name = strndup(n.ptr, n.len);
	if (!ratkn_key_name_valid(*name) || strlen(*name) != n.len)
	{
		free(*name);
		return FALSE;
	}
	return TRUE;
}

/**
 * Decrypt an EDEK of a known key version inside the token
 */
static bool unwrap(private_ratkn_keystore_t *this, ratkn_key_info_t *info,
				   chunk_t edek, chunk_t *key)
{
	chunk_t header, iv, cipher, aad;
	uint32_t version;
	char *name;
	bool ok;

	if (!this->token)
	{
		DBG1(DBG_LIB, "ratkn: key store opened without a token");
		return FALSE;
	}
	if (!parse_edek(edek, &name, &version, &header, &iv, &cipher))
	{
		DBG1(DBG_LIB, "ratkn: malformed EDEK");
		return FALSE;
	}
	ok = streq(name, info->name) && version == info->version;
	free(name);
	if (!ok)
	{
		DBG1(DBG_LIB, "ratkn: EDEK does not belong to '%s' version %u",
			 info->name, info->version);
		return FALSE;
	}
	aad = edek_aad(header, info->usage);
	ok = this->token->decrypt(this->token, this->cmk, iv, aad, cipher, key);
	chunk_free(&aad);
	if (ok && key->len != info->len)
	{
		DBG1(DBG_LIB, "ratkn: EDEK of '%s' version %u has a key of the "
			 "wrong length", info->name, info->version);
		chunk_clear(key);
		ok = FALSE;
	}
	return ok;
}

/**
 * Get a key to store: the imported one or a random one from the token
 */
static bool new_key(private_ratkn_keystore_t *this, chunk_t import,
					size_t len, chunk_t *key)
{
	if (import.len)
	{
		if (import.len < RATKN_JWE_MIN_KEY || import.len > RATKN_JWE_MAX_KEY)
		{
			DBG1(DBG_LIB, "ratkn: imported keys must have %d-%d octets",
				 RATKN_JWE_MIN_KEY, RATKN_JWE_MAX_KEY);
			return FALSE;
		}
		*key = chunk_clone(import);
		return TRUE;
	}
	if (len < RATKN_JWE_MIN_KEY || len > RATKN_JWE_MAX_KEY)
	{
		DBG1(DBG_LIB, "ratkn: keys must have %d-%d octets",
			 RATKN_JWE_MIN_KEY, RATKN_JWE_MAX_KEY);
		return FALSE;
	}
	if (!this->token)
	{
		DBG1(DBG_LIB, "ratkn: key store opened without a token");
		return FALSE;
	}
	return this->token->random(this->token, len, key);
}

/**
 * Insert a version; caller holds mutex
 */
static bool insert(private_ratkn_keystore_t *this, char *name,
				   uint32_t version, char *usage, size_t len, chunk_t edek)
{
	sqlite3_stmt *stmt;
	int rc;

	stmt = prepare(this, "INSERT INTO kms_keys (name, version, usage, state, "
				   "created, len, edek) VALUES (?, ?, ?, 1, ?, ?, ?)");
	if (!stmt)
	{
		return FALSE;
	}
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, version);
	sqlite3_bind_text(stmt, 3, usage, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 4, time(NULL));
	sqlite3_bind_int(stmt, 5, len);
	sqlite3_bind_blob(stmt, 6, edek.ptr, edek.len, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
	{
		db_error(this, "storing a key");
		return FALSE;
	}
	return TRUE;
}

/**
 * Highest version of a key, 0 if none; caller holds mutex
 */
static uint32_t latest(private_ratkn_keystore_t *this, char *name)
{
	sqlite3_stmt *stmt;
	uint32_t version = 0;

	stmt = prepare(this, "SELECT MAX(version) FROM kms_keys WHERE name = ?");
	if (stmt)
	{
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(stmt) == SQLITE_ROW)
		{
			version = sqlite3_column_int64(stmt, 0);
		}
		sqlite3_finalize(stmt);
	}
	return version;
}

METHOD(ratkn_keystore_t, init_cmk, bool,
	private_ratkn_keystore_t *this, bool *created)
{
	*created = FALSE;
	if (!this->token)
	{
		DBG1(DBG_LIB, "ratkn: key store opened without a token");
		return FALSE;
	}
	if (this->token->has_key(this->token, this->cmk))
	{
		return TRUE;
	}
	*created = this->token->generate_key(this->token, this->cmk);
	return *created;
}

METHOD(ratkn_keystore_t, create, bool,
	private_ratkn_keystore_t *this, char *name, char *usage, chunk_t import,
	size_t len)
{
	chunk_t key = chunk_empty, edek = chunk_empty;
	bool ok = FALSE;

	if (!ratkn_key_name_valid(name) || !usage_valid(usage))
	{
		DBG1(DBG_LIB, "ratkn: invalid key name '%s' or usage '%s'",
			 name ?: "", usage ?: "");
		return FALSE;
	}
	this->mutex->lock(this->mutex);
	if (latest(this, name))
	{
		DBG1(DBG_LIB, "ratkn: key '%s' exists already (rotate it instead)",
			 name);
	}
	else if (new_key(this, import, len, &key) &&
			 wrap(this, name, 1, usage, key, &edek) &&
			 insert(this, name, 1, usage, key.len, edek))
	{
		DBG1(DBG_LIB, "ratkn: created key '%s' version 1 (%s, %d bits)",
			 name, usage, (int)key.len * 8);
		ok = TRUE;
	}
	this->mutex->unlock(this->mutex);
	chunk_clear(&key);
	chunk_free(&edek);
	return ok;
}

METHOD(ratkn_keystore_t, rotate, bool,
	private_ratkn_keystore_t *this, char *name, chunk_t import,
	uint32_t *version)
{
	ratkn_key_info_t *info = NULL;
	chunk_t key = chunk_empty, edek = chunk_empty;
	uint32_t next;
	bool ok = FALSE;

	this->mutex->lock(this->mutex);
	next = latest(this, name);
	if (!next || !lookup(this, name, next, &info, NULL))
	{
		DBG1(DBG_LIB, "ratkn: no key '%s' to rotate", name);
	}
	else if (next == UINT32_MAX)
	{
		DBG1(DBG_LIB, "ratkn: key '%s' has no versions left", name);
	}
	else if (import.len && import.len != info->len)
	{
		DBG1(DBG_LIB, "ratkn: key '%s' has %d octets, the imported one %d",
			 name, (int)info->len, (int)import.len);
	}
	else if (new_key(this, import, info->len, &key) &&
			 wrap(this, name, next + 1, info->usage, key, &edek) &&
			 exec(this, "BEGIN IMMEDIATE"))
	{
		sqlite3_stmt *stmt;

		stmt = prepare(this, "UPDATE kms_keys SET state = 2 "
					   "WHERE name = ? AND state = 1");
		if (stmt)
		{
			sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
			ok = sqlite3_step(stmt) == SQLITE_DONE;
			sqlite3_finalize(stmt);
		}
		ok = ok && insert(this, name, next + 1, info->usage, key.len, edek);
		ok = exec(this, ok ? "COMMIT" : "ROLLBACK") && ok;
		if (ok)
		{
			*version = next + 1;
			DBG1(DBG_LIB, "ratkn: rotated key '%s' to version %u", name,
				 *version);
		}
	}
	this->mutex->unlock(this->mutex);
	ratkn_key_info_destroy(info);
	chunk_clear(&key);
	chunk_free(&edek);
	return ok;
}

METHOD(ratkn_keystore_t, revoke_, bool,
	private_ratkn_keystore_t *this, char *name, uint32_t version)
{
	sqlite3_stmt *stmt;
	int changes = 0;

	this->mutex->lock(this->mutex);
	stmt = prepare(this, version ?
				   "UPDATE kms_keys SET state = 3 WHERE name = ? AND "
				   "version = ? AND state != 3" :
				   "UPDATE kms_keys SET state = 3 WHERE name = ? AND "
				   "state != 3");
	if (stmt)
	{
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
		if (version)
		{
			sqlite3_bind_int64(stmt, 2, version);
		}
		if (sqlite3_step(stmt) == SQLITE_DONE)
		{
			changes = sqlite3_changes(this->db);
		}
		else
		{
			db_error(this, "revoking a key");
		}
		sqlite3_finalize(stmt);
	}
	this->mutex->unlock(this->mutex);
	if (!changes)
	{
		DBG1(DBG_LIB, "ratkn: no unrevoked key '%s'%s to revoke", name,
			 version ? " of that version" : "");
		return FALSE;
	}
	DBG1(DBG_LIB, "ratkn: revoked %d version(s) of key '%s'", changes, name);
	return TRUE;
}

METHOD(ratkn_keystore_t, get_info, bool,
	private_ratkn_keystore_t *this, char *name, uint32_t version,
	ratkn_key_info_t **info)
{
	bool found;

	this->mutex->lock(this->mutex);
	found = lookup(this, name, version, info, NULL);
	this->mutex->unlock(this->mutex);
	return found;
}

/**
 * Destroy a list of key metadata
 */
static void destroy_infos(linked_list_t *list)
{
	list->destroy_function(list, (void*)ratkn_key_info_destroy);
}

METHOD(ratkn_keystore_t, create_enumerator, enumerator_t*,
	private_ratkn_keystore_t *this, char *name)
{
	linked_list_t *list;
	sqlite3_stmt *stmt;

	list = linked_list_create();
	this->mutex->lock(this->mutex);
	stmt = prepare(this, name ?
				   "SELECT " INFO_COLUMNS " FROM kms_keys WHERE name = ? "
				   "ORDER BY name, version" :
				   "SELECT " INFO_COLUMNS " FROM kms_keys "
				   "ORDER BY name, version");
	if (stmt)
	{
		if (name)
		{
			sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
		}
		while (sqlite3_step(stmt) == SQLITE_ROW)
		{
			list->insert_last(list, row_info(stmt));
		}
		sqlite3_finalize(stmt);
	}
	this->mutex->unlock(this->mutex);
	return enumerator_create_cleaner(list->create_enumerator(list),
					(void*)destroy_infos, list);
}

METHOD(ratkn_keystore_t, get, bool,
	private_ratkn_keystore_t *this, char *name, uint32_t version,
	ratkn_key_info_t **info_out, chunk_t *key, chunk_t *edek_out)
{
	ratkn_key_info_t *info = NULL;
	chunk_t edek = chunk_empty;
	bool ok = FALSE;

	this->mutex->lock(this->mutex);
	if (!lookup(this, name, version, &info, &edek))
	{
		DBG1(DBG_LIB, "ratkn: no key '%s'%s", name,
			 version ? " of that version" : " with an active version");
	}
	else if (info->state != RATKN_KEY_ACTIVE)
	{
		DBG1(DBG_LIB, "ratkn: key '%s' version %u is %s, not released",
			 name, info->version, ratkn_key_state_name(info->state));
	}
	else
	{
		ok = unwrap(this, info, edek, key);
	}
	this->mutex->unlock(this->mutex);
	if (ok && edek_out)
	{
		*edek_out = edek;
		edek = chunk_empty;
	}
	if (ok && info_out)
	{
		*info_out = info;
		info = NULL;
	}
	ratkn_key_info_destroy(info);
	chunk_free(&edek);
	return ok;
}

METHOD(ratkn_keystore_t, decrypt_edek, bool,
	private_ratkn_keystore_t *this, chunk_t edek, ratkn_key_info_t **info_out,
	chunk_t *key)
{
	ratkn_key_info_t *info = NULL;
	chunk_t stored = chunk_empty, header, iv, cipher;
	uint32_t version;
	char *name;
	bool ok = FALSE;

	if (!parse_edek(edek, &name, &version, &header, &iv, &cipher))
	{
		DBG1(DBG_LIB, "ratkn: malformed EDEK");
		return FALSE;
	}
	this->mutex->lock(this->mutex);
	if (!lookup(this, name, version, &info, &stored))
	{
		DBG1(DBG_LIB, "ratkn: EDEK of unknown key '%s' version %u", name,
			 version);
	}
	else if (info->state == RATKN_KEY_REVOKED)
	{
		DBG1(DBG_LIB, "ratkn: EDEK of revoked key '%s' version %u", name,
			 version);
	}
	else if (!chunk_equals_const(stored, edek))
	{
		DBG1(DBG_LIB, "ratkn: EDEK of '%s' version %u is not the stored one",
			 name, version);
	}
	else
	{
		ok = unwrap(this, info, edek, key);
	}
	this->mutex->unlock(this->mutex);
	free(name);
	chunk_free(&stored);
	if (ok && info_out)
	{
		*info_out = info;
		info = NULL;
	}
	ratkn_key_info_destroy(info);
	return ok;
}

METHOD(ratkn_keystore_t, add_grant, bool,
	private_ratkn_keystore_t *this, ratkn_kms_grant_t *grant, u_int *id)
{
	sqlite3_stmt *stmt;
	char reason[128];
	bool ok = FALSE;

	if (!ratkn_kms_grant_valid(grant, reason, sizeof(reason)))
	{
		DBG1(DBG_CFG, "ratkn: invalid grant: %s", reason);
		return FALSE;
	}
	this->mutex->lock(this->mutex);
	stmt = prepare(this, "INSERT INTO kms_grants (name, peer, status, "
				   "lifetime) VALUES (?, ?, ?, ?)");
	if (stmt)
	{
		sqlite3_bind_text(stmt, 1, grant->key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(stmt, 2, grant->peer, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(stmt, 3, ratkn_ear_status_name(grant->status), -1,
						  SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 4, grant->lifetime);
		ok = sqlite3_step(stmt) == SQLITE_DONE;
		if (ok)
		{
			*id = sqlite3_last_insert_rowid(this->db);
		}
		else
		{
			db_error(this, "storing a grant");
		}
		sqlite3_finalize(stmt);
	}
	this->mutex->unlock(this->mutex);
	return ok;
}

METHOD(ratkn_keystore_t, remove_grant, bool,
	private_ratkn_keystore_t *this, u_int id)
{
	sqlite3_stmt *stmt;
	int changes = 0;

	this->mutex->lock(this->mutex);
	stmt = prepare(this, "DELETE FROM kms_grants WHERE id = ?");
	if (stmt)
	{
		sqlite3_bind_int64(stmt, 1, id);
		if (sqlite3_step(stmt) == SQLITE_DONE)
		{
			changes = sqlite3_changes(this->db);
		}
		sqlite3_finalize(stmt);
	}
	this->mutex->unlock(this->mutex);
	return changes > 0;
}

METHOD(ratkn_keystore_t, create_policy, ratkn_kms_policy_t*,
	private_ratkn_keystore_t *this)
{
	ratkn_kms_policy_t *policy;
	ratkn_kms_grant_t grant;
	sqlite3_stmt *stmt;

	this->mutex->lock(this->mutex);
	stmt = prepare(this, "SELECT id, name, peer, status, lifetime "
				   "FROM kms_grants ORDER BY id");
	if (!stmt)
	{
		this->mutex->unlock(this->mutex);
		return NULL;
	}
	policy = ratkn_kms_policy_create();
	while (sqlite3_step(stmt) == SQLITE_ROW)
	{
		grant = (ratkn_kms_grant_t){
			.id = sqlite3_column_int64(stmt, 0),
			.key = (char*)sqlite3_column_text(stmt, 1),
			.peer = (char*)sqlite3_column_text(stmt, 2),
			.lifetime = sqlite3_column_int64(stmt, 4),
		};
		if (!ratkn_ear_status_from_name(
						(char*)sqlite3_column_text(stmt, 3), &grant.status))
		{
			grant.status = RATKN_EAR_NONE;
		}
		/* invalid rows are logged and skipped */
		policy->add_grant(policy, &grant);
	}
	sqlite3_finalize(stmt);
	this->mutex->unlock(this->mutex);
	return policy;
}

METHOD(ratkn_keystore_t, destroy, void,
	private_ratkn_keystore_t *this)
{
	if (this->db)
	{
		sqlite3_close(this->db);
	}
	DESTROY_IF(this->token);
	this->mutex->destroy(this->mutex);
	free(this->cmk);
	free(this);
}

/*
 * Described in header
 */
ratkn_keystore_t *ratkn_keystore_create(char *database, ratkn_pkcs11_t *token,
										char *cmk)
{
	private_ratkn_keystore_t *this;
	int fd;

	INIT(this,
		.public = {
			.init_cmk = _init_cmk,
			.create = _create,
			.rotate = _rotate,
			.revoke = _revoke_,
			.get_info = _get_info,
			.create_enumerator = _create_enumerator,
			.get = _get,
			.decrypt_edek = _decrypt_edek,
			.add_grant = _add_grant,
			.remove_grant = _remove_grant,
			.create_policy = _create_policy,
			.destroy = _destroy,
		},
		.token = token,
		.cmk = strdup(cmk ?: ""),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);
	if (!database || !cmk || !*cmk)
	{
		DBG1(DBG_LIB, "ratkn: key store needs a database and a CMK label");
		destroy(this);
		return NULL;
	}
	/* the database holds no secrets in the clear, but keep it private */
	fd = open(database, O_RDWR | O_CREAT | O_CLOEXEC, S_IRUSR | S_IWUSR);
	if (fd < 0)
	{
		DBG1(DBG_LIB, "ratkn: opening key store %s failed: %s", database,
			 strerror(errno));
		destroy(this);
		return NULL;
	}
	close(fd);
	if (sqlite3_open_v2(database, &this->db, SQLITE_OPEN_READWRITE |
						SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
	{
		DBG1(DBG_LIB, "ratkn: opening key store %s failed: %s", database,
			 this->db ? sqlite3_errmsg(this->db) : "out of memory");
		destroy(this);
		return NULL;
	}
	sqlite3_busy_timeout(this->db, 5000);
	if (!exec(this, schema))
	{
		destroy(this);
		return NULL;
	}
	return &this->public;
}

/*
 * Described in header
 */
char *ratkn_keystore_setting(char *section, char *key)
{
	char *def = NULL, buf[256];

	if (streq(key, "module"))
	{
		def = RATKN_KMS_DEFAULT_MODULE;
	}
	else if (streq(key, "cmk"))
	{
		def = RATKN_KMS_DEFAULT_CMK;
	}
	else if (streq(key, "database"))
	{
		def = RATKN_KMS_DEFAULT_DATABASE;
	}
	/* settings split the format, not the arguments, at dots: build the
	 * complete key (section and key contain no '%') */
	snprintf(buf, sizeof(buf), "%s.%s", section, key);
	return lib->settings->get_str(lib->settings, buf, def);
}

/**
 * Read the PIN: the given one, pin_file, pin (allocated)
 */
static char *read_pin(char *section, char *pin)
{
	char *file, buf[256];
	FILE *f;

	if (pin && *pin)
	{
		return strdup(pin);
	}
	file = ratkn_keystore_setting(section, "pin_file");
	if (file)
	{
		f = fopen(file, "r");
		if (!f || !fgets(buf, sizeof(buf), f))
		{
			DBG1(DBG_CFG, "ratkn: reading the PIN from %s failed", file);
			if (f)
			{
				fclose(f);
			}
			return NULL;
		}
		fclose(f);
		buf[strcspn(buf, "\r\n")] = '\0';
		pin = strdup(buf);
		memwipe(buf, sizeof(buf));
		return pin;
	}
	pin = ratkn_keystore_setting(section, "pin");
	if (!pin)
	{
		DBG1(DBG_CFG, "ratkn: no PIN: set %s.pin or %s.pin_file", section,
			 section);
		return NULL;
	}
	return strdup(pin);
}

/*
 * Described in header
 */
ratkn_keystore_t *ratkn_keystore_open(char *section, bool token, char *pin)
{
	ratkn_pkcs11_t *p11 = NULL;
	char *label;

	if (token)
	{
		label = ratkn_keystore_setting(section, "token");
		if (!label)
		{
			DBG1(DBG_CFG, "ratkn: no token label: set %s.token", section);
			return NULL;
		}
		pin = read_pin(section, pin);
		if (!pin)
		{
			return NULL;
		}
		p11 = ratkn_pkcs11_create(ratkn_keystore_setting(section, "module"),
								  label, pin);
		memwipe(pin, strlen(pin));
		free(pin);
		if (!p11)
		{
			DBG1(DBG_CFG, "ratkn: opening the token '%s' failed", label);
			return NULL;
		}
	}
	return ratkn_keystore_create(ratkn_keystore_setting(section, "database"),
								 p11, ratkn_keystore_setting(section, "cmk"));
}
