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

/*
 * Target: the request handlers of ratkn-verifier (verifier_api_t, behind
 * the HTTP server): routing, media type, JSON bodies of POST /v1/attest,
 * /v1/challenge, /v1/enroll and /v1/enroll/<session>, down to evidence
 * appraisal (with the check of a CHALLENGE, which the fuzzer cannot forge)
 * and enrollment with a SQLite store in a temporary directory.
 *
 * Input: "METHOD\nPATH\nCONTENT-TYPE\nBODY"; missing lines default to
 * POST, /v1/attest and application/json, an empty Content-Type line means
 * none. The store has the group "default", open for self-enrollment, with
 * the AK of data/ak-ecc.spki enrolled and the PCR values of
 * data/evidence-ecc.bin as reference values, so the seed evidence is
 * appraised all the way; and the closed group "closed".
 */

#define _GNU_SOURCE
#include "fuzz_common.h"

#include <ftw.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <collections/array.h>
#include <ratkn_evidence.h>

#include "verifier_api.h"
#include "verifier_config.h"
#include "verifier_key.h"
#include "verifier_log.h"
#include "verifier_store.h"

static char *dir;
static verifier_config_t *config;
static verifier_store_t *store;
static verifier_key_t *key;
static verifier_api_t *api;

/**
 * Remove a file or directory (nftw callback)
 */
static int remove_entry(const char *path, const struct stat *sb, int flag,
						struct FTW *ftw)
{
	return remove(path);
}

/**
 * Remove the temporary directory at exit
 */
static void cleanup()
{
	if (dir)
	{
		nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	}
}

/**
 * Enroll the seed AK with the seed's PCR values as reference values
 */
static void enroll_seed()
{
	verifier_attester_t attester = {
		.group = "default",
	};
	ratkn_evidence_t *evidence;
	ratkn_pcr_values_t *values;
	enumerator_t *enumerator;
	verifier_ref_t *ref;
	array_t *refs;
	chunk_t data, digest;
	u_int alg, pcr;

	attester.ak_spki = fuzz_data("ak-ecc.spki");
	attester.enrolled = time(NULL);
	if (store->add_attester(store, &attester) != VERIFIER_STORE_OK)
	{
		abort();
	}
	chunk_free(&attester.ak_spki);

	data = fuzz_data("evidence-ecc.bin");
	evidence = ratkn_evidence_parse(data);
	chunk_free(&data);
	if (!evidence)
	{
		abort();
	}
	refs = array_create(0, 0);
	values = evidence->get_pcr_values(evidence);
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
	evidence->destroy(evidence);
	if (store->set_reference(store, "default", refs) != VERIFIER_STORE_OK)
	{
		abort();
	}
	array_destroy_function(refs, verifier_ref_destroy, NULL);
}

/**
 * Set up the API once
 */
static void setup()
{
	char path[PATH_MAX], *base;
	FILE *file;

	fuzz_init();
	/* the verifier's JSON log is formatted, but goes nowhere */
	verifier_log_set_output(fopen("/dev/null", "w"));
	base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : P_tmpdir;
	if (asprintf(&dir, "%s/ratkn-fuzz-api-XXXXXX", base) < 0 || !mkdtemp(dir))
	{
		abort();
	}
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/verifier.conf", dir);
	file = fopen(path, "w");
	if (!file)
	{
		abort();
	}
	fprintf(file, "verifier {\n  tls = no\n  database = %s/verifier.db\n"
			"  signing_key = %s\n", dir, fuzz_data_path("ear-key.pem"));
	fprintf(file, "  ek_ca = %s", fuzz_data_path("ek-ca-issuer.pem"));
	fprintf(file, ", %s\n  enroll = yes\n}\n",
			fuzz_data_path("ek-ca-root.pem"));
	fclose(file);
	config = verifier_config_load(path);
	key = config ? verifier_key_load(config->signing_key) : NULL;
	store = config ? verifier_store_create(config->database) : NULL;
	if (!config || !key || !store ||
		store->add_group(store, "default") != VERIFIER_STORE_OK ||
		store->set_group_enroll(store, "default", TRUE) != VERIFIER_STORE_OK ||
		store->add_group(store, "closed") != VERIFIER_STORE_OK)
	{
		abort();
	}
	enroll_seed();
	api = verifier_api_create(config, store, key);
	if (!api)
	{
		abort();
	}
}

/**
 * Take the next line of the input, NULL if there is none
 */
static char *next_line(char **pos, char *end)
{
	char *line = *pos, *nl;

	nl = memchr(line, '\n', end - line);
	if (!nl)
	{
		return NULL;
	}
	*nl = '\0';
	*pos = nl + 1;
	return line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	chunk_t response = chunk_empty;
	char *input, *pos, *end, *method, *path, *type, *allow;
	u_int status;

	if (!api)
	{
		setup();
	}
	input = fuzz_strndup(data, size);
	pos = input;
	end = input + size;
	method = next_line(&pos, end);
	path = method ? next_line(&pos, end) : NULL;
	type = path ? next_line(&pos, end) : NULL;
	if (!type)
	{	/* all of it is the body */
		pos = input;
		method = "POST";
		path = "/v1/attest";
		type = "application/json";
	}
	status = api->handle(api, "192.0.2.1:4242", method, path,
						 *type ? type : NULL,
						 chunk_create(pos, end - pos), &response, &allow);
	if (status < 200 || status > 599 || !response.ptr ||
		strlen(response.ptr) != response.len ||
		(status == 405 && !allow))
	{
		abort();
	}
	chunk_free(&response);
	free(input);
	return 0;
}
