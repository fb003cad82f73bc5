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

#include <unistd.h>

#include <daemon.h>
#include <ratkn_config.h>
#include <ratkn_ak.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

/**
 * Temporary directory with an AK public key and reference values
 */
static char dir[] = "/tmp/ratkn-test-config-XXXXXX";
static char ak_path[PATH_MAX], ak2_path[PATH_MAX], ref_path[PATH_MAX];

/**
 * Write a fresh P-256 public key as PEM
 */
static void write_key(char *path)
{
	EVP_PKEY *key;
	FILE *f;

	key = EVP_EC_gen("P-256");
	ck_assert(key);
	f = fopen(path, "w");
	ck_assert(f);
	ck_assert(PEM_write_PUBKEY(f, key));
	fclose(f);
	EVP_PKEY_free(key);
}

static void setup_files()
{
	FILE *f;

	ck_assert(mkdtemp(dir));
	snprintf(ak_path, sizeof(ak_path), "%s/gw.pem", dir);
	snprintf(ak2_path, sizeof(ak2_path), "%s/other.pem", dir);
	snprintf(ref_path, sizeof(ref_path), "%s/gw.pcrs", dir);
	write_key(ak_path);
	write_key(ak2_path);
	f = fopen(ref_path, "w");
	ck_assert(f);
	fprintf(f, "# reference values\n"
			"sha256:0 %064d\n"
			"sha256:7 %064d\n", 0, 1);
	fclose(f);
}

static void teardown_files()
{
	unlink(ak_path);
	unlink(ak2_path);
	unlink(ref_path);
	rmdir(dir);
}

/**
 * The configuration is charon glue: its log messages go to charon's bus
 */
static void setup_charon()
{
	ck_assert(libcharon_init());
}

static void teardown_charon()
{
	libcharon_deinit();
}

/**
 * Replace the settings with the given ratkn section
 */
static void load_settings(char *ratkn)
{
	char *conf;

	ck_assert(asprintf(&conf, "%s { plugins { ratkn { %s } } }", lib->ns,
					   ratkn) > 0);
	ck_assert(lib->settings->load_string(lib->settings, conf, FALSE));
	free(conf);
}

START_TEST(test_defaults)
{
	ratkn_config_t *config;
	ratkn_policy_t *policy;
	char sel[64];

	load_settings("connections { gw { } }");
	config = ratkn_config_create();
	policy = config->get_policy(config, "gw");
	ck_assert(policy);
	ck_assert(policy->valid);
	ck_assert_int_eq(policy->role, RATKN_ROLE_RELYING_PARTY);
	ck_assert(policy->required);
	ck_assert_int_eq(policy->group, 31);
	ck_assert_int_eq(policy->key_use, RATKN_KEY_USE_PPK);
	ck_assert_str_eq(ratkn_pcr_selection_to_str(&policy->pcrs, sel,
						sizeof(sel)), "sha256:0-7");
	policy->destroy(policy);
	ck_assert(!config->get_policy(config, "other"));
	config->destroy(config);
}
END_TEST

START_TEST(test_policies)
{
	ratkn_config_t *config;
	ratkn_policy_t *policy;
	char sel[64];

	load_settings(
		"tpm { pcrs = sha256:0,7\n}\n"
		"connections {\n"
		"  a {\nrole = attester\nrequired = no\ngroup = ecp256\n"
		"     key_use = psk\n}\n"
		"  m {\nrole = mutual\ngroup = 20\npcrs = sha1:0+sha256:4\n}\n"
		"  n {\nrole = none\n}\n"
		"}");
	config = ratkn_config_create();

	policy = config->get_policy(config, "a");
	ck_assert(policy && policy->valid);
	ck_assert_int_eq(policy->role, RATKN_ROLE_ATTESTER);
	ck_assert(!policy->required);
	ck_assert_int_eq(policy->group, 19);
	ck_assert_int_eq(policy->key_use, RATKN_KEY_USE_PSK);
	/* default selection comes from tpm.pcrs */
	ck_assert_str_eq(ratkn_pcr_selection_to_str(&policy->pcrs, sel,
						sizeof(sel)), "sha256:0,7");
	policy->destroy(policy);

	policy = config->get_policy(config, "m");
	ck_assert(policy && policy->valid);
	ck_assert_int_eq(policy->role, RATKN_ROLE_MUTUAL);
	ck_assert_int_eq(policy->group, 20);
	ck_assert_str_eq(ratkn_pcr_selection_to_str(&policy->pcrs, sel,
						sizeof(sel)), "sha1:0+sha256:4");
	policy->destroy(policy);

	policy = config->get_policy(config, "n");
	ck_assert(policy && policy->valid);
	ck_assert_int_eq(policy->role, RATKN_ROLE_NONE);
	policy->destroy(policy);
	config->destroy(config);
}
END_TEST

static char *invalid[] = {
	"role = verifier",
	"group = modp2048",
	"group = 14",
	"key_use = eap",
	"pcrs = sha256:24",
	"pcrs = md5:0",
	/* KMS: no key store configured, curve25519, wrong roles, bad values */
	"kms = yes",
	"kms = yes\ngroup = ecp256",
	"keyring = k1\ngroup = ecp256",
	"role = attester\nkeyring = k1",
	"role = attester\ngroup = ecp256\nkeyring = bad/name",
	"role = attester\ngroup = ecp256\nkeyring = k1\nkeys_on_down = maybe",
	"role = attester\ngroup = ecp256\nkeyring = k1\nkey_perm = xyz",
	"role = attester\ngroup = ecp256\nkeyring = k1\nkey_perm = 123456789ab",
	/* TPM-resident shares: only P-256/P-384, right roles, no passport */
	"role = attester\nshare = hsm\ngroup = ecp256",
	"role = attester\nshare = tpm",
	"role = attester\nshare = tpm\ngroup = curve448",
	"role = relying-party\nshare = tpm\ngroup = ecp256",
	"role = attester\nrequire_tpm_share = yes\ngroup = ecp256",
	"role = relying-party\nrequire_tpm_share = yes",
	"role = relying-party\nrequire_tpm_share = yes\ngroup = ecp256\n"
		"models = passport\nverifier = v",
	/* results: known claims, and only where results are judged */
	"appraisal = verifier\nverifier = v\nrequire_trust = firmware",
	"require_trust = hardware",
	"accept_policies = ratkn/prod",
	"models = passport, background-check\nverifier = v\n"
		"accept_policies = ratkn/prod",
};

START_TEST(test_invalid)
{
	ratkn_config_t *config;
	ratkn_policy_t *policy;
	char *conf;

	/* an invalid section is kept, marked invalid: the connection fails
	 * instead of running without attestation */
	ck_assert(asprintf(&conf, "connections { bad {\n%s\n} }", invalid[_i]) > 0);
	load_settings(conf);
	free(conf);
	config = ratkn_config_create();
	policy = config->get_policy(config, "bad");
	ck_assert(policy);
	ck_assert_msg(!policy->valid, "'%s' accepted", invalid[_i]);
	policy->destroy(policy);
	config->destroy(config);
}
END_TEST

START_TEST(test_results)
{
	ratkn_config_t *config;
	ratkn_policy_t *policy;
	ratkn_verifier_cfg_t *verifier;
	char *conf, *id;

	ck_assert(asprintf(&conf,
		"verifiers {\n"
		"  tls {\nurl = https://verifier.example:8443\nkey = %s\n}\n"
		"  plain {\nurl = http://verifier.example:8080\nkey = %s\n}\n"
		"  test {\nurl = http://127.0.0.1:8080\nkey = %s\n"
		"         allow_http = yes\n}\n"
		"  other {\nurl = ftp://verifier.example\nkey = %s\n"
		"          allow_http = yes\n}\n"
		"}\n"
		"connections {\n"
		"  rbc {\nappraisal = verifier\nverifier = tls\n"
		"        accept_policies = ratkn/prod, ratkn/lab\n"
		"        require_trust = hardware, instance-identity\n}\n"
		"  pp {\nmodels = passport\nverifier = tls\n"
		"       require_trust = hardware\n}\n"
		"  any {\nappraisal = verifier\nverifier = tls\n}\n"
		"}", ak_path, ak_path, ak_path, ak_path) > 0);
	load_settings(conf);
	free(conf);
	config = ratkn_config_create();

	policy = config->get_policy(config, "rbc");
	ck_assert(policy && policy->valid);
	ck_assert_int_eq(policy->accept_policies->get_count(
										policy->accept_policies), 2);
	ck_assert(policy->accept_policies->get_first(policy->accept_policies,
												 (void**)&id) == SUCCESS);
	ck_assert_str_eq(id, "ratkn/prod");
	ck_assert_int_eq(policy->require_trust, (1 << RATKN_EAR_TV_HARDWARE) |
					 (1 << RATKN_EAR_TV_INSTANCE));
	policy->destroy(policy);
	policy = config->get_policy(config, "pp");
	ck_assert(policy && policy->valid);
	ck_assert(!policy->accept_policies);
	ck_assert_int_eq(policy->require_trust, 1 << RATKN_EAR_TV_HARDWARE);
	policy->destroy(policy);
	policy = config->get_policy(config, "any");
	ck_assert(policy && policy->valid);
	ck_assert(!policy->accept_policies && !policy->require_trust);
	policy->destroy(policy);

	/* evidence and results travel over https only, unless allowed */
	verifier = config->get_verifier(config, "tls");
	ck_assert(verifier);
	verifier->destroy(verifier);
	ck_assert(!config->get_verifier(config, "plain"));
	verifier = config->get_verifier(config, "test");
	ck_assert(verifier);
	verifier->destroy(verifier);
	ck_assert(!config->get_verifier(config, "other"));
	config->destroy(config);
}
END_TEST

START_TEST(test_kms)
{
	ratkn_config_t *config;
	ratkn_policy_t *policy;

	load_settings(
		"kms { token = ratkn-kms\n}\n"
		"connections {\n"
		"  rp {\ngroup = ecp256\nkms = yes\n}\n"
		"  x {\nrole = attester\ngroup = curve25519\n}\n"
		"  at {\nrole = attester\ngroup = ecp384\nkeyring = fleet.keys-1\n"
		"      keys_on_down = remove\nkey_perm = 3f010000\n}\n"
		"  rpa {\nrole = relying-party\ngroup = ecp384\nkms = yes\n"
		"       required = no\n}\n"
		"}");
	config = ratkn_config_create();

	policy = config->get_policy(config, "rp");
	ck_assert(policy && policy->valid);
	ck_assert(policy->kms);
	ck_assert(!policy->keyring);
	policy->destroy(policy);

	/* no KMS use: defaults, curve25519 fine */
	policy = config->get_policy(config, "x");
	ck_assert(policy && policy->valid);
	ck_assert(!policy->kms && !policy->keyring && !policy->keys_remove);
	ck_assert_int_eq(policy->key_perm, 0x3f030000);
	policy->destroy(policy);

	policy = config->get_policy(config, "at");
	ck_assert(policy && policy->valid);
	ck_assert_str_eq(policy->keyring, "fleet.keys-1");
	ck_assert(policy->keys_remove);
	ck_assert_int_eq(policy->key_perm, 0x3f010000);
	policy->destroy(policy);

	policy = config->get_policy(config, "rpa");
	ck_assert(policy && policy->valid && policy->kms);
	policy->destroy(policy);
	config->destroy(config);
}
END_TEST

START_TEST(test_tpm_share)
{
	ratkn_config_t *config;
	ratkn_policy_t *policy;

	load_settings(
		"connections {\n"
		"  dev {\nrole = attester\ngroup = ecp384\nshare = tpm\n}\n"
		"  gw {\nrole = relying-party\ngroup = ecp256\n"
		"       require_tpm_share = yes\n}\n"
		"  m {\nrole = mutual\ngroup = ecp256\nshare = tpm\n"
		"      require_tpm_share = yes\n}\n"
		"  sw {\nrole = attester\ngroup = ecp256\nshare = software\n}\n"
		"  pp {\nrole = relying-party\ngroup = ecp256\nmodels = passport\n"
		"       verifier = v\n}\n"
		"}");
	config = ratkn_config_create();
	policy = config->get_policy(config, "dev");
	ck_assert(policy && policy->valid);
	ck_assert(policy->tpm_share && !policy->require_tpm_share);
	policy->destroy(policy);
	policy = config->get_policy(config, "gw");
	ck_assert(policy && policy->valid);
	ck_assert(!policy->tpm_share && policy->require_tpm_share);
	policy->destroy(policy);
	policy = config->get_policy(config, "m");
	ck_assert(policy && policy->valid);
	ck_assert(policy->tpm_share && policy->require_tpm_share);
	policy->destroy(policy);
	policy = config->get_policy(config, "sw");
	ck_assert(policy && policy->valid);
	ck_assert(!policy->tpm_share && !policy->require_tpm_share);
	policy->destroy(policy);
	/* valid without require_tpm_share (see the invalid cases) */
	policy = config->get_policy(config, "pp");
	ck_assert(policy && policy->valid);
	policy->destroy(policy);
	config->destroy(config);
}
END_TEST

START_TEST(test_groups)
{
	uint16_t group;

	ck_assert(ratkn_config_parse_group("curve25519", &group) && group == 31);
	ck_assert(ratkn_config_parse_group("X25519", &group) && group == 31);
	ck_assert(ratkn_config_parse_group("ecp256", &group) && group == 19);
	ck_assert(ratkn_config_parse_group("ecp384", &group) && group == 20);
	ck_assert(ratkn_config_parse_group("curve448", &group) && group == 32);
	ck_assert(ratkn_config_parse_group("19", &group) && group == 19);
	ck_assert(!ratkn_config_parse_group("21", &group));
	ck_assert(!ratkn_config_parse_group("19x", &group));
	ck_assert(!ratkn_config_parse_group("", &group));
	ck_assert(!ratkn_config_parse_group(NULL, &group));
}
END_TEST

/**
 * Look up the attester of an identity: its section name and, if it is
 * unusable, why
 */
static ratkn_appraisal_t *lookup(ratkn_config_t *config, char *str,
								 char *name, char *error)
{
	ratkn_appraisal_t *appraisal;
	identification_t *id;

	name[0] = error[0] = '\0';
	id = identification_create_from_string(str);
	appraisal = config->get_appraisal(config, id, name, 64, error, 256);
	id->destroy(id);
	return appraisal;
}

START_TEST(test_attesters)
{
	ratkn_config_t *config;
	ratkn_appraisal_t *appraisal;
	char *conf, name[64], error[256];

	ck_assert(asprintf(&conf,
		"attesters {\n"
		"  gw {\nid = \"C=CH, O=ratkn, CN=gw.ratkn.test\"\nak = %s\n"
		"       reference = %s\n}\n"
		"  noref {\nid = \"C=CH, O=ratkn, CN=noref\"\nak = %s\n}\n"
		"  none {\nid = \"C=CH, O=ratkn, CN=none\"\nak = %s\n"
		"       reference = none\n}\n"
		"  noak {\nid = \"C=CH, O=ratkn, CN=noak\"\nreference = none\n}\n"
		"  badak {\nid = \"C=CH, O=ratkn, CN=badak\"\n"
		"         ak = \"%s, %s/missing.pem\"\nreference = %s\n}\n"
		"  badref {\nid = \"C=CH, O=ratkn, CN=badref\"\nak = %s\n"
		"          reference = %s/missing\n}\n"
		"  badname {\nid = \"C=CH, O=ratkn, CN=badname\"\n"
		"           ak_name = 000bff\nreference = none\n}\n"
		"  fleet {\nid = \"C=CH, O=ratkn, CN=*\"\nak = \"%s, %s\"\n"
		"         reference = %s\n}\n"
		"}", ak_path, ref_path, ak_path, ak_path, ak_path, dir, ref_path,
		ak_path, dir, ak_path, ak2_path, ref_path) > 0);
	load_settings(conf);
	free(conf);
	config = ratkn_config_create();

	appraisal = lookup(config, "C=CH, O=ratkn, CN=gw.ratkn.test", name,
					   error);
	ck_assert(appraisal);
	ck_assert_str_eq(name, "gw");
	ck_assert(appraisal->has_reference(appraisal));
	appraisal->destroy(appraisal);

	/* wildcard identities match groups of attesters */
	appraisal = lookup(config, "C=CH, O=ratkn, CN=relay.ratkn.test", name,
					   error);
	ck_assert(appraisal);
	ck_assert_str_eq(name, "fleet");
	appraisal->destroy(appraisal);

	ck_assert(!lookup(config, "C=DE, O=other, CN=x", name, error));
	ck_assert_str_eq(name, "");
	ck_assert_str_eq(error, "");

	/* checking only the AK and the binding must be asked for explicitly */
	appraisal = lookup(config, "C=CH, O=ratkn, CN=none", name, error);
	ck_assert(appraisal);
	ck_assert(!appraisal->has_reference(appraisal));
	appraisal->destroy(appraisal);

	/* an unusable section fails its identity loudly: the wildcard entry
	 * after it does not take over */
	ck_assert(!lookup(config, "C=CH, O=ratkn, CN=noref", name, error));
	ck_assert_str_eq(name, "noref");
	ck_assert(strstr(error, "no reference values"));
	ck_assert(!lookup(config, "C=CH, O=ratkn, CN=noak", name, error));
	ck_assert_str_eq(name, "noak");
	ck_assert(strstr(error, "no AK"));
	ck_assert(!lookup(config, "C=CH, O=ratkn, CN=badak", name, error));
	ck_assert_str_eq(name, "badak");
	ck_assert(strstr(error, "missing.pem"));
	ck_assert(!lookup(config, "C=CH, O=ratkn, CN=badref", name, error));
	ck_assert_str_eq(name, "badref");
	ck_assert(strstr(error, "reference values"));
	ck_assert(!lookup(config, "C=CH, O=ratkn, CN=badname", name, error));
	ck_assert_str_eq(name, "badname");
	ck_assert(strstr(error, "ak_name"));

	config->destroy(config);
}
END_TEST

START_TEST(test_reload)
{
	ratkn_config_t *config;
	ratkn_policy_t *old, *policy;

	load_settings("connections { gw {\nrole = attester\n} }");
	config = ratkn_config_create();
	old = config->get_policy(config, "gw");
	ck_assert(old);

	load_settings("connections { gw {\nrole = mutual\n}\nother { } }");
	config->reload(config);
	policy = config->get_policy(config, "gw");
	ck_assert(policy);
	ck_assert_int_eq(policy->role, RATKN_ROLE_MUTUAL);
	policy->destroy(policy);
	policy = config->get_policy(config, "other");
	ck_assert(policy);
	policy->destroy(policy);
	/* a reference taken before the reload stays valid */
	ck_assert_int_eq(old->role, RATKN_ROLE_ATTESTER);
	ck_assert_str_eq(old->name, "gw");
	old->destroy(old);
	config->destroy(config);
}
END_TEST

START_TEST(test_tpm)
{
	ratkn_config_t *config;
	uint32_t handle;
	char *tcti;

	load_settings("tpm {\ntcti = \"swtpm:host=127.0.0.1,port=2321\"\n"
				  "ak_handle = 0x81010005\n}");
	config = ratkn_config_create();
	ck_assert(config->can_attest(config));
	config->get_tpm(config, &tcti, &handle);
	ck_assert_str_eq(tcti, "swtpm:host=127.0.0.1,port=2321");
	ck_assert_int_eq(handle, 0x81010005);
	/* default TPM timeout */
	ck_assert_int_eq(config->get_tpm_timeout(config), 5000);
	config->destroy(config);

	load_settings("tpm {\ntcti = device:/dev/null\ntimeout = 2s\n}");
	config = ratkn_config_create();
	ck_assert_int_eq(config->get_tpm_timeout(config), 2000);
	config->destroy(config);

	/* not a persistent handle: default */
	load_settings("tpm {\ntcti = device:/dev/null\nak_handle = 0x80000001\n}");
	config = ratkn_config_create();
	config->get_tpm(config, &tcti, &handle);
	ck_assert_int_eq(handle, 0x81010002);
	config->destroy(config);
}
END_TEST

/**
 * The strongswan.conf examples in conf/examples
 */
static char *examples[] = {
	"client/strongswan.conf",
	"client/strongswan.verifier.conf",
	"gateway/strongswan.conf",
	"gateway/strongswan.verifier.conf",
};

START_TEST(test_examples)
{
	ratkn_config_t *config;
	ratkn_policy_t *policy;
	enumerator_t *enumerator;
	char path[PATH_MAX], *conn, *ns;
	int count = 0;

	/* every connection of the documented examples is a valid policy */
	snprintf(path, sizeof(path), "%s/../../../conf/examples/%s", RATKN_SRCDIR,
			 examples[_i]);
	ck_assert_msg(lib->settings->load_files(lib->settings, path, FALSE),
				  "loading %s failed", path);
	/* the examples configure charon, the tests run as lib->ns */
	ck_assert(asprintf(&ns, "%s : charon { }", lib->ns) > 0);
	ck_assert(lib->settings->load_string(lib->settings, ns, TRUE));
	free(ns);
	config = ratkn_config_create();
	enumerator = lib->settings->create_section_enumerator(lib->settings,
									"%s.plugins.ratkn.connections", lib->ns);
	while (enumerator->enumerate(enumerator, &conn))
	{
		policy = config->get_policy(config, conn);
		ck_assert_msg(policy && policy->valid, "%s: connection %s invalid",
					  examples[_i], conn);
		policy->destroy(policy);
		count++;
	}
	enumerator->destroy(enumerator);
	ck_assert_msg(count > 0, "%s: no connections", examples[_i]);
	config->destroy(config);
}
END_TEST

Suite *config_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("config");

	tc = tcase_create("connections");
	tcase_add_checked_fixture(tc, setup_charon, teardown_charon);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_policies);
	tcase_add_loop_test(tc, test_invalid, 0, countof(invalid));
	tcase_add_test(tc, test_kms);
	tcase_add_test(tc, test_tpm_share);
	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_tpm);
	tcase_add_loop_test(tc, test_examples, 0, countof(examples));
	suite_add_tcase(s, tc);

	tc = tcase_create("attesters");
	tcase_add_unchecked_fixture(tc, setup_files, teardown_files);
	tcase_add_checked_fixture(tc, setup_charon, teardown_charon);
	tcase_add_test(tc, test_attesters);
	tcase_add_test(tc, test_results);
	suite_add_tcase(s, tc);

	return s;
}
