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
 * attributes, the PCR_VALUES list and the optional certification of a
 * TPM-resident share. Whatever parses must build again, with the same
 * share certification.
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

/**
 * Check that two chunks have the same content, both may be empty
 */
static bool same(chunk_t a, chunk_t b)
{
	return a.len == b.len && (!a.len || memeq(a.ptr, b.ptr, a.len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ratkn_evidence_t *evidence, *rebuilt;
	ratkn_pcr_values_t *values, *copy;
	enumerator_t *enumerator;
	chunk_t input, encoding, digest;
	chunk_t share_public, share_certify, share_signature;
	chunk_t rebuilt_public, rebuilt_certify, rebuilt_signature;
	bool certified;
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
	certified = evidence->get_share_cert(evidence, &share_public,
										 &share_certify, &share_signature);
	check_within(share_public, encoding);
	check_within(share_certify, encoding);
	check_within(share_signature, encoding);
	if (certified != (share_public.len != 0) ||
		certified != (share_certify.len != 0) ||
		certified != (share_signature.len != 0))
	{	/* all three or none */
		abort();
	}

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
	rebuilt = ratkn_evidence_create_certified(evidence->get_role(evidence),
									evidence->get_session_hash(evidence),
									evidence->get_identity_hash(evidence),
									evidence->get_quote(evidence),
									evidence->get_signature(evidence),
									evidence->get_ak_public(evidence), copy,
									share_public, share_certify,
									share_signature, chunk_empty);
	if (!rebuilt ||
		rebuilt->get_pcr_values(rebuilt)->get_count(
								rebuilt->get_pcr_values(rebuilt)) !=
		values->get_count(values))
	{
		abort();
	}
	/* with the same certification of the share, or none */
	if (rebuilt->get_share_cert(rebuilt, &rebuilt_public, &rebuilt_certify,
								&rebuilt_signature) != certified ||
		!same(rebuilt_public, share_public) ||
		!same(rebuilt_certify, share_certify) ||
		!same(rebuilt_signature, share_signature))
	{
		abort();
	}
	rebuilt->destroy(rebuilt);
	evidence->destroy(evidence);
	return 0;
}
