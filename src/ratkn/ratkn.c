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
 * ratkn: provision a TPM 2.0 attester for the ratkn plugin.
 *
 *   ratkn measure --pcr N [--bank sha256] DATA
 *   ratkn ak create [--handle H] [--type ecc|rsa] [--force] [--out FILE]
 *   ratkn ak show [--handle H] [--out FILE]
 *   ratkn pcrs [--pcrs SEL] [--out FILE]
 *
 * Global options: --tcti CONF, --debug N, --help. The TCTI defaults to
 * charon.plugins.ratkn.tpm.tcti from strongswan.conf, then $RATKN_TCTI, then
 * device:/dev/tpmrm0; the AK handle to charon.plugins.ratkn.tpm.ak_handle.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <library.h>
#include <bio/bio_writer.h>

#include <ratkn_ak.h>
#include <ratkn_pcr.h>
#include <ratkn_tpm.h>

#include <tss2/tss2_mu.h>

#include <openssl/evp.h>

/**
 * Exit codes
 */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
};

/**
 * Default PCR selection of "ratkn pcrs"
 */
#define DEFAULT_PCRS "sha256:0,1,2,3,4,5,6,7"

/**
 * Global options and settings
 */
typedef struct {
	/** tctildr configuration */
	char *tcti;
	/** where the TCTI configuration comes from */
	char *tcti_source;
	/** AK handle */
	uint32_t handle;
	/** debug level */
	int debug;
} context_t;

typedef struct command_t command_t;

/**
 * A command of the tool
 */
struct command_t {
	/** command name */
	char *name;
	/** subcommand name, NULL if none */
	char *sub;
	/** arguments, for the usage */
	char *args;
	/** one line description */
	char *description;
	/** implementation, argv[0] is the (sub)command name */
	int (*run)(context_t *ctx, command_t *cmd, int argc, char *argv[]);
};

static int cmd_measure(context_t *ctx, command_t *cmd, int argc, char *argv[]);
static int cmd_ak_create(context_t *ctx, command_t *cmd, int argc,
						 char *argv[]);
static int cmd_ak_show(context_t *ctx, command_t *cmd, int argc, char *argv[]);
static int cmd_pcrs(context_t *ctx, command_t *cmd, int argc, char *argv[]);

/**
 * Commands, "name sub" entries are matched on two words; add new commands
 * here (the index is used to show the usage of a command)
 */
static command_t commands[] = {
	{ "measure", NULL, "--pcr N [--bank BANK] DATA",
	  "extend PCR N of BANK (default sha256) with the hash of DATA, print "
	  "the new value", cmd_measure },
	{ "ak", "create", "[--handle H] [--type ecc|rsa] [--force] [--out FILE]",
	  "create the attestation key (or reuse the existing one), write its "
	  "public key as PEM", cmd_ak_create },
	{ "ak", "show", "[--handle H] [--out FILE]",
	  "write the public key of the attestation key as PEM", cmd_ak_show },
	{ "pcrs", NULL, "[--pcrs SEL] [--out FILE]",
	  "write current PCR values as reference values (default " DEFAULT_PCRS
	  ")", cmd_pcrs },
	{ NULL },
};

/**
 * Options every command accepts
 */
#define GLOBAL_OPTIONS \
	{ "tcti", required_argument, NULL, 'T' }, \
	{ "debug", required_argument, NULL, 'D' }, \
	{ "help", no_argument, NULL, 'h' }

/**
 * Print the usage of one command or all of them
 */
static void usage(FILE *out, command_t *cmd)
{
	int i;

	if (cmd)
	{
		fprintf(out, "usage: ratkn [global options] %s%s%s %s\n"
				"  %s\n", cmd->name, cmd->sub ? " " : "", cmd->sub ?: "",
				cmd->args, cmd->description);
	}
	else
	{
		fprintf(out, "usage: ratkn [global options] <command> [options]\n"
				"\ncommands:\n");
		for (i = 0; commands[i].name; i++)
		{
			fprintf(out, "  %s%s%s %s\n      %s\n", commands[i].name,
					commands[i].sub ? " " : "", commands[i].sub ?: "",
					commands[i].args, commands[i].description);
		}
	}
	fprintf(out, "\nglobal options:\n"
		"  --tcti CONF   TPM access (tctildr syntax), default: strongswan.conf "
		"charon.plugins.ratkn.tpm.tcti,\n"
		"                else $RATKN_TCTI, else %s\n"
		"  --debug N     log level (-1 silent, 1 default, 4 most verbose)\n"
		"  --help        show this help\n", RATKN_TPM_TCTI);
}

/**
 * Print an error message
 */
static void error(char *fmt, ...)
{
	va_list args;

	fprintf(stderr, "ratkn: ");
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fprintf(stderr, "\n");
}

/**
 * Parse a persistent handle
 */
static bool parse_handle(char *str, uint32_t *handle)
{
	unsigned long value;
	char *end;

	errno = 0;
	value = strtoul(str, &end, 0);
	if (!*str || *end || errno || value < 0x81000000 || value > 0x81ffffff)
	{
		error("invalid AK handle '%s' (a persistent handle "
			  "0x81000000-0x81ffffff)", str);
		return FALSE;
	}
	*handle = value;
	return TRUE;
}

/**
 * Handle a global option in a command's option loop, returns EXIT_OK if
 * handled, EXIT_USAGE if invalid and -1 if it is not a global option
 */
static int global_option(context_t *ctx, command_t *cmd, int opt)
{
	char *end;
	long level;

	switch (opt)
	{
		case 'T':
			ctx->tcti = optarg;
			ctx->tcti_source = "--tcti";
			return EXIT_OK;
		case 'D':
			errno = 0;
			level = strtol(optarg, &end, 10);
			if (!*optarg || *end || errno || level < -1 || level > 4)
			{
				error("invalid debug level '%s' (-1 to 4)", optarg);
				return EXIT_USAGE;
			}
			ctx->debug = level;
			dbg_default_set_level(level);
			return EXIT_OK;
		case 'h':
			usage(stdout, cmd);
			exit(EXIT_OK);
		default:
			return -1;
	}
}

/**
 * Create the TPM object
 */
static ratkn_tpm_t *tpm_create(context_t *ctx)
{
	DBG2(DBG_PTS, "ratkn: using TPM '%s' (from %s), AK handle 0x%08x",
		 ctx->tcti, ctx->tcti_source, ctx->handle);
	return ratkn_tpm_create(ctx->tcti, ctx->handle);
}

/**
 * Write output to a file (atomically replaced, mode 0644) or stdout
 */
static bool write_output(char *path, chunk_t data)
{
	char *tmp = NULL;
	FILE *file;
	int fd;

	if (!path || streq(path, "-"))
	{
		if (fwrite(data.ptr, 1, data.len, stdout) != data.len ||
			fflush(stdout) != 0)
		{
			error("writing to stdout failed: %s", strerror(errno));
			return FALSE;
		}
		return TRUE;
	}
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
	{
		return FALSE;
	}
	fd = mkstemp(tmp);
	if (fd == -1)
	{
		error("creating '%s' failed: %s", tmp, strerror(errno));
		free(tmp);
		return FALSE;
	}
	file = fdopen(fd, "w");
	if (!file || fchmod(fd, 0644) != 0 ||
		fwrite(data.ptr, 1, data.len, file) != data.len ||
		fflush(file) != 0 || fsync(fd) != 0)
	{
		error("writing '%s' failed: %s", tmp, strerror(errno));
		file ? fclose(file) : close(fd);
		unlink(tmp);
		free(tmp);
		return FALSE;
	}
	if (fclose(file) != 0 || rename(tmp, path) != 0)
	{
		error("writing '%s' failed: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return FALSE;
	}
	free(tmp);
	return TRUE;
}

/**
 * Hash data with the hash algorithm of a PCR bank
 */
static bool hash_for_bank(uint16_t alg, chunk_t data, chunk_t *digest)
{
	const EVP_MD *md;
	u_int len;

	md = EVP_get_digestbyname(ratkn_pcr_alg_name(alg));
	if (!md)
	{
		return FALSE;
	}
	*digest = chunk_alloc(EVP_MD_get_size(md));
	len = digest->len;
	if (EVP_Digest(data.ptr, data.len, digest->ptr, &len, md, NULL) != 1)
	{
		chunk_free(digest);
		return FALSE;
	}
	return TRUE;
}

/**
 * ratkn measure --pcr N [--bank BANK] DATA
 */
static int cmd_measure(context_t *ctx, command_t *cmd, int argc, char *argv[])
{
	struct option options[] = {
		{ "pcr", required_argument, NULL, 'p' },
		{ "bank", required_argument, NULL, 'b' },
		GLOBAL_OPTIONS,
		{ 0 }
	};
	ratkn_pcr_selection_t sel = {};
	ratkn_pcr_values_t *values;
	ratkn_tpm_t *tpm;
	uint16_t alg = TPM2_ALG_SHA256;
	long pcr = -1;
	chunk_t digest, value;
	char *end, *bank = "sha256";
	int opt, rc = EXIT_ERROR;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
	{
		switch (opt)
		{
			case 'p':
				errno = 0;
				pcr = strtol(optarg, &end, 10);
				if (!*optarg || *end || errno || pcr < 0 ||
					pcr >= RATKN_PCR_COUNT)
				{
					error("invalid PCR '%s' (0-%d)", optarg,
						  RATKN_PCR_COUNT - 1);
					return EXIT_USAGE;
				}
				break;
			case 'b':
				bank = optarg;
				if (!ratkn_pcr_alg_from_name(bank, &alg))
				{
					error("unknown PCR bank '%s' (sha1, sha256, sha384 or "
						  "sha512)", bank);
					return EXIT_USAGE;
				}
				break;
			default:
				rc = global_option(ctx, cmd, opt);
				if (rc == -1)
				{
					usage(stderr, cmd);
					return EXIT_USAGE;
				}
				if (rc != EXIT_OK)
				{
					return rc;
				}
				rc = EXIT_ERROR;
				break;
		}
	}
	if (pcr < 0 || optind != argc - 1)
	{
		error(pcr < 0 ? "--pcr is required" : "exactly one DATA argument "
			  "expected");
		usage(stderr, cmd);
		return EXIT_USAGE;
	}
	if (!hash_for_bank(alg, chunk_from_str(argv[optind]), &digest))
	{
		error("hashing with %s failed", ratkn_pcr_alg_name(alg));
		return EXIT_ERROR;
	}
	tpm = tpm_create(ctx);
	if (!tpm->extend(tpm, alg, pcr, digest))
	{
		error("extending PCR %s:%ld failed", ratkn_pcr_alg_name(alg), pcr);
	}
	else
	{
		sel.count = 1;
		sel.banks[0].alg = alg;
		sel.banks[0].mask = 1 << pcr;
		if (tpm->read_pcrs(tpm, &sel, &values) &&
			values->get(values, alg, pcr, &value))
		{
			printf("%s:%ld %+B\n", ratkn_pcr_alg_name(alg), pcr, &value);
			rc = EXIT_OK;
			values->destroy(values);
		}
		else
		{
			error("PCR %s:%ld extended, but reading it failed",
				  ratkn_pcr_alg_name(alg), pcr);
		}
	}
	tpm->destroy(tpm);
	chunk_free(&digest);
	return rc;
}

/**
 * Write an AK as PEM and print its fingerprint
 */
static int output_ak(chunk_t ak_public, char *out)
{
	uint8_t hash[HASH_SIZE_SHA256];
	chunk_t spki, pem, fingerprint;
	u_int len = sizeof(hash);
	int rc = EXIT_ERROR;

	if (!ratkn_ak_spki_from_tpm(ak_public, &spki))
	{
		error("the key at the AK handle is not usable as AK");
		return EXIT_ERROR;
	}
	if (ratkn_ak_to_pem(spki, &pem) &&
		EVP_Digest(spki.ptr, spki.len, hash, &len, EVP_sha256(), NULL) == 1)
	{
		if (write_output(out, pem))
		{
			fingerprint = chunk_from_thing(hash);
			fprintf(stderr, "AK fingerprint (SHA-256 of SPKI): %+B\n",
					&fingerprint);
			if (out && !streq(out, "-"))
			{
				fprintf(stderr, "AK public key written to %s\n", out);
			}
			rc = EXIT_OK;
		}
		chunk_free(&pem);
	}
	chunk_free(&spki);
	return rc;
}

/**
 * Key type of a marshalled TPMT_PUBLIC
 */
static ratkn_ak_type_t ak_type(chunk_t ak_public)
{
	TPMT_PUBLIC pub = {};
	size_t offset = 0;

	if (Tss2_MU_TPMT_PUBLIC_Unmarshal(ak_public.ptr, ak_public.len, &offset,
									  &pub) != TSS2_RC_SUCCESS)
	{
		return 0;
	}
	return pub.type == TPM2_ALG_RSA ? RATKN_AK_RSA : RATKN_AK_ECC;
}

/**
 * ratkn ak create [--handle H] [--type ecc|rsa] [--force] [--out FILE]
 */
static int cmd_ak_create(context_t *ctx, command_t *cmd, int argc, char *argv[])
{
	struct option options[] = {
		{ "handle", required_argument, NULL, 'H' },
		{ "type", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		GLOBAL_OPTIONS,
		{ 0 }
	};
	ratkn_ak_type_t type = RATKN_AK_ECC;
	ratkn_tpm_t *tpm;
	chunk_t ak_public;
	char *out = NULL;
	bool force = FALSE, type_given = FALSE;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
	{
		switch (opt)
		{
			case 'H':
				if (!parse_handle(optarg, &ctx->handle))
				{
					return EXIT_USAGE;
				}
				break;
			case 't':
				if (strcaseeq(optarg, "ecc"))
				{
					type = RATKN_AK_ECC;
				}
				else if (strcaseeq(optarg, "rsa"))
				{
					type = RATKN_AK_RSA;
				}
				else
				{
					error("invalid AK type '%s' (ecc or rsa)", optarg);
					return EXIT_USAGE;
				}
				type_given = TRUE;
				break;
			case 'f':
				force = TRUE;
				break;
			case 'o':
				out = optarg;
				break;
			default:
				rc = global_option(ctx, cmd, opt);
				if (rc == -1)
				{
					usage(stderr, cmd);
					return EXIT_USAGE;
				}
				if (rc != EXIT_OK)
				{
					return rc;
				}
				break;
		}
	}
	if (optind != argc)
	{
		error("unexpected argument '%s'", argv[optind]);
		usage(stderr, cmd);
		return EXIT_USAGE;
	}
	tpm = tpm_create(ctx);
	if (!tpm->create_ak(tpm, type, force, &ak_public))
	{
		error("creating the AK at handle 0x%08x failed", ctx->handle);
		tpm->destroy(tpm);
		return EXIT_ERROR;
	}
	tpm->destroy(tpm);
	if (type_given && ak_type(ak_public) != type)
	{
		error("note: the existing AK is %s key, not %s; use --force to "
			  "replace it", ak_type(ak_public) == RATKN_AK_RSA ? "an RSA"
			  : "an ECC", type == RATKN_AK_RSA ? "rsa" : "ecc");
	}
	rc = output_ak(ak_public, out);
	chunk_free(&ak_public);
	return rc;
}

/**
 * ratkn ak show [--handle H] [--out FILE]
 */
static int cmd_ak_show(context_t *ctx, command_t *cmd, int argc, char *argv[])
{
	struct option options[] = {
		{ "handle", required_argument, NULL, 'H' },
		{ "out", required_argument, NULL, 'o' },
		GLOBAL_OPTIONS,
		{ 0 }
	};
	ratkn_tpm_t *tpm;
	chunk_t ak_public;
	char *out = NULL;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
	{
		switch (opt)
		{
			case 'H':
				if (!parse_handle(optarg, &ctx->handle))
				{
					return EXIT_USAGE;
				}
				break;
			case 'o':
				out = optarg;
				break;
			default:
				rc = global_option(ctx, cmd, opt);
				if (rc == -1)
				{
					usage(stderr, cmd);
					return EXIT_USAGE;
				}
				if (rc != EXIT_OK)
				{
					return rc;
				}
				break;
		}
	}
	if (optind != argc)
	{
		error("unexpected argument '%s'", argv[optind]);
		usage(stderr, cmd);
		return EXIT_USAGE;
	}
	tpm = tpm_create(ctx);
	if (!tpm->get_ak_public(tpm, &ak_public))
	{
		error("no usable AK at handle 0x%08x; create one with 'ratkn ak "
			  "create'", ctx->handle);
		tpm->destroy(tpm);
		return EXIT_ERROR;
	}
	tpm->destroy(tpm);
	rc = output_ak(ak_public, out);
	chunk_free(&ak_public);
	return rc;
}

/**
 * ratkn pcrs [--pcrs SEL] [--out FILE]
 */
static int cmd_pcrs(context_t *ctx, command_t *cmd, int argc, char *argv[])
{
	struct option options[] = {
		{ "pcrs", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		GLOBAL_OPTIONS,
		{ 0 }
	};
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *values;
	enumerator_t *enumerator;
	bio_writer_t *writer;
	ratkn_tpm_t *tpm;
	char *out = NULL, *pcrs = DEFAULT_PCRS, date[32], buf[128], *line;
	u_int alg, pcr;
	chunk_t digest;
	time_t now;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
	{
		switch (opt)
		{
			case 'p':
				pcrs = optarg;
				break;
			case 'o':
				out = optarg;
				break;
			default:
				rc = global_option(ctx, cmd, opt);
				if (rc == -1)
				{
					usage(stderr, cmd);
					return EXIT_USAGE;
				}
				if (rc != EXIT_OK)
				{
					return rc;
				}
				break;
		}
	}
	if (optind != argc)
	{
		error("unexpected argument '%s'", argv[optind]);
		usage(stderr, cmd);
		return EXIT_USAGE;
	}
	if (!ratkn_pcr_selection_parse(pcrs, &sel))
	{
		error("invalid PCR selection '%s' (e.g. %s)", pcrs, DEFAULT_PCRS);
		return EXIT_USAGE;
	}
	tpm = tpm_create(ctx);
	if (!tpm->read_pcrs(tpm, &sel, &values))
	{
		error("reading PCRs %s failed",
			  ratkn_pcr_selection_to_str(&sel, buf, sizeof(buf)));
		tpm->destroy(tpm);
		return EXIT_ERROR;
	}
	tpm->destroy(tpm);

	now = time(NULL);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	writer = bio_writer_create(1024);
	if (asprintf(&line, "# generated by ratkn pcrs %s\n# PCRs %s\n", date,
				 ratkn_pcr_selection_to_str(&sel, buf, sizeof(buf))) > 0)
	{
		writer->write_data(writer, chunk_from_str(line));
		free(line);
	}
	enumerator = values->create_enumerator(values);
	while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
	{
		if (asprintf(&line, "%s:%u %+B\n", ratkn_pcr_alg_name(alg), pcr,
					 &digest) > 0)
		{
			writer->write_data(writer, chunk_from_str(line));
			free(line);
		}
	}
	enumerator->destroy(enumerator);
	values->destroy(values);

	rc = write_output(out, writer->get_buf(writer)) ? EXIT_OK : EXIT_ERROR;
	if (rc == EXIT_OK && out && !streq(out, "-"))
	{
		fprintf(stderr, "reference values for PCRs %s written to %s\n",
				ratkn_pcr_selection_to_str(&sel, buf, sizeof(buf)), out);
	}
	writer->destroy(writer);
	return rc;
}

/**
 * Load defaults from strongswan.conf and the environment
 */
static bool load_defaults(context_t *ctx)
{
	char *value;

	ctx->debug = 1;
	ctx->handle = RATKN_TPM_AK_HANDLE;
	value = lib->settings->get_str(lib->settings,
								   "charon.plugins.ratkn.tpm.ak_handle", NULL);
	if (value && !parse_handle(value, &ctx->handle))
	{
		error("invalid charon.plugins.ratkn.tpm.ak_handle in "
			  "strongswan.conf");
		return FALSE;
	}
	value = lib->settings->get_str(lib->settings,
								   "charon.plugins.ratkn.tpm.tcti", NULL);
	if (value && *value)
	{
		ctx->tcti = value;
		ctx->tcti_source = "strongswan.conf";
		return TRUE;
	}
	value = getenv("RATKN_TCTI");
	if (value && *value)
	{
		ctx->tcti = value;
		ctx->tcti_source = "RATKN_TCTI";
		return TRUE;
	}
	ctx->tcti = RATKN_TPM_TCTI;
	ctx->tcti_source = "default";
	return TRUE;
}

/**
 * Find a command, sets *used to the number of words it takes
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

/**
 * Report an unknown command, listing the subcommands of a known one
 */
static void subcommands(char *name, char *sub)
{
	char list[128] = "";
	int i;

	for (i = 0; commands[i].name; i++)
	{
		if (commands[i].sub && streq(commands[i].name, name) &&
			strlen(list) + strlen(commands[i].sub) + 3 < sizeof(list))
		{
			strcat(list, list[0] ? ", " : "");
			strcat(list, commands[i].sub);
		}
	}
	if (!list[0])
	{
		error("unknown command '%s'", name);
	}
	else if (sub)
	{
		error("unknown command '%s %s' (subcommands of %s: %s)", name, sub,
			  name, list);
	}
	else
	{
		error("command '%s' needs a subcommand (%s)", name, list);
	}
}

int main(int argc, char *argv[])
{
	struct option options[] = {
		GLOBAL_OPTIONS,
		{ 0 }
	};
	context_t ctx = {};
	command_t *cmd;
	int opt, rc, used = 0;

	/* the TSS logs errors to stderr by itself, ours are more precise */
	setenv("TSS2_LOG", "all+none", 0);

	if (!library_init(NULL, "ratkn"))
	{
		error("initializing libstrongswan failed (invalid strongswan.conf?)");
		library_deinit();
		return EXIT_ERROR;
	}
	if (!load_defaults(&ctx))
	{
		library_deinit();
		return EXIT_ERROR;
	}

	/* global options before the command */
	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1)
	{
		rc = global_option(&ctx, NULL, opt);
		if (rc != EXIT_OK)
		{
			if (rc == -1)
			{
				usage(stderr, NULL);
			}
			library_deinit();
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
	{
		usage(stderr, NULL);
		library_deinit();
		return EXIT_USAGE;
	}
	cmd = find_command(argc - optind, argv + optind, &used);
	if (!cmd)
	{
		subcommands(argv[optind], optind + 1 < argc ? argv[optind + 1]
													: NULL);
		usage(stderr, NULL);
		library_deinit();
		return EXIT_USAGE;
	}
	/* the command parses its arguments from the (sub)command name on */
	argv += optind + used - 1;
	argc -= optind + used - 1;
	optind = 0;
	rc = cmd->run(&ctx, cmd, argc, argv);
	library_deinit();
	return rc;
}
