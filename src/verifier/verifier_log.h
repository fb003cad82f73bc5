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
 * @defgroup verifier ratkn-verifier
 * @ingroup ratkn
 *
 * @defgroup verifier_log verifier_log
 * @{ @ingroup verifier
 */

#ifndef VERIFIER_LOG_H_
#define VERIFIER_LOG_H_

#include <library.h>
#include <stdio.h>

#include <jansson.h>

typedef enum verifier_log_level_t verifier_log_level_t;

/**
 * Levels of log lines ("level" of the JSON object).
 */
enum verifier_log_level_t {
	/** failures of the verifier itself */
	VERIFIER_LOG_ERROR = 0,
	/** requests that could not be served as asked */
	VERIFIER_LOG_WARNING = 1,
	/** one line per outcome (attestation, enrollment, start, stop) */
	VERIFIER_LOG_INFO = 2,
	/** details */
	VERIFIER_LOG_DEBUG = 3,
};

/**
 * Set up structured logging: one JSON object per line on stderr, with "ts"
 * (UTC, ms), "level", "event" and the event's fields. Messages of
 * libstrongswan and the ratkn core (DBG macros) become "lib" events with
 * "group" and "msg"; DBG4 (secrets) is never logged.
 *
 * @param debug			highest DBG level of library messages to log (0-3);
 *						debug events are logged if it is at least 2
 */
void verifier_log_init(int debug);

/**
 * Redirect the log (tests).
 *
 * @param out			stream to write to, NULL to discard
 */
void verifier_log_set_output(FILE *out);

/**
 * Log an event.
 *
 * @param level			level
 * @param event			event name ("attest", "enroll", "listening", ...)
 * @param fields		JSON object with the event's fields (adopted), or NULL
 */
void verifier_log(verifier_log_level_t level, char *event, json_t *fields);

/**
 * Create a JSON string of untrusted text, with control characters and
 * non-ASCII octets replaced by '?', at most 512 characters.
 *
 * @param str			text, NULL for an empty string
 * @return				JSON string (new reference)
 */
json_t *verifier_log_string(const char *str);

/**
 * Check whether events of a level are logged.
 *
 * @param level			level
 * @return				TRUE if logged
 */
bool verifier_log_enabled(verifier_log_level_t level);

#endif /** VERIFIER_LOG_H_ @}*/
