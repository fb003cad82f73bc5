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

#include "ratkn_base64url.h"

/*
 * Described in header
 */
char *ratkn_base64url_encode(chunk_t data)
{
	chunk_t b64;
	char *out;
	size_t i, len;

	b64 = chunk_to_base64(data, NULL);
	out = malloc(b64.len + 1);
	for (i = 0, len = 0; i < b64.len && b64.ptr[i] != '='; i++)
	{
		switch (b64.ptr[i])
		{
			case '+':
				out[len++] = '-';
				break;
			case '/':
				out[len++] = '_';
				break;
			default:
				out[len++] = b64.ptr[i];
				break;
		}
	}
	out[len] = '\0';
	chunk_free(&b64);
	return out;
}

/**
 * Value of a base64url character, -1 if not in the alphabet
 */
static int b64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
	{
		return c - 'A';
	}
	if (c >= 'a' && c <= 'z')
	{
		return c - 'a' + 26;
	}
	if (c >= '0' && c <= '9')
	{
		return c - '0' + 52;
	}
	return c == '-' ? 62 : c == '_' ? 63 : -1;
}

/*
 * Described in header
 */
bool ratkn_base64url_char(char c)
{
	return b64url_value(c) >= 0;
}

/*
 * Described in header
 */
bool ratkn_base64url_decode(const char *str, size_t len, chunk_t *out)
{
	uint32_t acc = 0;
	int bits = 0, value;
	size_t i, pos = 0;

	if (len % 4 == 1)
	{
		return FALSE;
	}
	*out = chunk_alloc(len * 3 / 4);
	for (i = 0; i < len; i++)
	{
		value = b64url_value(str[i]);
		if (value < 0)
		{	/* may hold a part of a secret */
			chunk_clear(out);
			return FALSE;
		}
		acc = (acc << 6) | value;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			out->ptr[pos++] = (acc >> bits) & 0xff;
		}
	}
	if (bits && (acc & ((1 << bits) - 1)))
	{	/* non-canonical encoding */
		chunk_clear(out);
		return FALSE;
	}
	out->len = pos;
	acc = 0;
	return TRUE;
}
