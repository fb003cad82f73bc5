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
 * @defgroup ratkn_keystore ratkn_keystore
 * @{ @ingroup ratkn
 */

#ifndef RATKN_KEYSTORE_H_
#define RATKN_KEYSTORE_H_

#include "ratkn_pkcs11.h"
#include "ratkn_kms_policy.h"

#include <library.h>

/**
 * Format octet of EDEKs (docs/kms.md).
 */
#define RATKN_EDEK_FORMAT 1

/**
 * Default length of generated keys.
 */
#define RATKN_KEY_DEFAULT_LEN 32

typedef enum ratkn_key_state_t ratkn_key_state_t;

/**
 * State of a key version.
 */
enum ratkn_key_state_t {
	/** current version: released and unwrapped */
	RATKN_KEY_ACTIVE = 1,
	/** replaced by a rotation: not released any more, its EDEKs still
	 *  unwrap (data encrypted under it stays readable) */
	RATKN_KEY_RETIRED = 2,
	/** revoked: never released or unwrapped again */
	RATKN_KEY_REVOKED = 3,
};

/**
 * Name of a key state ("active", "retired", "revoked").
 *
 * @param state		state
 * @return			static name
 */
char *ratkn_key_state_name(ratkn_key_state_t state);

typedef struct ratkn_key_info_t ratkn_key_info_t;

/**
 * Metadata of a key version (never the key).
 */
struct ratkn_key_info_t {

	/** key name */
	char *name;

	/** version, from 1 */
	uint32_t version;

	/** usage ("dek", "ppk", ...) */
	char *usage;

	/** state */
	ratkn_key_state_t state;

	/** creation time */
	time_t created;

	/** length of the key in octets */
	size_t len;
};

typedef struct ratkn_keystore_t ratkn_keystore_t;

/**
 * KMS key store: named, versioned keys kept as EDEKs (the key encrypted
 * inside a PKCS#11 token under the CMK) in SQLite, and the release grants.
 */
struct ratkn_keystore_t {

	/**
	 * Create the CMK in the token if it does not exist yet.
	 *
	 * @param created	set to TRUE if created now, FALSE if it existed
	 * @return			FALSE on failure (logged)
	 */
	bool (*init_cmk)(ratkn_keystore_t *this, bool *created);

	/**
	 * Create a new key, version 1.
	 *
	 * @param name		key name (ratkn_key_name_valid())
	 * @param usage		usage, [a-z0-9-], 1..32 characters
	 * @param key		key to import, chunk_empty to generate one with the
	 *					token's RNG
	 * @param len		length of a generated key (16..64)
	 * @return			FALSE if the name exists or on failure (logged)
	 */
	bool (*create)(ratkn_keystore_t *this, char *name, char *usage,
				   chunk_t key, size_t len);

	/**
	 * Rotate a key: a new version with the same usage and length becomes
	 * active, the active one retired.
	 *
	 * @param name		key name
	 * @param key		key to import, chunk_empty to generate one
	 * @param version	receives the new version
	 * @return			FALSE on failure (logged)
	 */
	bool (*rotate)(ratkn_keystore_t *this, char *name, chunk_t key,
				   uint32_t *version);

	/**
	 * Revoke a version of a key, or all of them.
	 *
	 * @param name		key name
	 * @param version	version, 0 for all versions
	 * @return			FALSE if no such key/version (logged)
	 */
	bool (*revoke)(ratkn_keystore_t *this, char *name, uint32_t version);

	/**
	 * Get the metadata of a version.
	 *
	 * @param name		key name
	 * @param version	version, 0 for the active one
	 * @param info		receives metadata (free with
	 *					ratkn_key_info_destroy())
	 * @return			FALSE if not found
	 */
	bool (*get_info)(ratkn_keystore_t *this, char *name, uint32_t version,
					 ratkn_key_info_t **info);

	/**
	 * Enumerate key versions (metadata), ordered by name and version.
	 *
	 * @param name		key name, NULL for all keys
	 * @return			enumerator over ratkn_key_info_t* (borrowed)
	 */
	enumerator_t *(*create_enumerator)(ratkn_keystore_t *this, char *name);

	/**
	 * Get a key for release: its EDEK is decrypted inside the token.
	 * Only active versions are returned.
	 *
	 * @param name		key name
	 * @param version	version, 0 for the active one
	 * @param info		receives metadata (optional; free with
	 *					ratkn_key_info_destroy())
	 * @param key		plaintext key (allocated; wipe with chunk_clear())
	 * @param edek		EDEK (allocated, optional)
	 * @return			FALSE if not found, not active or on failure
	 */
	bool (*get)(ratkn_keystore_t *this, char *name, uint32_t version,
				ratkn_key_info_t **info, chunk_t *key, chunk_t *edek);

	/**
	 * Decrypt an EDEK a node presents again (draft section 2.1): the
	 * version must exist with this EDEK and not be revoked.
	 *
	 * @param edek		EDEK
	 * @param info		receives metadata (optional; free with
	 *					ratkn_key_info_destroy())
	 * @param key		plaintext key (allocated; wipe with chunk_clear())
	 * @return			FALSE (logged) on failure
	 */
	bool (*decrypt_edek)(ratkn_keystore_t *this, chunk_t edek,
						 ratkn_key_info_t **info, chunk_t *key);

	/**
	 * Store a grant.
	 *
	 * @param grant		grant (its id is ignored)
	 * @param id		receives the id of the stored grant
	 * @return			FALSE if invalid (logged) or on failure
	 */
	bool (*add_grant)(ratkn_keystore_t *this, ratkn_kms_grant_t *grant,
					  u_int *id);

	/**
	 * Remove a grant.
	 *
	 * @param id		grant id
	 * @return			FALSE if there is no such grant
	 */
	bool (*remove_grant)(ratkn_keystore_t *this, u_int id);

	/**
	 * Build the release policy from the stored grants (in id order).
	 *
	 * @return			policy (owned), NULL on failure
	 */
	ratkn_kms_policy_t *(*create_policy)(ratkn_keystore_t *this);

	/**
	 * Destroy the store and the token session.
	 */
	void (*destroy)(ratkn_keystore_t *this);
};

/**
 * Destroy key metadata.
 *
 * @param info		metadata
 */
void ratkn_key_info_destroy(ratkn_key_info_t *info);

/**
 * Open (create) a key store.
 *
 * @param database		path of the SQLite database (created if missing,
 *						mode 0600)
 * @param token			token session holding the CMK (adopted), NULL to
 *						only list keys and manage grants
 * @param cmk			CKA_LABEL of the CMK
 * @return				key store, NULL on failure (logged; token destroyed)
 */
ratkn_keystore_t *ratkn_keystore_create(char *database, ratkn_pkcs11_t *token,
										char *cmk);

/**
 * Default PKCS#11 module, CMK label and database of the settings read by
 * ratkn_keystore_open().
 */
#define RATKN_KMS_DEFAULT_MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define RATKN_KMS_DEFAULT_CMK "ratkn-cmk"
#define RATKN_KMS_DEFAULT_DATABASE "/var/lib/ratkn/kms.db"

/**
 * Get a KMS setting of a settings section (module, token, pin, pin_file,
 * cmk, database), with the defaults above.
 *
 * @param section		settings section ("ratkn-kms", "charon.plugins.ratkn.kms")
 * @param key			setting
 * @return				value (borrowed), NULL if not set and no default
 */
char *ratkn_keystore_setting(char *section, char *key);

/**
 * Open the key store configured in a settings section (strongswan.conf
 * syntax, shared by ratkn-kms and charon, docs/kms.md): module, token,
 * pin_file or pin, cmk and database. Failures are logged (DBG_CFG).
 *
 * @param section		settings section
 * @param token			whether to log in to the token (needed for key
 *						material)
 * @param pin			PIN overriding pin_file and pin, NULL for none
 * @return				key store, NULL on failure
 */
ratkn_keystore_t *ratkn_keystore_open(char *section, bool token, char *pin);

#endif /** RATKN_KEYSTORE_H_ @}*/
