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

#include "ratkn_keyring.h"

#include <errno.h>
#include <stdio.h>
#include <ctype.h>
#include <keyutils.h>

#include <collections/linked_list.h>

typedef struct private_ratkn_keyring_t private_ratkn_keyring_t;

/**
 * Private data of a ratkn_keyring_t object.
 */
struct private_ratkn_keyring_t {

	/**
	 * Public interface.
	 */
	ratkn_keyring_t public;

	/**
	 * Keyring name
	 */
	char *name;

	/**
	 * Keyring serial
	 */
	key_serial_t serial;
};

/**
 * Parse a description "PREFIXNAME:VERSION" of a "user" key; name allocated
 */
static bool parse_desc(char *desc, char *prefix, char **name,
					   uint32_t *version)
{
	char *type, *d, *colon, *end;
	unsigned long v;
	int i;

	/* "type;uid;gid;perm;description" */
	type = desc;
	for (i = 0, d = desc; i < 4 && d; i++)
	{
		d = strchr(d, ';');
		d = d ? d + 1 : NULL;
	}
	if (!d || !strpfx(type, "user;") || !strpfx(d, prefix))
	{
		return FALSE;
	}
	d += strlen(prefix);
	colon = strrchr(d, ':');
	if (!colon || colon == d)
	{
		return FALSE;
	}
	errno = 0;
	v = strtoul(colon + 1, &end, 10);
	if (errno || *end || !colon[1] || !v || v > UINT32_MAX)
	{
		return FALSE;
	}
	*name = strndup(d, colon - d);
	*version = v;
	return TRUE;
}

/**
 * Get the permission mask from a description
 */
static uint32_t desc_perm(char *desc)
{
	char *d = desc;
	int i;

	for (i = 0; i < 3 && d; i++)
	{
		d = strchr(d, ';');
		d = d ? d + 1 : NULL;
	}
	return d ? strtoul(d, NULL, 16) : 0;
}

/**
 * Look up the expiry column of a key in /proc/keys
 */
static void get_expiry(key_serial_t serial, char *buf, size_t len)
{
	char line[512], expiry[16];
	unsigned int id;
	FILE *f;

	snprintf(buf, len, "?");
	f = fopen("/proc/keys", "r");
	if (!f)
	{
		return;
	}
	while (fgets(line, sizeof(line), f))
	{
		/* "%08x %s %5d %4s ..." */
		if (sscanf(line, "%x %*s %*d %15s", &id, expiry) == 2 &&
			id == (unsigned int)serial)
		{
			snprintf(buf, len, "%s", expiry);
			break;
		}
	}
	fclose(f);
}

/**
 * Destroy an entry
 */
static void entry_destroy(ratkn_keyring_entry_t *entry)
{
	free(entry->name);
	free(entry);
}

/**
 * List released keys and EDEKs: entries for keys, with the EDEK serials
 */
static linked_list_t *list_keys(private_ratkn_keyring_t *this)
{
	ratkn_keyring_entry_t *entry;
	linked_list_t *list, *edeks;
	enumerator_t *enumerator, *inner;
	key_serial_t *ids = NULL;
	char *desc, *name;
	uint32_t version;
	long len, i;

	list = linked_list_create();
	edeks = linked_list_create();
	len = keyctl_read_alloc(this->serial, (void**)&ids);
	for (i = 0; len > 0 && i < len / (long)sizeof(key_serial_t); i++)
	{
		if (keyctl_describe_alloc(ids[i], &desc) < 0)
		{
			continue;
		}
		if (parse_desc(desc, RATKN_KEYRING_KEY, &name, &version))
		{
			INIT(entry,
				.name = name,
				.version = version,
				.serial = ids[i],
				.perm = desc_perm(desc),
			);
			get_expiry(ids[i], entry->expiry, sizeof(entry->expiry));
			list->insert_last(list, entry);
		}
		else if (parse_desc(desc, RATKN_KEYRING_EDEK, &name, &version))
		{
			INIT(entry,
				.name = name,
				.version = version,
				.serial = ids[i],
			);
			edeks->insert_last(edeks, entry);
		}
		free(desc);
	}
	free(ids);
	/* attach EDEKs to their keys; an EDEK without its key is listed as a
	 * key entry with serial 0 so that remove() finds it */
	enumerator = edeks->create_enumerator(edeks);
	while (enumerator->enumerate(enumerator, &entry))
	{
		ratkn_keyring_entry_t *key;
		bool found = FALSE;

		inner = list->create_enumerator(list);
		while (inner->enumerate(inner, &key))
		{
			if (streq(key->name, entry->name) &&
				key->version == entry->version)
			{
				key->edek = entry->serial;
				found = TRUE;
				break;
			}
		}
		inner->destroy(inner);
		if (found)
		{
			entry_destroy(entry);
		}
		else
		{
			entry->edek = entry->serial;
			entry->serial = 0;
			list->insert_last(list, entry);
		}
	}
	enumerator->destroy(enumerator);
	edeks->destroy(edeks);
	return list;
}

/**
 * Invalidate (remove and destroy) a key of an entry and its EDEK; returns
 * TRUE if a key (not only an EDEK) was removed
 */
static bool remove_entry(private_ratkn_keyring_t *this,
						 ratkn_keyring_entry_t *entry)
{
	if (entry->edek)
	{
		keyctl_invalidate(entry->edek);
	}
	if (entry->serial)
	{
		keyctl_invalidate(entry->serial);
		DBG2(DBG_LIB, "ratkn: removed key '%s:%u' from keyring '%s'",
			 entry->name, entry->version, this->name);
		return TRUE;
	}
	return FALSE;
}

METHOD(ratkn_keyring_t, remove_, int,
	private_ratkn_keyring_t *this, char *name)
{
	ratkn_keyring_entry_t *entry;
	linked_list_t *list;
	int count = 0;

	list = list_keys(this);
	while (list->remove_first(list, (void**)&entry) == SUCCESS)
	{
		if ((!name || streq(entry->name, name)) && remove_entry(this, entry))
		{
			count++;
		}
		entry_destroy(entry);
	}
	list->destroy(list);
	return count;
}

METHOD(ratkn_keyring_t, remove_others, int,
	private_ratkn_keyring_t *this, linked_list_t *kids)
{
	ratkn_keyring_entry_t *entry;
	enumerator_t *enumerator;
	linked_list_t *list;
	char kid[RATKN_KEY_NAME_MAX + 16], *keep;
	bool found;
	int count = 0;

	list = list_keys(this);
	while (list->remove_first(list, (void**)&entry) == SUCCESS)
	{
		snprintf(kid, sizeof(kid), "%s:%u", entry->name, entry->version);
		found = FALSE;
		enumerator = kids->create_enumerator(kids);
		while (enumerator->enumerate(enumerator, &keep))
		{
			if (streq(keep, kid))
			{
				found = TRUE;
				break;
			}
		}
		enumerator->destroy(enumerator);
		if (!found && remove_entry(this, entry))
		{
			count++;
		}
		entry_destroy(entry);
	}
	list->destroy(list);
	return count;
}

/**
 * Add a "user" key with permissions and timeout
 */
static key_serial_t add(private_ratkn_keyring_t *this, char *prefix,
						char *kid, chunk_t data, uint32_t perm,
						unsigned int timeout)
{
	char desc[RATKN_KEY_NAME_MAX + 32];
	key_serial_t id;

	snprintf(desc, sizeof(desc), "%s%s", prefix, kid);
	id = add_key("user", desc, data.ptr, data.len, this->serial);
	if (id < 0)
	{
		DBG1(DBG_LIB, "ratkn: adding '%s' to keyring '%s' failed: %s", desc,
			 this->name, strerror(errno));
		return id;
	}
	if (keyctl_set_timeout(id, timeout) < 0 ||
		keyctl_setperm(id, perm) < 0)
	{
		DBG1(DBG_LIB, "ratkn: setting timeout and permissions of '%s' "
			 "failed: %s", desc, strerror(errno));
		keyctl_invalidate(id);
		return -1;
	}
	return id;
}

METHOD(ratkn_keyring_t, install, bool,
	private_ratkn_keyring_t *this, ratkn_jwe_key_t *key, uint32_t perm,
	time_t now, bool keep_others)
{
	ratkn_jwe_claims_t *claims = key->get_claims(key);
	ratkn_keyring_entry_t *entry;
	linked_list_t *list;
	unsigned int timeout;

	if (claims->exp <= now)
	{
		DBG1(DBG_LIB, "ratkn: key '%s' expired, not installed",
			 key->get_kid(key));
		return FALSE;
	}
	timeout = claims->exp - now;
	/* other versions of this name go unless kept (a re-released old
	 * version); this version is replaced in place */
	list = keep_others ? linked_list_create() : list_keys(this);
	while (list->remove_first(list, (void**)&entry) == SUCCESS)
	{
		if (streq(entry->name, claims->name) &&
			entry->version != claims->version && remove_entry(this, entry))
		{
			DBG1(DBG_LIB, "ratkn: key '%s:%u' replaced by version %u in "
				 "keyring '%s'", entry->name, entry->version,
				 claims->version, this->name);
		}
		entry_destroy(entry);
	}
	list->destroy(list);
	if (add(this, RATKN_KEYRING_KEY, key->get_kid(key), claims->key, perm,
			timeout) < 0)
	{
		return FALSE;
	}
	if (claims->edek.len &&
		add(this, RATKN_KEYRING_EDEK, key->get_kid(key), claims->edek, perm,
			timeout) < 0)
	{
		return FALSE;
	}
	return TRUE;
}

/**
 * Enumerator over a list of entries that owns it
 */
CALLBACK(list_destroy, void,
	linked_list_t *list)
{
	list->destroy_function(list, (void*)entry_destroy);
}

/**
 * Filter out EDEK-only entries
 */
CALLBACK(filter_keys, bool,
	void *data, enumerator_t *orig, va_list args)
{
	ratkn_keyring_entry_t *entry, **out;

	VA_ARGS_VGET(args, out);
	while (orig->enumerate(orig, &entry))
	{
		if (entry->serial)
		{
			*out = entry;
			return TRUE;
		}
	}
	return FALSE;
}

METHOD(ratkn_keyring_t, create_enumerator, enumerator_t*,
	private_ratkn_keyring_t *this)
{
	linked_list_t *list;

	list = list_keys(this);
	return enumerator_create_filter(list->create_enumerator(list),
									filter_keys, list, list_destroy);
}

METHOD(ratkn_keyring_t, read_, bool,
	private_ratkn_keyring_t *this, char *name, uint32_t version,
	chunk_t *key, uint32_t *found)
{
	ratkn_keyring_entry_t *entry, *best = NULL;
	enumerator_t *enumerator;
	void *buf = NULL;
	long len;

	enumerator = create_enumerator(this);
	while (enumerator->enumerate(enumerator, &entry))
	{
		if (streq(entry->name, name) &&
			(version ? entry->version == version :
					   (!best || entry->version > best->version)))
		{
			best = entry;
		}
	}
	if (best)
	{
		len = keyctl_read_alloc(best->serial, &buf);
		if (len > 0)
		{
			*key = chunk_create(buf, len);
			if (found)
			{
				*found = best->version;
			}
		}
		else
		{
			DBG1(DBG_LIB, "ratkn: reading key '%s:%u' failed: %s", name,
				 best->version, strerror(errno));
			best = NULL;
		}
	}
	enumerator->destroy(enumerator);
	return best != NULL;
}

/**
 * Check the name and version of a key id
 */
static bool kid_valid(char *name, uint32_t version)
{
	return name && ratkn_key_name_valid(name) && version;
}

/**
 * Destroy a request
 */
static void request_destroy(ratkn_keyring_request_t *request)
{
	free(request->name);
	chunk_free(&request->edek);
	free(request);
}

/**
 * List pending requests; with their EDEKs if asked to, skipping those that
 * cannot be read or are malformed
 */
static linked_list_t *list_requests(private_ratkn_keyring_t *this,
									bool read)
{
	ratkn_keyring_request_t *request;
	linked_list_t *list;
	key_serial_t *ids = NULL;
	void *buf;
	char *desc, *name;
	uint32_t version;
	long len, edek_len, i;

	list = linked_list_create();
	len = keyctl_read_alloc(this->serial, (void**)&ids);
	for (i = 0; len > 0 && i < len / (long)sizeof(key_serial_t); i++)
	{
		if (keyctl_describe_alloc(ids[i], &desc) < 0)
		{
			continue;
		}
		if (!parse_desc(desc, RATKN_KEYRING_REQUEST, &name, &version))
		{
			free(desc);
			continue;
		}
		free(desc);
		if (!ratkn_key_name_valid(name))
		{
			DBG1(DBG_LIB, "ratkn: ignoring request with invalid key name in "
				 "keyring '%s'", this->name);
			free(name);
			continue;
		}
		INIT(request,
			.name = name,
			.version = version,
			.serial = ids[i],
		);
		if (read)
		{
			buf = NULL;
			edek_len = keyctl_read_alloc(ids[i], &buf);
			if (edek_len < 1 || edek_len > RATKN_JWE_MAX_EDEK)
			{
				DBG1(DBG_LIB, "ratkn: ignoring request '%s:%u' in keyring "
					 "'%s': %s", name, version, this->name, edek_len < 0 ?
					 strerror(errno) : "invalid EDEK length");
				free(buf);
				request_destroy(request);
				continue;
			}
			request->edek = chunk_create(buf, edek_len);
		}
		list->insert_last(list, request);
	}
	free(ids);
	return list;
}

METHOD(ratkn_keyring_t, add_request, bool,
	private_ratkn_keyring_t *this, char *name, uint32_t version,
	chunk_t edek, uint32_t perm)
{
	char kid[RATKN_KEY_NAME_MAX + 16];

	if (!kid_valid(name, version))
	{
		DBG1(DBG_LIB, "ratkn: invalid key id for an EDEK request");
		return FALSE;
	}
	if (!edek.len || edek.len > RATKN_JWE_MAX_EDEK)
	{
		DBG1(DBG_LIB, "ratkn: invalid EDEK length %zu for a request of "
			 "'%s:%u' (1-%d)", edek.len, name, version, RATKN_JWE_MAX_EDEK);
		return FALSE;
	}
	snprintf(kid, sizeof(kid), "%s:%u", name, version);
	if (add(this, RATKN_KEYRING_REQUEST, kid, edek, perm, 0) < 0)
	{
		return FALSE;
	}
	DBG2(DBG_LIB, "ratkn: added request of '%s' to keyring '%s'", kid,
		 this->name);
	return TRUE;
}

/**
 * Destroy a list of requests
 */
CALLBACK(requests_destroy, void,
	linked_list_t *list)
{
	list->destroy_function(list, (void*)request_destroy);
}

METHOD(ratkn_keyring_t, create_request_enumerator, enumerator_t*,
	private_ratkn_keyring_t *this)
{
	linked_list_t *list;

	list = list_requests(this, TRUE);
	return enumerator_create_cleaner(list->create_enumerator(list),
									 requests_destroy, list);
}

METHOD(ratkn_keyring_t, remove_requests, int,
	private_ratkn_keyring_t *this, char *name, uint32_t version)
{
	ratkn_keyring_request_t *request;
	linked_list_t *list;
	int count = 0;

	list = list_requests(this, FALSE);
	while (list->remove_first(list, (void**)&request) == SUCCESS)
	{
		if (!name || (streq(request->name, name) &&
					  (!version || request->version == version)))
		{
			keyctl_invalidate(request->serial);
			DBG2(DBG_LIB, "ratkn: removed request of '%s:%u' from keyring "
				 "'%s'", request->name, request->version, this->name);
			count++;
		}
		request_destroy(request);
	}
	list->destroy(list);
	return count;
}

METHOD(ratkn_keyring_t, read_edek, bool,
	private_ratkn_keyring_t *this, char *name, uint32_t version,
	chunk_t *edek)
{
	ratkn_keyring_entry_t *entry;
	linked_list_t *list;
	void *buf = NULL;
	bool found = FALSE;
	long len;

	if (!kid_valid(name, version))
	{
		return FALSE;
	}
	list = list_keys(this);
	while (list->remove_first(list, (void**)&entry) == SUCCESS)
	{
		if (!found && entry->edek && entry->version == version &&
			streq(entry->name, name))
		{
			len = keyctl_read_alloc(entry->edek, &buf);
			if (len > 0)
			{
				*edek = chunk_create(buf, len);
				found = TRUE;
			}
			else
			{
				DBG1(DBG_LIB, "ratkn: reading the EDEK of '%s:%u' failed: %s",
					 name, version, len < 0 ? strerror(errno) : "empty");
				free(buf);
				buf = NULL;
			}
		}
		entry_destroy(entry);
	}
	list->destroy(list);
	return found;
}

METHOD(ratkn_keyring_t, get_serial, int32_t,
	private_ratkn_keyring_t *this)
{
	return this->serial;
}

METHOD(ratkn_keyring_t, destroy, void,
	private_ratkn_keyring_t *this)
{
	free(this->name);
	free(this);
}

/*
 * Described in header
 */
bool ratkn_keyring_name_valid(char *name)
{
	size_t i, len;

	len = name ? strlen(name) : 0;
	if (!len || len > 64)
	{
		return FALSE;
	}
	for (i = 0; i < len; i++)
	{
		if (!isalnum((u_char)name[i]) && !strchr("._-", name[i]))
		{
			return FALSE;
		}
	}
	return TRUE;
}

/*
 * Described in header
 */
ratkn_keyring_t *ratkn_keyring_open(char *name, bool create)
{
	private_ratkn_keyring_t *this;
	key_serial_t serial;

	if (!ratkn_keyring_name_valid(name))
	{
		return NULL;
	}
	serial = keyctl_search(KEY_SPEC_USER_KEYRING, "keyring", name, 0);
	if (serial < 0 && create)
	{
		serial = add_key("keyring", name, NULL, 0, KEY_SPEC_USER_KEYRING);
		if (serial < 0 || keyctl_setperm(serial, 0x3f0b0000) < 0)
		{
			DBG1(DBG_LIB, "ratkn: creating keyring '%s' failed: %s", name,
				 strerror(errno));
			return NULL;
		}
	}
	if (serial < 0)
	{
		return NULL;
	}
	INIT(this,
		.public = {
			.install = _install,
			.create_enumerator = _create_enumerator,
			.read = _read_,
			.remove = _remove_,
			.remove_others = _remove_others,
			.add_request = _add_request,
			.create_request_enumerator = _create_request_enumerator,
			.remove_requests = _remove_requests,
			.read_edek = _read_edek,
			.get_serial = _get_serial,
			.destroy = _destroy,
		},
		.name = strdup(name),
		.serial = serial,
	);
	return &this->public;
}
