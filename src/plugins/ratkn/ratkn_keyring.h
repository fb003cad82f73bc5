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

/**
 * @defgroup ratkn_keyring ratkn_keyring
 * @{ @ingroup ratkn
 */

#ifndef RATKN_KEYRING_H_
#define RATKN_KEYRING_H_

#include "ratkn_jwe.h"

#include <library.h>

/**
 * Description prefix of released keys in a keyring ("ratkn:NAME:VERSION").
 */
#define RATKN_KEYRING_KEY "ratkn:"

/**
 * Description prefix of the EDEK stored with a key
 * ("ratkn-edek:NAME:VERSION").
 */
#define RATKN_KEYRING_EDEK "ratkn-edek:"

/**
 * Description prefix of a pending request to present an EDEK to the KMS
 * again ("ratkn-request:NAME:VERSION", the payload is the EDEK).
 */
#define RATKN_KEYRING_REQUEST "ratkn-request:"

/**
 * Default permissions of installed keys: possessor all, user view and read.
 */
#define RATKN_KEYRING_DEFAULT_PERM 0x3f030000

typedef struct ratkn_keyring_entry_t ratkn_keyring_entry_t;

/**
 * A released key in a keyring (metadata only).
 */
struct ratkn_keyring_entry_t {

	/** key name */
	char *name;

	/** version */
	uint32_t version;

	/** serial of the key */
	int32_t serial;

	/** serial of its EDEK, 0 if none */
	int32_t edek;

	/** permissions */
	uint32_t perm;

	/** expiry as shown in /proc/keys ("59m", "perm", ...) */
	char expiry[16];
};

typedef struct ratkn_keyring_request_t ratkn_keyring_request_t;

/**
 * A pending EDEK request: the attester asks the KMS to decrypt an EDEK it
 * kept from an earlier release again (draft-xia section 2.1), e.g. for data
 * encrypted under an old, rotated key version.
 */
struct ratkn_keyring_request_t {

	/** key name */
	char *name;

	/** key version */
	uint32_t version;

	/** the EDEK to present */
	chunk_t edek;

	/** serial of the request key */
	int32_t serial;
};

typedef struct ratkn_keyring_t ratkn_keyring_t;

/**
 * A named kernel keyring (keyutils) under the user keyring, holding keys
 * released by a KMS (docs/kms.md).
 */
struct ratkn_keyring_t {

	/**
	 * Install a released key as a "user" key "ratkn:NAME:VERSION" (and its
	 * EDEK as "ratkn-edek:NAME:VERSION"), with a timeout at its expiry.
	 * The same version is replaced in place.  Other versions of the same
	 * name are removed unless keep_others is set (a re-released old
	 * version coexists with the active one).  Pending requests are not
	 * touched (see remove_requests()).
	 *
	 * @param key		unwrapped release
	 * @param perm		key permissions (keyctl_setperm())
	 * @param now		current time
	 * @param keep_others	TRUE to keep other versions of the name
	 * @return			FALSE on failure (logged)
	 */
	bool (*install)(ratkn_keyring_t *this, ratkn_jwe_key_t *key,
					uint32_t perm, time_t now, bool keep_others);

	/**
	 * Enumerate the released keys in the keyring, ordered as in the keyring
	 * (EDEKs and pending requests are not listed).
	 *
	 * @return			enumerator over ratkn_keyring_entry_t* (borrowed)
	 */
	enumerator_t *(*create_enumerator)(ratkn_keyring_t *this);

	/**
	 * Read a key: the highest version of a name, or a given version.
	 *
	 * @param name		key name
	 * @param version	version, 0 for the highest
	 * @param key		key material (allocated; wipe with chunk_clear())
	 * @param found		receives the version, optional
	 * @return			FALSE if there is no such key
	 */
	bool (*read)(ratkn_keyring_t *this, char *name, uint32_t version,
				 chunk_t *key, uint32_t *found);

	/**
	 * Remove all versions of a key (and their EDEKs), or all keys.  Pending
	 * requests stay.
	 *
	 * @param name		key name, NULL for all released keys
	 * @return			number of keys removed (EDEKs not counted)
	 */
	int (*remove)(ratkn_keyring_t *this, char *name);

	/**
	 * Remove released keys whose "NAME:VERSION" is not in a list.  Pending
	 * requests stay.
	 *
	 * @param kids		key ids to keep (char*)
	 * @return			number of keys removed
	 */
	int (*remove_others)(ratkn_keyring_t *this, linked_list_t *kids);

	/**
	 * Add (or replace) a request to present an EDEK to the KMS again, as a
	 * "user" key "ratkn-request:NAME:VERSION" without timeout.
	 *
	 * @param name		key name (ratkn_key_name_valid())
	 * @param version	key version, >= 1
	 * @param edek		EDEK, 1..RATKN_JWE_MAX_EDEK octets
	 * @param perm		key permissions (keyctl_setperm())
	 * @return			FALSE if invalid or on failure (logged)
	 */
	bool (*add_request)(ratkn_keyring_t *this, char *name, uint32_t version,
						chunk_t edek, uint32_t perm);

	/**
	 * Enumerate pending requests, ordered as in the keyring.  Requests that
	 * cannot be read or are malformed are skipped.
	 *
	 * @return			enumerator over ratkn_keyring_request_t* (borrowed,
	 *					valid until the enumerator is destroyed)
	 */
	enumerator_t *(*create_request_enumerator)(ratkn_keyring_t *this);

	/**
	 * Remove pending requests: of one NAME:VERSION, all versions of a name
	 * (version 0), or all (name NULL).
	 *
	 * @param name		key name, NULL for all requests
	 * @param version	key version, 0 for all versions of name
	 * @return			number removed
	 */
	int (*remove_requests)(ratkn_keyring_t *this, char *name,
						   uint32_t version);

	/**
	 * Read the EDEK stored with a released key (ratkn-edek:NAME:VERSION).
	 *
	 * @param name		key name
	 * @param version	key version, >= 1
	 * @param edek		EDEK (allocated)
	 * @return			FALSE if there is none
	 */
	bool (*read_edek)(ratkn_keyring_t *this, char *name, uint32_t version,
					  chunk_t *edek);

	/**
	 * Serial of the keyring.
	 *
	 * @return			serial
	 */
	int32_t (*get_serial)(ratkn_keyring_t *this);

	/**
	 * Destroy the object (the keyring stays).
	 */
	void (*destroy)(ratkn_keyring_t *this);
};

/**
 * Check a keyring name: 1..64 characters of [A-Za-z0-9._-].
 *
 * @param name			name
 * @return				TRUE if valid
 */
bool ratkn_keyring_name_valid(char *name);

/**
 * Open a named keyring linked into the user keyring (@u), creating it if
 * asked to.
 *
 * @param name			keyring name (its description)
 * @param create		whether to create it if it does not exist
 * @return				keyring, NULL if not found or on failure (logged if
 *						create)
 */
ratkn_keyring_t *ratkn_keyring_open(char *name, bool create);

#endif /** RATKN_KEYRING_H_ @}*/
