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

#include "ratkn_keysched.h"

#include <bio/bio_writer.h>

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

/**
 * Label of the SK derivation, without terminating zero
 */
#define SK_LABEL "ratkn v1 SK"

/*
 * Described in header
 */
bool ratkn_keysched_derive(chunk_t z, chunk_t ni, chunk_t nr, chunk_t spi_i,
						   chunk_t spi_r, chunk_t share_i, chunk_t share_r,
						   chunk_t *sk)
{
	EVP_KDF *kdf;
	EVP_KDF_CTX *ctx = NULL;
	OSSL_PARAM params[5];
	bio_writer_t *writer;
	chunk_t salt, info;
	bool ok = FALSE;

	if (!z.len || !ni.len || !nr.len || spi_i.len != 8 || spi_r.len != 8 ||
		!share_i.len || share_i.len > 0xffff ||
		!share_r.len || share_r.len > 0xffff)
	{
		return FALSE;
	}
	salt = chunk_cat("cc", ni, nr);
	writer = bio_writer_create(64 + share_i.len + share_r.len);
	writer->write_data(writer, chunk_from_str(SK_LABEL));
	writer->write_data(writer, spi_i);
	writer->write_data(writer, spi_r);
	writer->write_data16(writer, share_i);
	writer->write_data16(writer, share_r);
	info = writer->get_buf(writer);

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
												 "SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
												  z.ptr, z.len);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
												  salt.ptr, salt.len);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
												  info.ptr, info.len);
	params[4] = OSSL_PARAM_construct_end();

	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (kdf)
	{
		ctx = EVP_KDF_CTX_new(kdf);
	}
	*sk = chunk_alloc(RATKN_SK_LEN);
	if (ctx && EVP_KDF_derive(ctx, sk->ptr, sk->len, params) == 1)
	{
		ok = TRUE;
	}
	else
	{
		DBG1(DBG_IKE, "ratkn: HKDF-SHA-256 derivation failed");
		chunk_clear(sk);
	}
	/* the KDF context holds a copy of Z, freeing it wipes that copy */
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	writer->destroy(writer);
	chunk_free(&salt);
	return ok;
}
