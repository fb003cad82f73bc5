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
 * Target: a TPMT_PUBLIC as received in AK_PUBLIC of RATKN_EVIDENCE, in
 * "ak_public" of a POST /v1/enroll, or read from a TPM: conversion to a
 * SubjectPublicKeyInfo and the TPM name computed for enrollment.
 */

#include "fuzz_common.h"

#include <ratkn_ak.h>
#include <ratkn_credential.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	chunk_t input, spki = chunk_empty, name = chunk_empty;
	const u_char *pos;
	EVP_PKEY *pkey;

	fuzz_init();
	input = chunk_clone(chunk_create((u_char*)data, size));
	if (ratkn_ak_spki_from_tpm(input, &spki))
	{
		pos = spki.ptr;
		pkey = d2i_PUBKEY(NULL, &pos, spki.len);
		if (!pkey || pos != spki.ptr + spki.len)
		{	/* must be a valid SubjectPublicKeyInfo */
			abort();
		}
		EVP_PKEY_free(pkey);
	}
	/* the name of enrollment: nameAlg and a digest of that algorithm (an
	 * AK with a nameAlg ratkn does not know is fine for appraisal, but
	 * cannot be enrolled) */
	if (ratkn_credential_name(input, &name) &&
		(name.len < 2 + 20 || untoh16(name.ptr) != untoh16(input.ptr + 2)))
	{
		abort();
	}
	chunk_free(&name);
	chunk_free(&spki);
	chunk_free(&input);
	return 0;
}
