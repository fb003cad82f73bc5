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
 * @defgroup verifier_key verifier_key
 * @{ @ingroup verifier
 */

#ifndef VERIFIER_KEY_H_
#define VERIFIER_KEY_H_

#include <library.h>

typedef struct verifier_key_t verifier_key_t;

/**
 * The EC P-256 key the verifier signs EARs with.
 */
struct verifier_key_t {

	/**
	 * PEM of the private key (borrowed, NUL-terminated).
	 *
	 * @return			PEM
	 */
	chunk_t (*get_private)(verifier_key_t *this);

	/**
	 * PEM of the public key, SubjectPublicKeyInfo (borrowed,
	 * NUL-terminated).
	 *
	 * @return			PEM
	 */
	chunk_t (*get_public)(verifier_key_t *this);

	/**
	 * Public key as JWK (RFC 7517) with "kid" the RFC 7638 thumbprint.
	 *
	 * @return			JSON text (borrowed)
	 */
	char *(*get_jwk)(verifier_key_t *this);

	/**
	 * RFC 7638 JWK thumbprint (SHA-256, base64url).
	 *
	 * @return			thumbprint (borrowed)
	 */
	char *(*get_kid)(verifier_key_t *this);

	/**
	 * Destroy the key, wiping the private key.
	 */
	void (*destroy)(verifier_key_t *this);
};

/**
 * Load the signing key from a PEM file (PKCS#8 or SEC1).
 *
 * @param path			file
 * @return				key, NULL (logged) if missing or not EC P-256
 */
verifier_key_t *verifier_key_load(char *path);

/**
 * Generate a signing key and write it as PKCS#8 PEM with mode 0600.
 *
 * @param path			file, must not exist
 * @return				FALSE (logged) on error or if the file exists
 */
bool verifier_key_generate(char *path);

#endif /** VERIFIER_KEY_H_ @}*/
