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

#include "ratkn_jwe.h"
#include "ratkn_types.h"
#include "ratkn_base64url.h"

#include <ctype.h>

#include <cjose/cjose.h>
#include <jansson.h>

#include <openssl/err.h>
#include <openssl/evp.h>

/**
 * Tolerated clock difference for "iat" in the future, in seconds
 */
#define CLOCK_SKEW 60

/**
 * Header parameters a release may carry; anything else is rejected
 */
static char *known_params[] = {
	"alg", "enc", "cty", "epk", "apv",
};

/*
 * Described in header
 */
bool ratkn_key_name_valid(char *name)
{
	size_t len;

	if (!name)
	{
		return FALSE;
	}
	len = strlen(name);
	if (!len || len > RATKN_KEY_NAME_MAX || !isalnum((u_char)name[0]))
	{
		return FALSE;
	}
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "0123456789._-") == len;
}

/*
 * Described in header
 */
bool ratkn_jwe_supported(uint16_t group)
{
	/* cjose 0.6.2 knows EC keys on NIST curves only: no OKP (RFC 8037),
	 * so no X25519/X448 recipients */
	return group == 19 || group == 20;
}

/**
 * cjose curve and coordinate length of a group
 */
static bool curve_of(uint16_t group, cjose_jwk_ec_curve *crv, size_t *len)
{
	switch (group)
	{
		case 19:
			*crv = CJOSE_JWK_EC_P_256;
			*len = 32;
			return TRUE;
		case 20:
			*crv = CJOSE_JWK_EC_P_384;
			*len = 48;
			return TRUE;
		default:
			return FALSE;
	}
}

/**
 * Build a cjose JWK from IKE encoded public value and optional scalar
 */
static cjose_jwk_t *make_jwk(uint16_t group, chunk_t pub, chunk_t priv)
{
	cjose_jwk_ec_keyspec spec = {};
	cjose_jwk_t *jwk;
	cjose_err err;
	size_t len;

	if (!curve_of(group, &spec.crv, &len))
	{
		DBG1(DBG_LIB, "ratkn: no key release to keys of group %d (P-256 "
			 "and P-384 only, cjose has no X25519)", group);
		return NULL;
	}
	if (pub.len != 2 * len || (priv.len && priv.len != len))
	{
		DBG1(DBG_LIB, "ratkn: recipient key of group %d has the wrong "
			 "length", group);
		return NULL;
	}
	spec.x = pub.ptr;
	spec.xlen = len;
	spec.y = pub.ptr + len;
	spec.ylen = len;
	if (priv.len)
	{
		spec.d = priv.ptr;
		spec.dlen = priv.len;
	}
	jwk = cjose_jwk_create_EC_spec(&spec, &err);
	if (!jwk)
	{
		DBG1(DBG_LIB, "ratkn: invalid recipient key: %s", err.message);
	}
	ERR_clear_error();
	return jwk;
}

/**
 * Encode base64url without padding (allocated)
 */
static char *b64url(chunk_t data)
{
	char *out = NULL, *copy;
	size_t len;
	cjose_err err;

	if (!cjose_base64url_encode(data.ptr, data.len, &out, &len, &err))
	{
		return NULL;
	}
	/* allocated by cjose's allocator, hand out a malloc()ed copy */
	copy = strndup(out, len);
	memwipe(out, len);
	cjose_get_dealloc()(out);
	return copy;
}

/**
 * Decode a NUL-terminated base64url string strictly
 */
static bool b64url_decode(const char *str, chunk_t *out)
{
	return ratkn_base64url_decode(str, strlen(str), out);
}

/**
 * Set a base64url member, FALSE on error
 */
static bool set_b64url(json_t *obj, char *key, chunk_t data)
{
	char *encoded;
	bool ok;

	encoded = b64url(data);
	if (!encoded)
	{
		return FALSE;
	}
	ok = json_object_set_new(obj, key, json_string(encoded)) == 0;
	memwipe(encoded, strlen(encoded));
	free(encoded);
	return ok;
}

/**
 * Wipe the value of a JSON string member in place (jansson does not wipe)
 */
static void wipe_member(json_t *obj, char *key)
{
	json_t *value;

	value = json_object_get(obj, key);
	if (json_is_string(value))
	{
		memwipe((char*)json_string_value(value), json_string_length(value));
	}
}

/**
 * Format the key id of a key
 */
static void format_kid(char *buf, size_t len, char *name, uint32_t version)
{
	snprintf(buf, len, "%s:%u", name, version);
}

/*
 * Described in header
 */
char *ratkn_jwe_wrap(ratkn_jwe_claims_t *claims, uint16_t group,
					 chunk_t recipient, chunk_t binding)
{
	char kid[RATKN_KEY_NAME_MAX + 16], *json = NULL, *apv = NULL, *out = NULL;
	cjose_header_t *hdr = NULL;
	cjose_jwe_t *jwe = NULL;
	cjose_jwk_t *jwk;
	cjose_err err;
	json_t *obj;

	if (!ratkn_key_name_valid(claims->name) || !claims->version ||
		!claims->usage || !*claims->usage)
	{
		DBG1(DBG_LIB, "ratkn: invalid key name, version or usage for a "
			 "release");
		return NULL;
	}
	if (claims->key.len < RATKN_JWE_MIN_KEY ||
		claims->key.len > RATKN_JWE_MAX_KEY ||
		claims->edek.len > RATKN_JWE_MAX_EDEK)
	{
		DBG1(DBG_LIB, "ratkn: key or EDEK of '%s' has an invalid length",
			 claims->name);
		return NULL;
	}
	if (claims->exp <= claims->iat)
	{
		DBG1(DBG_LIB, "ratkn: release of '%s' would expire before it is "
			 "issued", claims->name);
		return NULL;
	}
	if (binding.len != RATKN_HASH_LEN)
	{
		DBG1(DBG_LIB, "ratkn: release binding must have %d octets",
			 RATKN_HASH_LEN);
		return NULL;
	}
	jwk = make_jwk(group, recipient, chunk_empty);
	if (!jwk)
	{
		return NULL;
	}

	format_kid(kid, sizeof(kid), claims->name, claims->version);
	obj = json_object();
	json_object_set_new(obj, "kid", json_string(kid));
	json_object_set_new(obj, "name", json_string(claims->name));
	json_object_set_new(obj, "ver", json_integer(claims->version));
	json_object_set_new(obj, "use", json_string(claims->usage));
	json_object_set_new(obj, "iat", json_integer(claims->iat));
	json_object_set_new(obj, "exp", json_integer(claims->exp));
	if (set_b64url(obj, "k", claims->key) &&
		(!claims->edek.len || set_b64url(obj, "edek", claims->edek)))
	{
		json = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	}
	wipe_member(obj, "k");
	json_decref(obj);
	apv = b64url(binding);
	hdr = cjose_header_new(&err);
	if (!json || !apv || !hdr ||
		!cjose_header_set(hdr, CJOSE_HDR_ALG, CJOSE_HDR_ALG_ECDH_ES, &err) ||
		!cjose_header_set(hdr, CJOSE_HDR_ENC, CJOSE_HDR_ENC_A256GCM, &err) ||
		!cjose_header_set(hdr, CJOSE_HDR_CTY, RATKN_JWE_CTY, &err) ||
		!cjose_header_set(hdr, CJOSE_HDR_APV, apv, &err))
	{
		DBG1(DBG_LIB, "ratkn: preparing the release of '%s' failed", kid);
		goto out;
	}
	jwe = cjose_jwe_encrypt(jwk, hdr, (uint8_t*)json, strlen(json), &err);
	if (!jwe)
	{
		DBG1(DBG_LIB, "ratkn: encrypting the release of '%s' failed: %s",
			 kid, err.message);
		goto out;
	}
	out = cjose_jwe_export(jwe, &err);
	if (!out)
	{
		DBG1(DBG_LIB, "ratkn: encoding the release of '%s' failed: %s",
			 kid, err.message);
	}
	else
	{
		DBG2(DBG_LIB, "ratkn: released '%s' (%s) until %ld, %d octets JWE",
			 kid, claims->usage, (long)claims->exp, (int)strlen(out));
	}

out:
	if (json)
	{
		memwipe(json, strlen(json));
		free(json);
	}
	free(apv);
	if (jwe)
	{
		cjose_jwe_release(jwe);
	}
	if (hdr)
	{
		cjose_header_release(hdr);
	}
	cjose_jwk_release(jwk);
	ERR_clear_error();
	return out;
}

typedef struct private_ratkn_jwe_key_t private_ratkn_jwe_key_t;

/**
 * Private data of a ratkn_jwe_key_t object.
 */
struct private_ratkn_jwe_key_t {

	/**
	 * Public interface.
	 */
	ratkn_jwe_key_t public;

	/**
	 * Claims, strings and chunks allocated
	 */
	ratkn_jwe_claims_t claims;

	/**
	 * Key id
	 */
	char kid[RATKN_KEY_NAME_MAX + 16];
};

METHOD(ratkn_jwe_key_t, get_claims, ratkn_jwe_claims_t*,
	private_ratkn_jwe_key_t *this)
{
	return &this->claims;
}

METHOD(ratkn_jwe_key_t, get_kid, char*,
	private_ratkn_jwe_key_t *this)
{
	return this->kid;
}

METHOD(ratkn_jwe_key_t, destroy, void,
	private_ratkn_jwe_key_t *this)
{
	chunk_clear(&this->claims.key);
	chunk_free(&this->claims.edek);
	free(this->claims.name);
	free(this->claims.usage);
	free(this);
}

/**
 * Print a failure reason
 */
static void fail(char *reason, size_t len, char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(reason, len, fmt, args);
	va_end(args);
}

/**
 * Check that a compact JWE has five parts, each canonical base64url: cjose
 * 0.6 aborts on some malformed encodings (an assertion in its decoder)
 * instead of failing, so nothing it decodes may reach it unchecked
 */
static bool check_segments(char *token)
{
	char *pos = token, *dot;
	chunk_t raw;
	int i;

	for (i = 0; i < 5; i++)
	{
		dot = strchr(pos, '.');
		if ((i < 4) != (dot != NULL))
		{
			return FALSE;
		}
		if (!ratkn_base64url_decode(pos, dot ? dot - pos : strlen(pos), &raw))
		{
			return FALSE;
		}
		chunk_clear(&raw);
		if (dot)
		{
			pos = dot + 1;
		}
	}
	return TRUE;
}

/**
 * Check the ephemeral public key of the sender (epk) before cjose imports
 * it: an EC JWK on the recipient's curve with exactly kty, crv, x and y,
 * coordinates canonical base64url of the field size
 */
static bool check_epk(json_t *epk, uint16_t group)
{
	cjose_jwk_ec_curve crv;
	const char *key;
	json_t *member;
	chunk_t coord;
	size_t coord_len;
	bool ok;

	if (!json_is_object(epk) || json_object_size(epk) != 4 ||
		!curve_of(group, &crv, &coord_len) ||
		!json_is_string(json_object_get(epk, "kty")) ||
		!streq(json_string_value(json_object_get(epk, "kty")), "EC") ||
		!json_is_string(json_object_get(epk, "crv")) ||
		!streq(json_string_value(json_object_get(epk, "crv")),
			   group == 19 ? "P-256" : "P-384"))
	{
		return FALSE;
	}
	json_object_foreach(epk, key, member)
	{
		if (streq(key, "kty") || streq(key, "crv"))
		{
			continue;
		}
		if ((!streq(key, "x") && !streq(key, "y")) || !json_is_string(member) ||
			!ratkn_base64url_decode(json_string_value(member),
									json_string_length(member), &coord))
		{
			return FALSE;
		}
		ok = coord.len == coord_len;
		chunk_free(&coord);
		if (!ok)
		{
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * Check the protected header of a release
 */
static bool check_header(cjose_jwe_t *jwe, uint16_t group, chunk_t binding,
						 char *reason, size_t len)
{
	cjose_header_t *hdr;
	const char *value, *key;
	chunk_t apv;
	json_t *obj, *member;
	bool ok = FALSE;
	int i;

	hdr = cjose_jwe_get_protected(jwe);
	if (!hdr)
	{
		fail(reason, len, "release has no protected header");
		return FALSE;
	}
	/* cjose_header_t is a jansson object */
	obj = (json_t*)hdr;
	json_object_foreach(obj, key, member)
	{
		for (i = 0; i < countof(known_params); i++)
		{
			if (streq(key, known_params[i]))
			{
				break;
			}
		}
		if (i == countof(known_params))
		{
			fail(reason, len, "release has unexpected header parameter '%s'",
				 key);
			return FALSE;
		}
	}
	value = cjose_header_get(hdr, CJOSE_HDR_ALG, NULL);
	if (!value || !streq(value, CJOSE_HDR_ALG_ECDH_ES))
	{
		fail(reason, len, "release alg is '%s', not ECDH-ES", value ?: "");
		return FALSE;
	}
	value = cjose_header_get(hdr, CJOSE_HDR_ENC, NULL);
	if (!value || !streq(value, CJOSE_HDR_ENC_A256GCM))
	{
		fail(reason, len, "release enc is '%s', not A256GCM", value ?: "");
		return FALSE;
	}
	value = cjose_header_get(hdr, CJOSE_HDR_CTY, NULL);
	if (!value || !streq(value, RATKN_JWE_CTY))
	{
		fail(reason, len, "release cty is '%s', not " RATKN_JWE_CTY,
			 value ?: "");
		return FALSE;
	}
	if (!check_epk(json_object_get(obj, CJOSE_HDR_EPK), group))
	{
		fail(reason, len, "release has no valid ephemeral key (epk)");
		return FALSE;
	}
	value = cjose_header_get(hdr, CJOSE_HDR_APV, NULL);
	if (!value || !b64url_decode(value, &apv))
	{
		fail(reason, len, "release has no valid session binding (apv)");
		return FALSE;
	}
	if (apv.len == RATKN_HASH_LEN && binding.len == RATKN_HASH_LEN &&
		memeq_const(apv.ptr, binding.ptr, RATKN_HASH_LEN))
	{
		ok = TRUE;
	}
	else
	{
		fail(reason, len, "release is bound to another session");
	}
	chunk_free(&apv);
	return ok;
}

/**
 * Get an integer claim
 */
static bool get_int(json_t *obj, char *key, int64_t min, int64_t max,
					int64_t *value)
{
	json_t *member;

	member = json_object_get(obj, key);
	if (!json_is_integer(member))
	{
		return FALSE;
	}
	*value = json_integer_value(member);
	return *value >= min && *value <= max;
}

/**
 * Get a string claim (borrowed)
 */
static const char *get_str(json_t *obj, char *key)
{
	json_t *member;

	member = json_object_get(obj, key);
	if (!json_is_string(member) || !*json_string_value(member) ||
		strlen(json_string_value(member)) != json_string_length(member))
	{
		return NULL;
	}
	return json_string_value(member);
}

/**
 * Parse the claims of a decrypted release into this
 */
static bool parse_claims(private_ratkn_jwe_key_t *this, json_t *obj,
						 time_t now, char *reason, size_t len)
{
	const char *name, *usage, *kid, *k, *edek;
	int64_t ver, iat, exp;

	name = get_str(obj, "name");
	usage = get_str(obj, "use");
	kid = get_str(obj, "kid");
	if (!name || !ratkn_key_name_valid((char*)name) || !usage ||
		strlen(usage) > 32 ||
		!get_int(obj, "ver", 1, UINT32_MAX, &ver) ||
		!get_int(obj, "iat", 0, INT32_MAX * 1024LL, &iat) ||
		!get_int(obj, "exp", 0, INT32_MAX * 1024LL, &exp))
	{
		fail(reason, len, "release claims incomplete or invalid");
		return FALSE;
	}
	this->claims.name = strdup(name);
	this->claims.usage = strdup(usage);
	this->claims.version = ver;
	this->claims.iat = iat;
	this->claims.exp = exp;
	format_kid(this->kid, sizeof(this->kid), this->claims.name, ver);
	if (!kid || !streq(kid, this->kid))
	{
		fail(reason, len, "release kid does not match name and version");
		return FALSE;
	}
	k = get_str(obj, "k");
	if (!k || !b64url_decode(k, &this->claims.key) ||
		this->claims.key.len < RATKN_JWE_MIN_KEY ||
		this->claims.key.len > RATKN_JWE_MAX_KEY)
	{
		fail(reason, len, "release of '%s' has no valid key", this->kid);
		return FALSE;
	}
	if (json_object_get(obj, "edek"))
	{
		edek = get_str(obj, "edek");
		if (!edek || !b64url_decode(edek, &this->claims.edek) ||
			!this->claims.edek.len ||
			this->claims.edek.len > RATKN_JWE_MAX_EDEK)
		{
			fail(reason, len, "release of '%s' has an invalid EDEK",
				 this->kid);
			return FALSE;
		}
	}
	if (exp <= iat)
	{
		fail(reason, len, "release of '%s' expires before it was issued",
			 this->kid);
		return FALSE;
	}
	if (iat > now + CLOCK_SKEW)
	{
		fail(reason, len, "release of '%s' is issued in the future",
			 this->kid);
		return FALSE;
	}
	if (now >= exp)
	{
		fail(reason, len, "release of '%s' expired %ld s ago", this->kid,
			 (long)(now - exp));
		return FALSE;
	}
	return TRUE;
}

/**
 * Decrypt the payload of an imported release whose header has been checked.
 *
 * @param data			decrypter specific data
 * @param jwe			imported release
 * @param token			compact JWE the release was imported from
 * @param group			group of the recipient key
 * @param plain			plaintext (allocated, wiped by the caller)
 * @param reason		receives the reason on failure
 * @param len			size of reason
 * @return				TRUE if decrypted and authenticated
 */
typedef bool (*decrypt_t)(void *data, cjose_jwe_t *jwe, char *token,
						  uint16_t group, chunk_t *plain, char *reason,
						  size_t len);

/**
 * Reason for a release that does not decrypt
 */
#define NO_DECRYPT "release does not decrypt (wrong recipient key or modified)"

/**
 * Decrypt with cjose, data is the recipient's cjose_jwk_t with private key
 */
static bool decrypt_cjose(void *data, cjose_jwe_t *jwe, char *token,
						  uint16_t group, chunk_t *plain, char *reason,
						  size_t len)
{
	cjose_jwk_t *jwk = data;
	cjose_err err;
	uint8_t *out;
	size_t out_len = 0;

	out = cjose_jwe_decrypt(jwe, jwk, &out_len, &err);
	if (!out)
	{
		fail(reason, len, NO_DECRYPT);
		return FALSE;
	}
	/* allocated by cjose's allocator, hand out a malloc()ed copy */
	*plain = chunk_clone(chunk_create(out, out_len));
	memwipe(out, out_len);
	cjose_get_dealloc()(out);
	return TRUE;
}

/**
 * Key agreement callback and its context, for decrypt_agree()
 */
typedef struct {
	ratkn_jwe_agree_t agree;
	void *ctx;
} agree_data_t;

/**
 * Octets of the IV and of the authentication tag of A256GCM (RFC 7518
 * section 5.3), and of its key
 */
#define GCM_IV_LEN 12
#define GCM_TAG_LEN 16
#define GCM_KEY_LEN 32

/**
 * Get the n-th segment of a compact JWE (borrowed, check_segments() has
 * verified that there are five)
 */
static chunk_t get_segment(char *token, int n)
{
	char *pos = token;

	for (; n > 0; n--)
	{
		pos = strchr(pos, '.') + 1;
	}
	return chunk_create(pos, strcspn(pos, "."));
}

/**
 * Decode a segment of a compact JWE, which check_segments() has verified
 * (allocated, empty on error)
 */
static chunk_t decode_segment(char *token, int n)
{
	chunk_t seg, out;

	seg = get_segment(token, n);
	if (!ratkn_base64url_decode(seg.ptr, seg.len, &out))
	{
		return chunk_empty;
	}
	return out;
}

/**
 * Decode a base64url string member of a JSON object (allocated)
 */
static bool decode_member(json_t *obj, const char *key, chunk_t *out)
{
	json_t *member;

	member = json_object_get(obj, key);
	return json_is_string(member) &&
		   ratkn_base64url_decode(json_string_value(member),
								  json_string_length(member), out);
}

/**
 * Get the sender's ephemeral public value (epk) of a release in IKEv2 KE
 * encoding, check_epk() has verified the coordinates (allocated)
 */
static bool get_epk(json_t *hdr, chunk_t *epk)
{
	json_t *obj;
	chunk_t x, y;

	obj = json_object_get(hdr, CJOSE_HDR_EPK);
	if (!decode_member(obj, "x", &x))
	{
		return FALSE;
	}
	if (!decode_member(obj, "y", &y))
	{
		chunk_free(&x);
		return FALSE;
	}
	*epk = chunk_cat("mm", x, y);
	return TRUE;
}

/**
 * Get the decoded PartyUInfo/PartyVInfo from the apu/apv header parameter,
 * empty if absent (allocated)
 */
static bool get_party_info(json_t *hdr, const char *key, chunk_t *info)
{
	*info = chunk_empty;
	if (!json_object_get(hdr, key))
	{
		return TRUE;
	}
	return decode_member(hdr, key, info);
}

/**
 * Hash a Concat KDF field with its 32-bit length prefix
 */
static bool hash_field(EVP_MD_CTX *ctx, chunk_t field)
{
	uint32_t prefix = htonl(field.len);

	return EVP_DigestUpdate(ctx, &prefix, sizeof(prefix)) == 1 &&
		   EVP_DigestUpdate(ctx, field.ptr, field.len) == 1;
}

/**
 * Derive the content encryption key of ECDH-ES with A256GCM from Z: the
 * Concat KDF of NIST SP 800-56A with SHA-256 as in RFC 7518 section 4.6.2,
 * a single round for 256 bits
 */
static bool concat_kdf(chunk_t z, chunk_t apu, chunk_t apv,
					   u_char cek[GCM_KEY_LEN])
{
	uint32_t counter = htonl(1), keydatalen = htonl(GCM_KEY_LEN * 8);
	EVP_MD_CTX *ctx;
	u_int out_len = 0;
	bool ok;

	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
		 EVP_DigestUpdate(ctx, &counter, sizeof(counter)) == 1 &&
		 EVP_DigestUpdate(ctx, z.ptr, z.len) == 1 &&
		 /* AlgorithmID is "enc" for direct key agreement */
		 hash_field(ctx, chunk_from_str((char*)CJOSE_HDR_ENC_A256GCM)) &&
		 hash_field(ctx, apu) &&
		 hash_field(ctx, apv) &&
		 /* SuppPubInfo is keydatalen in bits, SuppPrivInfo is empty */
		 EVP_DigestUpdate(ctx, &keydatalen, sizeof(keydatalen)) == 1 &&
		 EVP_DigestFinal_ex(ctx, cek, &out_len) == 1 &&
		 out_len == GCM_KEY_LEN;
	/* cleanses the digest state, which depends on Z */
	EVP_MD_CTX_free(ctx);
	return ok;
}

/**
 * Decrypt A256GCM, the protected header (as in the token) is the AAD
 */
static bool decrypt_gcm(u_char cek[GCM_KEY_LEN], chunk_t aad, chunk_t iv,
						chunk_t ct, chunk_t tag, chunk_t *plain)
{
	EVP_CIPHER_CTX *ctx;
	int out_len = 0, final_len = 0;
	bool ok;

	if (ct.len > INT_MAX || aad.len > INT_MAX)
	{
		return FALSE;
	}
	/* one more octet, so the buffer is not empty for no ciphertext */
	*plain = chunk_alloc(ct.len + 1);
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx &&
		 EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
		 EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, iv.len, NULL) == 1 &&
		 EVP_DecryptInit_ex(ctx, NULL, NULL, cek, iv.ptr) == 1 &&
		 EVP_DecryptUpdate(ctx, NULL, &out_len, aad.ptr, aad.len) == 1 &&
		 EVP_DecryptUpdate(ctx, plain->ptr, &out_len, ct.ptr, ct.len) == 1 &&
		 EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, tag.len,
							 tag.ptr) == 1 &&
		 EVP_DecryptFinal_ex(ctx, plain->ptr + out_len, &final_len) == 1 &&
		 out_len + final_len == ct.len;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
	{
		chunk_clear(plain);
		return FALSE;
	}
	plain->len = ct.len;
	return TRUE;
}

/**
 * Decrypt ECDH-ES with A256GCM, the shared secret computed by a callback,
 * data is an agree_data_t
 */
static bool decrypt_agree(void *data, cjose_jwe_t *jwe, char *token,
						  uint16_t group, chunk_t *plain, char *reason,
						  size_t len)
{
	agree_data_t *agree = data;
	cjose_jwk_ec_curve crv;
	json_t *hdr;
	chunk_t iv = chunk_empty, ct = chunk_empty, tag = chunk_empty;
	chunk_t epk = chunk_empty, z = chunk_empty;
	chunk_t apu = chunk_empty, apv = chunk_empty;
	u_char cek[GCM_KEY_LEN];
	size_t coord_len;
	bool ok = FALSE;

	/* the header is a jansson object, check_header() verified it */
	hdr = (json_t*)cjose_jwe_get_protected(jwe);
	if (!curve_of(group, &crv, &coord_len) || !hdr)
	{
		fail(reason, len, NO_DECRYPT);
		return FALSE;
	}
	/* unwrap() checked the encrypted key (none), IV and tag lengths */
	iv = decode_segment(token, 2);
	ct = decode_segment(token, 3);
	tag = decode_segment(token, 4);
	if (iv.len != GCM_IV_LEN || tag.len != GCM_TAG_LEN ||
		!get_epk(hdr, &epk) || epk.len != 2 * coord_len ||
		!get_party_info(hdr, CJOSE_HDR_APU, &apu) ||
		!get_party_info(hdr, CJOSE_HDR_APV, &apv))
	{
		fail(reason, len, NO_DECRYPT);
		goto out;
	}
	if (!agree->agree(agree->ctx, epk, &z))
	{
		fail(reason, len, "computing the shared secret with the release's "
			 "ephemeral key failed");
		goto out;
	}
	if (z.len != coord_len)
	{
		fail(reason, len, "shared secret with the release's ephemeral key "
			 "has %zu octets, not %zu", z.len, coord_len);
		goto out;
	}
	if (!concat_kdf(z, apu, apv, cek))
	{
		fail(reason, len, "deriving the key of the release failed");
		goto out;
	}
	if (!decrypt_gcm(cek, get_segment(token, 0), iv, ct, tag, plain))
	{
		fail(reason, len, NO_DECRYPT);
		goto out;
	}
	ok = TRUE;

out:
	memwipe(cek, sizeof(cek));
	chunk_clear(&z);
	chunk_free(&iv);
	chunk_free(&ct);
	chunk_free(&tag);
	chunk_free(&epk);
	chunk_free(&apu);
	chunk_free(&apv);
	return ok;
}

/**
 * Check the presence and length of a release, sets the default reason
 */
static bool check_token(char *token, char *reason, size_t len)
{
	snprintf(reason, len, "invalid release");
	if (!token || strlen(token) > RATKN_JWE_MAX_LEN)
	{
		fail(reason, len, "release missing or too long");
		return FALSE;
	}
	return TRUE;
}

/**
 * Verify and unwrap a release (checked with check_token()), decrypting it
 * with the given function
 */
static ratkn_jwe_key_t *unwrap(char *token, uint16_t group, chunk_t binding,
							   time_t now, decrypt_t decrypt, void *data,
							   char *reason, size_t len)
{
	private_ratkn_jwe_key_t *this = NULL;
	cjose_jwe_t *jwe = NULL;
	cjose_err err;
	chunk_t plain = chunk_empty;
	json_error_t error;
	json_t *obj = NULL;
	bool ok = FALSE;

	if (!check_segments(token))
	{
		fail(reason, len, "release is no compact JWE of five base64url parts");
		goto out;
	}
	jwe = cjose_jwe_import(token, strlen(token), &err);
	if (!jwe)
	{
		fail(reason, len, "release is no compact JWE: %s", err.message);
		goto out;
	}
	if (!check_header(jwe, group, binding, reason, len))
	{
		goto out;
	}
	/* cjose 0.6 uses the first 12 octets of any IV (reading past a shorter
	 * one) and ignores an encrypted key: check what both paths rely on
	 * (check_segments() made sure the parts are canonical base64url) */
	if (get_segment(token, 1).len)
	{
		fail(reason, len, "release has an encrypted key, ECDH-ES uses none");
		goto out;
	}
	if (get_segment(token, 2).len != 16)
	{
		fail(reason, len, "release IV is not of 12 octets");
		goto out;
	}
	if (get_segment(token, 4).len != 22)
	{
		fail(reason, len, "release tag is not of 16 octets");
		goto out;
	}
	if (!decrypt(data, jwe, token, group, &plain, reason, len))
	{
		goto out;
	}
	obj = json_loadb((char*)plain.ptr, plain.len, JSON_REJECT_DUPLICATES,
					 &error);
	if (!json_is_object(obj))
	{
		fail(reason, len, "release claims are no JSON object");
		goto out;
	}
	INIT(this,
		.public = {
			.get_claims = _get_claims,
			.get_kid = _get_kid,
			.destroy = _destroy,
		},
	);
	ok = parse_claims(this, obj, now, reason, len);

out:
	if (obj)
	{
		wipe_member(obj, "k");
		json_decref(obj);
	}
	chunk_clear(&plain);
	if (jwe)
	{
		cjose_jwe_release(jwe);
	}
	ERR_clear_error();
	if (!ok)
	{
		if (this)
		{
			destroy(this);
		}
		DBG1(DBG_LIB, "ratkn: %s", reason);
		return NULL;
	}
	DBG2(DBG_LIB, "ratkn: unwrapped '%s' (%s), valid until %ld", this->kid,
		 this->claims.usage, (long)this->claims.exp);
	return &this->public;
}

/*
 * Described in header
 */
ratkn_jwe_key_t *ratkn_jwe_unwrap(char *token, uint16_t group, chunk_t priv,
								  chunk_t pub, chunk_t binding, time_t now,
								  char *reason, size_t len)
{
	ratkn_jwe_key_t *key;
	cjose_jwk_t *jwk;

	if (!check_token(token, reason, len))
	{
		return NULL;
	}
	if (!priv.len)
	{
		fail(reason, len, "no recipient private key");
		return NULL;
	}
	jwk = make_jwk(group, pub, priv);
	if (!jwk)
	{
		fail(reason, len, "unusable recipient key (group %d)", group);
		return NULL;
	}
	key = unwrap(token, group, binding, now, decrypt_cjose, jwk, reason, len);
	cjose_jwk_release(jwk);
	ERR_clear_error();
	return key;
}

/*
 * Described in header
 */
ratkn_jwe_key_t *ratkn_jwe_unwrap_agree(char *token, uint16_t group,
										ratkn_jwe_agree_t agree, void *ctx,
										chunk_t binding, time_t now,
										char *reason, size_t len)
{
	agree_data_t data = {
		.agree = agree,
		.ctx = ctx,
	};

	if (!check_token(token, reason, len))
	{
		return NULL;
	}
	if (!agree || !ratkn_jwe_supported(group))
	{
		fail(reason, len, "unusable recipient key (group %d)", group);
		DBG1(DBG_LIB, "ratkn: %s", reason);
		return NULL;
	}
	return unwrap(token, group, binding, now, decrypt_agree, &data, reason,
				  len);
}
