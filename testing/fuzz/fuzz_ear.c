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
 * Target: an EAR attestation result (compact JWS) as received in
 * RATKN_RESULT or from a verifier: the JWS split, base64url and JOSE header
 * checks and the signature verification (docs/protocol.md, section 13.3),
 * with the key of data/ear-pub.pem.
 */

#include "fuzz_common.h"

#include <ratkn_ear.h>
#include <ratkn_types.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static chunk_t key;
	ratkn_ear_t *ear;
	char reason[256], *token;

	fuzz_init();
	if (!key.len)
	{
		key = fuzz_data("ear-pub.pem");
	}
	token = fuzz_strndup(data, size);
	ear = ratkn_ear_verify(token, key, FUZZ_NOW, reason, sizeof(reason));
	if (ear)
	{
		if (!streq(ear->get_token(ear), token) ||
			ear->get_claims(ear)->nonce.len != RATKN_HASH_LEN ||
			ear->get_claims(ear)->identity_hash.len != RATKN_HASH_LEN)
		{
			abort();
		}
		ear->destroy(ear);
	}
	else if (!reason[0])
	{
		abort();
	}
	free(token);
	return 0;
}
