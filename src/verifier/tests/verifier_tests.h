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
 * @defgroup verifier_tests verifier_tests
 * @{ @ingroup verifier
 */

#ifndef VERIFIER_TESTS_H_
#define VERIFIER_TESTS_H_

#include <check.h>
#include <time.h>
#include <library.h>

#include <ratkn_tpm.h>
#include <ratkn_types.h>

#include "verifier_store.h"

/**
 * Suite constructors, one per tests/suites/test_*.c file.
 */
Suite *store_suite_create();
Suite *key_suite_create();
Suite *challenge_suite_create();
Suite *appraiser_suite_create();
Suite *enroll_suite_create();
Suite *api_suite_create();
Suite *daemon_suite_create();

/**
 * Create a temporary directory.
 *
 * @return				path (allocated)
 */
char *vt_mkdtemp();

/**
 * Remove a directory tree and free its path.
 *
 * @param dir			path (freed)
 */
void vt_rmtree(char *dir);

/**
 * Write a file.
 *
 * @param path			file
 * @param fmt			printf-style content
 */
void vt_write(char *path, char *fmt, ...);

typedef struct vt_attester_t vt_attester_t;

/**
 * An attester on the TPM of the test case.
 */
struct vt_attester_t {
	/** TPM */
	ratkn_tpm_t *tpm;
	/** TPMT_PUBLIC of the AK */
	chunk_t ak_public;
	/** SPKI of the AK */
	chunk_t spki;
	/** fingerprint of the AK */
	char fpr[VERIFIER_FPR_LEN + 1];
	/** session and identity hash it binds by default */
	uint8_t session[RATKN_HASH_LEN], identity[RATKN_HASH_LEN];
};

/**
 * Create an attester with an AK on the fixture's TPM.
 *
 * @param rsa			RSA AK (at another handle) instead of ECC
 * @return				attester
 */
vt_attester_t *vt_attester_create(bool rsa);

/**
 * Create an attester with an AK on a TPM of its own.
 *
 * @param tcti			TCTI configuration of the TPM
 * @param rsa			RSA AK (at another handle) instead of ECC
 * @return				attester
 */
vt_attester_t *vt_attester_create_on(char *tcti, bool rsa);

/**
 * Destroy an attester.
 *
 * @param attester		attester
 */
void vt_attester_destroy(vt_attester_t *attester);

/**
 * Create evidence: a quote of PCRs bound to (role, session, identity) of the
 * attester.
 *
 * @param attester		attester
 * @param pcrs			PCR selection
 * @param role			IKE role
 * @return				RATKN_EVIDENCE notify data (allocated)
 */
chunk_t vt_evidence(vt_attester_t *attester, char *pcrs,
					ratkn_ike_role_t role);

/**
 * Create evidence as vt_evidence() does, but claiming another AK_PUBLIC.
 *
 * @param attester		attester
 * @param pcrs			PCR selection
 * @param role			IKE role
 * @param ak_public		TPMT_PUBLIC the evidence carries as AK_PUBLIC
 * @return				RATKN_EVIDENCE notify data (allocated)
 */
chunk_t vt_evidence_ak(vt_attester_t *attester, char *pcrs,
					   ratkn_ike_role_t role, chunk_t ak_public);

/**
 * The attester's AK_PUBLIC with the noDA attribute flipped: the same key
 * (same SubjectPublicKeyInfo, its quotes verify), but another TPM Name.
 *
 * @param attester		attester
 * @return				altered TPMT_PUBLIC (allocated)
 */
chunk_t vt_ak_public_no_da(vt_attester_t *attester);

/**
 * Create evidence bound to a verifier's challenge as well: the quote's
 * qualifyingData is the binding combined with the challenge, the evidence
 * has a CHALLENGE attribute.
 *
 * @param attester		attester
 * @param pcrs			PCR selection
 * @param role			IKE role
 * @param challenge		challenge to quote for
 * @param claimed		CHALLENGE attribute (usually the same)
 * @return				RATKN_EVIDENCE notify data (allocated)
 */
chunk_t vt_evidence_challenged(vt_attester_t *attester, char *pcrs,
							   ratkn_ike_role_t role, chunk_t challenge,
							   chunk_t claimed);

/**
 * Binding the evidence of vt_evidence() carries.
 *
 * @param attester		attester
 * @param role			IKE role
 * @param binding		binding
 */
void vt_binding(vt_attester_t *attester, ratkn_ike_role_t role,
				uint8_t binding[RATKN_HASH_LEN]);

/**
 * Current PCR values as reference values.
 *
 * @param attester		attester
 * @param pcrs			PCR selection
 * @return				array of verifier_ref_t*
 */
array_t *vt_current_refs(vt_attester_t *attester, char *pcrs);

/**
 * Write current PCR values as reference file (format of "ratkn pcrs").
 *
 * @param attester		attester
 * @param pcrs			PCR selection
 * @param path			file
 */
void vt_write_refs(vt_attester_t *attester, char *pcrs, char *path);

/**
 * Extend a SHA-256 PCR with the hash of a text (a changed measurement).
 *
 * @param attester		attester
 * @param pcr			PCR index
 * @param text			measured text
 */
void vt_extend(vt_attester_t *attester, u_int pcr, char *text);

/**
 * CA files of swtpm's local CA, which certifies the EKs of the fixture's
 * TPMs: the intermediate and the root certificate.
 *
 * @return				NULL-terminated list (static)
 */
char **vt_localca();

/**
 * Decode base64url (test helper, lenient about padding).
 *
 * @param str			encoded
 * @return				decoded (allocated)
 */
chunk_t vt_b64url_decode(const char *str);

/**
 * Encode base64url without padding.
 *
 * @param data			data
 * @return				encoded (allocated)
 */
char *vt_b64url_encode(chunk_t data);

#endif /** VERIFIER_TESTS_H_ @}*/
