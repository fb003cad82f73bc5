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

#include "ratkn_result.h"
#include "ratkn_tlv.h"

#include <ctype.h>

#include <bio/bio_reader.h>
#include <bio/bio_writer.h>

/**
 * Attribute types
 */
enum {
	ATTR_TOKEN = 1,
};

typedef struct private_ratkn_result_t private_ratkn_result_t;

/**
 * Private data of a ratkn_result_t object.
 */
struct private_ratkn_result_t {

	/**
	 * Public interface.
	 */
	ratkn_result_t public;

	/**
	 * Attester's role
	 */
	ratkn_ike_role_t role;

	/**
	 * Token, NUL-terminated
	 */
	char *token;

	/**
	 * Encoding
	 */
	chunk_t encoding;
};

METHOD(ratkn_result_t, get_role, ratkn_ike_role_t,
	private_ratkn_result_t *this)
{
	return this->role;
}

METHOD(ratkn_result_t, get_token, char*,
	private_ratkn_result_t *this)
{
	return this->token;
}

METHOD(ratkn_result_t, get_encoding, chunk_t,
	private_ratkn_result_t *this)
{
	return this->encoding;
}

METHOD(ratkn_result_t, destroy, void,
	private_ratkn_result_t *this)
{
	free(this->token);
	chunk_free(&this->encoding);
	free(this);
}

/**
 * Check that a token consists of base64url characters and dots only
 */
static bool token_valid(chunk_t token)
{
	size_t i;
	u_char c;

	if (token.len < RATKN_RESULT_TOKEN_MIN || token.len > RATKN_RESULT_TOKEN_MAX)
	{
		return FALSE;
	}
	for (i = 0; i < token.len; i++)
	{
		c = token.ptr[i];
		if (!isalnum(c) && c != '-' && c != '_' && c != '.')
		{
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * Create the object
 */
static ratkn_result_t *create(ratkn_ike_role_t role, chunk_t token,
							  chunk_t encoding)
{
	private_ratkn_result_t *this;

	INIT(this,
		.public = {
			.get_role = _get_role,
			.get_token = _get_token,
			.get_encoding = _get_encoding,
			.destroy = _destroy,
		},
		.role = role,
		.token = strndup(token.ptr, token.len),
		.encoding = encoding,
	);
	return &this->public;
}

/*
 * Described in header
 */
ratkn_result_t *ratkn_result_create(ratkn_ike_role_t role, char *token)
{
	bio_writer_t *writer;
	chunk_t encoding;

	if (!token || !token_valid(chunk_from_str(token)) ||
		(role != RATKN_IKE_INITIATOR && role != RATKN_IKE_RESPONDER))
	{
		return NULL;
	}
	writer = bio_writer_create(16 + strlen(token));
	writer->write_uint8(writer, RATKN_VERSION);
	writer->write_uint8(writer, role);
	writer->write_uint16(writer, RATKN_RESULT_EAR);
	ratkn_tlv_write(writer, ATTR_TOKEN, chunk_from_str(token));
	encoding = writer->extract_buf(writer);
	writer->destroy(writer);
	return create(role, chunk_from_str(token), encoding);
}

/*
 * Described in header
 */
ratkn_result_t *ratkn_result_parse(chunk_t data, char *reason, size_t len)
{
	ratkn_tlv_rule_t rules[] = {
		{ ATTR_TOKEN, "TOKEN", RATKN_RESULT_TOKEN_MIN, RATKN_RESULT_TOKEN_MAX,
		  TRUE },
	};
	bio_reader_t *reader;
	uint8_t version, role;
	uint16_t format;
	chunk_t attributes;

	reader = bio_reader_create(data);
	if (!reader->read_uint8(reader, &version) ||
		!reader->read_uint8(reader, &role) ||
		!reader->read_uint16(reader, &format))
	{
		snprintf(reason, len, "truncated header (%zu octets)", data.len);
		reader->destroy(reader);
		return NULL;
	}
	attributes = reader->peek(reader);
	reader->destroy(reader);
	if (version != RATKN_VERSION)
	{
		snprintf(reason, len, "unsupported version %u", version);
		return NULL;
	}
	if (role != RATKN_IKE_INITIATOR && role != RATKN_IKE_RESPONDER)
	{
		snprintf(reason, len, "invalid role %u", role);
		return NULL;
	}
	if (format != RATKN_RESULT_EAR)
	{
		snprintf(reason, len, "unsupported result format %u", format);
		return NULL;
	}
	if (!ratkn_tlv_parse(attributes, rules, countof(rules), reason, len))
	{
		return NULL;
	}
	if (!token_valid(rules[0].value))
	{
		snprintf(reason, len, "TOKEN is not a compact JWS");
		return NULL;
	}
	return create(role, rules[0].value, chunk_clone(data));
}
