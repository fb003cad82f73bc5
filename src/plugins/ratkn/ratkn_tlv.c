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

#include "ratkn_tlv.h"

#include <bio/bio_reader.h>

/**
 * Find the rule for a type
 */
static ratkn_tlv_rule_t *find_rule(ratkn_tlv_rule_t *rules, int count,
								   uint16_t type)
{
	int i;

	for (i = 0; i < count; i++)
	{
		if (rules[i].type == type)
		{
			return &rules[i];
		}
	}
	return NULL;
}

/*
 * Described in header
 */
bool ratkn_tlv_parse(chunk_t data, ratkn_tlv_rule_t *rules, int count,
					 char *reason, size_t len)
{
	bio_reader_t *reader;
	ratkn_tlv_rule_t *rule;
	uint16_t type;
	chunk_t value;
	bool ok = TRUE;
	int i;

	for (i = 0; i < count; i++)
	{
		rules[i].value = chunk_empty;
		rules[i].present = FALSE;
	}
	reader = bio_reader_create(data);
	while (ok && reader->remaining(reader))
	{
		if (!reader->read_uint16(reader, &type) ||
			!reader->read_data16(reader, &value))
		{
			snprintf(reason, len, "truncated attribute");
			ok = FALSE;
			break;
		}
		rule = find_rule(rules, count, type);
		if (!rule)
		{	/* unknown attributes are skipped */
			continue;
		}
		if (rule->present)
		{
			snprintf(reason, len, "duplicate %s attribute", rule->name);
			ok = FALSE;
		}
		else if (value.len < rule->min || value.len > rule->max)
		{
			snprintf(reason, len, "%s attribute has invalid length %zu",
					 rule->name, value.len);
			ok = FALSE;
		}
		rule->value = value;
		rule->present = TRUE;
	}
	reader->destroy(reader);

	for (i = 0; ok && i < count; i++)
	{
		if (rules[i].required && !rules[i].present)
		{
			snprintf(reason, len, "%s attribute missing", rules[i].name);
			ok = FALSE;
		}
	}
	return ok;
}

/*
 * Described in header
 */
void ratkn_tlv_write(bio_writer_t *writer, uint16_t type, chunk_t value)
{
	writer->write_uint16(writer, type);
	writer->write_data16(writer, value);
}
