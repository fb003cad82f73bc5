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
 * Target: enrollment credentials as received by the verifier in a
 * POST /v1/enroll (docs/verifier.md). The first input octet selects:
 * even: the rest is an EK certificate (DER), checked against the CA
 * certificates of data/ (those of the seed generator's swtpm), and if
 * trusted, a credential is made for its key;
 * odd: the second octet is the length of a TPM name that follows, the rest
 * is an EK SubjectPublicKeyInfo for TPM2_MakeCredential.
 */

#include "fuzz_common.h"

#include <ratkn_credential.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char issuer[PATH_MAX], root[PATH_MAX];
	static char *ca[] = { issuer, root, NULL };
	uint8_t secret[32] = { 0x17 }, name_data[34] = { 0x00, 0x0b };
	chunk_t input, spki = chunk_empty, name, blob, encrypted;
	char reason[256];
	size_t len;

	fuzz_init();
	if (!issuer[0])
	{
		snprintf(issuer, sizeof(issuer), "%s",
				 fuzz_data_path("ek-ca-issuer.pem"));
		snprintf(root, sizeof(root), "%s", fuzz_data_path("ek-ca-root.pem"));
	}
	if (size < 2)
	{
		return 0;
	}
	if (data[0] & 1)
	{
		len = min(data[1], size - 2);
		name = chunk_clone(chunk_create((u_char*)data + 2, len));
		input = chunk_clone(chunk_create((u_char*)data + 2 + len,
										 size - 2 - len));
		if (ratkn_credential_make(input, name, chunk_from_thing(secret),
								  &blob, &encrypted))
		{
			chunk_free(&blob);
			chunk_free(&encrypted);
		}
		chunk_free(&name);
	}
	else
	{
		input = chunk_clone(chunk_create((u_char*)data + 1, size - 1));
		if (ratkn_credential_check_ek(input, ca, &spki, reason,
									  sizeof(reason)))
		{
			if (!ratkn_credential_make(spki, chunk_from_thing(name_data),
									   chunk_from_thing(secret), &blob,
									   &encrypted))
			{	/* a trusted EK of a supported type works */
				abort();
			}
			chunk_free(&blob);
			chunk_free(&encrypted);
			chunk_free(&spki);
		}
	}
	chunk_free(&input);
	return 0;
}
