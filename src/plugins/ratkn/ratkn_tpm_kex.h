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
 * @defgroup ratkn_tpm_kex ratkn_tpm_kex
 * @{ @ingroup ratkn
 */

#ifndef RATKN_TPM_KEX_H_
#define RATKN_TPM_KEX_H_

#include "ratkn_kex.h"
#include "ratkn_tpm.h"

typedef struct ratkn_tpm_kex_t ratkn_tpm_kex_t;

/**
 * A TPM-resident ECDHE share: a ratkn_kex_t whose private key never leaves
 * the TPM (TPM2_ECDH_ZGen), and whose creation by the TPM the AK certifies
 * (TPM2_CertifyCreation).
 *
 * The key is a primary key of the TPM's null hierarchy derived from secret
 * entropy held by this object; each operation derives it again and flushes
 * it, so concurrent shares occupy no TPM object slots. A TPM reset destroys
 * the key (operations then fail).
 */
struct ratkn_tpm_kex_t {

	/**
	 * Key exchange interface (compute() and unwrap() use the TPM).
	 */
	ratkn_kex_t kex;

	/**
	 * Public area of the key in the TPM (borrowed).
	 *
	 * @return			marshalled TPMT_PUBLIC
	 */
	chunk_t (*get_tpm_public)(ratkn_tpm_kex_t *this);

	/**
	 * Certify the key's creation with the AK (TPM2_CertifyCreation).
	 *
	 * @param qualifying	qualifyingData, the session binding
	 * @param certify		marshalled TPMS_ATTEST (allocated)
	 * @param signature		marshalled TPMT_SIGNATURE (allocated)
	 * @return				TRUE if successful
	 */
	bool (*certify)(ratkn_tpm_kex_t *this, chunk_t qualifying,
					chunk_t *certify, chunk_t *signature);
};

/**
 * Create a TPM-resident ECDHE share.
 *
 * @param tpm			TPM (borrowed, must outlive the object)
 * @param group			19 (P-256) or 20 (P-384)
 * @return				share, NULL on failure (logged)
 */
ratkn_tpm_kex_t *ratkn_tpm_kex_create(ratkn_tpm_t *tpm, uint16_t group);

#endif /** RATKN_TPM_KEX_H_ @}*/
