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
 * @defgroup ratkn_share ratkn_share
 * @{ @ingroup ratkn
 */

#ifndef RATKN_SHARE_H_
#define RATKN_SHARE_H_

#include "ratkn_types.h"

/**
 * Get the TPM curve (TPM_ECC_CURVE) of a ratkn group that a TPM-resident
 * share may use.
 *
 * @param group			IANA key exchange method number
 * @return				TPM2_ECC_NIST_P256 for 19, TPM2_ECC_NIST_P384 for 20,
 *						0 for groups a TPM share cannot have
 */
uint16_t ratkn_share_curve(uint16_t group);

/**
 * Check the public area of a TPM-resident ECDHE share and get its point: an
 * ECC key of the group's curve with name algorithm SHA-256, fixedTPM,
 * fixedParent, sensitiveDataOrigin and decrypt set, sign and restricted
 * clear, scheme NULL or ECDH.
 *
 * @param tpm_public	marshalled TPMT_PUBLIC
 * @param group			expected group (19 or 20)
 * @param point			X | Y, each left-padded to the field size, as in
 *						IKEv2's KE encoding (allocated)
 * @param reason		receives the reason on failure
 * @param len			size of reason
 * @return				TRUE if the key is a valid share
 */
bool ratkn_share_point(chunk_t tpm_public, uint16_t group, chunk_t *point,
					   char *reason, size_t len);

/**
 * Verify the certification of a TPM-resident ECDHE share
 * (docs/protocol.md, section 8): the share's public area is valid
 * (ratkn_share_point()) and its point is the attester's ratkn share; the
 * signature over the TPMS_ATTEST is by the AK; the TPMS_ATTEST is a
 * TPM-generated TPM_ST_ATTEST_CREATION (the TPM created the key) whose
 * extraData is the session binding and whose object name is the share's
 * name.
 *
 * The caller has already established that the AK is trusted (the quote's
 * appraisal).
 *
 * @param ak_public		marshalled TPMT_PUBLIC of the AK
 * @param tpm_public	marshalled TPMT_PUBLIC of the share
 * @param certify		marshalled TPMS_ATTEST of TPM2_CertifyCreation
 * @param signature		marshalled TPMT_SIGNATURE of the certification
 * @param binding		expected binding, RATKN_HASH_LEN octets
 * @param group			ratkn group of the attester's share
 * @param share			attester's share from its RATKN_NEGOTIATE
 * @param reason		receives the reason on failure
 * @param len			size of reason
 * @return				TRUE if the certification is valid
 */
bool ratkn_share_verify(chunk_t ak_public, chunk_t tpm_public, chunk_t certify,
						chunk_t signature, chunk_t binding, uint16_t group,
						chunk_t share, char *reason, size_t len);

#endif /** RATKN_SHARE_H_ @}*/
