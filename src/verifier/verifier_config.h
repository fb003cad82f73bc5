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
 * @defgroup verifier_config verifier_config
 * @{ @ingroup verifier
 */

#ifndef VERIFIER_CONFIG_H_
#define VERIFIER_CONFIG_H_

#include <library.h>

/**
 * Default configuration file.
 */
#define VERIFIER_CONFIG_FILE "/etc/ratkn/verifier.conf"

typedef struct verifier_config_t verifier_config_t;

/**
 * Configuration of ratkn-verifier, the "verifier" section of its
 * configuration file (libstrongswan settings syntax, docs/verifier.md).
 */
struct verifier_config_t {

	/** address to listen on, "verifier.listen" */
	char *listen;

	/** TCP port, "verifier.port" (0: any free port) */
	uint16_t port;

	/** serve HTTPS, "verifier.tls" */
	bool tls;

	/** PEM server certificate (chain), "verifier.cert" */
	char *cert;

	/** PEM server private key, "verifier.key" */
	char *key;

	/** PEM EC P-256 key EARs are signed with, "verifier.signing_key" */
	char *signing_key;

	/** SQLite database, "verifier.database" */
	char *database;

	/** NULL-terminated list of EK CA files, "verifier.ek_ca" */
	char **ek_ca;

	/** lifetime of EARs in seconds, "verifier.ear_lifetime" */
	u_int ear_lifetime;

	/** lifetime of challenges in seconds, "verifier.challenge_lifetime" */
	u_int challenge_lifetime;

	/** how far, in seconds, the TPM clock of a quote may be behind the
	 *  newest evidence of its AK in the same boot, "verifier.clock_tolerance"
	 */
	u_int clock_tolerance;

	/** largest request body in octets, "verifier.max_body" */
	u_int max_body;

	/** time limit per connection in seconds, "verifier.timeout" */
	u_int timeout;

	/** "ear.verifier-id" developer, "verifier.developer" */
	char *developer;

	/** accept self-enrollment (POST /v1/enroll), "verifier.enroll" */
	bool enroll;

	/** highest library DBG level logged, "verifier.debug" */
	int debug;

	/**
	 * Destroy the configuration.
	 */
	void (*destroy)(verifier_config_t *this);
};

/**
 * Load the configuration from a file and check it.
 *
 * @param path			configuration file
 * @return				configuration, NULL (logged) if the file is missing,
 *						invalid or a value is out of range
 */
verifier_config_t *verifier_config_load(char *path);

#endif /** VERIFIER_CONFIG_H_ @}*/
