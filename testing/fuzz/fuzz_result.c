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
 * Target: RATKN_RESULT notify data as received in IKE_AUTH
 * (docs/protocol.md, section 13.2).
 */

#include "fuzz_common.h"

#include <ratkn_result.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ratkn_result_t *result;
	chunk_t input;
	char reason[128] = "", *token;

	fuzz_init();
	input = chunk_clone(chunk_create((u_char*)data, size));
	result = ratkn_result_parse(input, reason, sizeof(reason));
	chunk_free(&input);
	if (!result)
	{
		if (!reason[0])
		{
			abort();
		}
		return 0;
	}
	token = result->get_token(result);
	if (!token || strlen(token) < RATKN_RESULT_TOKEN_MIN ||
		strlen(token) > RATKN_RESULT_TOKEN_MAX ||
		!chunk_equals(result->get_encoding(result),
					  chunk_create((u_char*)data, size)))
	{
		abort();
	}
	result->destroy(result);
	return 0;
}
