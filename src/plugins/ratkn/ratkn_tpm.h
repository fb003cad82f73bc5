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
 * @defgroup ratkn_tpm ratkn_tpm
 * @{ @ingroup ratkn
 */

#ifndef RATKN_TPM_H_
#define RATKN_TPM_H_

#include "ratkn_pcr.h"

/**
 * Default persistent handle of the ratkn attestation key.
 */
#define RATKN_TPM_AK_HANDLE 0x81010002

/**
 * Default TCTI configuration (tctildr "name:conf" syntax).
 */
#define RATKN_TPM_TCTI "device:/dev/tpmrm0"

typedef enum ratkn_ak_type_t ratkn_ak_type_t;

/**
 * Key types of attestation keys ratkn creates.
 */
enum ratkn_ak_type_t {
	/** ECC NIST P-256, ECDSA with SHA-256 */
	RATKN_AK_ECC = 1,
	/** RSA 2048, RSASSA-PKCS1-v1_5 with SHA-256 */
	RATKN_AK_RSA = 2,
};

typedef struct ratkn_tpm_t ratkn_tpm_t;

/**
 * A TPM 2.0 accessed through libtss2 ESAPI.
 *
 * The object owns the TCTI and ESYS contexts and serializes all commands with
 * a mutex, so it may be shared between threads. Transient objects are flushed
 * after use (no resource manager is assumed). When a command fails because the
 * connection to the TPM broke, the contexts are re-created once and the
 * command is retried.
 */
struct ratkn_tpm_t {

	/**
	 * Create a TPM2_Quote with the attestation key.
	 *
	 * The PCR values are read right after the quote; if they do not match
	 * the quote's PCR digest (a PCR was extended in between), quoting is
	 * retried a few times.
	 *
	 * The AK is loaded once per connection to the TPM (TPM2_Quote and
	 * TPM2_PCR_Read per quote). If the TPM rejects its handle or another key
	 * signed the quote (qualifiedSigner differs from the first quote of the
	 * connection), the AK is loaded again and the quote repeated.
	 *
	 * @param sel			PCRs to quote
	 * @param qualifying	qualifyingData (at most sizeof(TPMU_HA) octets)
	 * @param quote			TPMS_ATTEST, marshalled (allocated)
	 * @param signature		TPMT_SIGNATURE, marshalled (allocated)
	 * @param values		PCR values in selection order (created)
	 * @return				TRUE if successful
	 */
	bool (*quote)(ratkn_tpm_t *this, ratkn_pcr_selection_t *sel,
				  chunk_t qualifying, chunk_t *quote, chunk_t *signature,
				  ratkn_pcr_values_t **values);

	/**
	 * Get the public area of the attestation key.
	 *
	 * It is read from the TPM once per connection, with the AK used by
	 * quote(); call this after quote() to get the key that signed the quote.
	 *
	 * @param ak_public		TPMT_PUBLIC, marshalled (allocated)
	 * @return				TRUE if the AK exists
	 */
	bool (*get_ak_public)(ratkn_tpm_t *this, chunk_t *ak_public);

	/**
	 * Create the attestation key and make it persistent at the configured
	 * handle: a restricted signing primary key in the endorsement hierarchy.
	 *
	 * @param type			key type
	 * @param force			replace an existing key at the handle
	 * @param ak_public		TPMT_PUBLIC of the (new or existing) key, allocated
	 * @return				TRUE if successful (also if a key existed and
	 *						force is FALSE)
	 */
	bool (*create_ak)(ratkn_tpm_t *this, ratkn_ak_type_t type, bool force,
					  chunk_t *ak_public);

	/**
	 * Read PCR values.
	 *
	 * @param sel			PCRs to read
	 * @param values		values in selection order (created)
	 * @return				TRUE if successful
	 */
	bool (*read_pcrs)(ratkn_tpm_t *this, ratkn_pcr_selection_t *sel,
					  ratkn_pcr_values_t **values);

	/**
	 * Extend a PCR with a digest.
	 *
	 * @param alg			TPM_ALG_ID of the bank
	 * @param pcr			PCR index
	 * @param digest		digest to extend (length of the bank)
	 * @return				TRUE if successful
	 */
	bool (*extend)(ratkn_tpm_t *this, uint16_t alg, u_int pcr, chunk_t digest);

	/**
	 * Read the EK certificate from its NV index (TCG EK credential profile:
	 * 0x01c00002 RSA 2048, 0x01c0000a ECC P-256, the first found) and the
	 * public area of the matching EK: persistent at 0x81010001 / 0x81010002
	 * per the TCG provisioning guidance if it matches the certificate (a
	 * handle that is our AK handle is skipped), else created from the
	 * default template and flushed.
	 *
	 * @param ek_cert		DER EK certificate (allocated)
	 * @param ek_public		marshalled TPMT_PUBLIC of the EK (allocated)
	 * @return				TRUE if successful
	 */
	bool (*get_ek)(ratkn_tpm_t *this, chunk_t *ek_cert, chunk_t *ek_public);

	/**
	 * TPM2_ActivateCredential: recover a secret protected with
	 * ratkn_credential_make() for the AK, using the EK (authorized with a
	 * PolicySecret(TPM_RH_ENDORSEMENT) session).
	 *
	 * @param blob			TPM2B_ID_OBJECT, marshalled
	 * @param encrypted		TPM2B_ENCRYPTED_SECRET, marshalled
	 * @param secret		recovered secret (allocated; wipe it)
	 * @return				TRUE if successful
	 */
	bool (*activate_credential)(ratkn_tpm_t *this, chunk_t blob,
								chunk_t encrypted, chunk_t *secret);

	/**
	 * Create an ECDH key in the TPM: a primary key of the null hierarchy
	 * (TPM2_CreatePrimary, fixedTPM, fixedParent, sensitiveDataOrigin,
	 * decrypt, not sign) derived from the null seed and the given entropy,
	 * which goes into the template's unique field. The key is flushed right
	 * away; ecdh_zgen() and certify_ecdh() derive it again from the same
	 * entropy, so no TPM object slot stays occupied between commands. The
	 * private key never leaves the TPM; it is lost when the TPM is reset.
	 *
	 * @param curve			TPM2_ECC_NIST_P256 or TPM2_ECC_NIST_P384
	 * @param entropy		secret entropy (at most 32 octets)
	 * @param tpm_public	TPMT_PUBLIC of the key, marshalled (allocated)
	 * @return				TRUE if successful
	 */
	bool (*create_ecdh)(ratkn_tpm_t *this, uint16_t curve, chunk_t entropy,
						chunk_t *tpm_public);

	/**
	 * TPM2_ECDH_ZGen: the shared point of a key made with create_ecdh() and
	 * a peer's public point (the TPM checks that it is on the curve).
	 *
	 * @param tpm_public	TPMT_PUBLIC create_ecdh() returned; the key is
	 *						derived again and must match it
	 * @param entropy		entropy given to create_ecdh()
	 * @param point			peer's point, X | Y (field size each)
	 * @param z				X coordinate of the shared point, field size
	 *						(allocated; wipe with chunk_clear())
	 * @return				TRUE if successful
	 */
	bool (*ecdh_zgen)(ratkn_tpm_t *this, chunk_t tpm_public, chunk_t entropy,
					  chunk_t point, chunk_t *z);

	/**
	 * Certify a key made with create_ecdh() with the AK: TPM2_CertifyCreation
	 * with the creation ticket of the key's derivation, which proves that
	 * this TPM created the key (TPM2_Certify would also certify a public
	 * key loaded with TPM2_LoadExternal).
	 *
	 * @param tpm_public	TPMT_PUBLIC create_ecdh() returned; the key is
	 *						derived again and must match it
	 * @param entropy		entropy given to create_ecdh()
	 * @param qualifying	qualifyingData (at most sizeof(TPMU_HA) octets)
	 * @param attest		TPMS_ATTEST of type TPM_ST_ATTEST_CREATION,
	 *						marshalled (allocated)
	 * @param signature		TPMT_SIGNATURE by the AK, marshalled (allocated)
	 * @return				TRUE if successful
	 */
	bool (*certify_ecdh)(ratkn_tpm_t *this, chunk_t tpm_public,
						 chunk_t entropy, chunk_t qualifying, chunk_t *attest,
						 chunk_t *signature);

	/**
	 * Bound the time the TPM may take to answer a command.
	 *
	 * With a timeout, the TCTI's blocking calls run in a thread of their own
	 * (see ratkn_tcti_t). A command that times out fails (closed); until the
	 * TPM answers it after all, further commands fail at once instead of
	 * waiting again. Set it before the first command.
	 *
	 * @param timeout		timeout of each command in ms, 0 to wait forever
	 *						(the default)
	 */
	void (*set_timeout)(ratkn_tpm_t *this, u_int timeout);

	/**
	 * Destroy the object, closing the connection to the TPM.
	 */
	void (*destroy)(ratkn_tpm_t *this);
};

/**
 * Create a TPM object. Connecting happens lazily on the first command.
 *
 * @param tcti			tctildr configuration, e.g. "device:/dev/tpmrm0" or
 *						"swtpm:host=127.0.0.1,port=2321"; NULL for default
 * @param ak_handle		persistent handle of the AK, 0 for default
 * @return				TPM object
 */
ratkn_tpm_t *ratkn_tpm_create(char *tcti, uint32_t ak_handle);

#endif /** RATKN_TPM_H_ @}*/
