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
 * ratkn-verifier: attestation verifier issuing EAR attestation results
 * (docs/verifier.md).
 *
 *   ratkn-verifier [--config PATH] [--debug N]
 */

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>

#include <library.h>

#include "verifier_api.h"
#include "verifier_config.h"
#include "verifier_http.h"
#include "verifier_key.h"
#include "verifier_log.h"
#include "verifier_store.h"

#ifndef VERIFIER_BUILD
#define VERIFIER_BUILD "ratkn-verifier"
#endif

/**
 * Print the usage
 */
static void usage(FILE *out)
{
	fprintf(out, "usage: ratkn-verifier [--config PATH] [--debug N]\n"
			"  --config PATH  configuration file (default %s)\n"
			"  --debug N      log library messages up to level N (0-3), "
			"overrides verifier.debug\n"
			"  --version      print the version\n"
			"  --help         show this help\n", VERIFIER_CONFIG_FILE);
}

/**
 * Log a fatal error
 */
static void fatal(char *msg, char *detail)
{
	verifier_log(VERIFIER_LOG_ERROR, "fatal",
				 json_pack("{ssso}", "error", msg, "detail",
						   verifier_log_string(detail)));
}

int main(int argc, char *argv[])
{
	struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "debug", required_argument, NULL, 'd' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	verifier_config_t *config = NULL;
	verifier_store_t *store = NULL;
	verifier_key_t *key = NULL;
	verifier_api_t *api = NULL;
	verifier_http_t *http = NULL;
	char *path = VERIFIER_CONFIG_FILE, *end;
	int opt, debug = -2, rc = 1;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
	{
		switch (opt)
		{
			case 'c':
				path = optarg;
				break;
			case 'd':
				debug = strtol(optarg, &end, 10);
				if (!*optarg || *end || debug < -1 || debug > 3)
				{
					fprintf(stderr, "invalid debug level '%s' (-1 to 3)\n",
							optarg);
					return 2;
				}
				break;
			case 'v':
				printf("%s\n", VERIFIER_BUILD);
				return 0;
			case 'h':
				usage(stdout);
				return 0;
			default:
				usage(stderr);
				return 2;
		}
	}
	if (optind != argc)
	{
		usage(stderr);
		return 2;
	}

	/* no strongswan.conf, our configuration is read separately */
	if (!library_init("", "ratkn-verifier"))
	{
		library_deinit();
		fprintf(stderr, "initializing libstrongswan failed\n");
		return 1;
	}
	verifier_log_init(debug == -2 ? 1 : debug);
	umask(0077);
	signal(SIGPIPE, SIG_IGN);

	config = verifier_config_load(path);
	if (!config)
	{
		fatal("invalid configuration", path);
		goto out;
	}
	if (debug == -2)
	{
		verifier_log_init(config->debug);
	}
	key = verifier_key_load(config->signing_key);
	if (!key)
	{
		fatal("no EAR signing key (create one with ratkn-verifier-ctl "
			  "keygen)", config->signing_key);
		goto out;
	}
	store = verifier_store_create(config->database);
	if (!store)
	{
		fatal("opening the database failed", config->database);
		goto out;
	}
	api = verifier_api_create(config, store, key);
	if (!api)
	{
		fatal("creating the challenge key failed", "no random data");
		goto out;
	}
	http = verifier_http_create(config, api);
	if (!http)
	{
		goto out;
	}
	verifier_log(VERIFIER_LOG_INFO, "started",
				 json_pack("{sssosossss}", "build", VERIFIER_BUILD,
						   "config", verifier_log_string(path),
						   "database", verifier_log_string(config->database),
						   "kid", key->get_kid(key),
						   "enroll", !config->enroll ? "disabled" :
									 config->ek_ca[0] ? "enabled" :
									 "disabled (no ek_ca)"));
	if (http->run(http))
	{
		rc = 0;
	}

out:
	DESTROY_IF(http);
	DESTROY_IF(api);
	DESTROY_IF(store);
	DESTROY_IF(key);
	if (config)
	{
		config->destroy(config);
	}
	verifier_log(rc ? VERIFIER_LOG_ERROR : VERIFIER_LOG_INFO, "stopped",
				 json_pack("{si}", "exit", rc));
	library_deinit();
	return rc;
}
