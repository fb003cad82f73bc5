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
 * Target: a TPMT_SIGNATURE as received in SIGNATURE of RATKN_EVIDENCE,
 * verified against an ECC and an RSA AK (the AKs of the seed generator's
 * swtpm, data/ak-ecc.spki and data/ak-rsa.spki) over the input's own QUOTE
 * stand-in: the first input octet says how many of the following octets
 * are the signed data, the rest is the signature.
 */

#include "fuzz_common.h"

#include <ratkn_ak.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static chunk_t ecc, rsa;
	chunk_t signed_data, signature;
	size_t len;

	fuzz_init();
	if (!ecc.len)
	{
		ecc = fuzz_data("ak-ecc.spki");
		rsa = fuzz_data("ak-rsa.spki");
	}
	if (!size)
	{
		return 0;
	}
	len = min(data[0], size - 1);
	signed_data = chunk_clone(chunk_create((u_char*)data + 1, len));
	signature = chunk_clone(chunk_create((u_char*)data + 1 + len,
										 size - 1 - len));
	ratkn_ak_verify(ecc, signed_data, signature);
	ratkn_ak_verify(rsa, signed_data, signature);
	/* and with the fuzzing AK, whose signatures the fuzzer cannot forge */
	if (ratkn_ak_verify(fuzz_ak_spki(), signed_data, signature))
	{
		abort();
	}
	chunk_free(&signed_data);
	chunk_free(&signature);
	return 0;
}
