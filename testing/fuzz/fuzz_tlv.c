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
 * Target: the TLV attribute parser shared by all notify codecs
 * (docs/protocol.md, section 4). The first input octet selects which of the
 * rules are required, the rest are the attributes.
 */

#include "fuzz_common.h"

#include <ratkn_tlv.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ratkn_tlv_rule_t rules[] = {
		{ 1, "ONE", 1, 0xffff, FALSE },
		{ 2, "TWO", 16, 64, FALSE },
		{ 3, "THREE", 2, 32, FALSE },
		{ 4, "FOUR", 0, 0, FALSE },
		{ 0xffff, "LAST", 0, 0xffff, FALSE },
	};
	static volatile uint8_t sink;
	chunk_t input, value;
	char reason[64] = "";
	uint8_t sum = 0;
	int i;
	size_t j;

	fuzz_init();
	if (!size)
	{
		return 0;
	}
	for (i = 0; i < countof(rules); i++)
	{
		rules[i].required = (data[0] >> i) & 1;
	}
	/* a private copy, so ASan catches reads beyond the input */
	input = chunk_clone(chunk_create((u_char*)data + 1, size - 1));
	if (ratkn_tlv_parse(input, rules, countof(rules), reason, sizeof(reason)))
	{
		for (i = 0; i < countof(rules); i++)
		{
			value = rules[i].value;
			if (rules[i].required && !rules[i].present)
			{
				abort();
			}
			if (rules[i].present &&
				(value.len < rules[i].min || value.len > rules[i].max ||
				 (value.len && (value.ptr < input.ptr ||
						value.ptr + value.len > input.ptr + input.len))))
			{
				abort();
			}
			for (j = 0; j < value.len; j++)
			{
				sum ^= value.ptr[j];
			}
		}
	}
	else if (!reason[0])
	{	/* failures must say why */
		abort();
	}
	sink = sum;
	chunk_free(&input);
	return 0;
}
