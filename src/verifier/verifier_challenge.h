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
 * @defgroup verifier_challenge verifier_challenge
 * @{ @ingroup verifier
 */

#ifndef VERIFIER_CHALLENGE_H_
#define VERIFIER_CHALLENGE_H_

#include <library.h>

/**
 * Length of a challenge: issue time (8), random (16), MAC (16).
 */
#define VERIFIER_CHALLENGE_LEN 40

/**
 * Seconds a challenge may seem to be issued in the future (the verifier's
 * clock stepped back since, or another replica's clock is ahead).
 */
#define VERIFIER_CHALLENGE_SKEW 5

typedef enum verifier_challenge_status_t verifier_challenge_status_t;

/**
 * Outcome of checking a challenge.
 */
enum verifier_challenge_status_t {
	/** issued by this verifier and still valid */
	VERIFIER_CHALLENGE_OK,
	/** not of the length of this verifier's challenges */
	VERIFIER_CHALLENGE_MALFORMED,
	/** the MAC does not verify: not issued by this verifier (or issued
	 *  before it was restarted) */
	VERIFIER_CHALLENGE_FORGED,
	/** issued longer than the lifetime ago */
	VERIFIER_CHALLENGE_EXPIRED,
	/** issued in the future, beyond VERIFIER_CHALLENGE_SKEW */
	VERIFIER_CHALLENGE_FUTURE,
};

typedef struct verifier_challenge_t verifier_challenge_t;

/**
 * Stateless challenges: the issue time, 16 random octets and the first 16
 * octets of HMAC-SHA256 under a key made at start over both. The verifier
 * recognizes its own challenges and their age without storing them (so
 * replicas sharing the key could share them); a restart makes a new key and
 * invalidates all outstanding challenges. A challenge can be used more than
 * once within its lifetime: it proves when a quote was made at the
 * earliest, not that it is unique.
 */
struct verifier_challenge_t {

	/**
	 * Issue a challenge.
	 *
	 * @param now		issue time
	 * @param challenge	challenge of VERIFIER_CHALLENGE_LEN octets
	 *					(allocated)
	 * @return			FALSE if no random data is available
	 */
	bool (*issue)(verifier_challenge_t *this, time_t now,
				  chunk_t *challenge);

	/**
	 * Check a challenge: its length, its MAC (in constant time) and then
	 * its age.
	 *
	 * @param challenge	challenge
	 * @param now		current time
	 * @param issued	issue time, if OK
	 * @param reason	reason if not OK, for the client and the log
	 * @param len		size of reason
	 * @return			outcome
	 */
	verifier_challenge_status_t (*verify)(verifier_challenge_t *this,
							chunk_t challenge, time_t now, time_t *issued,
							char *reason, size_t len);

	/**
	 * Lifetime of challenges.
	 *
	 * @return			seconds
	 */
	u_int (*get_lifetime)(verifier_challenge_t *this);

	/**
	 * Destroy the object, wiping the key.
	 */
	void (*destroy)(verifier_challenge_t *this);
};

/**
 * Create the challenge issuer with a fresh random key.
 *
 * @param lifetime		seconds a challenge is valid
 * @return				object, NULL if no random data is available
 */
verifier_challenge_t *verifier_challenge_create(u_int lifetime);

#endif /** VERIFIER_CHALLENGE_H_ @}*/
