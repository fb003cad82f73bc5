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
#include "ratkn_negotiate.h"
#include "ratkn_verdict.h"

#include <utils/identification.h>
#include <collections/linked_list.h>
#include <selectors/traffic_selector.h>

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

typedef struct ratkn_verifier_cfg_t ratkn_verifier_cfg_t;

/**
 * A remote verifier (charon.plugins.ratkn.verifiers.<name>), immutable.
 */
struct ratkn_verifier_cfg_t {

	/**
	 * Section name
	 */
	char *name;

	/**
	 * Base URL of its API
	 */
	char *url;

	/**
	 * CA file to verify its TLS certificate with, NULL for the system's
	 */
	char *ca;

	/**
	 * PEM of the public key its attestation results are signed with
	 */
	chunk_t key;

	/**
	 * Time limit of a request in ms
	 */
	u_int timeout;

	/**
	 * Seconds to fail requests without trying after the verifier was down
	 */
	u_int retry;

	/**
	 * FALSE if the section was invalid: connections using it are refused
	 */
	bool valid;

	/**
	 * Get a reference.
	 *
	 * @return			this, with an additional reference
	 */
	ratkn_verifier_cfg_t *(*get_ref)(ratkn_verifier_cfg_t *this);

	/**
	 * Release a reference.
	 */
	void (*destroy)(ratkn_verifier_cfg_t *this);
};

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
	 * Attestation models, in order of preference
	 */
	ratkn_model_t models[RATKN_MAX_MODELS];

	/**
	 * Number of models
	 */
	int model_count;

	/**
	 * Verifier for passport (attester) and remote background-check (relying
	 * party) models, NULL for none
	 */
	char *verifier;

	/**
	 * Relying party: whether evidence is appraised by the verifier instead of
	 * locally (background-check model)
	 */
	bool remote_appraisal;

	/**
	 * Relying party: age in seconds up to which attestation results not
	 * bound to this IKE_SA are accepted, 0 for never
	 */
	u_int freshness;

	/**
	 * Attester: seconds for which an attestation result is reused, 0 for
	 * never
	 */
	u_int passport_cache;

	/**
	 * Relying party: what to do with status warning
	 */
	ratkn_on_warning_t on_warning;

	/**
	 * Relying party: accepted appraisal policies of attestation results
	 * ("ear.appraisal-policy-id", char*), NULL for any
	 */
	linked_list_t *accept_policies;

	/**
	 * Relying party: trustworthiness claims of attestation results that must
	 * be affirming, mask of (1 << RATKN_EAR_TV_*)
	 */
	u_int require_trust;

	/**
	 * Relying party: local traffic selectors a peer with status warning may
	 * reach (traffic_selector_t), for RATKN_WARNING_RESTRICT
	 */
	linked_list_t *warning_ts;

	/**
	 * Relying party: re-attestation interval in seconds, 0 for none
	 */
	u_int reattest;

	/**
	 * Relying party: release KMS keys to the attested peer in the IKE_AUTH
	 * response (kms = yes, docs/kms.md)
	 */
	bool kms;

	/**
	 * Attester: name of the keyring (under @u) receiving released keys,
	 * NULL to accept no releases
	 */
	char *keyring;

	/**
	 * Attester: whether released keys are removed when the last IKE_SA
	 * that installed them into the keyring goes down
	 */
	bool keys_remove;

	/**
	 * Attester: permissions of installed keys (keyctl_setperm())
	 */
	uint32_t key_perm;

	/**
	 * Attester: our ECDHE share is a TPM-resident key certified by the AK
	 * (share = tpm); needs this side to be the IKE initiator
	 */
	bool tpm_share;

	/**
	 * Relying party: the peer's ECDHE share must be certified as
	 * TPM-resident (require_tpm_share = yes)
	 */
	bool require_tpm_share;

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
	 * configured attester whose id matches. If that attester's section is
	 * unusable (an AK or reference file that did not load...), no later
	 * attester is tried: NULL is returned with the reason in error.
	 *
	 * @param id		identity the attester authenticated with
	 * @param name		receives the matching attester's section name, ""
	 *					if none matches
	 * @param len		size of name
	 * @param error		receives why the matching attester is unusable
	 * @param error_len	size of error
	 * @return			appraisal policy (reference), NULL if none matches
	 *					or the matching attester is unusable
	 */
	ratkn_appraisal_t *(*get_appraisal)(ratkn_config_t *this,
										identification_t *id, char *name,
										size_t len, char *error,
										size_t error_len);

	/**
	 * Get a verifier.
	 *
	 * @param name		section name
	 * @return			verifier (reference), NULL if not configured
	 */
	ratkn_verifier_cfg_t *(*get_verifier)(ratkn_config_t *this, char *name);

	/**
	 * Models a responder offers in IKE_SA_INIT, before it knows the
	 * connection (charon.plugins.ratkn.models).
	 *
	 * @param models	receives the models
	 * @return			number of models
	 */
	int (*get_models)(ratkn_config_t *this,
					  ratkn_model_t models[RATKN_MAX_MODELS]);

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
	 * How long the TPM may take to answer a command (fixed at startup).
	 *
	 * @return			timeout in ms, 0 to wait forever
	 */
	u_int (*get_tpm_timeout)(ratkn_config_t *this);

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
