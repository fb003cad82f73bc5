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
#include "verifier_tests.h"
#include "swtpm_fixture.h"

#include <stdio.h>

#include <jansson.h>

#include <ratkn_base64url.h>
#include <ratkn_ear.h>

#include "verifier_api.h"
#include "verifier_config.h"
#include "verifier_key.h"
#include "verifier_store.h"

static char *dir;
static verifier_config_t *config;
static verifier_store_t *store;
static verifier_key_t *key;
static verifier_api_t *api;

/**
 * Media type of requests
 */
#define JSON "application/json"

/**
 * Set up the API with "enroll = yes|no"
 */
static void setup_with(bool enroll)
{
	char *path, *db, *signing_key;
	char **ca = vt_localca();

	dir = vt_mkdtemp();
	ck_assert(asprintf(&db, "%s/verifier.db", dir) > 0);
	ck_assert(asprintf(&signing_key, "%s/ear-key.pem", dir) > 0);
	ck_assert(asprintf(&path, "%s/verifier.conf", dir) > 0);
	vt_write(path, "verifier {\n"
			 "  tls = no\n"
			 "  database = %s\n"
			 "  signing_key = %s\n"
			 "  ek_ca = %s, %s\n"
			 "  enroll = %s\n"
			 "  developer = https://ratkn.example/api-test\n"
			 "}\n", db, signing_key, ca[0], ca[1], enroll ? "yes" : "no");
	config = verifier_config_load(path);
	ck_assert(config);
	ck_assert(verifier_key_generate(signing_key));
	key = verifier_key_load(signing_key);
	ck_assert(key);
	store = verifier_store_create(db);
	ck_assert(store);
	ck_assert_int_eq(store->add_group(store, "default"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->set_group_enroll(store, "default", TRUE),
					 VERIFIER_STORE_OK);
	api = verifier_api_create(config, store, key);
	ck_assert(api);
	free(path);
	free(db);
	free(signing_key);
}

static void setup()
{
	setup_with(TRUE);
}

static void setup_no_enroll()
{
	setup_with(FALSE);
}

static void teardown()
{
	api->destroy(api);
	store->destroy(store);
	key->destroy(key);
	config->destroy(config);
	vt_rmtree(dir);
}

/**
 * Make a request, return the status and the parsed response
 */
static u_int request(char *method, char *path, char *type, char *body,
					 json_t **json)
{
	chunk_t response = chunk_empty;
	char *allow;
	u_int status;

	status = api->handle(api, "127.0.0.1:1234", method, path, type,
						 chunk_from_str(body ?: ""), &response, &allow);
	ck_assert(response.ptr);
	ck_assert_int_eq(strlen(response.ptr), response.len);
	*json = json_loads(response.ptr, 0, NULL);
	ck_assert_msg(json_is_object(*json), "response '%s' not an object",
				  response.ptr);
	if (status == 405)
	{
		ck_assert(allow);
	}
	chunk_free(&response);
	return status;
}

/**
 * Make a request expecting an error status
 */
static void assert_error(char *method, char *path, char *type, char *body,
						 u_int expected, char *msg)
{
	json_t *json;
	u_int status;

	status = request(method, path, type, body, &json);
	ck_assert_int_eq(status, expected);
	ck_assert(json_is_string(json_object_get(json, "error")));
	if (msg)
	{
		ck_assert_msg(strstr(json_string_value(json_object_get(json, "error")),
							 msg), "error '%s', expected '%s'",
					  json_string_value(json_object_get(json, "error")), msg);
	}
	json_decref(json);
}

START_TEST(test_health)
{
	json_t *json;

	ck_assert_int_eq(request("GET", "/v1/health", NULL, NULL, &json), 200);
	ck_assert_str_eq(json_string_value(json_object_get(json, "status")),
					 "ok");
	json_decref(json);
}
END_TEST

START_TEST(test_key)
{
	json_t *json, *jwk;

	ck_assert_int_eq(request("GET", "/v1/key", NULL, NULL, &json), 200);
	ck_assert_str_eq(json_string_value(json_object_get(json, "pem")),
					 key->get_public(key).ptr);
	jwk = json_object_get(json, "jwk");
	ck_assert_str_eq(json_string_value(json_object_get(jwk, "kty")), "EC");
	ck_assert_str_eq(json_string_value(json_object_get(jwk, "kid")),
					 key->get_kid(key));
	json_decref(json);
}
END_TEST

START_TEST(test_routing)
{
	assert_error("GET", "/", NULL, NULL, 404, "no such resource");
	assert_error("GET", "/v1", NULL, NULL, 404, NULL);
	assert_error("GET", "/v1/health/", NULL, NULL, 404, NULL);
	assert_error("GET", "/v2/health", NULL, NULL, 404, NULL);
	assert_error("POST", "/v1/enroll/", JSON, "{}", 404, NULL);
	assert_error("POST", "/v1/enroll/a/b", JSON, "{}", 404, NULL);
	assert_error("GET", "/v1/attest", NULL, NULL, 405, NULL);
	assert_error("PUT", "/v1/attest", JSON, "{}", 405, NULL);
	assert_error("DELETE", "/v1/enroll/00", NULL, NULL, 405, NULL);
	assert_error("POST", "/v1/health", JSON, "{}", 405, NULL);
	assert_error("HEAD", "/v1/key", NULL, NULL, 405, NULL);
	assert_error("GET", "/v1/challenge", NULL, NULL, 405, NULL);
	assert_error("POST", "/v1/challenge/x", JSON, "{}", 404, NULL);
}
END_TEST

START_TEST(test_challenge)
{
	json_t *json, *member;
	chunk_t a, b;
	time_t now = time(NULL);

	ck_assert_int_eq(request("POST", "/v1/challenge", JSON, "{}", &json),
					 200);
	member = json_object_get(json, "challenge");
	ck_assert(json_is_string(member));
	ck_assert(ratkn_base64url_decode(json_string_value(member),
									 json_string_length(member), &a));
	ck_assert_int_eq(a.len, 40);
	member = json_object_get(json, "expires");
	ck_assert(json_is_integer(member));
	ck_assert(json_integer_value(member) >= now + 60 &&
			  json_integer_value(member) <= now + 65);
	json_decref(json);
	/* unknown members are ignored, a body is required like for all POSTs */
	ck_assert_int_eq(request("POST", "/v1/challenge", JSON, "{\"x\":1}",
							 &json), 200);
	ck_assert(ratkn_base64url_decode(json_string_value(json_object_get(json,
					"challenge")), 54, &b));
	ck_assert(!chunk_equals(a, b));
	json_decref(json);
	assert_error("POST", "/v1/challenge", JSON, "", 400, "malformed JSON");
	assert_error("POST", "/v1/challenge", NULL, "{}", 415, NULL);
	chunk_free(&a);
	chunk_free(&b);
}
END_TEST

START_TEST(test_media_type)
{
	json_t *json;

	assert_error("POST", "/v1/attest", NULL, "{}", 415, "Content-Type");
	assert_error("POST", "/v1/attest", "text/plain", "{}", 415, NULL);
	assert_error("POST", "/v1/attest", "application/json-seq", "{}", 415,
				 NULL);
	assert_error("POST", "/v1/attest", "application/jsonx", "{}", 415, NULL);
	assert_error("POST", "/v1/attest", "", "{}", 415, NULL);
	/* parameters and case do not matter */
	ck_assert_int_eq(request("POST", "/v1/attest",
							 "application/json; charset=utf-8", "{}", &json),
					 400);
	json_decref(json);
	ck_assert_int_eq(request("POST", "/v1/attest", "Application/JSON", "{}",
							 &json), 400);
	json_decref(json);
}
END_TEST

START_TEST(test_malformed)
{
	char *big;

	assert_error("POST", "/v1/attest", JSON, "", 400, "malformed JSON");
	assert_error("POST", "/v1/attest", JSON, "{", 400, "malformed JSON");
	assert_error("POST", "/v1/attest", JSON, "[]", 400, "malformed JSON");
	assert_error("POST", "/v1/attest", JSON, "\"evidence\"", 400,
				 "malformed JSON");
	assert_error("POST", "/v1/attest", JSON, "{\"a\":1,\"a\":2}", 400,
				 "malformed JSON");
	assert_error("POST", "/v1/attest", JSON, "{}", 400, "'evidence'");
	assert_error("POST", "/v1/attest", JSON, "{\"evidence\":1}", 400,
				 "'evidence'");
	assert_error("POST", "/v1/attest", JSON, "{\"evidence\":\"\"}", 400,
				 "'evidence'");
	/* standard base64, padding */
	assert_error("POST", "/v1/attest", JSON, "{\"evidence\":\"AA+/\"}", 400,
				 "'evidence'");
	assert_error("POST", "/v1/attest", JSON, "{\"evidence\":\"AAA=\"}", 400,
				 "'evidence'");
	assert_error("POST", "/v1/attest", JSON, "{\"evidence\":\"A\"}", 400,
				 "'evidence'");
	/* base64url, but not evidence */
	assert_error("POST", "/v1/attest", JSON, "{\"evidence\":\"AAAA\"}", 400,
				 "malformed evidence");
	/* larger than any evidence */
	big = malloc(30000);
	memset(big, 'A', 29999);
	big[29999] = '\0';
	memcpy(big, "{\"evidence\":\"", 13);
	memcpy(big + 29997, "\"}", 2);
	assert_error("POST", "/v1/attest", JSON, big, 400, "'evidence'");
	free(big);
	/* embedded NUL in JSON */
	assert_error("POST", "/v1/attest", JSON, "{\"evidence\":\"\\u0000\"}",
				 400, NULL);
}
END_TEST

/**
 * POST evidence, return the parsed EAR
 */
static ratkn_ear_t *attest(chunk_t evidence, char *status)
{
	json_t *json;
	ratkn_ear_t *ear;
	char *body, *encoded, reason[256];

	encoded = vt_b64url_encode(evidence);
	ck_assert(asprintf(&body, "{\"evidence\":\"%s\",\"other\":[1]}",
					   encoded) > 0);
	ck_assert_int_eq(request("POST", "/v1/attest", JSON, body, &json), 200);
	ck_assert_str_eq(json_string_value(json_object_get(json, "status")),
					 status);
	ear = ratkn_ear_verify((char*)json_string_value(
								json_object_get(json, "ear")),
						   key->get_public(key), time(NULL), reason,
						   sizeof(reason));
	ck_assert_msg(ear, "%s", reason);
	ck_assert_str_eq(ratkn_ear_status_name(ear->get_claims(ear)->status),
					 status);
	json_decref(json);
	free(body);
	free(encoded);
	return ear;
}

START_TEST(test_attest)
{
	vt_attester_t *attester;
	verifier_attester_t a = {
		.group = "default",
	};
	uint8_t binding[RATKN_HASH_LEN];
	chunk_t evidence;
	array_t *refs;
	ratkn_ear_t *ear;

	attester = vt_attester_create(FALSE);
	refs = vt_current_refs(attester, "sha256:0-7");
	ck_assert_int_eq(store->set_reference(store, "default", refs),
					 VERIFIER_STORE_OK);
	array_destroy_function(refs, verifier_ref_destroy, NULL);

	/* unknown AK first */
	evidence = vt_evidence(attester, "sha256:0-7", RATKN_IKE_RESPONDER);
	ear = attest(evidence, "contraindicated");
	ck_assert_str_eq(ear->get_claims(ear)->reason, "AK not enrolled");
	ear->destroy(ear);

	a.ak_spki = attester->spki;
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);
	ear = attest(evidence, "affirming");
	vt_binding(attester, RATKN_IKE_RESPONDER, binding);
	ck_assert(chunk_equals(ear->get_claims(ear)->nonce,
						   chunk_from_thing(binding)));
	ck_assert(chunk_equals(ear->get_claims(ear)->identity_hash,
						   chunk_from_thing(attester->identity)));
	ck_assert_str_eq(ear->get_claims(ear)->verifier_developer,
					 "https://ratkn.example/api-test");
	ear->destroy(ear);
	chunk_free(&evidence);
	vt_attester_destroy(attester);
}
END_TEST

START_TEST(test_attest_challenged)
{
	vt_attester_t *attester;
	verifier_attester_t a = {
		.group = "default",
	};
	json_t *json;
	chunk_t value, evidence, expired;
	ratkn_ear_t *ear;
	char *body, *encoded;
	time_t now = time(NULL);

	attester = vt_attester_create(FALSE);
	a.ak_spki = attester->spki;
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);

	ck_assert_int_eq(request("POST", "/v1/challenge", JSON, "{}", &json),
					 200);
	value = vt_b64url_decode(json_string_value(json_object_get(json,
															   "challenge")));
	json_decref(json);
	evidence = vt_evidence_challenged(attester, "sha256:0-7",
									  RATKN_IKE_INITIATOR, value, value);
	ear = attest(evidence, "none");
	ck_assert(ear->get_claims(ear)->fresh_since >= now);
	ck_assert(ear->get_claims(ear)->fresh_since <= ear->get_claims(ear)->iat);
	ear->destroy(ear);
	chunk_free(&evidence);

	/* a challenge this verifier did not issue: 403 naming the reason */
	expired = chunk_clone(value);
	expired.ptr[20] ^= 0x01;
	evidence = vt_evidence_challenged(attester, "sha256:0-7",
									  RATKN_IKE_INITIATOR, expired, expired);
	encoded = vt_b64url_encode(evidence);
	ck_assert(asprintf(&body, "{\"evidence\":\"%s\"}", encoded) > 0);
	assert_error("POST", "/v1/attest", JSON, body, 403,
				 "challenge not issued by this verifier");
	free(body);
	free(encoded);
	chunk_free(&evidence);
	chunk_free(&expired);
	chunk_free(&value);
	vt_attester_destroy(attester);
}
END_TEST

/**
 * POST /v1/enroll, returns the status and the response
 */
static u_int enroll_start(vt_attester_t *attester, char *group, json_t **json)
{
	chunk_t cert, pub;
	char *body, *c, *a;
	u_int status;

	ck_assert(attester->tpm->get_ek(attester->tpm, &cert, &pub));
	c = vt_b64url_encode(cert);
	a = vt_b64url_encode(attester->ak_public);
	if (group)
	{
		ck_assert(asprintf(&body, "{\"ek_cert\":\"%s\",\"ak_public\":\"%s\","
						   "\"group\":\"%s\"}", c, a, group) > 0);
	}
	else
	{
		ck_assert(asprintf(&body, "{\"ek_cert\":\"%s\",\"ak_public\":\"%s\"}",
						   c, a) > 0);
	}
	status = request("POST", "/v1/enroll", JSON, body, json);
	free(body);
	free(c);
	free(a);
	chunk_free(&cert);
	chunk_free(&pub);
	return status;
}

/**
 * Recover the secret of an enrollment response with the TPM
 */
static char *activate(vt_attester_t *attester, json_t *json)
{
	chunk_t blob, encrypted, secret;
	char *encoded;

	blob = vt_b64url_decode(json_string_value(
								json_object_get(json, "credential_blob")));
	encrypted = vt_b64url_decode(json_string_value(
								json_object_get(json, "encrypted_secret")));
	ck_assert(attester->tpm->activate_credential(attester->tpm, blob,
												 encrypted, &secret));
	encoded = vt_b64url_encode(secret);
	chunk_clear(&secret);
	chunk_free(&blob);
	chunk_free(&encrypted);
	return encoded;
}

START_TEST(test_enroll)
{
	vt_attester_t *attester;
	json_t *json, *finished;
	char *secret, *body, *path;

	attester = vt_attester_create(FALSE);
	/* group "default" if none given */
	ck_assert_int_eq(enroll_start(attester, NULL, &json), 200);
	ck_assert_int_eq(strlen(json_string_value(
						json_object_get(json, "session"))), 32);
	ck_assert_str_eq(json_string_value(json_object_get(json, "group")),
					 "default");
	secret = activate(attester, json);
	ck_assert(asprintf(&path, "/v1/enroll/%s", json_string_value(
						json_object_get(json, "session"))) > 0);
	ck_assert(asprintf(&body, "{\"secret\":\"%s\"}", secret) > 0);
	ck_assert_int_eq(request("POST", path, JSON, body, &finished), 200);
	ck_assert_str_eq(json_string_value(json_object_get(finished, "ak")),
					 attester->fpr);
	ck_assert_str_eq(json_string_value(json_object_get(finished, "group")),
					 "default");
	json_decref(finished);
	/* once only */
	assert_error("POST", path, JSON, body, 404, "unknown or expired");
	free(path);
	free(body);
	free(secret);
	json_decref(json);

	/* wrong secret: 403, then the session is gone */
	ck_assert_int_eq(enroll_start(attester, "default", &json), 200);
	ck_assert(asprintf(&path, "/v1/enroll/%s", json_string_value(
						json_object_get(json, "session"))) > 0);
	assert_error("POST", path, JSON,
				 "{\"secret\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
				 403, "wrong secret");
	secret = activate(attester, json);
	ck_assert(asprintf(&body, "{\"secret\":\"%s\"}", secret) > 0);
	assert_error("POST", path, JSON, body, 404, NULL);
	assert_error("POST", path, JSON, "{}", 400, "'secret'");
	free(path);
	free(body);
	free(secret);
	json_decref(json);

	assert_error("POST", "/v1/enroll/00000000000000000000000000000000",
				 JSON, "{\"secret\":\"AAAA\"}", 404, NULL);
	ck_assert_int_eq(enroll_start(attester, "nope", &json), 400);
	json_decref(json);
	ck_assert_int_eq(enroll_start(attester, "../etc", &json), 400);
	json_decref(json);
	/* a group the operator did not open */
	ck_assert_int_eq(store->add_group(store, "servers"), VERIFIER_STORE_OK);
	ck_assert_int_eq(enroll_start(attester, "servers", &json), 403);
	ck_assert_str_eq(json_string_value(json_object_get(json, "error")),
					 "group 'servers' is not open for enrollment");
	json_decref(json);
	assert_error("POST", "/v1/enroll", JSON, "{\"group\":7}", 400, "group");
	assert_error("POST", "/v1/enroll", JSON, "{\"ak_public\":\"AAAA\"}", 400,
				 "'ek_cert'");
	assert_error("POST", "/v1/enroll", JSON, "{\"ek_cert\":\"AAAA\"}", 400,
				 "'ak_public'");
	vt_attester_destroy(attester);
}
END_TEST

START_TEST(test_enroll_limits)
{
	verifier_session_limits_t limits = {
		.total = 1000,
		.per_ek = 1000,
		.per_client = 1000,
	};
	u_char name[34] = { 0x00, 0x0b };
	verifier_session_t pending = {
		.ak_spki = chunk_from_str("spki"),
		.ak_name = chunk_from_thing(name),
		.ek_cert = chunk_from_str("ek"),
		.group = "default",
		.client = "127.0.0.1",
		.expires = time(NULL) + 60,
	};
	vt_attester_t *attester;
	json_t *json, *first;
	char *secret, *body, *path;
	int i;

	attester = vt_attester_create(FALSE);
	/* starting again and again for one EK keeps its newest two only */
	ck_assert_int_eq(enroll_start(attester, NULL, &first), 200);
	for (i = 0; i < 3; i++)
	{
		ck_assert_int_eq(enroll_start(attester, NULL, &json), 200);
		json_decref(json);
	}
	secret = activate(attester, first);
	ck_assert(asprintf(&path, "/v1/enroll/%s", json_string_value(
						json_object_get(first, "session"))) > 0);
	ck_assert(asprintf(&body, "{\"secret\":\"%s\"}", secret) > 0);
	assert_error("POST", path, JSON, body, 404, "unknown or expired");
	free(path);
	free(body);
	free(secret);
	json_decref(first);

	/* a client with too many pending enrollments (of other EKs) */
	for (i = 0; i < 16; i++)
	{
		snprintf(pending.id, sizeof(pending.id), "%032x", i);
		snprintf(pending.ek, sizeof(pending.ek), "%064x", i);
		ck_assert_int_eq(store->add_session(store, &pending, &limits,
											time(NULL)), VERIFIER_STORE_OK);
	}
	ck_assert_int_eq(enroll_start(attester, NULL, &json), 429);
	ck_assert_str_eq(json_string_value(json_object_get(json, "error")),
					 "too many pending enrollments from 127.0.0.1 (at most "
					 "16), finish them or wait 60 s");
	json_decref(json);
	vt_attester_destroy(attester);
}
END_TEST

START_TEST(test_enroll_disabled)
{
	assert_error("POST", "/v1/enroll", JSON, "{}", 403, "disabled");
	assert_error("POST", "/v1/enroll/00000000000000000000000000000000", JSON,
				 "{}", 403, "disabled");
}
END_TEST

Suite *api_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("api");

	tc = tcase_create("requests");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_health);
	tcase_add_test(tc, test_key);
	tcase_add_test(tc, test_routing);
	tcase_add_test(tc, test_media_type);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_challenge);
	suite_add_tcase(s, tc);

	tc = tcase_create("tpm");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_attest);
	tcase_add_test(tc, test_attest_challenged);
	tcase_add_test(tc, test_enroll);
	tcase_add_test(tc, test_enroll_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("enroll disabled");
	tcase_add_checked_fixture(tc, setup_no_enroll, teardown);
	tcase_add_test(tc, test_enroll_disabled);
	suite_add_tcase(s, tc);

	return s;
}
