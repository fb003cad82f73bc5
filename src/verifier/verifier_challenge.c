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

#include "verifier_challenge.h"

#include <inttypes.h>
#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

/**
 * Length of the HMAC key
 */
#define KEY_LEN 32

/**
 * Lengths of the parts of a challenge: time, random, truncated MAC
 */
#define TIME_LEN 8
#define RANDOM_LEN 16
#define MAC_LEN 16

typedef struct private_verifier_challenge_t private_verifier_challenge_t;

/**
 * Private data of a verifier_challenge_t object.
 */
struct private_verifier_challenge_t {

	/**
	 * Public interface.
	 */
	verifier_challenge_t public;

	/**
	 * HMAC key, made at start, never leaves this object
	 */
	uint8_t key[KEY_LEN];

	/**
	 * Lifetime of challenges in seconds
	 */
	u_int lifetime;
};

/**
 * MAC over time and random octets, truncated
 */
static bool mac(private_verifier_challenge_t *this, uint8_t *data,
				uint8_t out[MAC_LEN])
{
	uint8_t full[EVP_MAX_MD_SIZE];
	u_int len = sizeof(full);
	bool ok;

	ok = HMAC(EVP_sha256(), this->key, sizeof(this->key), data,
			  TIME_LEN + RANDOM_LEN, full, &len) && len >= MAC_LEN;
	if (ok)
	{
		memcpy(out, full, MAC_LEN);
	}
	memwipe(full, sizeof(full));
	return ok;
}

METHOD(verifier_challenge_t, issue, bool,
	private_verifier_challenge_t *this, time_t now, chunk_t *challenge)
{
	uint8_t *pos;

	*challenge = chunk_alloc(VERIFIER_CHALLENGE_LEN);
	pos = challenge->ptr;
	htoun64(pos, (uint64_t)now);
	if (RAND_bytes(pos + TIME_LEN, RANDOM_LEN) != 1 ||
		!mac(this, pos, pos + TIME_LEN + RANDOM_LEN))
	{
		chunk_free(challenge);
		return FALSE;
	}
	return TRUE;
}

METHOD(verifier_challenge_t, verify, verifier_challenge_status_t,
	private_verifier_challenge_t *this, chunk_t challenge, time_t now,
	time_t *issued, char *reason, size_t len)
{
	uint8_t expected[MAC_LEN];
	int64_t when, age;
	bool valid;

	if (challenge.len != VERIFIER_CHALLENGE_LEN)
	{
		snprintf(reason, len, "challenge not issued by this verifier (%zu "
				 "octets, its challenges have %d)", challenge.len,
				 VERIFIER_CHALLENGE_LEN);
		return VERIFIER_CHALLENGE_MALFORMED;
	}
	/* nothing of a challenge is believed before its MAC verified */
	valid = mac(this, challenge.ptr, expected) &&
			memeq_const(expected, challenge.ptr + TIME_LEN + RANDOM_LEN,
						MAC_LEN);
	memwipe(expected, sizeof(expected));
	if (!valid)
	{
		snprintf(reason, len, "challenge not issued by this verifier (or "
				 "before it restarted)");
		return VERIFIER_CHALLENGE_FORGED;
	}
	when = (int64_t)untoh64(challenge.ptr);
	age = (int64_t)now - when;
	if (age < -VERIFIER_CHALLENGE_SKEW)
	{
		snprintf(reason, len, "challenge issued in the future (%" PRId64
				 "s ahead)", -age);
		return VERIFIER_CHALLENGE_FUTURE;
	}
	if (age > (int64_t)this->lifetime)
	{
		snprintf(reason, len, "challenge expired (issued %" PRId64 "s ago, "
				 "lifetime %us)", age, this->lifetime);
		return VERIFIER_CHALLENGE_EXPIRED;
	}
	*issued = when;
	return VERIFIER_CHALLENGE_OK;
}

METHOD(verifier_challenge_t, get_lifetime, u_int,
	private_verifier_challenge_t *this)
{
	return this->lifetime;
}

METHOD(verifier_challenge_t, destroy, void,
	private_verifier_challenge_t *this)
{
	memwipe(this->key, sizeof(this->key));
	free(this);
}

/*
 * Described in header
 */
verifier_challenge_t *verifier_challenge_create(u_int lifetime)
{
	private_verifier_challenge_t *this;

	INIT(this,
		.public = {
			.issue = _issue,
			.verify = _verify,
			.get_lifetime = _get_lifetime,
			.destroy = _destroy,
		},
		.lifetime = lifetime,
	);
	if (RAND_priv_bytes(this->key, sizeof(this->key)) != 1)
	{
		destroy(this);
		return NULL;
	}
	return &this->public;
}
