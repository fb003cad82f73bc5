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
 * Target: RATKN_NEGOTIATE notify data as received in IKE_SA_INIT
 * (docs/protocol.md, section 4).
 */

#include "fuzz_common.h"

#include <ratkn_negotiate.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ratkn_negotiate_t *negotiate;
	ratkn_model_t models[RATKN_MAX_MODELS];
	chunk_t input, share, nonce;
	char reason[128] = "";
	int count, i;

	fuzz_init();
	input = chunk_clone(chunk_create((u_char*)data, size));
	negotiate = ratkn_negotiate_parse(input, reason, sizeof(reason));
	chunk_free(&input);
	if (!negotiate)
	{
		if (!reason[0])
		{	/* failures must say why */
			abort();
		}
		return 0;
	}
	if (!negotiate->get_version(negotiate) ||
		!chunk_equals(negotiate->get_encoding(negotiate),
					  chunk_create((u_char*)data, size)))
	{
		abort();
	}
	share = negotiate->get_share(negotiate);
	nonce = negotiate->get_nonce(negotiate);
	if ((negotiate->get_group(negotiate) == 0) != (share.len == 0) ||
		((negotiate->get_flags(negotiate) & RATKN_FLAG_VERIFY) &&
		 (nonce.len < RATKN_NONCE_MIN || nonce.len > RATKN_NONCE_MAX)))
	{
		abort();
	}
	negotiate->has_format(negotiate, RATKN_FORMAT_TPM2_QUOTE);
	count = negotiate->get_models(negotiate, models);
	if (count < 1 || count > RATKN_MAX_MODELS)
	{
		abort();
	}
	for (i = 0; i < count; i++)
	{
		DBG3(DBG_IKE, "model %d", models[i]);
	}
	DBG3(DBG_IKE, "share %B nonce %B", &share, &nonce);
	negotiate->destroy(negotiate);
	return 0;
}
