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

#include "ratkn_evidence.h"
#include "ratkn_tlv.h"

#include <bio/bio_reader.h>
#include <bio/bio_writer.h>

#include <tss2/tss2_mu.h>

/**
 * Attribute types of the tpm2-quote format (docs/protocol.md, section 7)
 */
enum {
	ATTR_SESSION_HASH = 1,
	ATTR_IDENTITY_HASH = 2,
	ATTR_QUOTE = 3,
	ATTR_SIGNATURE = 4,
	ATTR_PCR_VALUES = 5,
	ATTR_AK_PUBLIC = 6,
	ATTR_SHARE_PUBLIC = 7,
	ATTR_SHARE_CERTIFY = 8,
	ATTR_SHARE_SIGNATURE = 9,
	ATTR_CHALLENGE = 10,
};

/**
 * Number of attribute types of the tpm2-quote format
 */
#define ATTR_COUNT 10

/**
 * Size of the fixed part of a PCR_VALUES entry: alg, index, length
 */
#define PCR_ENTRY_HEADER 4

/**
 * Maximum digest length of a PCR entry (SHA-512)
 */
#define PCR_MAX_DIGEST 64

/**
 * Maximum length of the PCR_VALUES attribute
 */
#define PCR_VALUES_MAX \
	(RATKN_EVIDENCE_MAX_PCRS * (PCR_ENTRY_HEADER + PCR_MAX_DIGEST))

typedef struct private_ratkn_evidence_t private_ratkn_evidence_t;

/**
 * Private data of a ratkn_evidence_t object.
 */
struct private_ratkn_evidence_t {

	/**
	 * Public interface.
	 */
	ratkn_evidence_t public;

	/**
	 * Attester's IKE role
	 */
	ratkn_ike_role_t role;

	/**
	 * Encoding, all chunks below point into it
	 */
	chunk_t encoding;

	/**
	 * SESSION_HASH
	 */
	chunk_t session_hash;

	/**
	 * IDENTITY_HASH
	 */
	chunk_t identity_hash;

	/**
	 * QUOTE
	 */
	chunk_t quote;

	/**
	 * SIGNATURE
	 */
	chunk_t signature;

	/**
	 * AK_PUBLIC
	 */
	chunk_t ak_public;

	/**
	 * PCR_VALUES
	 */
	ratkn_pcr_values_t *values;

	/**
	 * SHARE_PUBLIC, SHARE_CERTIFY, SHARE_SIGNATURE (all empty if absent)
	 */
	chunk_t share_public, share_certify, share_signature;

	/**
	 * CHALLENGE, empty if absent
	 */
	chunk_t challenge;
};

/*
 * Described in header
 */
int ratkn_clock_info_boot_cmp(ratkn_clock_info_t *a, ratkn_clock_info_t *b)
{
	if (a->reset_count != b->reset_count)
	{
		return a->reset_count < b->reset_count ? -1 : 1;
	}
	if (a->restart_count != b->restart_count)
	{
		return a->restart_count < b->restart_count ? -1 : 1;
	}
	return 0;
}

METHOD(ratkn_evidence_t, get_role, ratkn_ike_role_t,
	private_ratkn_evidence_t *this)
{
	return this->role;
}

METHOD(ratkn_evidence_t, get_format, ratkn_format_t,
	private_ratkn_evidence_t *this)
{
	return RATKN_FORMAT_TPM2_QUOTE;
}

METHOD(ratkn_evidence_t, get_session_hash, chunk_t,
	private_ratkn_evidence_t *this)
{
	return this->session_hash;
}

METHOD(ratkn_evidence_t, get_identity_hash, chunk_t,
	private_ratkn_evidence_t *this)
{
	return this->identity_hash;
}

METHOD(ratkn_evidence_t, get_quote, chunk_t,
	private_ratkn_evidence_t *this)
{
	return this->quote;
}

METHOD(ratkn_evidence_t, get_signature, chunk_t,
	private_ratkn_evidence_t *this)
{
	return this->signature;
}

METHOD(ratkn_evidence_t, get_ak_public, chunk_t,
	private_ratkn_evidence_t *this)
{
	return this->ak_public;
}

METHOD(ratkn_evidence_t, get_pcr_values, ratkn_pcr_values_t*,
	private_ratkn_evidence_t *this)
{
	return this->values;
}

METHOD(ratkn_evidence_t, get_share_cert, bool,
	private_ratkn_evidence_t *this, chunk_t *tpm_public, chunk_t *certify,
	chunk_t *signature)
{
	*tpm_public = this->share_public;
	*certify = this->share_certify;
	*signature = this->share_signature;
	return this->share_public.len != 0;
}

METHOD(ratkn_evidence_t, get_challenge, chunk_t,
	private_ratkn_evidence_t *this)
{
	return this->challenge;
}

METHOD(ratkn_evidence_t, get_clock_info, bool,
	private_ratkn_evidence_t *this, ratkn_clock_info_t *info)
{
	TPMS_ATTEST attest = {};
	size_t offset = 0;

	if (Tss2_MU_TPMS_ATTEST_Unmarshal(this->quote.ptr, this->quote.len,
									  &offset, &attest) != TSS2_RC_SUCCESS ||
		offset != this->quote.len)
	{
		return FALSE;
	}
	*info = (ratkn_clock_info_t){
		.clock = attest.clockInfo.clock,
		.reset_count = attest.clockInfo.resetCount,
		.restart_count = attest.clockInfo.restartCount,
		.safe = attest.clockInfo.safe == TPM2_YES,
	};
	return TRUE;
}

METHOD(ratkn_evidence_t, get_encoding, chunk_t,
	private_ratkn_evidence_t *this)
{
	return this->encoding;
}

METHOD(ratkn_evidence_t, destroy, void,
	private_ratkn_evidence_t *this)
{
	DESTROY_IF(this->values);
	chunk_free(&this->encoding);
	free(this);
}

/**
 * Create an empty object
 */
static private_ratkn_evidence_t *create_empty()
{
	private_ratkn_evidence_t *this;

	INIT(this,
		.public = {
			.get_role = _get_role,
			.get_format = _get_format,
			.get_session_hash = _get_session_hash,
			.get_identity_hash = _get_identity_hash,
			.get_quote = _get_quote,
			.get_signature = _get_signature,
			.get_ak_public = _get_ak_public,
			.get_pcr_values = _get_pcr_values,
			.get_share_cert = _get_share_cert,
			.get_challenge = _get_challenge,
			.get_clock_info = _get_clock_info,
			.get_encoding = _get_encoding,
			.destroy = _destroy,
		},
	);
	return this;
}

/**
 * Rules for the attributes of the tpm2-quote format, in type order
 */
static void init_rules(ratkn_tlv_rule_t rules[ATTR_COUNT])
{
	ratkn_tlv_rule_t defaults[] = {
		{ ATTR_SESSION_HASH, "SESSION_HASH", RATKN_HASH_LEN, RATKN_HASH_LEN,
		  TRUE },
		{ ATTR_IDENTITY_HASH, "IDENTITY_HASH", RATKN_HASH_LEN, RATKN_HASH_LEN,
		  TRUE },
		{ ATTR_QUOTE, "QUOTE", 1, RATKN_EVIDENCE_MAX_BLOB, TRUE },
		{ ATTR_SIGNATURE, "SIGNATURE", 1, RATKN_EVIDENCE_MAX_BLOB, TRUE },
		{ ATTR_PCR_VALUES, "PCR_VALUES", 0, PCR_VALUES_MAX, TRUE },
		{ ATTR_AK_PUBLIC, "AK_PUBLIC", 1, RATKN_EVIDENCE_MAX_BLOB, TRUE },
		{ ATTR_SHARE_PUBLIC, "SHARE_PUBLIC", 1, RATKN_EVIDENCE_MAX_BLOB,
		  FALSE },
		{ ATTR_SHARE_CERTIFY, "SHARE_CERTIFY", 1, RATKN_EVIDENCE_MAX_BLOB,
		  FALSE },
		{ ATTR_SHARE_SIGNATURE, "SHARE_SIGNATURE", 1, RATKN_EVIDENCE_MAX_BLOB,
		  FALSE },
		{ ATTR_CHALLENGE, "CHALLENGE", RATKN_CHALLENGE_MIN,
		  RATKN_CHALLENGE_MAX, FALSE },
	};

	memcpy(rules, defaults, sizeof(defaults));
}

/**
 * Check a value against the limits of its attribute
 */
static bool check_limit(ratkn_tlv_rule_t *rule, chunk_t value, char *reason,
						size_t len)
{
	if (value.len < rule->min || value.len > rule->max)
	{
		snprintf(reason, len, "%s of %zu octets (%zu-%zu allowed)",
				 rule->name, value.len, rule->min, rule->max);
		return FALSE;
	}
	return TRUE;
}

/**
 * Encode PCR values as PCR_VALUES entries
 */
static chunk_t encode_values(ratkn_pcr_values_t *values)
{
	enumerator_t *enumerator;
	bio_writer_t *writer;
	u_int alg, pcr;
	chunk_t digest, encoding;

	writer = bio_writer_create(values->get_count(values) *
							   (PCR_ENTRY_HEADER + HASH_SIZE_SHA256));
	enumerator = values->create_enumerator(values);
	while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
	{
		writer->write_uint16(writer, alg);
		writer->write_uint8(writer, pcr);
		writer->write_data8(writer, digest);
	}
	enumerator->destroy(enumerator);
	encoding = writer->extract_buf(writer);
	writer->destroy(writer);
	return encoding;
}

/**
 * Parse PCR_VALUES entries
 */
static ratkn_pcr_values_t *parse_values(chunk_t data, char *reason, size_t len)
{
	ratkn_pcr_values_t *values;
	bio_reader_t *reader;
	uint16_t alg;
	uint8_t pcr;
	chunk_t digest;
	size_t expected;
	u_int count = 0;
	bool ok = TRUE;

	values = ratkn_pcr_values_create();
	reader = bio_reader_create(data);
	while (reader->remaining(reader))
	{
		if (++count > RATKN_EVIDENCE_MAX_PCRS)
		{
			snprintf(reason, len, "more than %d PCR values",
					 RATKN_EVIDENCE_MAX_PCRS);
			ok = FALSE;
			break;
		}
		if (!reader->read_uint16(reader, &alg) ||
			!reader->read_uint8(reader, &pcr) ||
			!reader->read_data8(reader, &digest))
		{
			snprintf(reason, len, "PCR_VALUES entry %u truncated", count);
			ok = FALSE;
			break;
		}
		expected = ratkn_pcr_alg_digest_len(alg);
		if (!expected)
		{
			snprintf(reason, len, "PCR_VALUES entry %u has unsupported hash "
					 "algorithm 0x%04x", count, alg);
			ok = FALSE;
			break;
		}
		if (pcr >= RATKN_PCR_COUNT)
		{
			snprintf(reason, len, "PCR_VALUES entry %u has invalid PCR index "
					 "%u", count, pcr);
			ok = FALSE;
			break;
		}
		if (digest.len != expected)
		{
			snprintf(reason, len, "PCR_VALUES entry %s:%u has a digest of "
					 "%zu octets, expected %zu", ratkn_pcr_alg_name(alg), pcr,
					 digest.len, expected);
			ok = FALSE;
			break;
		}
		if (values->get(values, alg, pcr, &digest))
		{
			snprintf(reason, len, "PCR_VALUES lists PCR %s:%u twice",
					 ratkn_pcr_alg_name(alg), pcr);
			ok = FALSE;
			break;
		}
		if (!values->add(values, alg, pcr, digest))
		{
			snprintf(reason, len, "PCR_VALUES entry %u invalid", count);
			ok = FALSE;
			break;
		}
	}
	reader->destroy(reader);
	if (!ok)
	{
		values->destroy(values);
		return NULL;
	}
	return values;
}

/**
 * Parse the data into an object, filling in the reason if malformed
 */
static bool parse(private_ratkn_evidence_t *this, char *reason, size_t len)
{
	ratkn_tlv_rule_t rules[ATTR_COUNT];
	bio_reader_t *reader;
	uint8_t version, role;
	uint16_t format;
	chunk_t attributes;

	reader = bio_reader_create(this->encoding);
	if (!reader->read_uint8(reader, &version) ||
		!reader->read_uint8(reader, &role) ||
		!reader->read_uint16(reader, &format))
	{
		snprintf(reason, len, "truncated header (%zu octets)",
				 this->encoding.len);
		reader->destroy(reader);
		return FALSE;
	}
	attributes = reader->peek(reader);
	reader->destroy(reader);

	if (version != RATKN_VERSION)
	{
		snprintf(reason, len, "unsupported version %u", version);
		return FALSE;
	}
	if (role != RATKN_IKE_INITIATOR && role != RATKN_IKE_RESPONDER)
	{
		snprintf(reason, len, "invalid role %u", role);
		return FALSE;
	}
	if (format != RATKN_FORMAT_TPM2_QUOTE)
	{
		snprintf(reason, len, "unsupported evidence format %u", format);
		return FALSE;
	}
	init_rules(rules);
	if (!ratkn_tlv_parse(attributes, rules, countof(rules), reason, len))
	{
		return FALSE;
	}
	if (rules[6].present != rules[7].present ||
		rules[6].present != rules[8].present)
	{
		snprintf(reason, len, "SHARE_PUBLIC, SHARE_CERTIFY and "
				 "SHARE_SIGNATURE must be present together or not at all");
		return FALSE;
	}
	this->values = parse_values(rules[4].value, reason, len);
	if (!this->values)
	{
		return FALSE;
	}
	this->role = role;
	this->session_hash = rules[0].value;
	this->identity_hash = rules[1].value;
	this->quote = rules[2].value;
	this->signature = rules[3].value;
	this->ak_public = rules[5].value;
	this->share_public = rules[6].value;
	this->share_certify = rules[7].value;
	this->share_signature = rules[8].value;
	this->challenge = rules[9].value;
	return TRUE;
}

/*
 * Described in header
 */
ratkn_evidence_t *ratkn_evidence_create(ratkn_ike_role_t role,
							chunk_t session_hash, chunk_t identity_hash,
							chunk_t quote, chunk_t signature, chunk_t ak_public,
							ratkn_pcr_values_t *values)
{
	return ratkn_evidence_create_certified(role, session_hash, identity_hash,
										   quote, signature, ak_public, values,
										   chunk_empty, chunk_empty,
										   chunk_empty, chunk_empty);
}

/*
 * Described in header
 */
ratkn_evidence_t *ratkn_evidence_create_certified(ratkn_ike_role_t role,
							chunk_t session_hash, chunk_t identity_hash,
							chunk_t quote, chunk_t signature, chunk_t ak_public,
							ratkn_pcr_values_t *values, chunk_t share_public,
							chunk_t share_certify, chunk_t share_signature,
							chunk_t challenge)
{
	private_ratkn_evidence_t *this;
	ratkn_tlv_rule_t rules[ATTR_COUNT];
	bio_writer_t *writer;
	chunk_t pcrs, parts[ATTR_COUNT];
	bool certified, wanted[ATTR_COUNT];
	char reason[128] = "";
	bool ok = TRUE;
	int i;

	if (!values)
	{
		DBG1(DBG_IKE, "ratkn: refusing to build RATKN_EVIDENCE: no PCR values");
		return NULL;
	}
	if (role != RATKN_IKE_INITIATOR && role != RATKN_IKE_RESPONDER)
	{
		DBG1(DBG_IKE, "ratkn: refusing to build RATKN_EVIDENCE: invalid role "
			 "%d", role);
		values->destroy(values);
		return NULL;
	}
	if (values->get_count(values) > RATKN_EVIDENCE_MAX_PCRS)
	{
		DBG1(DBG_IKE, "ratkn: refusing to build RATKN_EVIDENCE: %u PCR values "
			 "(at most %d)", values->get_count(values),
			 RATKN_EVIDENCE_MAX_PCRS);
		values->destroy(values);
		return NULL;
	}
	pcrs = encode_values(values);
	parts[0] = session_hash;
	parts[1] = identity_hash;
	parts[2] = quote;
	parts[3] = signature;
	parts[4] = pcrs;
	parts[5] = ak_public;
	parts[6] = share_public;
	parts[7] = share_certify;
	parts[8] = share_signature;
	parts[9] = challenge;
	certified = share_public.len || share_certify.len || share_signature.len;
	init_rules(rules);
	for (i = 0; i < countof(rules); i++)
	{	/* the share's attributes go together, so that an empty one fails */
		wanted[i] = rules[i].required || parts[i].len ||
					(certified && rules[i].type >= ATTR_SHARE_PUBLIC &&
					 rules[i].type <= ATTR_SHARE_SIGNATURE);
	}
	for (i = 0; ok && i < countof(rules); i++)
	{
		if (wanted[i])
		{
			ok = check_limit(&rules[i], parts[i], reason, sizeof(reason));
		}
	}
	if (!ok)
	{
		DBG1(DBG_IKE, "ratkn: refusing to build RATKN_EVIDENCE: %s", reason);
		chunk_free(&pcrs);
		values->destroy(values);
		return NULL;
	}

	writer = bio_writer_create(4 + ATTR_COUNT * 4 + 2 * RATKN_HASH_LEN +
							   quote.len + signature.len + pcrs.len +
							   ak_public.len + share_public.len +
							   share_certify.len + share_signature.len +
							   challenge.len);
	writer->write_uint8(writer, RATKN_VERSION);
	writer->write_uint8(writer, role);
	writer->write_uint16(writer, RATKN_FORMAT_TPM2_QUOTE);
	for (i = 0; i < countof(rules); i++)
	{
		if (wanted[i])
		{
			ratkn_tlv_write(writer, rules[i].type, parts[i]);
		}
	}
	chunk_free(&pcrs);

	this = create_empty();
	this->encoding = writer->extract_buf(writer);
	writer->destroy(writer);
	values->destroy(values);

	/* the accessors point into the encoding, parsing it sets them up and
	 * guarantees that what we send is what a peer accepts */
	if (!parse(this, reason, sizeof(reason)))
	{
		DBG1(DBG_IKE, "ratkn: built invalid RATKN_EVIDENCE: %s", reason);
		destroy(this);
		return NULL;
	}
	DBG3(DBG_IKE, "ratkn: built %N RATKN_EVIDENCE of %zu octets with %u PCR "
		 "values", ratkn_format_names, RATKN_FORMAT_TPM2_QUOTE,
		 this->encoding.len, this->values->get_count(this->values));
	return &this->public;
}

/*
 * Described in header
 */
ratkn_evidence_t *ratkn_evidence_parse(chunk_t data)
{
	private_ratkn_evidence_t *this;
	char reason[128] = "";

	this = create_empty();
	this->encoding = chunk_clone(data);
	if (!parse(this, reason, sizeof(reason)))
	{
		DBG1(DBG_IKE, "ratkn: malformed RATKN_EVIDENCE: %s", reason);
		destroy(this);
		return NULL;
	}
	DBG2(DBG_IKE, "ratkn: received %N RATKN_EVIDENCE of %zu octets from the "
		 "%N with %u PCR values", ratkn_format_names, RATKN_FORMAT_TPM2_QUOTE,
		 data.len, ratkn_ike_role_names, this->role,
		 this->values->get_count(this->values));
	DBG3(DBG_IKE, "ratkn: RATKN_EVIDENCE %B", &data);
	return &this->public;
}
