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


#include "ratkn_tpm_kex.h"
#include "ratkn_share.h"
#include "ratkn_jwe.h"

#include <openssl/rand.h>

/**
 * Octets of entropy the key is derived from
 */
#define ENTROPY_LEN 32

typedef struct private_ratkn_tpm_kex_t private_ratkn_tpm_kex_t;

/**
 * Private data of a ratkn_tpm_kex_t object.
 */
struct private_ratkn_tpm_kex_t {

	/**
	 * Public interface.
	 */
	ratkn_tpm_kex_t public;

	/**
	 * TPM holding the key
	 */
	ratkn_tpm_t *tpm;

	/**
	 * Group
	 */
	uint16_t group;

	/**
	 * Entropy the key is derived from (secret)
	 */
	chunk_t entropy;

	/**
	 * Public area of the key
	 */
	chunk_t tpm_public;

	/**
	 * Public value in IKE encoding
	 */
	chunk_t pub;
};

METHOD(ratkn_kex_t, get_group, uint16_t,
	private_ratkn_tpm_kex_t *this)
{
	return this->group;
}

METHOD(ratkn_kex_t, get_public, chunk_t,
	private_ratkn_tpm_kex_t *this)
{
	return this->pub;
}

METHOD(ratkn_kex_t, compute, bool,
	private_ratkn_tpm_kex_t *this, chunk_t peer, chunk_t *secret)
{
	if (peer.len != this->pub.len)
	{
		DBG1(DBG_IKE, "ratkn: peer's %s share has %zu octets, expected %zu",
			 ratkn_kex_group_name(this->group), peer.len, this->pub.len);
		return FALSE;
	}
	/* the TPM rejects points that are not on the curve */
	if (!this->tpm->ecdh_zgen(this->tpm, this->tpm_public, this->entropy, peer,
							  secret))
	{
		DBG1(DBG_IKE, "ratkn: ECDH of the TPM-resident share with the peer's "
			 "share failed");
		return FALSE;
	}
	return TRUE;
}

CALLBACK(agree, bool,
	private_ratkn_tpm_kex_t *this, chunk_t epk, chunk_t *z)
{
	return this->tpm->ecdh_zgen(this->tpm, this->tpm_public, this->entropy,
								epk, z);
}

METHOD(ratkn_kex_t, unwrap, ratkn_jwe_key_t*,
	private_ratkn_tpm_kex_t *this, char *token, chunk_t binding, time_t now,
	char *reason, size_t len)
{
	return ratkn_jwe_unwrap_agree(token, this->group, agree, this, binding,
								  now, reason, len);
}

METHOD(ratkn_tpm_kex_t, get_tpm_public, chunk_t,
	private_ratkn_tpm_kex_t *this)
{
	return this->tpm_public;
}

METHOD(ratkn_tpm_kex_t, certify, bool,
	private_ratkn_tpm_kex_t *this, chunk_t qualifying, chunk_t *certify,
	chunk_t *signature)
{
	return this->tpm->certify_ecdh(this->tpm, this->tpm_public, this->entropy,
								   qualifying, certify, signature);
}

METHOD(ratkn_kex_t, destroy, void,
	private_ratkn_tpm_kex_t *this)
{
	chunk_clear(&this->entropy);
	chunk_free(&this->tpm_public);
	chunk_free(&this->pub);
	free(this);
}

/*
 * Described in header
 */
ratkn_tpm_kex_t *ratkn_tpm_kex_create(ratkn_tpm_t *tpm, uint16_t group)
{
	private_ratkn_tpm_kex_t *this;
	char reason[128];
	uint16_t curve;

	curve = ratkn_share_curve(group);
	if (!curve)
	{
		DBG1(DBG_IKE, "ratkn: a TPM-resident share must be ecp256 or ecp384, "
			 "not %s", ratkn_kex_group_name(group));
		return NULL;
	}
	INIT(this,
		.public = {
			.kex = {
				.get_group = _get_group,
				.get_public = _get_public,
				.compute = _compute,
				.unwrap = _unwrap,
				.destroy = _destroy,
			},
			.get_tpm_public = _get_tpm_public,
			.certify = _certify,
		},
		.tpm = tpm,
		.group = group,
		.entropy = chunk_alloc(ENTROPY_LEN),
	);
	if (RAND_priv_bytes(this->entropy.ptr, this->entropy.len) != 1)
	{
		DBG1(DBG_IKE, "ratkn: generating entropy for a TPM share failed");
		destroy(this);
		return NULL;
	}
	if (!tpm->create_ecdh(tpm, curve, this->entropy, &this->tpm_public))
	{
		destroy(this);
		return NULL;
	}
	if (!ratkn_share_point(this->tpm_public, group, &this->pub, reason,
						   sizeof(reason)))
	{
		DBG1(DBG_IKE, "ratkn: the TPM created an unusable share: %s", reason);
		destroy(this);
		return NULL;
	}
	DBG2(DBG_IKE, "ratkn: created a TPM-resident %s share",
		 ratkn_kex_group_name(group));
	return &this->public;
}
