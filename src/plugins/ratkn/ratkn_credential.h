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
 * @defgroup ratkn_credential ratkn_credential
 * @{ @ingroup ratkn
 */

#ifndef RATKN_CREDENTIAL_H_
#define RATKN_CREDENTIAL_H_

#include <library.h>

/**
 * Compute the TPM name of a public area: nameAlg (2 octets) | H(TPMT_PUBLIC).
 *
 * @param tpmt_public	marshalled TPMT_PUBLIC
 * @param name			name (allocated)
 * @return				FALSE if the public area is invalid
 */
bool ratkn_credential_name(chunk_t tpmt_public, chunk_t *name);

/**
 * TPM2_MakeCredential in software (TPM 2.0 Part 1, 24): protect a secret so
 * that only the TPM holding the EK can recover it with TPM2_ActivateCredential,
 * and only for the object with the given name loaded in that TPM.
 *
 * Supports EKs of the TCG default templates: RSA 2048 (L-1: OAEP, AES-128 CFB,
 * SHA-256) and ECC NIST P-256 (L-2: ECDH, AES-128 CFB, SHA-256).
 *
 * @param ek_spki		DER SubjectPublicKeyInfo of the EK
 * @param name			name of the object (the AK) to bind to
 * @param secret		secret to protect (at most 32 octets)
 * @param blob			TPM2B_ID_OBJECT, marshalled (allocated)
 * @param encrypted		TPM2B_ENCRYPTED_SECRET, marshalled (allocated)
 * @return				FALSE (and logged) on error
 */
bool ratkn_credential_make(chunk_t ek_spki, chunk_t name, chunk_t secret,
						   chunk_t *blob, chunk_t *encrypted);

/**
 * Verify an EK certificate against trusted CA certificates (TPM
 * manufacturer CAs) and return its public key.
 *
 * @param ek_cert		DER EK certificate
 * @param ca_files		NULL-terminated list of PEM files with trusted CAs
 *						(intermediate and root)
 * @param ek_spki		DER SubjectPublicKeyInfo of the EK (allocated)
 * @param reason		receives the reason on failure
 * @param len			size of reason
 * @return				TRUE if the certificate chains to a trusted CA
 */
bool ratkn_credential_check_ek(chunk_t ek_cert, char **ca_files,
							   chunk_t *ek_spki, char *reason, size_t len);

#endif /** RATKN_CREDENTIAL_H_ @}*/
