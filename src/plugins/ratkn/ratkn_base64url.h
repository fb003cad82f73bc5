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

/**
 * @defgroup ratkn_base64url ratkn_base64url
 * @{ @ingroup ratkn
 */

#ifndef RATKN_BASE64URL_H_
#define RATKN_BASE64URL_H_

#include <library.h>

/**
 * Encode binary data as base64url without padding (RFC 4648 §5, as used by
 * JOSE).
 *
 * @param data			data
 * @return				encoding (allocated, NUL-terminated)
 */
char *ratkn_base64url_encode(chunk_t data);

/**
 * Decode base64url without padding, strictly: only the URL-safe alphabet,
 * no padding, no whitespace, unused trailing bits zero (so every value has
 * exactly one accepted encoding). Partial output is wiped on failure, so
 * the function may decode secrets.
 *
 * @param str			encoded data
 * @param len			length of str
 * @param out			decoded data (allocated), on success
 * @return				TRUE if str is a canonical base64url encoding
 */
bool ratkn_base64url_decode(const char *str, size_t len, chunk_t *out);

/**
 * Check whether a character belongs to the base64url alphabet.
 *
 * @param c				character
 * @return				TRUE if c is in [A-Za-z0-9_-]
 */
bool ratkn_base64url_char(char c);

#endif /** RATKN_BASE64URL_H_ @}*/
