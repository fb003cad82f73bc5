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
 * Target: RATKN_KEYS notify data as an attester receives it in the KMS's
 * IKE_AUTH response (docs/protocol.md section 14, docs/kms.md), and each
 * release in it unwrapped as a JWE with a fixed recipient key and binding.
 */

#include "fuzz_common.h"

#include <ratkn_keys.h>
#include <ratkn_jwe.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ratkn_jwe_key_t *key;
	ratkn_keys_t *keys;
	enumerator_t *enumerator;
	chunk_t input, priv, pub;
	char reason[128] = "", *release;
	int count = 0;

	fuzz_init();
	input = chunk_clone(chunk_create((u_char*)data, size));
	keys = ratkn_keys_parse(input, reason, sizeof(reason));
	chunk_free(&input);
	if (!keys)
	{
		if (!reason[0])
		{	/* every refusal names its reason */
			abort();
		}
		return 0;
	}
	priv = fuzz_kms_recipient(&pub);
	enumerator = keys->create_enumerator(keys);
	while (enumerator->enumerate(enumerator, &release))
	{
		count++;
		reason[0] = '\0';
		key = ratkn_jwe_unwrap(release, 19, priv, pub, fuzz_kms_binding(),
							   FUZZ_NOW, reason, sizeof(reason));
		if (key)
		{
			if (!ratkn_key_name_valid(key->get_claims(key)->name))
			{
				abort();
			}
			key->destroy(key);
		}
		else if (!reason[0])
		{
			abort();
		}
	}
	enumerator->destroy(enumerator);
	if (count != keys->get_count(keys) || count < 1 || count > RATKN_KEYS_MAX)
	{
		abort();
	}
	keys->destroy(keys);
	return 0;
}
