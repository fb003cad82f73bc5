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

#define _GNU_SOURCE /* asprintf() */
#include <stdio.h>

#include "ratkn_kms_policy.h"
#include "ratkn_jwe.h"

#include <ctype.h>

typedef struct private_ratkn_kms_policy_t private_ratkn_kms_policy_t;

/**
 * Private data of a ratkn_kms_policy_t object.
 */
struct private_ratkn_kms_policy_t {

	/**
	 * Public interface.
	 */
	ratkn_kms_policy_t public;

	/**
	 * Grants, ratkn_kms_grant_t*
	 */
	linked_list_t *grants;
};

/*
 * Described in header
 */
void ratkn_kms_decision_destroy(ratkn_kms_decision_t *decision)
{
	if (decision)
	{
		free(decision->key);
		free(decision->reason);
		free(decision);
	}
}

/*
 * Described in header
 */
bool ratkn_kms_match(char *pattern, char *identity)
{
	char *star_p = NULL, *star_i = NULL;

	while (*identity)
	{
		if (*pattern == '*')
		{
			star_p = ++pattern;
			star_i = identity;
		}
		else if (*pattern &&
				 tolower((u_char)*pattern) == tolower((u_char)*identity))
		{
			pattern++;
			identity++;
		}
		else if (star_p)
		{	/* let the last '*' take one more character */
			pattern = star_p;
			identity = ++star_i;
		}
		else
		{
			return FALSE;
		}
	}
	while (*pattern == '*')
	{
		pattern++;
	}
	return !*pattern;
}

/*
 * Described in header
 */
bool ratkn_kms_match_id(char *pattern, identification_t *id)
{
	identification_t *pat;
	char *str = NULL, *pstr = NULL;
	bool match = FALSE;

	pat = identification_create_from_string(pattern);
	if (pat->get_type(pat) == ID_ANY)
	{
		match = TRUE;
	}
	else if (pat->get_type(pat) != id->get_type(id))
	{
		match = FALSE;
	}
	else if (id->get_type(id) == ID_DER_ASN1_DN)
	{
		match = id->matches(id, pat) != ID_MATCH_NONE;
	}
	else if (asprintf(&str, "%Y", id) > 0 && asprintf(&pstr, "%Y", pat) > 0)
	{	/* whole string forms, however long */
		match = ratkn_kms_match(pstr, str);
	}
	free(str);
	free(pstr);
	pat->destroy(pat);
	return match;
}

/*
 * Described in header
 */
bool ratkn_kms_grant_valid(ratkn_kms_grant_t *grant, char *reason,
						   size_t len)
{
	char *pos;

	if (!ratkn_key_name_valid(grant->key))
	{
		snprintf(reason, len, "invalid key name '%s'", grant->key ?: "");
		return FALSE;
	}
	if (!grant->peer || !*grant->peer ||
		strlen(grant->peer) > RATKN_KMS_PEER_MAX ||
		streq(grant->peer, RATKN_KMS_GROUP_PREFIX))
	{
		snprintf(reason, len, "invalid peer '%s'", grant->peer ?: "");
		return FALSE;
	}
	for (pos = grant->peer; *pos; pos++)
	{
		if (!isprint((u_char)*pos))
		{
			snprintf(reason, len, "peer pattern has non-printable "
					 "characters");
			return FALSE;
		}
	}
	if (grant->status != RATKN_EAR_AFFIRMING &&
		grant->status != RATKN_EAR_WARNING)
	{
		snprintf(reason, len, "required status must be affirming or "
				 "warning");
		return FALSE;
	}
	if (!grant->lifetime)
	{
		snprintf(reason, len, "lifetime must be > 0");
		return FALSE;
	}
	return TRUE;
}

/**
 * Destroy a grant
 */
static void grant_destroy(ratkn_kms_grant_t *grant)
{
	free(grant->key);
	free(grant->peer);
	free(grant);
}

METHOD(ratkn_kms_policy_t, add_grant, bool,
	private_ratkn_kms_policy_t *this, ratkn_kms_grant_t *grant)
{
	ratkn_kms_grant_t *copy;
	char reason[128];

	if (!ratkn_kms_grant_valid(grant, reason, sizeof(reason)))
	{
		DBG1(DBG_CFG, "ratkn: ignoring KMS grant: %s", reason);
		return FALSE;
	}
	INIT(copy,
		.id = grant->id,
		.key = strdup(grant->key),
		.peer = strdup(grant->peer),
		.status = grant->status,
		.lifetime = grant->lifetime,
	);
	this->grants->insert_last(this->grants, copy);
	return TRUE;
}

METHOD(ratkn_kms_policy_t, create_grant_enumerator, enumerator_t*,
	private_ratkn_kms_policy_t *this)
{
	return this->grants->create_enumerator(this->grants);
}

/**
 * Check if a grant's peer matches an attester
 */
static bool peer_matches(ratkn_kms_grant_t *grant, identification_t *identity,
						 linked_list_t *groups)
{
	enumerator_t *enumerator;
	char *group, *name;
	bool found = FALSE;

	if (strpfx(grant->peer, RATKN_KMS_GROUP_PREFIX))
	{
		name = grant->peer + strlen(RATKN_KMS_GROUP_PREFIX);
		if (!groups)
		{
			return FALSE;
		}
		enumerator = groups->create_enumerator(groups);
		while (enumerator->enumerate(enumerator, &group))
		{
			if (streq(group, name))
			{
				found = TRUE;
				break;
			}
		}
		enumerator->destroy(enumerator);
		return found;
	}
	return identity && ratkn_kms_match_id(grant->peer, identity);
}

/**
 * Find the decision for a key in a list
 */
static ratkn_kms_decision_t *find_decision(linked_list_t *list, char *key)
{
	enumerator_t *enumerator;
	ratkn_kms_decision_t *decision, *found = NULL;

	enumerator = list->create_enumerator(list);
	while (enumerator->enumerate(enumerator, &decision))
	{
		if (streq(decision->key, key))
		{
			found = decision;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Does a status satisfy the one a grant requires
 */
static bool status_ok(ratkn_ear_status_t have, ratkn_ear_status_t need)
{
	switch (have)
	{
		case RATKN_EAR_AFFIRMING:
			return TRUE;
		case RATKN_EAR_WARNING:
			return need == RATKN_EAR_WARNING;
		default:
			return FALSE;
	}
}

METHOD(ratkn_kms_policy_t, decide, linked_list_t*,
	private_ratkn_kms_policy_t *this, identification_t *identity,
	linked_list_t *groups, ratkn_ear_status_t status)
{
	enumerator_t *enumerator;
	ratkn_kms_grant_t *grant;
	ratkn_kms_decision_t *decision;
	linked_list_t *list;
	char reason[512];

	list = linked_list_create();
	enumerator = this->grants->create_enumerator(this->grants);
	while (enumerator->enumerate(enumerator, &grant))
	{
		if (!peer_matches(grant, identity, groups))
		{
			continue;
		}
		decision = find_decision(list, grant->key);
		if (decision && decision->granted)
		{	/* an earlier grant decided already */
			continue;
		}
		if (!decision)
		{
			INIT(decision,
				.key = strdup(grant->key),
			);
			list->insert_last(list, decision);
		}
		free(decision->reason);
		decision->grant = grant->id;
		if (status_ok(status, grant->status))
		{
			decision->granted = TRUE;
			decision->lifetime = grant->lifetime;
			snprintf(reason, sizeof(reason), "grant %u (%s) with status %s "
					 "(requires %s)", grant->id, grant->peer,
					 ratkn_ear_status_name(status),
					 ratkn_ear_status_name(grant->status));
		}
		else
		{
			snprintf(reason, sizeof(reason), "grant %u (%s) requires status "
					 "%s%s, attester has %s", grant->id, grant->peer,
					 ratkn_ear_status_name(grant->status),
					 grant->status == RATKN_EAR_WARNING ? " or better" : "",
					 ratkn_ear_status_name(status));
		}
		decision->reason = strdup(reason);
	}
	enumerator->destroy(enumerator);

	enumerator = list->create_enumerator(list);
	while (enumerator->enumerate(enumerator, &decision))
	{
		if (decision->granted)
		{
			DBG2(DBG_CFG, "ratkn: KMS key '%s' granted to '%Y' for %us: %s",
				 decision->key, identity, decision->lifetime,
				 decision->reason);
		}
		else
		{
			DBG1(DBG_CFG, "ratkn: KMS key '%s' denied to '%Y': %s",
				 decision->key, identity, decision->reason);
		}
	}
	enumerator->destroy(enumerator);
	if (!list->get_count(list))
	{
		DBG2(DBG_CFG, "ratkn: no KMS grant matches '%Y'", identity);
	}
	return list;
}

METHOD(ratkn_kms_policy_t, destroy, void,
	private_ratkn_kms_policy_t *this)
{
	this->grants->destroy_function(this->grants, (void*)grant_destroy);
	free(this);
}

/*
 * Described in header
 */
ratkn_kms_policy_t *ratkn_kms_policy_create()
{
	private_ratkn_kms_policy_t *this;

	INIT(this,
		.public = {
			.add_grant = _add_grant,
			.create_grant_enumerator = _create_grant_enumerator,
			.decide = _decide,
			.destroy = _destroy,
		},
		.grants = linked_list_create(),
	);
	return &this->public;
}
