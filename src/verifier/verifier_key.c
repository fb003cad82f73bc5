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

#define _GNU_SOURCE
#include "verifier_key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <jansson.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <ratkn_base64url.h>

/**
 * Largest key file accepted
 */
#define MAX_KEY_FILE 16384

typedef struct private_verifier_key_t private_verifier_key_t;

/**
 * Private data of a verifier_key_t object.
 */
struct private_verifier_key_t {

	/**
	 * Public interface.
	 */
	verifier_key_t public;

	/**
	 * Private key PEM
	 */
	chunk_t private;

	/**
	 * Public key PEM
	 */
	chunk_t public_pem;

	/**
	 * JWK
	 */
	char *jwk;

	/**
	 * Thumbprint
	 */
	char *kid;
};

METHOD(verifier_key_t, get_private, chunk_t,
	private_verifier_key_t *this)
{
	return this->private;
}

METHOD(verifier_key_t, get_public, chunk_t,
	private_verifier_key_t *this)
{
	return this->public_pem;
}

METHOD(verifier_key_t, get_jwk, char*,
	private_verifier_key_t *this)
{
	return this->jwk;
}

METHOD(verifier_key_t, get_kid, char*,
	private_verifier_key_t *this)
{
	return this->kid;
}

METHOD(verifier_key_t, destroy, void,
	private_verifier_key_t *this)
{
	chunk_clear(&this->private);
	chunk_free(&this->public_pem);
	free(this->jwk);
	free(this->kid);
	free(this);
}

/**
 * Read a file (NUL-terminated, len excludes the NUL)
 */
static bool read_file(char *path, chunk_t *data)
{
	FILE *file;
	size_t len;

	file = fopen(path, "r");
	if (!file)
	{
		DBG1(DBG_CFG, "cannot open signing key '%s': %s", path,
			 strerror(errno));
		return FALSE;
	}
	*data = chunk_alloc(MAX_KEY_FILE + 1);
	len = fread(data->ptr, 1, MAX_KEY_FILE + 1, file);
	fclose(file);
	if (len == 0 || len > MAX_KEY_FILE)
	{
		DBG1(DBG_CFG, "signing key '%s' is empty or too large", path);
		chunk_clear(data);
		return FALSE;
	}
	data->ptr[len] = '\0';
	data->len = len;
	return TRUE;
}

/**
 * Write a public key as PEM
 */
static chunk_t public_pem(EVP_PKEY *key)
{
	BUF_MEM *mem;
	chunk_t pem = chunk_empty;
	BIO *bio;

	bio = BIO_new(BIO_s_mem());
	if (bio && PEM_write_bio_PUBKEY(bio, key))
	{
		BIO_get_mem_ptr(bio, &mem);
		pem = chunk_alloc(mem->length + 1);
		memcpy(pem.ptr, mem->data, mem->length);
		pem.ptr[mem->length] = '\0';
		pem.len = mem->length;
	}
	BIO_free(bio);
	return pem;
}

/**
 * base64url of a big number as 32 octets
 */
static char *coordinate(EVP_PKEY *key, const char *name)
{
	uint8_t buf[32];
	BIGNUM *bn = NULL;
	char *encoded = NULL;

	if (EVP_PKEY_get_bn_param(key, name, &bn) &&
		BN_bn2binpad(bn, buf, sizeof(buf)) == sizeof(buf))
	{
		encoded = ratkn_base64url_encode(chunk_from_thing(buf));
	}
	BN_free(bn);
	return encoded;
}

/**
 * Build the JWK and its thumbprint
 */
static bool build_jwk(private_verifier_key_t *this, EVP_PKEY *key)
{
	char *x, *y, *canonical;
	uint8_t hash[32];
	u_int len = sizeof(hash);
	json_t *jwk;
	bool ok = FALSE;

	x = coordinate(key, OSSL_PKEY_PARAM_EC_PUB_X);
	y = coordinate(key, OSSL_PKEY_PARAM_EC_PUB_Y);
	if (x && y)
	{	/* RFC 7638: required members in lexicographic order, no spaces */
		if (asprintf(&canonical, "{\"crv\":\"P-256\",\"kty\":\"EC\","
					 "\"x\":\"%s\",\"y\":\"%s\"}", x, y) > 0)
		{
			if (EVP_Digest(canonical, strlen(canonical), hash, &len,
						   EVP_sha256(), NULL) == 1)
			{
				this->kid = ratkn_base64url_encode(chunk_from_thing(hash));
				jwk = json_pack("{ssssssssssss}", "kty", "EC", "crv", "P-256",
								"x", x, "y", y, "use", "sig", "alg", "ES256");
				json_object_set_new(jwk, "kid", json_string(this->kid));
				this->jwk = json_dumps(jwk, JSON_COMPACT);
				json_decref(jwk);
				ok = this->jwk != NULL;
			}
			free(canonical);
		}
	}
	free(x);
	free(y);
	return ok;
}

/*
 * Described in header
 */
verifier_key_t *verifier_key_load(char *path)
{
	private_verifier_key_t *this;
	EVP_PKEY *key = NULL;
	char group[32];
	BIO *bio;

	INIT(this,
		.public = {
			.get_private = _get_private,
			.get_public = _get_public,
			.get_jwk = _get_jwk,
			.get_kid = _get_kid,
			.destroy = _destroy,
		},
	);
	if (!read_file(path, &this->private))
	{
		destroy(this);
		return NULL;
	}
	bio = BIO_new_mem_buf(this->private.ptr, this->private.len);
	if (bio)
	{
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, "");
		BIO_free(bio);
	}
	if (!key || !EVP_PKEY_is_a(key, "EC") ||
		!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME,
										group, sizeof(group), NULL) ||
		!streq(group, "prime256v1"))
	{
		DBG1(DBG_CFG, "signing key '%s' is not an unencrypted EC P-256 "
			 "private key in PEM", path);
		EVP_PKEY_free(key);
		ERR_clear_error();
		destroy(this);
		return NULL;
	}
	this->public_pem = public_pem(key);
	if (!this->public_pem.len || !build_jwk(this, key))
	{
		DBG1(DBG_CFG, "encoding the public key of '%s' failed", path);
		EVP_PKEY_free(key);
		ERR_clear_error();
		destroy(this);
		return NULL;
	}
	EVP_PKEY_free(key);
	return &this->public;
}

/*
 * Described in header
 */
bool verifier_key_generate(char *path)
{
	EVP_PKEY *key;
	FILE *file;
	bool ok;
	int fd;

	key = EVP_EC_gen("P-256");
	if (!key)
	{
		DBG1(DBG_CFG, "generating an EC P-256 key failed");
		return FALSE;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd == -1)
	{
		DBG1(DBG_CFG, "creating '%s' failed: %s", path, strerror(errno));
		EVP_PKEY_free(key);
		return FALSE;
	}
	file = fdopen(fd, "w");
	ok = file && PEM_write_PrivateKey(file, key, NULL, NULL, 0, NULL, NULL);
	ok = file && fflush(file) == 0 && fsync(fd) == 0 && ok;
	if (file)
	{
		ok = fclose(file) == 0 && ok;
	}
	else
	{
		close(fd);
	}
	EVP_PKEY_free(key);
	ERR_clear_error();
	if (!ok)
	{
		DBG1(DBG_CFG, "writing '%s' failed", path);
		unlink(path);
	}
	return ok;
}
