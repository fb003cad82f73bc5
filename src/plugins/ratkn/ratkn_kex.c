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

#include "ratkn_kex.h"

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

typedef struct private_ratkn_kex_t private_ratkn_kex_t;

/**
 * Properties of a supported group
 */
typedef struct {
	/** IANA number */
	uint16_t group;
	/** our name */
	char *name;
	/** OpenSSL key type ("EC", "X25519", "X448") */
	char *type;
	/** OpenSSL curve name for EC */
	char *curve;
	/** length of the public value in IKE encoding */
	size_t public_len;
} group_t;

static group_t groups[] = {
	{ 19, "ecp256",		"EC",		"P-256",	64 },
	{ 20, "ecp384",		"EC",		"P-384",	96 },
	{ 31, "curve25519",	"X25519",	NULL,		32 },
	{ 32, "curve448",	"X448",		NULL,		56 },
};

/**
 * Private data of a ratkn_kex_t object.
 */
struct private_ratkn_kex_t {

	/**
	 * Public interface.
	 */
	ratkn_kex_t public;

	/**
	 * Group properties
	 */
	group_t *group;

	/**
	 * Our key pair
	 */
	EVP_PKEY *key;

	/**
	 * Our public value in IKE encoding
	 */
	chunk_t pub;
};

/**
 * Look up a group
 */
static group_t *find_group(uint16_t group)
{
	int i;

	for (i = 0; i < countof(groups); i++)
	{
		if (groups[i].group == group)
		{
			return &groups[i];
		}
	}
	return NULL;
}

/**
 * Create an EVP_PKEY from a public value in IKE encoding
 */
static EVP_PKEY *public_from_ike(group_t *group, chunk_t value)
{
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	chunk_t point;

	if (value.len != group->public_len)
	{
		return NULL;
	}
	if (!group->curve)
	{
		return EVP_PKEY_new_raw_public_key_ex(NULL, group->type, NULL,
											  value.ptr, value.len);
	}
	/* SEC1 uncompressed point; decoding checks that it is on the curve */
	point = chunk_cat("cc", chunk_from_chars(0x04), value);
	bld = OSSL_PARAM_BLD_new();
	if (bld &&
		OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
										group->curve, 0) &&
		OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
										 point.ptr, point.len))
	{
		params = OSSL_PARAM_BLD_to_param(bld);
	}
	ctx = EVP_PKEY_CTX_new_from_name(NULL, group->type, NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
		EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
	{
		key = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	chunk_free(&point);
	return key;
}

/**
 * Extract our public value in IKE encoding
 */
static bool public_to_ike(private_ratkn_kex_t *this)
{
	u_char buf[1 + 2 * 66];
	size_t len = 0;

	if (!this->group->curve)
	{
		this->pub = chunk_alloc(this->group->public_len);
		len = this->pub.len;
		return EVP_PKEY_get_raw_public_key(this->key, this->pub.ptr,
										   &len) == 1 &&
			   len == this->pub.len;
	}
	if (EVP_PKEY_get_octet_string_param(this->key,
						OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, buf, sizeof(buf),
						&len) != 1 ||
		len != 1 + this->group->public_len || buf[0] != 0x04)
	{
		return FALSE;
	}
	this->pub = chunk_clone(chunk_create(buf + 1, len - 1));
	return TRUE;
}

METHOD(ratkn_kex_t, get_group, uint16_t,
	private_ratkn_kex_t *this)
{
	return this->group->group;
}

METHOD(ratkn_kex_t, get_public, chunk_t,
	private_ratkn_kex_t *this)
{
	return this->pub;
}

METHOD(ratkn_kex_t, compute, bool,
	private_ratkn_kex_t *this, chunk_t peer, chunk_t *secret)
{
	EVP_PKEY *peer_key;
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = 0;
	bool ok = FALSE;

	peer_key = public_from_ike(this->group, peer);
	if (!peer_key)
	{
		DBG1(DBG_IKE, "ratkn: invalid %s public value (%zu octets)",
			 this->group->name, peer.len);
		return FALSE;
	}
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, this->key, NULL);
	if (ctx && EVP_PKEY_derive_init(ctx) > 0 &&
		EVP_PKEY_derive_set_peer_ex(ctx, peer_key, 1) > 0 &&
		EVP_PKEY_derive(ctx, NULL, &len) > 0)
	{
		*secret = chunk_alloc(len);
		/* OpenSSL refuses an all-zero X25519/X448 result */
		if (EVP_PKEY_derive(ctx, secret->ptr, &len) > 0)
		{
			secret->len = len;
			ok = TRUE;
		}
		else
		{
			chunk_clear(secret);
		}
	}
	if (!ok)
	{
		DBG1(DBG_IKE, "ratkn: %s key derivation with peer's public value "
			 "failed", this->group->name);
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer_key);
	return ok;
}

METHOD(ratkn_kex_t, unwrap, ratkn_jwe_key_t*,
	private_ratkn_kex_t *this, char *token, chunk_t binding, time_t now,
	char *reason, size_t len)
{
	ratkn_jwe_key_t *key = NULL;
	BIGNUM *scalar = NULL;
	chunk_t priv;

	if (!this->group->curve || !ratkn_jwe_supported(this->group->group))
	{
		snprintf(reason, len, "releases to %s keys are not supported",
				 this->group->name);
		return NULL;
	}
	/* cjose needs the scalar; it is only held for the duration of the
	 * call and wiped */
	priv = chunk_alloc(this->group->public_len / 2);
	if (EVP_PKEY_get_bn_param(this->key, OSSL_PKEY_PARAM_PRIV_KEY,
							  &scalar) != 1 ||
		BN_bn2binpad(scalar, priv.ptr, priv.len) != priv.len)
	{
		snprintf(reason, len, "no private key");
	}
	else
	{
		key = ratkn_jwe_unwrap(token, this->group->group, priv, this->pub,
							   binding, now, reason, len);
	}
	BN_clear_free(scalar);
	chunk_clear(&priv);
	return key;
}

METHOD(ratkn_kex_t, destroy, void,
	private_ratkn_kex_t *this)
{
	/* OpenSSL wipes private key material when freeing keys */
	EVP_PKEY_free(this->key);
	chunk_free(&this->pub);
	free(this);
}

/**
 * Create the object around a key
 */
static ratkn_kex_t *create_with_key(group_t *group, EVP_PKEY *key)
{
	private_ratkn_kex_t *this;

	INIT(this,
		.public = {
			.get_group = _get_group,
			.get_public = _get_public,
			.compute = _compute,
			.unwrap = _unwrap,
			.destroy = _destroy,
		},
		.group = group,
		.key = key,
	);
	if (!public_to_ike(this))
	{
		destroy(this);
		return NULL;
	}
	return &this->public;
}

/*
 * Described in header
 */
bool ratkn_kex_supported(uint16_t group)
{
	return find_group(group) != NULL;
}

/*
 * Described in header
 */
size_t ratkn_kex_public_len(uint16_t group)
{
	group_t *g = find_group(group);

	return g ? g->public_len : 0;
}

/*
 * Described in header
 */
char *ratkn_kex_group_name(uint16_t group)
{
	group_t *g = find_group(group);

	return g ? g->name : "unsupported";
}

/*
 * Described in header
 */
ratkn_kex_t *ratkn_kex_create(uint16_t group)
{
	group_t *g;
	EVP_PKEY *key;

	g = find_group(group);
	if (!g)
	{
		return NULL;
	}
	if (g->curve)
	{
		key = EVP_PKEY_Q_keygen(NULL, NULL, g->type, g->curve);
	}
	else
	{
		key = EVP_PKEY_Q_keygen(NULL, NULL, g->type);
	}
	if (!key)
	{
		DBG1(DBG_IKE, "ratkn: generating %s key pair failed", g->name);
		return NULL;
	}
	return create_with_key(g, key);
}

/*
 * Described in header
 */
ratkn_kex_t *ratkn_kex_create_from_private(uint16_t group, chunk_t priv,
										   chunk_t pub)
{
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *scalar = NULL;
	chunk_t point = chunk_empty;
	group_t *g;

	g = find_group(group);
	if (!g)
	{
		return NULL;
	}
	if (!g->curve)
	{
		key = EVP_PKEY_new_raw_private_key_ex(NULL, g->type, NULL,
											  priv.ptr, priv.len);
		return key ? create_with_key(g, key) : NULL;
	}
	if (pub.len != g->public_len)
	{
		return NULL;
	}
	point = chunk_cat("cc", chunk_from_chars(0x04), pub);
	/* a secure BN makes the parameter builder put the scalar into a block
	 * that OSSL_PARAM_free() wipes */
	scalar = BN_secure_new();
	if (scalar && !BN_bin2bn(priv.ptr, priv.len, scalar))
	{
		BN_clear_free(scalar);
		scalar = NULL;
	}
	bld = OSSL_PARAM_BLD_new();
	if (scalar && bld &&
		OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
										g->curve, 0) &&
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, scalar) &&
		OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
										 point.ptr, point.len))
	{
		params = OSSL_PARAM_BLD_to_param(bld);
	}
	ctx = EVP_PKEY_CTX_new_from_name(NULL, g->type, NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
		EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params) <= 0)
	{
		key = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(scalar);
	chunk_free(&point);
	return key ? create_with_key(g, key) : NULL;
}
