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
 * @defgroup ratkn_tlv ratkn_tlv
 * @{ @ingroup ratkn
 */

#ifndef RATKN_TLV_H_
#define RATKN_TLV_H_

#include <library.h>
#include <bio/bio_writer.h>

typedef struct ratkn_tlv_rule_t ratkn_tlv_rule_t;

/**
 * Rule for one attribute type when parsing ratkn TLV attributes
 * (docs/protocol.md, section 4: 16-bit type, 16-bit length, value).
 */
struct ratkn_tlv_rule_t {

	/** attribute type */
	uint16_t type;

	/** attribute name, for error messages */
	char *name;

	/** minimum value length */
	size_t min;

	/** maximum value length */
	size_t max;

	/** whether the attribute must be present */
	bool required;

	/** receives the value, pointing into the parsed data; chunk_empty if
	 *  absent */
	chunk_t value;

	/** set if the attribute was present */
	bool present;
};

/**
 * Parse TLV attributes against a set of rules.
 *
 * Unknown types are skipped. A truncated attribute, a duplicate of a known
 * type, a value length outside [min, max] or a missing required attribute
 * make the data malformed.
 *
 * @param data			attribute octets
 * @param rules			rules, values and presence are filled in
 * @param count			number of rules
 * @param reason		receives the reason if malformed
 * @param len			size of reason
 * @return				TRUE if well-formed
 */
bool ratkn_tlv_parse(chunk_t data, ratkn_tlv_rule_t *rules, int count,
					 char *reason, size_t len);

/**
 * Append an attribute.
 *
 * @param writer		writer to append to
 * @param type			attribute type
 * @param value			value (at most 65535 octets)
 */
void ratkn_tlv_write(bio_writer_t *writer, uint16_t type, chunk_t value);

#endif /** RATKN_TLV_H_ @}*/
