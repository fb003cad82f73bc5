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

#include "verifier_log.h"

#include <stdio.h>
#include <sys/time.h>
#include <time.h>

/**
 * Highest DBG level of library messages logged
 */
static int max_debug = 1;

/**
 * Where to log, NULL for stderr
 */
static FILE *output;

/**
 * Discard the log
 */
static bool discard;

/**
 * Names of the levels
 */
static char *level_names[] = {
	[VERIFIER_LOG_ERROR] = "error",
	[VERIFIER_LOG_WARNING] = "warning",
	[VERIFIER_LOG_INFO] = "info",
	[VERIFIER_LOG_DEBUG] = "debug",
};

/*
 * Described in header
 */
void verifier_log_set_output(FILE *out)
{
	output = out;
	discard = out == NULL;
}

/*
 * Described in header
 */
bool verifier_log_enabled(verifier_log_level_t level)
{
	return level <= VERIFIER_LOG_INFO || max_debug >= 2;
}

/*
 * Described in header
 */
void verifier_log(verifier_log_level_t level, char *event, json_t *fields)
{
	struct timeval tv;
	struct tm tm;
	json_t *line;
	char ts[32], *text;
	const char *key;
	json_t *value;

	if (discard || !verifier_log_enabled(level))
	{
		json_decref(fields);
		return;
	}
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));

	/* objects keep the insertion order, so ts, level, event come first */
	line = json_object();
	json_object_set_new(line, "ts", json_string(ts));
	json_object_set_new(line, "level", json_string(level_names[level]));
	json_object_set_new(line, "event", json_string(event));
	if (fields)
	{
		json_object_foreach(fields, key, value)
		{
			json_object_set(line, key, value);
		}
		json_decref(fields);
	}
	text = json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(line);
	if (text)
	{
		fprintf(output ?: stderr, "%s\n", text);
		fflush(output ?: stderr);
		free(text);
	}
}

/*
 * Described in header
 */
json_t *verifier_log_string(const char *str)
{
	char buf[513];
	int i;

	for (i = 0; str && str[i] && i < sizeof(buf) - 1; i++)
	{
		buf[i] = (str[i] >= 0x20 && str[i] < 0x7f) ? str[i] : '?';
	}
	buf[i] = '\0';
	return json_string(buf);
}

/**
 * dbg() hook: library messages as "lib" events
 */
static void dbg_json(debug_t group, level_t level, char *fmt, ...)
{
	char msg[512], group_name[8];
	va_list args;

	if (level > max_debug || level > 3)
	{	/* level 4 is for secrets, never log them */
		return;
	}
	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	snprintf(group_name, sizeof(group_name), "%N", debug_lower_names, group);
	verifier_log(level <= 1 ? VERIFIER_LOG_INFO : VERIFIER_LOG_DEBUG, "lib",
				 json_pack("{ssso}", "group", group_name, "msg",
						   verifier_log_string(msg)));
}

/*
 * Described in header
 */
void verifier_log_init(int debug)
{
	max_debug = min(debug, 3);
	dbg = dbg_json;
}
