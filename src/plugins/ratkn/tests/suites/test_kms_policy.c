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

#include "ratkn_tests.h"

#include <ratkn_kms_policy.h>

/**
 * Identity patterns and whether they match
 */
static struct {
	char *pattern;
	char *identity;
	bool match;
} matches[] = {
	{ "gw1.fleet.example", "gw1.fleet.example", TRUE },
	{ "gw1.fleet.example", "GW1.Fleet.Example", TRUE },
	{ "gw1.fleet.example", "gw2.fleet.example", FALSE },
	{ "*.fleet.example", "gw1.fleet.example", TRUE },
	{ "*.fleet.example", "a.b.fleet.example", TRUE },
	{ "*.fleet.example", "fleet.example", FALSE },
	{ "*.fleet.example", "evilfleet.example", FALSE },
	{ "*.fleet.example", "gw1.fleet.example.evil", FALSE },
	{ "*", "anything", TRUE },
	{ "*@example.org", "alice@example.org", TRUE },
	{ "gw*.fleet.example", "gw17.fleet.example", TRUE },
	{ "gw*.fleet.example", "db1.fleet.example", FALSE },
	{ "C=CH, O=ratkn, CN=*", "C=CH, O=ratkn, CN=node1", TRUE },
	{ "a*b*c", "aXXbYYc", TRUE },
	{ "a*b*c", "aXXbYY", FALSE },
	{ "", "", TRUE },
	{ "", "a", FALSE },
};

/**
 * Typed identities: pattern, identity and whether they match
 */
static struct {
	char *pattern;
	char *identity;
	bool match;
} typed[] = {
	{ "*.fleet.example", "gw1.fleet.example", TRUE },
	{ "*.fleet.example", "GW1.Fleet.Example", TRUE },
	{ "gw*.fleet.example", "gw17.fleet.example", TRUE },
	/* issue 12 defect 6: a DN or an e-mail address ending like the pattern
	 * is another type of identity */
	{ "*.fleet.example", "CN=x.fleet.example", FALSE },
	{ "*.fleet.example", "C=CH, O=evil, CN=gw1.fleet.example", FALSE },
	{ "*.fleet.example", "admin@x.fleet.example", FALSE },
	{ "*@fleet.example", "admin@fleet.example", TRUE },
	{ "*@fleet.example", "fleet.example", FALSE },
	/* DNs match RDN by RDN */
	{ "C=CH, O=ratkn, CN=*", "C=CH, O=ratkn, CN=node1", TRUE },
	{ "C=CH, O=ratkn, CN=*", "C=CH, O=evil, CN=node1", FALSE },
	{ "C=CH, O=ratkn, CN=node1", "C=CH, O=ratkn, CN=node1", TRUE },
	{ "C=CH, O=ratkn, CN=node1", "C=CH, O=ratkn, CN=node2", FALSE },
	/* any */
	{ "*", "C=CH, O=ratkn, CN=node1", TRUE },
	{ "%any", "gw1.fleet.example", TRUE },
	{ "10.1.0.5", "10.1.0.5", TRUE },
	{ "10.1.0.5", "10.1.0.6", FALSE },
};

START_TEST(test_match_typed)
{
	identification_t *id;

	id = identification_create_from_string(typed[_i].identity);
	ck_assert_msg(ratkn_kms_match_id(typed[_i].pattern, id) ==
				  typed[_i].match, "'%s' ~ '%Y'", typed[_i].pattern, id);
	id->destroy(id);
}
END_TEST

START_TEST(test_match_long)
{
	identification_t *id;
	char fqdn[512];

	/* longer than any fixed buffer: what follows the first 255 characters
	 * counts, they must not be cut off */
	memset(fqdn, 'a', 250);
	snprintf(fqdn + 250, sizeof(fqdn) - 250, ".fleet.example.evil.example");
	id = identification_create_from_string(fqdn);
	ck_assert(!ratkn_kms_match_id("*.fleet.example", id));
	ck_assert(ratkn_kms_match_id("*.evil.example", id));
	id->destroy(id);

	memset(fqdn, 'b', 300);
	snprintf(fqdn + 300, sizeof(fqdn) - 300, ".fleet.example");
	id = identification_create_from_string(fqdn);
	ck_assert(ratkn_kms_match_id("*.fleet.example", id));
	id->destroy(id);
}
END_TEST

START_TEST(test_match)
{
	ck_assert_msg(ratkn_kms_match(matches[_i].pattern,
								  matches[_i].identity) == matches[_i].match,
				  "'%s' ~ '%s'", matches[_i].pattern, matches[_i].identity);
}
END_TEST

/**
 * Add a grant
 */
static void add(ratkn_kms_policy_t *policy, u_int id, char *key, char *peer,
				ratkn_ear_status_t status, uint32_t lifetime)
{
	ratkn_kms_grant_t grant = {
		.id = id,
		.key = key,
		.peer = peer,
		.status = status,
		.lifetime = lifetime,
	};
	ck_assert(policy->add_grant(policy, &grant));
}

/**
 * The policy of the tests
 */
static ratkn_kms_policy_t *policy;

static void setup()
{
	policy = ratkn_kms_policy_create();
	add(policy, 1, "model-weights", "*.fleet.example", RATKN_EAR_AFFIRMING,
		3600);
	add(policy, 2, "telemetry", "*.fleet.example", RATKN_EAR_WARNING, 600);
	add(policy, 3, "ops", "group:operators", RATKN_EAR_WARNING, 60);
	add(policy, 4, "model-weights", "lab.fleet.example", RATKN_EAR_WARNING,
		120);
	add(policy, 5, "admin", "admin.example", RATKN_EAR_AFFIRMING, 30);
}

static void teardown()
{
	policy->destroy(policy);
}

/**
 * Find a decision
 */
static ratkn_kms_decision_t *find(linked_list_t *list, char *key)
{
	enumerator_t *enumerator;
	ratkn_kms_decision_t *decision, *found = NULL;

	enumerator = list->create_enumerator(list);
	while (enumerator->enumerate(enumerator, &decision))
	{
		if (streq(decision->key, key))
		{
			found = decision;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Decide and check the count of decisions
 */
static linked_list_t *decide(char *identity, linked_list_t *groups,
							 ratkn_ear_status_t status, int count)
{
	identification_t *id;
	linked_list_t *list;

	id = identification_create_from_string(identity);
	list = policy->decide(policy, id, groups, status);
	id->destroy(id);
	ck_assert_int_eq(list->get_count(list), count);
	return list;
}

static void destroy(linked_list_t *list)
{
	list->destroy_function(list, (void*)ratkn_kms_decision_destroy);
}

START_TEST(test_affirming)
{
	ratkn_kms_decision_t *d;
	linked_list_t *list;

	list = decide("gw1.fleet.example", NULL, RATKN_EAR_AFFIRMING, 2);
	d = find(list, "model-weights");
	ck_assert(d && d->granted);
	ck_assert_int_eq(d->lifetime, 3600);
	ck_assert_int_eq(d->grant, 1);
	d = find(list, "telemetry");
	ck_assert(d && d->granted);
	ck_assert_int_eq(d->lifetime, 600);
	ck_assert(!find(list, "ops"));
	ck_assert(!find(list, "admin"));
	destroy(list);
}
END_TEST

START_TEST(test_warning)
{
	ratkn_kms_decision_t *d;
	linked_list_t *list;

	list = decide("gw1.fleet.example", NULL, RATKN_EAR_WARNING, 2);
	d = find(list, "model-weights");
	ck_assert(d && !d->granted);
	ck_assert(strstr(d->reason, "requires status affirming"));
	ck_assert(strstr(d->reason, "has warning"));
	d = find(list, "telemetry");
	ck_assert(d && d->granted);
	destroy(list);

	/* a second, more lenient grant for one host */
	list = decide("lab.fleet.example", NULL, RATKN_EAR_WARNING, 2);
	d = find(list, "model-weights");
	ck_assert(d && d->granted);
	ck_assert_int_eq(d->grant, 4);
	ck_assert_int_eq(d->lifetime, 120);
	destroy(list);

	/* with affirming the first grant decides */
	list = decide("lab.fleet.example", NULL, RATKN_EAR_AFFIRMING, 2);
	d = find(list, "model-weights");
	ck_assert(d && d->granted);
	ck_assert_int_eq(d->grant, 1);
	destroy(list);
}
END_TEST

START_TEST(test_contraindicated)
{
	ratkn_ear_status_t status[] = {
		RATKN_EAR_CONTRAINDICATED, RATKN_EAR_NONE,
	};
	enumerator_t *enumerator;
	ratkn_kms_decision_t *d;
	linked_list_t *list;
	int i;

	for (i = 0; i < countof(status); i++)
	{
		list = decide("gw1.fleet.example", NULL, status[i], 2);
		enumerator = list->create_enumerator(list);
		while (enumerator->enumerate(enumerator, &d))
		{
			ck_assert(!d->granted);
			ck_assert(d->reason);
		}
		enumerator->destroy(enumerator);
		destroy(list);
	}
}
END_TEST

START_TEST(test_groups)
{
	linked_list_t *groups, *list;
	ratkn_kms_decision_t *d;

	groups = linked_list_create_with_items("staff", "operators", NULL);
	list = decide("someone.else", groups, RATKN_EAR_WARNING, 1);
	d = find(list, "ops");
	ck_assert(d && d->granted);
	ck_assert_int_eq(d->lifetime, 60);
	destroy(list);
	groups->destroy(groups);

	groups = linked_list_create_with_items("operator", NULL);
	list = decide("someone.else", groups, RATKN_EAR_AFFIRMING, 0);
	destroy(list);
	groups->destroy(groups);

	/* the group name is not an identity pattern */
	list = decide("group:operators", NULL, RATKN_EAR_AFFIRMING, 0);
	destroy(list);
}
END_TEST

START_TEST(test_no_match)
{
	linked_list_t *list;

	list = decide("fleet.example", NULL, RATKN_EAR_AFFIRMING, 0);
	destroy(list);
	list = decide("admin.example.org", NULL, RATKN_EAR_AFFIRMING, 0);
	destroy(list);
}
END_TEST

START_TEST(test_invalid_grants)
{
	ratkn_kms_grant_t grants[] = {
		{ .key = "bad name", .peer = "x", .status = RATKN_EAR_AFFIRMING,
		  .lifetime = 1 },
		{ .key = "k", .peer = "", .status = RATKN_EAR_AFFIRMING,
		  .lifetime = 1 },
		{ .key = "k", .peer = "group:", .status = RATKN_EAR_AFFIRMING,
		  .lifetime = 1 },
		{ .key = "k", .peer = "x\n", .status = RATKN_EAR_AFFIRMING,
		  .lifetime = 1 },
		{ .key = "k", .peer = "x", .status = RATKN_EAR_CONTRAINDICATED,
		  .lifetime = 1 },
		{ .key = "k", .peer = "x", .status = RATKN_EAR_NONE,
		  .lifetime = 1 },
		{ .key = "k", .peer = "x", .status = RATKN_EAR_AFFIRMING,
		  .lifetime = 0 },
	};
	enumerator_t *enumerator;
	ratkn_kms_grant_t *grant;
	int i, count = 0;

	for (i = 0; i < countof(grants); i++)
	{
		ck_assert_msg(!policy->add_grant(policy, &grants[i]), "grant %d", i);
	}
	enumerator = policy->create_grant_enumerator(policy);
	while (enumerator->enumerate(enumerator, &grant))
	{
		count++;
	}
	enumerator->destroy(enumerator);
	ck_assert_int_eq(count, 5);
}
END_TEST

Suite *kms_policy_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("kms_policy");

	tc = tcase_create("match");
	tcase_add_loop_test(tc, test_match, 0, countof(matches));
	tcase_add_loop_test(tc, test_match_typed, 0, countof(typed));
	tcase_add_test(tc, test_match_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("decide");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_affirming);
	tcase_add_test(tc, test_warning);
	tcase_add_test(tc, test_contraindicated);
	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_no_match);
	tcase_add_test(tc, test_invalid_grants);
	suite_add_tcase(s, tc);

	return s;
}
