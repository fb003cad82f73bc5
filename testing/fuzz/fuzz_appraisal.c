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

/*
 * Target: appraisal of tpm2-quote evidence (docs/protocol.md, section 8)
 * beyond the signature check: the TPMS_ATTEST unmarshalling, the binding,
 * the quote's PCR selection and digest and the reference values.
 *
 * The input is RATKN_EVIDENCE notify data. As a fuzzer cannot forge TPM
 * signatures, the harness re-signs the QUOTE with its own software AK (which
 * the appraisal trusts) and rebuilds the evidence with that AK; everything
 * else comes from the input. The relying party's view (session and identity
 * hash) is the input's claim or, selected by a bit of the last input octet,
 * a different one; another bit of it spoils the reference values.
 */

#include "fuzz_common.h"

#include <ratkn_appraisal.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ratkn_appraisal_t *appraisal;
	ratkn_evidence_t *parsed, *evidence;
	ratkn_pcr_values_t *values, *copy;
	ratkn_reference_t *reference;
	enumerator_t *enumerator;
	ratkn_appraisal_status_t status;
	chunk_t input, signature, digest, session;
	uint8_t other[RATKN_HASH_LEN];
	char reason[256];
	u_int alg, pcr;
	bool first = TRUE;

	fuzz_init();
	if (!appraisal)
	{
		appraisal = ratkn_appraisal_create();
		appraisal->add_ak(appraisal, fuzz_ak_spki());
	}
	input = chunk_clone(chunk_create((u_char*)data, size));
	parsed = ratkn_evidence_parse(input);
	chunk_free(&input);
	if (!parsed)
	{
		return 0;
	}
	/* reference values: the first PCR value of the input, flipped if the
	 * last octet of the input is odd */
	reference = ratkn_reference_create();
	values = parsed->get_pcr_values(parsed);
	copy = ratkn_pcr_values_create();
	enumerator = values->create_enumerator(values);
	while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
	{
		copy->add(copy, alg, pcr, digest);
		if (first)
		{
			digest = chunk_clone(digest);
			digest.ptr[0] ^= data[size - 1] & 1;
			reference->add(reference, alg, pcr, digest);
			chunk_free(&digest);
			first = FALSE;
		}
	}
	enumerator->destroy(enumerator);
	appraisal->set_reference(appraisal, reference);

	signature = fuzz_ak_sign(parsed->get_quote(parsed));
	evidence = ratkn_evidence_create(parsed->get_role(parsed),
									 parsed->get_session_hash(parsed),
									 parsed->get_identity_hash(parsed),
									 parsed->get_quote(parsed), signature,
									 fuzz_ak_public(), copy);
	chunk_free(&signature);
	if (!evidence)
	{	/* a signature of another length might not fit, nothing else */
		parsed->destroy(parsed);
		return 0;
	}
	session = parsed->get_session_hash(parsed);
	if (data[size - 1] & 2)
	{
		memset(other, 0x5a, sizeof(other));
		session = chunk_from_thing(other);
	}
	status = appraisal->appraise(appraisal, evidence,
								 parsed->get_role(parsed), session,
								 parsed->get_identity_hash(parsed),
								 reason, sizeof(reason));
	if (status != RATKN_APPRAISAL_OK && !reason[0])
	{	/* failures must say why */
		abort();
	}
	if (status == RATKN_APPRAISAL_BAD_SIGNATURE ||
		status == RATKN_APPRAISAL_UNTRUSTED_AK)
	{	/* the harness signed it with the trusted AK */
		abort();
	}
	/* the wrong role is always refused */
	status = appraisal->appraise(appraisal, evidence,
						parsed->get_role(parsed) == RATKN_IKE_INITIATOR ?
							RATKN_IKE_RESPONDER : RATKN_IKE_INITIATOR,
						session, parsed->get_identity_hash(parsed),
						reason, sizeof(reason));
	if (status != RATKN_APPRAISAL_WRONG_ROLE)
	{
		abort();
	}
	evidence->destroy(evidence);
	parsed->destroy(parsed);
	return 0;
}
