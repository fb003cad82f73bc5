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

#define _GNU_SOURCE /* asprintf() */
#include <stdio.h>

#include "ratkn_tests.h"

#include <ratkn_jwe.h>
#include <ratkn_types.h>
#include <ratkn_base64url.h>

#include <jansson.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

/**
 * A recipient key pair: private scalar and X | Y
 */
typedef struct {
	chunk_t priv;
	chunk_t pub;
} keypair_t;

/**
 * Recipient and another key pair (P-256), a P-384 one
 */
static keypair_t recipient, other, p384;

/**
 * Binding of the session and of another one
 */
static chunk_t binding, other_binding;

/**
 * Time of the tests
 */
static time_t now;

/**
 * Key and EDEK released
 */
static chunk_t dek, edek;

/**
 * Generate a key pair of a curve
 */
static void keygen(char *curve, size_t len, keypair_t *pair)
{
	u_char pub[1 + 2 * 66];
	size_t pub_len;
	BIGNUM *d = NULL;
	EVP_PKEY *key;

	key = EVP_EC_gen(curve);
	ck_assert(key);
	ck_assert(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d));
	pair->priv = chunk_alloc(len);
	ck_assert(BN_bn2binpad(d, pair->priv.ptr, len) == len);
	ck_assert(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY,
											  pub, sizeof(pub), &pub_len));
	ck_assert_int_eq(pub_len, 1 + 2 * len);
	pair->pub = chunk_clone(chunk_create(pub + 1, 2 * len));
	BN_clear_free(d);
	EVP_PKEY_free(key);
}

static void setup()
{
	now = time(NULL);
	keygen("P-256", 32, &recipient);
	keygen("P-256", 32, &other);
	keygen("P-384", 48, &p384);
	binding = chunk_alloc(RATKN_HASH_LEN);
	memset(binding.ptr, 0x42, binding.len);
	other_binding = chunk_alloc(RATKN_HASH_LEN);
	memset(other_binding.ptr, 0x43, other_binding.len);
	dek = chunk_alloc(32);
	memset(dek.ptr, 0x11, dek.len);
	edek = chunk_alloc(70);
	memset(edek.ptr, 0xee, edek.len);
}

static void teardown()
{
	chunk_clear(&recipient.priv);
	chunk_free(&recipient.pub);
	chunk_clear(&other.priv);
	chunk_free(&other.pub);
	chunk_clear(&p384.priv);
	chunk_free(&p384.pub);
	chunk_free(&binding);
	chunk_free(&other_binding);
	chunk_clear(&dek);
	chunk_free(&edek);
}

/**
 * Claims released in the tests
 */
static ratkn_jwe_claims_t claims()
{
	return (ratkn_jwe_claims_t){
		.name = "model-weights",
		.version = 3,
		.usage = "dek",
		.iat = now,
		.exp = now + 600,
		.key = dek,
		.edek = edek,
	};
}

/**
 * Wrap the test claims to the recipient, for the session
 */
static char *wrap_default()
{
	ratkn_jwe_claims_t c = claims();
	char *token;

	token = ratkn_jwe_wrap(&c, 19, recipient.pub, binding);
	ck_assert(token);
	return token;
}

START_TEST(test_round_trip)
{
	ratkn_jwe_key_t *key;
	ratkn_jwe_claims_t *c;
	char *token, reason[256];

	token = wrap_default();
	/* compact JWE: five parts, empty encrypted key with ECDH-ES */
	ck_assert(strstr(token, "..") != NULL);
	key = ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub, binding,
						   now, reason, sizeof(reason));
	ck_assert_msg(key, "%s", reason);
	c = key->get_claims(key);
	ck_assert_str_eq(c->name, "model-weights");
	ck_assert_int_eq(c->version, 3);
	ck_assert_str_eq(c->usage, "dek");
	ck_assert_int_eq(c->iat, now);
	ck_assert_int_eq(c->exp, now + 600);
	ck_assert(chunk_equals(c->key, dek));
	ck_assert(chunk_equals(c->edek, edek));
	ck_assert_str_eq(key->get_kid(key), "model-weights:3");
	key->destroy(key);
	free(token);
}
END_TEST

START_TEST(test_no_edek_p384)
{
	ratkn_jwe_claims_t c = claims();
	ratkn_jwe_key_t *key;
	char *token, reason[256];

	c.edek = chunk_empty;
	c.usage = "ppk";
	token = ratkn_jwe_wrap(&c, 20, p384.pub, binding);
	ck_assert(token);
	key = ratkn_jwe_unwrap(token, 20, p384.priv, p384.pub, binding, now,
						   reason, sizeof(reason));
	ck_assert_msg(key, "%s", reason);
	ck_assert(key->get_claims(key)->edek.len == 0);
	ck_assert_str_eq(key->get_claims(key)->usage, "ppk");
	key->destroy(key);
	/* a P-384 release does not unwrap as P-256 */
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	free(token);
}
END_TEST

START_TEST(test_wrong_recipient)
{
	char *token, reason[256];

	token = wrap_default();
	ck_assert(!ratkn_jwe_unwrap(token, 19, other.priv, other.pub, binding,
								now, reason, sizeof(reason)));
	ck_assert(strstr(reason, "does not decrypt"));
	free(token);
}
END_TEST

/**
 * Parts of the compact JWE to modify: header, encrypted key (empty),
 * IV, ciphertext, tag
 */
static int tamper_part[] = { 0, 2, 3, 4 };

START_TEST(test_tampered)
{
	char *token, *pos, reason[256];
	int part;

	token = wrap_default();
	pos = token;
	for (part = 0; part < tamper_part[_i]; part++)
	{
		pos = strchr(pos, '.') + 1;
	}
	/* change a character in the middle of the part, keeping it base64url */
	pos += (strcspn(pos, ".") / 2);
	*pos = (*pos == 'A') ? 'B' : 'A';
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	free(token);
}
END_TEST

START_TEST(test_truncated)
{
	char *token, reason[256];

	token = wrap_default();
	token[strlen(token) - 4] = '\0';
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert(!ratkn_jwe_unwrap("a.b.c", 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	free(token);
}
END_TEST

/**
 * Replace the protected header of a token by the given JSON, keeping the
 * other parts
 */
static char *replace_header(char *token, json_t *header)
{
	char *json, *encoded, *out;

	json = json_dumps(header, JSON_COMPACT);
	ck_assert(json);
	encoded = ratkn_base64url_encode(chunk_from_str(json));
	ck_assert(asprintf(&out, "%s%s", encoded, strchr(token, '.')) > 0);
	free(json);
	free(encoded);
	return out;
}

/**
 * Malformed ephemeral keys (epk) of the sender, each modifying member x:
 * cjose 0.6 aborts on a coordinate of 4n+1 base64 characters
 * (regression, found by testing/fuzz, target keys)
 */
static char *bad_epk_x[] = {
	"A",
	"AAAAA",
	"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYx",
	"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZQ",
	"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
	"",
};

START_TEST(test_bad_epk)
{
	char *token, *bad, reason[256];
	chunk_t raw;
	json_t *header, *epk;
	size_t len;

	token = wrap_default();
	len = strchr(token, '.') - token;
	ck_assert(ratkn_base64url_decode(token, len, &raw));
	header = json_loadb((char*)raw.ptr, raw.len, 0, NULL);
	chunk_free(&raw);
	ck_assert(header);
	epk = json_object_get(header, "epk");
	ck_assert(json_is_object(epk));
	json_object_set_new(epk, "x", json_string(bad_epk_x[_i]));
	bad = replace_header(token, header);
	ck_assert(!ratkn_jwe_unwrap(bad, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert_msg(strstr(reason, "epk"), "%s", reason);
	free(bad);

	/* a private key member is refused as well */
	json_object_set_new(epk, "x", json_string(bad_epk_x[2]));
	json_object_set_new(epk, "d", json_string("A"));
	bad = replace_header(token, header);
	ck_assert(!ratkn_jwe_unwrap(bad, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert_msg(strstr(reason, "epk"), "%s", reason);
	free(bad);
	json_decref(header);
	free(token);
}
END_TEST

START_TEST(test_bad_segments)
{
	char *token, *bad, reason[256];

	/* an IV part of 4n+1 characters, and padding, never reach cjose */
	token = wrap_default();
	ck_assert(asprintf(&bad, "%.*s.A.%s", (int)(strchr(token, '.') - token),
					   token, strchr(strchr(token, '.') + 1, '.') + 1) > 0);
	ck_assert(!ratkn_jwe_unwrap(bad, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert_msg(strstr(reason, "five base64url parts"), "%s", reason);
	free(bad);
	ck_assert(asprintf(&bad, "%s=", token) > 0);
	ck_assert(!ratkn_jwe_unwrap(bad, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert_msg(strstr(reason, "five base64url parts"), "%s", reason);
	free(bad);
	free(token);
}
END_TEST

START_TEST(test_expired)
{
	ratkn_jwe_claims_t c = claims();
	ratkn_jwe_key_t *key;
	char *token, reason[256];

	c.iat = now - 700;
	c.exp = now - 100;
	token = ratkn_jwe_wrap(&c, 19, recipient.pub, binding);
	ck_assert(token);
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert(strstr(reason, "expired"));
	/* at the exact expiry it is expired, a second before it is not */
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								binding, now - 100, reason, sizeof(reason)));
	key = ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub, binding,
						   now - 101, reason, sizeof(reason));
	ck_assert_msg(key, "%s", reason);
	key->destroy(key);
	free(token);
}
END_TEST

START_TEST(test_future)
{
	ratkn_jwe_claims_t c = claims();
	char *token, reason[256];

	c.iat = now + 3600;
	c.exp = now + 7200;
	token = ratkn_jwe_wrap(&c, 19, recipient.pub, binding);
	ck_assert(token);
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert(strstr(reason, "future"));
	free(token);
}
END_TEST

START_TEST(test_wrong_binding)
{
	char *token, reason[256];

	token = wrap_default();
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								other_binding, now, reason, sizeof(reason)));
	ck_assert(strstr(reason, "another session"));
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								chunk_empty, now, reason, sizeof(reason)));
	free(token);
}
END_TEST

START_TEST(test_wrap_invalid)
{
	ratkn_jwe_claims_t c;

	c = claims();
	c.name = "bad name";
	ck_assert(!ratkn_jwe_wrap(&c, 19, recipient.pub, binding));
	c = claims();
	c.version = 0;
	ck_assert(!ratkn_jwe_wrap(&c, 19, recipient.pub, binding));
	c = claims();
	c.exp = c.iat;
	ck_assert(!ratkn_jwe_wrap(&c, 19, recipient.pub, binding));
	c = claims();
	c.key = chunk_create(dek.ptr, 8);
	ck_assert(!ratkn_jwe_wrap(&c, 19, recipient.pub, binding));
	c = claims();
	ck_assert(!ratkn_jwe_wrap(&c, 19, recipient.pub, chunk_empty));
	/* no OKP keys in cjose 0.6.2: no X25519 recipients */
	ck_assert(!ratkn_jwe_supported(31));
	ck_assert(!ratkn_jwe_wrap(&c, 31, chunk_create(dek.ptr, 32), binding));
	/* not a point on the curve */
	ck_assert(!ratkn_jwe_wrap(&c, 19, chunk_create(edek.ptr, 64), binding));
	/* wrong length for the group */
	ck_assert(!ratkn_jwe_wrap(&c, 20, recipient.pub, binding));
}
END_TEST

/**
 * Context of the software key agreement callback
 */
typedef struct {
	/** recipient key pair */
	keypair_t *pair;
	/** curve of the key pair */
	char *curve;
	/** fail the agreement */
	bool fail;
	/** octets to append to Z (> 0) or to remove from it (< 0) */
	int z_delta;
	/** number of invocations */
	int calls;
	/** last epk passed */
	chunk_t epk;
} agree_ctx_t;

/**
 * Build an OpenSSL key of a curve from a public value in IKE encoding and
 * an optional private scalar
 */
static EVP_PKEY *load_key(char *curve, chunk_t pub, chunk_t priv)
{
	OSSL_PARAM params[4];
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *key = NULL;
	u_char *point;
	BIGNUM *d = NULL;
	u_char *d_native = NULL;
	int i = 0;

	point = malloc(1 + pub.len);
	point[0] = 0x04;
	memcpy(point + 1, pub.ptr, pub.len);
	params[i++] = OSSL_PARAM_construct_utf8_string(
								OSSL_PKEY_PARAM_GROUP_NAME, curve, 0);
	params[i++] = OSSL_PARAM_construct_octet_string(
								OSSL_PKEY_PARAM_PUB_KEY, point, 1 + pub.len);
	if (priv.len)
	{
		/* BIGNUM parameters are native-endian */
		d = BN_bin2bn(priv.ptr, priv.len, NULL);
		ck_assert(d);
		d_native = malloc(priv.len);
		ck_assert(BN_bn2nativepad(d, d_native, priv.len) == priv.len);
		params[i++] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY,
											  d_native, priv.len);
	}
	params[i] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	ck_assert(ctx);
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
		EVP_PKEY_fromdata(ctx, &key, priv.len ? EVP_PKEY_KEYPAIR
											  : EVP_PKEY_PUBLIC_KEY,
						  params) != 1)
	{
		key = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	BN_clear_free(d);
	if (d_native)
	{
		memwipe(d_native, priv.len);
		free(d_native);
	}
	free(point);
	return key;
}

/**
 * Compute Z in software, from the test private scalar
 */
CALLBACK(agree_sw, bool,
	agree_ctx_t *this, chunk_t epk, chunk_t *z)
{
	EVP_PKEY *key, *peer;
	EVP_PKEY_CTX *ctx;
	size_t len = 0;
	bool ok;

	this->calls++;
	chunk_free(&this->epk);
	this->epk = chunk_clone(epk);
	if (this->fail)
	{
		return FALSE;
	}
	key = load_key(this->curve, this->pair->pub, this->pair->priv);
	ck_assert(key);
	peer = load_key(this->curve, epk, chunk_empty);
	if (!peer)
	{
		EVP_PKEY_free(key);
		return FALSE;
	}
	ctx = EVP_PKEY_CTX_new(key, NULL);
	ck_assert(ctx);
	ok = EVP_PKEY_derive_init(ctx) == 1 &&
		 EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
		 EVP_PKEY_derive(ctx, NULL, &len) == 1;
	if (ok)
	{
		*z = chunk_alloc(len + max(this->z_delta, 0));
		memset(z->ptr, 0x5a, z->len);
		ok = EVP_PKEY_derive(ctx, z->ptr, &len) == 1;
		if (ok)
		{
			z->len = len + this->z_delta;
		}
		else
		{
			chunk_clear(z);
		}
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	EVP_PKEY_free(key);
	return ok;
}

/**
 * Agreement context for a key pair (P-256 unless it is p384)
 */
static agree_ctx_t agree_ctx(keypair_t *pair)
{
	return (agree_ctx_t){
		.pair = pair,
		.curve = pair == &p384 ? "P-384" : "P-256",
	};
}

/**
 * Unwrap with the software agreement callback
 */
static ratkn_jwe_key_t *unwrap_agree(char *token, uint16_t group,
									 agree_ctx_t *ctx, chunk_t bind,
									 time_t at, char *reason, size_t len)
{
	return ratkn_jwe_unwrap_agree(token, group, agree_sw, ctx, bind, at,
								  reason, len);
}

/**
 * Round trips: P-256 and P-384, with and without EDEK
 */
static struct {
	uint16_t group;
	bool edek;
} agree_cases[] = {
	{ 19, TRUE },
	{ 19, FALSE },
	{ 20, TRUE },
	{ 20, FALSE },
};

/**
 * Compare two chunks, which may be empty
 */
static bool same_chunk(chunk_t a, chunk_t b)
{
	return a.len == b.len && (!a.len || memeq(a.ptr, b.ptr, a.len));
}

START_TEST(test_agree_round_trip)
{
	ratkn_jwe_claims_t c = claims(), *a, *b;
	ratkn_jwe_key_t *key, *ref;
	keypair_t *pair;
	agree_ctx_t ctx;
	chunk_t raw;
	json_t *header;
	char *token, *x, *y, reason[256];

	pair = agree_cases[_i].group == 19 ? &recipient : &p384;
	if (!agree_cases[_i].edek)
	{
		c.edek = chunk_empty;
	}
	token = ratkn_jwe_wrap(&c, agree_cases[_i].group, pair->pub, binding);
	ck_assert(token);
	ctx = agree_ctx(pair);
	key = unwrap_agree(token, agree_cases[_i].group, &ctx, binding, now,
					   reason, sizeof(reason));
	ck_assert_msg(key, "%s", reason);
	ck_assert_int_eq(ctx.calls, 1);

	/* the callback got the epk of the header as X | Y */
	ck_assert(ratkn_base64url_decode(token, strchr(token, '.') - token, &raw));
	header = json_loadb((char*)raw.ptr, raw.len, 0, NULL);
	chunk_free(&raw);
	ck_assert(header);
	x = ratkn_base64url_encode(chunk_create(ctx.epk.ptr, ctx.epk.len / 2));
	y = ratkn_base64url_encode(chunk_skip(ctx.epk, ctx.epk.len / 2));
	ck_assert_int_eq(ctx.epk.len, pair->pub.len);
	ck_assert_str_eq(x, json_string_value(json_object_get(
							json_object_get(header, "epk"), "x")));
	ck_assert_str_eq(y, json_string_value(json_object_get(
							json_object_get(header, "epk"), "y")));
	free(x);
	free(y);
	json_decref(header);

	/* same result as with the private key and cjose */
	ref = ratkn_jwe_unwrap(token, agree_cases[_i].group, pair->priv, pair->pub,
						   binding, now, reason, sizeof(reason));
	ck_assert_msg(ref, "%s", reason);
	a = key->get_claims(key);
	b = ref->get_claims(ref);
	ck_assert_str_eq(a->name, b->name);
	ck_assert_str_eq(a->name, "model-weights");
	ck_assert_int_eq(a->version, b->version);
	ck_assert_str_eq(a->usage, b->usage);
	ck_assert_int_eq(a->iat, b->iat);
	ck_assert_int_eq(a->exp, b->exp);
	ck_assert(chunk_equals(a->key, b->key));
	ck_assert(chunk_equals(a->key, dek));
	ck_assert(same_chunk(a->edek, b->edek));
	ck_assert(same_chunk(a->edek, agree_cases[_i].edek ? edek : chunk_empty));
	ck_assert_str_eq(key->get_kid(key), ref->get_kid(ref));
	key->destroy(key);
	ref->destroy(ref);
	chunk_free(&ctx.epk);
	free(token);
}
END_TEST

START_TEST(test_agree_wrong_recipient)
{
	agree_ctx_t ctx = agree_ctx(&other);
	char *token, reason[256];

	token = wrap_default();
	ck_assert(!unwrap_agree(token, 19, &ctx, binding, now, reason,
							sizeof(reason)));
	ck_assert_int_eq(ctx.calls, 1);
	ck_assert_str_eq(reason, "release does not decrypt (wrong recipient key "
					 "or modified)");
	chunk_free(&ctx.epk);
	free(token);
}
END_TEST

START_TEST(test_agree_tampered)
{
	agree_ctx_t ctx = agree_ctx(&recipient);
	char *token, *pos, reason[256];
	int part;

	token = wrap_default();
	pos = token;
	for (part = 0; part < tamper_part[_i]; part++)
	{
		pos = strchr(pos, '.') + 1;
	}
	pos += (strcspn(pos, ".") / 2);
	*pos = (*pos == 'A') ? 'B' : 'A';
	ck_assert(!unwrap_agree(token, 19, &ctx, binding, now, reason,
							sizeof(reason)));
	if (tamper_part[_i] > 0)
	{	/* IV, ciphertext or tag: the GCM tag does not verify */
		ck_assert_int_eq(ctx.calls, 1);
		ck_assert_msg(strstr(reason, "does not decrypt"), "%s", reason);
	}
	chunk_free(&ctx.epk);
	free(token);
}
END_TEST

/**
 * Replace the protected header of a token by the given JSON, encoded with
 * the given jansson flags, keeping the other parts
 */
static char *reencode_header(char *token, json_t *header, size_t flags)
{
	char *json, *encoded, *out;

	json = json_dumps(header, flags);
	ck_assert(json);
	encoded = ratkn_base64url_encode(chunk_from_str(json));
	ck_assert(asprintf(&out, "%s%s", encoded, strchr(token, '.')) > 0);
	free(json);
	free(encoded);
	return out;
}

/**
 * Parse the protected header of a token
 */
static json_t *get_header(char *token)
{
	json_t *header;
	chunk_t raw;

	ck_assert(ratkn_base64url_decode(token, strchr(token, '.') - token, &raw));
	header = json_loadb((char*)raw.ptr, raw.len, 0, NULL);
	chunk_free(&raw);
	ck_assert(header);
	return header;
}

START_TEST(test_agree_header_aad)
{
	agree_ctx_t ctx = agree_ctx(&recipient);
	char *token, *bad, reason[256];
	json_t *header;

	/* the same header, encoded differently: it passes all checks, but the
	 * AAD is the header as in the token, so the tag does not verify */
	token = wrap_default();
	header = get_header(token);
	bad = reencode_header(token, header, JSON_INDENT(1));
	ck_assert(!unwrap_agree(bad, 19, &ctx, binding, now, reason,
							sizeof(reason)));
	ck_assert_int_eq(ctx.calls, 1);
	ck_assert_msg(strstr(reason, "does not decrypt"), "%s", reason);
	ck_assert(!ratkn_jwe_unwrap(bad, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert_msg(strstr(reason, "does not decrypt"), "%s", reason);
	free(bad);
	json_decref(header);
	chunk_free(&ctx.epk);
	free(token);
}
END_TEST

/**
 * Replace part n of a token by the given base64url encoded data
 */
static char *replace_part(char *token, int n, char *data)
{
	char *start = token, *end, *out;
	int i;

	for (i = 0; i < n; i++)
	{
		start = strchr(start, '.') + 1;
	}
	end = start + strcspn(start, ".");
	ck_assert(asprintf(&out, "%.*s%s%s", (int)(start - token), token, data,
					   end) > 0);
	return out;
}

/**
 * IVs and tags of wrong lengths: part and base64url value
 */
static struct {
	int part;
	char *value;
} bad_lengths[] = {
	/* IV of 16, 8 and 1 octets (cjose 0.6 read 12 octets of any IV, past a
	 * shorter one, found by the keys fuzz target) */
	{ 2, "AAAAAAAAAAAAAAAAAAAAAA" },
	{ 2, "AAAAAAAAAAA" },
	{ 2, "AA" },
	/* tag of 12 and of 17 octets */
	{ 4, "AAAAAAAAAAAAAAAA" },
	{ 4, "AAAAAAAAAAAAAAAAAAAAAAA" },
};

START_TEST(test_agree_bad_lengths)
{
	agree_ctx_t ctx = agree_ctx(&recipient);
	char *token, *bad, reason[256];

	token = wrap_default();
	bad = replace_part(token, bad_lengths[_i].part, bad_lengths[_i].value);
	ck_assert(!unwrap_agree(bad, 19, &ctx, binding, now, reason,
							sizeof(reason)));
	ck_assert_msg(strstr(reason, bad_lengths[_i].part == 2 ?
						 "IV is not of 12 octets" : "tag is not of 16 octets"),
				  "%s", reason);
	/* rejected before the key agreement */
	ck_assert_int_eq(ctx.calls, 0);
	/* and by the cjose path, before cjose sees it */
	reason[0] = '\0';
	ck_assert(!ratkn_jwe_unwrap(bad, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert_msg(strstr(reason, bad_lengths[_i].part == 2 ?
						 "IV is not of 12 octets" : "tag is not of 16 octets"),
				  "%s", reason);
	free(bad);
	free(token);
}
END_TEST

START_TEST(test_agree_encrypted_key)
{
	agree_ctx_t ctx = agree_ctx(&recipient);
	char *token, *bad, reason[256];

	token = wrap_default();
	bad = replace_part(token, 1, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	ck_assert(!unwrap_agree(bad, 19, &ctx, binding, now, reason,
							sizeof(reason)));
	ck_assert_msg(strstr(reason, "encrypted key"), "%s", reason);
	ck_assert_int_eq(ctx.calls, 0);
	/* the cjose path refuses it as well (cjose would ignore it) */
	reason[0] = '\0';
	ck_assert(!ratkn_jwe_unwrap(bad, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert_msg(strstr(reason, "encrypted key"), "%s", reason);
	free(bad);
	free(token);
}
END_TEST

START_TEST(test_agree_fails)
{
	agree_ctx_t ctx = agree_ctx(&recipient);
	char *token, reason[256];

	ctx.fail = TRUE;
	token = wrap_default();
	ck_assert(!unwrap_agree(token, 19, &ctx, binding, now, reason,
							sizeof(reason)));
	ck_assert_int_eq(ctx.calls, 1);
	ck_assert_str_eq(reason, "computing the shared secret with the "
					 "release's ephemeral key failed");
	chunk_free(&ctx.epk);
	free(token);
}
END_TEST

/**
 * Octets added to or removed from Z
 */
static int z_deltas[] = { 1, -1, -32 };

START_TEST(test_agree_z_length)
{
	agree_ctx_t ctx = agree_ctx(&recipient);
	char *token, reason[256];

	ctx.z_delta = z_deltas[_i];
	token = wrap_default();
	ck_assert(!unwrap_agree(token, 19, &ctx, binding, now, reason,
							sizeof(reason)));
	ck_assert_int_eq(ctx.calls, 1);
	ck_assert_msg(strstr(reason, "shared secret") &&
				  strstr(reason, "not 32"), "%s", reason);
	chunk_free(&ctx.epk);
	free(token);
}
END_TEST

START_TEST(test_agree_wrong_binding)
{
	agree_ctx_t ctx = agree_ctx(&recipient);
	char *token, reason[256];

	token = wrap_default();
	ck_assert(!unwrap_agree(token, 19, &ctx, other_binding, now, reason,
							sizeof(reason)));
	ck_assert_str_eq(reason, "release is bound to another session");
	ck_assert(!unwrap_agree(token, 19, &ctx, chunk_empty, now, reason,
							sizeof(reason)));
	ck_assert_str_eq(reason, "release is bound to another session");
	/* the header is checked before the key agreement */
	ck_assert_int_eq(ctx.calls, 0);
	free(token);
}
END_TEST

START_TEST(test_agree_expired)
{
	ratkn_jwe_claims_t c = claims();
	agree_ctx_t ctx = agree_ctx(&recipient);
	ratkn_jwe_key_t *key;
	char *token, reason[256];

	c.iat = now - 700;
	c.exp = now - 100;
	token = ratkn_jwe_wrap(&c, 19, recipient.pub, binding);
	ck_assert(token);
	ck_assert(!unwrap_agree(token, 19, &ctx, binding, now, reason,
							sizeof(reason)));
	ck_assert_str_eq(reason, "release of 'model-weights:3' expired 100 s ago");
	ck_assert(!unwrap_agree(token, 19, &ctx, binding, now - 100, reason,
							sizeof(reason)));
	ck_assert_msg(strstr(reason, "expired"), "%s", reason);
	key = unwrap_agree(token, 19, &ctx, binding, now - 101, reason,
					   sizeof(reason));
	ck_assert_msg(key, "%s", reason);
	key->destroy(key);
	chunk_free(&ctx.epk);
	free(token);
}
END_TEST

START_TEST(test_agree_same_reasons)
{
	agree_ctx_t ctx = agree_ctx(&recipient);
	char *token, *bad, reason[256], ref[256];
	json_t *header;

	token = wrap_default();
	/* not a release */
	ck_assert(!unwrap_agree(NULL, 19, &ctx, binding, now, reason,
							sizeof(reason)));
	ck_assert_str_eq(reason, "release missing or too long");
	ck_assert(!unwrap_agree("a.b.c", 19, &ctx, binding, now, reason,
							sizeof(reason)));
	ck_assert(!ratkn_jwe_unwrap("a.b.c", 19, recipient.priv, recipient.pub,
								binding, now, ref, sizeof(ref)));
	ck_assert_str_eq(reason, ref);
	/* a P-256 release to a P-384 recipient */
	ck_assert(!unwrap_agree(token, 20, &ctx, binding, now, reason,
							sizeof(reason)));
	ck_assert(!ratkn_jwe_unwrap(token, 20, p384.priv, p384.pub, binding, now,
								ref, sizeof(ref)));
	ck_assert_str_eq(reason, ref);
	ck_assert_msg(strstr(reason, "epk"), "%s", reason);
	/* no X25519 recipients */
	ck_assert(!unwrap_agree(token, 31, &ctx, binding, now, reason,
							sizeof(reason)));
	ck_assert_msg(strstr(reason, "unusable"), "%s", reason);
	/* another content type */
	header = get_header(token);
	json_object_set_new(header, "cty", json_string("JWT"));
	bad = reencode_header(token, header, JSON_COMPACT);
	ck_assert(!unwrap_agree(bad, 19, &ctx, binding, now, reason,
							sizeof(reason)));
	ck_assert(!ratkn_jwe_unwrap(bad, 19, recipient.priv, recipient.pub,
								binding, now, ref, sizeof(ref)));
	ck_assert_str_eq(reason, ref);
	ck_assert_msg(strstr(reason, "cty is 'JWT'"), "%s", reason);
	free(bad);
	/* an additional header parameter (apu) */
	json_object_set_new(header, "cty", json_string(RATKN_JWE_CTY));
	json_object_set_new(header, "apu", json_string("AAAA"));
	bad = reencode_header(token, header, JSON_COMPACT);
	ck_assert(!unwrap_agree(bad, 19, &ctx, binding, now, reason,
							sizeof(reason)));
	ck_assert(!ratkn_jwe_unwrap(bad, 19, recipient.priv, recipient.pub,
								binding, now, ref, sizeof(ref)));
	ck_assert_str_eq(reason, ref);
	ck_assert_msg(strstr(reason, "'apu'"), "%s", reason);
	free(bad);
	json_decref(header);
	ck_assert_int_eq(ctx.calls, 0);
	free(token);
}
END_TEST

START_TEST(test_key_names)
{
	ck_assert(ratkn_key_name_valid("a"));
	ck_assert(ratkn_key_name_valid("model-weights.v2_x"));
	ck_assert(!ratkn_key_name_valid(""));
	ck_assert(!ratkn_key_name_valid(NULL));
	ck_assert(!ratkn_key_name_valid("-a"));
	ck_assert(!ratkn_key_name_valid("a:b"));
	ck_assert(!ratkn_key_name_valid("a/b"));
	ck_assert(!ratkn_key_name_valid(
		"a1234567890123456789012345678901234567890123456789012345678901234"));
	ck_assert(ratkn_key_name_valid(
		"a123456789012345678901234567890123456789012345678901234567890123"));
}
END_TEST

Suite *jwe_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("jwe");

	tc = tcase_create("wrap and unwrap");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_no_edek_p384);
	tcase_add_test(tc, test_key_names);
	tcase_add_test(tc, test_wrap_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("rejected");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_wrong_recipient);
	tcase_add_loop_test(tc, test_tampered, 0, countof(tamper_part));
	tcase_add_test(tc, test_truncated);
	tcase_add_loop_test(tc, test_bad_epk, 0, countof(bad_epk_x));
	tcase_add_test(tc, test_bad_segments);
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_future);
	tcase_add_test(tc, test_wrong_binding);
	suite_add_tcase(s, tc);

	tc = tcase_create("unwrap with key agreement callback");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_agree_round_trip, 0, countof(agree_cases));
	tcase_add_test(tc, test_agree_wrong_recipient);
	tcase_add_loop_test(tc, test_agree_tampered, 0, countof(tamper_part));
	tcase_add_test(tc, test_agree_header_aad);
	tcase_add_loop_test(tc, test_agree_bad_lengths, 0, countof(bad_lengths));
	tcase_add_test(tc, test_agree_encrypted_key);
	tcase_add_test(tc, test_agree_fails);
	tcase_add_loop_test(tc, test_agree_z_length, 0, countof(z_deltas));
	tcase_add_test(tc, test_agree_wrong_binding);
	tcase_add_test(tc, test_agree_expired);
	tcase_add_test(tc, test_agree_same_reasons);
	suite_add_tcase(s, tc);

	return s;
}
