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
 *   ratkn ek show [--ca FILE]... [--out FILE]
 *   ratkn enroll --verifier URL|NAME [--ca FILE] [--group NAME]
 *                [--timeout SECONDS] [--handle H]
 *   ratkn status [--socket URI] [--json]
 *   ratkn keys list [--keyring NAME]
 *   ratkn keys show NAME [--keyring NAME] [--show-secret]
 *   ratkn keys remove NAME [--keyring NAME]
 *   ratkn keys edek NAME:VERSION [--keyring NAME] [--out FILE]
 *   ratkn keys request NAME:VERSION [--edek FILE] [--keyring NAME]
 *   ratkn keys cancel NAME[:VERSION] [--keyring NAME]
 *
 * Global options: --tcti CONF, --debug N, --help. The TCTI defaults to
 * charon.plugins.ratkn.tpm.tcti from strongswan.conf, then $RATKN_TCTI, then
 * device:/dev/tpmrm0; the AK handle to charon.plugins.ratkn.tpm.ak_handle.
 */

#define _GNU_SOURCE
#include <ctype.h>
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
#include <ratkn_config.h>
#include <ratkn_credential.h>
#include <ratkn_http.h>
#include <ratkn_pcr.h>
#include <ratkn_status.h>
#include <ratkn_tpm.h>
#include <ratkn_verifier_client.h>
#include <ratkn_keyring.h>

#include <jansson.h>

#include <tss2/tss2_mu.h>

#include <openssl/buffer.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

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
 * Default keyring of "ratkn keys"
 */
#define DEFAULT_KEYRING "ratkn"

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
static int cmd_ek_show(context_t *ctx, command_t *cmd, int argc, char *argv[]);
static int cmd_enroll(context_t *ctx, command_t *cmd, int argc, char *argv[]);
static int cmd_status(context_t *ctx, command_t *cmd, int argc, char *argv[]);
static int cmd_keys(context_t *ctx, command_t *cmd, int argc, char *argv[]);

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
	{ "ak", "show", "[--handle H] [--name] [--out FILE]",
	  "write the public key of the attestation key as PEM (--name: its TPM "
	  "Name in hex, for ak_name)", cmd_ak_show },
	{ "pcrs", NULL, "[--pcrs SEL] [--out FILE]",
	  "write current PCR values as reference values (default " DEFAULT_PCRS
	  ")", cmd_pcrs },
	{ "ek", "show", "[--ca FILE]... [--out FILE]",
	  "write the EK certificate as PEM, optionally verify it with the TPM "
	  "manufacturer's CA certificates", cmd_ek_show },
	{ "enroll", NULL, "--verifier URL|NAME [--ca FILE] [--group NAME] "
	  "[--timeout SECONDS] [--handle H] [--allow-http]",
	  "enroll the AK at a verifier, proving with the EK that it is in this "
	  "TPM; into the group the verifier's operator assigned to the EK, or "
	  "into an open GROUP (default 'default')", cmd_enroll },
	{ "status", NULL, "[--socket URI] [--json]",
	  "show the latest attestation outcomes of the running charon",
	  cmd_status },
	{ "keys", "list", "[--keyring NAME]",
	  "list the keys released by a KMS in a keyring (default "
	  DEFAULT_KEYRING "), without key material, and pending EDEK requests",
	  cmd_keys },
	{ "keys", "show", "NAME [--keyring NAME] [--show-secret]",
	  "show the highest version of a released key; the key material only "
	  "with --show-secret", cmd_keys },
	{ "keys", "remove", "NAME [--keyring NAME]",
	  "remove all versions of a released key (and their EDEKs); pending "
	  "requests stay", cmd_keys },
	{ "keys", "edek", "NAME:VERSION [--keyring NAME] [--out FILE]",
	  "write the EDEK stored with a released key (binary, not secret) to "
	  "FILE or stdout", cmd_keys },
	{ "keys", "request", "NAME:VERSION [--edek FILE] [--keyring NAME]",
	  "ask the KMS for a key version again: charon presents the EDEK from "
	  "FILE (else the stored one) at the next IKE_AUTH", cmd_keys },
	{ "keys", "cancel", "NAME[:VERSION] [--keyring NAME]",
	  "remove pending EDEK requests of a key (all versions or one)",
	  cmd_keys },
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
 * Write an AK as PEM and print its fingerprint and Name, or write only its
 * Name in hex
 */
static int output_ak(chunk_t ak_public, char *out, bool name_only)
{
	uint8_t hash[HASH_SIZE_SHA256];
	chunk_t spki, pem, fingerprint, name, hex;
	u_int len = sizeof(hash);
	int rc = EXIT_ERROR;

	if (!ratkn_ak_spki_from_tpm(ak_public, &spki))
	{
		error("the key at the AK handle is not usable as AK");
		return EXIT_ERROR;
	}
	if (!ratkn_ak_name(ak_public, &name))
	{
		error("computing the AK's TPM Name failed");
		chunk_free(&spki);
		return EXIT_ERROR;
	}
	if (name_only)
	{	/* what attesters.<name>.ak_name takes */
		hex = chunk_to_hex(name, NULL, FALSE);
		pem = chunk_cat("mc", hex, chunk_from_str("\n"));
		if (write_output(out, pem))
		{
			rc = EXIT_OK;
		}
		chunk_free(&pem);
	}
	else if (ratkn_ak_to_pem(spki, &pem) &&
		EVP_Digest(spki.ptr, spki.len, hash, &len, EVP_sha256(), NULL) == 1)
	{
		if (write_output(out, pem))
		{
			fingerprint = chunk_from_thing(hash);
			fprintf(stderr, "AK fingerprint (SHA-256 of SPKI): %+B\n",
					&fingerprint);
			fprintf(stderr, "AK TPM Name (pins its attributes too): %+B\n",
					&name);
			if (out && !streq(out, "-"))
			{
				fprintf(stderr, "AK public key written to %s\n", out);
			}
			rc = EXIT_OK;
		}
		chunk_free(&pem);
	}
	chunk_free(&name);
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
	rc = output_ak(ak_public, out, FALSE);
	chunk_free(&ak_public);
	return rc;
}

/**
 * ratkn ak show [--handle H] [--name] [--out FILE]
 */
static int cmd_ak_show(context_t *ctx, command_t *cmd, int argc, char *argv[])
{
	struct option options[] = {
		{ "handle", required_argument, NULL, 'H' },
		{ "name", no_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		GLOBAL_OPTIONS,
		{ 0 }
	};
	ratkn_tpm_t *tpm;
	chunk_t ak_public;
	char *out = NULL;
	bool name_only = FALSE;
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
			case 'n':
				name_only = TRUE;
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
	rc = output_ak(ak_public, out, name_only);
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
 * Default time limit of a request to the verifier, in seconds
 */
#define ENROLL_TIMEOUT 10

/**
 * Decode base64url (padding optional)
 */
static bool base64url_decode(const char *in, chunk_t *out)
{
	size_t len, i;
	char *b64;

	len = strlen(in);
	while (len && in[len - 1] == '=')
	{
		len--;
	}
	if (len % 4 == 1)
	{
		return FALSE;
	}
	b64 = malloc(len + 4);
	for (i = 0; i < len; i++)
	{
		switch (in[i])
		{
			case '-':
				b64[i] = '+';
				break;
			case '_':
				b64[i] = '/';
				break;
			default:
				if (!isalnum((u_char)in[i]))
				{
					free(b64);
					return FALSE;
				}
				b64[i] = in[i];
				break;
		}
	}
	while (i % 4)
	{
		b64[i++] = '=';
	}
	*out = chunk_from_base64(chunk_create(b64, i), NULL);
	free(b64);
	return TRUE;
}

/**
 * Get a base64url encoded member of a JSON object
 */
static bool json_binary(json_t *object, char *key, chunk_t *out)
{
	json_t *value;

	value = json_object_get(object, key);
	if (!json_is_string(value) ||
		!base64url_decode(json_string_value(value), out))
	{
		error("the verifier's answer has no valid '%s'", key);
		return FALSE;
	}
	return TRUE;
}

/**
 * SHA-256 fingerprint of the SPKI of an AK, as hex (allocated)
 */
static char *ak_fingerprint(chunk_t ak_public)
{
	uint8_t hash[HASH_SIZE_SHA256];
	chunk_t spki, hex;
	u_int len = sizeof(hash);
	char *out = NULL;

	if (!ratkn_ak_spki_from_tpm(ak_public, &spki))
	{
		return NULL;
	}
	if (EVP_Digest(spki.ptr, spki.len, hash, &len, EVP_sha256(),
				   NULL) == 1)
	{
		hex = chunk_to_hex(chunk_from_thing(hash), NULL, FALSE);
		out = strndup(hex.ptr, hex.len);
		chunk_free(&hex);
	}
	chunk_free(&spki);
	return out;
}

/**
 * POST a JSON request to the verifier and parse the JSON answer; reports
 * errors (HTTP status, the verifier's error message)
 */
static json_t *post_json(ratkn_http_t *http, char *url, char *path,
						 chunk_t body)
{
	json_t *answer, *message;
	json_error_t json_error;
	chunk_t response;
	u_int status;

	if (!http->post(http, path, "application/json", body, &status,
					&response))
	{
		error("POST %s%s failed (see the log above)", url, path);
		return NULL;
	}
	answer = json_loadb(response.ptr, response.len, 0, &json_error);
	chunk_free(&response);
	if (status < 200 || status > 299)
	{
		message = answer ? json_object_get(answer, "error") : NULL;
		error("POST %s%s: the verifier answered HTTP %u%s%s", url, path,
			  status, json_is_string(message) ? ": " : "",
			  json_is_string(message) ? json_string_value(message) : "");
		json_decref(answer);
		return NULL;
	}
	if (!json_is_object(answer))
	{
		error("POST %s%s: the verifier's answer is no JSON object%s%s", url,
			  path, answer ? "" : ": ", answer ? "" : json_error.text);
		json_decref(answer);
		return NULL;
	}
	return answer;
}

/**
 * Check that an enrollment session ID is hex (it goes into the URL path)
 */
static bool session_valid(const char *session)
{
	size_t len = strlen(session);

	return len > 0 && len <= 128 && strspn(session, "0123456789abcdefABCDEF")
		   == len;
}

/**
 * Run the enrollment protocol with a verifier
 */
static int enroll(context_t *ctx, char *url, char *ca, u_int timeout,
				  char *group)
{
	json_t *request, *answer, *session, *value;
	ratkn_http_t *http = NULL;
	ratkn_tpm_t *tpm;
	chunk_t ek_cert = chunk_empty, ek_public = chunk_empty;
	chunk_t ak_public = chunk_empty, blob = chunk_empty;
	chunk_t encrypted = chunk_empty, secret = chunk_empty;
	char *fingerprint = NULL, *cert64, *ak64, *secret64, *body, path[256];
	int rc = EXIT_ERROR;

	tpm = tpm_create(ctx);
	if (!tpm->get_ak_public(tpm, &ak_public))
	{
		error("no usable AK at handle 0x%08x; create one with 'ratkn ak "
			  "create'", ctx->handle);
		goto out;
	}
	fingerprint = ak_fingerprint(ak_public);
	if (!fingerprint)
	{
		error("the key at handle 0x%08x is not usable as AK", ctx->handle);
		goto out;
	}
	if (!tpm->get_ek(tpm, &ek_cert, &ek_public))
	{
		error("reading the EK certificate failed (see the log above)");
		goto out;
	}
	/* don't keep the TPM busy while waiting for the verifier (a swtpm
	 * serves one connection at a time) */
	tpm->destroy(tpm);
	tpm = NULL;
	http = ratkn_http_create(url, ca, timeout * 1000);
	if (!http)
	{
		error("invalid verifier URL '%s'", url);
		rc = EXIT_USAGE;
		goto out;
	}

	cert64 = ratkn_base64url_encode(ek_cert);
	ak64 = ratkn_base64url_encode(ak_public);
	request = json_pack("{ssss}", "ek_cert", cert64, "ak_public", ak64);
	if (request && group)
	{	/* without, the verifier takes the group its operator assigned to
		 * our EK */
		json_object_set_new(request, "group", json_string(group));
	}
	free(cert64);
	free(ak64);
	body = request ? json_dumps(request, JSON_COMPACT) : NULL;
	json_decref(request);
	if (!body)
	{
		error("encoding the enrollment request failed");
		goto out;
	}
	answer = post_json(http, url, "/v1/enroll", chunk_from_str(body));
	free(body);
	if (!answer)
	{
		goto out;
	}
	session = json_object_get(answer, "session");
	if (!json_is_string(session) || !session_valid(json_string_value(session)))
	{
		error("the verifier's answer has no valid 'session'");
		json_decref(answer);
		goto out;
	}
	snprintf(path, sizeof(path), "/v1/enroll/%s", json_string_value(session));
	if (!json_binary(answer, "credential_blob", &blob) ||
		!json_binary(answer, "encrypted_secret", &encrypted))
	{
		json_decref(answer);
		goto out;
	}
	json_decref(answer);

	tpm = tpm_create(ctx);
	if (!tpm->activate_credential(tpm, blob, encrypted, &secret))
	{
		error("the TPM did not activate the verifier's credential: it was "
			  "not made for this TPM's EK and AK (see the log above)");
		goto out;
	}
	tpm->destroy(tpm);
	tpm = NULL;
	/* written by hand (base64url needs no escaping) to wipe it after use */
	secret64 = ratkn_base64url_encode(secret);
	if (asprintf(&body, "{\"secret\":\"%s\"}", secret64) < 0)
	{
		body = NULL;
	}
	memwipe(secret64, strlen(secret64));
	free(secret64);
	if (!body)
	{
		goto out;
	}
	answer = post_json(http, url, path, chunk_from_str(body));
	memwipe(body, strlen(body));
	free(body);
	if (!answer)
	{
		goto out;
	}
	value = json_object_get(answer, "ak");
	if (!json_is_string(value) ||
		!strcaseeq(json_string_value(value), fingerprint))
	{
		error("the verifier enrolled another AK (%s) than ours (%s)",
			  json_is_string(value) ? json_string_value(value) : "none",
			  fingerprint);
		json_decref(answer);
		goto out;
	}
	value = json_object_get(answer, "group");
	printf("AK fingerprint (SHA-256 of SPKI): %s\n", fingerprint);
	printf("enrolled at %s in group '%s'\n", url,
		   json_is_string(value) ? json_string_value(value) :
		   group ?: "?");
	json_decref(answer);
	rc = EXIT_OK;

out:
	chunk_clear(&secret);
	chunk_free(&blob);
	chunk_free(&encrypted);
	chunk_free(&ek_cert);
	chunk_free(&ek_public);
	chunk_free(&ak_public);
	free(fingerprint);
	DESTROY_IF(http);
	DESTROY_IF(tpm);
	return rc;
}

/**
 * ratkn enroll --verifier URL|NAME [--ca FILE] [--group NAME]
 *             [--timeout SECONDS] [--handle H] [--allow-http]
 */
static int cmd_enroll(context_t *ctx, command_t *cmd, int argc, char *argv[])
{
	struct option options[] = {
		{ "verifier", required_argument, NULL, 'v' },
		{ "ca", required_argument, NULL, 'c' },
		{ "group", required_argument, NULL, 'g' },
		{ "timeout", required_argument, NULL, 't' },
		{ "handle", required_argument, NULL, 'H' },
		{ "allow-http", no_argument, NULL, 'A' },
		GLOBAL_OPTIONS,
		{ 0 }
	};
	char *verifier = NULL, *url, *ca = NULL, *group = NULL, *end;
	char buf[PATH_MAX];
	long timeout = 0;
	bool allow_http = FALSE;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
	{
		switch (opt)
		{
			case 'v':
				verifier = optarg;
				break;
			case 'c':
				ca = optarg;
				break;
			case 'g':
				group = optarg;
				break;
			case 't':
				errno = 0;
				timeout = strtol(optarg, &end, 10);
				if (!*optarg || *end || errno || timeout < 1 ||
					timeout > 3600)
				{
					error("invalid timeout '%s' (1-3600 seconds)", optarg);
					return EXIT_USAGE;
				}
				break;
			case 'H':
				if (!parse_handle(optarg, &ctx->handle))
				{
					return EXIT_USAGE;
				}
				break;
			case 'A':
				allow_http = TRUE;
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
	if (!verifier || (group && !*group))
	{
		error(verifier ? "--group must not be empty" : "--verifier is "
			  "required");
		usage(stderr, cmd);
		return EXIT_USAGE;
	}
	url = verifier;
	if (!strstr(verifier, "://"))
	{	/* the name of a verifier section in strongswan.conf */
		url = lib->settings->get_str(lib->settings,
					"charon.plugins.ratkn.verifiers.%s.url", NULL, verifier);
		if (!url)
		{
			error("'%s' is neither a URL nor a verifier configured in "
				  "strongswan.conf (charon.plugins.ratkn.verifiers.%s.url)",
				  verifier, verifier);
			return EXIT_USAGE;
		}
		if (!ca)
		{
			ca = lib->settings->get_str(lib->settings,
					"charon.plugins.ratkn.verifiers.%s.ca", NULL, verifier);
			if (ca && *ca != '/')
			{
				snprintf(buf, sizeof(buf), "%s/%s", RATKN_CONFDIR, ca);
				ca = buf;
			}
		}
		if (!timeout)
		{
			timeout = lib->settings->get_time(lib->settings,
					"charon.plugins.ratkn.verifiers.%s.timeout", 0,
					verifier);
		}
	}
	if (!strcasepfx(url, "https://") &&
		!(strcasepfx(url, "http://") && allow_http))
	{
		error("invalid verifier URL '%s' (https://HOST[:PORT] expected; "
			  "http:// only with --allow-http, for tests)", url);
		return EXIT_USAGE;
	}
	return enroll(ctx, url, ca, timeout ?: ENROLL_TIMEOUT, group);
}

/**
 * ratkn ek show [--ca FILE]... [--out FILE]
 */
static int cmd_ek_show(context_t *ctx, command_t *cmd, int argc, char *argv[])
{
	struct option options[] = {
		{ "ca", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		GLOBAL_OPTIONS,
		{ 0 }
	};
	char *out = NULL, *cas[16] = {}, reason[256], subject[256], issuer[256];
	chunk_t ek_cert, ek_public, spki, name, pem;
	const u_char *pos;
	ratkn_tpm_t *tpm;
	X509 *x509;
	BIO *bio;
	BUF_MEM *mem;
	int opt, rc, count = 0;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
	{
		switch (opt)
		{
			case 'c':
				if (count == countof(cas) - 1)
				{
					error("too many --ca options");
					return EXIT_USAGE;
				}
				cas[count++] = optarg;
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
	if (!tpm->get_ek(tpm, &ek_cert, &ek_public))
	{
		error("reading the EK certificate failed (see the log above)");
		tpm->destroy(tpm);
		return EXIT_ERROR;
	}
	tpm->destroy(tpm);

	rc = EXIT_ERROR;
	pos = ek_cert.ptr;
	x509 = d2i_X509(NULL, &pos, ek_cert.len);
	bio = BIO_new(BIO_s_mem());
	if (x509 && bio && PEM_write_bio_X509(bio, x509) == 1 &&
		BIO_get_mem_ptr(bio, &mem) == 1 &&
		ratkn_credential_name(ek_public, &name))
	{
		X509_NAME_oneline(X509_get_subject_name(x509), subject,
						  sizeof(subject));
		X509_NAME_oneline(X509_get_issuer_name(x509), issuer,
						  sizeof(issuer));
		pem = chunk_create(mem->data, mem->length);
		if (write_output(out, pem))
		{
			fprintf(stderr, "EK certificate: subject '%s', issuer '%s'\n",
					subject, issuer);
			fprintf(stderr, "EK name: %+B\n", &name);
			rc = EXIT_OK;
		}
		chunk_free(&name);
	}
	else
	{
		error("the EK certificate can't be encoded as PEM");
	}
	if (rc == EXIT_OK && count)
	{
		if (ratkn_credential_check_ek(ek_cert, cas, &spki, reason,
									  sizeof(reason)))
		{
			fprintf(stderr, "EK certificate verified with the given CAs\n");
			chunk_free(&spki);
		}
		else
		{
			error("%s", reason);
			rc = EXIT_ERROR;
		}
	}
	BIO_free(bio);
	X509_free(x509);
	chunk_free(&ek_cert);
	chunk_free(&ek_public);
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

/**
 * Print the outcomes JSON of the status socket as a table
 */
static int print_status(char *json)
{
	json_t *root, *list, *o;
	json_error_t json_error;
	size_t i;

	root = json_loads(json, 0, &json_error);
	list = root ? json_object_get(root, "outcomes") : NULL;
	if (!json_is_array(list))
	{
		error("unexpected answer from the status socket");
		json_decref(root);
		return EXIT_ERROR;
	}
	if (!json_array_size(list))
	{
		printf("no attestation since charon started\n");
		json_decref(root);
		return EXIT_OK;
	}
	printf("%-20s  %-14s  %-24s  %-13s  %-16s  %-10s  %5s  %s\n", "time",
		   "connection", "peer", "direction", "model", "result", "ms",
		   "reason");
	json_array_foreach(list, i, o)
	{
		printf("%-20s  %-14s  %-24s  %-13s  %-16s  %-10s  %5d  %s\n",
			   json_string_value(json_object_get(o, "time")) ?: "",
			   json_string_value(json_object_get(o, "connection")) ?: "",
			   json_string_value(json_object_get(o, "peer")) ?: "",
			   json_string_value(json_object_get(o, "direction")) ?: "",
			   json_string_value(json_object_get(o, "model")) ?: "",
			   json_string_value(json_object_get(o, "result")) ?: "",
			   (int)json_integer_value(json_object_get(o, "ms")),
			   json_string_value(json_object_get(o, "reason")) ?: "");
	}
	json_decref(root);
	return EXIT_OK;
}

/**
 * ratkn status [--socket URI] [--json]
 */
static int cmd_status(context_t *ctx, command_t *cmd, int argc, char *argv[])
{
	struct option options[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		GLOBAL_OPTIONS,
		{ 0 }
	};
	bio_writer_t *writer;
	stream_t *stream;
	char *uri, buf[4096];
	bool json = FALSE;
	ssize_t len;
	int opt, rc;

	uri = lib->settings->get_str(lib->settings, "charon.plugins.ratkn.socket",
								 RATKN_STATUS_SOCKET);
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
	{
		switch (opt)
		{
			case 's':
				uri = optarg;
				break;
			case 'j':
				json = TRUE;
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
	stream = lib->streams->connect(lib->streams, uri);
	if (!stream)
	{
		error("connecting to %s failed; is charon running with the ratkn "
			  "plugin (charon.plugins.ratkn.socket)?", uri);
		return EXIT_ERROR;
	}
	writer = bio_writer_create(4096);
	while ((len = stream->read(stream, buf, sizeof(buf), TRUE)) > 0)
	{
		writer->write_data(writer, chunk_create(buf, len));
	}
	stream->destroy(stream);
	writer->write_uint8(writer, 0);
	if (json)
	{
		printf("%s\n", writer->get_buf(writer).ptr);
		rc = EXIT_OK;
	}
	else
	{
		rc = print_status(writer->get_buf(writer).ptr);
	}
	writer->destroy(writer);
	return rc;
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

/**
 * Print a keyring entry
 */
static void print_key(ratkn_keyring_entry_t *entry)
{
	printf("%s:%u  key %d, perm %08x, expires %s%s\n", entry->name,
		   entry->version, entry->serial, entry->perm, entry->expiry,
		   entry->edek ? ", with EDEK" : "");
}

/**
 * Parse a key id "NAME:VERSION" strictly (a valid key name, a decimal
 * version 1-4294967295 without sign or leading zeros); with optional set,
 * "NAME" alone is accepted as version 0.  name receives a copy of the name.
 */
static bool parse_kid(char *kid, bool optional,
					  char name[RATKN_KEY_NAME_MAX + 1], uint32_t *version)
{
	unsigned long long value;
	char *colon, *pos, *end;
	size_t len;

	colon = strchr(kid, ':');
	len = colon ? (size_t)(colon - kid) : strlen(kid);
	if (!len || len > RATKN_KEY_NAME_MAX)
	{
		goto invalid;
	}
	memcpy(name, kid, len);
	name[len] = '\0';
	if (!ratkn_key_name_valid(name))
	{
		goto invalid;
	}
	if (!colon)
	{
		if (!optional)
		{
			goto invalid;
		}
		*version = 0;
		return TRUE;
	}
	pos = colon + 1;
	if (!*pos || *pos == '0' || strlen(pos) > 10)
	{
		goto invalid;
	}
	for (end = pos; *end; end++)
	{
		if (!isdigit((u_char)*end))
		{
			goto invalid;
		}
	}
	errno = 0;
	value = strtoull(pos, &end, 10);
	if (errno || *end || !value || value > UINT32_MAX)
	{
		goto invalid;
	}
	*version = value;
	return TRUE;

invalid:
	error("invalid key id '%s' (NAME%s, NAME: 1-%d characters of "
		  "[A-Za-z0-9._-] starting alphanumeric, VERSION: 1-%u in decimal)",
		  kid, optional ? "[:VERSION]" : ":VERSION", RATKN_KEY_NAME_MAX,
		  UINT32_MAX);
	return FALSE;
}

/**
 * Read an EDEK from a file or stdin ("-") into edek (allocated)
 */
static bool read_edek_file(char *path, chunk_t *edek)
{
	u_char buf[RATKN_JWE_MAX_EDEK + 1];
	bool in = streq(path, "-");
	FILE *file;
	size_t len;

	file = in ? stdin : fopen(path, "r");
	if (!file)
	{
		error("opening '%s' failed: %s", path, strerror(errno));
		return FALSE;
	}
	len = fread(buf, 1, sizeof(buf), file);
	if (ferror(file))
	{
		error("reading '%s' failed: %s", in ? "stdin" : path,
			  strerror(errno));
		if (!in)
		{
			fclose(file);
		}
		return FALSE;
	}
	if (!in)
	{
		fclose(file);
	}
	if (!len || len > RATKN_JWE_MAX_EDEK)
	{
		error("'%s' is not an EDEK (%s%zu octets, expected 1-%d)",
			  in ? "stdin" : path, len > RATKN_JWE_MAX_EDEK ? "more than " : "",
			  len > RATKN_JWE_MAX_EDEK ? (size_t)RATKN_JWE_MAX_EDEK : len,
			  RATKN_JWE_MAX_EDEK);
		return FALSE;
	}
	*edek = chunk_clone(chunk_create(buf, len));
	return TRUE;
}

/**
 * ratkn keys list: released keys and pending requests
 */
static int keys_list(ratkn_keyring_t *keyring, char *keyring_name)
{
	ratkn_keyring_entry_t *entry;
	ratkn_keyring_request_t *request;
	enumerator_t *enumerator;
	int count = 0;

	enumerator = keyring->create_enumerator(keyring);
	while (enumerator->enumerate(enumerator, &entry))
	{
		print_key(entry);
		count++;
	}
	enumerator->destroy(enumerator);
	if (!count)
	{
		printf("no released keys in keyring '%s'\n", keyring_name);
	}
	enumerator = keyring->create_request_enumerator(keyring);
	while (enumerator->enumerate(enumerator, &request))
	{
		printf("request %s:%u (EDEK, %zu octets)\n", request->name,
			   request->version, request->edek.len);
	}
	enumerator->destroy(enumerator);
	return EXIT_OK;
}

/**
 * ratkn keys show: the highest version of a key
 */
static int keys_show(ratkn_keyring_t *keyring, char *keyring_name,
					 char *name, bool secret)
{
	ratkn_keyring_entry_t *entry, *best = NULL;
	enumerator_t *enumerator;
	chunk_t key;
	int rc = EXIT_OK;

	enumerator = keyring->create_enumerator(keyring);
	while (enumerator->enumerate(enumerator, &entry))
	{
		if (streq(entry->name, name) &&
			(!best || entry->version > best->version))
		{
			best = entry;
		}
	}
	if (best)
	{
		print_key(best);
		if (secret)
		{
			if (keyring->read(keyring, name, best->version, &key, NULL))
			{
				printf("key: %+B\n", &key);
				chunk_clear(&key);
			}
			else
			{
				rc = EXIT_ERROR;
			}
		}
	}
	else
	{
		error("no key '%s' in keyring '%s'", name, keyring_name);
		rc = EXIT_ERROR;
	}
	enumerator->destroy(enumerator);
	return rc;
}

/**
 * ratkn keys edek: write the EDEK stored with a key
 */
static int keys_edek(ratkn_keyring_t *keyring, char *keyring_name,
					 char *name, uint32_t version, char *out)
{
	chunk_t edek;
	bool ok;

	if (!keyring->read_edek(keyring, name, version, &edek))
	{
		error("no EDEK of '%s:%u' in keyring '%s' (the key is not there or "
			  "was released without one)", name, version, keyring_name);
		return EXIT_ERROR;
	}
	ok = write_output(out, edek);
	chunk_free(&edek);
	if (!ok)
	{
		return EXIT_ERROR;
	}
	if (out && !streq(out, "-"))
	{
		fprintf(stderr, "wrote the EDEK of '%s:%u' to %s\n", name, version,
				out);
	}
	return EXIT_OK;
}

/**
 * ratkn keys request: queue an EDEK request
 */
static int keys_request(ratkn_keyring_t *keyring, char *keyring_name,
						char *name, uint32_t version, chunk_t edek)
{
	if (!keyring->add_request(keyring, name, version, edek,
							  RATKN_KEYRING_DEFAULT_PERM))
	{
		error("adding the request of '%s:%u' to keyring '%s' failed", name,
			  version, keyring_name);
		return EXIT_ERROR;
	}
	printf("requested '%s:%u' again: charon presents its EDEK (%zu octets) "
		   "to the KMS at the next IKE_AUTH of the connection using keyring "
		   "'%s'\n", name, version, edek.len, keyring_name);
	return EXIT_OK;
}

/**
 * ratkn keys cancel: remove pending requests
 */
static int keys_cancel(ratkn_keyring_t *keyring, char *keyring_name,
					   char *kid, char *name, uint32_t version)
{
	int count;

	count = keyring->remove_requests(keyring, name, version);
	if (!count)
	{
		error("no pending request of '%s' in keyring '%s'", kid,
			  keyring_name);
		return EXIT_ERROR;
	}
	printf("cancelled %d request%s of '%s' in keyring '%s'\n", count,
		   count == 1 ? "" : "s", kid, keyring_name);
	return EXIT_OK;
}

/**
 * ratkn keys list|show|remove|edek|request|cancel
 */
static int cmd_keys(context_t *ctx, command_t *cmd, int argc, char *argv[])
{
	struct option options[] = {
		{ "keyring", required_argument, NULL, 'k' },
		{ "show-secret", no_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "edek", required_argument, NULL, 'e' },
		GLOBAL_OPTIONS,
		{ 0 }
	};
	ratkn_keyring_t *keyring;
	char *arg = NULL, *keyring_name = DEFAULT_KEYRING, *sub = argv[0];
	char *out = NULL, *edek_file = NULL, name[RATKN_KEY_NAME_MAX + 1];
	uint32_t version = 0;
	bool secret = FALSE;
	chunk_t edek = chunk_empty;
	int opt, rc, count;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
	{
		switch (opt)
		{
			case 'k':
				keyring_name = optarg;
				break;
			case 's':
				secret = TRUE;
				break;
			case 'o':
				out = optarg;
				break;
			case 'e':
				edek_file = optarg;
				break;
			default:
				rc = global_option(ctx, cmd, opt);
				if (rc != EXIT_OK)
				{
					if (rc == -1)
					{
						usage(stderr, cmd);
					}
					return EXIT_USAGE;
				}
				break;
		}
	}
	if (!streq(sub, "list"))
	{
		if (optind >= argc)
		{
			usage(stderr, cmd);
			return EXIT_USAGE;
		}
		arg = argv[optind++];
	}
	if (optind < argc)
	{
		error("unexpected argument '%s'", argv[optind]);
		usage(stderr, cmd);
		return EXIT_USAGE;
	}
	if ((secret && !streq(sub, "show")) || (out && !streq(sub, "edek")) ||
		(edek_file && !streq(sub, "request")))
	{
		error("option %s not supported by 'keys %s'", secret ? "--show-secret"
			  : out ? "--out" : "--edek", sub);
		usage(stderr, cmd);
		return EXIT_USAGE;
	}
	if (!ratkn_keyring_name_valid(keyring_name))
	{
		error("invalid keyring name '%s'", keyring_name);
		return EXIT_USAGE;
	}
	if (streq(sub, "edek") || streq(sub, "request") || streq(sub, "cancel"))
	{
		if (!parse_kid(arg, streq(sub, "cancel"), name, &version))
		{
			return EXIT_USAGE;
		}
	}
	if (streq(sub, "edek") && !out && isatty(STDOUT_FILENO))
	{
		error("an EDEK is binary: write it with --out FILE or redirect "
			  "stdout");
		return EXIT_USAGE;
	}
	if (edek_file && !read_edek_file(edek_file, &edek))
	{
		return EXIT_ERROR;
	}
	/* a request with an EDEK of its own creates the keyring, charon finds
	 * it there when the connection attests */
	keyring = ratkn_keyring_open(keyring_name, edek.len > 0);
	if (!keyring)
	{
		error("no keyring '%s' in the user keyring", keyring_name);
		chunk_free(&edek);
		return EXIT_ERROR;
	}
	if (streq(sub, "list"))
	{
		rc = keys_list(keyring, keyring_name);
	}
	else if (streq(sub, "show"))
	{
		rc = keys_show(keyring, keyring_name, arg, secret);
	}
	else if (streq(sub, "remove"))
	{
		count = keyring->remove(keyring, arg);
		printf("removed %d version%s of '%s' from keyring '%s'\n", count,
			   count == 1 ? "" : "s", arg, keyring_name);
		rc = count ? EXIT_OK : EXIT_ERROR;
	}
	else if (streq(sub, "edek"))
	{
		rc = keys_edek(keyring, keyring_name, name, version, out);
	}
	else if (streq(sub, "request"))
	{
		if (!edek.len && !keyring->read_edek(keyring, name, version, &edek))
		{
			error("no EDEK of '%s:%u' in keyring '%s'; give it with --edek "
				  "FILE", name, version, keyring_name);
			rc = EXIT_ERROR;
		}
		else
		{
			rc = keys_request(keyring, keyring_name, name, version, edek);
		}
	}
	else
	{
		rc = keys_cancel(keyring, keyring_name, arg, name, version);
	}
	chunk_free(&edek);
	keyring->destroy(keyring);
	return rc;
}
