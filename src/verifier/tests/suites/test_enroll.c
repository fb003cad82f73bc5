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

#include <openssl/evp.h>

static char *dir;
static verifier_store_t *store;
static verifier_enroll_t *enroll;
static vt_attester_t *attester;
static chunk_t ek_cert, ek_public;

static void setup()
{
	char *path;

	dir = vt_mkdtemp();
	ck_assert(asprintf(&path, "%s/verifier.db", dir) > 0);
	store = verifier_store_create(path);
	ck_assert(store);
	free(path);
	ck_assert_int_eq(store->add_group(store, "default"), VERIFIER_STORE_OK);
	enroll = verifier_enroll_create(store, vt_localca());
	attester = vt_attester_create(FALSE);
	ck_assert(attester->tpm->get_ek(attester->tpm, &ek_cert, &ek_public));
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
 * Start an enrollment that must succeed, returns the session
 */
static void start(chunk_t ak_public, char *group, char session[33],
				  chunk_t *blob, chunk_t *encrypted)
{
	char reason[256] = "";

	ck_assert_int_eq(enroll->start(enroll, ek_cert, ak_public, group,
								   session, blob, encrypted, reason,
								   sizeof(reason)), VERIFIER_ENROLL_OK);
	ck_assert_int_eq(strlen(session), 32);
	ck_assert(blob->len && encrypted->len);
}

START_TEST(test_enroll)
{
	verifier_attester_t *enrolled;
	chunk_t blob, encrypted, secret;
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
	verifier_attester_destroy(enrolled);

	/* the session is used up */
	ck_assert_int_eq(enroll->finish(enroll, session, secret, fpr, group,
									reason, sizeof(reason)),
					 VERIFIER_ENROLL_NOT_FOUND);
	chunk_clear(&secret);
	chunk_free(&blob);
	chunk_free(&encrypted);

	/* enrolling again into the same group is fine */
	start(attester->ak_public, "default", session, &blob, &encrypted);
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

START_TEST(test_rejected)
{
	verifier_enroll_t *other;
	chunk_t blob, encrypted, bad_cert;
	char session[33], reason[256] = "", *root_only[] = { NULL, NULL };
	verifier_attester_t a = {
		.group = "other",
	};

	/* unknown group */
	ck_assert_int_eq(enroll->start(enroll, ek_cert, attester->ak_public,
								   "nope", session, &blob, &encrypted, reason,
								   sizeof(reason)),
					 VERIFIER_ENROLL_BAD_REQUEST);
	ck_assert_str_eq(reason, "unknown group");
	ck_assert_int_eq(enroll->start(enroll, ek_cert, attester->ak_public,
								   "bad name", session, &blob, &encrypted,
								   reason, sizeof(reason)),
					 VERIFIER_ENROLL_BAD_REQUEST);
	/* not an AK: the EK's public area is not a signing key */
	ck_assert_int_eq(enroll->start(enroll, ek_cert, ek_public, "default",
								   session, &blob, &encrypted, reason,
								   sizeof(reason)),
					 VERIFIER_ENROLL_BAD_REQUEST);
	ck_assert(strstr(reason, "restricted signing key"));
	ck_assert_int_eq(enroll->start(enroll, ek_cert, chunk_from_str("x"),
								   "default", session, &blob, &encrypted,
								   reason, sizeof(reason)),
					 VERIFIER_ENROLL_BAD_REQUEST);
	/* not a certificate */
	bad_cert = chunk_clone(ek_cert);
	bad_cert.ptr[bad_cert.len / 2] ^= 0xff;
	ck_assert_int_eq(enroll->start(enroll, bad_cert, attester->ak_public,
								   "default", session, &blob, &encrypted,
								   reason, sizeof(reason)),
					 VERIFIER_ENROLL_FORBIDDEN);
	ck_assert(strpfx(reason, "EK certificate not trusted"));
	chunk_free(&bad_cert);
	ck_assert_int_eq(enroll->start(enroll, chunk_from_str("garbage"),
								   attester->ak_public, "default", session,
								   &blob, &encrypted, reason, sizeof(reason)),
					 VERIFIER_ENROLL_FORBIDDEN);

	/* no trusted CA at all */
	other = verifier_enroll_create(store, root_only);
	ck_assert_int_eq(other->start(other, ek_cert, attester->ak_public,
								  "default", session, &blob, &encrypted,
								  reason, sizeof(reason)),
					 VERIFIER_ENROLL_FORBIDDEN);
	ck_assert(strstr(reason, "ek_ca"));
	other->destroy(other);

	/* only the root, not the intermediate: no chain */
	root_only[0] = vt_localca()[1];
	other = verifier_enroll_create(store, root_only);
	ck_assert_int_eq(other->start(other, ek_cert, attester->ak_public,
								  "default", session, &blob, &encrypted,
								  reason, sizeof(reason)),
					 VERIFIER_ENROLL_FORBIDDEN);
	other->destroy(other);

	/* enrolled in another group */
	ck_assert_int_eq(store->add_group(store, "other"), VERIFIER_STORE_OK);
	a.ak_spki = attester->spki;
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);
	ck_assert_int_eq(enroll->start(enroll, ek_cert, attester->ak_public,
								   "default", session, &blob, &encrypted,
								   reason, sizeof(reason)),
					 VERIFIER_ENROLL_CONFLICT);
	ck_assert(strstr(reason, "enrolled in group 'other'"));
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
	tcase_add_test(tc, test_rejected);
	suite_add_tcase(s, tc);

	return s;
}
