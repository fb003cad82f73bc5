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

#include "ratkn_reference.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>

#include <collections/array.h>

typedef struct private_ratkn_reference_t private_ratkn_reference_t;

/**
 * Private data of a ratkn_reference_t object.
 */
struct private_ratkn_reference_t {

	/**
	 * Public interface.
	 */
	ratkn_reference_t public;

	/**
	 * Acceptable values, as entry_t, in the order they were added
	 */
	array_t *values;
};

/**
 * An acceptable value of a PCR
 */
typedef struct {
	/** TPM_ALG_ID of the bank */
	uint16_t alg;
	/** PCR index */
	u_int pcr;
	/** digest, allocated */
	chunk_t digest;
} entry_t;

METHOD(ratkn_reference_t, matches, bool,
	private_ratkn_reference_t *this, uint16_t alg, u_int pcr, chunk_t digest)
{
	entry_t *entry;
	int i;

	for (i = 0; i < array_count(this->values); i++)
	{
		array_get(this->values, i, &entry);
		if (entry->alg == alg && entry->pcr == pcr &&
			chunk_equals_const(entry->digest, digest))
		{
			return TRUE;
		}
	}
	return FALSE;
}

METHOD(ratkn_reference_t, add, bool,
	private_ratkn_reference_t *this, uint16_t alg, u_int pcr, chunk_t digest)
{
	entry_t *entry;
	size_t len;

	len = ratkn_pcr_alg_digest_len(alg);
	if (!len || pcr >= RATKN_PCR_COUNT || digest.len != len)
	{
		return FALSE;
	}
	if (matches(this, alg, pcr, digest))
	{	/* already acceptable */
		return TRUE;
	}
	INIT(entry,
		.alg = alg,
		.pcr = pcr,
		.digest = chunk_clone(digest),
	);
	array_insert(this->values, ARRAY_TAIL, entry);
	return TRUE;
}

METHOD(ratkn_reference_t, get_selection, void,
	private_ratkn_reference_t *this, ratkn_pcr_selection_t *sel)
{
	entry_t *entry;
	int i, j;

	memset(sel, 0, sizeof(*sel));
	for (i = 0; i < array_count(this->values); i++)
	{
		array_get(this->values, i, &entry);
		for (j = 0; j < sel->count; j++)
		{
			if (sel->banks[j].alg == entry->alg)
			{
				break;
			}
		}
		if (j == sel->count)
		{
			if (sel->count == RATKN_PCR_MAX_BANKS)
			{	/* not reached, add() accepts the supported banks only */
				continue;
			}
			sel->banks[j].alg = entry->alg;
			sel->count++;
		}
		sel->banks[j].mask |= 1 << entry->pcr;
	}
}

CALLBACK(destroy_entry, void,
	entry_t *entry, int idx, void *user)
{
	chunk_free(&entry->digest);
	free(entry);
}

METHOD(ratkn_reference_t, destroy, void,
	private_ratkn_reference_t *this)
{
	array_destroy_function(this->values, destroy_entry, NULL);
	free(this);
}

/*
 * Described in header
 */
ratkn_reference_t *ratkn_reference_create()
{
	private_ratkn_reference_t *this;

	INIT(this,
		.public = {
			.add = _add,
			.matches = _matches,
			.get_selection = _get_selection,
			.destroy = _destroy,
		},
		.values = array_create(0, 0),
	);
	return &this->public;
}

/**
 * Parse "<bank>:<index>"
 */
static bool parse_pcr(char *path, int line, char *str, uint16_t *alg,
					  u_int *pcr)
{
	char *colon, *end;
	u_long value;

	colon = strchr(str, ':');
	if (!colon)
	{
		DBG1(DBG_CFG, "ratkn: %s:%d: expected '<bank>:<index>', found '%s'",
			 path, line, str);
		return FALSE;
	}
	*colon = '\0';
	if (!ratkn_pcr_alg_from_name(str, alg))
	{
		DBG1(DBG_CFG, "ratkn: %s:%d: unknown PCR bank '%s' (sha1, sha256, "
			 "sha384 or sha512)", path, line, str);
		return FALSE;
	}
	errno = 0;
	value = strtoul(colon + 1, &end, 10);
	if (!isdigit(colon[1]) || *end || errno || value >= RATKN_PCR_COUNT)
	{
		DBG1(DBG_CFG, "ratkn: %s:%d: invalid PCR index '%s' (0-%d)", path,
			 line, colon + 1, RATKN_PCR_COUNT - 1);
		return FALSE;
	}
	*pcr = value;
	return TRUE;
}

/**
 * Parse a hex digest of a bank, with optional "0x" prefix
 */
static bool parse_digest(char *path, int line, uint16_t alg, u_int pcr,
						 char *str, char *buf, size_t buflen, chunk_t *digest)
{
	size_t len, expected;
	char *pos;

	if (strncasecmp(str, "0x", 2) == 0)
	{
		str += 2;
	}
	len = strlen(str);
	for (pos = str; *pos; pos++)
	{
		if (!isxdigit(*pos))
		{
			DBG1(DBG_CFG, "ratkn: %s:%d: PCR %s:%u: invalid hex digit '%c'",
				 path, line, ratkn_pcr_alg_name(alg), pcr, *pos);
			return FALSE;
		}
	}
	expected = ratkn_pcr_alg_digest_len(alg);
	if (len != 2 * expected || expected > buflen)
	{
		DBG1(DBG_CFG, "ratkn: %s:%d: PCR %s:%u: value has %zu hex digits, "
			 "expected %zu", path, line, ratkn_pcr_alg_name(alg), pcr, len,
			 2 * expected);
		return FALSE;
	}
	*digest = chunk_from_hex(chunk_create(str, len), buf);
	return digest->len == expected;
}

/**
 * Parse one line, TRUE if valid (comments and blank lines are)
 */
static bool parse_line(private_ratkn_reference_t *this, char *path, int line,
					   char *text)
{
	char *pos, *tokens[3], buf[64];
	uint16_t alg;
	u_int pcr;
	chunk_t digest;
	int count = 0;

	pos = strchr(text, '#');
	if (pos)
	{
		*pos = '\0';
	}
	pos = text;
	while (TRUE)
	{
		while (*pos && isspace(*pos))
		{
			*pos++ = '\0';
		}
		if (!*pos)
		{
			break;
		}
		if (count < countof(tokens))
		{
			tokens[count] = pos;
		}
		count++;
		while (*pos && !isspace(*pos))
		{
			pos++;
		}
	}
	if (count == 0)
	{
		return TRUE;
	}
	if (count == 1)
	{
		DBG1(DBG_CFG, "ratkn: %s:%d: expected '<bank>:<index> <hex digest>'",
			 path, line);
		return FALSE;
	}
	if (!parse_pcr(path, line, tokens[0], &alg, &pcr))
	{
		return FALSE;
	}
	if (count > 2)
	{
		DBG1(DBG_CFG, "ratkn: %s:%d: unexpected text '%s' after the PCR "
			 "value", path, line, tokens[2]);
		return FALSE;
	}
	if (!parse_digest(path, line, alg, pcr, tokens[1], buf, sizeof(buf),
					  &digest))
	{
		return FALSE;
	}
	return add(this, alg, pcr, digest);
}

/*
 * Described in header
 */
ratkn_reference_t *ratkn_reference_load(char *path)
{
	private_ratkn_reference_t *this;
	char *text = NULL;
	size_t size = 0;
	ssize_t len;
	int line = 0;
	bool ok = TRUE;
	FILE *file;

	file = fopen(path, "r");
	if (!file)
	{
		DBG1(DBG_CFG, "ratkn: opening reference values '%s' failed: %s", path,
			 strerror(errno));
		return NULL;
	}
	this = (private_ratkn_reference_t*)ratkn_reference_create();
	while (ok && (len = getline(&text, &size, file)) != -1)
	{
		line++;
		if (strlen(text) != len)
		{
			DBG1(DBG_CFG, "ratkn: %s:%d: line contains a NUL character",
				 path, line);
			ok = FALSE;
			break;
		}
		ok = parse_line(this, path, line, text);
	}
	if (ok && ferror(file))
	{
		DBG1(DBG_CFG, "ratkn: reading reference values '%s' failed", path);
		ok = FALSE;
	}
	free(text);
	fclose(file);
	if (ok && !array_count(this->values))
	{
		DBG1(DBG_CFG, "ratkn: %s contains no reference values", path);
		ok = FALSE;
	}
	if (!ok)
	{
		destroy(this);
		return NULL;
	}
	DBG2(DBG_CFG, "ratkn: loaded %d reference values from %s",
		 array_count(this->values), path);
	return &this->public;
}
