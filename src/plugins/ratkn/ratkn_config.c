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

#include "ratkn_config.h"
#include "ratkn_kex.h"
#include "ratkn_ak.h"
#include "ratkn_tpm.h"
#include "ratkn_jwe.h"
#include "ratkn_keyring.h"
#include "ratkn_release.h"
#include "ratkn_share.h"

#include <errno.h>
#include <sys/stat.h>

#include <daemon.h>
#include <collections/linked_list.h>
#include <threading/rwlock.h>

typedef struct private_ratkn_config_t private_ratkn_config_t;

/**
 * A configured attester: identity pattern and its appraisal policy
 */
typedef struct {
	/** section name */
	char *name;
	/** identity (pattern) */
	identification_t *id;
	/** appraisal policy */
	ratkn_appraisal_t *appraisal;
	/** why the section is unusable, NULL if it is usable */
	char *error;
} attester_t;

/**
 * Private data of a ratkn_config_t object.
 */
struct private_ratkn_config_t {

	/**
	 * Public interface.
	 */
	ratkn_config_t public;

	/**
	 * Connection policies, ratkn_policy_t
	 */
	linked_list_t *policies;

	/**
	 * Attesters, attester_t
	 */
	linked_list_t *attesters;

	/**
	 * Verifiers, ratkn_verifier_cfg_t
	 */
	linked_list_t *verifiers;

	/**
	 * Models a responder offers
	 */
	ratkn_model_t models[RATKN_MAX_MODELS];

	/**
	 * Number of models
	 */
	int model_count;

	/**
	 * TCTI configuration, NULL if no TPM is configured
	 */
	char *tcti;

	/**
	 * AK handle
	 */
	uint32_t ak_handle;

	/**
	 * Timeout of TPM commands in ms
	 */
	u_int tpm_timeout;

	/**
	 * Lock for the lists
	 */
	rwlock_t *lock;
};

/**
 * Private data of a policy
 */
typedef struct {
	/** public part */
	ratkn_policy_t public;
	/** references */
	refcount_t ref;
} private_policy_t;

METHOD(ratkn_policy_t, policy_get_ref, ratkn_policy_t*,
	private_policy_t *this)
{
	ref_get(&this->ref);
	return &this->public;
}

METHOD(ratkn_policy_t, policy_destroy, void,
	private_policy_t *this)
{
	if (ref_put(&this->ref))
	{
		DESTROY_OFFSET_IF(this->public.warning_ts,
						  offsetof(traffic_selector_t, destroy));
		DESTROY_FUNCTION_IF(this->public.accept_policies, free);
		free(this->public.verifier);
		free(this->public.keyring);
		free(this->public.name);
		free(this);
	}
}

/**
 * Private data of a verifier
 */
typedef struct {
	/** public part */
	ratkn_verifier_cfg_t public;
	/** references */
	refcount_t ref;
} private_verifier_t;

METHOD(ratkn_verifier_cfg_t, verifier_get_ref, ratkn_verifier_cfg_t*,
	private_verifier_t *this)
{
	ref_get(&this->ref);
	return &this->public;
}

METHOD(ratkn_verifier_cfg_t, verifier_destroy, void,
	private_verifier_t *this)
{
	if (ref_put(&this->ref))
	{
		chunk_free(&this->public.key);
		free(this->public.name);
		free(this->public.url);
		free(this->public.ca);
		free(this);
	}
}

/**
 * Destroy an attester entry
 */
static void attester_destroy(attester_t *this)
{
	this->id->destroy(this->id);
	this->appraisal->destroy(this->appraisal);
	free(this->error);
	free(this->name);
	free(this);
}

/*
 * Described in header
 */
bool ratkn_config_parse_group(char *str, uint16_t *group)
{
	static struct {
		char *name;
		uint16_t group;
	} names[] = {
		{ "curve25519",	31 },
		{ "x25519",		31 },
		{ "ecp256",		19 },
		{ "ecp384",		20 },
		{ "curve448",	32 },
		{ "x448",		32 },
	};
	char *end;
	u_long num;
	int i;

	if (!str)
	{
		return FALSE;
	}
	for (i = 0; i < countof(names); i++)
	{
		if (strcaseeq(str, names[i].name))
		{
			*group = names[i].group;
			return TRUE;
		}
	}
	errno = 0;
	num = strtoul(str, &end, 10);
	if (errno || *end || end == str || !ratkn_kex_supported(num))
	{
		return FALSE;
	}
	*group = num;
	return TRUE;
}

/**
 * Resolve a path relative to RATKN_CONFDIR
 */
static char *resolve_path(char *path, char *buf, size_t len)
{
	if (path[0] == '/')
	{
		return path;
	}
	snprintf(buf, len, "%s/%s", RATKN_CONFDIR, path);
	return buf;
}

/**
 * Parse a role keyword
 */
static bool parse_role(char *str, ratkn_role_t *role)
{
	if (enum_from_name(ratkn_role_names, str, role))
	{
		return TRUE;
	}
	if (strcaseeq(str, "rp"))
	{
		*role = RATKN_ROLE_RELYING_PARTY;
		return TRUE;
	}
	return FALSE;
}

/**
 * Parse a comma-separated list of models
 */
static bool parse_models(char *str, ratkn_model_t models[RATKN_MAX_MODELS],
						 int *count)
{
	enumerator_t *enumerator;
	ratkn_model_t model;
	char *token;
	bool ok = TRUE;

	*count = 0;
	enumerator = enumerator_create_token(str, ",", " ");
	while (enumerator->enumerate(enumerator, &token))
	{
		if (*count == RATKN_MAX_MODELS ||
			!enum_from_name(ratkn_model_names, token, &model))
		{
			ok = FALSE;
			break;
		}
		models[(*count)++] = model;
	}
	enumerator->destroy(enumerator);
	return ok && *count;
}

/**
 * Parse a comma-separated list of subnets into traffic selectors
 */
static linked_list_t *parse_ts(char *str)
{
	enumerator_t *enumerator;
	traffic_selector_t *ts;
	linked_list_t *list;
	char *token;

	list = linked_list_create();
	enumerator = enumerator_create_token(str, ",", " ");
	while (enumerator->enumerate(enumerator, &token))
	{
		ts = traffic_selector_create_from_cidr(token, 0, 0, 65535);
		if (!ts)
		{
			list->destroy_offset(list, offsetof(traffic_selector_t, destroy));
			list = NULL;
			break;
		}
		list->insert_last(list, ts);
	}
	enumerator->destroy(enumerator);
	return list;
}

/**
 * Whether a connection's relying party can appraise evidence itself, so that
 * there is no attestation result
 */
static bool appraises_locally(ratkn_policy_t *p)
{
	int i;

	for (i = 0; i < p->model_count; i++)
	{
		if (p->models[i] == RATKN_MODEL_BACKGROUND_CHECK &&
			!p->remote_appraisal)
		{
			return TRUE;
		}
	}
	return FALSE;
}

/**
 * Load what a relying party requires of attestation results: appraisal
 * policies and trustworthiness claims
 */
static bool load_result_policy(private_policy_t *this, char *name)
{
	ratkn_policy_t *p = &this->public;
	enumerator_t *enumerator;
	char *str, *claim;
	bool valid = TRUE;
	int tv;

	str = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.connections.%s.accept_policies", NULL,
				lib->ns, name);
	if (str)
	{
		p->accept_policies = linked_list_create();
		enumerator = enumerator_create_token(str, ",", " ");
		while (enumerator->enumerate(enumerator, &claim))
		{
			p->accept_policies->insert_last(p->accept_policies,
											strdup(claim));
		}
		enumerator->destroy(enumerator);
	}
	str = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.connections.%s.require_trust", NULL,
				lib->ns, name);
	if (str)
	{
		enumerator = enumerator_create_token(str, ",", " ");
		while (enumerator->enumerate(enumerator, &claim))
		{
			if (!ratkn_ear_tv_from_name(claim, &tv))
			{
				DBG1(DBG_CFG, "ratkn: connection '%s': unknown "
					 "trustworthiness claim '%s' in require_trust (expected "
					 "instance-identity, configuration, executables or "
					 "hardware)", name, claim);
				valid = FALSE;
				continue;
			}
			p->require_trust |= 1 << tv;
		}
		enumerator->destroy(enumerator);
	}
	if ((p->require_trust || p->accept_policies) &&
		(p->role & RATKN_FLAG_VERIFY) && appraises_locally(p))
	{
		DBG1(DBG_CFG, "ratkn: connection '%s': accept_policies and "
			 "require_trust judge attestation results, but the connection "
			 "appraises background-check evidence locally (set appraisal = "
			 "verifier, or models = passport)", name);
		valid = FALSE;
	}
	return valid;
}

/**
 * Load the remote verification settings of a connection
 */
static bool load_remote(private_policy_t *this, char *name)
{
	ratkn_policy_t *p = &this->public;
	char *str, *verifier, *appraisal, *on_warning;
	bool valid = TRUE;
	int i;

	str = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.connections.%s.models", "background-check",
				lib->ns, name);
	if (!parse_models(str, p->models, &p->model_count))
	{
		DBG1(DBG_CFG, "ratkn: connection '%s': invalid models '%s' (expected "
			 "background-check and/or passport)", name, str);
		valid = FALSE;
	}
	verifier = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.connections.%s.verifier", NULL, lib->ns, name);
	p->verifier = strdupnull(verifier);
	appraisal = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.connections.%s.appraisal", "local",
				lib->ns, name);
	if (streq(appraisal, "verifier"))
	{
		p->remote_appraisal = TRUE;
	}
	else if (!streq(appraisal, "local"))
	{
		DBG1(DBG_CFG, "ratkn: connection '%s': invalid appraisal '%s' "
			 "(expected local or verifier)", name, appraisal);
		valid = FALSE;
	}
	for (i = 0; i < p->model_count; i++)
	{
		if (p->models[i] == RATKN_MODEL_PASSPORT && !verifier &&
			(p->role & RATKN_FLAG_ATTEST))
		{
			DBG1(DBG_CFG, "ratkn: connection '%s': the passport model needs a "
				 "verifier", name);
			valid = FALSE;
		}
	}
	if ((p->remote_appraisal || (p->role & RATKN_FLAG_VERIFY)) && !verifier)
	{
		for (i = 0; i < p->model_count; i++)
		{
			if (p->models[i] == RATKN_MODEL_PASSPORT || p->remote_appraisal)
			{
				DBG1(DBG_CFG, "ratkn: connection '%s': checking attestation "
					 "results needs a verifier", name);
				valid = FALSE;
				break;
			}
		}
	}
	p->freshness = lib->settings->get_time(lib->settings,
				"%s.plugins.ratkn.connections.%s.freshness", 0, lib->ns, name);
	p->passport_cache = lib->settings->get_time(lib->settings,
				"%s.plugins.ratkn.connections.%s.passport_cache", 0,
				lib->ns, name);
	p->reattest = lib->settings->get_time(lib->settings,
				"%s.plugins.ratkn.connections.%s.reattest", 0, lib->ns, name);
	on_warning = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.connections.%s.on_warning", "refuse",
				lib->ns, name);
	if (!enum_from_name(ratkn_on_warning_names, on_warning, &p->on_warning))
	{
		DBG1(DBG_CFG, "ratkn: connection '%s': invalid on_warning '%s' "
			 "(expected refuse, accept or restrict)", name, on_warning);
		valid = FALSE;
	}
	str = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.connections.%s.warning_ts", NULL, lib->ns,
				name);
	if (str)
	{
		p->warning_ts = parse_ts(str);
		if (!p->warning_ts)
		{
			DBG1(DBG_CFG, "ratkn: connection '%s': invalid warning_ts '%s'",
				 name, str);
			valid = FALSE;
		}
	}
	if (p->on_warning == RATKN_WARNING_RESTRICT && !p->warning_ts)
	{
		DBG1(DBG_CFG, "ratkn: connection '%s': on_warning = restrict needs "
			 "warning_ts", name);
		valid = FALSE;
	}
	if (!load_result_policy(this, name))
	{
		valid = FALSE;
	}
	return valid;
}

/**
 * Load the KMS settings of a connection (docs/kms.md)
 */
static bool load_kms(private_policy_t *this, char *name)
{
	ratkn_policy_t *p = &this->public;
	char *keyring, *on_down, *perm, *end;
	bool valid = TRUE;

	p->kms = lib->settings->get_bool(lib->settings,
				"%s.plugins.ratkn.connections.%s.kms", FALSE, lib->ns, name);
	keyring = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.connections.%s.keyring", NULL, lib->ns, name);
	on_down = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.connections.%s.keys_on_down", "keep",
				lib->ns, name);
	perm = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.connections.%s.key_perm", NULL, lib->ns,
				name);
	if (p->kms)
	{
		if (!(p->role & RATKN_FLAG_VERIFY))
		{
			DBG1(DBG_CFG, "ratkn: connection '%s': kms = yes needs role "
				 "relying-party or mutual", name);
			valid = FALSE;
		}
		if (!ratkn_jwe_supported(p->group))
		{
			DBG1(DBG_CFG, "ratkn: connection '%s': kms = yes needs group "
				 "ecp256 or ecp384 (keys are wrapped to the attested share "
				 "with JWE ECDH-ES, which has no %s)", name,
				 ratkn_kex_group_name(p->group));
			valid = FALSE;
		}
		if (!ratkn_release_configured())
		{
			DBG1(DBG_CFG, "ratkn: connection '%s': kms = yes, but no key "
				 "store is configured (charon.plugins.ratkn.kms.token)", name);
			valid = FALSE;
		}
	}
	if (keyring)
	{
		p->keyring = strdup(keyring);
		if (!ratkn_keyring_name_valid(keyring))
		{
			DBG1(DBG_CFG, "ratkn: connection '%s': invalid keyring name '%s'",
				 name, keyring);
			valid = FALSE;
		}
		if (!(p->role & RATKN_FLAG_ATTEST))
		{
			DBG1(DBG_CFG, "ratkn: connection '%s': keyring needs role "
				 "attester or mutual", name);
			valid = FALSE;
		}
		if (!ratkn_jwe_supported(p->group))
		{
			DBG1(DBG_CFG, "ratkn: connection '%s': keyring needs group "
				 "ecp256 or ecp384 (no key releases to %s shares)", name,
				 ratkn_kex_group_name(p->group));
			valid = FALSE;
		}
	}
	if (streq(on_down, "remove"))
	{
		p->keys_remove = TRUE;
	}
	else if (!streq(on_down, "keep"))
	{
		DBG1(DBG_CFG, "ratkn: connection '%s': invalid keys_on_down '%s' "
			 "(expected keep or remove)", name, on_down);
		valid = FALSE;
	}
	p->key_perm = RATKN_KEYRING_DEFAULT_PERM;
	if (perm)
	{
		errno = 0;
		p->key_perm = strtoul(perm, &end, 16);
		if (errno || *end || !*perm || strlen(perm) > 10)
		{
			DBG1(DBG_CFG, "ratkn: connection '%s': invalid key_perm '%s' "
				 "(hexadecimal keyctl permission mask)", name, perm);
			valid = FALSE;
		}
	}
	return valid;
}

/**
 * Load the settings of a TPM-resident ECDHE share
 */
static bool load_share(private_policy_t *this, char *name)
{
	ratkn_policy_t *p = &this->public;
	char *share;
	bool valid = TRUE;
	int i;

	share = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.connections.%s.share", "software",
				lib->ns, name);
	p->require_tpm_share = lib->settings->get_bool(lib->settings,
				"%s.plugins.ratkn.connections.%s.require_tpm_share", FALSE,
				lib->ns, name);
	if (streq(share, "tpm"))
	{
		p->tpm_share = TRUE;
	}
	else if (!streq(share, "software"))
	{
		DBG1(DBG_CFG, "ratkn: connection '%s': invalid share '%s' (expected "
			 "software or tpm)", name, share);
		valid = FALSE;
	}
	if ((p->tpm_share || p->require_tpm_share) &&
		!ratkn_share_curve(p->group))
	{
		DBG1(DBG_CFG, "ratkn: connection '%s': a TPM-resident share needs "
			 "group ecp256 or ecp384, not %s", name,
			 ratkn_kex_group_name(p->group));
		valid = FALSE;
	}
	if (p->tpm_share && !(p->role & RATKN_FLAG_ATTEST))
	{
		DBG1(DBG_CFG, "ratkn: connection '%s': share = tpm needs role "
			 "attester or mutual", name);
		valid = FALSE;
	}
	if (p->require_tpm_share)
	{
		if (!(p->role & RATKN_FLAG_VERIFY))
		{
			DBG1(DBG_CFG, "ratkn: connection '%s': require_tpm_share needs "
				 "role relying-party or mutual", name);
			valid = FALSE;
		}
		for (i = 0; i < p->model_count; i++)
		{
			if (p->models[i] == RATKN_MODEL_PASSPORT)
			{
				DBG1(DBG_CFG, "ratkn: connection '%s': require_tpm_share "
					 "needs the evidence, which the passport model does not "
					 "carry", name);
				valid = FALSE;
				break;
			}
		}
	}
	return valid;
}

/**
 * Load the policy of a connection section; an invalid section results in a
 * policy with valid = FALSE, which makes the connection fail
 */
static ratkn_policy_t *load_policy(char *name, char *pcrs_default)
{
	private_policy_t *this;
	char *role, *group, *key_use, *pcrs;
	bool valid = TRUE;

	INIT(this,
		.public = {
			.name = strdup(name),
			.get_ref = _policy_get_ref,
			.destroy = _policy_destroy,
		},
		.ref = 1,
	);

	role = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.connections.%s.role", "relying-party",
				lib->ns, name);
	if (!parse_role(role, &this->public.role))
	{
		DBG1(DBG_CFG, "ratkn: connection '%s': invalid role '%s' (expected "
			 "attester, relying-party, mutual or none)", name, role);
		valid = FALSE;
	}
	this->public.required = lib->settings->get_bool(lib->settings,
				"%s.plugins.ratkn.connections.%s.required", TRUE,
				lib->ns, name);
	group = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.connections.%s.group", "curve25519",
				lib->ns, name);
	if (!ratkn_config_parse_group(group, &this->public.group))
	{
		DBG1(DBG_CFG, "ratkn: connection '%s': unsupported group '%s'",
			 name, group);
		valid = FALSE;
	}
	key_use = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.connections.%s.key_use", "ppk",
				lib->ns, name);
	if (!enum_from_name(ratkn_key_use_names, key_use, &this->public.key_use))
	{
		DBG1(DBG_CFG, "ratkn: connection '%s': invalid key_use '%s' "
			 "(expected ppk or psk)", name, key_use);
		valid = FALSE;
	}
	pcrs = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.connections.%s.pcrs", pcrs_default,
				lib->ns, name);
	if (!ratkn_pcr_selection_parse(pcrs, &this->public.pcrs))
	{
		DBG1(DBG_CFG, "ratkn: connection '%s': invalid PCR selection '%s'",
			 name, pcrs);
		valid = FALSE;
	}
	if (!load_remote(this, name))
	{
		valid = FALSE;
	}
	if (!load_kms(this, name))
	{
		valid = FALSE;
	}
	if (!load_share(this, name))
	{
		valid = FALSE;
	}
	this->public.valid = valid;
	DBG2(DBG_CFG, "ratkn: connection '%s': role %N, %s, group %s, key use "
		 "%N%s", name, ratkn_role_names, this->public.role,
		 this->public.required ? "required" : "optional",
		 ratkn_kex_group_name(this->public.group), ratkn_key_use_names,
		 this->public.key_use, valid ? "" : " (INVALID, refusing)");
	return &this->public;
}

/**
 * Load the AKs of an attester: PEM public keys (pinned by SPKI) and TPM
 * Names (pinned with their attributes); FALSE with a reason if any entry
 * is unusable or there is none
 */
static bool load_aks(ratkn_appraisal_t *appraisal, char *aks, char *names,
					 int *count, char *error, size_t len)
{
	enumerator_t *enumerator;
	char *entry, buf[PATH_MAX], hex[2 * RATKN_AK_NAME_MAX + 8];
	chunk_t spki, name, *file;
	bool ok = TRUE;

	enumerator = enumerator_create_token(aks ?: "", ",", " ");
	while (ok && enumerator->enumerate(enumerator, &entry))
	{
		ok = ratkn_ak_load(resolve_path(entry, buf, sizeof(buf)), &spki);
		if (!ok)
		{
			snprintf(error, len, "loading AK '%s' failed", entry);
			break;
		}
		appraisal->add_ak(appraisal, spki);
		chunk_free(&spki);
		(*count)++;
	}
	enumerator->destroy(enumerator);

	/* a Name in hex, or a file containing one ("ratkn ak show --name") */
	enumerator = enumerator_create_token(names ?: "", ",", " ");
	while (ok && enumerator->enumerate(enumerator, &entry))
	{
		ok = ratkn_ak_name_from_hex(entry, &name);
		if (!ok && (file = chunk_map(resolve_path(entry, buf, sizeof(buf)),
									 FALSE)))
		{
			snprintf(hex, sizeof(hex), "%.*s", (int)file->len, file->ptr);
			chunk_unmap(file);
			ok = ratkn_ak_name_from_hex(strtok(hex, " \t\r\n") ?: "",
										&name);
		}
		if (!ok)
		{
			snprintf(error, len, "ak_name '%s' is neither a TPM Name in hex "
					 "nor a file with one", entry);
			break;
		}
		appraisal->add_ak_name(appraisal, name);
		chunk_free(&name);
		(*count)++;
	}
	enumerator->destroy(enumerator);
	if (ok && !*count)
	{
		snprintf(error, len, "no AK (ak or ak_name)");
		ok = FALSE;
	}
	return ok;
}

/**
 * Load an attester section. An attester whose section is unusable is kept,
 * broken: it still matches its identity, and appraisals of that identity
 * fail naming the reason instead of falling through to a later entry.
 * NULL only if the section has no identity to match.
 */
static attester_t *load_attester(char *name)
{
	ratkn_appraisal_t *appraisal;
	ratkn_reference_t *ref;
	attester_t *attester;
	char *id, *aks, *names, *reference, buf[PATH_MAX], error[256] = "";
	int count = 0;

	id = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.attesters.%s.id", NULL, lib->ns, name);
	aks = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.attesters.%s.ak", NULL, lib->ns, name);
	names = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.attesters.%s.ak_name", NULL, lib->ns, name);
	reference = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.attesters.%s.reference", NULL, lib->ns, name);
	if (!id)
	{
		DBG1(DBG_CFG, "ratkn: attester '%s' has no id, it matches no peer",
			 name);
		return NULL;
	}
	appraisal = ratkn_appraisal_create();
	if (load_aks(appraisal, aks, names, &count, error, sizeof(error)))
	{
		if (!reference)
		{
			snprintf(error, sizeof(error), "no reference values (set "
					 "reference = FILE, or reference = none to check only "
					 "the AK and the binding)");
		}
		else if (!streq(reference, "none"))
		{
			ref = ratkn_reference_load(resolve_path(reference, buf,
													sizeof(buf)));
			if (ref)
			{
				appraisal->set_reference(appraisal, ref);
			}
			else
			{
				snprintf(error, sizeof(error), "loading reference values "
						 "'%s' failed", reference);
			}
		}
	}
	INIT(attester,
		.name = strdup(name),
		.id = identification_create_from_string(id),
		.appraisal = appraisal,
		.error = error[0] ? strdup(error) : NULL,
	);
	if (attester->error)
	{
		DBG1(DBG_CFG, "ratkn: attester '%s' (%Y) is unusable: %s; its peers "
			 "fail attestation", name, attester->id, attester->error);
	}
	else
	{
		DBG2(DBG_CFG, "ratkn: attester '%s' (%Y) with %d trusted AK%s%s",
			 name, attester->id, count, count == 1 ? "" : "s",
			 appraisal->has_reference(appraisal) ? "" :
			 ", no reference values (AK and binding only, status none)");
	}
	return attester;
}

/**
 * Load a verifier section, NULL if invalid
 */
static ratkn_verifier_cfg_t *load_verifier(char *name)
{
	private_verifier_t *this;
	char *url, *ca, *key, buf[PATH_MAX];
	chunk_t *pem;

	url = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.verifiers.%s.url", NULL, lib->ns, name);
	ca = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.verifiers.%s.ca", NULL, lib->ns, name);
	key = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.verifiers.%s.key", NULL, lib->ns, name);
	if (!url || !key)
	{
		DBG1(DBG_CFG, "ratkn: verifier '%s' needs url and key, ignored", name);
		return NULL;
	}
	if (!strcasepfx(url, "https://") &&
		!(strcasepfx(url, "http://") &&
		  lib->settings->get_bool(lib->settings,
				"%s.plugins.ratkn.verifiers.%s.allow_http", FALSE,
				lib->ns, name)))
	{
		DBG1(DBG_CFG, "ratkn: verifier '%s': URL '%s' is not https://, "
			 "refused (evidence and results would travel unprotected; "
			 "allow_http = yes is for tests only)", name, url);
		return NULL;
	}
	pem = chunk_map(resolve_path(key, buf, sizeof(buf)), FALSE);
	if (!pem)
	{
		DBG1(DBG_CFG, "ratkn: verifier '%s': reading key '%s' failed: %s, "
			 "ignored", name, key, strerror(errno));
		return NULL;
	}
	INIT(this,
		.public = {
			.name = strdup(name),
			.url = strdup(url),
			.ca = ca ? strdup(resolve_path(ca, buf, sizeof(buf))) : NULL,
			.key = chunk_clone(*pem),
			.timeout = lib->settings->get_time(lib->settings,
						"%s.plugins.ratkn.verifiers.%s.timeout", 5,
						lib->ns, name) * 1000,
			.retry = lib->settings->get_time(lib->settings,
						"%s.plugins.ratkn.verifiers.%s.retry", 10,
						lib->ns, name),
			.get_ref = _verifier_get_ref,
			.destroy = _verifier_destroy,
		},
		.ref = 1,
	);
	chunk_unmap(pem);
	DBG2(DBG_CFG, "ratkn: verifier '%s' at %s", name, url);
	return &this->public;
}

/**
 * Load all sections into new lists
 */
static void load(private_ratkn_config_t *this, linked_list_t **policies,
				 linked_list_t **attesters, linked_list_t **verifiers)
{
	ratkn_verifier_cfg_t *verifier;
	enumerator_t *enumerator;
	attester_t *attester;
	char *name, *pcrs_default;

	*policies = linked_list_create();
	*attesters = linked_list_create();
	*verifiers = linked_list_create();

	enumerator = lib->settings->create_section_enumerator(lib->settings,
				"%s.plugins.ratkn.verifiers", lib->ns);
	while (enumerator->enumerate(enumerator, &name))
	{
		verifier = load_verifier(name);
		if (verifier)
		{
			(*verifiers)->insert_last(*verifiers, verifier);
		}
	}
	enumerator->destroy(enumerator);
	pcrs_default = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.tpm.pcrs", RATKN_DEFAULT_PCRS, lib->ns);

	enumerator = lib->settings->create_section_enumerator(lib->settings,
				"%s.plugins.ratkn.connections", lib->ns);
	while (enumerator->enumerate(enumerator, &name))
	{
		(*policies)->insert_last(*policies, load_policy(name, pcrs_default));
	}
	enumerator->destroy(enumerator);

	enumerator = lib->settings->create_section_enumerator(lib->settings,
				"%s.plugins.ratkn.attesters", lib->ns);
	while (enumerator->enumerate(enumerator, &name))
	{
		attester = load_attester(name);
		if (attester)
		{
			(*attesters)->insert_last(*attesters, attester);
		}
	}
	enumerator->destroy(enumerator);

	DBG1(DBG_CFG, "ratkn: %d connection%s, %d attester%s, %d verifier%s "
		 "configured%s", (*policies)->get_count(*policies),
		 (*policies)->get_count(*policies) == 1 ? "" : "s",
		 (*attesters)->get_count(*attesters),
		 (*attesters)->get_count(*attesters) == 1 ? "" : "s",
		 (*verifiers)->get_count(*verifiers),
		 (*verifiers)->get_count(*verifiers) == 1 ? "" : "s",
		 this->tcti ? ", TPM available for attestation" : "");
}

METHOD(ratkn_config_t, get_policy, ratkn_policy_t*,
	private_ratkn_config_t *this, char *name)
{
	enumerator_t *enumerator;
	ratkn_policy_t *policy, *found = NULL;

	this->lock->read_lock(this->lock);
	enumerator = this->policies->create_enumerator(this->policies);
	while (enumerator->enumerate(enumerator, &policy))
	{
		if (streq(policy->name, name))
		{
			found = policy->get_ref(policy);
			break;
		}
	}
	enumerator->destroy(enumerator);
	this->lock->unlock(this->lock);
	return found;
}

METHOD(ratkn_config_t, get_appraisal, ratkn_appraisal_t*,
	private_ratkn_config_t *this, identification_t *id, char *name,
	size_t len, char *error, size_t error_len)
{
	enumerator_t *enumerator;
	attester_t *attester;
	ratkn_appraisal_t *found = NULL;

	this->lock->read_lock(this->lock);
	enumerator = this->attesters->create_enumerator(this->attesters);
	while (enumerator->enumerate(enumerator, &attester))
	{
		if (id->matches(id, attester->id))
		{
			snprintf(name, len, "%s", attester->name);
			if (attester->error)
			{
				snprintf(error, error_len, "%s", attester->error);
			}
			else
			{
				found = attester->appraisal->get_ref(attester->appraisal);
			}
			break;
		}
	}
	enumerator->destroy(enumerator);
	this->lock->unlock(this->lock);
	return found;
}

METHOD(ratkn_config_t, get_verifier, ratkn_verifier_cfg_t*,
	private_ratkn_config_t *this, char *name)
{
	enumerator_t *enumerator;
	ratkn_verifier_cfg_t *verifier, *found = NULL;

	this->lock->read_lock(this->lock);
	enumerator = this->verifiers->create_enumerator(this->verifiers);
	while (enumerator->enumerate(enumerator, &verifier))
	{
		if (streq(verifier->name, name))
		{
			found = verifier->get_ref(verifier);
			break;
		}
	}
	enumerator->destroy(enumerator);
	this->lock->unlock(this->lock);
	return found;
}

METHOD(ratkn_config_t, get_models, int,
	private_ratkn_config_t *this, ratkn_model_t models[RATKN_MAX_MODELS])
{
	int count;

	this->lock->read_lock(this->lock);
	count = this->model_count;
	memcpy(models, this->models, sizeof(this->models));
	this->lock->unlock(this->lock);
	return count;
}

/**
 * Load the models a responder offers: configured, or background-check plus
 * passport if a verifier is configured
 */
static void load_models(private_ratkn_config_t *this, linked_list_t *verifiers,
						ratkn_model_t models[RATKN_MAX_MODELS], int *count)
{
	char *str;

	str = lib->settings->get_str(lib->settings, "%s.plugins.ratkn.models",
								 NULL, lib->ns);
	if (str && parse_models(str, models, count))
	{
		return;
	}
	if (str)
	{
		DBG1(DBG_CFG, "ratkn: invalid models '%s', using defaults", str);
	}
	*count = 0;
	models[(*count)++] = RATKN_MODEL_BACKGROUND_CHECK;
	if (verifiers->get_count(verifiers))
	{
		models[(*count)++] = RATKN_MODEL_PASSPORT;
	}
}

METHOD(ratkn_config_t, can_attest, bool,
	private_ratkn_config_t *this)
{
	return this->tcti != NULL;
}

METHOD(ratkn_config_t, get_tpm, void,
	private_ratkn_config_t *this, char **tcti, uint32_t *handle)
{
	*tcti = this->tcti;
	*handle = this->ak_handle;
}

METHOD(ratkn_config_t, get_tpm_timeout, u_int,
	private_ratkn_config_t *this)
{
	return this->tpm_timeout;
}

METHOD(ratkn_config_t, reload, void,
	private_ratkn_config_t *this)
{
	linked_list_t *policies, *attesters, *verifiers;
	linked_list_t *old_policies, *old_attesters, *old_verifiers;
	ratkn_model_t models[RATKN_MAX_MODELS];
	int count;

	load(this, &policies, &attesters, &verifiers);
	load_models(this, verifiers, models, &count);
	this->lock->write_lock(this->lock);
	old_policies = this->policies;
	old_attesters = this->attesters;
	old_verifiers = this->verifiers;
	this->policies = policies;
	this->attesters = attesters;
	this->verifiers = verifiers;
	memcpy(this->models, models, sizeof(models));
	this->model_count = count;
	this->lock->unlock(this->lock);
	old_policies->destroy_offset(old_policies,
								 offsetof(ratkn_policy_t, destroy));
	old_attesters->destroy_function(old_attesters, (void*)attester_destroy);
	old_verifiers->destroy_offset(old_verifiers,
								  offsetof(ratkn_verifier_cfg_t, destroy));
}

METHOD(ratkn_config_t, destroy, void,
	private_ratkn_config_t *this)
{
	this->policies->destroy_offset(this->policies,
								   offsetof(ratkn_policy_t, destroy));
	this->attesters->destroy_function(this->attesters,
									  (void*)attester_destroy);
	this->verifiers->destroy_offset(this->verifiers,
									offsetof(ratkn_verifier_cfg_t, destroy));
	this->lock->destroy(this->lock);
	free(this->tcti);
	free(this);
}

/*
 * Described in header
 */
ratkn_config_t *ratkn_config_create()
{
	private_ratkn_config_t *this;
	struct stat st;
	char *tcti, *handle, *end;
	u_long value;

	INIT(this,
		.public = {
			.get_policy = _get_policy,
			.get_appraisal = _get_appraisal,
			.get_verifier = _get_verifier,
			.get_models = _get_models,
			.can_attest = _can_attest,
			.get_tpm = _get_tpm,
			.get_tpm_timeout = _get_tpm_timeout,
			.reload = _reload,
			.destroy = _destroy,
		},
		.lock = rwlock_create(RWLOCK_TYPE_DEFAULT),
		.ak_handle = RATKN_TPM_AK_HANDLE,
	);

	handle = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.tpm.ak_handle", NULL, lib->ns);
	if (handle)
	{
		errno = 0;
		value = strtoul(handle, &end, 0);
		if (errno || *end || value < 0x81000000 || value > 0x81ffffff)
		{
			DBG1(DBG_CFG, "ratkn: invalid persistent AK handle '%s', using "
				 "0x%08x", handle, RATKN_TPM_AK_HANDLE);
		}
		else
		{
			this->ak_handle = value;
		}
	}

	this->tpm_timeout = 1000 * lib->settings->get_time(lib->settings,
				"%s.plugins.ratkn.tpm.timeout", 5, lib->ns);

	/* a TPM is used if configured, or if the kernel's resource manager
	 * device exists */
	tcti = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.tpm.tcti", NULL, lib->ns);
	if (tcti && *tcti)
	{
		this->tcti = strdup(tcti);
	}
	else if (stat("/dev/tpmrm0", &st) == 0)
	{
		this->tcti = strdup(RATKN_TPM_TCTI);
	}

	load(this, &this->policies, &this->attesters, &this->verifiers);
	load_models(this, this->verifiers, this->models, &this->model_count);
	return &this->public;
}
