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
 * Target: RATKN_EVIDENCE notify data as received in IKE_AUTH, or in a
 * POST /v1/attest of the verifier (docs/protocol.md, section 7): header,
 * attributes and the PCR_VALUES list. Whatever parses must build again.
 */

#include "fuzz_common.h"

#include <ratkn_evidence.h>

/**
 * Check that a borrowed chunk lies within the encoding
 */
static void check_within(chunk_t part, chunk_t encoding)
{
	if (part.len && (part.ptr < encoding.ptr ||
					 part.ptr + part.len > encoding.ptr + encoding.len))
	{
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ratkn_evidence_t *evidence, *rebuilt;
	ratkn_pcr_values_t *values, *copy;
	enumerator_t *enumerator;
	chunk_t input, encoding, digest;
	u_int alg, pcr;

	fuzz_init();
	input = chunk_clone(chunk_create((u_char*)data, size));
	evidence = ratkn_evidence_parse(input);
	chunk_free(&input);
	if (!evidence)
	{
		return 0;
	}
	encoding = evidence->get_encoding(evidence);
	check_within(evidence->get_session_hash(evidence), encoding);
	check_within(evidence->get_identity_hash(evidence), encoding);
	check_within(evidence->get_quote(evidence), encoding);
	check_within(evidence->get_signature(evidence), encoding);
	check_within(evidence->get_ak_public(evidence), encoding);

	values = evidence->get_pcr_values(evidence);
	copy = ratkn_pcr_values_create();
	enumerator = values->create_enumerator(values);
	while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
	{
		if (!copy->add(copy, alg, pcr, digest))
		{	/* accepted values must be valid values */
			abort();
		}
	}
	enumerator->destroy(enumerator);

	/* what a peer accepts, ratkn can send */
	rebuilt = ratkn_evidence_create(evidence->get_role(evidence),
									evidence->get_session_hash(evidence),
									evidence->get_identity_hash(evidence),
									evidence->get_quote(evidence),
									evidence->get_signature(evidence),
									evidence->get_ak_public(evidence), copy);
	if (!rebuilt ||
		rebuilt->get_pcr_values(rebuilt)->get_count(
								rebuilt->get_pcr_values(rebuilt)) !=
		values->get_count(values))
	{
		abort();
	}
	rebuilt->destroy(rebuilt);
	evidence->destroy(evidence);
	return 0;
}
