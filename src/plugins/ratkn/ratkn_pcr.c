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

#include "ratkn_pcr.h"

#include <ctype.h>

#include <collections/array.h>
#include <tss2/tss2_tpm2_types.h>

/**
 * Supported PCR banks
 */
static struct {
	uint16_t alg;
	char *name;
	size_t len;
} banks[] = {
	{ TPM2_ALG_SHA1,	"sha1",		TPM2_SHA1_DIGEST_SIZE },
	{ TPM2_ALG_SHA256,	"sha256",	TPM2_SHA256_DIGEST_SIZE },
	{ TPM2_ALG_SHA384,	"sha384",	TPM2_SHA384_DIGEST_SIZE },
	{ TPM2_ALG_SHA512,	"sha512",	TPM2_SHA512_DIGEST_SIZE },
};

/*
 * Described in header
 */
size_t ratkn_pcr_alg_digest_len(uint16_t alg)
{
	int i;

	for (i = 0; i < countof(banks); i++)
	{
		if (banks[i].alg == alg)
		{
			return banks[i].len;
		}
	}
	return 0;
}

/*
 * Described in header
 */
char *ratkn_pcr_alg_name(uint16_t alg)
{
	int i;

	for (i = 0; i < countof(banks); i++)
	{
		if (banks[i].alg == alg)
		{
			return banks[i].name;
		}
	}
	return "unknown";
}

/*
 * Described in header
 */
bool ratkn_pcr_alg_from_name(char *name, uint16_t *alg)
{
	int i;

	for (i = 0; i < countof(banks); i++)
	{
		if (strcaseeq(banks[i].name, name))
		{
			*alg = banks[i].alg;
			return TRUE;
		}
	}
	return FALSE;
}

/**
 * Skip whitespace
 */
static char *skip_space(char *pos)
{
	while (*pos && isspace(*pos))
	{
		pos++;
	}
	return pos;
}

/**
 * Parse a PCR index (decimal, < RATKN_PCR_COUNT)
 */
static bool parse_index(char *str, char **pos, u_int *pcr)
{
	u_int value = 0;
	char *start;

	*pos = skip_space(*pos);
	start = *pos;
	while (isdigit(**pos))
	{
		value = value * 10 + (**pos - '0');
		if (value >= RATKN_PCR_COUNT)
		{
			DBG1(DBG_CFG, "ratkn: PCR selection '%s': PCR index out of range "
				 "(0-%d)", str, RATKN_PCR_COUNT - 1);
			return FALSE;
		}
		(*pos)++;
	}
	if (*pos == start)
	{
		DBG1(DBG_CFG, "ratkn: PCR selection '%s': PCR index expected at "
			 "'%s'", str, start);
		return FALSE;
	}
	*pcr = value;
	*pos = skip_space(*pos);
	return TRUE;
}

/**
 * Parse the index list of a bank ("0,1,2-7") up to '+' or the end
 */
static bool parse_indices(char *str, char **pos, uint32_t *mask)
{
	u_int from, to, i;

	*mask = 0;
	while (TRUE)
	{
		if (!parse_index(str, pos, &from))
		{
			return FALSE;
		}
		to = from;
		if (**pos == '-')
		{
			(*pos)++;
			if (!parse_index(str, pos, &to))
			{
				return FALSE;
			}
			if (to < from)
			{
				DBG1(DBG_CFG, "ratkn: PCR selection '%s': invalid range "
					 "%u-%u", str, from, to);
				return FALSE;
			}
		}
		for (i = from; i <= to; i++)
		{
			if (*mask & (1 << i))
			{
				DBG1(DBG_CFG, "ratkn: PCR selection '%s': PCR %u listed "
					 "twice", str, i);
				return FALSE;
			}
			*mask |= 1 << i;
		}
		switch (**pos)
		{
			case ',':
				(*pos)++;
				continue;
			case '+':
			case '\0':
				return TRUE;
			default:
				DBG1(DBG_CFG, "ratkn: PCR selection '%s': unexpected '%c'",
					 str, **pos);
				return FALSE;
		}
	}
}

/*
 * Described in header
 */
bool ratkn_pcr_selection_parse(char *str, ratkn_pcr_selection_t *sel)
{
	ratkn_pcr_selection_t parsed = {};
	char *pos, *colon, name[16];
	uint16_t alg;
	uint32_t mask;
	size_t len;
	int i;

	if (!str)
	{
		DBG1(DBG_CFG, "ratkn: PCR selection missing");
		return FALSE;
	}
	pos = str;
	while (TRUE)
	{
		pos = skip_space(pos);
		colon = strchr(pos, ':');
		if (!colon)
		{
			DBG1(DBG_CFG, "ratkn: PCR selection '%s': expected "
				 "'<bank>:<indices>' at '%s'", str, pos);
			return FALSE;
		}
		len = colon - pos;
		while (len && isspace(pos[len - 1]))
		{
			len--;
		}
		if (len >= sizeof(name))
		{
			len = sizeof(name) - 1;
		}
		memcpy(name, pos, len);
		name[len] = '\0';
		if (!ratkn_pcr_alg_from_name(name, &alg))
		{
			DBG1(DBG_CFG, "ratkn: PCR selection '%s': unknown bank '%s' "
				 "(sha1, sha256, sha384 or sha512)", str, name);
			return FALSE;
		}
		for (i = 0; i < parsed.count; i++)
		{
			if (parsed.banks[i].alg == alg)
			{
				DBG1(DBG_CFG, "ratkn: PCR selection '%s': bank %s listed "
					 "twice", str, name);
				return FALSE;
			}
		}
		pos = colon + 1;
		if (!parse_indices(str, &pos, &mask))
		{
			return FALSE;
		}
		/* at most one entry per supported bank, so this cannot overflow */
		parsed.banks[parsed.count].alg = alg;
		parsed.banks[parsed.count].mask = mask;
		parsed.count++;
		if (*pos == '\0')
		{
			break;
		}
		pos++; /* '+' */
	}
	*sel = parsed;
	return TRUE;
}

/**
 * Append formatted text to a buffer, FALSE if it does not fit
 */
static bool append(char *buf, size_t len, size_t *used, char *fmt, ...)
{
	va_list args;
	int written;

	va_start(args, fmt);
	written = vsnprintf(buf + *used, len - *used, fmt, args);
	va_end(args);
	if (written < 0 || written >= len - *used)
	{
		return FALSE;
	}
	*used += written;
	return TRUE;
}

/*
 * Described in header
 */
char *ratkn_pcr_selection_to_str(ratkn_pcr_selection_t *sel, char *buf,
								 size_t len)
{
	size_t used = 0;
	u_int i, pcr, end;
	bool ok = TRUE, first;

	if (!len)
	{
		return buf;
	}
	buf[0] = '\0';
	for (i = 0; ok && i < sel->count && i < RATKN_PCR_MAX_BANKS; i++)
	{
		if (!sel->banks[i].mask)
		{	/* not parseable, and selects nothing anyway */
			continue;
		}
		ok = append(buf, len, &used, "%s%s:", used ? "+" : "",
					ratkn_pcr_alg_name(sel->banks[i].alg));
		first = TRUE;
		for (pcr = 0; ok && pcr < RATKN_PCR_COUNT; pcr++)
		{
			if (!(sel->banks[i].mask & (1 << pcr)))
			{
				continue;
			}
			end = pcr;
			while (end + 1 < RATKN_PCR_COUNT &&
				   (sel->banks[i].mask & (1 << (end + 1))))
			{
				end++;
			}
			if (end >= pcr + 2)
			{	/* three or more consecutive PCRs as a range */
				ok = append(buf, len, &used, "%s%u-%u", first ? "" : ",",
							pcr, end);
				pcr = end;
			}
			else
			{
				ok = append(buf, len, &used, "%s%u", first ? "" : ",", pcr);
			}
			first = FALSE;
		}
	}
	return buf;
}

/*
 * Described in header
 */
bool ratkn_pcr_selection_contains(ratkn_pcr_selection_t *sel, uint16_t alg,
								  u_int pcr)
{
	int i;

	if (pcr >= RATKN_PCR_COUNT)
	{
		return FALSE;
	}
	for (i = 0; i < sel->count && i < RATKN_PCR_MAX_BANKS; i++)
	{
		if (sel->banks[i].alg == alg)
		{
			return (sel->banks[i].mask & (1 << pcr)) != 0;
		}
	}
	return FALSE;
}

/*
 * Described in header
 */
bool ratkn_pcr_selection_equals(ratkn_pcr_selection_t *a,
								ratkn_pcr_selection_t *b)
{
	int i;

	if (a->count != b->count || a->count > RATKN_PCR_MAX_BANKS)
	{
		return FALSE;
	}
	for (i = 0; i < a->count; i++)
	{
		if (a->banks[i].alg != b->banks[i].alg ||
			a->banks[i].mask != b->banks[i].mask)
		{
			return FALSE;
		}
	}
	return TRUE;
}

typedef struct private_ratkn_pcr_values_t private_ratkn_pcr_values_t;

/**
 * Private data of a ratkn_pcr_values_t object.
 */
struct private_ratkn_pcr_values_t {

	/**
	 * Public interface.
	 */
	ratkn_pcr_values_t public;

	/**
	 * Values, as entry_t
	 */
	array_t *values;
};

/**
 * A PCR value
 */
typedef struct {
	/** TPM_ALG_ID of the bank */
	u_int alg;
	/** PCR index */
	u_int pcr;
	/** digest, allocated */
	chunk_t digest;
} entry_t;

/**
 * Find an entry
 */
static entry_t *find_entry(private_ratkn_pcr_values_t *this, uint16_t alg,
						   u_int pcr)
{
	entry_t *entry;
	int i;

	for (i = 0; i < array_count(this->values); i++)
	{
		array_get(this->values, i, &entry);
		if (entry->alg == alg && entry->pcr == pcr)
		{
			return entry;
		}
	}
	return NULL;
}

METHOD(ratkn_pcr_values_t, add, bool,
	private_ratkn_pcr_values_t *this, uint16_t alg, u_int pcr, chunk_t digest)
{
	entry_t *entry;
	size_t len;

	len = ratkn_pcr_alg_digest_len(alg);
	if (!len)
	{
		DBG1(DBG_PTS, "ratkn: PCR bank 0x%04x not supported", alg);
		return FALSE;
	}
	if (pcr >= RATKN_PCR_COUNT)
	{
		DBG1(DBG_PTS, "ratkn: PCR %s:%u out of range", ratkn_pcr_alg_name(alg),
			 pcr);
		return FALSE;
	}
	if (digest.len != len)
	{
		DBG1(DBG_PTS, "ratkn: PCR %s:%u value has %zu octets, expected %zu",
			 ratkn_pcr_alg_name(alg), pcr, digest.len, len);
		return FALSE;
	}
	if (find_entry(this, alg, pcr))
	{
		DBG1(DBG_PTS, "ratkn: PCR %s:%u listed twice", ratkn_pcr_alg_name(alg),
			 pcr);
		return FALSE;
	}
	INIT(entry,
		.alg = alg,
		.pcr = pcr,
		.digest = chunk_clone(digest),
	);
	array_insert(this->values, ARRAY_TAIL, entry);
	return TRUE;
}

METHOD(ratkn_pcr_values_t, get, bool,
	private_ratkn_pcr_values_t *this, uint16_t alg, u_int pcr, chunk_t *digest)
{
	entry_t *entry;

	entry = find_entry(this, alg, pcr);
	if (!entry)
	{
		return FALSE;
	}
	*digest = entry->digest;
	return TRUE;
}

CALLBACK(filter_values, bool,
	void *data, enumerator_t *orig, va_list args)
{
	entry_t *entry;
	u_int *alg, *pcr;
	chunk_t *digest;

	VA_ARGS_VGET(args, alg, pcr, digest);

	if (orig->enumerate(orig, &entry))
	{
		*alg = entry->alg;
		*pcr = entry->pcr;
		*digest = entry->digest;
		return TRUE;
	}
	return FALSE;
}

METHOD(ratkn_pcr_values_t, create_enumerator, enumerator_t*,
	private_ratkn_pcr_values_t *this)
{
	return enumerator_create_filter(array_create_enumerator(this->values),
									filter_values, NULL, NULL);
}

METHOD(ratkn_pcr_values_t, get_count, u_int,
	private_ratkn_pcr_values_t *this)
{
	return array_count(this->values);
}

METHOD(ratkn_pcr_values_t, get_selection, void,
	private_ratkn_pcr_values_t *this, ratkn_pcr_selection_t *sel)
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
		{	/* add() accepts supported banks only, at most one per slot */
			if (sel->count == RATKN_PCR_MAX_BANKS)
			{
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

METHOD(ratkn_pcr_values_t, destroy, void,
	private_ratkn_pcr_values_t *this)
{
	array_destroy_function(this->values, destroy_entry, NULL);
	free(this);
}

/*
 * Described in header
 */
ratkn_pcr_values_t *ratkn_pcr_values_create()
{
	private_ratkn_pcr_values_t *this;

	INIT(this,
		.public = {
			.add = _add,
			.get = _get,
			.create_enumerator = _create_enumerator,
			.get_count = _get_count,
			.get_selection = _get_selection,
			.destroy = _destroy,
		},
		.values = array_create(0, 0),
	);
	return &this->public;
}
