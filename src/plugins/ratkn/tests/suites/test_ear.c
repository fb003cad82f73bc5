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
#include "ratkn_tests.h"

#include <ratkn_ear.h>
#include <ratkn_types.h>
#include <ratkn_verifier_client.h>

#include <jwt.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

/**
 * Known answer: an EAR signed outside of ratkn (openssl dgst, the DER
 * signature converted to R|S by hand), expiring in 2100, with the binding
 * and identity hash of the test vectors in docs/protocol.md, 12.2
 */
static char *kat_key =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE4D7DVnMLuc814+k4HvqTTLmOffwv\n"
	"k/cz084AJ/+zQ54IJMBJrOD8Jnf1DysYvJsOWQZ6Yyu3HyN5RxKJXxLx0A==\n"
	"-----END PUBLIC KEY-----\n";

static char *kat_token =
	"eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9."
	"eyJlYXRfcHJvZmlsZSI6InRhZzpnaXRodWIuY29tLDIwMjM6dmVyYWlzb24vZWFyIiwia"
	"WF0IjoxNzAwMDAwMDAwLCJleHAiOjQxMDI0NDQ4MDAsImVhci52ZXJpZmllci1pZCI6ey"
	"JkZXZlbG9wZXIiOiJodHRwczovL2V4YW1wbGUub3JnL290aGVyLXZlcmlmaWVyIiwiYnV"
	"pbGQiOiJrYXQgMSJ9LCJlYXRfbm9uY2UiOiJEaGFWaVJwU2QxTUs1YzhvVURka2ZocEJB"
	"TlZoa1paMEhzSWM2LVpSVFc0IiwiY25mIjp7Ing1dCNTMjU2IjoiN0FjZUNnRTJ5RGZBV"
	"WM3bXAzRS0yNjZtazJjUzBhUEtOLWhQN2pJbTVoMCJ9LCJzdWJtb2RzIjp7InRwbTIiOn"
	"siZWFyLnN0YXR1cyI6Indhcm5pbmciLCJlYXIudHJ1c3R3b3J0aGluZXNzLXZlY3RvciI"
	"6eyJpbnN0YW5jZS1pZGVudGl0eSI6MiwiZXhlY3V0YWJsZXMiOjMyfSwiZWFyLmFwcHJh"
	"aXNhbC1wb2xpY3ktaWQiOiJrYXQvcG9saWN5In19fQ."
	"6M6ng5yV7fScwI_oOCq0uMXkVGL65_BjW341mBhE4VwDFcH-6cz7f6S15kgaGXG3YD4mfB"
	"OKSAl0Pg_hdaWhuA";

static char *kat_binding =
	"0e1695891a5277530ae5cf285037647e1a4100d5619196741ec21cebe6514d6e";
static char *kat_identity =
	"ec071e0a0136c837c051cee6a7713edbaea6936712d1a3ca37e84fee3226e61d";

/**
 * Compare two chunks
 */
#define ck_assert_chunk_eq(a, b) ({ \
	chunk_t _a = (a), _b = (b); \
	ck_assert_msg(chunk_equals(_a, _b), "%s != %s", #a, #b); \
})

/**
 * The verifier's key pair and a second one, PEM
 */
static chunk_t priv, pub, other_priv, other_pub;

/**
 * Binding and identity hash used in the claims
 */
static uint8_t nonce[RATKN_HASH_LEN], identity[RATKN_HASH_LEN];

/**
 * Current time of the tests
 */
static time_t now;

/**
 * Write a key as PEM into a chunk
 */
static chunk_t key_to_pem(EVP_PKEY *key, bool private)
{
	BUF_MEM *mem;
	chunk_t pem;
	BIO *bio;

	bio = BIO_new(BIO_s_mem());
	ck_assert(private ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0,
												 NULL, NULL)
					  : PEM_write_bio_PUBKEY(bio, key));
	BIO_get_mem_ptr(bio, &mem);
	pem = chunk_clone(chunk_create(mem->data, mem->length));
	BIO_free(bio);
	return pem;
}

/**
 * Generate a key pair of a curve
 */
static void keygen(char *curve, chunk_t *private, chunk_t *public)
{
	EVP_PKEY *key;

	key = EVP_EC_gen(curve);
	ck_assert(key);
	*private = key_to_pem(key, TRUE);
	*public = key_to_pem(key, FALSE);
	EVP_PKEY_free(key);
}

static void setup()
{
	keygen("P-256", &priv, &pub);
	keygen("P-256", &other_priv, &other_pub);
	memset(nonce, 0x17, sizeof(nonce));
	memset(identity, 0x42, sizeof(identity));
	now = time(NULL);
}

static void teardown()
{
	chunk_clear(&priv);
	chunk_free(&pub);
	chunk_clear(&other_priv);
	chunk_free(&other_pub);
}

/**
 * Valid claims
 */
static ratkn_ear_claims_t claims()
{
	return (ratkn_ear_claims_t){
		.status = RATKN_EAR_AFFIRMING,
		.trust = { 2, 2, 2, 2 },
		.iat = now,
		.exp = now + 300,
		.nonce = chunk_from_thing(nonce),
		.identity_hash = chunk_from_thing(identity),
		.verifier_developer = "https://ratkn.example/verifier",
		.verifier_build = "ratkn-verifier test",
		.policy_id = "ratkn/default",
	};
}

/**
 * Sign a claims set (JSON) with an algorithm and key, bypassing
 * ratkn_ear_sign()'s checks
 */
static char *sign_raw(char *json, jwt_alg_t alg, chunk_t key)
{
	jwt_t *jwt;
	char *token;

	ck_assert(jwt_new(&jwt) == 0);
	ck_assert(jwt_add_grants_json(jwt, json) == 0);
	ck_assert(jwt_set_alg(jwt, alg, alg == JWT_ALG_NONE ? NULL : key.ptr,
						  alg == JWT_ALG_NONE ? 0 : key.len) == 0);
	token = jwt_encode_str(jwt);
	ck_assert(token);
	jwt_free(jwt);
	return token;
}

/**
 * base64url of the test nonce / identity
 */
static char *b64(uint8_t *data)
{
	return ratkn_base64url_encode(chunk_create(data, RATKN_HASH_LEN));
}

/**
 * Build a claims set with printf-style substitutions
 */
static char *json_claims(char *fmt, ...)
{
	va_list args;
	char *json;

	va_start(args, fmt);
	ck_assert(vasprintf(&json, fmt, args) > 0);
	va_end(args);
	return json;
}

/**
 * Verify, expecting failure with a reason containing a text
 */
static void assert_rejected(char *token, chunk_t key, char *expected)
{
	ratkn_ear_t *ear;
	char reason[256];

	ear = ratkn_ear_verify(token, key, now, reason, sizeof(reason));
	ck_assert_msg(!ear, "accepted, expected '%s'", expected);
	ck_assert_msg(strstr(reason, expected), "reason '%s', expected '%s'",
				  reason, expected);
}

START_TEST(test_status_names)
{
	ratkn_ear_status_t status;

	ck_assert_str_eq(ratkn_ear_status_name(RATKN_EAR_AFFIRMING), "affirming");
	ck_assert_str_eq(ratkn_ear_status_name(RATKN_EAR_WARNING), "warning");
	ck_assert_str_eq(ratkn_ear_status_name(RATKN_EAR_CONTRAINDICATED),
					 "contraindicated");
	ck_assert_str_eq(ratkn_ear_status_name(RATKN_EAR_NONE), "none");
	ck_assert_str_eq(ratkn_ear_status_name(17), "none");
	ck_assert(ratkn_ear_status_from_name("warning", &status));
	ck_assert_int_eq(status, RATKN_EAR_WARNING);
	ck_assert(ratkn_ear_status_from_name("none", &status));
	ck_assert_int_eq(status, RATKN_EAR_NONE);
	ck_assert(!ratkn_ear_status_from_name("Affirming", &status));
	ck_assert(!ratkn_ear_status_from_name("", &status));
	ck_assert(!ratkn_ear_status_from_name(NULL, &status));
}
END_TEST

START_TEST(test_round_trip)
{
	ratkn_ear_claims_t c = claims(), *parsed;
	ratkn_ear_status_t states[] = {
		RATKN_EAR_AFFIRMING, RATKN_EAR_WARNING, RATKN_EAR_CONTRAINDICATED,
		RATKN_EAR_NONE,
	};
	ratkn_ear_t *ear;
	char reason[256], *token;
	int i;

	for (i = 0; i < countof(states); i++)
	{
		c.status = states[i];
		c.trust[RATKN_EAR_TV_EXECUTABLES] = 2 + i * 30;
		c.reason = i ? "PCR sha256:4 has unexpected value" : NULL;
		token = ratkn_ear_sign(&c, priv);
		ck_assert(token);
		ear = ratkn_ear_verify(token, pub, now, reason, sizeof(reason));
		ck_assert_msg(ear, "%s", reason);
		ck_assert_str_eq(ear->get_token(ear), token);
		parsed = ear->get_claims(ear);
		ck_assert_int_eq(parsed->status, states[i]);
		ck_assert_int_eq(parsed->iat, c.iat);
		ck_assert_int_eq(parsed->exp, c.exp);
		ck_assert(chunk_equals(parsed->nonce, c.nonce));
		ck_assert(chunk_equals(parsed->identity_hash, c.identity_hash));
		ck_assert_int_eq(parsed->trust[RATKN_EAR_TV_INSTANCE], 2);
		ck_assert_int_eq(parsed->trust[RATKN_EAR_TV_CONFIGURATION], 2);
		ck_assert_int_eq(parsed->trust[RATKN_EAR_TV_EXECUTABLES],
						 2 + i * 30);
		ck_assert_int_eq(parsed->trust[RATKN_EAR_TV_HARDWARE], 2);
		ck_assert_str_eq(parsed->verifier_developer, c.verifier_developer);
		ck_assert_str_eq(parsed->verifier_build, c.verifier_build);
		ck_assert_str_eq(parsed->policy_id, "ratkn/default");
		if (i)
		{
			ck_assert_str_eq(parsed->reason, c.reason);
		}
		else
		{
			ck_assert(!parsed->reason);
		}
		ear->destroy(ear);
		free(token);
	}
}
END_TEST

START_TEST(test_optional_claims)
{
	ratkn_ear_claims_t c = claims(), *parsed;
	ratkn_ear_t *ear;
	char reason[256], *token;

	/* no policy, no reason; trust claims outside -128..127 are omitted */
	c.policy_id = NULL;
	c.trust[RATKN_EAR_TV_CONFIGURATION] = 1000;
	c.trust[RATKN_EAR_TV_HARDWARE] = -1;
	token = ratkn_ear_sign(&c, priv);
	ck_assert(token);
	ear = ratkn_ear_verify(token, pub, now, reason, sizeof(reason));
	ck_assert_msg(ear, "%s", reason);
	parsed = ear->get_claims(ear);
	ck_assert(!parsed->policy_id);
	ck_assert(!parsed->reason);
	ck_assert_int_eq(parsed->trust[RATKN_EAR_TV_CONFIGURATION], 0);
	ck_assert_int_eq(parsed->trust[RATKN_EAR_TV_HARDWARE], -1);
	ear->destroy(ear);
	free(token);
}
END_TEST

START_TEST(test_fresh_since)
{
	ratkn_ear_claims_t c = claims();
	ratkn_ear_t *ear;
	char reason[256], *token;
	int claim;

	/* absent unless the verifier saw the quote made after its challenge */
	token = ratkn_ear_sign(&c, priv);
	ear = ratkn_ear_verify(token, pub, now, reason, sizeof(reason));
	ck_assert_msg(ear, "%s", reason);
	ck_assert_int_eq(ear->get_claims(ear)->fresh_since, 0);
	ear->destroy(ear);
	free(token);

	c.fresh_since = now - 20;
	token = ratkn_ear_sign(&c, priv);
	ck_assert(strstr(token, "."));
	ear = ratkn_ear_verify(token, pub, now, reason, sizeof(reason));
	ck_assert_msg(ear, "%s", reason);
	ck_assert_int_eq(ear->get_claims(ear)->fresh_since, now - 20);
	ear->destroy(ear);
	free(token);

	ck_assert(ratkn_ear_tv_from_name("hardware", &claim));
	ck_assert_int_eq(claim, RATKN_EAR_TV_HARDWARE);
	ck_assert_str_eq(ratkn_ear_tv_name(RATKN_EAR_TV_INSTANCE),
					 "instance-identity");
	ck_assert(!ratkn_ear_tv_from_name("Hardware", &claim));
	ck_assert(!ratkn_ear_tv_from_name(NULL, &claim));
	ck_assert(!ratkn_ear_tv_name(RATKN_EAR_TV_COUNT));
}
END_TEST

START_TEST(test_known_answer)
{
	chunk_t key = chunk_from_str(kat_key), binding, id;
	ratkn_ear_claims_t *parsed;
	ratkn_ear_t *ear;
	char reason[256];

	binding = ratkn_test_hex(kat_binding);
	id = ratkn_test_hex(kat_identity);
	ear = ratkn_ear_verify(kat_token, key, now, reason, sizeof(reason));
	ck_assert_msg(ear, "%s", reason);
	parsed = ear->get_claims(ear);
	ck_assert_int_eq(parsed->status, RATKN_EAR_WARNING);
	ck_assert_int_eq(parsed->iat, 1700000000);
	ck_assert_int_eq(parsed->exp, 4102444800);
	ck_assert(chunk_equals(parsed->nonce, binding));
	ck_assert(chunk_equals(parsed->identity_hash, id));
	ck_assert_int_eq(parsed->trust[RATKN_EAR_TV_INSTANCE], 2);
	ck_assert_int_eq(parsed->trust[RATKN_EAR_TV_EXECUTABLES], 32);
	ck_assert_int_eq(parsed->trust[RATKN_EAR_TV_HARDWARE], 0);
	ck_assert_str_eq(parsed->verifier_developer,
					 "https://example.org/other-verifier");
	ck_assert_str_eq(parsed->verifier_build, "kat 1");
	ck_assert_str_eq(parsed->policy_id, "kat/policy");
	ear->destroy(ear);

	/* our key does not verify it */
	assert_rejected(kat_token, pub, "bad signature");
	chunk_free(&binding);
	chunk_free(&id);
}
END_TEST

/**
 * Offsets into the three parts of a token to flip
 */
static int flip_part[] = { 0, 1, 2 };

START_TEST(test_bad_signature)
{
	ratkn_ear_claims_t c = claims();
	char *token, *start, *dot, reason[256];
	ratkn_ear_t *ear;
	int i;

	token = ratkn_ear_sign(&c, priv);
	ck_assert(token);
	/* flip a character in the middle of part _i (all bits there are data) */
	start = token;
	for (i = 0; i < flip_part[_i]; i++)
	{
		start = strchr(start, '.') + 1;
	}
	dot = strchr(start, '.') ?: start + strlen(start);
	start += (dot - start) / 2;
	*start = (*start == 'A') ? 'B' : 'A';
	ear = ratkn_ear_verify(token, pub, now, reason, sizeof(reason));
	ck_assert_msg(!ear, "tampered part %d accepted", flip_part[_i]);
	ck_assert(reason[0]);
	free(token);
}
END_TEST

START_TEST(test_truncated_signature)
{
	ratkn_ear_claims_t c = claims();
	char *token;

	token = ratkn_ear_sign(&c, priv);
	ck_assert(token);
	token[strlen(token) - 4] = '\0';
	assert_rejected(token, pub, "bad signature");
	free(token);
}
END_TEST

START_TEST(test_wrong_key)
{
	ratkn_ear_claims_t c = claims();
	chunk_t p384_priv, p384_pub;
	char *token;

	token = ratkn_ear_sign(&c, priv);
	ck_assert(token);
	assert_rejected(token, other_pub, "bad signature");
	/* a P-384 key or a private key are not verification keys */
	keygen("P-384", &p384_priv, &p384_pub);
	assert_rejected(token, p384_pub, "not an EC P-256 public key");
	assert_rejected(token, priv, "not an EC P-256 public key");
	assert_rejected(token, chunk_empty, "not an EC P-256 public key");
	assert_rejected(token, chunk_from_str("garbage"),
					"not an EC P-256 public key");
	/* nor can we sign with them */
	ck_assert(!ratkn_ear_sign(&c, p384_priv));
	ck_assert(!ratkn_ear_sign(&c, pub));
	ck_assert(!ratkn_ear_sign(&c, chunk_empty));
	chunk_clear(&p384_priv);
	chunk_free(&p384_pub);
	free(token);
}
END_TEST

START_TEST(test_expired)
{
	ratkn_ear_claims_t c = claims();
	char *token;

	c.iat = now - 600;
	c.exp = now - 1;
	token = ratkn_ear_sign(&c, priv);
	ck_assert(token);
	assert_rejected(token, pub, "expired");
	free(token);

	/* exp == now is expired too */
	c.exp = now;
	token = ratkn_ear_sign(&c, priv);
	ck_assert(token);
	assert_rejected(token, pub, "expired");
	free(token);
}
END_TEST

START_TEST(test_not_yet_valid)
{
	ratkn_ear_claims_t c = claims();
	ratkn_ear_t *ear;
	char reason[256], *token;

	c.iat = now + 120;
	c.exp = now + 400;
	token = ratkn_ear_sign(&c, priv);
	ck_assert(token);
	assert_rejected(token, pub, "not yet valid");
	free(token);

	/* clocks may differ by up to 60 s */
	c.iat = now + 60;
	token = ratkn_ear_sign(&c, priv);
	ck_assert(token);
	ear = ratkn_ear_verify(token, pub, now, reason, sizeof(reason));
	ck_assert_msg(ear, "%s", reason);
	ear->destroy(ear);
	free(token);
}
END_TEST

START_TEST(test_exp_before_iat)
{
	ratkn_ear_claims_t c = claims();
	char *json, *token, *n = b64(nonce), *id = b64(identity);

	c.iat = now + 10;
	c.exp = now + 5;
	ck_assert(!ratkn_ear_sign(&c, priv));

	json = json_claims("{\"eat_profile\":\"%s\",\"iat\":%ld,\"exp\":%ld,"
		"\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
		"\"eat_nonce\":\"%s\",\"cnf\":{\"x5t#S256\":\"%s\"},"
		"\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
		RATKN_EAR_PROFILE, (long)now + 10, (long)now + 5, n, id);
	token = sign_raw(json, JWT_ALG_ES256, priv);
	assert_rejected(token, pub, "before it was issued");
	free(token);
	free(json);
	free(n);
	free(id);
}
END_TEST

START_TEST(test_alg_none)
{
	ratkn_ear_claims_t c = claims();
	char *token, *json, *header, *payload, *forged, *sig, *dot;
	jwt_t *jwt;

	/* the claims of a valid token, unsigned */
	token = ratkn_ear_sign(&c, priv);
	ck_assert(token);
	ck_assert(jwt_decode(&jwt, token, pub.ptr, pub.len) == 0);
	json = jwt_get_grants_json(jwt, NULL);
	ck_assert(json);
	jwt_free(jwt);
	forged = sign_raw(json, JWT_ALG_NONE, chunk_empty);
	/* "header.payload." */
	assert_rejected(forged, pub, "not a JWS");

	/* with the signature of the valid token appended */
	sig = strrchr(token, '.') + 1;
	header = forged;
	ck_assert(asprintf(&payload, "%s%s", forged, sig) > 0);
	assert_rejected(payload, pub, "algorithm 'none' not accepted");
	free(payload);

	/* the payload of the valid token with a none header */
	dot = strchr(forged, '.');
	*dot = '\0';
	ck_assert(asprintf(&payload, "%s%s", header, strchr(token, '.')) > 0);
	assert_rejected(payload, pub, "algorithm 'none' not accepted");
	free(payload);

	free(json);
	free(forged);
	free(token);
}
END_TEST

START_TEST(test_alg_hs256)
{
	ratkn_ear_claims_t c = claims();
	char *token, *json, *forged;
	jwt_t *jwt;

	token = ratkn_ear_sign(&c, priv);
	ck_assert(token);
	ck_assert(jwt_decode(&jwt, token, pub.ptr, pub.len) == 0);
	json = jwt_get_grants_json(jwt, NULL);
	jwt_free(jwt);

	/* HMAC keyed with the public key, the classic alg confusion */
	forged = sign_raw(json, JWT_ALG_HS256, pub);
	assert_rejected(forged, pub, "algorithm 'HS256' not accepted");
	free(forged);

	/* other asymmetric algorithms are not accepted either */
	forged = sign_raw(json, JWT_ALG_ES384, priv);
	assert_rejected(forged, pub, "algorithm 'ES384' not accepted");
	free(forged);

	free(json);
	free(token);
}
END_TEST

/**
 * Claims sets that are well signed but invalid, %1$s: profile, %2$ld iat,
 * %3$ld exp, %4$s nonce, %5$s identity
 */
static struct {
	char *json;
	char *reason;
} invalid[] = {
	{ "{\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "missing eat_profile" },
	{ "{\"eat_profile\":\"tag:github.com,2022:veraison/ear\","
	  "\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "wrong profile" },
	{ "{\"eat_profile\":\"%1$s\",\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "ill-formed iat" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":\"%2$ld\",\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "ill-formed iat" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "ill-formed exp" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld.5,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "ill-formed exp" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "ear.verifier-id" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "missing eat_nonce" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
	  "\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "ill-formed eat_nonce" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s=\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "ill-formed eat_nonce" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":[\"%4$s\"],\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "ill-formed eat_nonce" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\","
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "missing cnf" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"jkt\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "missing cnf" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%4$s%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "ill-formed cnf" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"}}",
	  "missing submods" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"a\":{\"ear.status\":\"affirming\"},"
	  "\"b\":{\"ear.status\":\"affirming\"}}}",
	  "missing submods" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{}}}",
	  "missing ear.status" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"fine\"}}}",
	  "unknown ear.status" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":2}}}",
	  "missing ear.status" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\","
	  "\"ear.trustworthiness-vector\":{\"executables\":128}}}}",
	  "out of range" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\","
	  "\"ear.trustworthiness-vector\":{\"hardware\":-129}}}}",
	  "out of range" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\","
	  "\"ear.trustworthiness-vector\":{\"hardware\":\"genuine\"}}}}",
	  "ill-formed trustworthiness claim hardware" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\","
	  "\"ear.trustworthiness-vector\":[2,2,2,2]}}}",
	  "ill-formed ear.trustworthiness-vector" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\","
	  "\"ratkn.reason\":7}}}",
	  "ill-formed ratkn.reason" },
	/* the challenge must be issued before the result */
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ratkn.fresh-since\":%3$ld,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "ill-formed ratkn.fresh-since" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ratkn.fresh-since\":\"%2$ld\","
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "ill-formed ratkn.fresh-since" },
	{ "{\"eat_profile\":\"%1$s\",\"iat\":%2$ld,\"exp\":%3$ld,"
	  "\"ratkn.fresh-since\":0,"
	  "\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
	  "\"eat_nonce\":\"%4$s\",\"cnf\":{\"x5t#S256\":\"%5$s\"},"
	  "\"submods\":{\"tpm2\":{\"ear.status\":\"affirming\"}}}",
	  "ill-formed ratkn.fresh-since" },
};

START_TEST(test_invalid_claims)
{
	char *json, *token, *n = b64(nonce), *id = b64(identity);

	json = json_claims(invalid[_i].json, RATKN_EAR_PROFILE, (long)now,
					   (long)now + 300, n, id);
	token = sign_raw(json, JWT_ALG_ES256, priv);
	assert_rejected(token, pub, invalid[_i].reason);
	free(token);
	free(json);
	free(n);
	free(id);
}
END_TEST

START_TEST(test_single_submod)
{
	char *json, *token, *n = b64(nonce), *id = b64(identity), reason[256];
	ratkn_ear_t *ear;

	/* another verifier may name its only submodule differently */
	json = json_claims("{\"eat_profile\":\"%s\",\"iat\":%ld,\"exp\":%ld,"
		"\"ear.verifier-id\":{\"developer\":\"d\",\"build\":\"b\"},"
		"\"eat_nonce\":\"%s\",\"cnf\":{\"x5t#S256\":\"%s\"},"
		"\"submods\":{\"TPM_ENACTTRUST\":{\"ear.status\":\"warning\"}}}",
		RATKN_EAR_PROFILE, (long)now, (long)now + 300, n, id);
	token = sign_raw(json, JWT_ALG_ES256, priv);
	ear = ratkn_ear_verify(token, pub, now, reason, sizeof(reason));
	ck_assert_msg(ear, "%s", reason);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_WARNING);
	ck_assert_int_eq(ear->get_claims(ear)->trust[RATKN_EAR_TV_INSTANCE], 0);
	ear->destroy(ear);
	free(token);
	free(json);
	free(n);
	free(id);
}
END_TEST

START_TEST(test_not_a_jws)
{
	char *long_token;

	assert_rejected(NULL, pub, "no attestation result");
	assert_rejected("", pub, "no attestation result");
	assert_rejected("garbage", pub, "not a JWS");
	assert_rejected("a.b", pub, "not a JWS");
	assert_rejected("a.b.c.d", pub, "not a JWS");
	assert_rejected("a..c", pub, "not a JWS");
	assert_rejected("eyJh bGc.eyJ.sig", pub, "not a JWS");
	assert_rejected("eyJhbGciOiJFUzI1NiJ9+.e30.AAAA", pub, "not a JWS");
	/* header not JSON, alg missing */
	assert_rejected("AAAA.e30.AAAA", pub, "header is not a JSON object");
	assert_rejected("e30.e30.AAAA", pub, "no algorithm");
	/* {"alg":"ES256","crit":["exp"]} */
	assert_rejected("eyJhbGciOiJFUzI1NiIsImNyaXQiOlsiZXhwIl19.e30.AAAA", pub,
					"critical");

	long_token = malloc(9000);
	memset(long_token, 'A', 8999);
	long_token[8999] = '\0';
	long_token[10] = long_token[20] = '.';
	assert_rejected(long_token, pub, "longer than");
	free(long_token);
}
END_TEST

/**
 * Regression (found by testing/fuzz, target ear): splitting a token stepped
 * past the NULL returned by strchr() after the last part (NULL + 1, undefined
 * behavior reported by UBSan for every token). The token is in a buffer of
 * exactly its size, so ASan also catches reads beyond it.
 */
START_TEST(test_split_last_part)
{
	chunk_t key = chunk_from_str(kat_key);
	ratkn_ear_t *ear;
	char reason[256], *token;

	token = strdup(kat_token);
	ear = ratkn_ear_verify(token, key, now, reason, sizeof(reason));
	ck_assert_msg(ear, "%s", reason);
	ear->destroy(ear);
	/* an empty third part or a fourth part are still refused */
	*(strrchr(token, '.') + 1) = '\0';
	assert_rejected(token, key, "not a JWS");
	free(token);
	token = malloc(strlen(kat_token) + 3);
	sprintf(token, "%s.x", kat_token);
	assert_rejected(token, key, "not a JWS");
	free(token);
}
END_TEST

START_TEST(test_sign_invalid)
{
	ratkn_ear_claims_t c = claims();

	c.nonce = chunk_create(nonce, 31);
	ck_assert(!ratkn_ear_sign(&c, priv));
	c = claims();
	c.identity_hash = chunk_empty;
	ck_assert(!ratkn_ear_sign(&c, priv));
	c = claims();
	c.status = 17;
	ck_assert(!ratkn_ear_sign(&c, priv));
	c = claims();
	c.verifier_build = NULL;
	ck_assert(!ratkn_ear_sign(&c, priv));
}
END_TEST

START_TEST(test_nonce_identity_exact)
{
	ratkn_ear_claims_t c = claims(), *parsed;
	uint8_t other[RATKN_HASH_LEN];
	ratkn_ear_t *ear;
	char reason[256], *token;

	/* the caller compares against its recomputed binding and identity: the
	 * parsed values are exactly what was signed, and differ from others */
	token = ratkn_ear_sign(&c, priv);
	ck_assert(token);
	ear = ratkn_ear_verify(token, pub, now, reason, sizeof(reason));
	ck_assert_msg(ear, "%s", reason);
	parsed = ear->get_claims(ear);
	ck_assert_int_eq(parsed->nonce.len, RATKN_HASH_LEN);
	ck_assert(memeq(parsed->nonce.ptr, nonce, RATKN_HASH_LEN));
	ck_assert_int_eq(parsed->identity_hash.len, RATKN_HASH_LEN);
	ck_assert(memeq(parsed->identity_hash.ptr, identity, RATKN_HASH_LEN));

	/* "wrong nonce": a binding differing in the last octet */
	memcpy(other, nonce, sizeof(other));
	other[RATKN_HASH_LEN - 1] ^= 0x01;
	ck_assert(!chunk_equals_const(parsed->nonce, chunk_from_thing(other)));
	/* "wrong identity" */
	memcpy(other, identity, sizeof(other));
	other[0] ^= 0x80;
	ck_assert(!chunk_equals_const(parsed->identity_hash,
								  chunk_from_thing(other)));
	/* nonce and identity are not interchangeable */
	ck_assert(!chunk_equals(parsed->nonce, parsed->identity_hash));
	ear->destroy(ear);
	free(token);
}
END_TEST

Suite *ear_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("ear");

	tc = tcase_create("status");
	tcase_add_test(tc, test_status_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("sign and verify");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_optional_claims);
	tcase_add_test(tc, test_fresh_since);
	tcase_add_test(tc, test_known_answer);
	tcase_add_test(tc, test_single_submod);
	tcase_add_test(tc, test_nonce_identity_exact);
	tcase_add_test(tc, test_sign_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("rejected");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_bad_signature, 0, countof(flip_part));
	tcase_add_test(tc, test_truncated_signature);
	tcase_add_test(tc, test_wrong_key);
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_not_yet_valid);
	tcase_add_test(tc, test_exp_before_iat);
	tcase_add_test(tc, test_alg_none);
	tcase_add_test(tc, test_alg_hs256);
	tcase_add_loop_test(tc, test_invalid_claims, 0, countof(invalid));
	tcase_add_test(tc, test_not_a_jws);
	tcase_add_test(tc, test_split_last_part);
	suite_add_tcase(s, tc);

	return s;
}
