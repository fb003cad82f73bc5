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

#include <ftw.h>
#include <signal.h>
#include <stdio.h>

#include <ratkn_ak.h>
#include <ratkn_binding.h>
#include <ratkn_evidence.h>
#include <ratkn_verifier_client.h>

#include <openssl/evp.h>

#include <curl/curl.h>

#include "verifier_log.h"

/**
 * Handle of the RSA AK
 */
#define RSA_AK_HANDLE 0x81010003

/*
 * Described in header
 */
char *vt_mkdtemp()
{
	char *dir;

	ck_assert(asprintf(&dir, "%s/ratkn-verifier-test-XXXXXX", P_tmpdir) > 0);
	ck_assert(mkdtemp(dir));
	return dir;
}

/**
 * Remove a file or directory (nftw callback)
 */
static int remove_entry(const char *path, const struct stat *sb, int flag,
						struct FTW *ftw)
{
	return remove(path);
}

/*
 * Described in header
 */
void vt_rmtree(char *dir)
{
	if (dir)
	{
		nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
		free(dir);
	}
}

/*
 * Described in header
 */
void vt_write(char *path, char *fmt, ...)
{
	va_list args;
	FILE *file;

	file = fopen(path, "w");
	ck_assert_msg(file, "writing %s failed", path);
	va_start(args, fmt);
	vfprintf(file, fmt, args);
	va_end(args);
	fclose(file);
}

/*
 * Described in header
 */
vt_attester_t *vt_attester_create(bool rsa)
{
	return vt_attester_create_on(swtpm_fixture_tcti(), rsa);
}

/*
 * Described in header
 */
vt_attester_t *vt_attester_create_on(char *tcti, bool rsa)
{
	vt_attester_t *this;
	uint8_t hash[32];
	u_int len = sizeof(hash);
	int i;

	INIT(this,
		.tpm = ratkn_tpm_create(tcti, rsa ? RSA_AK_HANDLE : 0),
	);
	ck_assert(this->tpm->create_ak(this->tpm, rsa ? RATKN_AK_RSA
												 : RATKN_AK_ECC,
								   FALSE, &this->ak_public));
	ck_assert(ratkn_ak_spki_from_tpm(this->ak_public, &this->spki));
	ck_assert(EVP_Digest(this->spki.ptr, this->spki.len, hash, &len,
						 EVP_sha256(), NULL));
	for (i = 0; i < sizeof(hash); i++)
	{
		snprintf(this->fpr + 2 * i, 3, "%02x", hash[i]);
	}
	ck_assert(ratkn_binding_session_hash(chunk_from_str("IKE_SA_INIT i"),
							chunk_from_str("IKE_SA_INIT r"), this->session));
	ck_assert(ratkn_binding_identity_hash(chunk_from_str("certificate"),
										  this->identity));
	return this;
}

/*
 * Described in header
 */
void vt_attester_destroy(vt_attester_t *this)
{
	if (this)
	{
		this->tpm->destroy(this->tpm);
		chunk_free(&this->ak_public);
		chunk_free(&this->spki);
		free(this);
	}
}

/*
 * Described in header
 */
void vt_binding(vt_attester_t *this, ratkn_ike_role_t role,
				uint8_t binding[RATKN_HASH_LEN])
{
	ck_assert(ratkn_binding_compute(role, chunk_from_thing(this->session),
									chunk_from_thing(this->identity),
									binding));
}

/*
 * Described in header
 */
chunk_t vt_evidence(vt_attester_t *this, char *pcrs, ratkn_ike_role_t role)
{
	return vt_evidence_ak(this, pcrs, role, this->ak_public);
}

/*
 * Described in header
 */
chunk_t vt_evidence_ak(vt_attester_t *this, char *pcrs, ratkn_ike_role_t role,
					   chunk_t ak_public)
{
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *values;
	ratkn_evidence_t *evidence;
	uint8_t binding[RATKN_HASH_LEN];
	chunk_t quote, sig, encoding;

	ck_assert(ratkn_pcr_selection_parse(pcrs, &sel));
	vt_binding(this, role, binding);
	ck_assert(this->tpm->quote(this->tpm, &sel, chunk_from_thing(binding),
							   &quote, &sig, &values));
	evidence = ratkn_evidence_create(role, chunk_from_thing(this->session),
									 chunk_from_thing(this->identity), quote,
									 sig, ak_public, values);
	ck_assert(evidence);
	encoding = chunk_clone(evidence->get_encoding(evidence));
	evidence->destroy(evidence);
	chunk_free(&quote);
	chunk_free(&sig);
	return encoding;
}

/*
 * Described in header
 */
chunk_t vt_ak_public_no_da(vt_attester_t *this)
{
	chunk_t altered;

	/* TPMT_PUBLIC: type (2), nameAlg (2), objectAttributes (4, big endian):
	 * noDA is bit 10, in the octet at offset 6 */
	ck_assert(this->ak_public.len > 8);
	altered = chunk_clone(this->ak_public);
	altered.ptr[6] ^= 0x04;
	return altered;
}

/*
 * Described in header
 */
chunk_t vt_evidence_challenged(vt_attester_t *this, char *pcrs,
							   ratkn_ike_role_t role, chunk_t challenge,
							   chunk_t claimed)
{
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *values;
	ratkn_evidence_t *evidence;
	uint8_t binding[RATKN_HASH_LEN];
	chunk_t quote, sig, encoding;

	ck_assert(ratkn_pcr_selection_parse(pcrs, &sel));
	vt_binding(this, role, binding);
	ck_assert(ratkn_binding_challenged(binding, challenge, binding));
	ck_assert(this->tpm->quote(this->tpm, &sel, chunk_from_thing(binding),
							   &quote, &sig, &values));
	evidence = ratkn_evidence_create_certified(role,
									chunk_from_thing(this->session),
									chunk_from_thing(this->identity), quote,
									sig, this->ak_public, values, chunk_empty,
									chunk_empty, chunk_empty, claimed);
	ck_assert(evidence);
	encoding = chunk_clone(evidence->get_encoding(evidence));
	evidence->destroy(evidence);
	chunk_free(&quote);
	chunk_free(&sig);
	return encoding;
}

/*
 * Described in header
 */
array_t *vt_current_refs(vt_attester_t *this, char *pcrs)
{
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *values;
	enumerator_t *enumerator;
	verifier_ref_t *ref;
	array_t *refs;
	u_int alg, pcr;
	chunk_t digest;

	ck_assert(ratkn_pcr_selection_parse(pcrs, &sel));
	ck_assert(this->tpm->read_pcrs(this->tpm, &sel, &values));
	refs = array_create(0, 0);
	enumerator = values->create_enumerator(values);
	while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
	{
		INIT(ref,
			.alg = alg,
			.pcr = pcr,
			.digest = chunk_clone(digest),
		);
		array_insert(refs, ARRAY_TAIL, ref);
	}
	enumerator->destroy(enumerator);
	values->destroy(values);
	return refs;
}

/*
 * Described in header
 */
void vt_write_refs(vt_attester_t *this, char *pcrs, char *path)
{
	verifier_ref_t *ref;
	array_t *refs;
	FILE *file;

	refs = vt_current_refs(this, pcrs);
	file = fopen(path, "w");
	ck_assert(file);
	fprintf(file, "# written by the verifier tests\n");
	while (array_remove(refs, ARRAY_HEAD, &ref))
	{
		fprintf(file, "%s:%u %+B\n", ratkn_pcr_alg_name(ref->alg), ref->pcr,
				&ref->digest);
		verifier_ref_destroy(ref, 0, NULL);
	}
	fclose(file);
	array_destroy(refs);
}

/*
 * Described in header
 */
void vt_extend(vt_attester_t *this, u_int pcr, char *text)
{
	uint8_t hash[32];
	u_int len = sizeof(hash);

	ck_assert(EVP_Digest(text, strlen(text), hash, &len, EVP_sha256(),
						 NULL));
	ck_assert(this->tpm->extend(this->tpm, 0x000b, pcr,
								chunk_from_thing(hash)));
}

/*
 * Described in header
 */
char **vt_localca()
{
	static char issuer[PATH_MAX], root[PATH_MAX];
	static char *list[] = { issuer, root, NULL };
	char line[512], dir[PATH_MAX] = "/var/lib/swtpm-localca", *value;
	FILE *file;

	snprintf(issuer, sizeof(issuer), "%s/issuercert.pem", dir);
	file = fopen("/etc/swtpm-localca.conf", "r");
	while (file && fgets(line, sizeof(line), file))
	{
		line[strcspn(line, "\r\n")] = '\0';
		value = strchr(line, '=');
		if (!value)
		{
			continue;
		}
		for (*value++ = '\0'; *value == ' '; value++)
		{
		}
		if (strpfx(line, "statedir"))
		{
			snprintf(dir, sizeof(dir), "%s", value);
		}
		else if (strpfx(line, "issuercert"))
		{
			snprintf(issuer, sizeof(issuer), "%s", value);
		}
	}
	if (file)
	{
		fclose(file);
	}
	snprintf(root, sizeof(root), "%s/swtpm-localca-rootca-cert.pem", dir);
	return list;
}

/*
 * Described in header
 */
chunk_t vt_b64url_decode(const char *str)
{
	chunk_t b64, data;
	char *std;
	size_t i, len;

	len = strlen(str);
	std = malloc(len + 4);
	for (i = 0; i < len; i++)
	{
		std[i] = str[i] == '-' ? '+' : str[i] == '_' ? '/' : str[i];
	}
	while (i % 4)
	{
		std[i++] = '=';
	}
	b64 = chunk_create(std, i);
	data = chunk_from_base64(b64, NULL);
	free(std);
	return data;
}

/*
 * Described in header
 */
char *vt_b64url_encode(chunk_t data)
{
	return ratkn_base64url_encode(data);
}

/**
 * Suites in the order they run; VERIFIER_TEST_SUITES="name,name" selects
 */
static struct {
	char *name;
	Suite *(*create)();
} suites[] = {
	{ "store",		store_suite_create },
	{ "key",		key_suite_create },
	{ "challenge",	challenge_suite_create },
	{ "appraiser",	appraiser_suite_create },
	{ "enroll",		enroll_suite_create },
	{ "api",		api_suite_create },
	{ "daemon",		daemon_suite_create },
};

/**
 * Check if a suite is selected through VERIFIER_TEST_SUITES
 */
static bool selected(char *name)
{
	enumerator_t *enumerator;
	char *filter, *token;
	bool found = FALSE;

	filter = getenv("VERIFIER_TEST_SUITES");
	if (!filter || !*filter)
	{
		return TRUE;
	}
	enumerator = enumerator_create_token(filter, ",", " ");
	while (enumerator->enumerate(enumerator, &token))
	{
		if (streq(token, name))
		{
			found = TRUE;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

int main(int argc, char *argv[])
{
	SRunner *runner = NULL;
	Suite *suite;
	int i, failed;

	/* writing to connections the daemon closed */
	signal(SIGPIPE, SIG_IGN);
	/* the TSS logs errors to stderr by itself */
	setenv("TSS2_LOG", "all+none", 0);
	/* library messages and the verifier's log only on request */
	dbg_default_set_level(getenv("VERIFIER_TEST_DEBUG") ?
						  atoi(getenv("VERIFIER_TEST_DEBUG")) : -1);
	verifier_log_set_output(getenv("VERIFIER_TEST_DEBUG") ? stderr : NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!library_init(VERIFIER_SRCDIR "/tests/verifier_tests.conf",
					  "verifier-tests"))
	{
		fprintf(stderr, "library_init() failed\n");
		library_deinit();
		return 1;
	}
	for (i = 0; i < countof(suites); i++)
	{
		if (!selected(suites[i].name))
		{
			continue;
		}
		suite = suites[i].create();
		if (!runner)
		{
			runner = srunner_create(suite);
		}
		else
		{
			srunner_add_suite(runner, suite);
		}
	}
	if (!runner)
	{
		fprintf(stderr, "no suite selected by VERIFIER_TEST_SUITES\n");
		library_deinit();
		return 1;
	}
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	curl_global_cleanup();
	library_deinit();
	return failed ? 1 : 0;
}
