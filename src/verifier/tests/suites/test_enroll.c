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

#include "verifier_enroll.h"
#include "verifier_store.h"

#include <ratkn_ak.h>
#include <ratkn_credential.h>

#include <openssl/evp.h>

static char *dir;
static verifier_store_t *store;
static verifier_enroll_t *enroll;
static vt_attester_t *attester;
static chunk_t ek_cert, ek_public;
static char ek[VERIFIER_FPR_LEN + 1];

static void setup()
{
	char *path;

	dir = vt_mkdtemp();
	ck_assert(asprintf(&path, "%s/verifier.db", dir) > 0);
	store = verifier_store_create(path);
	ck_assert(store);
	free(path);
	ck_assert_int_eq(store->add_group(store, "default"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->set_group_enroll(store, "default", TRUE),
					 VERIFIER_STORE_OK);
	enroll = verifier_enroll_create(store, vt_localca());
	attester = vt_attester_create(FALSE);
	ck_assert(attester->tpm->get_ek(attester->tpm, &ek_cert, &ek_public));
	ck_assert(verifier_ek_fingerprint(ek_cert, ek));
}

static void teardown()
{
	chunk_free(&ek_cert);
	chunk_free(&ek_public);
	vt_attester_destroy(attester);
	enroll->destroy(enroll);
	store->destroy(store);
	vt_rmtree(dir);
}

/**
 * Start an enrollment, return the outcome, the group and the reason
 */
static verifier_enroll_status_t try_start(chunk_t ak_public, char *requested,
								char group[VERIFIER_GROUP_MAX + 1],
								char session[33], char reason[256])
{
	verifier_enroll_status_t status;
	chunk_t blob, encrypted;

	reason[0] = '\0';
	status = enroll->start(enroll, ek_cert, ak_public, requested,
						   "192.0.2.1", group, session, &blob, &encrypted,
						   reason, 256);
	if (status == VERIFIER_ENROLL_OK)
	{
		ck_assert_int_eq(strlen(session), 32);
		ck_assert(blob.len && encrypted.len);
		chunk_free(&blob);
		chunk_free(&encrypted);
	}
	else
	{
		ck_assert(!blob.ptr && !encrypted.ptr);
		ck_assert(reason[0]);
	}
	return status;
}

/**
 * Start an enrollment that must succeed, returns the session
 */
static void start(chunk_t ak_public, char *group, char session[33],
				  chunk_t *blob, chunk_t *encrypted)
{
	char reason[256] = "", resolved[VERIFIER_GROUP_MAX + 1];

	ck_assert_int_eq(enroll->start(enroll, ek_cert, ak_public, group,
								   "192.0.2.1", resolved, session, blob,
								   encrypted, reason, sizeof(reason)),
					 VERIFIER_ENROLL_OK);
	ck_assert_int_eq(strlen(session), 32);
	ck_assert(blob->len && encrypted->len);
	ck_assert_str_eq(resolved, group ?: "default");
}

/**
 * Finish an enrollment of the fixture's attester with its TPM
 */
static verifier_enroll_status_t finish_with(char session[33],
								chunk_t blob, chunk_t encrypted,
								char group[VERIFIER_GROUP_MAX + 1],
								char reason[256])
{
	verifier_enroll_status_t status;
	char fpr[VERIFIER_FPR_LEN + 1] = "";
	chunk_t secret;

	ck_assert(attester->tpm->activate_credential(attester->tpm, blob,
												 encrypted, &secret));
	reason[0] = '\0';
	status = enroll->finish(enroll, session, secret, fpr, group, reason, 256);
	if (status == VERIFIER_ENROLL_OK)
	{
		ck_assert_str_eq(fpr, attester->fpr);
	}
	chunk_clear(&secret);
	return status;
}

START_TEST(test_enroll)
{
	verifier_attester_t *enrolled;
	chunk_t blob, encrypted, secret, name;
	char session[33], fpr[VERIFIER_FPR_LEN + 1], group[VERIFIER_GROUP_MAX + 1];
	char reason[256] = "";

	start(attester->ak_public, "default", session, &blob, &encrypted);
	ck_assert(attester->tpm->activate_credential(attester->tpm, blob,
												 encrypted, &secret));
	ck_assert_int_eq(secret.len, VERIFIER_ENROLL_SECRET_LEN);
	ck_assert_int_eq(enroll->finish(enroll, session, secret, fpr, group,
									reason, sizeof(reason)),
					 VERIFIER_ENROLL_OK);
	ck_assert_str_eq(fpr, attester->fpr);
	ck_assert_str_eq(group, "default");
	ck_assert_int_eq(store->get_attester(store, fpr, &enrolled),
					 VERIFIER_STORE_OK);
	ck_assert(chunk_equals(enrolled->ak_spki, attester->spki));
	ck_assert(chunk_equals(enrolled->ek_cert, ek_cert));
	ck_assert_str_eq(enrolled->group, "default");
	/* with the TPM Name the credential was bound to */
	ck_assert(ratkn_ak_name(attester->ak_public, &name));
	ck_assert(chunk_equals(enrolled->ak_name, name));
	chunk_free(&name);
	verifier_attester_destroy(enrolled);

	/* the session is used up */
	ck_assert_int_eq(enroll->finish(enroll, session, secret, fpr, group,
									reason, sizeof(reason)),
					 VERIFIER_ENROLL_NOT_FOUND);
	chunk_clear(&secret);
	chunk_free(&blob);
	chunk_free(&encrypted);

	/* enrolling again into the same group is fine, also naming none */
	start(attester->ak_public, "default", session, &blob, &encrypted);
	chunk_free(&blob);
	chunk_free(&encrypted);
	start(attester->ak_public, NULL, session, &blob, &encrypted);
	chunk_free(&blob);
	chunk_free(&encrypted);
}
END_TEST

START_TEST(test_wrong_secret)
{
	chunk_t blob, encrypted, secret;
	char session[33], fpr[VERIFIER_FPR_LEN + 1], group[VERIFIER_GROUP_MAX + 1];
	char reason[256] = "";
	verifier_attester_t *a;

	start(attester->ak_public, "default", session, &blob, &encrypted);
	ck_assert(attester->tpm->activate_credential(attester->tpm, blob,
												 encrypted, &secret));
	secret.ptr[0] ^= 0x01;
	ck_assert_int_eq(enroll->finish(enroll, session, secret, fpr, group,
									reason, sizeof(reason)),
					 VERIFIER_ENROLL_FORBIDDEN);
	ck_assert(strstr(reason, "wrong secret"));
	/* dropped: not even the right secret works now */
	secret.ptr[0] ^= 0x01;
	ck_assert_int_eq(enroll->finish(enroll, session, secret, fpr, group,
									reason, sizeof(reason)),
					 VERIFIER_ENROLL_NOT_FOUND);
	ck_assert_int_eq(store->get_attester(store, attester->fpr, &a),
					 VERIFIER_STORE_NOT_FOUND);
	chunk_clear(&secret);
	chunk_free(&blob);
	chunk_free(&encrypted);
}
END_TEST

START_TEST(test_unknown_session)
{
	char fpr[VERIFIER_FPR_LEN + 1], group[VERIFIER_GROUP_MAX + 1];
	char reason[256] = "";
	chunk_t secret = chunk_from_chars(0x01, 0x02);

	ck_assert_int_eq(enroll->finish(enroll, "00000000000000000000000000000000",
									secret, fpr, group, reason,
									sizeof(reason)),
					 VERIFIER_ENROLL_NOT_FOUND);
	ck_assert_int_eq(enroll->finish(enroll, "../../etc/passwd", secret, fpr,
									group, reason, sizeof(reason)),
					 VERIFIER_ENROLL_NOT_FOUND);
	ck_assert_int_eq(enroll->finish(enroll, "", secret, fpr, group, reason,
									sizeof(reason)),
					 VERIFIER_ENROLL_NOT_FOUND);
}
END_TEST

START_TEST(test_other_ak)
{
	vt_attester_t *rsa;
	chunk_t blob, encrypted, secret;
	char session[33];

	/* a credential for another AK's name cannot be activated with ours */
	rsa = vt_attester_create(TRUE);
	start(rsa->ak_public, "default", session, &blob, &encrypted);
	ck_assert(!attester->tpm->activate_credential(attester->tpm, blob,
												  encrypted, &secret));
	/* but with that one */
	ck_assert(rsa->tpm->activate_credential(rsa->tpm, blob, encrypted,
											&secret));
	chunk_clear(&secret);
	chunk_free(&blob);
	chunk_free(&encrypted);
	vt_attester_destroy(rsa);
}
END_TEST

START_TEST(test_other_attributes)
{
	chunk_t altered, blob, encrypted, secret;
	char session[33];

	/* the AK's key with other attributes claimed (noDA flipped): the
	 * credential is bound to that Name, which no object in the TPM has */
	altered = vt_ak_public_no_da(attester);
	start(altered, "default", session, &blob, &encrypted);
	ck_assert(!attester->tpm->activate_credential(attester->tpm, blob,
												  encrypted, &secret));
	chunk_free(&blob);
	chunk_free(&encrypted);
	chunk_free(&altered);
}
END_TEST

START_TEST(test_rejected)
{
	verifier_enroll_t *other;
	chunk_t bad_cert;
	char session[33], reason[256] = "", *root_only[] = { NULL, NULL };
	char group[VERIFIER_GROUP_MAX + 1];
	verifier_attester_t a = {
		.group = "other",
	};

	/* unknown group */
	ck_assert_int_eq(try_start(attester->ak_public, "nope", group, session,
							   reason), VERIFIER_ENROLL_BAD_REQUEST);
	ck_assert_str_eq(reason, "unknown group 'nope'");
	ck_assert_int_eq(try_start(attester->ak_public, "bad name", group,
							   session, reason),
					 VERIFIER_ENROLL_BAD_REQUEST);
	ck_assert(strpfx(reason, "invalid group name"));
	/* not an AK: the EK's public area is not a signing key */
	ck_assert_int_eq(try_start(ek_public, "default", group, session, reason),
					 VERIFIER_ENROLL_BAD_REQUEST);
	ck_assert(strstr(reason, "restricted signing key"));
	ck_assert_int_eq(try_start(chunk_from_str("x"), "default", group, session,
							   reason), VERIFIER_ENROLL_BAD_REQUEST);
	/* not a certificate */
	bad_cert = ek_cert;
	ek_cert = chunk_clone(bad_cert);
	ek_cert.ptr[ek_cert.len / 2] ^= 0xff;
	ck_assert_int_eq(try_start(attester->ak_public, "default", group, session,
							   reason), VERIFIER_ENROLL_FORBIDDEN);
	ck_assert(strpfx(reason, "EK certificate not trusted"));
	chunk_free(&ek_cert);
	ek_cert = chunk_from_str("garbage");
	ck_assert_int_eq(try_start(attester->ak_public, "default", group, session,
							   reason), VERIFIER_ENROLL_FORBIDDEN);
	ek_cert = bad_cert;

	/* no trusted CA at all */
	other = verifier_enroll_create(store, root_only);
	ck_assert_int_eq(other->start(other, ek_cert, attester->ak_public,
								  "default", "192.0.2.1", group, session,
								  &bad_cert, &bad_cert, reason,
								  sizeof(reason)),
					 VERIFIER_ENROLL_FORBIDDEN);
	ck_assert(strstr(reason, "ek_ca"));
	other->destroy(other);

	/* only the root, not the intermediate: no chain */
	root_only[0] = vt_localca()[1];
	other = verifier_enroll_create(store, root_only);
	ck_assert_int_eq(other->start(other, ek_cert, attester->ak_public,
								  "default", "192.0.2.1", group, session,
								  &bad_cert, &bad_cert, reason,
								  sizeof(reason)),
					 VERIFIER_ENROLL_FORBIDDEN);
	other->destroy(other);

	/* enrolled in another group */
	ck_assert_int_eq(store->add_group(store, "other"), VERIFIER_STORE_OK);
	a.ak_spki = attester->spki;
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);
	ck_assert_int_eq(try_start(attester->ak_public, "default", group, session,
							   reason), VERIFIER_ENROLL_CONFLICT);
	ck_assert(strstr(reason, "enrolled in group 'other'"));
}
END_TEST

START_TEST(test_closed_group)
{
	char session[33], reason[256], group[VERIFIER_GROUP_MAX + 1];

	/* groups are closed unless the operator opens them */
	ck_assert_int_eq(store->add_group(store, "servers"), VERIFIER_STORE_OK);
	ck_assert_int_eq(try_start(attester->ak_public, "servers", group,
							   session, reason), VERIFIER_ENROLL_FORBIDDEN);
	ck_assert_str_eq(reason, "group 'servers' is not open for enrollment");
	ck_assert_str_eq(group, "servers");
	ck_assert_int_eq(store->set_group_enroll(store, "default", FALSE),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(try_start(attester->ak_public, NULL, group, session,
							   reason), VERIFIER_ENROLL_FORBIDDEN);
	ck_assert_str_eq(reason, "group 'default' is not open for enrollment");
	ck_assert_int_eq(store->set_group_enroll(store, "servers", TRUE),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(try_start(attester->ak_public, "servers", group,
							   session, reason), VERIFIER_ENROLL_OK);
}
END_TEST

START_TEST(test_assigned_ek)
{
	verifier_attester_t *enrolled;
	chunk_t blob, encrypted;
	char session[33], reason[256], group[VERIFIER_GROUP_MAX + 1];

	/* the operator puts this EK into a closed group */
	ck_assert_int_eq(store->add_group(store, "fleet"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->assign_ek(store, ek, "fleet"), VERIFIER_STORE_OK);

	/* another group, even an open one, is refused naming the assignment */
	ck_assert_int_eq(try_start(attester->ak_public, "default", group, session,
							   reason), VERIFIER_ENROLL_FORBIDDEN);
	ck_assert_msg(strstr(reason, "is assigned to group 'fleet' by the "
						 "operator, it cannot enroll into group 'default'"),
				  "reason '%s'", reason);
	ck_assert(strstr(reason, ek));
	/* naming it or none enrolls into it */
	ck_assert_int_eq(try_start(attester->ak_public, "fleet", group, session,
							   reason), VERIFIER_ENROLL_OK);
	ck_assert_str_eq(group, "fleet");
	ck_assert_int_eq(enroll->start(enroll, ek_cert, attester->ak_public, NULL,
								   "192.0.2.1", group, session, &blob,
								   &encrypted, reason, sizeof(reason)),
					 VERIFIER_ENROLL_OK);
	ck_assert_str_eq(group, "fleet");
	ck_assert_int_eq(finish_with(session, blob, encrypted, group, reason),
					 VERIFIER_ENROLL_OK);
	ck_assert_str_eq(group, "fleet");
	ck_assert_int_eq(store->get_attester(store, attester->fpr, &enrolled),
					 VERIFIER_STORE_OK);
	ck_assert_str_eq(enrolled->group, "fleet");
	verifier_attester_destroy(enrolled);
	chunk_free(&blob);
	chunk_free(&encrypted);

	/* assigned elsewhere now: the enrolled AK does not move */
	ck_assert_int_eq(store->add_group(store, "lab"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->assign_ek(store, ek, "lab"), VERIFIER_STORE_OK);
	ck_assert_int_eq(try_start(attester->ak_public, NULL, group, session,
							   reason), VERIFIER_ENROLL_CONFLICT);
	ck_assert_msg(strstr(reason, "is enrolled in group 'fleet', it cannot "
						 "move to group 'lab'"), "reason '%s'", reason);
}
END_TEST

START_TEST(test_concurrent_groups)
{
	verifier_attester_t *enrolled;
	chunk_t blob_a, enc_a, blob_b, enc_b;
	char session_a[33], session_b[33], group[VERIFIER_GROUP_MAX + 1];
	char reason[256];

	/* two enrollments of the same AK into two open groups, both started
	 * before either finished */
	ck_assert_int_eq(store->add_group(store, "other"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->set_group_enroll(store, "other", TRUE),
					 VERIFIER_STORE_OK);
	start(attester->ak_public, "default", session_a, &blob_a, &enc_a);
	start(attester->ak_public, "other", session_b, &blob_b, &enc_b);
	ck_assert_int_eq(finish_with(session_a, blob_a, enc_a, group, reason),
					 VERIFIER_ENROLL_OK);
	/* the second finish would move the AK: refused */
	ck_assert_int_eq(finish_with(session_b, blob_b, enc_b, group, reason),
					 VERIFIER_ENROLL_CONFLICT);
	ck_assert_msg(strstr(reason, "is enrolled in group 'default', it cannot "
						 "move to group 'other'"), "reason '%s'", reason);
	ck_assert_int_eq(store->get_attester(store, attester->fpr, &enrolled),
					 VERIFIER_STORE_OK);
	ck_assert_str_eq(enrolled->group, "default");
	verifier_attester_destroy(enrolled);
	chunk_free(&blob_a);
	chunk_free(&enc_a);
	chunk_free(&blob_b);
	chunk_free(&enc_b);
}
END_TEST

START_TEST(test_policy_changed)
{
	verifier_attester_t *enrolled;
	chunk_t blob, encrypted;
	char session[33], group[VERIFIER_GROUP_MAX + 1], reason[256];

	/* closed by the operator while the enrollment was pending */
	start(attester->ak_public, "default", session, &blob, &encrypted);
	ck_assert_int_eq(store->set_group_enroll(store, "default", FALSE),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(finish_with(session, blob, encrypted, group, reason),
					 VERIFIER_ENROLL_FORBIDDEN);
	ck_assert_str_eq(reason, "group 'default' is not open for enrollment");
	chunk_free(&blob);
	chunk_free(&encrypted);

	/* the EK assigned elsewhere meanwhile */
	ck_assert_int_eq(store->set_group_enroll(store, "default", TRUE),
					 VERIFIER_STORE_OK);
	start(attester->ak_public, "default", session, &blob, &encrypted);
	ck_assert_int_eq(store->add_group(store, "fleet"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->assign_ek(store, ek, "fleet"), VERIFIER_STORE_OK);
	ck_assert_int_eq(finish_with(session, blob, encrypted, group, reason),
					 VERIFIER_ENROLL_FORBIDDEN);
	ck_assert(strstr(reason, "is assigned to group 'fleet'"));
	ck_assert_int_eq(store->get_attester(store, attester->fpr, &enrolled),
					 VERIFIER_STORE_NOT_FOUND);
	chunk_free(&blob);
	chunk_free(&encrypted);
}
END_TEST

START_TEST(test_many_starts)
{
	chunk_t blob[5], encrypted[5];
	char session[5][33], group[VERIFIER_GROUP_MAX + 1], reason[256];
	int i;

	/* anyone holding the public EK certificate can start enrollments for
	 * it, but they take at most two slots: the oldest are dropped */
	for (i = 0; i < countof(session); i++)
	{
		start(attester->ak_public, "default", session[i], &blob[i],
			  &encrypted[i]);
	}
	for (i = 0; i < countof(session) - 2; i++)
	{
		ck_assert_int_eq(finish_with(session[i], blob[i], encrypted[i], group,
									 reason), VERIFIER_ENROLL_NOT_FOUND);
	}
	/* the legitimate retry still works */
	ck_assert_int_eq(finish_with(session[i], blob[i], encrypted[i], group,
								 reason), VERIFIER_ENROLL_OK);
	for (i = 0; i < countof(session); i++)
	{
		chunk_free(&blob[i]);
		chunk_free(&encrypted[i]);
	}
}
END_TEST

START_TEST(test_client_limit)
{
	verifier_session_limits_t limits = {
		.total = VERIFIER_ENROLL_MAX_PENDING,
		.per_ek = VERIFIER_ENROLL_MAX_PER_EK,
		.per_client = VERIFIER_ENROLL_MAX_PER_CLIENT,
	};
	u_char name[34] = { 0x00, 0x0b };
	verifier_session_t s = {
		.ak_spki = chunk_from_str("spki"),
		.ak_name = chunk_from_thing(name),
		.ek_cert = chunk_from_str("ek"),
		.group = "default",
		.client = "192.0.2.1",
		.expires = time(NULL) + 60,
	};
	char session[33], group[VERIFIER_GROUP_MAX + 1], reason[256];
	int i;

	/* the client has as many pending as it may, for other EKs */
	for (i = 0; i < VERIFIER_ENROLL_MAX_PER_CLIENT; i++)
	{
		snprintf(s.id, sizeof(s.id), "%032x", i);
		snprintf(s.ek, sizeof(s.ek), "%064x", i);
		ck_assert_int_eq(store->add_session(store, &s, &limits, time(NULL)),
						 VERIFIER_STORE_OK);
	}
	ck_assert_int_eq(try_start(attester->ak_public, "default", group, session,
							   reason), VERIFIER_ENROLL_TOO_MANY);
	ck_assert_msg(strstr(reason, "too many pending enrollments from "
						 "192.0.2.1 (at most 16)"), "reason '%s'", reason);
}
END_TEST

START_TEST(test_ek_fingerprint)
{
	chunk_t spki, pem, trailing;
	char fpr[VERIFIER_FPR_LEN + 1], other[VERIFIER_FPR_LEN + 1];
	char why[128];
	uint8_t hash[32];
	u_int len = sizeof(hash);
	int i;

	/* SHA-256 of the SPKI the EK check extracts */
	ck_assert(ratkn_credential_check_ek(ek_cert, vt_localca(), &spki, why,
										sizeof(why)));
	ck_assert(EVP_Digest(spki.ptr, spki.len, hash, &len, EVP_sha256(), NULL));
	for (i = 0; i < sizeof(hash); i++)
	{
		snprintf(other + 2 * i, 3, "%02x", hash[i]);
	}
	ck_assert_str_eq(ek, other);
	chunk_free(&spki);

	/* DER and PEM (lines of 64 characters) */
	ck_assert(verifier_ek_fingerprint(ek_cert, fpr));
	ck_assert_str_eq(fpr, ek);
	spki = chunk_to_base64(ek_cert, NULL);
	pem = chunk_clone(chunk_from_str("-----BEGIN CERTIFICATE-----\n"));
	for (i = 0; i < spki.len; i += 64)
	{
		pem = chunk_cat("mcc", pem, chunk_create(spki.ptr + i,
										min(64, spki.len - i)),
						chunk_from_str("\n"));
	}
	pem = chunk_cat("mc", pem, chunk_from_str("-----END CERTIFICATE-----\n"));
	memset(fpr, 0, sizeof(fpr));
	ck_assert(verifier_ek_fingerprint(pem, fpr));
	ck_assert_str_eq(fpr, ek);
	chunk_free(&pem);
	chunk_free(&spki);

	/* not certificates */
	ck_assert(!verifier_ek_fingerprint(chunk_empty, fpr));
	ck_assert(!verifier_ek_fingerprint(chunk_from_str("garbage"), fpr));
	ck_assert(!verifier_ek_fingerprint(ek_public, fpr));
	trailing = chunk_cat("cc", ek_cert, chunk_from_chars(0x00));
	ck_assert(!verifier_ek_fingerprint(trailing, fpr));
	chunk_free(&trailing);
	ck_assert(!verifier_ek_fingerprint(chunk_from_str("-----BEGIN "
								"CERTIFICATE-----\nAAAA\n-----END "
								"CERTIFICATE-----\n"), fpr));
}
END_TEST

Suite *enroll_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("enroll");

	tc = tcase_create("enroll");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_enroll);
	tcase_add_test(tc, test_wrong_secret);
	tcase_add_test(tc, test_unknown_session);
	tcase_add_test(tc, test_other_ak);
	tcase_add_test(tc, test_other_attributes);
	tcase_add_test(tc, test_rejected);
	tcase_add_test(tc, test_closed_group);
	tcase_add_test(tc, test_assigned_ek);
	tcase_add_test(tc, test_concurrent_groups);
	tcase_add_test(tc, test_policy_changed);
	tcase_add_test(tc, test_many_starts);
	tcase_add_test(tc, test_client_limit);
	tcase_add_test(tc, test_ek_fingerprint);
	suite_add_tcase(s, tc);

	return s;
}
