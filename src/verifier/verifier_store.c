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

#include "verifier_store.h"

#include <ctype.h>
#include <sqlite3.h>

#include <openssl/evp.h>

/**
 * How long to wait for a lock held by another process (the CLI), in ms
 */
#define BUSY_TIMEOUT 5000

/**
 * Schema of version 1
 */
static char *schema_v1 =
	"CREATE TABLE groups ("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  pcrs TEXT NOT NULL DEFAULT '',"
	"  warning TEXT NOT NULL DEFAULT '',"
	"  created INTEGER NOT NULL"
	");"
	"CREATE TABLE reference_values ("
	"  grp TEXT NOT NULL REFERENCES groups(name) ON DELETE CASCADE,"
	"  bank TEXT NOT NULL,"
	"  pcr INTEGER NOT NULL,"
	"  digest BLOB NOT NULL,"
	"  PRIMARY KEY (grp, bank, pcr, digest)"
	");"
	"CREATE TABLE attesters ("
	"  fingerprint TEXT PRIMARY KEY NOT NULL,"
	"  ak_spki BLOB NOT NULL,"
	"  ek_cert BLOB,"
	"  grp TEXT NOT NULL REFERENCES groups(name),"
	"  enrolled INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL DEFAULT 0,"
	"  last_status TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX attesters_grp ON attesters(grp);"
	"CREATE TABLE enroll_sessions ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  secret_hash BLOB NOT NULL,"
	"  ak_spki BLOB NOT NULL,"
	"  ek_cert BLOB NOT NULL,"
	"  grp TEXT NOT NULL,"
	"  expires INTEGER NOT NULL"
	");"
	"PRAGMA user_version = 1;";

/**
 * Migration from version 1 to 2: groups closed to self-enrollment unless
 * opened (existing groups too), EKs assigned to groups, the clock info of
 * the newest authentic evidence per AK (NULL: none yet), the EK and client
 * of pending enrollments (those pending are dropped)
 */
static char *migrate_v2 =
	"ALTER TABLE groups ADD COLUMN enroll INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE ek_assignments ("
	"  ek TEXT PRIMARY KEY NOT NULL,"
	"  grp TEXT NOT NULL REFERENCES groups(name),"
	"  assigned INTEGER NOT NULL"
	");"
	"CREATE INDEX ek_assignments_grp ON ek_assignments(grp);"
	"ALTER TABLE attesters ADD COLUMN clock INTEGER;"
	"ALTER TABLE attesters ADD COLUMN reset_count INTEGER;"
	"ALTER TABLE attesters ADD COLUMN restart_count INTEGER;"
	"ALTER TABLE attesters ADD COLUMN clock_safe INTEGER;"
	"DELETE FROM enroll_sessions;"
	"ALTER TABLE enroll_sessions ADD COLUMN ek TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE enroll_sessions ADD COLUMN client TEXT NOT NULL DEFAULT '';"
	"PRAGMA user_version = 2;";

/**
 * Migration from version 2 to 3: the TPM Name of an AK (NULL: not pinned;
 * AKs enrolled before get it when they enroll again), which pending
 * enrollments carry from start to finish (those pending are dropped)
 */
static char *migrate_v3 =
	"ALTER TABLE attesters ADD COLUMN ak_name BLOB;"
	"DELETE FROM enroll_sessions;"
	"ALTER TABLE enroll_sessions ADD COLUMN ak_name BLOB NOT NULL "
	"  DEFAULT x'';"
	"PRAGMA user_version = 3;";

/**
 * Schema versions: the SQL that makes each version from the one before
 * (version 1 from an empty database)
 */
static struct {
	/** version the SQL makes */
	int version;
	/** SQL */
	char **sql;
} migrations[] = {
	{ 1, &schema_v1 },
	{ 2, &migrate_v2 },
	{ 3, &migrate_v3 },
};

typedef struct private_verifier_store_t private_verifier_store_t;

/**
 * Private data of a verifier_store_t object.
 */
struct private_verifier_store_t {

	/**
	 * Public interface.
	 */
	verifier_store_t public;

	/**
	 * Database connection
	 */
	sqlite3 *db;
};

/*
 * Described in header
 */
void verifier_ref_destroy(void *ref, int idx, void *user)
{
	verifier_ref_t *this = ref;

	chunk_free(&this->digest);
	free(this);
}

/*
 * Described in header
 */
void verifier_attester_destroy(verifier_attester_t *attester)
{
	if (attester)
	{
		chunk_free(&attester->ak_spki);
		chunk_free(&attester->ak_name);
		chunk_free(&attester->ek_cert);
		free(attester);
	}
}

/*
 * Described in header
 */
void verifier_session_destroy(verifier_session_t *session)
{
	if (session)
	{
		chunk_free(&session->ak_spki);
		chunk_free(&session->ak_name);
		chunk_free(&session->ek_cert);
		memwipe(session->secret_hash, sizeof(session->secret_hash));
		free(session);
	}
}

/*
 * Described in header
 */
bool verifier_group_name_valid(char *name)
{
	size_t len;

	len = name ? strlen(name) : 0;
	if (!len || len > VERIFIER_GROUP_MAX)
	{
		return FALSE;
	}
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				  "0123456789._-") == len;
}

/*
 * Described in header
 */
bool verifier_fingerprint_valid(char *fpr)
{
	return fpr && strlen(fpr) == VERIFIER_FPR_LEN &&
		   strspn(fpr, "0123456789abcdef") == VERIFIER_FPR_LEN;
}

/*
 * Described in header
 */
bool verifier_ak_name_valid(chunk_t name)
{
	size_t len;

	if (name.len < 2)
	{
		return FALSE;
	}
	len = ratkn_pcr_alg_digest_len(untoh16(name.ptr));
	return len && name.len == 2 + len;
}

/**
 * Check a fingerprint (short name)
 */
static bool fingerprint_valid(char *fpr)
{
	return verifier_fingerprint_valid(fpr);
}

/**
 * Log a database error
 */
static void db_error(private_verifier_store_t *this, char *what)
{
	DBG1(DBG_CFG, "database: %s failed: %s", what, sqlite3_errmsg(this->db));
}

/**
 * Prepare a statement, NULL (logged) on error
 */
static sqlite3_stmt *prepare(private_verifier_store_t *this, char *sql)
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
static bool exec(private_verifier_store_t *this, char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(this->db, sql, NULL, NULL, &msg) != SQLITE_OK)
	{
		DBG1(DBG_CFG, "database: '%.40s...' failed: %s", sql, msg);
		sqlite3_free(msg);
		return FALSE;
	}
	return TRUE;
}

/**
 * Step a statement expecting SQLITE_DONE, finalize it
 */
static bool step_done(private_verifier_store_t *this, sqlite3_stmt *stmt,
					  char *what)
{
	int rc;

	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
	{
		db_error(this, what);
		return FALSE;
	}
	return TRUE;
}

/**
 * Bind a blob (NULL for an empty chunk)
 */
static int bind_blob(sqlite3_stmt *stmt, int idx, chunk_t data)
{
	if (!data.len)
	{
		return sqlite3_bind_null(stmt, idx);
	}
	return sqlite3_bind_blob(stmt, idx, data.ptr, data.len, SQLITE_TRANSIENT);
}

/**
 * Get a column as cloned blob
 */
static chunk_t column_blob(sqlite3_stmt *stmt, int idx)
{
	const void *ptr;
	int len;

	ptr = sqlite3_column_blob(stmt, idx);
	len = sqlite3_column_bytes(stmt, idx);
	if (!ptr || len <= 0)
	{
		return chunk_empty;
	}
	return chunk_clone(chunk_create((u_char*)ptr, len));
}

/**
 * Copy a text column into a buffer
 */
static void column_text(sqlite3_stmt *stmt, int idx, char *buf, size_t len)
{
	const unsigned char *text;

	text = sqlite3_column_text(stmt, idx);
	snprintf(buf, len, "%s", text ? (char*)text : "");
}

/**
 * Parse a stored selection, empty for ""
 */
static void parse_selection(const unsigned char *str,
							ratkn_pcr_selection_t *sel)
{
	memset(sel, 0, sizeof(*sel));
	if (str && *str && !ratkn_pcr_selection_parse((char*)str, sel))
	{
		memset(sel, 0, sizeof(*sel));
	}
}

/**
 * Check whether a group exists, -1 on error
 */
static int group_exists(private_verifier_store_t *this, char *name)
{
	sqlite3_stmt *stmt;
	int rc;

	stmt = prepare(this, "SELECT 1 FROM groups WHERE name = ?");
	if (!stmt)
	{
		return -1;
	}
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_ROW)
	{
		return 1;
	}
	if (rc == SQLITE_DONE)
	{
		return 0;
	}
	db_error(this, "looking up a group");
	return -1;
}

/**
 * Group existence as store status
 */
static verifier_store_status_t check_group(private_verifier_store_t *this,
										   char *name)
{
	if (!verifier_group_name_valid(name))
	{
		return VERIFIER_STORE_NOT_FOUND;
	}
	switch (group_exists(this, name))
	{
		case 1:
			return VERIFIER_STORE_OK;
		case 0:
			return VERIFIER_STORE_NOT_FOUND;
		default:
			return VERIFIER_STORE_FAILED;
	}
}

METHOD(verifier_store_t, add_group, verifier_store_status_t,
	private_verifier_store_t *this, char *name)
{
	sqlite3_stmt *stmt;
	int rc;

	if (!verifier_group_name_valid(name))
	{
		return VERIFIER_STORE_INVALID;
	}
	stmt = prepare(this, "INSERT INTO groups (name, created) VALUES (?, ?)");
	if (!stmt)
	{
		return VERIFIER_STORE_FAILED;
	}
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, time(NULL));
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_CONSTRAINT)
	{
		return VERIFIER_STORE_EXISTS;
	}
	if (rc != SQLITE_DONE)
	{
		db_error(this, "adding a group");
		return VERIFIER_STORE_FAILED;
	}
	return VERIFIER_STORE_OK;
}

/**
 * Count rows of a query with one text parameter, -1 on error
 */
static int count(private_verifier_store_t *this, char *sql, char *param)
{
	sqlite3_stmt *stmt;
	int rc, n = -1;

	stmt = prepare(this, sql);
	if (!stmt)
	{
		return -1;
	}
	sqlite3_bind_text(stmt, 1, param, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
	{
		n = sqlite3_column_int(stmt, 0);
	}
	else
	{
		db_error(this, "counting");
	}
	sqlite3_finalize(stmt);
	return n;
}

METHOD(verifier_store_t, remove_group, verifier_store_status_t,
	private_verifier_store_t *this, char *name)
{
	verifier_store_status_t status;
	sqlite3_stmt *stmt;
	int attesters, eks;

	if (!exec(this, "BEGIN IMMEDIATE"))
	{
		return VERIFIER_STORE_FAILED;
	}
	status = check_group(this, name);
	if (status == VERIFIER_STORE_OK)
	{
		attesters = count(this, "SELECT COUNT(*) FROM attesters WHERE grp = ?",
						  name);
		eks = count(this, "SELECT COUNT(*) FROM ek_assignments WHERE grp = ?",
					name);
		if (attesters < 0 || eks < 0)
		{
			status = VERIFIER_STORE_FAILED;
		}
		else if (attesters > 0 || eks > 0)
		{
			status = VERIFIER_STORE_IN_USE;
		}
	}
	if (status == VERIFIER_STORE_OK)
	{
		stmt = prepare(this, "DELETE FROM groups WHERE name = ?");
		if (!stmt)
		{
			status = VERIFIER_STORE_FAILED;
		}
		else
		{
			sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
			if (!step_done(this, stmt, "removing a group"))
			{
				status = VERIFIER_STORE_FAILED;
			}
		}
	}
	if (!exec(this, status == VERIFIER_STORE_OK ? "COMMIT" : "ROLLBACK"))
	{
		status = VERIFIER_STORE_FAILED;
	}
	return status;
}

/**
 * Fill in a group from a row (name, pcrs, warning, references, attesters,
 * enroll, eks)
 */
static void group_from_row(sqlite3_stmt *stmt, verifier_group_t *group)
{
	memset(group, 0, sizeof(*group));
	column_text(stmt, 0, group->name, sizeof(group->name));
	parse_selection(sqlite3_column_text(stmt, 1), &group->pcrs);
	parse_selection(sqlite3_column_text(stmt, 2), &group->warning);
	group->references = sqlite3_column_int(stmt, 3);
	group->attesters = sqlite3_column_int(stmt, 4);
	group->enroll = sqlite3_column_int(stmt, 5) != 0;
	group->eks = sqlite3_column_int(stmt, 6);
}

/**
 * Query for groups, with a WHERE clause
 */
#define GROUP_QUERY \
	"SELECT name, pcrs, warning, " \
	"(SELECT COUNT(*) FROM reference_values WHERE grp = name), " \
	"(SELECT COUNT(*) FROM attesters WHERE grp = name), enroll, " \
	"(SELECT COUNT(*) FROM ek_assignments WHERE grp = name) FROM groups "

METHOD(verifier_store_t, get_group, verifier_store_status_t,
	private_verifier_store_t *this, char *name, verifier_group_t *group)
{
	sqlite3_stmt *stmt;
	int rc;

	if (!verifier_group_name_valid(name))
	{
		return VERIFIER_STORE_NOT_FOUND;
	}
	stmt = prepare(this, GROUP_QUERY "WHERE name = ?");
	if (!stmt)
	{
		return VERIFIER_STORE_FAILED;
	}
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
	{
		group_from_row(stmt, group);
	}
	else if (rc != SQLITE_DONE)
	{
		db_error(this, "reading a group");
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW ? VERIFIER_STORE_OK :
		   rc == SQLITE_DONE ? VERIFIER_STORE_NOT_FOUND :
							   VERIFIER_STORE_FAILED;
}

METHOD(verifier_store_t, list_groups, array_t*,
	private_verifier_store_t *this)
{
	verifier_group_t *group;
	sqlite3_stmt *stmt;
	array_t *groups;
	int rc;

	stmt = prepare(this, GROUP_QUERY "ORDER BY name");
	if (!stmt)
	{
		return NULL;
	}
	groups = array_create(0, 0);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
	{
		INIT(group);
		group_from_row(stmt, group);
		array_insert(groups, ARRAY_TAIL, group);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
	{
		db_error(this, "listing groups");
		array_destroy_function(groups, (void*)free, NULL);
		return NULL;
	}
	return groups;
}

METHOD(verifier_store_t, set_group_enroll, verifier_store_status_t,
	private_verifier_store_t *this, char *name, bool open)
{
	sqlite3_stmt *stmt;

	if (!verifier_group_name_valid(name))
	{
		return VERIFIER_STORE_NOT_FOUND;
	}
	stmt = prepare(this, "UPDATE groups SET enroll = ? WHERE name = ?");
	if (!stmt)
	{
		return VERIFIER_STORE_FAILED;
	}
	sqlite3_bind_int(stmt, 1, open ? 1 : 0);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_TRANSIENT);
	if (!step_done(this, stmt, "opening or closing a group"))
	{
		return VERIFIER_STORE_FAILED;
	}
	return sqlite3_changes(this->db) ? VERIFIER_STORE_OK
									 : VERIFIER_STORE_NOT_FOUND;
}

METHOD(verifier_store_t, set_reference, verifier_store_status_t,
	private_verifier_store_t *this, char *name, array_t *refs)
{
	verifier_store_status_t status;
	ratkn_pcr_selection_t sel = {};
	verifier_ref_t *ref;
	sqlite3_stmt *stmt;
	char buf[256];
	int i, b;

	for (i = 0; i < array_count(refs); i++)
	{
		array_get(refs, i, &ref);
		if (!ratkn_pcr_alg_digest_len(ref->alg) ||
			ref->digest.len != ratkn_pcr_alg_digest_len(ref->alg) ||
			ref->pcr >= RATKN_PCR_COUNT)
		{
			return VERIFIER_STORE_INVALID;
		}
		for (b = 0; b < sel.count; b++)
		{
			if (sel.banks[b].alg == ref->alg)
			{
				break;
			}
		}
		if (b == sel.count)
		{
			if (sel.count == RATKN_PCR_MAX_BANKS)
			{
				return VERIFIER_STORE_INVALID;
			}
			sel.banks[b].alg = ref->alg;
			sel.count++;
		}
		sel.banks[b].mask |= 1 << ref->pcr;
	}
	if (!exec(this, "BEGIN IMMEDIATE"))
	{
		return VERIFIER_STORE_FAILED;
	}
	status = check_group(this, name);
	if (status == VERIFIER_STORE_OK)
	{
		stmt = prepare(this, "DELETE FROM reference_values WHERE grp = ?");
		if (stmt)
		{
			sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
		}
		if (!stmt || !step_done(this, stmt, "removing reference values"))
		{
			status = VERIFIER_STORE_FAILED;
		}
	}
	for (i = 0; status == VERIFIER_STORE_OK && i < array_count(refs); i++)
	{
		array_get(refs, i, &ref);
		stmt = prepare(this, "INSERT OR IGNORE INTO reference_values "
					   "(grp, bank, pcr, digest) VALUES (?, ?, ?, ?)");
		if (!stmt)
		{
			status = VERIFIER_STORE_FAILED;
			break;
		}
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(stmt, 2, ratkn_pcr_alg_name(ref->alg), -1,
						  SQLITE_STATIC);
		sqlite3_bind_int(stmt, 3, ref->pcr);
		bind_blob(stmt, 4, ref->digest);
		if (!step_done(this, stmt, "adding a reference value"))
		{
			status = VERIFIER_STORE_FAILED;
		}
	}
	if (status == VERIFIER_STORE_OK)
	{
		stmt = prepare(this, "UPDATE groups SET pcrs = ? WHERE name = ?");
		if (stmt)
		{
			sqlite3_bind_text(stmt, 1, ratkn_pcr_selection_to_str(&sel, buf,
										sizeof(buf)), -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(stmt, 2, name, -1, SQLITE_TRANSIENT);
		}
		if (!stmt || !step_done(this, stmt, "updating a group"))
		{
			status = VERIFIER_STORE_FAILED;
		}
	}
	if (!exec(this, status == VERIFIER_STORE_OK ? "COMMIT" : "ROLLBACK"))
	{
		status = VERIFIER_STORE_FAILED;
	}
	return status;
}

METHOD(verifier_store_t, list_reference, verifier_store_status_t,
	private_verifier_store_t *this, char *name, array_t **refs)
{
	verifier_store_status_t status;
	verifier_ref_t *ref;
	sqlite3_stmt *stmt;
	uint16_t alg;
	int rc;

	status = check_group(this, name);
	if (status != VERIFIER_STORE_OK)
	{
		return status;
	}
	stmt = prepare(this, "SELECT bank, pcr, digest FROM reference_values "
				   "WHERE grp = ? ORDER BY bank, pcr, digest");
	if (!stmt)
	{
		return VERIFIER_STORE_FAILED;
	}
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	*refs = array_create(0, 0);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
	{
		if (!ratkn_pcr_alg_from_name((char*)sqlite3_column_text(stmt, 0),
									 &alg))
		{
			continue;
		}
		INIT(ref,
			.alg = alg,
			.pcr = sqlite3_column_int(stmt, 1),
			.digest = column_blob(stmt, 2),
		);
		array_insert(*refs, ARRAY_TAIL, ref);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
	{
		db_error(this, "reading reference values");
		array_destroy_function(*refs, verifier_ref_destroy, NULL);
		*refs = NULL;
		return VERIFIER_STORE_FAILED;
	}
	return VERIFIER_STORE_OK;
}

METHOD(verifier_store_t, get_reference, verifier_store_status_t,
	private_verifier_store_t *this, char *name, ratkn_reference_t **ref)
{
	verifier_store_status_t status;
	verifier_ref_t *value;
	array_t *refs;
	int i;

	*ref = NULL;
	status = list_reference(this, name, &refs);
	if (status != VERIFIER_STORE_OK)
	{
		return status;
	}
	if (array_count(refs))
	{
		*ref = ratkn_reference_create();
		for (i = 0; i < array_count(refs); i++)
		{
			array_get(refs, i, &value);
			if (!(*ref)->add(*ref, value->alg, value->pcr, value->digest))
			{	/* a stored value of the wrong length, fail closed */
				DBG1(DBG_CFG, "database: invalid reference value for PCR "
					 "%s:%u of group '%s'", ratkn_pcr_alg_name(value->alg),
					 value->pcr, name);
				(*ref)->destroy(*ref);
				*ref = NULL;
				status = VERIFIER_STORE_FAILED;
				break;
			}
		}
	}
	array_destroy_function(refs, verifier_ref_destroy, NULL);
	return status;
}

METHOD(verifier_store_t, set_warning, verifier_store_status_t,
	private_verifier_store_t *this, char *name, ratkn_pcr_selection_t *sel)
{
	verifier_store_status_t status;
	sqlite3_stmt *stmt;
	char buf[256];

	status = check_group(this, name);
	if (status != VERIFIER_STORE_OK)
	{
		return status;
	}
	stmt = prepare(this, "UPDATE groups SET warning = ? WHERE name = ?");
	if (!stmt)
	{
		return VERIFIER_STORE_FAILED;
	}
	sqlite3_bind_text(stmt, 1, ratkn_pcr_selection_to_str(sel, buf,
										sizeof(buf)), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_TRANSIENT);
	return step_done(this, stmt, "setting warning PCRs") ?
				VERIFIER_STORE_OK : VERIFIER_STORE_FAILED;
}

/**
 * SHA-256 fingerprint of a SPKI as hex
 */
static bool fingerprint(chunk_t spki, char fpr[VERIFIER_FPR_LEN + 1])
{
	uint8_t hash[32];
	u_int len = sizeof(hash);
	int i;

	if (EVP_Digest(spki.ptr, spki.len, hash, &len, EVP_sha256(), NULL) != 1)
	{
		return FALSE;
	}
	for (i = 0; i < sizeof(hash); i++)
	{
		snprintf(fpr + 2 * i, 3, "%02x", hash[i]);
	}
	return TRUE;
}

METHOD(verifier_store_t, add_attester, verifier_store_status_t,
	private_verifier_store_t *this, verifier_attester_t *attester)
{
	verifier_store_status_t status;
	sqlite3_stmt *stmt;

	if (!attester->ak_spki.len)
	{
		return VERIFIER_STORE_INVALID;
	}
	if (!attester->fingerprint[0] &&
		!fingerprint(attester->ak_spki, attester->fingerprint))
	{
		return VERIFIER_STORE_FAILED;
	}
	if (!fingerprint_valid(attester->fingerprint) ||
		(attester->ak_name.len && !verifier_ak_name_valid(attester->ak_name)))
	{
		return VERIFIER_STORE_INVALID;
	}
	status = check_group(this, attester->group);
	if (status != VERIFIER_STORE_OK)
	{
		return status;
	}
	stmt = prepare(this, "INSERT OR REPLACE INTO attesters (fingerprint, "
				   "ak_spki, ek_cert, grp, enrolled, ak_name) VALUES "
				   "(?, ?, ?, ?, ?, ?)");
	if (!stmt)
	{
		return VERIFIER_STORE_FAILED;
	}
	sqlite3_bind_text(stmt, 1, attester->fingerprint, -1, SQLITE_TRANSIENT);
	bind_blob(stmt, 2, attester->ak_spki);
	bind_blob(stmt, 3, attester->ek_cert);
	sqlite3_bind_text(stmt, 4, attester->group, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 5, attester->enrolled ?: time(NULL));
	bind_blob(stmt, 6, attester->ak_name);
	return step_done(this, stmt, "adding an attester") ?
				VERIFIER_STORE_OK : VERIFIER_STORE_FAILED;
}

/**
 * Look up a text value with a query that has one text parameter: 1 if found
 * (copied to buf), 0 if not, -1 on error
 */
static int lookup_text(private_verifier_store_t *this, char *sql,
					   char *param, char *buf, size_t len)
{
	sqlite3_stmt *stmt;
	int rc;

	stmt = prepare(this, sql);
	if (!stmt)
	{
		return -1;
	}
	sqlite3_bind_text(stmt, 1, param, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
	{
		column_text(stmt, 0, buf, len);
	}
	else if (rc != SQLITE_DONE)
	{
		db_error(this, "looking up a value");
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

METHOD(verifier_store_t, assign_ek, verifier_store_status_t,
	private_verifier_store_t *this, char *ek, char *group)
{
	verifier_store_status_t status;
	sqlite3_stmt *stmt;

	if (!fingerprint_valid(ek))
	{
		return VERIFIER_STORE_INVALID;
	}
	status = check_group(this, group);
	if (status != VERIFIER_STORE_OK)
	{
		return status;
	}
	stmt = prepare(this, "INSERT OR REPLACE INTO ek_assignments (ek, grp, "
				   "assigned) VALUES (?, ?, ?)");
	if (!stmt)
	{
		return VERIFIER_STORE_FAILED;
	}
	sqlite3_bind_text(stmt, 1, ek, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, group, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, time(NULL));
	return step_done(this, stmt, "assigning an EK") ?
				VERIFIER_STORE_OK : VERIFIER_STORE_FAILED;
}

/**
 * Delete the row a statement with one text parameter selects
 */
static verifier_store_status_t delete_row(private_verifier_store_t *this,
										  char *sql, char *key, char *what)
{
	sqlite3_stmt *stmt;

	stmt = prepare(this, sql);
	if (!stmt)
	{
		return VERIFIER_STORE_FAILED;
	}
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_TRANSIENT);
	if (!step_done(this, stmt, what))
	{
		return VERIFIER_STORE_FAILED;
	}
	return sqlite3_changes(this->db) ? VERIFIER_STORE_OK
									 : VERIFIER_STORE_NOT_FOUND;
}

METHOD(verifier_store_t, unassign_ek, verifier_store_status_t,
	private_verifier_store_t *this, char *ek)
{
	if (!fingerprint_valid(ek))
	{
		return VERIFIER_STORE_NOT_FOUND;
	}
	return delete_row(this, "DELETE FROM ek_assignments WHERE ek = ?", ek,
					  "removing an EK assignment");
}

METHOD(verifier_store_t, get_ek_group, verifier_store_status_t,
	private_verifier_store_t *this, char *ek,
	char group[VERIFIER_GROUP_MAX + 1])
{
	if (!fingerprint_valid(ek))
	{
		return VERIFIER_STORE_NOT_FOUND;
	}
	switch (lookup_text(this, "SELECT grp FROM ek_assignments WHERE ek = ?",
						ek, group, VERIFIER_GROUP_MAX + 1))
	{
		case 1:
			return VERIFIER_STORE_OK;
		case 0:
			return VERIFIER_STORE_NOT_FOUND;
		default:
			return VERIFIER_STORE_FAILED;
	}
}

METHOD(verifier_store_t, list_eks, array_t*,
	private_verifier_store_t *this)
{
	verifier_ek_t *ek;
	sqlite3_stmt *stmt;
	array_t *eks;
	int rc;

	stmt = prepare(this, "SELECT ek, grp, assigned FROM ek_assignments "
				   "ORDER BY grp, ek");
	if (!stmt)
	{
		return NULL;
	}
	eks = array_create(0, 0);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
	{
		INIT(ek,
			.assigned = sqlite3_column_int64(stmt, 2),
		);
		column_text(stmt, 0, ek->fingerprint, sizeof(ek->fingerprint));
		column_text(stmt, 1, ek->group, sizeof(ek->group));
		array_insert(eks, ARRAY_TAIL, ek);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
	{
		db_error(this, "listing EK assignments");
		array_destroy_function(eks, (void*)free, NULL);
		return NULL;
	}
	return eks;
}

/**
 * The enrollment rules (see check_enrollment()), within the caller's
 * transaction if it has one
 */
static verifier_store_status_t enrollment_allowed(
									private_verifier_store_t *this, char *ak,
									char *ek, char *group,
									char other[VERIFIER_GROUP_MAX + 1])
{
	char open[8] = "", assigned[VERIFIER_GROUP_MAX + 1] = "";
	int rc;

	other[0] = '\0';
	if (!verifier_group_name_valid(group) || !fingerprint_valid(ek))
	{
		return VERIFIER_STORE_NOT_FOUND;
	}
	rc = lookup_text(this, "SELECT enroll FROM groups WHERE name = ?", group,
					 open, sizeof(open));
	if (rc <= 0)
	{
		return rc ? VERIFIER_STORE_FAILED : VERIFIER_STORE_NOT_FOUND;
	}
	rc = lookup_text(this, "SELECT grp FROM ek_assignments WHERE ek = ?", ek,
					 assigned, sizeof(assigned));
	if (rc < 0)
	{
		return VERIFIER_STORE_FAILED;
	}
	if (rc && !streq(assigned, group))
	{	/* the operator put this EK into another group */
		snprintf(other, VERIFIER_GROUP_MAX + 1, "%s", assigned);
		return VERIFIER_STORE_DENIED;
	}
	if (!rc && !streq(open, "1"))
	{
		return VERIFIER_STORE_DENIED;
	}
	rc = lookup_text(this, "SELECT grp FROM attesters WHERE fingerprint = ?",
					 ak, other, VERIFIER_GROUP_MAX + 1);
	if (rc < 0)
	{
		other[0] = '\0';
		return VERIFIER_STORE_FAILED;
	}
	if (rc && !streq(other, group))
	{
		return VERIFIER_STORE_CONFLICT;
	}
	other[0] = '\0';
	return VERIFIER_STORE_OK;
}

METHOD(verifier_store_t, check_enrollment, verifier_store_status_t,
	private_verifier_store_t *this, char *ak, char *ek, char *group,
	char other[VERIFIER_GROUP_MAX + 1])
{
	if (!fingerprint_valid(ak))
	{
		other[0] = '\0';
		return VERIFIER_STORE_INVALID;
	}
	return enrollment_allowed(this, ak, ek, group, other);
}

/**
 * Query for attesters
 */
#define ATTESTER_QUERY \
	"SELECT fingerprint, ak_spki, ek_cert, grp, enrolled, last_seen, " \
	"last_status, clock, reset_count, restart_count, clock_safe, ak_name " \
	"FROM attesters "

/**
 * Create an attester from a row
 */
static verifier_attester_t *attester_from_row(sqlite3_stmt *stmt)
{
	verifier_attester_t *attester;

	INIT(attester,
		.ak_spki = column_blob(stmt, 1),
		.ak_name = column_blob(stmt, 11),
		.ek_cert = column_blob(stmt, 2),
		.enrolled = sqlite3_column_int64(stmt, 4),
		.last_seen = sqlite3_column_int64(stmt, 5),
		.has_clock = sqlite3_column_type(stmt, 7) != SQLITE_NULL &&
					 sqlite3_column_type(stmt, 8) != SQLITE_NULL &&
					 sqlite3_column_type(stmt, 9) != SQLITE_NULL,
	);
	column_text(stmt, 0, attester->fingerprint,
				sizeof(attester->fingerprint));
	column_text(stmt, 3, attester->group, sizeof(attester->group));
	column_text(stmt, 6, attester->last_status,
				sizeof(attester->last_status));
	if (attester->has_clock)
	{	/* the 64-bit clock is stored as its two's complement */
		attester->clock = (ratkn_clock_info_t){
			.clock = (uint64_t)sqlite3_column_int64(stmt, 7),
			.reset_count = (uint32_t)sqlite3_column_int64(stmt, 8),
			.restart_count = (uint32_t)sqlite3_column_int64(stmt, 9),
			.safe = sqlite3_column_int(stmt, 10) != 0,
		};
	}
	return attester;
}

/**
 * Read an attester within the caller's transaction, NULL if not found or on
 * error (*failed set)
 */
static verifier_attester_t *read_attester(private_verifier_store_t *this,
										  char *fpr, bool *failed)
{
	verifier_attester_t *attester = NULL;
	sqlite3_stmt *stmt;
	int rc;

	*failed = FALSE;
	stmt = prepare(this, ATTESTER_QUERY "WHERE fingerprint = ?");
	if (!stmt)
	{
		*failed = TRUE;
		return NULL;
	}
	sqlite3_bind_text(stmt, 1, fpr, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
	{
		attester = attester_from_row(stmt);
	}
	else if (rc != SQLITE_DONE)
	{
		db_error(this, "reading an attester");
		*failed = TRUE;
	}
	sqlite3_finalize(stmt);
	return attester;
}

METHOD(verifier_store_t, enroll_attester, verifier_store_status_t,
	private_verifier_store_t *this, verifier_attester_t *attester, char *ek,
	char other[VERIFIER_GROUP_MAX + 1])
{
	verifier_store_status_t status;
	verifier_attester_t *existing;
	sqlite3_stmt *stmt;
	bool failed;

	other[0] = '\0';
	if (!attester->ak_spki.len || !attester->ek_cert.len ||
		!verifier_ak_name_valid(attester->ak_name))
	{	/* enrollment always proves a Name */
		return VERIFIER_STORE_INVALID;
	}
	if (!attester->fingerprint[0] &&
		!fingerprint(attester->ak_spki, attester->fingerprint))
	{
		return VERIFIER_STORE_FAILED;
	}
	if (!fingerprint_valid(attester->fingerprint))
	{
		return VERIFIER_STORE_INVALID;
	}
	/* the rules and the change in one write transaction: another
	 * enrollment of the same AK (also by another process) waits for it */
	if (!exec(this, "BEGIN IMMEDIATE"))
	{
		return VERIFIER_STORE_FAILED;
	}
	status = enrollment_allowed(this, attester->fingerprint, ek,
								attester->group, other);
	if (status == VERIFIER_STORE_OK)
	{
		existing = read_attester(this, attester->fingerprint, &failed);
		if (existing && existing->ak_name.len &&
			!chunk_equals(existing->ak_name, attester->ak_name))
		{
			DBG1(DBG_CFG, "enrollment: AK %s enrolled again with another "
				 "TPM Name (other attributes or policy), pinning the new "
				 "one", attester->fingerprint);
		}
		stmt = prepare(this, existing ?
				"UPDATE attesters SET ek_cert = ?2, enrolled = ?4, "
				"ak_name = ?6 WHERE fingerprint = ?1 AND grp = ?3" :
				"INSERT INTO attesters (fingerprint, ek_cert, grp, enrolled, "
				"ak_spki, ak_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
		verifier_attester_destroy(existing);
		if (failed || !stmt)
		{
			sqlite3_finalize(stmt);
			status = VERIFIER_STORE_FAILED;
		}
		else
		{
			sqlite3_bind_text(stmt, 1, attester->fingerprint, -1,
							  SQLITE_TRANSIENT);
			bind_blob(stmt, 2, attester->ek_cert);
			sqlite3_bind_text(stmt, 3, attester->group, -1,
							  SQLITE_TRANSIENT);
			sqlite3_bind_int64(stmt, 4, attester->enrolled ?: time(NULL));
			/* ?5 is unused by the UPDATE, binding it is harmless */
			bind_blob(stmt, 5, attester->ak_spki);
			bind_blob(stmt, 6, attester->ak_name);
			if (!step_done(this, stmt, "enrolling an attester"))
			{
				status = VERIFIER_STORE_FAILED;
			}
		}
	}
	if (!exec(this, status == VERIFIER_STORE_OK ? "COMMIT" : "ROLLBACK"))
	{
		status = VERIFIER_STORE_FAILED;
	}
	return status;
}

METHOD(verifier_store_t, get_attester, verifier_store_status_t,
	private_verifier_store_t *this, char *fpr, verifier_attester_t **attester)
{
	sqlite3_stmt *stmt;
	int rc;

	if (!fingerprint_valid(fpr))
	{
		return VERIFIER_STORE_NOT_FOUND;
	}
	stmt = prepare(this, ATTESTER_QUERY "WHERE fingerprint = ?");
	if (!stmt)
	{
		return VERIFIER_STORE_FAILED;
	}
	sqlite3_bind_text(stmt, 1, fpr, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
	{
		*attester = attester_from_row(stmt);
	}
	else if (rc != SQLITE_DONE)
	{
		db_error(this, "reading an attester");
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW ? VERIFIER_STORE_OK :
		   rc == SQLITE_DONE ? VERIFIER_STORE_NOT_FOUND :
							   VERIFIER_STORE_FAILED;
}

METHOD(verifier_store_t, remove_attester, verifier_store_status_t,
	private_verifier_store_t *this, char *fpr)
{
	if (!fingerprint_valid(fpr))
	{
		return VERIFIER_STORE_NOT_FOUND;
	}
	return delete_row(this, "DELETE FROM attesters WHERE fingerprint = ?",
					  fpr, "removing an attester");
}

METHOD(verifier_store_t, list_attesters, array_t*,
	private_verifier_store_t *this)
{
	sqlite3_stmt *stmt;
	array_t *attesters;
	int rc;

	stmt = prepare(this, ATTESTER_QUERY "ORDER BY grp, fingerprint");
	if (!stmt)
	{
		return NULL;
	}
	attesters = array_create(0, 0);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
	{
		array_insert(attesters, ARRAY_TAIL, attester_from_row(stmt));
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
	{
		db_error(this, "listing attesters");
		array_destroy_function(attesters, (void*)verifier_attester_destroy,
							   NULL);
		return NULL;
	}
	return attesters;
}

METHOD(verifier_store_t, record_attestation, verifier_store_status_t,
	private_verifier_store_t *this, char *fpr, time_t when, char *status,
	ratkn_clock_info_t *clock)
{
	verifier_store_status_t result = VERIFIER_STORE_OK;
	verifier_attester_t *attester;
	sqlite3_stmt *stmt;
	bool failed;
	int cmp;

	if (!fingerprint_valid(fpr))
	{
		return VERIFIER_STORE_NOT_FOUND;
	}
	/* compare and update in one write transaction, so that concurrent
	 * writers (the CLI, other instances) cannot interleave */
	if (!exec(this, "BEGIN IMMEDIATE"))
	{
		return VERIFIER_STORE_FAILED;
	}
	attester = read_attester(this, fpr, &failed);
	if (!attester)
	{
		result = failed ? VERIFIER_STORE_FAILED : VERIFIER_STORE_NOT_FOUND;
	}
	else if (attester->has_clock)
	{
		cmp = ratkn_clock_info_boot_cmp(clock, &attester->clock);
		if (cmp < 0 || (cmp == 0 && clock->clock <= attester->clock.clock))
		{
			result = VERIFIER_STORE_EXISTS;
		}
	}
	verifier_attester_destroy(attester);
	if (result == VERIFIER_STORE_OK)
	{
		stmt = prepare(this, "UPDATE attesters SET last_seen = ?, "
					   "last_status = ?, clock = ?, reset_count = ?, "
					   "restart_count = ?, clock_safe = ? "
					   "WHERE fingerprint = ?");
		if (!stmt)
		{
			result = VERIFIER_STORE_FAILED;
		}
		else
		{
			sqlite3_bind_int64(stmt, 1, when);
			sqlite3_bind_text(stmt, 2, status, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(stmt, 3, (int64_t)clock->clock);
			sqlite3_bind_int64(stmt, 4, clock->reset_count);
			sqlite3_bind_int64(stmt, 5, clock->restart_count);
			sqlite3_bind_int(stmt, 6, clock->safe ? 1 : 0);
			sqlite3_bind_text(stmt, 7, fpr, -1, SQLITE_TRANSIENT);
			if (!step_done(this, stmt, "recording an attestation"))
			{
				result = VERIFIER_STORE_FAILED;
			}
		}
	}
	if (!exec(this, result == VERIFIER_STORE_OK ? "COMMIT" : "ROLLBACK"))
	{
		result = VERIFIER_STORE_FAILED;
	}
	return result;
}

/**
 * Remove expired sessions
 */
static bool purge_sessions(private_verifier_store_t *this, time_t now)
{
	sqlite3_stmt *stmt;

	stmt = prepare(this, "DELETE FROM enroll_sessions WHERE expires <= ?");
	if (!stmt)
	{
		return FALSE;
	}
	sqlite3_bind_int64(stmt, 1, now);
	return step_done(this, stmt, "removing expired enrollments");
}

/**
 * Drop the oldest pending enrollments of an EK so that it has fewer than max
 */
static bool drop_oldest(private_verifier_store_t *this, char *ek, u_int max)
{
	sqlite3_stmt *stmt;
	int pending;

	pending = count(this, "SELECT COUNT(*) FROM enroll_sessions WHERE ek = ?",
					ek);
	if (pending < 0)
	{
		return FALSE;
	}
	if (pending < max)
	{
		return TRUE;
	}
	stmt = prepare(this, "DELETE FROM enroll_sessions WHERE id IN (SELECT id "
				   "FROM enroll_sessions WHERE ek = ? ORDER BY expires, "
				   "rowid LIMIT ?)");
	if (!stmt)
	{
		return FALSE;
	}
	sqlite3_bind_text(stmt, 1, ek, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(stmt, 2, pending - max + 1);
	if (!step_done(this, stmt, "dropping pending enrollments of an EK"))
	{
		return FALSE;
	}
	DBG1(DBG_CFG, "enrollment: EK %s had %d pending enrollments, dropped "
		 "the oldest %d", ek, pending, sqlite3_changes(this->db));
	return TRUE;
}

METHOD(verifier_store_t, add_session, verifier_store_status_t,
	private_verifier_store_t *this, verifier_session_t *session,
	verifier_session_limits_t *limits, time_t now)
{
	verifier_store_status_t status = VERIFIER_STORE_OK;
	sqlite3_stmt *stmt;
	int pending, client;

	if (!session->id[0] || !session->ak_spki.len || !session->ek_cert.len ||
		!verifier_ak_name_valid(session->ak_name) ||
		!verifier_group_name_valid(session->group) ||
		!fingerprint_valid(session->ek) || !session->client[0] ||
		!limits->per_ek)
	{
		return VERIFIER_STORE_INVALID;
	}
	if (!exec(this, "BEGIN IMMEDIATE"))
	{
		return VERIFIER_STORE_FAILED;
	}
	if (!purge_sessions(this, now) ||
		!drop_oldest(this, session->ek, limits->per_ek))
	{
		status = VERIFIER_STORE_FAILED;
	}
	else
	{
		client = count(this, "SELECT COUNT(*) FROM enroll_sessions WHERE "
					   "client = ?", session->client);
		pending = count(this, "SELECT COUNT(*) FROM enroll_sessions WHERE "
						"id != ?", session->id);
		if (pending < 0 || client < 0)
		{
			status = VERIFIER_STORE_FAILED;
		}
		else if (client >= limits->per_client)
		{
			status = VERIFIER_STORE_LIMIT;
		}
		else if (pending >= limits->total)
		{
			status = VERIFIER_STORE_EXISTS;
		}
	}
	if (status == VERIFIER_STORE_OK)
	{
		stmt = prepare(this, "INSERT INTO enroll_sessions (id, secret_hash, "
					   "ak_spki, ek_cert, grp, expires, ek, client, ak_name) "
					   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
		if (!stmt)
		{
			status = VERIFIER_STORE_FAILED;
		}
		else
		{
			sqlite3_bind_text(stmt, 1, session->id, -1, SQLITE_TRANSIENT);
			bind_blob(stmt, 2, chunk_from_thing(session->secret_hash));
			bind_blob(stmt, 3, session->ak_spki);
			bind_blob(stmt, 4, session->ek_cert);
			sqlite3_bind_text(stmt, 5, session->group, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(stmt, 6, session->expires);
			sqlite3_bind_text(stmt, 7, session->ek, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(stmt, 8, session->client, -1,
							  SQLITE_TRANSIENT);
			bind_blob(stmt, 9, session->ak_name);
			if (!step_done(this, stmt, "adding an enrollment"))
			{
				status = VERIFIER_STORE_FAILED;
			}
		}
	}
	/* a refused session drops none of the EK's others */
	if (!exec(this, status == VERIFIER_STORE_OK ? "COMMIT" : "ROLLBACK"))
	{
		status = VERIFIER_STORE_FAILED;
	}
	return status;
}

METHOD(verifier_store_t, take_session, verifier_store_status_t,
	private_verifier_store_t *this, char *id, time_t now,
	verifier_session_t **session)
{
	verifier_store_status_t status = VERIFIER_STORE_NOT_FOUND;
	verifier_session_t *found = NULL;
	sqlite3_stmt *stmt;
	chunk_t hash;
	int rc;

	if (!exec(this, "BEGIN IMMEDIATE"))
	{
		return VERIFIER_STORE_FAILED;
	}
	stmt = prepare(this, "SELECT secret_hash, ak_spki, ek_cert, grp, expires, "
				   "ek, client, ak_name FROM enroll_sessions WHERE id = ?");
	if (!stmt)
	{
		status = VERIFIER_STORE_FAILED;
	}
	else
	{
		sqlite3_bind_text(stmt, 1, id, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW)
		{
			INIT(found,
				.ak_spki = column_blob(stmt, 1),
				.ak_name = column_blob(stmt, 7),
				.ek_cert = column_blob(stmt, 2),
				.expires = sqlite3_column_int64(stmt, 4),
			);
			snprintf(found->id, sizeof(found->id), "%s", id);
			column_text(stmt, 3, found->group, sizeof(found->group));
			column_text(stmt, 5, found->ek, sizeof(found->ek));
			column_text(stmt, 6, found->client, sizeof(found->client));
			hash = column_blob(stmt, 0);
			if (hash.len == sizeof(found->secret_hash))
			{
				memcpy(found->secret_hash, hash.ptr, hash.len);
				status = VERIFIER_STORE_OK;
			}
			chunk_clear(&hash);
		}
		else if (rc != SQLITE_DONE)
		{
			db_error(this, "reading an enrollment");
			status = VERIFIER_STORE_FAILED;
		}
		sqlite3_finalize(stmt);
	}
	if (status != VERIFIER_STORE_FAILED)
	{	/* a session is used once, whatever the outcome */
		stmt = prepare(this, "DELETE FROM enroll_sessions WHERE id = ?");
		if (stmt)
		{
			sqlite3_bind_text(stmt, 1, id, -1, SQLITE_TRANSIENT);
		}
		if (!stmt || !step_done(this, stmt, "removing an enrollment"))
		{
			status = VERIFIER_STORE_FAILED;
		}
	}
	if (!exec(this, status != VERIFIER_STORE_FAILED ? "COMMIT" : "ROLLBACK"))
	{
		status = VERIFIER_STORE_FAILED;
	}
	if (status == VERIFIER_STORE_OK && found->expires <= now)
	{
		status = VERIFIER_STORE_NOT_FOUND;
	}
	if (status == VERIFIER_STORE_OK)
	{
		*session = found;
	}
	else
	{
		verifier_session_destroy(found);
	}
	return status;
}

METHOD(verifier_store_t, destroy, void,
	private_verifier_store_t *this)
{
	sqlite3_close(this->db);
	free(this);
}

/**
 * Create the schema, or migrate an older one, in one transaction
 */
static bool init_schema(private_verifier_store_t *this, char *path)
{
	sqlite3_stmt *stmt;
	int version = -1, from, i;

	if (!exec(this, "BEGIN IMMEDIATE"))
	{
		return FALSE;
	}
	stmt = prepare(this, "PRAGMA user_version");
	if (stmt && sqlite3_step(stmt) == SQLITE_ROW)
	{
		version = sqlite3_column_int(stmt, 0);
	}
	sqlite3_finalize(stmt);
	if (version < 0 || version > VERIFIER_STORE_SCHEMA)
	{
		exec(this, "ROLLBACK");
		DBG1(DBG_CFG, "database: %s has schema version %d, this program "
			 "supports versions up to %d", path, version,
			 VERIFIER_STORE_SCHEMA);
		return FALSE;
	}
	from = version;
	for (i = 0; i < countof(migrations); i++)
	{
		if (migrations[i].version <= version)
		{
			continue;
		}
		if (!exec(this, *migrations[i].sql))
		{
			exec(this, "ROLLBACK");
			DBG1(DBG_CFG, "database: migrating %s to schema version %d "
				 "failed", path, migrations[i].version);
			return FALSE;
		}
		version = migrations[i].version;
	}
	if (!exec(this, "COMMIT"))
	{
		return FALSE;
	}
	if (from == 0)
	{
		DBG1(DBG_CFG, "database: created schema version %d in %s", version,
			 path);
	}
	else if (from != version)
	{
		DBG1(DBG_CFG, "database: migrated %s from schema version %d to %d",
			 path, from, version);
	}
	if (from > 0 && from < 2)
	{
		DBG1(DBG_CFG, "database: groups are closed to self-enrollment now, "
			 "open them (ratkn-verifier-ctl group set NAME --enroll open) "
			 "or assign EKs to them (ek assign); pending enrollments were "
			 "dropped");
	}
	if (from > 0 && from < 3)
	{
		DBG1(DBG_CFG, "database: AKs enrolled so far have no TPM Name "
			 "pinned, their attributes are pinned when they enroll again "
			 "(ratkn enroll); pending enrollments were dropped");
	}
	return TRUE;
}

/*
 * Described in header
 */
verifier_store_t *verifier_store_create(char *path)
{
	private_verifier_store_t *this;

	INIT(this,
		.public = {
			.add_group = _add_group,
			.remove_group = _remove_group,
			.get_group = _get_group,
			.list_groups = _list_groups,
			.set_reference = _set_reference,
			.list_reference = _list_reference,
			.get_reference = _get_reference,
			.set_warning = _set_warning,
			.set_group_enroll = _set_group_enroll,
			.assign_ek = _assign_ek,
			.unassign_ek = _unassign_ek,
			.get_ek_group = _get_ek_group,
			.list_eks = _list_eks,
			.check_enrollment = _check_enrollment,
			.enroll_attester = _enroll_attester,
			.add_attester = _add_attester,
			.get_attester = _get_attester,
			.remove_attester = _remove_attester,
			.list_attesters = _list_attesters,
			.record_attestation = _record_attestation,
			.add_session = _add_session,
			.take_session = _take_session,
			.destroy = _destroy,
		},
	);
	if (sqlite3_open_v2(path, &this->db, SQLITE_OPEN_READWRITE |
						SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
						NULL) != SQLITE_OK)
	{
		DBG1(DBG_CFG, "database: opening %s failed: %s", path,
			 this->db ? sqlite3_errmsg(this->db) : "out of memory");
		destroy(this);
		return NULL;
	}
	sqlite3_busy_timeout(this->db, BUSY_TIMEOUT);
	if (!exec(this, "PRAGMA foreign_keys = ON") ||
		!exec(this, "PRAGMA journal_mode = WAL") ||
		!init_schema(this, path))
	{
		destroy(this);
		return NULL;
	}
	return &this->public;
}
