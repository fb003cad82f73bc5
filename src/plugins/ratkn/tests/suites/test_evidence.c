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

#include "ratkn_tests.h"

#include <ratkn_evidence.h>

#include <stdarg.h>
#include <stdio.h>

#include <bio/bio_writer.h>
#include <tss2/tss2_tpm2_types.h>
#include <tss2/tss2_mu.h>

/**
 * Captured DBG1 output
 */
static char logged[2048];

/**
 * Original debug hook
 */
static void (*orig_dbg)(debug_t group, level_t level, char *fmt, ...);

/**
 * Debug hook capturing level 1 messages
 */
static void capture_dbg(debug_t group, level_t level, char *fmt, ...)
{
	size_t used = strlen(logged);
	va_list args;

	if (level <= 1 && used < sizeof(logged) - 2)
	{
		va_start(args, fmt);
		vsnprintf(logged + used, sizeof(logged) - used - 1, fmt, args);
		va_end(args);
		strcat(logged, "\n");
	}
}

static void setup_capture()
{
	logged[0] = '\0';
	orig_dbg = dbg;
	dbg = capture_dbg;
}

static void teardown_capture()
{
	dbg = orig_dbg;
}

/**
 * An attribute
 */
typedef struct {
	uint16_t type;
	chunk_t value;
} attr_t;

/**
 * Test data, filled per test
 */
static uint8_t session[32], identity[32], quote[100], signature[72], ak[90];

/**
 * Number of attributes in a default encoding
 */
#define ATTRS 6

/**
 * PCR values of the default encoding: sha256 0-7, value i in every octet
 */
static ratkn_pcr_values_t *default_values()
{
	ratkn_pcr_values_t *values;
	uint8_t digest[32];
	int i;

	values = ratkn_pcr_values_create();
	for (i = 0; i < 8; i++)
	{
		memset(digest, i, sizeof(digest));
		ck_assert(values->add(values, TPM2_ALG_SHA256, i,
							  chunk_from_thing(digest)));
	}
	return values;
}

/**
 * Append a PCR_VALUES entry
 */
static void write_entry(bio_writer_t *writer, uint16_t alg, uint8_t pcr,
						uint8_t len, size_t actual, uint8_t fill)
{
	writer->write_uint16(writer, alg);
	writer->write_uint8(writer, pcr);
	writer->write_uint8(writer, len);
	while (actual--)
	{
		writer->write_uint8(writer, fill);
	}
}

/**
 * Default PCR_VALUES attribute (allocated)
 */
static chunk_t default_pcrs()
{
	bio_writer_t *writer;
	chunk_t data;
	int i;

	writer = bio_writer_create(0);
	for (i = 0; i < 8; i++)
	{
		write_entry(writer, TPM2_ALG_SHA256, i, 32, 32, i);
	}
	data = writer->extract_buf(writer);
	writer->destroy(writer);
	return data;
}

/**
 * Fill the test blobs
 */
static void setup_data()
{
	memset(session, 0x11, sizeof(session));
	memset(identity, 0x22, sizeof(identity));
	memset(quote, 0x33, sizeof(quote));
	memset(signature, 0x44, sizeof(signature));
	memset(ak, 0x55, sizeof(ak));
	setup_capture();
}

/**
 * Default attributes, PCR_VALUES allocated in *pcrs
 */
static void default_attrs(attr_t attrs[ATTRS], chunk_t *pcrs)
{
	*pcrs = default_pcrs();
	attrs[0] = (attr_t){ 1, chunk_from_thing(session) };
	attrs[1] = (attr_t){ 2, chunk_from_thing(identity) };
	attrs[2] = (attr_t){ 3, chunk_from_thing(quote) };
	attrs[3] = (attr_t){ 4, chunk_from_thing(signature) };
	attrs[4] = (attr_t){ 5, *pcrs };
	attrs[5] = (attr_t){ 6, chunk_from_thing(ak) };
}

/**
 * Encode notify data from a header and attributes
 */
static chunk_t encode(uint8_t version, uint8_t role, uint16_t format,
					  attr_t *attrs, int count)
{
	bio_writer_t *writer;
	chunk_t data;
	int i;

	writer = bio_writer_create(0);
	writer->write_uint8(writer, version);
	writer->write_uint8(writer, role);
	writer->write_uint16(writer, format);
	for (i = 0; i < count; i++)
	{
		writer->write_uint16(writer, attrs[i].type);
		writer->write_data16(writer, attrs[i].value);
	}
	data = writer->extract_buf(writer);
	writer->destroy(writer);
	return data;
}

/**
 * Check the parsed default evidence
 */
static void assert_default(ratkn_evidence_t *evidence, ratkn_ike_role_t role)
{
	ratkn_pcr_values_t *values;
	enumerator_t *enumerator;
	u_int alg, pcr, i = 0;
	chunk_t digest;

	ck_assert(evidence);
	ck_assert_int_eq(evidence->get_role(evidence), role);
	ck_assert_int_eq(evidence->get_format(evidence), RATKN_FORMAT_TPM2_QUOTE);
	ck_assert(chunk_equals(evidence->get_session_hash(evidence),
						   chunk_from_thing(session)));
	ck_assert(chunk_equals(evidence->get_identity_hash(evidence),
						   chunk_from_thing(identity)));
	ck_assert(chunk_equals(evidence->get_quote(evidence),
						   chunk_from_thing(quote)));
	ck_assert(chunk_equals(evidence->get_signature(evidence),
						   chunk_from_thing(signature)));
	ck_assert(chunk_equals(evidence->get_ak_public(evidence),
						   chunk_from_thing(ak)));
	values = evidence->get_pcr_values(evidence);
	ck_assert_int_eq(values->get_count(values), 8);
	enumerator = values->create_enumerator(values);
	while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
	{
		ck_assert_int_eq(alg, TPM2_ALG_SHA256);
		ck_assert_int_eq(pcr, i);
		ck_assert_int_eq(digest.len, 32);
		ck_assert_int_eq(digest.ptr[0], i);
		ck_assert_int_eq(digest.ptr[31], i);
		i++;
	}
	enumerator->destroy(enumerator);
}

START_TEST(test_roundtrip)
{
	ratkn_ike_role_t role = _i ? RATKN_IKE_RESPONDER : RATKN_IKE_INITIATOR;
	ratkn_evidence_t *evidence, *parsed;
	attr_t attrs[ATTRS];
	chunk_t pcrs, expected;

	evidence = ratkn_evidence_create(role, chunk_from_thing(session),
							chunk_from_thing(identity), chunk_from_thing(quote),
							chunk_from_thing(signature), chunk_from_thing(ak),
							default_values());
	assert_default(evidence, role);

	/* the encoding is exactly as specified */
	default_attrs(attrs, &pcrs);
	expected = encode(1, role, 1, attrs, ATTRS);
	ck_assert(chunk_equals(evidence->get_encoding(evidence), expected));
	ck_assert_int_eq(expected.len, 4 + 6 * 4 + 32 + 32 + sizeof(quote) +
					 sizeof(signature) + 8 * 36 + sizeof(ak));

	parsed = ratkn_evidence_parse(evidence->get_encoding(evidence));
	assert_default(parsed, role);
	ck_assert(chunk_equals(parsed->get_encoding(parsed), expected));
	parsed->destroy(parsed);
	evidence->destroy(evidence);
	chunk_free(&expected);
	chunk_free(&pcrs);
}
END_TEST

START_TEST(test_share_cert)
{
	ratkn_evidence_t *evidence, *parsed;
	chunk_t p, c, s, pub = chunk_from_str("share public"),
			cert = chunk_from_str("certify"), sig = chunk_from_str("sig");

	evidence = ratkn_evidence_create_certified(RATKN_IKE_INITIATOR,
							chunk_from_thing(session),
							chunk_from_thing(identity), chunk_from_thing(quote),
							chunk_from_thing(signature), chunk_from_thing(ak),
							default_values(), pub, cert, sig, chunk_empty);
	ck_assert(evidence);
	assert_default(evidence, RATKN_IKE_INITIATOR);
	parsed = ratkn_evidence_parse(evidence->get_encoding(evidence));
	ck_assert_msg(parsed, "%s", logged);
	assert_default(parsed, RATKN_IKE_INITIATOR);
	ck_assert(parsed->get_share_cert(parsed, &p, &c, &s));
	ck_assert(chunk_equals(p, pub));
	ck_assert(chunk_equals(c, cert));
	ck_assert(chunk_equals(s, sig));
	parsed->destroy(parsed);
	evidence->destroy(evidence);

	/* all three or none */
	ck_assert(!ratkn_evidence_create_certified(RATKN_IKE_INITIATOR,
							chunk_from_thing(session),
							chunk_from_thing(identity), chunk_from_thing(quote),
							chunk_from_thing(signature), chunk_from_thing(ak),
							default_values(), pub, chunk_empty, sig, chunk_empty));
	evidence = ratkn_evidence_create(RATKN_IKE_INITIATOR,
							chunk_from_thing(session),
							chunk_from_thing(identity), chunk_from_thing(quote),
							chunk_from_thing(signature), chunk_from_thing(ak),
							default_values());
	ck_assert(!evidence->get_share_cert(evidence, &p, &c, &s));
	ck_assert(!p.len && !c.len && !s.len);
	evidence->destroy(evidence);
}
END_TEST

START_TEST(test_share_cert_partial)
{
	ratkn_evidence_t *evidence;
	attr_t attrs[ATTRS + 2];
	chunk_t pcrs, data;

	/* SHARE_PUBLIC and SHARE_CERTIFY without SHARE_SIGNATURE */
	default_attrs(attrs, &pcrs);
	attrs[ATTRS] = (attr_t){ 7, chunk_from_str("public") };
	attrs[ATTRS + 1] = (attr_t){ 8 + _i, chunk_from_str("certify") };
	data = encode(1, RATKN_IKE_INITIATOR, 1, attrs, ATTRS + 2);
	logged[0] = '\0';
	evidence = ratkn_evidence_parse(data);
	ck_assert(!evidence);
	ck_assert(strstr(logged, "present together"));
	chunk_free(&data);
	chunk_free(&pcrs);
}
END_TEST

START_TEST(test_parse_variants)
{
	ratkn_evidence_t *evidence;
	attr_t attrs[ATTRS + 1], tmp;
	chunk_t pcrs, data;
	int i;

	default_attrs(attrs, &pcrs);
	switch (_i)
	{
		case 0:		/* unknown attributes are skipped */
			attrs[ATTRS] = (attr_t){ 100, chunk_from_str("unknown") };
			break;
		case 1:		/* order is free */
			for (i = 0; i < ATTRS / 2; i++)
			{
				tmp = attrs[i];
				attrs[i] = attrs[ATTRS - 1 - i];
				attrs[ATTRS - 1 - i] = tmp;
			}
			attrs[ATTRS] = (attr_t){ 0, chunk_empty };
			break;
		case 2:		/* unknown attribute at the start, empty */
			memmove(&attrs[1], &attrs[0], ATTRS * sizeof(attr_t));
			attrs[0] = (attr_t){ 0xffff, chunk_empty };
			break;
	}
	data = encode(1, RATKN_IKE_INITIATOR, 1, attrs, ATTRS + 1);
	evidence = ratkn_evidence_parse(data);
	ck_assert_msg(evidence, "%s", logged);
	assert_default(evidence, RATKN_IKE_INITIATOR);
	evidence->destroy(evidence);
	chunk_free(&data);
	chunk_free(&pcrs);
}
END_TEST

/**
 * Build PCR_VALUES with count distinct entries
 */
static chunk_t many_pcrs(int count)
{
	uint16_t algs[] = { TPM2_ALG_SHA1, TPM2_ALG_SHA256, TPM2_ALG_SHA384,
						TPM2_ALG_SHA512 };
	bio_writer_t *writer;
	chunk_t data;
	size_t len;
	int i;

	writer = bio_writer_create(0);
	for (i = 0; i < count; i++)
	{
		len = ratkn_pcr_alg_digest_len(algs[i / 24]);
		write_entry(writer, algs[i / 24], i % 24, len, len, i);
	}
	data = writer->extract_buf(writer);
	writer->destroy(writer);
	return data;
}

START_TEST(test_challenge)
{
	ratkn_evidence_t *evidence, *parsed;
	attr_t attrs[ATTRS + 1];
	uint8_t challenge[65];
	chunk_t pcrs, data;
	int len;

	memset(challenge, 0x77, sizeof(challenge));
	/* absent unless given */
	evidence = ratkn_evidence_create(RATKN_IKE_RESPONDER,
							chunk_from_thing(session),
							chunk_from_thing(identity), chunk_from_thing(quote),
							chunk_from_thing(signature), chunk_from_thing(ak),
							default_values());
	ck_assert(!evidence->get_challenge(evidence).len);
	evidence->destroy(evidence);

	/* 16 to 64 octets round-trip */
	for (len = 16; len <= 64; len += 48)
	{
		evidence = ratkn_evidence_create_certified(RATKN_IKE_RESPONDER,
							chunk_from_thing(session),
							chunk_from_thing(identity), chunk_from_thing(quote),
							chunk_from_thing(signature), chunk_from_thing(ak),
							default_values(), chunk_empty, chunk_empty,
							chunk_empty, chunk_create(challenge, len));
		ck_assert_msg(evidence, "%s", logged);
		parsed = ratkn_evidence_parse(evidence->get_encoding(evidence));
		ck_assert_msg(parsed, "%s", logged);
		assert_default(parsed, RATKN_IKE_RESPONDER);
		ck_assert(chunk_equals(parsed->get_challenge(parsed),
							   chunk_create(challenge, len)));
		parsed->destroy(parsed);
		evidence->destroy(evidence);
	}

	/* other lengths are refused when building and parsing */
	ck_assert(!ratkn_evidence_create_certified(RATKN_IKE_RESPONDER,
							chunk_from_thing(session),
							chunk_from_thing(identity), chunk_from_thing(quote),
							chunk_from_thing(signature), chunk_from_thing(ak),
							default_values(), chunk_empty, chunk_empty,
							chunk_empty, chunk_create(challenge, 15)));
	default_attrs(attrs, &pcrs);
	for (len = 15; len <= 65; len += 50)
	{
		logged[0] = '\0';
		attrs[ATTRS] = (attr_t){ 10, chunk_create(challenge, len) };
		data = encode(1, RATKN_IKE_RESPONDER, 1, attrs, ATTRS + 1);
		ck_assert(!ratkn_evidence_parse(data));
		ck_assert_msg(strstr(logged, "CHALLENGE attribute has invalid "
							 "length"), "%s", logged);
		chunk_free(&data);
	}
	chunk_free(&pcrs);
}
END_TEST

START_TEST(test_clock_info)
{
	ratkn_evidence_t *evidence;
	ratkn_clock_info_t info, later;
	TPMS_ATTEST attest = {
		.magic = TPM2_GENERATED_VALUE,
		.type = TPM2_ST_ATTEST_QUOTE,
		.clockInfo = {
			.clock = 0x0102030405ULL,
			.resetCount = 7,
			.restartCount = 3,
			.safe = TPM2_YES,
		},
	};
	uint8_t buf[sizeof(TPMS_ATTEST)];
	size_t offset = 0;

	ck_assert(Tss2_MU_TPMS_ATTEST_Marshal(&attest, buf, sizeof(buf),
										  &offset) == TSS2_RC_SUCCESS);
	evidence = ratkn_evidence_create(RATKN_IKE_RESPONDER,
							chunk_from_thing(session),
							chunk_from_thing(identity), chunk_create(buf, offset),
							chunk_from_thing(signature), chunk_from_thing(ak),
							default_values());
	ck_assert(evidence->get_clock_info(evidence, &info));
	ck_assert(info.clock == 0x0102030405ULL);
	ck_assert_int_eq(info.reset_count, 7);
	ck_assert_int_eq(info.restart_count, 3);
	ck_assert(info.safe);
	evidence->destroy(evidence);

	/* not a TPMS_ATTEST */
	evidence = ratkn_evidence_create(RATKN_IKE_RESPONDER,
							chunk_from_thing(session),
							chunk_from_thing(identity), chunk_from_thing(quote),
							chunk_from_thing(signature), chunk_from_thing(ak),
							default_values());
	ck_assert(!evidence->get_clock_info(evidence, &info));
	evidence->destroy(evidence);

	/* boot order */
	info = (ratkn_clock_info_t){ .reset_count = 7, .restart_count = 3 };
	later = info;
	ck_assert_int_eq(ratkn_clock_info_boot_cmp(&info, &later), 0);
	later.restart_count++;
	ck_assert(ratkn_clock_info_boot_cmp(&info, &later) < 0);
	ck_assert(ratkn_clock_info_boot_cmp(&later, &info) > 0);
	later = (ratkn_clock_info_t){ .reset_count = 8 };
	ck_assert(ratkn_clock_info_boot_cmp(&info, &later) < 0);
}
END_TEST

START_TEST(test_parse_limits)
{
	ratkn_evidence_t *evidence;
	attr_t attrs[ATTRS];
	chunk_t pcrs, data, blob;

	/* 64 PCR values and blobs of the maximum size are fine */
	default_attrs(attrs, &pcrs);
	chunk_free(&pcrs);
	pcrs = many_pcrs(64);
	blob = chunk_alloc(RATKN_EVIDENCE_MAX_BLOB);
	memset(blob.ptr, 0x66, blob.len);
	attrs[2].value = attrs[3].value = attrs[5].value = blob;
	attrs[4].value = pcrs;
	data = encode(1, RATKN_IKE_RESPONDER, 1, attrs, ATTRS);
	evidence = ratkn_evidence_parse(data);
	ck_assert_msg(evidence, "%s", logged);
	ck_assert_int_eq(evidence->get_pcr_values(evidence)->get_count(
							evidence->get_pcr_values(evidence)), 64);
	ck_assert_int_eq(evidence->get_quote(evidence).len,
					 RATKN_EVIDENCE_MAX_BLOB);
	evidence->destroy(evidence);
	chunk_free(&data);
	chunk_free(&pcrs);

	/* no PCR values at all is well-formed (the appraisal decides) */
	attrs[4].value = chunk_empty;
	data = encode(1, RATKN_IKE_RESPONDER, 1, attrs, ATTRS);
	evidence = ratkn_evidence_parse(data);
	ck_assert_msg(evidence, "%s", logged);
	ck_assert_int_eq(evidence->get_pcr_values(evidence)->get_count(
							evidence->get_pcr_values(evidence)), 0);
	evidence->destroy(evidence);
	chunk_free(&data);
	chunk_free(&blob);
}
END_TEST

/**
 * Malformed encodings: what to change and the expected reason
 */
static struct {
	char *reason;
} malformed[] = {
	/* 0 */ { "unsupported version 0" },
	/* 1 */ { "unsupported version 2" },
	/* 2 */ { "invalid role 0" },
	/* 3 */ { "invalid role 3" },
	/* 4 */ { "unsupported evidence format 0" },
	/* 5 */ { "unsupported evidence format 2" },
	/* 6 */ { "SESSION_HASH attribute missing" },
	/* 7 */ { "IDENTITY_HASH attribute missing" },
	/* 8 */ { "QUOTE attribute missing" },
	/* 9 */ { "SIGNATURE attribute missing" },
	/* 10 */ { "PCR_VALUES attribute missing" },
	/* 11 */ { "AK_PUBLIC attribute missing" },
	/* 12 */ { "duplicate SESSION_HASH attribute" },
	/* 13 */ { "duplicate IDENTITY_HASH attribute" },
	/* 14 */ { "duplicate QUOTE attribute" },
	/* 15 */ { "duplicate SIGNATURE attribute" },
	/* 16 */ { "duplicate PCR_VALUES attribute" },
	/* 17 */ { "duplicate AK_PUBLIC attribute" },
	/* 18 */ { "SESSION_HASH attribute has invalid length 31" },
	/* 19 */ { "SESSION_HASH attribute has invalid length 33" },
	/* 20 */ { "IDENTITY_HASH attribute has invalid length 0" },
	/* 21 */ { "QUOTE attribute has invalid length 0" },
	/* 22 */ { "QUOTE attribute has invalid length 1025" },
	/* 23 */ { "SIGNATURE attribute has invalid length 1025" },
	/* 24 */ { "SIGNATURE attribute has invalid length 0" },
	/* 25 */ { "AK_PUBLIC attribute has invalid length 1025" },
	/* 26 */ { "AK_PUBLIC attribute has invalid length 0" },
	/* 27 */ { "PCR_VALUES entry sha256:3 has a digest of 20 octets, "
			   "expected 32" },
	/* 28 */ { "PCR_VALUES entry sha1:3 has a digest of 32 octets, "
			   "expected 20" },
	/* 29 */ { "PCR_VALUES entry 9 truncated" },
	/* 30 */ { "PCR_VALUES entry 9 truncated" },
	/* 31 */ { "PCR_VALUES entry 9 truncated" },
	/* 32 */ { "PCR_VALUES entry 8 truncated" },
	/* 33 */ { "unsupported hash algorithm 0x0012" },
	/* 34 */ { "invalid PCR index 24" },
	/* 35 */ { "invalid PCR index 255" },
	/* 36 */ { "PCR_VALUES lists PCR sha256:5 twice" },
	/* 37 */ { "more than 64 PCR values" },
	/* 38 */ { "PCR_VALUES attribute has invalid length 4353" },
	/* 39 */ { "truncated attribute" },
	/* 40 */ { "truncated attribute" },
	/* 41 */ { "SESSION_HASH attribute missing" },
	/* 42 */ { "truncated header (3 octets)" },
	/* 43 */ { "truncated header (0 octets)" },
	/* 44 */ { "PCR_VALUES entry 1 has unsupported hash algorithm 0x0000" },
};

START_TEST(test_parse_malformed)
{
	static u_char garbage[] = { 0x00 };
	static u_char past_end[] = { 0x00, 0x07, 0x00, 0x05, 0x01 };
	uint8_t version = 1, role = RATKN_IKE_INITIATOR;
	uint16_t format = 1;
	attr_t attrs[ATTRS + 1];
	bio_writer_t *writer;
	chunk_t pcrs, data, blob = chunk_empty, extra = chunk_empty;
	int count = ATTRS, i;

	default_attrs(attrs, &pcrs);
	switch (_i)
	{
		case 0: version = 0; break;
		case 1: version = 2; break;
		case 2: role = 0; break;
		case 3: role = 3; break;
		case 4: format = 0; break;
		case 5: format = 2; break;
		case 6 ... 11:	/* missing attribute */
			i = _i - 6;
			memmove(&attrs[i], &attrs[i + 1], (ATTRS - i - 1) *
					sizeof(attr_t));
			count = ATTRS - 1;
			break;
		case 12 ... 17:	/* duplicate attribute */
			attrs[ATTRS] = attrs[_i - 12];
			count = ATTRS + 1;
			break;
		case 18: attrs[0].value.len = 31; break;
		case 19:
			blob = chunk_alloc(33);
			memset(blob.ptr, 0, blob.len);
			attrs[0].value = blob;
			break;
		case 20: attrs[1].value = chunk_empty; break;
		case 21: attrs[2].value = chunk_empty; break;
		case 22:
		case 23:
		case 25:
			blob = chunk_alloc(RATKN_EVIDENCE_MAX_BLOB + 1);
			memset(blob.ptr, 0x77, blob.len);
			attrs[_i == 22 ? 2 : _i == 23 ? 3 : 5].value = blob;
			break;
		case 24: attrs[3].value = chunk_empty; break;
		case 26: attrs[5].value = chunk_empty; break;
		case 27 ... 36:
		case 44:
			writer = bio_writer_create(0);
			if (_i != 44)
			{
				writer->write_data(writer, pcrs);
			}
			switch (_i)
			{
				case 27:	/* sha256 with a SHA-1 sized digest */
					write_entry(writer, TPM2_ALG_SHA256, 3, 20, 20, 0);
					break;
				case 28:	/* sha1 with a SHA-256 sized digest */
					write_entry(writer, TPM2_ALG_SHA1, 3, 32, 32, 0);
					break;
				case 29:	/* length longer than the data */
					write_entry(writer, TPM2_ALG_SHA256, 8, 32, 31, 0);
					break;
				case 30:	/* trailing garbage: one octet */
					writer->write_uint8(writer, 0);
					break;
				case 31:	/* trailing garbage: three octets */
					writer->write_uint24(writer, 0x000b08);
					break;
				case 32:	/* last entry cut */
					writer->destroy(writer);
					writer = bio_writer_create(0);
					writer->write_data(writer, chunk_create(pcrs.ptr,
														pcrs.len - 1));
					break;
				case 33:
					write_entry(writer, 0x0012, 8, 32, 32, 0);
					break;
				case 34:
					write_entry(writer, TPM2_ALG_SHA256, 24, 32, 32, 0);
					break;
				case 35:
					write_entry(writer, TPM2_ALG_SHA256, 255, 32, 32, 0);
					break;
				case 36:
					write_entry(writer, TPM2_ALG_SHA256, 5, 32, 32, 0);
					break;
				case 44:
					write_entry(writer, 0, 0, 0, 0, 0);
					break;
			}
			chunk_free(&pcrs);
			pcrs = writer->extract_buf(writer);
			writer->destroy(writer);
			attrs[4].value = pcrs;
			break;
		case 37:
			chunk_free(&pcrs);
			pcrs = many_pcrs(65);
			attrs[4].value = pcrs;
			break;
		case 38:
			chunk_free(&pcrs);
			pcrs = chunk_alloc(RATKN_EVIDENCE_MAX_PCRS * 68 + 1);
			memset(pcrs.ptr, 0, pcrs.len);
			attrs[4].value = pcrs;
			break;
		case 39:	/* garbage after the attributes */
			extra = chunk_create(garbage, 1);
			break;
		case 40:	/* attribute running past the end */
			extra = chunk_create(past_end, sizeof(past_end));
			break;
		case 41:	/* header only */
			count = 0;
			break;
		case 42:
		case 43:
			break;
	}
	data = encode(version, role, format, attrs, count);
	if (extra.len)
	{
		data = chunk_cat("mc", data, extra);
	}
	if (_i == 42)
	{
		data.len = 3;
	}
	if (_i == 43)
	{
		data.len = 0;
	}
	ck_assert(ratkn_evidence_parse(data) == NULL);
	ck_assert_msg(strstr(logged, "malformed RATKN_EVIDENCE: "),
				  "no reason in '%s'", logged);
	ck_assert_msg(strstr(logged, malformed[_i].reason), "'%s' not in '%s'",
				  malformed[_i].reason, logged);
	chunk_free(&data);
	chunk_free(&pcrs);
	chunk_free(&blob);
}
END_TEST

START_TEST(test_parse_truncated)
{
	ratkn_evidence_t *evidence;
	attr_t attrs[ATTRS];
	chunk_t pcrs, data, copy;
	size_t len;

	default_attrs(attrs, &pcrs);
	data = encode(1, RATKN_IKE_RESPONDER, 1, attrs, ATTRS);
	evidence = ratkn_evidence_parse(data);
	ck_assert(evidence);
	evidence->destroy(evidence);

	for (len = 0; len < data.len; len++)
	{	/* exactly sized copies, so out of bounds reads are detectable */
		copy = chunk_clone(chunk_create(data.ptr, len));
		ck_assert_msg(ratkn_evidence_parse(copy) == NULL, "len %zu", len);
		chunk_free(&copy);
	}
	chunk_free(&data);
	chunk_free(&pcrs);
}
END_TEST

START_TEST(test_create_reject)
{
	chunk_t s = chunk_from_thing(session), id = chunk_from_thing(identity);
	chunk_t q = chunk_from_thing(quote), sig = chunk_from_thing(signature);
	chunk_t a = chunk_from_thing(ak), big, pcrs;
	ratkn_pcr_values_t *values;
	uint8_t digest[64];
	int i;

	big = chunk_alloc(RATKN_EVIDENCE_MAX_BLOB + 1);
	memset(big.ptr, 0, big.len);

	ck_assert(!ratkn_evidence_create(0, s, id, q, sig, a, default_values()));
	ck_assert(!ratkn_evidence_create(3, s, id, q, sig, a, default_values()));
	ck_assert(!ratkn_evidence_create(RATKN_IKE_INITIATOR,
						chunk_create(s.ptr, 31), id, q, sig, a,
						default_values()));
	ck_assert(!ratkn_evidence_create(RATKN_IKE_INITIATOR, s, chunk_empty, q,
						sig, a, default_values()));
	ck_assert(!ratkn_evidence_create(RATKN_IKE_INITIATOR, s, id, big, sig, a,
						default_values()));
	ck_assert(!ratkn_evidence_create(RATKN_IKE_INITIATOR, s, id, q, big, a,
						default_values()));
	ck_assert(!ratkn_evidence_create(RATKN_IKE_INITIATOR, s, id, q, sig, big,
						default_values()));
	ck_assert(!ratkn_evidence_create(RATKN_IKE_INITIATOR, s, id, chunk_empty,
						sig, a, default_values()));
	ck_assert(!ratkn_evidence_create(RATKN_IKE_INITIATOR, s, id, q, sig, a,
						NULL));

	/* more than 64 PCR values */
	pcrs = many_pcrs(65);
	chunk_free(&pcrs);
	values = ratkn_pcr_values_create();
	memset(digest, 0, sizeof(digest));
	for (i = 0; i < 65; i++)
	{
		ck_assert(values->add(values, i < 24 ? TPM2_ALG_SHA1 :
							  i < 48 ? TPM2_ALG_SHA256 : TPM2_ALG_SHA512,
							  i % 24, chunk_create(digest, i < 24 ? 20 :
												   i < 48 ? 32 : 64)));
	}
	ck_assert(!ratkn_evidence_create(RATKN_IKE_INITIATOR, s, id, q, sig, a,
									 values));
	chunk_free(&big);
}
END_TEST

Suite *evidence_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("evidence");

	tc = tcase_create("codec");
	tcase_add_checked_fixture(tc, setup_data, teardown_capture);
	tcase_add_loop_test(tc, test_roundtrip, 0, 2);
	tcase_add_loop_test(tc, test_parse_variants, 0, 3);
	tcase_add_test(tc, test_share_cert);
	tcase_add_test(tc, test_challenge);
	tcase_add_test(tc, test_clock_info);
	tcase_add_loop_test(tc, test_share_cert_partial, 0, 2);
	tcase_add_test(tc, test_parse_limits);
	tcase_add_loop_test(tc, test_parse_malformed, 0, countof(malformed));
	tcase_add_test(tc, test_parse_truncated);
	tcase_add_test(tc, test_create_reject);
	suite_add_tcase(s, tc);

	return s;
}
