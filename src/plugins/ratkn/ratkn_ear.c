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

#include "ratkn_ear.h"
#include "ratkn_types.h"
#include "ratkn_base64url.h"

#include <jansson.h>
#include <jwt.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

/**
 * Longest token accepted (the TOKEN attribute of RATKN_RESULT)
 */
#define MAX_TOKEN 8192

/**
 * Tolerated clock difference for "iat" in the future, in seconds
 */
#define CLOCK_SKEW 60

/**
 * JSON keys of the trustworthiness vector, indexed as claims->trust
 */
static char *tv_names[RATKN_EAR_TV_COUNT] = {
	[RATKN_EAR_TV_INSTANCE] = "instance-identity",
	[RATKN_EAR_TV_CONFIGURATION] = "configuration",
	[RATKN_EAR_TV_EXECUTABLES] = "executables",
	[RATKN_EAR_TV_HARDWARE] = "hardware",
};

/*
 * Described in header
 */
char *ratkn_ear_tv_name(int claim)
{
	return claim >= 0 && claim < RATKN_EAR_TV_COUNT ? tv_names[claim] : NULL;
}

/*
 * Described in header
 */
bool ratkn_ear_tv_from_name(char *name, int *claim)
{
	int i;

	for (i = 0; name && i < RATKN_EAR_TV_COUNT; i++)
	{
		if (streq(name, tv_names[i]))
		{
			*claim = i;
			return TRUE;
		}
	}
	return FALSE;
}

/*
 * Described in header
 */
char *ratkn_ear_status_name(ratkn_ear_status_t status)
{
	switch (status)
	{
		case RATKN_EAR_AFFIRMING:
			return "affirming";
		case RATKN_EAR_WARNING:
			return "warning";
		case RATKN_EAR_CONTRAINDICATED:
			return "contraindicated";
		case RATKN_EAR_NONE:
		default:
			return "none";
	}
}

/*
 * Described in header
 */
bool ratkn_ear_status_from_name(char *name, ratkn_ear_status_t *status)
{
	ratkn_ear_status_t all[] = {
		RATKN_EAR_NONE, RATKN_EAR_AFFIRMING, RATKN_EAR_WARNING,
		RATKN_EAR_CONTRAINDICATED,
	};
	int i;

	for (i = 0; name && i < countof(all); i++)
	{
		if (streq(name, ratkn_ear_status_name(all[i])))
		{
			*status = all[i];
			return TRUE;
		}
	}
	return FALSE;
}

typedef struct private_ratkn_ear_t private_ratkn_ear_t;

/**
 * Private data of a ratkn_ear_t object.
 */
struct private_ratkn_ear_t {

	/**
	 * Public interface.
	 */
	ratkn_ear_t public;

	/**
	 * Parsed claims, strings and chunks allocated
	 */
	ratkn_ear_claims_t claims;

	/**
	 * Token as received
	 */
	char *token;
};

METHOD(ratkn_ear_t, get_claims, ratkn_ear_claims_t*,
	private_ratkn_ear_t *this)
{
	return &this->claims;
}

METHOD(ratkn_ear_t, get_token, char*,
	private_ratkn_ear_t *this)
{
	return this->token;
}

METHOD(ratkn_ear_t, destroy, void,
	private_ratkn_ear_t *this)
{
	chunk_free(&this->claims.nonce);
	chunk_free(&this->claims.identity_hash);
	free(this->claims.verifier_build);
	free(this->claims.verifier_developer);
	free(this->claims.policy_id);
	free(this->claims.reason);
	free(this->token);
	free(this);
}

/**
 * Check that a PEM key is an EC P-256 key (private or public)
 */
static bool check_p256(chunk_t pem, bool private)
{
	EVP_PKEY *key;
	char group[32];
	bool ok;
	BIO *bio;

	if (!pem.len || pem.len > INT_MAX)
	{
		return FALSE;
	}
	bio = BIO_new_mem_buf(pem.ptr, pem.len);
	if (!bio)
	{
		return FALSE;
	}
	key = private ? PEM_read_bio_PrivateKey(bio, NULL, NULL, "")
				  : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ok = key && EVP_PKEY_is_a(key, "EC") &&
		 EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME,
										group, sizeof(group), NULL) &&
		 streq(group, "prime256v1");
	EVP_PKEY_free(key);
	ERR_clear_error();
	return ok;
}

/**
 * Add a base64url encoded binary value to a JSON object
 */
static void set_b64url(json_t *obj, char *key, chunk_t data)
{
	char *encoded;

	encoded = ratkn_base64url_encode(data);
	json_object_set_new(obj, key, json_string(encoded));
	free(encoded);
}

/**
 * Build the claims set of an EAR
 */
static json_t *build_claims(ratkn_ear_claims_t *claims)
{
	json_t *payload, *submod, *submods, *tv, *cnf, *vid;
	int i;

	vid = json_object();
	json_object_set_new(vid, "developer",
						json_string(claims->verifier_developer));
	json_object_set_new(vid, "build", json_string(claims->verifier_build));

	cnf = json_object();
	set_b64url(cnf, "x5t#S256", claims->identity_hash);

	tv = json_object();
	for (i = 0; i < RATKN_EAR_TV_COUNT; i++)
	{
		if (claims->trust[i] >= -128 && claims->trust[i] <= 127)
		{
			json_object_set_new(tv, tv_names[i],
								json_integer(claims->trust[i]));
		}
	}
	submod = json_object();
	json_object_set_new(submod, "ear.status",
						json_string(ratkn_ear_status_name(claims->status)));
	json_object_set_new(submod, "ear.trustworthiness-vector", tv);
	if (claims->policy_id)
	{
		json_object_set_new(submod, "ear.appraisal-policy-id",
							json_string(claims->policy_id));
	}
	if (claims->reason)
	{
		json_object_set_new(submod, "ratkn.reason",
							json_string(claims->reason));
	}
	submods = json_object();
	json_object_set_new(submods, RATKN_EAR_SUBMOD, submod);

	payload = json_object();
	json_object_set_new(payload, "eat_profile",
						json_string(RATKN_EAR_PROFILE));
	json_object_set_new(payload, "iat", json_integer(claims->iat));
	json_object_set_new(payload, "exp", json_integer(claims->exp));
	json_object_set_new(payload, "ear.verifier-id", vid);
	set_b64url(payload, "eat_nonce", claims->nonce);
	if (claims->fresh_since)
	{
		json_object_set_new(payload, "ratkn.fresh-since",
							json_integer(claims->fresh_since));
	}
	json_object_set_new(payload, "cnf", cnf);
	json_object_set_new(payload, "submods", submods);
	return payload;
}

/*
 * Described in header
 */
char *ratkn_ear_sign(ratkn_ear_claims_t *claims, chunk_t key_pem)
{
	ratkn_ear_status_t status;
	json_t *payload;
	jwt_t *jwt = NULL;
	char *json, *token = NULL;

	if (claims->nonce.len != RATKN_HASH_LEN ||
		claims->identity_hash.len != RATKN_HASH_LEN)
	{
		DBG1(DBG_LIB, "ratkn: EAR nonce and identity hash must have %d "
			 "octets", RATKN_HASH_LEN);
		return NULL;
	}
	if (!ratkn_ear_status_from_name(ratkn_ear_status_name(claims->status),
									&status) || status != claims->status)
	{
		DBG1(DBG_LIB, "ratkn: invalid EAR status %d", claims->status);
		return NULL;
	}
	if (!claims->verifier_developer || !claims->verifier_build)
	{
		DBG1(DBG_LIB, "ratkn: EAR verifier-id incomplete");
		return NULL;
	}
	if (claims->exp < claims->iat)
	{
		DBG1(DBG_LIB, "ratkn: EAR would expire before it is issued");
		return NULL;
	}
	if (!check_p256(key_pem, TRUE))
	{
		DBG1(DBG_LIB, "ratkn: EAR signing key is not an EC P-256 private "
			 "key in PEM");
		return NULL;
	}
	payload = build_claims(claims);
	json = json_dumps(payload, JSON_COMPACT);
	json_decref(payload);
	if (!json)
	{
		return NULL;
	}
	if (jwt_new(&jwt) != 0 ||
		jwt_add_grants_json(jwt, json) != 0 ||
		jwt_set_alg(jwt, JWT_ALG_ES256, key_pem.ptr, key_pem.len) != 0)
	{
		DBG1(DBG_LIB, "ratkn: preparing the EAR failed");
	}
	else
	{
		token = jwt_encode_str(jwt);
		if (!token)
		{
			DBG1(DBG_LIB, "ratkn: signing the EAR failed");
		}
	}
	if (jwt)
	{
		jwt_free(jwt);
	}
	free(json);
	ERR_clear_error();
	return token;
}

/**
 * Split a compact JWS into its three parts, each non-empty and in the
 * base64url alphabet
 */
static bool split_jws(char *token, chunk_t parts[3])
{
	char *pos = token, *dot;
	int i;

	for (i = 0; i < 3; i++)
	{
		dot = strchr(pos, '.');
		if ((i < 2 && !dot) || (i == 2 && dot))
		{
			return FALSE;
		}
		parts[i] = chunk_create(pos, dot ? dot - pos : strlen(pos));
		if (!parts[i].len)
		{
			return FALSE;
		}
		if (dot)
		{	/* no dot after the signature, NULL + 1 is undefined */
			pos = dot + 1;
		}
	}
	for (i = 0; i < 3; i++)
	{
		for (pos = parts[i].ptr; pos < (char*)parts[i].ptr + parts[i].len;
			 pos++)
		{
			if (!ratkn_base64url_char(*pos))
			{
				return FALSE;
			}
		}
	}
	return TRUE;
}

/**
 * Decode a base64url part and parse it as JSON object
 */
static json_t *decode_json(chunk_t part)
{
	json_error_t error;
	json_t *json;
	chunk_t raw;

	if (!ratkn_base64url_decode(part.ptr, part.len, &raw))
	{
		return NULL;
	}
	json = json_loadb(raw.ptr, raw.len, JSON_REJECT_DUPLICATES, &error);
	chunk_free(&raw);
	if (json && !json_is_object(json))
	{
		json_decref(json);
		return NULL;
	}
	return json;
}

/**
 * Check the JOSE header: ES256 only, no critical extensions
 */
static bool check_header(chunk_t part, char *reason, size_t len)
{
	json_t *header, *alg;
	bool ok = FALSE;

	header = decode_json(part);
	if (!header)
	{
		snprintf(reason, len, "not a JWS: the header is not a JSON object");
		return FALSE;
	}
	alg = json_object_get(header, "alg");
	if (!json_is_string(alg))
	{
		snprintf(reason, len, "not a JWS: no algorithm in the header");
	}
	else if (!streq(json_string_value(alg), "ES256"))
	{
		snprintf(reason, len, "algorithm '%.16s' not accepted, ES256 required",
				 json_string_value(alg));
	}
	else if (json_object_get(header, "crit"))
	{
		snprintf(reason, len, "unsupported critical header parameters");
	}
	else
	{
		ok = TRUE;
	}
	json_decref(header);
	return ok;
}

/**
 * Get a base64url encoded value of exactly RATKN_HASH_LEN octets
 */
static bool get_hash(json_t *obj, char *key, chunk_t *value)
{
	json_t *str;

	str = json_object_get(obj, key);
	if (!json_is_string(str))
	{
		return FALSE;
	}
	if (!ratkn_base64url_decode((char*)json_string_value(str), json_string_length(str),
					   value))
	{
		return FALSE;
	}
	if (value->len != RATKN_HASH_LEN)
	{
		chunk_free(value);
		return FALSE;
	}
	return TRUE;
}

/**
 * Get an optional string, cloned; FALSE if present but not a string
 */
static bool get_opt_string(json_t *obj, char *key, char **value)
{
	json_t *str;

	str = json_object_get(obj, key);
	if (!str)
	{
		return TRUE;
	}
	if (!json_is_string(str))
	{
		return FALSE;
	}
	*value = strdup(json_string_value(str));
	return TRUE;
}

/**
 * Find the submodule: "tpm2", or the only one there is
 */
static json_t *get_submod(json_t *submods)
{
	json_t *submod;
	const char *name;

	if (!json_is_object(submods))
	{
		return NULL;
	}
	submod = json_object_get(submods, RATKN_EAR_SUBMOD);
	if (!submod && json_object_size(submods) == 1)
	{
		json_object_foreach(submods, name, submod)
		{
			break;
		}
	}
	return json_is_object(submod) ? submod : NULL;
}

/**
 * Parse the trustworthiness vector (optional; claims missing are 0)
 */
static bool parse_trust(json_t *tv, ratkn_ear_claims_t *claims, char *reason,
						size_t len)
{
	json_t *value;
	json_int_t v;
	int i;

	if (!tv)
	{
		return TRUE;
	}
	if (!json_is_object(tv))
	{
		snprintf(reason, len, "ill-formed ear.trustworthiness-vector");
		return FALSE;
	}
	for (i = 0; i < RATKN_EAR_TV_COUNT; i++)
	{
		value = json_object_get(tv, tv_names[i]);
		if (!value)
		{
			continue;
		}
		if (!json_is_integer(value))
		{
			snprintf(reason, len, "ill-formed trustworthiness claim %s",
					 tv_names[i]);
			return FALSE;
		}
		v = json_integer_value(value);
		if (v < -128 || v > 127)
		{
			snprintf(reason, len, "trustworthiness claim %s out of range "
					 "(%lld)", tv_names[i], (long long)v);
			return FALSE;
		}
		claims->trust[i] = v;
	}
	return TRUE;
}

/**
 * Parse and check the claims of a verified EAR
 */
static bool parse_claims(json_t *payload, ratkn_ear_claims_t *claims,
						 time_t now, char *reason, size_t len)
{
	json_t *profile, *iat, *exp, *vid, *dev, *build, *cnf, *submod, *status;
	json_t *fresh;

	profile = json_object_get(payload, "eat_profile");
	if (!json_is_string(profile))
	{
		snprintf(reason, len, "missing eat_profile");
		return FALSE;
	}
	if (!streq(json_string_value(profile), RATKN_EAR_PROFILE))
	{
		snprintf(reason, len, "wrong profile '%.64s', expected '%s'",
				 json_string_value(profile), RATKN_EAR_PROFILE);
		return FALSE;
	}
	iat = json_object_get(payload, "iat");
	exp = json_object_get(payload, "exp");
	if (!json_is_integer(iat) || json_integer_value(iat) < 0)
	{
		snprintf(reason, len, "missing or ill-formed iat");
		return FALSE;
	}
	if (!json_is_integer(exp) || json_integer_value(exp) < 0)
	{
		snprintf(reason, len, "missing or ill-formed exp");
		return FALSE;
	}
	claims->iat = json_integer_value(iat);
	claims->exp = json_integer_value(exp);
	if (claims->exp < claims->iat)
	{
		snprintf(reason, len, "expires (exp) before it was issued (iat)");
		return FALSE;
	}
	if (claims->exp <= now)
	{
		snprintf(reason, len, "expired attestation result (%lds ago)",
				 (long)(now - claims->exp));
		return FALSE;
	}
	if (claims->iat > now + CLOCK_SKEW)
	{
		snprintf(reason, len, "attestation result not yet valid (issued %lds "
				 "in the future)", (long)(claims->iat - now));
		return FALSE;
	}
	fresh = json_object_get(payload, "ratkn.fresh-since");
	if (fresh)
	{
		if (!json_is_integer(fresh) || json_integer_value(fresh) <= 0 ||
			json_integer_value(fresh) > claims->iat)
		{
			snprintf(reason, len, "ill-formed ratkn.fresh-since (a time not "
					 "after iat expected)");
			return FALSE;
		}
		claims->fresh_since = json_integer_value(fresh);
	}
	vid = json_object_get(payload, "ear.verifier-id");
	dev = json_object_get(vid, "developer");
	build = json_object_get(vid, "build");
	if (!json_is_string(dev) || !json_is_string(build))
	{
		snprintf(reason, len, "missing or ill-formed ear.verifier-id");
		return FALSE;
	}
	claims->verifier_developer = strdup(json_string_value(dev));
	claims->verifier_build = strdup(json_string_value(build));
	if (!json_object_get(payload, "eat_nonce"))
	{
		snprintf(reason, len, "missing eat_nonce");
		return FALSE;
	}
	if (!get_hash(payload, "eat_nonce", &claims->nonce))
	{
		snprintf(reason, len, "ill-formed eat_nonce (%d octets base64url "
				 "expected)", RATKN_HASH_LEN);
		return FALSE;
	}
	cnf = json_object_get(payload, "cnf");
	if (!json_is_object(cnf) || !json_object_get(cnf, "x5t#S256"))
	{
		snprintf(reason, len, "missing cnf x5t#S256");
		return FALSE;
	}
	if (!get_hash(cnf, "x5t#S256", &claims->identity_hash))
	{
		snprintf(reason, len, "ill-formed cnf x5t#S256 (%d octets base64url "
				 "expected)", RATKN_HASH_LEN);
		return FALSE;
	}
	submod = get_submod(json_object_get(payload, "submods"));
	if (!submod)
	{
		snprintf(reason, len, "missing submods.%s", RATKN_EAR_SUBMOD);
		return FALSE;
	}
	status = json_object_get(submod, "ear.status");
	if (!json_is_string(status))
	{
		snprintf(reason, len, "missing ear.status");
		return FALSE;
	}
	if (!ratkn_ear_status_from_name((char*)json_string_value(status),
									&claims->status))
	{
		snprintf(reason, len, "unknown ear.status '%.32s'",
				 json_string_value(status));
		return FALSE;
	}
	if (!parse_trust(json_object_get(submod, "ear.trustworthiness-vector"),
					 claims, reason, len))
	{
		return FALSE;
	}
	if (!get_opt_string(submod, "ear.appraisal-policy-id", &claims->policy_id))
	{
		snprintf(reason, len, "ill-formed ear.appraisal-policy-id");
		return FALSE;
	}
	if (!get_opt_string(submod, "ratkn.reason", &claims->reason))
	{
		snprintf(reason, len, "ill-formed ratkn.reason");
		return FALSE;
	}
	return TRUE;
}

/*
 * Described in header
 */
ratkn_ear_t *ratkn_ear_verify(char *token, chunk_t key_pem, time_t now,
							  char *reason, size_t len)
{
	private_ratkn_ear_t *this;
	chunk_t parts[3];
	json_t *payload;
	jwt_t *jwt = NULL;
	int rc;

	if (len)
	{
		reason[0] = '\0';
	}
	if (!token || !*token)
	{
		snprintf(reason, len, "no attestation result");
		return NULL;
	}
	if (strlen(token) > MAX_TOKEN)
	{
		snprintf(reason, len, "not a JWS: longer than %d octets", MAX_TOKEN);
		return NULL;
	}
	if (!split_jws(token, parts))
	{
		snprintf(reason, len, "not a JWS (compact serialization expected)");
		return NULL;
	}
	if (!check_header(parts[0], reason, len))
	{
		return NULL;
	}
	if (!check_p256(key_pem, FALSE))
	{
		snprintf(reason, len, "the verifier's key is not an EC P-256 public "
				 "key in PEM");
		return NULL;
	}
	rc = jwt_decode(&jwt, token, key_pem.ptr, key_pem.len);
	ERR_clear_error();
	if (rc != 0 || !jwt)
	{
		snprintf(reason, len, "bad signature (or not signed with the "
				 "verifier's key)");
		if (jwt)
		{
			jwt_free(jwt);
		}
		return NULL;
	}
	if (jwt_get_alg(jwt) != JWT_ALG_ES256)
	{	/* checked above already, never accept anything else */
		snprintf(reason, len, "algorithm not accepted, ES256 required");
		jwt_free(jwt);
		return NULL;
	}
	jwt_free(jwt);

	/* the signature covers the encoded payload, parse it ourselves */
	payload = decode_json(parts[1]);
	if (!payload)
	{
		snprintf(reason, len, "the claims are not a JSON object");
		return NULL;
	}
	INIT(this,
		.public = {
			.get_claims = _get_claims,
			.get_token = _get_token,
			.destroy = _destroy,
		},
		.token = strdup(token),
	);
	if (!parse_claims(payload, &this->claims, now, reason, len))
	{
		json_decref(payload);
		destroy(this);
		return NULL;
	}
	json_decref(payload);
	return &this->public;
}
