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
 * @defgroup ratkn_kms_policy ratkn_kms_policy
 * @{ @ingroup ratkn
 */

#ifndef RATKN_KMS_POLICY_H_
#define RATKN_KMS_POLICY_H_

#include "ratkn_ear.h"

#include <library.h>
#include <collections/linked_list.h>
#include <utils/identification.h>

/**
 * Prefix of a grant's peer that names a group instead of an identity.
 */
#define RATKN_KMS_GROUP_PREFIX "group:"

/**
 * Longest peer pattern of a grant.
 */
#define RATKN_KMS_PEER_MAX 255

typedef struct ratkn_kms_grant_t ratkn_kms_grant_t;

/**
 * A grant: key name -> attesters, required status, release lifetime.
 */
struct ratkn_kms_grant_t {

	/** row id in the key store, 0 if not stored */
	u_int id;

	/** key name */
	char *key;

	/** attester identity, exact or with '*' wildcards ("*.fleet.example"),
	 *  or "group:NAME" */
	char *peer;

	/** worst EAR status accepted: RATKN_EAR_AFFIRMING or RATKN_EAR_WARNING */
	ratkn_ear_status_t status;

	/** lifetime of a released key in seconds, > 0 */
	uint32_t lifetime;
};

typedef struct ratkn_kms_decision_t ratkn_kms_decision_t;

/**
 * Decision about one key for one attester.
 */
struct ratkn_kms_decision_t {

	/** key name */
	char *key;

	/** TRUE if the key may be released */
	bool granted;

	/** lifetime of the release in seconds (if granted) */
	uint32_t lifetime;

	/** id of the deciding grant (granting, or the last one that matched) */
	u_int grant;

	/** why granted or denied, for logs */
	char *reason;
};

/**
 * Destroy a decision.
 *
 * @param decision		decision to destroy
 */
void ratkn_kms_decision_destroy(ratkn_kms_decision_t *decision);

/**
 * Check a grant for validity: valid key name and peer pattern, status
 * affirming or warning, lifetime > 0.
 *
 * @param grant			grant
 * @param reason		receives the reason on failure
 * @param len			size of reason
 * @return				TRUE if valid
 */
bool ratkn_kms_grant_valid(ratkn_kms_grant_t *grant, char *reason,
						   size_t len);

/**
 * Match an identity against a pattern in which '*' matches any sequence of
 * characters (case-insensitive, as identities are compared by strongSwan's
 * string form).
 *
 * @param pattern		pattern
 * @param identity		identity string
 * @return				TRUE if it matches
 */
bool ratkn_kms_match(char *pattern, char *identity);

/**
 * Match a typed identity against a grant's peer pattern. The pattern is
 * parsed like a swanctl identity: it only matches identities of its type
 * ("*.fleet.example" an FQDN, never a DN or an e-mail address ending like
 * that); "*" and "%any" match any. DNs match RDN by RDN as in strongSwan
 * (wildcard RDN values), other types with ratkn_kms_match() on their
 * complete string form.
 *
 * @param pattern		grant's peer pattern
 * @param id			identity the attester authenticated with
 * @return				TRUE if it matches
 */
bool ratkn_kms_match_id(char *pattern, identification_t *id);

typedef struct ratkn_kms_policy_t ratkn_kms_policy_t;

/**
 * Release policy of the KMS: which keys go to which attesters.
 */
struct ratkn_kms_policy_t {

	/**
	 * Add a grant (copied).
	 *
	 * @param grant		grant
	 * @return			FALSE (logged) if the grant is invalid
	 */
	bool (*add_grant)(ratkn_kms_policy_t *this, ratkn_kms_grant_t *grant);

	/**
	 * Enumerate grants in the order they were added.
	 *
	 * @return			enumerator over ratkn_kms_grant_t* (borrowed)
	 */
	enumerator_t *(*create_grant_enumerator)(ratkn_kms_policy_t *this);

	/**
	 * Decide which keys an appraised attester gets.
	 *
	 * A grant matches if its peer pattern matches the identity, or if it
	 * names a group the attester is a member of. For each key with at least
	 * one matching grant there is one decision: granted by the first
	 * matching grant (in order) whose required status the attester meets,
	 * denied otherwise. Keys without a matching grant are not listed.
	 * Attesters with status contraindicated or none get nothing.
	 * Decisions are logged (DBG_CFG).
	 *
	 * @param identity	identity the attester authenticated with
	 * @param groups	groups of the attester (char*), may be NULL
	 * @param status	EAR status of the attester's appraisal
	 * @return			list of ratkn_kms_decision_t (owned; destroy with
	 *					ratkn_kms_decision_destroy)
	 */
	linked_list_t *(*decide)(ratkn_kms_policy_t *this,
							 identification_t *identity,
							 linked_list_t *groups,
							 ratkn_ear_status_t status);

	/**
	 * Destroy the policy.
	 */
	void (*destroy)(ratkn_kms_policy_t *this);
};

/**
 * Create an empty policy.
 *
 * @return				policy
 */
ratkn_kms_policy_t *ratkn_kms_policy_create();

#endif /** RATKN_KMS_POLICY_H_ @}*/
