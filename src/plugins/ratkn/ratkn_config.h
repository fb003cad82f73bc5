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
 * @defgroup ratkn_config ratkn_config
 * @{ @ingroup ratkn
 */

#ifndef RATKN_CONFIG_H_
#define RATKN_CONFIG_H_

#include "ratkn_types.h"
#include "ratkn_pcr.h"
#include "ratkn_appraisal.h"

#include <utils/identification.h>

/**
 * Default ratkn ECDHE group (Curve25519).
 */
#define RATKN_DEFAULT_GROUP 31

/**
 * Default PCR selection quoted by an attester.
 */
#define RATKN_DEFAULT_PCRS "sha256:0,1,2,3,4,5,6,7"

/**
 * Directory relative paths in the configuration are resolved against.
 */
#define RATKN_CONFDIR "/etc/ratkn"

typedef struct ratkn_policy_t ratkn_policy_t;

/**
 * ratkn policy of a connection (charon.plugins.ratkn.connections.<name>),
 * immutable once created.
 */
struct ratkn_policy_t {

	/**
	 * Connection (peer_cfg) name
	 */
	char *name;

	/**
	 * FALSE if the section was invalid: connections using it are refused
	 */
	bool valid;

	/**
	 * Role of this side
	 */
	ratkn_role_t role;

	/**
	 * Whether the IKE_SA fails if the peer does not support ratkn
	 */
	bool required;

	/**
	 * ECDHE group (IANA key exchange method number)
	 */
	uint16_t group;

	/**
	 * How SK is used
	 */
	ratkn_key_use_t key_use;

	/**
	 * PCRs quoted when this side attests
	 */
	ratkn_pcr_selection_t pcrs;

	/**
	 * Get a reference.
	 *
	 * @return			this, with an additional reference
	 */
	ratkn_policy_t *(*get_ref)(ratkn_policy_t *this);

	/**
	 * Release a reference.
	 */
	void (*destroy)(ratkn_policy_t *this);
};

typedef struct ratkn_config_t ratkn_config_t;

/**
 * ratkn configuration read from strongswan.conf (charon.plugins.ratkn), see
 * conf/plugins/ratkn.opt. Thread-safe; reload() swaps the whole configuration.
 */
struct ratkn_config_t {

	/**
	 * Get the policy of a connection.
	 *
	 * @param name		connection (peer_cfg) name
	 * @return			policy (reference), NULL if ratkn is not configured
	 *					for the connection
	 */
	ratkn_policy_t *(*get_policy)(ratkn_config_t *this, char *name);

	/**
	 * Get the appraisal policy for an attester identity: the first
	 * configured attester whose id matches.
	 *
	 * @param id		identity the attester authenticated with
	 * @param name		receives the attester section name (valid while the
	 *					returned appraisal is referenced), optional
	 * @return			appraisal policy (reference), NULL if none matches
	 */
	ratkn_appraisal_t *(*get_appraisal)(ratkn_config_t *this,
										identification_t *id, char **name);

	/**
	 * Whether this host can attest (a TPM is configured).
	 *
	 * @return			TRUE if a TPM is configured
	 */
	bool (*can_attest)(ratkn_config_t *this);

	/**
	 * TPM configuration (fixed at startup, not changed by reload).
	 *
	 * @param tcti		tctildr configuration (borrowed)
	 * @param handle	persistent AK handle
	 */
	void (*get_tpm)(ratkn_config_t *this, char **tcti, uint32_t *handle);

	/**
	 * Re-read the configuration.
	 */
	void (*reload)(ratkn_config_t *this);

	/**
	 * Destroy the configuration.
	 */
	void (*destroy)(ratkn_config_t *this);
};

/**
 * Parse a ratkn ECDHE group keyword or number.
 *
 * @param str		"curve25519", "x25519", "ecp256", "ecp384", "curve448",
 *					"x448" or an IANA number
 * @param group		parsed group
 * @return			FALSE if not a supported group
 */
bool ratkn_config_parse_group(char *str, uint16_t *group);

/**
 * Create the configuration and read it from lib->settings.
 *
 * @return			configuration
 */
ratkn_config_t *ratkn_config_create();

#endif /** RATKN_CONFIG_H_ @}*/
