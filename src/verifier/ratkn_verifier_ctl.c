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

/**
 * ratkn-verifier-ctl: administer the database of ratkn-verifier.
 *
 *   ratkn-verifier-ctl [--config PATH | --db PATH] COMMAND ...
 */

#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <library.h>

#include <tss2/tss2_mu.h>

#include <ratkn_ak.h>
#include <ratkn_pcr.h>
#include <ratkn_reference.h>

#include "verifier_config.h"
#include "verifier_enroll.h"
#include "verifier_key.h"
#include "verifier_store.h"

/**
 * Exit codes
 */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
};

/**
 * Global options
 */
typedef struct {
	/** configuration file */
	char *config_path;
	/** --config given explicitly */
	bool config_given;
	/** database given with --db */
	char *db;
	/** loaded configuration, if any */
	verifier_config_t *config;
} context_t;

typedef struct command_t command_t;

/**
 * A command
 */
struct command_t {
	/** command */
	char *name;
	/** subcommand, NULL if none */
	char *sub;
	/** arguments for the usage */
	char *args;
	/** description */
	char *description;
	/** needs the database */
	bool db;
	/** implementation, argv[0] is the (sub)command */
	int (*run)(context_t *ctx, verifier_store_t *store, int argc,
			   char *argv[]);
};

static int cmd_group_add(context_t*, verifier_store_t*, int, char*[]);
static int cmd_group_set(context_t*, verifier_store_t*, int, char*[]);
static int cmd_group_list(context_t*, verifier_store_t*, int, char*[]);
static int cmd_group_remove(context_t*, verifier_store_t*, int, char*[]);
static int cmd_reference_set(context_t*, verifier_store_t*, int, char*[]);
static int cmd_reference_show(context_t*, verifier_store_t*, int, char*[]);
static int cmd_warning_set(context_t*, verifier_store_t*, int, char*[]);
static int cmd_attester_list(context_t*, verifier_store_t*, int, char*[]);
static int cmd_attester_remove(context_t*, verifier_store_t*, int, char*[]);
static int cmd_attester_add(context_t*, verifier_store_t*, int, char*[]);
static int cmd_ek_assign(context_t*, verifier_store_t*, int, char*[]);
static int cmd_ek_list(context_t*, verifier_store_t*, int, char*[]);
static int cmd_ek_remove(context_t*, verifier_store_t*, int, char*[]);
static int cmd_key(context_t*, verifier_store_t*, int, char*[]);
static int cmd_keygen(context_t*, verifier_store_t*, int, char*[]);

static command_t commands[] = {
	{ "group", "add", "NAME [--enroll open|closed]",
	  "add a group of attesters; 'open' lets any trusted EK that is not "
	  "assigned elsewhere self-enroll into it (default closed)", TRUE,
	  cmd_group_add },
	{ "group", "set", "NAME --enroll open|closed",
	  "open or close a group for self-enrollment", TRUE, cmd_group_set },
	{ "group", "list", "", "list groups", TRUE, cmd_group_list },
	{ "group", "remove", "NAME",
	  "remove a group and its reference values (it must have no attesters "
	  "and no assigned EKs)", TRUE, cmd_group_remove },
	{ "reference", "set", "GROUP FILE",
	  "replace the reference values of a group with those of FILE (format "
	  "of 'ratkn pcrs')", TRUE, cmd_reference_set },
	{ "reference", "show", "GROUP",
	  "print the reference values of a group (format of 'ratkn pcrs')", TRUE,
	  cmd_reference_show },
	{ "warning", "set", "GROUP SEL",
	  "set the PCRs whose mismatch only yields 'warning' (e.g. sha256:7, "
	  "'none' for none)", TRUE, cmd_warning_set },
	{ "attester", "list", "", "list enrolled attesters", TRUE,
	  cmd_attester_list },
	{ "attester", "remove", "FPR",
	  "remove an attester (SHA-256 fingerprint of its AK)", TRUE,
	  cmd_attester_remove },
	{ "attester", "add",
	  "(--ak FILE.pem | --ak-public FILE) [--ak-name HEX] --group GROUP",
	  "register an AK manually, without EK check (weaker than enrollment); "
	  "its public area (TPMT_PUBLIC or TPM2B_PUBLIC) or TPM Name pins its "
	  "attributes too", TRUE, cmd_attester_add },
	{ "ek", "assign", "EK GROUP",
	  "AKs of the EK enroll into GROUP only, open or not (EK: certificate "
	  "file, PEM or DER, or SHA-256 of its SubjectPublicKeyInfo in hex)",
	  TRUE, cmd_ek_assign },
	{ "ek", "list", "", "list the EKs assigned to groups", TRUE,
	  cmd_ek_list },
	{ "ek", "remove", "EK", "remove the assignment of an EK", TRUE,
	  cmd_ek_remove },
	{ "key", NULL, "", "print the public key EARs are verified with (PEM)",
	  FALSE, cmd_key },
	{ "keygen", NULL, "",
	  "create the EAR signing key (signing_key) if it does not exist", FALSE,
	  cmd_keygen },
	{ NULL },
};

/**
 * Print the usage
 */
static void usage(FILE *out)
{
	int i;

	fprintf(out, "usage: ratkn-verifier-ctl [--config PATH | --db PATH] "
			"COMMAND\n\ncommands:\n");
	for (i = 0; commands[i].name; i++)
	{
		fprintf(out, "  %s%s%s %s\n      %s\n", commands[i].name,
				commands[i].sub ? " " : "", commands[i].sub ?: "",
				commands[i].args, commands[i].description);
	}
	fprintf(out, "\noptions:\n"
			"  --config PATH  configuration of ratkn-verifier (default %s)\n"
			"  --db PATH      database to use instead of the configured one\n"
			"  --help         show this help\n", VERIFIER_CONFIG_FILE);
}

/**
 * Print an error
 */
static void error(char *fmt, ...)
{
	va_list args;

	fprintf(stderr, "ratkn-verifier-ctl: ");
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fprintf(stderr, "\n");
}

/**
 * Report a store error, returns the exit code
 */
static int store_error(verifier_store_status_t status, char *what, char *name)
{
	switch (status)
	{
		case VERIFIER_STORE_OK:
			return EXIT_OK;
		case VERIFIER_STORE_NOT_FOUND:
			error("%s '%s' not found", what, name);
			break;
		case VERIFIER_STORE_EXISTS:
			error("%s '%s' exists already", what, name);
			break;
		case VERIFIER_STORE_IN_USE:
			error("%s '%s' has attesters or assigned EKs, remove them first",
				  what, name);
			break;
		case VERIFIER_STORE_INVALID:
			error("invalid %s '%s'", what, name);
			break;
		default:
			error("database error");
			break;
	}
	return EXIT_ERROR;
}

/**
 * Check the number of arguments
 */
static bool args(int argc, int expected)
{
	if (argc - 1 != expected)
	{
		error("expected %d argument%s", expected, expected == 1 ? "" : "s");
		return FALSE;
	}
	return TRUE;
}

/**
 * Parse "--enroll open|closed" and one positional argument (NAME)
 */
static int enroll_option(int argc, char *argv[], bool required, char **name,
						 bool *open, bool *given)
{
	struct option options[] = {
		{ "enroll", required_argument, NULL, 'e' },
		{ 0 }
	};
	int opt;

	*given = FALSE;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
	{
		switch (opt)
		{
			case 'e':
				if (!streq(optarg, "open") && !streq(optarg, "closed"))
				{
					error("--enroll takes 'open' or 'closed', not '%s'",
						  optarg);
					return EXIT_USAGE;
				}
				*open = streq(optarg, "open");
				*given = TRUE;
				break;
			default:
				return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || (required && !*given))
	{
		error(required ? "expected NAME --enroll open|closed"
					   : "expected NAME [--enroll open|closed]");
		return EXIT_USAGE;
	}
	*name = argv[optind];
	return EXIT_OK;
}

static int cmd_group_add(context_t *ctx, verifier_store_t *store, int argc,
						 char *argv[])
{
	bool open = FALSE, given;
	char *name;
	int rc;

	rc = enroll_option(argc, argv, FALSE, &name, &open, &given);
	if (rc != EXIT_OK)
	{
		return rc;
	}
	if (!verifier_group_name_valid(name))
	{
		error("invalid group name '%s' (1-%d characters of A-Z a-z 0-9 . _ -)",
			  name, VERIFIER_GROUP_MAX);
		return EXIT_ERROR;
	}
	rc = store_error(store->add_group(store, name), "group", name);
	if (rc == EXIT_OK && open)
	{
		rc = store_error(store->set_group_enroll(store, name, TRUE), "group",
						 name);
	}
	return rc;
}

static int cmd_group_set(context_t *ctx, verifier_store_t *store, int argc,
						 char *argv[])
{
	bool open = FALSE, given;
	char *name;
	int rc;

	rc = enroll_option(argc, argv, TRUE, &name, &open, &given);
	if (rc != EXIT_OK)
	{
		return rc;
	}
	return store_error(store->set_group_enroll(store, name, open), "group",
					   name);
}

static int cmd_group_list(context_t *ctx, verifier_store_t *store, int argc,
						  char *argv[])
{
	verifier_group_t *group;
	array_t *groups;
	char pcrs[128], warning[128];

	if (!args(argc, 0))
	{
		return EXIT_USAGE;
	}
	groups = store->list_groups(store);
	if (!groups)
	{
		return store_error(VERIFIER_STORE_FAILED, "", "");
	}
	printf("%-20s %-6s %-24s %-20s %10s %9s %4s\n", "GROUP", "ENROLL",
		   "PCRS", "WARNING", "REFERENCES", "ATTESTERS", "EKS");
	while (array_remove(groups, ARRAY_HEAD, &group))
	{
		ratkn_pcr_selection_to_str(&group->pcrs, pcrs, sizeof(pcrs));
		ratkn_pcr_selection_to_str(&group->warning, warning, sizeof(warning));
		printf("%-20s %-6s %-24s %-20s %10u %9u %4u\n", group->name,
			   group->enroll ? "open" : "closed", pcrs[0] ? pcrs : "-",
			   warning[0] ? warning : "-", group->references,
			   group->attesters, group->eks);
		free(group);
	}
	array_destroy(groups);
	return EXIT_OK;
}

static int cmd_group_remove(context_t *ctx, verifier_store_t *store,
							int argc, char *argv[])
{
	if (!args(argc, 1))
	{
		return EXIT_USAGE;
	}
	return store_error(store->remove_group(store, argv[1]), "group",
					   argv[1]);
}

/**
 * Read the values of a reference file (already checked by
 * ratkn_reference_load()) into an array of verifier_ref_t
 */
static bool read_reference(char *path, array_t *refs)
{
	char *line = NULL, *pos, *colon, *hex;
	verifier_ref_t *ref;
	size_t size = 0;
	uint16_t alg;
	FILE *file;
	bool ok = TRUE;

	file = fopen(path, "r");
	if (!file)
	{
		error("opening '%s' failed: %s", path, strerror(errno));
		return FALSE;
	}
	while (ok && getline(&line, &size, file) != -1)
	{
		pos = strchr(line, '#');
		if (pos)
		{
			*pos = '\0';
		}
		pos = strtok(line, " \t\r\n");
		hex = pos ? strtok(NULL, " \t\r\n") : NULL;
		if (!pos)
		{
			continue;
		}
		colon = strchr(pos, ':');
		ok = colon && hex;
		if (ok)
		{
			*colon = '\0';
			ok = ratkn_pcr_alg_from_name(pos, &alg);
		}
		if (ok)
		{
			if (strncasecmp(hex, "0x", 2) == 0)
			{
				hex += 2;
			}
			INIT(ref,
				.alg = alg,
				.pcr = atoi(colon + 1),
				.digest = chunk_from_hex(chunk_from_str(hex), NULL),
			);
			array_insert(refs, ARRAY_TAIL, ref);
		}
	}
	free(line);
	fclose(file);
	if (!ok)
	{
		error("'%s' is not in the format of 'ratkn pcrs'", path);
	}
	return ok;
}

static int cmd_reference_set(context_t *ctx, verifier_store_t *store,
							 int argc, char *argv[])
{
	ratkn_reference_t *check;
	verifier_group_t group;
	array_t *refs;
	int rc;

	if (!args(argc, 2))
	{
		return EXIT_USAGE;
	}
	rc = store_error(store->get_group(store, argv[1], &group), "group",
					 argv[1]);
	if (rc != EXIT_OK)
	{
		return rc;
	}
	/* checked by the parser the plugin uses, which logs errors with line
	 * numbers */
	check = ratkn_reference_load(argv[2]);
	if (!check)
	{
		error("invalid reference values in '%s'", argv[2]);
		return EXIT_ERROR;
	}
	check->destroy(check);
	refs = array_create(0, 0);
	if (!read_reference(argv[2], refs))
	{
		array_destroy_function(refs, verifier_ref_destroy, NULL);
		return EXIT_ERROR;
	}
	rc = store_error(store->set_reference(store, argv[1], refs), "group",
					 argv[1]);
	if (rc == EXIT_OK)
	{
		printf("%u reference values set for group '%s'\n",
			   array_count(refs), argv[1]);
	}
	array_destroy_function(refs, verifier_ref_destroy, NULL);
	return rc;
}

static int cmd_reference_show(context_t *ctx, verifier_store_t *store,
							  int argc, char *argv[])
{
	verifier_ref_t *ref;
	array_t *refs;
	int rc;

	if (!args(argc, 1))
	{
		return EXIT_USAGE;
	}
	rc = store_error(store->list_reference(store, argv[1], &refs), "group",
					 argv[1]);
	if (rc != EXIT_OK)
	{
		return rc;
	}
	printf("# reference values of group '%s'\n", argv[1]);
	while (array_remove(refs, ARRAY_HEAD, &ref))
	{
		printf("%s:%u %+B\n", ratkn_pcr_alg_name(ref->alg), ref->pcr,
			   &ref->digest);
		verifier_ref_destroy(ref, 0, NULL);
	}
	array_destroy(refs);
	return EXIT_OK;
}

static int cmd_warning_set(context_t *ctx, verifier_store_t *store,
						   int argc, char *argv[])
{
	ratkn_pcr_selection_t sel = {};

	if (!args(argc, 2))
	{
		return EXIT_USAGE;
	}
	if (!streq(argv[2], "none") && argv[2][0] &&
		!ratkn_pcr_selection_parse(argv[2], &sel))
	{
		error("invalid PCR selection '%s' (e.g. sha256:7 or sha256:1,7)",
			  argv[2]);
		return EXIT_ERROR;
	}
	return store_error(store->set_warning(store, argv[1], &sel), "group",
					   argv[1]);
}

/**
 * Format a time
 */
static char *format_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!t)
	{
		snprintf(buf, len, "-");
	}
	else
	{
		gmtime_r(&t, &tm);
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	return buf;
}

static int cmd_attester_list(context_t *ctx, verifier_store_t *store,
							 int argc, char *argv[])
{
	verifier_attester_t *attester;
	array_t *attesters;
	char enrolled[32], seen[32];

	if (!args(argc, 0))
	{
		return EXIT_USAGE;
	}
	attesters = store->list_attesters(store);
	if (!attesters)
	{
		return store_error(VERIFIER_STORE_FAILED, "", "");
	}
	printf("%-64s %-16s %-6s %-6s %-20s %-20s %s\n", "AK (SHA-256 OF SPKI)",
		   "GROUP", "EK", "NAME", "ENROLLED", "LAST ATTESTATION", "STATUS");
	while (array_remove(attesters, ARRAY_HEAD, &attester))
	{
		printf("%-64s %-16s %-6s %-6s %-20s %-20s %s\n",
			   attester->fingerprint, attester->group,
			   attester->ek_cert.len ? "yes" : "manual",
			   attester->ak_name.len ? "pinned" : "-",
			   format_time(attester->enrolled, enrolled, sizeof(enrolled)),
			   format_time(attester->last_seen, seen, sizeof(seen)),
			   attester->last_status[0] ? attester->last_status : "-");
		verifier_attester_destroy(attester);
	}
	array_destroy(attesters);
	return EXIT_OK;
}

static int cmd_attester_remove(context_t *ctx, verifier_store_t *store,
							   int argc, char *argv[])
{
	char fpr[VERIFIER_FPR_LEN + 1];
	int i;

	if (!args(argc, 1))
	{
		return EXIT_USAGE;
	}
	snprintf(fpr, sizeof(fpr), "%s", argv[1]);
	for (i = 0; fpr[i]; i++)
	{
		fpr[i] = tolower(fpr[i]);
	}
	return store_error(store->remove_attester(store, fpr), "attester",
					   argv[1]);
}

/**
 * Load the public area of an AK: a marshalled TPMT_PUBLIC, or a
 * TPM2B_PUBLIC (its size first) as tpm2-tools writes it, of a key usable as
 * AK. Returns the TPMT_PUBLIC and its SubjectPublicKeyInfo.
 */
static bool load_ak_public(char *path, chunk_t *tpmt, chunk_t *spki)
{
	TPM2B_PUBLIC pub = {};
	chunk_t *data, area;
	size_t offset = 0;
	bool ok;

	data = chunk_map(path, FALSE);
	if (!data)
	{
		error("cannot read '%s': %s", path, strerror(errno));
		return FALSE;
	}
	area = *data;
	if (area.len > 2 && untoh16(area.ptr) == area.len - 2 &&
		Tss2_MU_TPM2B_PUBLIC_Unmarshal(area.ptr, area.len, &offset,
									   &pub) == TSS2_RC_SUCCESS &&
		offset == area.len)
	{	/* a TPM2B_PUBLIC, the TPMT_PUBLIC follows its size */
		area = chunk_skip(area, 2);
	}
	ok = ratkn_ak_spki_from_tpm(area, spki);
	if (ok)
	{
		*tpmt = chunk_clone(area);
	}
	else
	{
		error("'%s' is not the public area of an AK (a marshalled "
			  "TPMT_PUBLIC or TPM2B_PUBLIC of a restricted ECC or RSA "
			  "signing key with fixedTPM, fixedParent and "
			  "sensitiveDataOrigin)", path);
	}
	chunk_unmap(data);
	return ok;
}

static int cmd_attester_add(context_t *ctx, verifier_store_t *store,
							int argc, char *argv[])
{
	struct option options[] = {
		{ "ak", required_argument, NULL, 'a' },
		{ "ak-public", required_argument, NULL, 'p' },
		{ "ak-name", required_argument, NULL, 'n' },
		{ "group", required_argument, NULL, 'g' },
		{ 0 }
	};
	verifier_attester_t attester = {};
	chunk_t spki = chunk_empty, tpmt = chunk_empty, name = chunk_empty;
	char *ak = NULL, *ak_public = NULL, *ak_name = NULL, *group = NULL;
	int opt, rc = EXIT_ERROR;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
	{
		switch (opt)
		{
			case 'a':
				ak = optarg;
				break;
			case 'p':
				ak_public = optarg;
				break;
			case 'n':
				ak_name = optarg;
				break;
			case 'g':
				group = optarg;
				break;
			default:
				return EXIT_USAGE;
		}
	}
	if ((!ak && !ak_public) || !group || optind != argc)
	{
		error("attester add needs --ak FILE.pem or --ak-public FILE, and "
			  "--group GROUP");
		return EXIT_USAGE;
	}
	if (ak && !ratkn_ak_load(ak, &attester.ak_spki))
	{
		error("cannot load a public key from '%s'", ak);
		goto out;
	}
	if (ak_public)
	{	/* the public area pins the Name, and gives the key */
		if (!load_ak_public(ak_public, &tpmt, &spki))
		{
			goto out;
		}
		if (!ratkn_ak_name(tpmt, &attester.ak_name))
		{
			error("the nameAlg of '%s' is not supported", ak_public);
			goto out;
		}
		if (ak && !chunk_equals(spki, attester.ak_spki))
		{
			error("'%s' and '%s' are different keys", ak, ak_public);
			goto out;
		}
		if (!ak)
		{
			attester.ak_spki = spki;
			spki = chunk_empty;
		}
	}
	if (ak_name)
	{
		if (!ratkn_ak_name_from_hex(ak_name, &name))
		{
			error("'%s' is not a TPM Name (nameAlg and hash in hex, as "
				  "'ratkn ak show --name' prints it)", ak_name);
			goto out;
		}
		if (attester.ak_name.len && !chunk_equals(name, attester.ak_name))
		{
			error("the TPM Name of '%s' is %+B, not %s", ak_public,
				  &attester.ak_name, ak_name);
			goto out;
		}
		if (!attester.ak_name.len)
		{	/* the operator's word that this is the Name of the key */
			attester.ak_name = name;
			name = chunk_empty;
		}
	}
	snprintf(attester.group, sizeof(attester.group), "%s", group);
	rc = store_error(store->add_attester(store, &attester), "group", group);
	if (rc == EXIT_OK)
	{
		printf("%s\n", attester.fingerprint);
	}

out:
	chunk_free(&attester.ak_spki);
	chunk_free(&attester.ak_name);
	chunk_free(&spki);
	chunk_free(&tpmt);
	chunk_free(&name);
	return rc;
}

/**
 * Get the fingerprint of an EK given as SHA-256 in hex or as certificate
 * file (PEM or DER)
 */
static bool ek_arg(char *arg, char fpr[VERIFIER_FPR_LEN + 1])
{
	chunk_t *cert;
	int i;

	if (strlen(arg) == VERIFIER_FPR_LEN && access(arg, F_OK) != 0)
	{
		for (i = 0; i <= VERIFIER_FPR_LEN; i++)
		{
			fpr[i] = tolower(arg[i]);
		}
		if (verifier_fingerprint_valid(fpr))
		{
			return TRUE;
		}
	}
	cert = chunk_map(arg, FALSE);
	if (!cert)
	{
		error("'%s' is neither the SHA-256 of an EK (64 hex digits) nor a "
			  "readable file: %s", arg, strerror(errno));
		return FALSE;
	}
	if (!verifier_ek_fingerprint(*cert, fpr))
	{
		error("'%s' is no certificate (PEM or DER)", arg);
		chunk_unmap(cert);
		return FALSE;
	}
	chunk_unmap(cert);
	return TRUE;
}

static int cmd_ek_assign(context_t *ctx, verifier_store_t *store, int argc,
						 char *argv[])
{
	char fpr[VERIFIER_FPR_LEN + 1];
	int rc;

	if (!args(argc, 2))
	{
		return EXIT_USAGE;
	}
	if (!ek_arg(argv[1], fpr))
	{
		return EXIT_ERROR;
	}
	rc = store_error(store->assign_ek(store, fpr, argv[2]), "group", argv[2]);
	if (rc == EXIT_OK)
	{
		printf("EK %s assigned to group '%s'\n", fpr, argv[2]);
	}
	return rc;
}

static int cmd_ek_list(context_t *ctx, verifier_store_t *store, int argc,
					   char *argv[])
{
	verifier_ek_t *ek;
	array_t *eks;
	char assigned[32];

	if (!args(argc, 0))
	{
		return EXIT_USAGE;
	}
	eks = store->list_eks(store);
	if (!eks)
	{
		return store_error(VERIFIER_STORE_FAILED, "", "");
	}
	printf("%-64s %-20s %s\n", "EK (SHA-256 OF SPKI)", "GROUP", "ASSIGNED");
	while (array_remove(eks, ARRAY_HEAD, &ek))
	{
		printf("%-64s %-20s %s\n", ek->fingerprint, ek->group,
			   format_time(ek->assigned, assigned, sizeof(assigned)));
		free(ek);
	}
	array_destroy(eks);
	return EXIT_OK;
}

static int cmd_ek_remove(context_t *ctx, verifier_store_t *store, int argc,
						 char *argv[])
{
	char fpr[VERIFIER_FPR_LEN + 1];

	if (!args(argc, 1))
	{
		return EXIT_USAGE;
	}
	if (!ek_arg(argv[1], fpr))
	{
		return EXIT_ERROR;
	}
	return store_error(store->unassign_ek(store, fpr), "EK", fpr);
}

/**
 * The configuration, needed for the signing key
 */
static verifier_config_t *need_config(context_t *ctx)
{
	if (!ctx->config)
	{
		error("this command needs the configuration (--config), not only "
			  "the database");
	}
	return ctx->config;
}

static int cmd_key(context_t *ctx, verifier_store_t *store, int argc,
				   char *argv[])
{
	verifier_key_t *key;

	if (!args(argc, 0))
	{
		return EXIT_USAGE;
	}
	if (!need_config(ctx))
	{
		return EXIT_ERROR;
	}
	key = verifier_key_load(ctx->config->signing_key);
	if (!key)
	{
		return EXIT_ERROR;
	}
	printf("%s", key->get_public(key).ptr);
	key->destroy(key);
	return EXIT_OK;
}

static int cmd_keygen(context_t *ctx, verifier_store_t *store, int argc,
					  char *argv[])
{
	char *path, *dir;

	if (!args(argc, 0))
	{
		return EXIT_USAGE;
	}
	if (!need_config(ctx))
	{
		return EXIT_ERROR;
	}
	path = ctx->config->signing_key;
	if (access(path, F_OK) == 0)
	{
		fprintf(stderr, "signing key '%s' exists, not replaced\n", path);
		return EXIT_OK;
	}
	dir = strdup(path);
	if (mkdir(dirname(dir), 0700) != 0 && errno != EEXIST)
	{
		error("creating the directory of '%s' failed: %s", path,
			  strerror(errno));
		free(dir);
		return EXIT_ERROR;
	}
	free(dir);
	if (!verifier_key_generate(path))
	{
		return EXIT_ERROR;
	}
	fprintf(stderr, "created EAR signing key '%s'\n", path);
	return EXIT_OK;
}

/**
 * Find a command, sets *used to the words it takes
 */
static command_t *find_command(int argc, char *argv[], int *used)
{
	int i;

	for (i = 0; commands[i].name; i++)
	{
		if (!streq(argv[0], commands[i].name))
		{
			continue;
		}
		if (!commands[i].sub)
		{
			*used = 1;
			return &commands[i];
		}
		if (argc > 1 && streq(argv[1], commands[i].sub))
		{
			*used = 2;
			return &commands[i];
		}
	}
	return NULL;
}

int main(int argc, char *argv[])
{
	struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	context_t ctx = {
		.config_path = VERIFIER_CONFIG_FILE,
	};
	verifier_store_t *store = NULL;
	command_t *cmd;
	int opt, rc, used = 0;

	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1)
	{
		switch (opt)
		{
			case 'c':
				ctx.config_path = optarg;
				ctx.config_given = TRUE;
				break;
			case 'd':
				ctx.db = optarg;
				break;
			case 'h':
				usage(stdout);
				return EXIT_OK;
			default:
				usage(stderr);
				return EXIT_USAGE;
		}
	}
	if (optind >= argc)
	{
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = find_command(argc - optind, argv + optind, &used);
	if (!cmd)
	{
		error("unknown command '%s%s%s'", argv[optind],
			  optind + 1 < argc ? " " : "",
			  optind + 1 < argc ? argv[optind + 1] : "");
		usage(stderr);
		return EXIT_USAGE;
	}
	umask(0077);
	if (!library_init("", "ratkn-verifier-ctl"))
	{
		library_deinit();
		error("initializing libstrongswan failed");
		return EXIT_ERROR;
	}
	/* the configuration is optional with --db */
	if (!ctx.db || ctx.config_given)
	{
		ctx.config = verifier_config_load(ctx.config_path);
		if (!ctx.config)
		{
			error("cannot use the configuration '%s' (or give --db)",
				  ctx.config_path);
			library_deinit();
			return EXIT_ERROR;
		}
	}
	if (cmd->db)
	{
		store = verifier_store_create(ctx.db ?: ctx.config->database);
		if (!store)
		{
			error("cannot open the database '%s'",
				  ctx.db ?: ctx.config->database);
			rc = EXIT_ERROR;
			goto out;
		}
	}
	argv += optind + used - 1;
	argc -= optind + used - 1;
	optind = 0;
	rc = cmd->run(&ctx, store, argc, argv);
	if (rc == EXIT_USAGE)
	{
		fprintf(stderr, "usage: ratkn-verifier-ctl %s%s%s %s\n", cmd->name,
				cmd->sub ? " " : "", cmd->sub ?: "", cmd->args);
	}

out:
	DESTROY_IF(store);
	if (ctx.config)
	{
		ctx.config->destroy(ctx.config);
	}
	library_deinit();
	return rc;
}
