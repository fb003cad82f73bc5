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
	 * TCTI configuration, NULL if no TPM is configured
	 */
	char *tcti;

	/**
	 * AK handle
	 */
	uint32_t ak_handle;

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
		free(this->public.name);
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
	this->public.valid = valid;
	DBG2(DBG_CFG, "ratkn: connection '%s': role %N, %s, group %s, key use "
		 "%N%s", name, ratkn_role_names, this->public.role,
		 this->public.required ? "required" : "optional",
		 ratkn_kex_group_name(this->public.group), ratkn_key_use_names,
		 this->public.key_use, valid ? "" : " (INVALID, refusing)");
	return &this->public;
}

/**
 * Load an attester section, NULL if invalid
 */
static attester_t *load_attester(char *name)
{
	ratkn_appraisal_t *appraisal;
	ratkn_reference_t *ref;
	attester_t *attester;
	enumerator_t *enumerator;
	char *id, *aks, *file, *reference, buf[PATH_MAX];
	chunk_t spki;
	int count = 0;

	id = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.attesters.%s.id", NULL, lib->ns, name);
	aks = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.attesters.%s.ak", NULL, lib->ns, name);
	reference = lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn.attesters.%s.reference", NULL, lib->ns, name);
	if (!id || !aks)
	{
		DBG1(DBG_CFG, "ratkn: attester '%s' needs id and ak, ignored", name);
		return NULL;
	}
	appraisal = ratkn_appraisal_create();
	enumerator = enumerator_create_token(aks, ",", " ");
	while (enumerator->enumerate(enumerator, &file))
	{
		if (!ratkn_ak_load(resolve_path(file, buf, sizeof(buf)), &spki))
		{
			DBG1(DBG_CFG, "ratkn: attester '%s': loading AK '%s' failed",
				 name, file);
			continue;
		}
		appraisal->add_ak(appraisal, spki);
		chunk_free(&spki);
		count++;
	}
	enumerator->destroy(enumerator);
	if (!count)
	{
		DBG1(DBG_CFG, "ratkn: attester '%s' has no usable AK, ignored", name);
		appraisal->destroy(appraisal);
		return NULL;
	}
	if (reference)
	{
		ref = ratkn_reference_load(resolve_path(reference, buf, sizeof(buf)));
		if (!ref)
		{
			DBG1(DBG_CFG, "ratkn: attester '%s': loading reference values "
				 "'%s' failed, ignored", name, reference);
			appraisal->destroy(appraisal);
			return NULL;
		}
		appraisal->set_reference(appraisal, ref);
	}
	else
	{
		DBG1(DBG_CFG, "ratkn: attester '%s' has no reference values, only "
			 "the quote's authenticity and binding are checked", name);
	}
	INIT(attester,
		.name = strdup(name),
		.id = identification_create_from_string(id),
		.appraisal = appraisal,
	);
	DBG2(DBG_CFG, "ratkn: attester '%s' (%Y) with %d trusted AK%s", name,
		 attester->id, count, count == 1 ? "" : "s");
	return attester;
}

/**
 * Load all sections into new lists
 */
static void load(private_ratkn_config_t *this, linked_list_t **policies,
				 linked_list_t **attesters)
{
	enumerator_t *enumerator;
	attester_t *attester;
	char *name, *pcrs_default;

	*policies = linked_list_create();
	*attesters = linked_list_create();
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

	DBG1(DBG_CFG, "ratkn: %d connection%s, %d attester%s configured%s",
		 (*policies)->get_count(*policies),
		 (*policies)->get_count(*policies) == 1 ? "" : "s",
		 (*attesters)->get_count(*attesters),
		 (*attesters)->get_count(*attesters) == 1 ? "" : "s",
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
	private_ratkn_config_t *this, identification_t *id, char **name)
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
			found = attester->appraisal->get_ref(attester->appraisal);
			if (name)
			{
				*name = attester->name;
			}
			break;
		}
	}
	enumerator->destroy(enumerator);
	this->lock->unlock(this->lock);
	return found;
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

METHOD(ratkn_config_t, reload, void,
	private_ratkn_config_t *this)
{
	linked_list_t *policies, *attesters, *old_policies, *old_attesters;

	load(this, &policies, &attesters);
	this->lock->write_lock(this->lock);
	old_policies = this->policies;
	old_attesters = this->attesters;
	this->policies = policies;
	this->attesters = attesters;
	this->lock->unlock(this->lock);
	old_policies->destroy_offset(old_policies,
								 offsetof(ratkn_policy_t, destroy));
	old_attesters->destroy_function(old_attesters, (void*)attester_destroy);
}

METHOD(ratkn_config_t, destroy, void,
	private_ratkn_config_t *this)
{
	this->policies->destroy_offset(this->policies,
								   offsetof(ratkn_policy_t, destroy));
	this->attesters->destroy_function(this->attesters,
									  (void*)attester_destroy);
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
			.can_attest = _can_attest,
			.get_tpm = _get_tpm,
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

	load(this, &this->policies, &this->attesters);
	return &this->public;
}
