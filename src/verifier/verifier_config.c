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

#include "verifier_config.h"

#include <errno.h>
#include <unistd.h>

#include <collections/array.h>
#include <settings/settings.h>

/**
 * Defaults
 */
#define DEFAULT_DIR "/etc/ratkn/verifier"
#define DEFAULT_DATABASE "/var/lib/ratkn/verifier.db"
#define DEFAULT_EK_CA "/var/lib/swtpm-localca/issuercert.pem, " \
					  "/var/lib/swtpm-localca/swtpm-localca-rootca-cert.pem"
#define DEFAULT_DEVELOPER "https://ratkn.example/verifier"

/**
 * Free a NULL-terminated list of strings
 */
static void free_list(char **list)
{
	char **pos;

	for (pos = list; pos && *pos; pos++)
	{
		free(*pos);
	}
	free(list);
}

/**
 * Destroy a configuration
 */
static void destroy(verifier_config_t *this)
{
	free(this->listen);
	free(this->cert);
	free(this->key);
	free(this->signing_key);
	free(this->database);
	free(this->developer);
	free_list(this->ek_ca);
	free(this);
}

/**
 * Split a comma separated list of files
 */
static char **split_list(char *str)
{
	enumerator_t *enumerator;
	array_t *array;
	char *token, **list;
	int i = 0;

	array = array_create(0, 0);
	enumerator = enumerator_create_token(str ?: "", ",", " \t");
	while (enumerator->enumerate(enumerator, &token))
	{
		if (*token)
		{
			array_insert(array, ARRAY_TAIL, strdup(token));
		}
	}
	enumerator->destroy(enumerator);
	list = calloc(array_count(array) + 1, sizeof(char*));
	while (array_remove(array, ARRAY_HEAD, &list[i]))
	{
		i++;
	}
	array_destroy(array);
	return list;
}

/**
 * Get an integer in a range, FALSE (logged) if out of range
 */
static bool get_range(settings_t *settings, char *key, int def, int low,
					  int high, int *value)
{
	char *str;

	str = settings->get_str(settings, "verifier.%s", NULL, key);
	*value = settings->get_int(settings, "verifier.%s", def, key);
	if (str && (!*str || strspn(str, "-0123456789") != strlen(str)))
	{
		DBG1(DBG_CFG, "verifier.%s = %s is not a number", key, str);
		return FALSE;
	}
	if (*value < low || *value > high)
	{
		DBG1(DBG_CFG, "verifier.%s = %d is out of range (%d-%d)", key,
			 *value, low, high);
		return FALSE;
	}
	return TRUE;
}

/**
 * Get a duration in seconds in a range
 */
static bool get_duration(settings_t *settings, char *key, u_int def,
						 u_int low, u_int high, u_int *value)
{
	*value = settings->get_time(settings, "verifier.%s", def, key);
	if (*value < low || *value > high)
	{
		DBG1(DBG_CFG, "verifier.%s = %us is out of range (%u-%us)", key,
			 *value, low, high);
		return FALSE;
	}
	return TRUE;
}

/**
 * Get a string, cloned
 */
static char *get_str(settings_t *settings, char *key, char *def)
{
	char *value;

	value = settings->get_str(settings, "verifier.%s", def, key);
	return strdupnull(value);
}

/*
 * Described in header
 */
verifier_config_t *verifier_config_load(char *path)
{
	verifier_config_t *this;
	settings_t *settings;
	int port, max_body, debug;
	bool ok = TRUE;

	if (access(path, R_OK) != 0)
	{
		DBG1(DBG_CFG, "cannot read configuration file '%s': %s", path,
			 strerror(errno));
		return NULL;
	}
	settings = settings_create(NULL);
	if (!settings->load_files(settings, path, FALSE))
	{
		DBG1(DBG_CFG, "invalid configuration file '%s'", path);
		settings->destroy(settings);
		return NULL;
	}
	INIT(this,
		.listen = get_str(settings, "listen", "0.0.0.0"),
		.tls = settings->get_bool(settings, "verifier.tls", TRUE),
		.cert = get_str(settings, "cert", DEFAULT_DIR "/cert.pem"),
		.key = get_str(settings, "key", DEFAULT_DIR "/key.pem"),
		.signing_key = get_str(settings, "signing_key",
							   DEFAULT_DIR "/ear-key.pem"),
		.database = get_str(settings, "database", DEFAULT_DATABASE),
		.ek_ca = split_list(settings->get_str(settings, "verifier.ek_ca",
											  DEFAULT_EK_CA)),
		.developer = get_str(settings, "developer", DEFAULT_DEVELOPER),
		.enroll = settings->get_bool(settings, "verifier.enroll", TRUE),
		.destroy = destroy,
	);
	ok = get_range(settings, "port", 8443, 0, 65535, &port) && ok;
	ok = get_range(settings, "max_body", 65536, 1024, 16 * 1024 * 1024,
				   &max_body) && ok;
	ok = get_range(settings, "debug", 1, -1, 3, &debug) && ok;
	ok = get_duration(settings, "ear_lifetime", 300, 1, 86400,
					  &this->ear_lifetime) && ok;
	ok = get_duration(settings, "timeout", 10, 1, 300, &this->timeout) && ok;
	ok = get_duration(settings, "challenge_lifetime", 60, 1, 3600,
					  &this->challenge_lifetime) && ok;
	ok = get_duration(settings, "clock_tolerance", 60, 0, 3600,
					  &this->clock_tolerance) && ok;
	this->port = port;
	this->max_body = max_body;
	this->debug = debug;
	if (!*this->listen || !*this->database || !*this->signing_key)
	{
		DBG1(DBG_CFG, "verifier.listen, verifier.database and "
			 "verifier.signing_key must not be empty");
		ok = FALSE;
	}
	if (this->tls && (!*this->cert || !*this->key))
	{
		DBG1(DBG_CFG, "verifier.tls = yes needs verifier.cert and "
			 "verifier.key");
		ok = FALSE;
	}
	settings->destroy(settings);
	if (!ok)
	{
		destroy(this);
		return NULL;
	}
	return this;
}
