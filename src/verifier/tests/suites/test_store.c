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

#include <stdio.h>
#include <unistd.h>
#include <sqlite3.h>

#include "verifier_store.h"

/**
 * Directory and store of a test
 */
static char *dir;
static char *path;
static verifier_store_t *store;

static void setup()
{
	dir = vt_mkdtemp();
	ck_assert(asprintf(&path, "%s/verifier.db", dir) > 0);
	store = verifier_store_create(path);
	ck_assert(store);
}

static void teardown()
{
	DESTROY_IF(store);
	store = NULL;
	free(path);
	vt_rmtree(dir);
}

/**
 * A reference value with a digest of 32 octets of a value
 */
static verifier_ref_t *ref(uint16_t alg, u_int pcr, u_char value)
{
	verifier_ref_t *ref;

	INIT(ref,
		.alg = alg,
		.pcr = pcr,
		.digest = chunk_alloc(alg == 0x0004 ? 20 : 32),
	);
	memset(ref->digest.ptr, value, ref->digest.len);
	return ref;
}

/**
 * An attester with a fake SPKI
 */
static verifier_attester_t attester(char *spki, char *group, char *ek)
{
	verifier_attester_t a = {
		.ak_spki = chunk_from_str(spki),
		.ek_cert = ek ? chunk_from_str(ek) : chunk_empty,
	};

	snprintf(a.group, sizeof(a.group), "%s", group);
	return a;
}

/**
 * A TPM Name (nameAlg SHA-256) whose hash is 32 octets of a value; in one
 * of a few static buffers, valid until the fourth call after
 */
static chunk_t name_of(u_char value)
{
	static u_char names[4][34];
	static int next;
	u_char *name;

	name = names[next++ % countof(names)];
	name[0] = 0x00;
	name[1] = 0x0b;
	memset(name + 2, value, 32);
	return chunk_create(name, 34);
}

/**
 * An attester as enrollment adds it: with an EK certificate and the Name
 * the enrollment proved
 */
static verifier_attester_t enrolled(char *spki, char *group, char *ek,
									u_char name)
{
	verifier_attester_t a = attester(spki, group, ek);

	a.ak_name = name_of(name);
	return a;
}

START_TEST(test_group_names)
{
	ck_assert(verifier_group_name_valid("default"));
	ck_assert(verifier_group_name_valid("a.b_c-D9"));
	ck_assert(verifier_group_name_valid(
		"0123456789012345678901234567890123456789012345678901234567890123"));
	ck_assert(!verifier_group_name_valid(
		"01234567890123456789012345678901234567890123456789012345678901234"));
	ck_assert(!verifier_group_name_valid(""));
	ck_assert(!verifier_group_name_valid(NULL));
	ck_assert(!verifier_group_name_valid("a b"));
	ck_assert(!verifier_group_name_valid("a/b"));
	ck_assert(!verifier_group_name_valid("ü"));
	ck_assert(!verifier_group_name_valid("'; DROP TABLE groups; --"));
}
END_TEST

START_TEST(test_groups)
{
	verifier_group_t group, *g;
	array_t *groups;

	ck_assert_int_eq(store->add_group(store, "default"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->add_group(store, "servers"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->add_group(store, "default"),
					 VERIFIER_STORE_EXISTS);
	ck_assert_int_eq(store->add_group(store, "bad name"),
					 VERIFIER_STORE_INVALID);
	ck_assert_int_eq(store->get_group(store, "default", &group),
					 VERIFIER_STORE_OK);
	ck_assert_str_eq(group.name, "default");
	ck_assert_int_eq(group.pcrs.count, 0);
	ck_assert_int_eq(group.warning.count, 0);
	ck_assert_int_eq(group.references, 0);
	ck_assert_int_eq(group.attesters, 0);
	ck_assert_int_eq(store->get_group(store, "nope", &group),
					 VERIFIER_STORE_NOT_FOUND);

	groups = store->list_groups(store);
	ck_assert(groups);
	ck_assert_int_eq(array_count(groups), 2);
	array_get(groups, 0, &g);
	ck_assert_str_eq(g->name, "default");
	array_get(groups, 1, &g);
	ck_assert_str_eq(g->name, "servers");
	array_destroy_function(groups, (void*)free, NULL);

	ck_assert_int_eq(store->remove_group(store, "servers"),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->remove_group(store, "servers"),
					 VERIFIER_STORE_NOT_FOUND);
	groups = store->list_groups(store);
	ck_assert_int_eq(array_count(groups), 1);
	array_destroy_function(groups, (void*)free, NULL);
}
END_TEST

START_TEST(test_reference)
{
	ratkn_reference_t *reference;
	verifier_group_t group;
	verifier_ref_t *r;
	array_t *refs, *listed;
	uint8_t digest[32];
	char buf[64];

	ck_assert_int_eq(store->add_group(store, "default"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_reference(store, "default", &reference),
					 VERIFIER_STORE_OK);
	ck_assert(!reference);

	/* two alternatives for PCR 7, a duplicate is stored once */
	refs = array_create(0, 0);
	array_insert(refs, ARRAY_TAIL, ref(0x000b, 0, 0x10));
	array_insert(refs, ARRAY_TAIL, ref(0x000b, 7, 0x70));
	array_insert(refs, ARRAY_TAIL, ref(0x000b, 7, 0x71));
	array_insert(refs, ARRAY_TAIL, ref(0x000b, 7, 0x71));
	array_insert(refs, ARRAY_TAIL, ref(0x0004, 2, 0x22));
	ck_assert_int_eq(store->set_reference(store, "default", refs),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->set_reference(store, "nope", refs),
					 VERIFIER_STORE_NOT_FOUND);
	array_destroy_function(refs, verifier_ref_destroy, NULL);

	ck_assert_int_eq(store->get_group(store, "default", &group),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(group.references, 4);
	ck_assert_str_eq(ratkn_pcr_selection_to_str(&group.pcrs, buf,
							sizeof(buf)), "sha256:0,7+sha1:2");

	ck_assert_int_eq(store->list_reference(store, "default", &listed),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(array_count(listed), 4);
	/* ordered by bank name, PCR, digest */
	array_get(listed, 0, &r);
	ck_assert_int_eq(r->alg, 0x0004);
	ck_assert_int_eq(r->pcr, 2);
	ck_assert_int_eq(r->digest.len, 20);
	array_get(listed, 3, &r);
	ck_assert_int_eq(r->alg, 0x000b);
	ck_assert_int_eq(r->pcr, 7);
	ck_assert_int_eq(r->digest.ptr[0], 0x71);
	array_destroy_function(listed, verifier_ref_destroy, NULL);

	ck_assert_int_eq(store->get_reference(store, "default", &reference),
					 VERIFIER_STORE_OK);
	ck_assert(reference);
	memset(digest, 0x70, sizeof(digest));
	ck_assert(reference->matches(reference, 0x000b, 7,
								 chunk_from_thing(digest)));
	memset(digest, 0x71, sizeof(digest));
	ck_assert(reference->matches(reference, 0x000b, 7,
								 chunk_from_thing(digest)));
	memset(digest, 0x72, sizeof(digest));
	ck_assert(!reference->matches(reference, 0x000b, 7,
								  chunk_from_thing(digest)));
	reference->destroy(reference);

	/* replaced, not merged */
	refs = array_create(0, 0);
	array_insert(refs, ARRAY_TAIL, ref(0x000b, 4, 0x44));
	ck_assert_int_eq(store->set_reference(store, "default", refs),
					 VERIFIER_STORE_OK);
	array_destroy_function(refs, verifier_ref_destroy, NULL);
	ck_assert_int_eq(store->get_group(store, "default", &group),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(group.references, 1);
	ck_assert_str_eq(ratkn_pcr_selection_to_str(&group.pcrs, buf,
							sizeof(buf)), "sha256:4");
}
END_TEST

START_TEST(test_reference_invalid)
{
	verifier_group_t group;
	verifier_ref_t *bad;
	array_t *refs;

	ck_assert_int_eq(store->add_group(store, "default"), VERIFIER_STORE_OK);
	refs = array_create(0, 0);
	array_insert(refs, ARRAY_TAIL, ref(0x000b, 0, 0x10));
	bad = ref(0x000b, 1, 0x11);
	bad->digest.len = 20;
	array_insert(refs, ARRAY_TAIL, bad);
	ck_assert_int_eq(store->set_reference(store, "default", refs),
					 VERIFIER_STORE_INVALID);
	bad->digest.len = 32;
	bad->pcr = 24;
	ck_assert_int_eq(store->set_reference(store, "default", refs),
					 VERIFIER_STORE_INVALID);
	bad->pcr = 1;
	bad->alg = 0x0099;
	ck_assert_int_eq(store->set_reference(store, "default", refs),
					 VERIFIER_STORE_INVALID);
	array_destroy_function(refs, verifier_ref_destroy, NULL);
	/* nothing stored */
	ck_assert_int_eq(store->get_group(store, "default", &group),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(group.references, 0);
}
END_TEST

START_TEST(test_warning)
{
	ratkn_pcr_selection_t sel;
	verifier_group_t group;
	char buf[64];

	ck_assert_int_eq(store->add_group(store, "default"), VERIFIER_STORE_OK);
	ck_assert(ratkn_pcr_selection_parse("sha256:1,7", &sel));
	ck_assert_int_eq(store->set_warning(store, "default", &sel),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->set_warning(store, "nope", &sel),
					 VERIFIER_STORE_NOT_FOUND);
	ck_assert_int_eq(store->get_group(store, "default", &group),
					 VERIFIER_STORE_OK);
	ck_assert(ratkn_pcr_selection_equals(&group.warning, &sel));
	ck_assert_str_eq(ratkn_pcr_selection_to_str(&group.warning, buf,
							sizeof(buf)), "sha256:1,7");
	memset(&sel, 0, sizeof(sel));
	ck_assert_int_eq(store->set_warning(store, "default", &sel),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_group(store, "default", &group),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(group.warning.count, 0);
}
END_TEST

START_TEST(test_attesters)
{
	verifier_attester_t a, b, *got;
	verifier_group_t group;
	array_t *list;
	char fpr[VERIFIER_FPR_LEN + 1];

	ck_assert_int_eq(store->add_group(store, "default"), VERIFIER_STORE_OK);
	a = attester("spki of a", "default", "ek cert of a");
	b = attester("spki of b", "nope", NULL);
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);
	ck_assert_int_eq(strlen(a.fingerprint), VERIFIER_FPR_LEN);
	/* SHA-256("spki of a") */
	ck_assert_int_eq(store->add_attester(store, &b),
					 VERIFIER_STORE_NOT_FOUND);
	snprintf(b.group, sizeof(b.group), "default");
	ck_assert_int_eq(store->add_attester(store, &b), VERIFIER_STORE_OK);
	ck_assert_str_ne(a.fingerprint, b.fingerprint);

	ck_assert_int_eq(store->get_attester(store, a.fingerprint, &got),
					 VERIFIER_STORE_OK);
	ck_assert_str_eq(got->fingerprint, a.fingerprint);
	ck_assert(chunk_equals(got->ak_spki, chunk_from_str("spki of a")));
	ck_assert(chunk_equals(got->ek_cert, chunk_from_str("ek cert of a")));
	ck_assert_str_eq(got->group, "default");
	ck_assert(got->enrolled >= time(NULL) - 5);
	ck_assert_int_eq(got->last_seen, 0);
	ck_assert_str_eq(got->last_status, "");
	verifier_attester_destroy(got);

	ck_assert_int_eq(store->record_attestation(store, a.fingerprint, 1234,
					"warning", &(ratkn_clock_info_t){ .clock = 5000,
					.reset_count = 3, .safe = TRUE }), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_attester(store, a.fingerprint, &got),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(got->last_seen, 1234);
	ck_assert_str_eq(got->last_status, "warning");
	ck_assert(got->has_clock);
	ck_assert_int_eq(got->clock.clock, 5000);
	ck_assert_int_eq(got->clock.reset_count, 3);
	ck_assert(got->clock.safe);
	verifier_attester_destroy(got);

	ck_assert_int_eq(store->get_attester(store, b.fingerprint, &got),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(got->ek_cert.len, 0);
	verifier_attester_destroy(got);

	/* unknown, malformed fingerprints */
	memset(fpr, 'a', VERIFIER_FPR_LEN);
	fpr[VERIFIER_FPR_LEN] = '\0';
	ck_assert_int_eq(store->get_attester(store, fpr, &got),
					 VERIFIER_STORE_NOT_FOUND);
	ck_assert_int_eq(store->get_attester(store, "' OR 1=1 --", &got),
					 VERIFIER_STORE_NOT_FOUND);
	ck_assert_int_eq(store->get_attester(store, "", &got),
					 VERIFIER_STORE_NOT_FOUND);

	list = store->list_attesters(store);
	ck_assert_int_eq(array_count(list), 2);
	array_destroy_function(list, (void*)verifier_attester_destroy, NULL);

	/* groups with attesters cannot be removed */
	ck_assert_int_eq(store->get_group(store, "default", &group),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(group.attesters, 2);
	ck_assert_int_eq(store->remove_group(store, "default"),
					 VERIFIER_STORE_IN_USE);

	ck_assert_int_eq(store->remove_attester(store, a.fingerprint),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->remove_attester(store, a.fingerprint),
					 VERIFIER_STORE_NOT_FOUND);
	ck_assert_int_eq(store->remove_attester(store, b.fingerprint),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->remove_group(store, "default"),
					 VERIFIER_STORE_OK);
}
END_TEST

START_TEST(test_attester_replace)
{
	verifier_attester_t a, *got;

	ck_assert_int_eq(store->add_group(store, "default"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->add_group(store, "other"), VERIFIER_STORE_OK);
	a = attester("spki", "default", NULL);
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);
	a = attester("spki", "other", "ek");
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_attester(store, a.fingerprint, &got),
					 VERIFIER_STORE_OK);
	ck_assert_str_eq(got->group, "other");
	ck_assert_int_eq(got->ek_cert.len, 2);
	verifier_attester_destroy(got);

	a = attester("", "other", NULL);
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_INVALID);
}
END_TEST

START_TEST(test_attester_name)
{
	verifier_attester_t a, *got;
	u_char sha1[22] = { 0x00, 0x04 };

	ck_assert_int_eq(store->add_group(store, "default"), VERIFIER_STORE_OK);
	/* registered by the operator with a pinned Name, or without */
	a = attester("spki", "default", NULL);
	a.ak_name = name_of(0x42);
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_attester(store, a.fingerprint, &got),
					 VERIFIER_STORE_OK);
	ck_assert(chunk_equals(got->ak_name, name_of(0x42)));
	verifier_attester_destroy(got);
	a = attester("spki", "default", NULL);
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_attester(store, a.fingerprint, &got),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(got->ak_name.len, 0);
	verifier_attester_destroy(got);
	/* SHA-1 Names are Names */
	a.ak_name = chunk_from_thing(sha1);
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);

	/* not a Name: wrong length, unknown nameAlg, too short */
	a.ak_name = name_of(0x42);
	a.ak_name.len = 33;
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_INVALID);
	a.ak_name = name_of(0x42);
	a.ak_name.ptr[1] = 0x0c;
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_INVALID);
	a.ak_name = chunk_create(sha1, 1);
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_INVALID);
	ck_assert_int_eq(store->get_attester(store, a.fingerprint, &got),
					 VERIFIER_STORE_OK);
	ck_assert(chunk_equals(got->ak_name, chunk_from_thing(sha1)));
	verifier_attester_destroy(got);

	ck_assert(verifier_ak_name_valid(name_of(0)));
	ck_assert(!verifier_ak_name_valid(chunk_empty));
}
END_TEST

/**
 * Record an attestation with a clock info, return the store's answer
 */
static verifier_store_status_t record(char *fpr, time_t when, char *status,
									  uint32_t reset, uint32_t restart,
									  uint64_t clock)
{
	ratkn_clock_info_t info = {
		.clock = clock,
		.reset_count = reset,
		.restart_count = restart,
		.safe = TRUE,
	};

	return store->record_attestation(store, fpr, when, status, &info);
}

/**
 * Check the recorded attestation of an attester
 */
static void assert_recorded(char *fpr, time_t when, char *status,
							uint32_t reset, uint32_t restart, uint64_t clock)
{
	verifier_attester_t *got;

	ck_assert_int_eq(store->get_attester(store, fpr, &got),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(got->last_seen, when);
	ck_assert_str_eq(got->last_status, status);
	ck_assert(got->has_clock);
	ck_assert_int_eq(got->clock.reset_count, reset);
	ck_assert_int_eq(got->clock.restart_count, restart);
	ck_assert(got->clock.clock == clock);
	verifier_attester_destroy(got);
}

START_TEST(test_record_newer_only)
{
	verifier_attester_t a, *got;

	ck_assert_int_eq(store->add_group(store, "default"), VERIFIER_STORE_OK);
	a = attester("spki", "default", NULL);
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_attester(store, a.fingerprint, &got),
					 VERIFIER_STORE_OK);
	ck_assert(!got->has_clock);
	verifier_attester_destroy(got);

	/* the first one is recorded */
	ck_assert_int_eq(record(a.fingerprint, 100, "contraindicated", 2, 1,
							60000), VERIFIER_STORE_OK);
	assert_recorded(a.fingerprint, 100, "contraindicated", 2, 1, 60000);
	/* not the same again, not an older clock, an older restart or reset */
	ck_assert_int_eq(record(a.fingerprint, 101, "affirming", 2, 1, 60000),
					 VERIFIER_STORE_EXISTS);
	ck_assert_int_eq(record(a.fingerprint, 102, "affirming", 2, 1, 59999),
					 VERIFIER_STORE_EXISTS);
	ck_assert_int_eq(record(a.fingerprint, 103, "affirming", 2, 0, 90000),
					 VERIFIER_STORE_EXISTS);
	ck_assert_int_eq(record(a.fingerprint, 104, "affirming", 1, 9, 90000),
					 VERIFIER_STORE_EXISTS);
	assert_recorded(a.fingerprint, 100, "contraindicated", 2, 1, 60000);
	/* a later clock, restart, reset are; the clock may restart lower */
	ck_assert_int_eq(record(a.fingerprint, 105, "warning", 2, 1, 60001),
					 VERIFIER_STORE_OK);
	assert_recorded(a.fingerprint, 105, "warning", 2, 1, 60001);
	ck_assert_int_eq(record(a.fingerprint, 106, "affirming", 2, 2, 10),
					 VERIFIER_STORE_OK);
	assert_recorded(a.fingerprint, 106, "affirming", 2, 2, 10);
	ck_assert_int_eq(record(a.fingerprint, 107, "none", 3, 0, 5),
					 VERIFIER_STORE_OK);
	assert_recorded(a.fingerprint, 107, "none", 3, 0, 5);
	/* the full 64-bit range of the clock */
	ck_assert_int_eq(record(a.fingerprint, 108, "affirming", 3, 0,
							0xfffffffffffffff0ULL), VERIFIER_STORE_OK);
	assert_recorded(a.fingerprint, 108, "affirming", 3, 0,
					0xfffffffffffffff0ULL);
	ck_assert_int_eq(record(a.fingerprint, 109, "affirming", 3, 0,
							0x7fffffffffffffffULL), VERIFIER_STORE_EXISTS);
	ck_assert_int_eq(record(a.fingerprint, 110, "affirming", 3, 0,
							0xffffffffffffffffULL), VERIFIER_STORE_OK);
	/* unknown attester */
	ck_assert_int_eq(record("' OR 1=1 --", 111, "affirming", 9, 0, 0),
					 VERIFIER_STORE_NOT_FOUND);

	/* replacing the attester (operator) forgets the clock */
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_attester(store, a.fingerprint, &got),
					 VERIFIER_STORE_OK);
	ck_assert(!got->has_clock);
	ck_assert_int_eq(got->last_seen, 0);
	verifier_attester_destroy(got);
	ck_assert_int_eq(record(a.fingerprint, 112, "affirming", 0, 0, 1),
					 VERIFIER_STORE_OK);
}
END_TEST

START_TEST(test_group_enroll)
{
	verifier_group_t group, *g;
	array_t *groups;

	ck_assert_int_eq(store->add_group(store, "default"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_group(store, "default", &group),
					 VERIFIER_STORE_OK);
	/* closed unless the operator opens it */
	ck_assert(!group.enroll);
	ck_assert_int_eq(store->set_group_enroll(store, "default", TRUE),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_group(store, "default", &group),
					 VERIFIER_STORE_OK);
	ck_assert(group.enroll);
	groups = store->list_groups(store);
	ck_assert_int_eq(array_count(groups), 1);
	array_get(groups, 0, &g);
	ck_assert(g->enroll);
	array_destroy_function(groups, (void*)free, NULL);
	ck_assert_int_eq(store->set_group_enroll(store, "default", FALSE),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_group(store, "default", &group),
					 VERIFIER_STORE_OK);
	ck_assert(!group.enroll);
	ck_assert_int_eq(store->set_group_enroll(store, "nope", TRUE),
					 VERIFIER_STORE_NOT_FOUND);
	ck_assert_int_eq(store->set_group_enroll(store, "' OR 1=1 --", TRUE),
					 VERIFIER_STORE_NOT_FOUND);
}
END_TEST

/**
 * Fingerprints of EKs and AKs of the tests
 */
#define EK1 "1111111111111111111111111111111111111111111111111111111111111111"
#define EK2 "2222222222222222222222222222222222222222222222222222222222222222"

START_TEST(test_ek_assignments)
{
	verifier_group_t group;
	verifier_ek_t *ek;
	char assigned[VERIFIER_GROUP_MAX + 1];
	array_t *eks;

	ck_assert_int_eq(store->add_group(store, "fleet"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->add_group(store, "lab"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->assign_ek(store, "1111", "fleet"),
					 VERIFIER_STORE_INVALID);
	ck_assert_int_eq(store->assign_ek(store, EK1, "nope"),
					 VERIFIER_STORE_NOT_FOUND);
	ck_assert_int_eq(store->get_ek_group(store, EK1, assigned),
					 VERIFIER_STORE_NOT_FOUND);
	ck_assert_int_eq(store->assign_ek(store, EK1, "fleet"),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->assign_ek(store, EK2, "fleet"),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_ek_group(store, EK1, assigned),
					 VERIFIER_STORE_OK);
	ck_assert_str_eq(assigned, "fleet");
	ck_assert_int_eq(store->get_group(store, "fleet", &group),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(group.eks, 2);
	/* a new assignment replaces the old one */
	ck_assert_int_eq(store->assign_ek(store, EK2, "lab"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_ek_group(store, EK2, assigned),
					 VERIFIER_STORE_OK);
	ck_assert_str_eq(assigned, "lab");
	eks = store->list_eks(store);
	ck_assert_int_eq(array_count(eks), 2);
	array_get(eks, 0, &ek);
	ck_assert_str_eq(ek->fingerprint, EK1);
	ck_assert_str_eq(ek->group, "fleet");
	ck_assert(ek->assigned >= time(NULL) - 5);
	array_destroy_function(eks, (void*)free, NULL);

	/* groups with assigned EKs stay */
	ck_assert_int_eq(store->remove_group(store, "fleet"),
					 VERIFIER_STORE_IN_USE);
	ck_assert_int_eq(store->unassign_ek(store, EK1), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->unassign_ek(store, EK1),
					 VERIFIER_STORE_NOT_FOUND);
	ck_assert_int_eq(store->unassign_ek(store, "x"), VERIFIER_STORE_NOT_FOUND);
	ck_assert_int_eq(store->remove_group(store, "fleet"), VERIFIER_STORE_OK);
}
END_TEST

START_TEST(test_check_enrollment)
{
	verifier_attester_t a;
	char other[VERIFIER_GROUP_MAX + 1];

	ck_assert_int_eq(store->add_group(store, "closed"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->add_group(store, "open"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->add_group(store, "fleet"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->set_group_enroll(store, "open", TRUE),
					 VERIFIER_STORE_OK);
	a = attester("spki", "open", "ek");
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);
	memset(other, 'x', sizeof(other));

	/* an EK without assignment: open groups only */
	ck_assert_int_eq(store->check_enrollment(store, EK2, EK1, "closed",
											 other), VERIFIER_STORE_DENIED);
	ck_assert_str_eq(other, "");
	ck_assert_int_eq(store->check_enrollment(store, EK2, EK1, "open", other),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->check_enrollment(store, EK2, EK1, "nope", other),
					 VERIFIER_STORE_NOT_FOUND);
	/* an assigned EK: its group, open or not, only */
	ck_assert_int_eq(store->assign_ek(store, EK1, "fleet"),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->check_enrollment(store, EK2, EK1, "fleet",
											 other), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->check_enrollment(store, EK2, EK1, "open", other),
					 VERIFIER_STORE_DENIED);
	ck_assert_str_eq(other, "fleet");
	/* an enrolled AK stays in its group */
	ck_assert_int_eq(store->check_enrollment(store, a.fingerprint, EK2,
											 "open", other),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->check_enrollment(store, a.fingerprint, EK1,
											 "fleet", other),
					 VERIFIER_STORE_CONFLICT);
	ck_assert_str_eq(other, "open");
	ck_assert_int_eq(store->check_enrollment(store, "x", EK1, "fleet",
											 other), VERIFIER_STORE_INVALID);
}
END_TEST

START_TEST(test_enroll_attester)
{
	verifier_attester_t a, *got;
	char other[VERIFIER_GROUP_MAX + 1];
	array_t *list;

	ck_assert_int_eq(store->add_group(store, "open"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->add_group(store, "other"), VERIFIER_STORE_OK);
	ck_assert_int_eq(store->set_group_enroll(store, "open", TRUE),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->set_group_enroll(store, "other", TRUE),
					 VERIFIER_STORE_OK);
	a = enrolled("spki", "open", "ek cert", 0x01);
	a.enrolled = 1000;
	ck_assert_int_eq(store->enroll_attester(store, &a, EK1, other),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_attester(store, a.fingerprint, &got),
					 VERIFIER_STORE_OK);
	ck_assert(chunk_equals(got->ak_name, name_of(0x01)));
	verifier_attester_destroy(got);
	ck_assert_int_eq(record(a.fingerprint, 1001, "affirming", 1, 0, 500),
					 VERIFIER_STORE_OK);

	/* again into its group: the EK certificate, Name and time are
	 * refreshed, its history and clock stay */
	a = enrolled("spki", "open", "new ek cert", 0x02);
	a.enrolled = 2000;
	ck_assert_int_eq(store->enroll_attester(store, &a, EK1, other),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_attester(store, a.fingerprint, &got),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(got->enrolled, 2000);
	ck_assert(chunk_equals(got->ek_cert, chunk_from_str("new ek cert")));
	ck_assert(chunk_equals(got->ak_spki, chunk_from_str("spki")));
	ck_assert(chunk_equals(got->ak_name, name_of(0x02)));
	verifier_attester_destroy(got);
	assert_recorded(a.fingerprint, 1001, "affirming", 1, 0, 500);

	/* into another group: refused, whatever the other group allows */
	a = enrolled("spki", "other", "ek cert", 0x03);
	ck_assert_int_eq(store->enroll_attester(store, &a, EK1, other),
					 VERIFIER_STORE_CONFLICT);
	ck_assert_str_eq(other, "open");
	ck_assert_int_eq(store->get_attester(store, a.fingerprint, &got),
					 VERIFIER_STORE_OK);
	ck_assert_str_eq(got->group, "open");
	ck_assert(chunk_equals(got->ak_name, name_of(0x02)));
	verifier_attester_destroy(got);

	/* a closed group, another EK's assignment */
	ck_assert_int_eq(store->set_group_enroll(store, "other", FALSE),
					 VERIFIER_STORE_OK);
	a = enrolled("spki 2", "other", "ek cert", 0x04);
	ck_assert_int_eq(store->enroll_attester(store, &a, EK2, other),
					 VERIFIER_STORE_DENIED);
	ck_assert_str_eq(other, "");
	ck_assert_int_eq(store->assign_ek(store, EK2, "other"),
					 VERIFIER_STORE_OK);
	a = enrolled("spki 2", "open", "ek cert", 0x04);
	ck_assert_int_eq(store->enroll_attester(store, &a, EK2, other),
					 VERIFIER_STORE_DENIED);
	ck_assert_str_eq(other, "other");
	a = enrolled("spki 2", "other", "ek cert", 0x04);
	ck_assert_int_eq(store->enroll_attester(store, &a, EK2, other),
					 VERIFIER_STORE_OK);
	/* no EK certificate, no Name, a malformed Name: no enrollment */
	a = enrolled("spki 3", "open", NULL, 0x05);
	ck_assert_int_eq(store->enroll_attester(store, &a, EK1, other),
					 VERIFIER_STORE_INVALID);
	a = attester("spki 3", "open", "ek cert");
	ck_assert_int_eq(store->enroll_attester(store, &a, EK1, other),
					 VERIFIER_STORE_INVALID);
	a = enrolled("spki 3", "open", "ek cert", 0x05);
	a.ak_name.len--;
	ck_assert_int_eq(store->enroll_attester(store, &a, EK1, other),
					 VERIFIER_STORE_INVALID);
	list = store->list_attesters(store);
	ck_assert_int_eq(array_count(list), 2);
	array_destroy_function(list, (void*)verifier_attester_destroy, NULL);
}
END_TEST

/**
 * A session of EK1 from a client with a secret hash of a value
 */
static verifier_session_t session(char *id, time_t expires)
{
	verifier_session_t s = {
		.ak_spki = chunk_from_str("spki"),
		.ak_name = name_of(0x11),
		.ek_cert = chunk_from_str("ek"),
		.expires = expires,
	};

	snprintf(s.id, sizeof(s.id), "%s", id);
	snprintf(s.group, sizeof(s.group), "default");
	snprintf(s.ek, sizeof(s.ek), "%s", EK1);
	snprintf(s.client, sizeof(s.client), "192.0.2.1");
	memset(s.secret_hash, 0x5a, sizeof(s.secret_hash));
	return s;
}

/**
 * Limits high enough not to matter
 */
static verifier_session_limits_t no_limits = {
	.total = 1000,
	.per_ek = 1000,
	.per_client = 1000,
};

/**
 * Limits with a total
 */
static verifier_session_limits_t *total(u_int max)
{
	static verifier_session_limits_t limits;

	limits = no_limits;
	limits.total = max;
	return &limits;
}

START_TEST(test_sessions)
{
	verifier_session_t s, *got;
	time_t now = time(NULL);

	s = session("00112233445566778899aabbccddeeff", now + 60);
	ck_assert_int_eq(store->add_session(store, &s, &no_limits, now),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->take_session(store, "ffff", now, &got),
					 VERIFIER_STORE_NOT_FOUND);
	ck_assert_int_eq(store->take_session(store, s.id, now, &got),
					 VERIFIER_STORE_OK);
	ck_assert_str_eq(got->id, s.id);
	ck_assert(chunk_equals(got->ak_spki, s.ak_spki));
	ck_assert(chunk_equals(got->ak_name, name_of(0x11)));
	ck_assert(chunk_equals(got->ek_cert, s.ek_cert));
	ck_assert_str_eq(got->group, "default");
	ck_assert_str_eq(got->ek, EK1);
	ck_assert_str_eq(got->client, "192.0.2.1");
	ck_assert(memeq(got->secret_hash, s.secret_hash, sizeof(s.secret_hash)));
	ck_assert_int_eq(got->expires, now + 60);
	verifier_session_destroy(got);
	/* used once */
	ck_assert_int_eq(store->take_session(store, s.id, now, &got),
					 VERIFIER_STORE_NOT_FOUND);
}
END_TEST

START_TEST(test_session_expiry)
{
	verifier_session_t s, *got;
	time_t now = time(NULL);

	s = session("00112233445566778899aabbccddeeff", now + 60);
	ck_assert_int_eq(store->add_session(store, &s, &no_limits, now),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->take_session(store, s.id, now + 60, &got),
					 VERIFIER_STORE_NOT_FOUND);
	/* and it is gone */
	ck_assert_int_eq(store->take_session(store, s.id, now, &got),
					 VERIFIER_STORE_NOT_FOUND);
}
END_TEST

START_TEST(test_session_limit)
{
	verifier_session_t s, *got;
	time_t now = time(NULL);
	char id[33];
	int i;

	for (i = 0; i < 3; i++)
	{
		snprintf(id, sizeof(id), "%032x", i);
		s = session(id, now + 60);
		snprintf(s.ek, sizeof(s.ek), "%064x", i);
		snprintf(s.client, sizeof(s.client), "192.0.2.%d", i);
		ck_assert_int_eq(store->add_session(store, &s, total(3), now),
						 VERIFIER_STORE_OK);
	}
	s = session("ffffffffffffffffffffffffffffffff", now + 60);
	snprintf(s.ek, sizeof(s.ek), "%064x", 9);
	ck_assert_int_eq(store->add_session(store, &s, total(3), now),
					 VERIFIER_STORE_EXISTS);
	/* expired ones are purged when adding */
	ck_assert_int_eq(store->add_session(store, &s, total(3), now + 61),
					 VERIFIER_STORE_OK);
	snprintf(id, sizeof(id), "%032x", 0);
	ck_assert_int_eq(store->take_session(store, id, now, &got),
					 VERIFIER_STORE_NOT_FOUND);
	s = session("", now + 60);
	ck_assert_int_eq(store->add_session(store, &s, total(3), now),
					 VERIFIER_STORE_INVALID);
	s = session("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", now + 60);
	s.ek[0] = '\0';
	ck_assert_int_eq(store->add_session(store, &s, total(3), now),
					 VERIFIER_STORE_INVALID);
	s = session("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", now + 60);
	s.client[0] = '\0';
	ck_assert_int_eq(store->add_session(store, &s, total(3), now),
					 VERIFIER_STORE_INVALID);
	/* a session carries the AK's Name to the finish */
	s = session("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", now + 60);
	s.ak_name = chunk_empty;
	ck_assert_int_eq(store->add_session(store, &s, total(3), now),
					 VERIFIER_STORE_INVALID);
}
END_TEST

START_TEST(test_session_per_ek)
{
	verifier_session_limits_t limits = no_limits;
	verifier_session_t s, *got;
	time_t now = time(NULL);
	char id[33];
	int i;

	/* many starts for one EK (from anywhere): only its newest two stay */
	limits.per_ek = 2;
	for (i = 0; i < 10; i++)
	{
		snprintf(id, sizeof(id), "%032x", i);
		s = session(id, now + 60 + i);
		snprintf(s.client, sizeof(s.client), "198.51.100.%d", i);
		ck_assert_int_eq(store->add_session(store, &s, &limits, now),
						 VERIFIER_STORE_OK);
	}
	/* another EK is not affected */
	s = session("ffffffffffffffffffffffffffffffff", now + 60);
	snprintf(s.ek, sizeof(s.ek), "%s", EK2);
	ck_assert_int_eq(store->add_session(store, &s, &limits, now),
					 VERIFIER_STORE_OK);
	for (i = 0; i < 8; i++)
	{
		snprintf(id, sizeof(id), "%032x", i);
		ck_assert_int_eq(store->take_session(store, id, now, &got),
						 VERIFIER_STORE_NOT_FOUND);
	}
	for (i = 8; i < 10; i++)
	{
		snprintf(id, sizeof(id), "%032x", i);
		ck_assert_int_eq(store->take_session(store, id, now, &got),
						 VERIFIER_STORE_OK);
		verifier_session_destroy(got);
	}
	ck_assert_int_eq(store->take_session(store, s.id, now, &got),
					 VERIFIER_STORE_OK);
	verifier_session_destroy(got);
}
END_TEST

START_TEST(test_session_per_client)
{
	verifier_session_limits_t limits = no_limits;
	verifier_session_t s, *got;
	time_t now = time(NULL);
	char id[33];
	int i;

	limits.per_client = 3;
	limits.per_ek = 2;
	for (i = 0; i < 3; i++)
	{
		snprintf(id, sizeof(id), "%032x", i);
		s = session(id, now + 60 + i);
		snprintf(s.ek, sizeof(s.ek), "%064x", i);
		ck_assert_int_eq(store->add_session(store, &s, &limits, now),
						 VERIFIER_STORE_OK);
	}
	/* the fourth of this client is refused ... */
	s = session("ffffffffffffffffffffffffffffffff", now + 60);
	snprintf(s.ek, sizeof(s.ek), "%064x", 0);
	ck_assert_int_eq(store->add_session(store, &s, &limits, now),
					 VERIFIER_STORE_LIMIT);
	/* ... and dropped none of the EK's others */
	snprintf(id, sizeof(id), "%032x", 0);
	ck_assert_int_eq(store->take_session(store, id, now, &got),
					 VERIFIER_STORE_OK);
	verifier_session_destroy(got);
	/* another client is fine, and one that finished or expired too */
	snprintf(s.client, sizeof(s.client), "192.0.2.2");
	ck_assert_int_eq(store->add_session(store, &s, &limits, now),
					 VERIFIER_STORE_OK);
	s = session("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", now + 60);
	snprintf(s.ek, sizeof(s.ek), "%064x", 7);
	ck_assert_int_eq(store->add_session(store, &s, &limits, now),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->add_session(store, &s, &limits, now),
					 VERIFIER_STORE_LIMIT);
	ck_assert_int_eq(store->add_session(store, &s, &limits, now + 70),
					 VERIFIER_STORE_OK);
}
END_TEST

START_TEST(test_persistence)
{
	verifier_attester_t a, *got;
	verifier_group_t group;

	ck_assert_int_eq(store->add_group(store, "default"), VERIFIER_STORE_OK);
	a = attester("spki", "default", NULL);
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);
	store->destroy(store);

	store = verifier_store_create(path);
	ck_assert(store);
	ck_assert_int_eq(store->get_group(store, "default", &group),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_attester(store, a.fingerprint, &got),
					 VERIFIER_STORE_OK);
	verifier_attester_destroy(got);
}
END_TEST

/**
 * Run SQL on the test's database file (without the store)
 */
static void sql(char *statements)
{
	sqlite3 *db;
	char *msg = NULL;

	ck_assert(sqlite3_open(path, &db) == SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, statements, NULL, NULL, &msg) == SQLITE_OK,
				  "%s", msg);
	sqlite3_close(db);
}

/**
 * Get an integer from the test's database file (without the store)
 */
static int sql_int(char *query)
{
	sqlite3_stmt *stmt;
	sqlite3 *db;
	int value;

	ck_assert(sqlite3_open(path, &db) == SQLITE_OK);
	ck_assert(sqlite3_prepare_v2(db, query, -1, &stmt, NULL) == SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	value = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return value;
}

START_TEST(test_schema_version)
{
	char newer[64];

	store->destroy(store);
	store = NULL;
	ck_assert_int_eq(sql_int("PRAGMA user_version"), VERIFIER_STORE_SCHEMA);
	snprintf(newer, sizeof(newer), "PRAGMA user_version = %d",
			 VERIFIER_STORE_SCHEMA + 1);
	sql(newer);
	ck_assert(!verifier_store_create(path));
	/* and left alone */
	ck_assert_int_eq(sql_int("PRAGMA user_version"),
					 VERIFIER_STORE_SCHEMA + 1);
}
END_TEST

/**
 * A database of schema version 1 as ratkn-verifier 0.1 created it, with a
 * group, a reference value, an attester that attested and a pending
 * enrollment
 */
static char *schema_v1_with_data =
	"CREATE TABLE groups ("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  pcrs TEXT NOT NULL DEFAULT '',"
	"  warning TEXT NOT NULL DEFAULT '',"
	"  created INTEGER NOT NULL"
	");"
	"CREATE TABLE reference_values ("
	"  grp TEXT NOT NULL REFERENCES groups(name) ON DELETE CASCADE,"
	"  bank TEXT NOT NULL,"
	"  pcr INTEGER NOT NULL,"
	"  digest BLOB NOT NULL,"
	"  PRIMARY KEY (grp, bank, pcr, digest)"
	");"
	"CREATE TABLE attesters ("
	"  fingerprint TEXT PRIMARY KEY NOT NULL,"
	"  ak_spki BLOB NOT NULL,"
	"  ek_cert BLOB,"
	"  grp TEXT NOT NULL REFERENCES groups(name),"
	"  enrolled INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL DEFAULT 0,"
	"  last_status TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX attesters_grp ON attesters(grp);"
	"CREATE TABLE enroll_sessions ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  secret_hash BLOB NOT NULL,"
	"  ak_spki BLOB NOT NULL,"
	"  ek_cert BLOB NOT NULL,"
	"  grp TEXT NOT NULL,"
	"  expires INTEGER NOT NULL"
	");"
	"PRAGMA user_version = 1;"
	"INSERT INTO groups (name, pcrs, warning, created) VALUES "
	"  ('servers', 'sha256:7', 'sha256:7', 1700000000);"
	"INSERT INTO reference_values (grp, bank, pcr, digest) VALUES "
	"  ('servers', 'sha256', 7, zeroblob(32));"
	"INSERT INTO attesters VALUES ("
	"  '0000000000000000000000000000000000000000000000000000000000000001',"
	"  x'3059', x'3082', 'servers', 1700000001, 1700000002, 'warning');"
	"INSERT INTO enroll_sessions VALUES ("
	"  '00112233445566778899aabbccddeeff', zeroblob(32), x'30', x'30',"
	"  'servers', 4000000000);";

START_TEST(test_migrate_v1)
{
	verifier_attester_t *got;
	verifier_group_t group;
	ratkn_reference_t *ref;
	char *fpr =
		"0000000000000000000000000000000000000000000000000000000000000001";

	store->destroy(store);
	store = NULL;
	unlink(path);
	sql(schema_v1_with_data);

	store = verifier_store_create(path);
	ck_assert(store);
	ck_assert_int_eq(sql_int("PRAGMA user_version"), VERIFIER_STORE_SCHEMA);

	/* the data is still there */
	ck_assert_int_eq(store->get_group(store, "servers", &group),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(group.references, 1);
	ck_assert_int_eq(group.attesters, 1);
	ck_assert(ratkn_pcr_selection_contains(&group.warning, 0x000b, 7));
	/* closed for self-enrollment until the operator opens it */
	ck_assert(!group.enroll);
	ck_assert_int_eq(group.eks, 0);
	ck_assert_int_eq(store->get_reference(store, "servers", &ref),
					 VERIFIER_STORE_OK);
	ck_assert(ref);
	ref->destroy(ref);
	ck_assert_int_eq(store->get_attester(store, fpr, &got),
					 VERIFIER_STORE_OK);
	ck_assert_str_eq(got->group, "servers");
	ck_assert_int_eq(got->enrolled, 1700000001);
	ck_assert_int_eq(got->last_seen, 1700000002);
	ck_assert_str_eq(got->last_status, "warning");
	/* pending enrollments (without EK and client) were dropped */
	ck_assert_int_eq(sql_int("SELECT COUNT(*) FROM enroll_sessions"), 0);
	/* with no clock yet: the next authentic evidence is recorded */
	ck_assert(!got->has_clock);
	verifier_attester_destroy(got);
	ck_assert_int_eq(record(fpr, 1700000003, "affirming", 1, 0, 1000),
					 VERIFIER_STORE_OK);
	assert_recorded(fpr, 1700000003, "affirming", 1, 0, 1000);

	/* migrated once: opening it again changes nothing */
	store->destroy(store);
	store = verifier_store_create(path);
	ck_assert(store);
	assert_recorded(fpr, 1700000003, "affirming", 1, 0, 1000);
}
END_TEST

/**
 * The migration of ratkn-verifier 0.2 from schema version 1 to 2, and data
 * it added to a version 2 database: an assigned EK, the clock info of the
 * attester, an open group, a pending enrollment
 */
static char *schema_v2_data =
	"ALTER TABLE groups ADD COLUMN enroll INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE ek_assignments ("
	"  ek TEXT PRIMARY KEY NOT NULL,"
	"  grp TEXT NOT NULL REFERENCES groups(name),"
	"  assigned INTEGER NOT NULL"
	");"
	"CREATE INDEX ek_assignments_grp ON ek_assignments(grp);"
	"ALTER TABLE attesters ADD COLUMN clock INTEGER;"
	"ALTER TABLE attesters ADD COLUMN reset_count INTEGER;"
	"ALTER TABLE attesters ADD COLUMN restart_count INTEGER;"
	"ALTER TABLE attesters ADD COLUMN clock_safe INTEGER;"
	"DELETE FROM enroll_sessions;"
	"ALTER TABLE enroll_sessions ADD COLUMN ek TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE enroll_sessions ADD COLUMN client TEXT NOT NULL DEFAULT '';"
	"PRAGMA user_version = 2;"
	"INSERT INTO ek_assignments VALUES ('" EK1 "', 'servers', 1700000003);"
	"INSERT INTO groups (name, created, enroll) VALUES "
	"  ('lab', 1700000004, 1);"
	"UPDATE attesters SET clock = 7000, reset_count = 2, restart_count = 1, "
	"  clock_safe = 1;"
	"INSERT INTO enroll_sessions VALUES ("
	"  '00112233445566778899aabbccddeeff', zeroblob(32), x'30', x'30',"
	"  'servers', 4000000000, '" EK1 "', '192.0.2.1');";

START_TEST(test_migrate_v2)
{
	verifier_attester_t *got, a;
	verifier_group_t group;
	char other[VERIFIER_GROUP_MAX + 1];
	char *fpr =
		"0000000000000000000000000000000000000000000000000000000000000001";

	store->destroy(store);
	store = NULL;
	unlink(path);
	sql(schema_v1_with_data);
	sql(schema_v2_data);
	ck_assert_int_eq(sql_int("PRAGMA user_version"), 2);

	store = verifier_store_create(path);
	ck_assert(store);
	ck_assert_int_eq(sql_int("PRAGMA user_version"), VERIFIER_STORE_SCHEMA);
	ck_assert_int_eq(VERIFIER_STORE_SCHEMA, 3);

	/* the data of version 2 is still there */
	ck_assert_int_eq(store->get_group(store, "lab", &group),
					 VERIFIER_STORE_OK);
	ck_assert(group.enroll);
	ck_assert_int_eq(store->get_group(store, "servers", &group),
					 VERIFIER_STORE_OK);
	ck_assert(!group.enroll);
	ck_assert_int_eq(group.eks, 1);
	ck_assert_int_eq(group.references, 1);
	ck_assert_int_eq(store->get_attester(store, fpr, &got),
					 VERIFIER_STORE_OK);
	ck_assert(got->has_clock);
	ck_assert(got->clock.clock == 7000);
	ck_assert_int_eq(got->clock.reset_count, 2);
	ck_assert_int_eq(got->ek_cert.len, 2);
	/* enrolled before Names were kept: not pinned */
	ck_assert_int_eq(got->ak_name.len, 0);
	verifier_attester_destroy(got);
	/* pending enrollments (without the AK's Name) were dropped */
	ck_assert_int_eq(sql_int("SELECT COUNT(*) FROM enroll_sessions"), 0);

	/* enrolling again pins the Name, the history and clock stay */
	a = enrolled("", "servers", "new ek cert", 0x33);
	a.ak_spki = chunk_from_chars(0x30, 0x59);
	snprintf(a.fingerprint, sizeof(a.fingerprint), "%s", fpr);
	ck_assert_int_eq(store->enroll_attester(store, &a, EK1, other),
					 VERIFIER_STORE_OK);
	ck_assert_int_eq(store->get_attester(store, fpr, &got),
					 VERIFIER_STORE_OK);
	ck_assert(chunk_equals(got->ak_name, name_of(0x33)));
	ck_assert_str_eq(got->last_status, "warning");
	ck_assert(got->has_clock);
	verifier_attester_destroy(got);

	/* migrated once: opening it again changes nothing */
	store->destroy(store);
	store = verifier_store_create(path);
	ck_assert(store);
	ck_assert_int_eq(sql_int("PRAGMA user_version"), VERIFIER_STORE_SCHEMA);
	ck_assert_int_eq(store->get_attester(store, fpr, &got),
					 VERIFIER_STORE_OK);
	ck_assert(chunk_equals(got->ak_name, name_of(0x33)));
	verifier_attester_destroy(got);
}
END_TEST

START_TEST(test_migrate_failure)
{
	store->destroy(store);
	store = NULL;
	unlink(path);
	/* a version 1 database whose attesters table has the new columns
	 * already: the migration fails and changes nothing */
	sql("CREATE TABLE attesters (fingerprint TEXT, clock INTEGER);"
		"PRAGMA user_version = 1;");
	ck_assert(!verifier_store_create(path));
	ck_assert_int_eq(sql_int("PRAGMA user_version"), 1);

	/* likewise from version 2, whose attesters have a Name already */
	unlink(path);
	sql("CREATE TABLE attesters (fingerprint TEXT, ak_name BLOB);"
		"CREATE TABLE enroll_sessions (id TEXT);"
		"PRAGMA user_version = 2;");
	ck_assert(!verifier_store_create(path));
	ck_assert_int_eq(sql_int("PRAGMA user_version"), 2);
}
END_TEST

START_TEST(test_not_a_database)
{
	char *file;

	ck_assert(asprintf(&file, "%s/garbage.db", dir) > 0);
	vt_write(file, "this is not an SQLite database, but long enough to be "
			 "read as a header of one................................."
			 "........................................................");
	ck_assert(!verifier_store_create(file));
	free(file);
	ck_assert(asprintf(&file, "%s/missing/dir/x.db", dir) > 0);
	ck_assert(!verifier_store_create(file));
	free(file);
}
END_TEST

Suite *store_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("store");

	tc = tcase_create("names");
	tcase_add_test(tc, test_group_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("groups");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_reference);
	tcase_add_test(tc, test_reference_invalid);
	tcase_add_test(tc, test_warning);
	suite_add_tcase(s, tc);

	tc = tcase_create("attesters");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_attesters);
	tcase_add_test(tc, test_attester_replace);
	tcase_add_test(tc, test_attester_name);
	tcase_add_test(tc, test_record_newer_only);
	tcase_add_test(tc, test_group_enroll);
	tcase_add_test(tc, test_ek_assignments);
	tcase_add_test(tc, test_check_enrollment);
	tcase_add_test(tc, test_enroll_attester);
	suite_add_tcase(s, tc);

	tc = tcase_create("sessions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sessions);
	tcase_add_test(tc, test_session_expiry);
	tcase_add_test(tc, test_session_limit);
	tcase_add_test(tc, test_session_per_ek);
	tcase_add_test(tc, test_session_per_client);
	suite_add_tcase(s, tc);

	tc = tcase_create("database");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_persistence);
	tcase_add_test(tc, test_schema_version);
	tcase_add_test(tc, test_migrate_v1);
	tcase_add_test(tc, test_migrate_v2);
	tcase_add_test(tc, test_migrate_failure);
	tcase_add_test(tc, test_not_a_database);
	suite_add_tcase(s, tc);

	return s;
}
