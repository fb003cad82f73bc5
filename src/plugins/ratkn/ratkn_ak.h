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
 * @defgroup ratkn_ak ratkn_ak
 * @{ @ingroup ratkn
 */

#ifndef RATKN_AK_H_
#define RATKN_AK_H_

#include <library.h>

/**
 * Convert the marshalled TPMT_PUBLIC of an attestation key to a DER encoded
 * SubjectPublicKeyInfo. Only keys usable as AK are accepted: restricted
 * signing ECC (NIST P-256/P-384) or RSA keys with fixedTPM, fixedParent and
 * sensitiveDataOrigin set.
 *
 * @param tpmt_public	marshalled TPMT_PUBLIC
 * @param spki			DER SubjectPublicKeyInfo (allocated)
 * @return				FALSE (and logged) if not a valid AK public area
 */
bool ratkn_ak_spki_from_tpm(chunk_t tpmt_public, chunk_t *spki);

/**
 * Maximum length of a TPM Name of the hash algorithms supported (SHA-512).
 */
#define RATKN_AK_NAME_MAX (2 + 64)

/**
 * Compute the TPM Name of an object from its marshalled TPMT_PUBLIC:
 * nameAlg (2 octets, network order) followed by the nameAlg hash of the
 * TPMT_PUBLIC. Unlike a public key hash, the Name covers the object's
 * attributes and policy.
 *
 * @param tpmt_public	marshalled TPMT_PUBLIC
 * @param name			Name (allocated)
 * @return				FALSE if not a TPMT_PUBLIC or its nameAlg is not
 *						SHA-1, SHA-256, SHA-384 or SHA-512
 */
bool ratkn_ak_name(chunk_t tpmt_public, chunk_t *name);

/**
 * Parse a TPM Name written in hex (as "tpm2_readpublic" and "ratkn ak show
 * --name" print it, an optional "0x" prefix and colons allowed).
 *
 * @param str			hex string
 * @param name			Name (allocated)
 * @return				FALSE if not a Name of a supported hash algorithm
 */
bool ratkn_ak_name_from_hex(char *str, chunk_t *name);

/**
 * Load a PEM (or DER) encoded public key from a file.
 *
 * @param path			file
 * @param spki			DER SubjectPublicKeyInfo (allocated)
 * @return				FALSE (and logged) on error
 */
bool ratkn_ak_load(char *path, chunk_t *spki);

/**
 * Write a public key as PEM.
 *
 * @param spki			DER SubjectPublicKeyInfo
 * @param pem			PEM text, allocated and NUL-terminated (len excludes NUL)
 * @return				FALSE on error
 */
bool ratkn_ak_to_pem(chunk_t spki, chunk_t *pem);

/**
 * Verify a TPM signature over data with a public key.
 *
 * Supports TPMT_SIGNATURE with ECDSA (SHA-256) and RSASSA (SHA-256).
 *
 * @param spki			DER SubjectPublicKeyInfo of the key
 * @param data			signed data (the marshalled TPMS_ATTEST)
 * @param signature		marshalled TPMT_SIGNATURE
 * @return				TRUE if the signature is valid
 */
bool ratkn_ak_verify(chunk_t spki, chunk_t data, chunk_t signature);

#endif /** RATKN_AK_H_ @}*/
