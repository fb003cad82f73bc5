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
 * @defgroup ratkn_pkcs11 ratkn_pkcs11
 * @{ @ingroup ratkn
 */

#ifndef RATKN_PKCS11_H_
#define RATKN_PKCS11_H_

#include <library.h>

/**
 * Length of the AES-GCM IV used with the CMK.
 */
#define RATKN_PKCS11_IV_LEN 12

/**
 * Length of the AES-GCM tag appended to ciphertexts of the CMK.
 */
#define RATKN_PKCS11_TAG_LEN 16

typedef struct ratkn_pkcs11_t ratkn_pkcs11_t;

/**
 * A logged-in session with a PKCS#11 token holding AES-256 master keys
 * (CMKs) that never leave it: generated in the token as CKA_TOKEN,
 * CKA_PRIVATE, CKA_SENSITIVE, not CKA_EXTRACTABLE, usable only for
 * CKM_AES_GCM encryption and decryption. Methods are thread-safe (one
 * session, serialized).
 */
struct ratkn_pkcs11_t {

	/**
	 * Check if a CMK with a label exists in the token.
	 *
	 * @param label		CKA_LABEL of the key
	 * @return			TRUE if exactly one secret key has that label
	 */
	bool (*has_key)(ratkn_pkcs11_t *this, char *label);

	/**
	 * Generate a new AES-256 CMK in the token.
	 *
	 * @param label		CKA_LABEL, must not exist yet
	 * @return			TRUE if generated (logged on failure)
	 */
	bool (*generate_key)(ratkn_pkcs11_t *this, char *label);

	/**
	 * Encrypt with a CMK inside the token (CKM_AES_GCM, 128-bit tag).
	 *
	 * @param label		CKA_LABEL of the CMK
	 * @param iv		IV, RATKN_PKCS11_IV_LEN octets
	 * @param aad		additional authenticated data
	 * @param plain		plaintext
	 * @param cipher	ciphertext | tag (allocated)
	 * @return			TRUE on success (logged on failure)
	 */
	bool (*encrypt)(ratkn_pkcs11_t *this, char *label, chunk_t iv,
					chunk_t aad, chunk_t plain, chunk_t *cipher);

	/**
	 * Decrypt with a CMK inside the token (CKM_AES_GCM, 128-bit tag).
	 *
	 * @param label		CKA_LABEL of the CMK
	 * @param iv		IV, RATKN_PKCS11_IV_LEN octets
	 * @param aad		additional authenticated data
	 * @param cipher	ciphertext | tag
	 * @param plain		plaintext (allocated; wipe with chunk_clear())
	 * @return			FALSE (logged) on failure, including a wrong tag
	 */
	bool (*decrypt)(ratkn_pkcs11_t *this, char *label, chunk_t iv,
					chunk_t aad, chunk_t cipher, chunk_t *plain);

	/**
	 * Get random octets from the token's RNG.
	 *
	 * @param len		number of octets
	 * @param out		random octets (allocated)
	 * @return			TRUE on success
	 */
	bool (*random)(ratkn_pkcs11_t *this, size_t len, chunk_t *out);

	/**
	 * Close the session, log out and unload the module.
	 */
	void (*destroy)(ratkn_pkcs11_t *this);
};

/**
 * Load a PKCS#11 module, find the token by its label and log in as user.
 *
 * @param module		path of the module (e.g. libsofthsm2.so)
 * @param token			token label
 * @param pin			user PIN
 * @return				session, NULL on failure (logged)
 */
ratkn_pkcs11_t *ratkn_pkcs11_create(char *module, char *token, char *pin);

#endif /** RATKN_PKCS11_H_ @}*/
