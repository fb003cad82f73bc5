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

#include "ratkn_negotiate.h"
#include "ratkn_tlv.h"
#include "ratkn_kex.h"

#include <bio/bio_reader.h>
#include <bio/bio_writer.h>

/**
 * Attribute types
 */
enum {
	ATTR_SHARE = 1,
	ATTR_NONCE = 2,
	ATTR_FORMATS = 3,
	ATTR_MODELS = 4,
};

/**
 * Flags defined in version 1
 */
#define KNOWN_FLAGS (RATKN_FLAG_ATTEST | RATKN_FLAG_VERIFY)

typedef struct private_ratkn_negotiate_t private_ratkn_negotiate_t;

/**
 * Private data of a ratkn_negotiate_t object.
 */
struct private_ratkn_negotiate_t {

	/**
	 * Public interface.
	 */
	ratkn_negotiate_t public;

	/**
	 * Version
	 */
	uint8_t version;

	/**
	 * Flags
	 */
	uint8_t flags;

	/**
	 * Group
	 */
	uint16_t group;

	/**
	 * Encoding, all chunks below point into it
	 */
	chunk_t encoding;

	/**
	 * Public share
	 */
	chunk_t share;

	/**
	 * Nonce
	 */
	chunk_t nonce;

	/**
	 * Formats, 2 octets each
	 */
	chunk_t formats;

	/**
	 * Models, 2 octets each, empty if not sent
	 */
	chunk_t models;
};

METHOD(ratkn_negotiate_t, get_version, uint8_t,
	private_ratkn_negotiate_t *this)
{
	return this->version;
}

METHOD(ratkn_negotiate_t, get_flags, uint8_t,
	private_ratkn_negotiate_t *this)
{
	return this->flags;
}

METHOD(ratkn_negotiate_t, get_group, uint16_t,
	private_ratkn_negotiate_t *this)
{
	return this->group;
}

METHOD(ratkn_negotiate_t, get_share, chunk_t,
	private_ratkn_negotiate_t *this)
{
	return this->share;
}

METHOD(ratkn_negotiate_t, get_nonce, chunk_t,
	private_ratkn_negotiate_t *this)
{
	return this->nonce;
}

METHOD(ratkn_negotiate_t, has_format, bool,
	private_ratkn_negotiate_t *this, ratkn_format_t format)
{
	size_t i;

	for (i = 0; i + 1 < this->formats.len; i += 2)
	{
		if (untoh16(this->formats.ptr + i) == format)
		{
			return TRUE;
		}
	}
	return FALSE;
}

METHOD(ratkn_negotiate_t, get_models, int,
	private_ratkn_negotiate_t *this, ratkn_model_t models[RATKN_MAX_MODELS])
{
	int count = 0;
	size_t i;

	if (!this->models.len)
	{
		models[count++] = RATKN_MODEL_BACKGROUND_CHECK;
		return count;
	}
	for (i = 0; i + 1 < this->models.len && count < RATKN_MAX_MODELS; i += 2)
	{
		models[count++] = untoh16(this->models.ptr + i);
	}
	return count;
}

METHOD(ratkn_negotiate_t, get_encoding, chunk_t,
	private_ratkn_negotiate_t *this)
{
	return this->encoding;
}

METHOD(ratkn_negotiate_t, destroy, void,
	private_ratkn_negotiate_t *this)
{
	chunk_free(&this->encoding);
	free(this);
}

/**
 * Create the object around an encoding (adopted)
 */
static private_ratkn_negotiate_t *create_empty(chunk_t encoding)
{
	private_ratkn_negotiate_t *this;

	INIT(this,
		.public = {
			.get_version = _get_version,
			.get_flags = _get_flags,
			.get_group = _get_group,
			.get_share = _get_share,
			.get_nonce = _get_nonce,
			.has_format = _has_format,
			.get_models = _get_models,
			.get_encoding = _get_encoding,
			.destroy = _destroy,
		},
		.encoding = encoding,
	);
	return this;
}

/**
 * Check the semantic rules shared by parsing and building
 */
static bool check_rules(uint8_t flags, uint16_t group, chunk_t share,
						chunk_t nonce, chunk_t formats, char *reason,
						size_t len)
{
	if (group && !share.len)
	{
		snprintf(reason, len, "SHARE attribute missing");
		return FALSE;
	}
	/* the length of shares of groups we don't implement is not checked, a
	 * responder answers those with group 0 */
	if (ratkn_kex_supported(group) &&
		share.len != ratkn_kex_public_len(group))
	{
		snprintf(reason, len, "SHARE of %zu octets for %s", share.len,
				 ratkn_kex_group_name(group));
		return FALSE;
	}
	if (!group && share.len)
	{
		snprintf(reason, len, "SHARE without group");
		return FALSE;
	}
	if ((flags & RATKN_FLAG_VERIFY) &&
		(nonce.len < RATKN_NONCE_MIN || nonce.len > RATKN_NONCE_MAX))
	{
		snprintf(reason, len, "VERIFY without valid NONCE");
		return FALSE;
	}
	if ((flags & KNOWN_FLAGS) && !formats.len)
	{
		snprintf(reason, len, "FORMATS attribute missing");
		return FALSE;
	}
	return TRUE;
}

/*
 * Described in header
 */
ratkn_negotiate_t *ratkn_negotiate_create(uint8_t flags, uint16_t group,
										  chunk_t share, chunk_t nonce,
										  ratkn_format_t *formats, int count,
										  ratkn_model_t *models,
										  int model_count)
{
	private_ratkn_negotiate_t *this;
	bio_writer_t *writer, *list, *model_list;
	chunk_t encoding;
	char reason[64];
	int i;

	if ((flags & ~KNOWN_FLAGS) || count < 0 || count > RATKN_MAX_FORMATS ||
		model_count < 0 || model_count > RATKN_MAX_MODELS)
	{
		return NULL;
	}
	list = bio_writer_create(2 * count);
	for (i = 0; i < count; i++)
	{
		list->write_uint16(list, formats[i]);
	}
	if (!check_rules(flags, group, share, nonce, list->get_buf(list),
					 reason, sizeof(reason)))
	{
		DBG1(DBG_IKE, "ratkn: refusing to build RATKN_NEGOTIATE: %s", reason);
		list->destroy(list);
		return NULL;
	}
	model_list = bio_writer_create(2 * model_count);
	if (model_count > 1 || (model_count == 1 &&
							models[0] != RATKN_MODEL_BACKGROUND_CHECK))
	{	/* background-check alone is the default, not sent */
		for (i = 0; i < model_count; i++)
		{
			model_list->write_uint16(model_list, models[i]);
		}
	}
	writer = bio_writer_create(128);
	writer->write_uint8(writer, RATKN_VERSION);
	writer->write_uint8(writer, flags);
	writer->write_uint16(writer, group);
	if (share.len)
	{
		ratkn_tlv_write(writer, ATTR_SHARE, share);
	}
	if (nonce.len)
	{
		ratkn_tlv_write(writer, ATTR_NONCE, nonce);
	}
	if (count)
	{
		ratkn_tlv_write(writer, ATTR_FORMATS, list->get_buf(list));
	}
	if (model_list->get_buf(model_list).len)
	{
		ratkn_tlv_write(writer, ATTR_MODELS, model_list->get_buf(model_list));
	}
	list->destroy(list);
	model_list->destroy(model_list);
	encoding = writer->extract_buf(writer);
	writer->destroy(writer);

	/* parse our own encoding, so that the attribute chunks are set the same
	 * way for sent and received notifies */
	this = (private_ratkn_negotiate_t*)ratkn_negotiate_parse(encoding, reason,
															 sizeof(reason));
	chunk_free(&encoding);
	return this ? &this->public : NULL;
}

/*
 * Described in header
 */
ratkn_negotiate_t *ratkn_negotiate_parse(chunk_t data, char *reason,
										 size_t len)
{
	private_ratkn_negotiate_t *this;
	bio_reader_t *reader;
	uint8_t version, flags;
	uint16_t group;
	chunk_t attributes;
	ratkn_tlv_rule_t rules[] = {
		{ ATTR_SHARE, "SHARE", 1, 0xffff, FALSE },
		{ ATTR_NONCE, "NONCE", RATKN_NONCE_MIN, RATKN_NONCE_MAX, FALSE },
		{ ATTR_FORMATS, "FORMATS", 2, 2 * RATKN_MAX_FORMATS, FALSE },
		{ ATTR_MODELS, "MODELS", 2, 2 * RATKN_MAX_MODELS, FALSE },
	};
	chunk_t share, nonce, formats, models;

	reader = bio_reader_create(data);
	if (!reader->read_uint8(reader, &version) ||
		!reader->read_uint8(reader, &flags) ||
		!reader->read_uint16(reader, &group))
	{
		snprintf(reason, len, "truncated header (%zu octets)", data.len);
		reader->destroy(reader);
		return NULL;
	}
	attributes = reader->peek(reader);
	reader->destroy(reader);

	if (version == 0)
	{
		snprintf(reason, len, "invalid version 0");
		return NULL;
	}
	if (!ratkn_tlv_parse(attributes, rules, countof(rules), reason, len))
	{
		return NULL;
	}
	share = rules[0].value;
	nonce = rules[1].value;
	formats = rules[2].value;
	models = rules[3].value;
	if (formats.len % 2)
	{
		snprintf(reason, len, "FORMATS attribute has odd length %zu",
				 formats.len);
		return NULL;
	}
	if (models.len % 2)
	{
		snprintf(reason, len, "MODELS attribute has odd length %zu",
				 models.len);
		return NULL;
	}
	flags &= KNOWN_FLAGS;
	if (!check_rules(flags, group, share, nonce, formats, reason, len))
	{
		return NULL;
	}
	this = create_empty(chunk_clone(data));
	this->version = version;
	this->flags = flags;
	this->group = group;
	/* point the attributes into our copy of the data */
	this->share = share.len ? chunk_create(this->encoding.ptr +
								(share.ptr - data.ptr), share.len)
							: chunk_empty;
	this->nonce = nonce.len ? chunk_create(this->encoding.ptr +
								(nonce.ptr - data.ptr), nonce.len)
							: chunk_empty;
	this->formats = formats.len ? chunk_create(this->encoding.ptr +
								(formats.ptr - data.ptr), formats.len)
								: chunk_empty;
	this->models = models.len ? chunk_create(this->encoding.ptr +
								(models.ptr - data.ptr), models.len)
							  : chunk_empty;
	return &this->public;
}
