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

#include "ratkn_keys.h"
#include "ratkn_tlv.h"

#include <ctype.h>

#include <bio/bio_reader.h>
#include <bio/bio_writer.h>
#include <collections/linked_list.h>

/**
 * Attribute types
 */
enum {
	ATTR_RELEASE = 1,
	ATTR_EDEK = 2,
};

typedef struct private_ratkn_keys_t private_ratkn_keys_t;

/**
 * Private data of a ratkn_keys_t object.
 */
struct private_ratkn_keys_t {

	/**
	 * Public interface.
	 */
	ratkn_keys_t public;

	/**
	 * Attester's role
	 */
	ratkn_ike_role_t role;

	/**
	 * Releases (char*, NUL-terminated)
	 */
	linked_list_t *releases;

	/**
	 * EDEK requests (chunk_t*, allocated together with the data)
	 */
	linked_list_t *edeks;

	/**
	 * Encoding
	 */
	chunk_t encoding;
};

METHOD(ratkn_keys_t, get_role, ratkn_ike_role_t,
	private_ratkn_keys_t *this)
{
	return this->role;
}

METHOD(ratkn_keys_t, get_count, int,
	private_ratkn_keys_t *this)
{
	return this->releases->get_count(this->releases);
}

METHOD(ratkn_keys_t, create_enumerator, enumerator_t*,
	private_ratkn_keys_t *this)
{
	return this->releases->create_enumerator(this->releases);
}

METHOD(ratkn_keys_t, get_edek_count, int,
	private_ratkn_keys_t *this)
{
	return this->edeks->get_count(this->edeks);
}

METHOD(ratkn_keys_t, create_edek_enumerator, enumerator_t*,
	private_ratkn_keys_t *this)
{
	return this->edeks->create_enumerator(this->edeks);
}

METHOD(ratkn_keys_t, get_encoding, chunk_t,
	private_ratkn_keys_t *this)
{
	return this->encoding;
}

METHOD(ratkn_keys_t, destroy, void,
	private_ratkn_keys_t *this)
{
	this->releases->destroy_function(this->releases, free);
	this->edeks->destroy_function(this->edeks, free);
	chunk_free(&this->encoding);
	free(this);
}

/**
 * Check that a release has an acceptable length and consists of base64url
 * characters and dots only
 */
static bool release_valid(chunk_t release)
{
	size_t i;
	u_char c;

	if (release.len < RATKN_KEYS_RELEASE_MIN ||
		release.len > RATKN_KEYS_RELEASE_MAX)
	{
		return FALSE;
	}
	for (i = 0; i < release.len; i++)
	{
		c = release.ptr[i];
		if (!isalnum(c) && c != '-' && c != '_' && c != '.')
		{
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * Check that an EDEK has an acceptable length
 */
static bool edek_valid(chunk_t edek)
{
	return edek.len >= 1 && edek.len <= RATKN_KEYS_EDEK_MAX && edek.ptr;
}

/**
 * Clone an EDEK into a single allocation that free() releases
 */
static chunk_t *edek_clone(chunk_t edek)
{
	chunk_t *clone;

	clone = malloc(sizeof(chunk_t) + edek.len);
	*clone = chunk_create((u_char*)(clone + 1), edek.len);
	memcpy(clone->ptr, edek.ptr, edek.len);
	return clone;
}

/**
 * Check that an IKE role is valid
 */
static bool role_valid(ratkn_ike_role_t role)
{
	return role == RATKN_IKE_INITIATOR || role == RATKN_IKE_RESPONDER;
}

/**
 * Create an empty object
 */
static private_ratkn_keys_t *create(ratkn_ike_role_t role)
{
	private_ratkn_keys_t *this;

	INIT(this,
		.public = {
			.get_role = _get_role,
			.get_count = _get_count,
			.create_enumerator = _create_enumerator,
			.get_edek_count = _get_edek_count,
			.create_edek_enumerator = _create_edek_enumerator,
			.get_encoding = _get_encoding,
			.destroy = _destroy,
		},
		.role = role,
		.releases = linked_list_create(),
		.edeks = linked_list_create(),
	);
	return this;
}

/**
 * Start an encoding with the notify header
 */
static bio_writer_t *start_encoding(ratkn_ike_role_t role)
{
	bio_writer_t *writer;

	writer = bio_writer_create(64);
	writer->write_uint8(writer, RATKN_VERSION);
	writer->write_uint8(writer, role);
	writer->write_uint16(writer, RATKN_KEYS_JWE);
	return writer;
}

/*
 * Described in header
 */
ratkn_keys_t *ratkn_keys_create(ratkn_ike_role_t role, char **releases,
								int count)
{
	private_ratkn_keys_t *this;
	bio_writer_t *writer;
	int i;

	if (!role_valid(role) || !releases || count < 1 || count > RATKN_KEYS_MAX)
	{
		return NULL;
	}
	for (i = 0; i < count; i++)
	{
		if (!releases[i] || !release_valid(chunk_from_str(releases[i])))
		{
			return NULL;
		}
	}
	this = create(role);
	writer = start_encoding(role);
	for (i = 0; i < count; i++)
	{
		ratkn_tlv_write(writer, ATTR_RELEASE, chunk_from_str(releases[i]));
		this->releases->insert_last(this->releases, strdup(releases[i]));
	}
	this->encoding = writer->extract_buf(writer);
	writer->destroy(writer);
	return &this->public;
}

/*
 * Described in header
 */
ratkn_keys_t *ratkn_keys_create_request(ratkn_ike_role_t role, chunk_t *edeks,
										int count)
{
	private_ratkn_keys_t *this;
	bio_writer_t *writer;
	int i;

	if (!role_valid(role) || !edeks || count < 1 || count > RATKN_KEYS_MAX)
	{
		return NULL;
	}
	for (i = 0; i < count; i++)
	{
		if (!edek_valid(edeks[i]))
		{
			return NULL;
		}
	}
	this = create(role);
	writer = start_encoding(role);
	for (i = 0; i < count; i++)
	{
		ratkn_tlv_write(writer, ATTR_EDEK, edeks[i]);
		this->edeks->insert_last(this->edeks, edek_clone(edeks[i]));
	}
	this->encoding = writer->extract_buf(writer);
	writer->destroy(writer);
	return &this->public;
}

/*
 * Described in header
 */
ratkn_keys_t *ratkn_keys_parse(chunk_t data, char *reason, size_t len)
{
	private_ratkn_keys_t *this;
	bio_reader_t *reader;
	uint8_t version, role;
	uint16_t format, type;
	chunk_t value;

	reader = bio_reader_create(data);
	if (!reader->read_uint8(reader, &version) ||
		!reader->read_uint8(reader, &role) ||
		!reader->read_uint16(reader, &format))
	{
		snprintf(reason, len, "truncated header (%zu octets)", data.len);
		reader->destroy(reader);
		return NULL;
	}
	if (version != RATKN_VERSION)
	{
		snprintf(reason, len, "unsupported version %u", version);
		reader->destroy(reader);
		return NULL;
	}
	if (role != RATKN_IKE_INITIATOR && role != RATKN_IKE_RESPONDER)
	{
		snprintf(reason, len, "invalid role %u", role);
		reader->destroy(reader);
		return NULL;
	}
	if (format != RATKN_KEYS_JWE)
	{
		snprintf(reason, len, "unsupported release format %u", format);
		reader->destroy(reader);
		return NULL;
	}
	this = create(role);
	/* same TLV layout as ratkn_tlv_parse(), but RELEASE and EDEK repeat */
	while (reader->remaining(reader))
	{
		if (!reader->read_uint16(reader, &type) ||
			!reader->read_data16(reader, &value))
		{
			snprintf(reason, len, "truncated attribute");
			goto failed;
		}
		if (type == ATTR_EDEK)
		{
			if (get_edek_count(this) == RATKN_KEYS_MAX)
			{
				snprintf(reason, len, "more than %d EDEKs", RATKN_KEYS_MAX);
				goto failed;
			}
			if (!edek_valid(value))
			{
				snprintf(reason, len, "EDEK %d is not of 1 to %d octets",
						 get_edek_count(this) + 1, RATKN_KEYS_EDEK_MAX);
				goto failed;
			}
			this->edeks->insert_last(this->edeks, edek_clone(value));
			continue;
		}
		if (type != ATTR_RELEASE)
		{	/* unknown attributes are skipped */
			continue;
		}
		if (get_count(this) == RATKN_KEYS_MAX)
		{
			snprintf(reason, len, "more than %d releases", RATKN_KEYS_MAX);
			goto failed;
		}
		if (!release_valid(value))
		{
			snprintf(reason, len, "RELEASE %d is not a compact JWE of %d to "
					 "%d octets", get_count(this) + 1, RATKN_KEYS_RELEASE_MIN,
					 RATKN_KEYS_RELEASE_MAX);
			goto failed;
		}
		this->releases->insert_last(this->releases,
									strndup(value.ptr, value.len));
	}
	if (!get_count(this) && !get_edek_count(this))
	{
		snprintf(reason, len, "no RELEASE or EDEK attribute");
		goto failed;
	}
	reader->destroy(reader);
	this->encoding = chunk_clone(data);
	return &this->public;

failed:
	reader->destroy(reader);
	destroy(this);
	return NULL;
}
