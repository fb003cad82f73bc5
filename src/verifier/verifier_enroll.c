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

#include "verifier_enroll.h"

#include <stdio.h>

#include <ratkn_ak.h>
#include <ratkn_credential.h>

#include <limits.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

typedef struct private_verifier_enroll_t private_verifier_enroll_t;

/**
 * Private data of a verifier_enroll_t object.
 */
struct private_verifier_enroll_t {

	/**
	 * Public interface.
	 */
	verifier_enroll_t public;

	/**
	 * Store
	 */
	verifier_store_t *store;

	/**
	 * EK CA files
	 */
	char **ek_ca;
};

/**
 * SHA-256 of data
 */
static bool sha256(chunk_t data, uint8_t hash[32])
{
	u_int len = 32;

	return EVP_Digest(data.ptr, data.len, hash, &len, EVP_sha256(),
					  NULL) == 1;
}

/**
 * Hex of a SHA-256 hash
 */
static void to_hex(uint8_t hash[32], char fpr[VERIFIER_FPR_LEN + 1])
{
	int i;

	for (i = 0; i < 32; i++)
	{
		snprintf(fpr + 2 * i, 3, "%02x", hash[i]);
	}
}

/**
 * SHA-256 of a SPKI as hex fingerprint
 */
static bool fingerprint(chunk_t spki, char fpr[VERIFIER_FPR_LEN + 1])
{
	uint8_t hash[32];

	if (!sha256(spki, hash))
	{
		return FALSE;
	}
	to_hex(hash, fpr);
	return TRUE;
}

/*
 * Described in header
 */
bool verifier_ek_fingerprint(chunk_t cert, char fpr[VERIFIER_FPR_LEN + 1])
{
	const u_char *pos = cert.ptr;
	X509 *x509 = NULL;
	BIO *bio;
	u_char *spki = NULL;
	int len;
	bool ok;

	if (!cert.len || cert.len > INT_MAX)
	{
		return FALSE;
	}
	if (memstr(cert.ptr, "-----BEGIN", cert.len))
	{
		bio = BIO_new_mem_buf(cert.ptr, cert.len);
		x509 = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
	}
	else
	{
		x509 = d2i_X509(NULL, &pos, cert.len);
		if (x509 && pos != cert.ptr + cert.len)
		{	/* trailing data */
			X509_free(x509);
			x509 = NULL;
		}
	}
	if (!x509)
	{
		ERR_clear_error();
		return FALSE;
	}
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x509), &spki);
	ok = len > 0 && fingerprint(chunk_create(spki, len), fpr);
	OPENSSL_free(spki);
	X509_free(x509);
	return ok;
}

/**
 * Check a session identifier: 32 lower case hex digits
 */
static bool session_valid(char *id)
{
	return id && strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32;
}

/**
 * The group an enrollment goes into: the EK's assigned group, else the
 * requested one, else the default group
 */
static verifier_enroll_status_t resolve_group(private_verifier_enroll_t *this,
									char *ek, char *requested,
									char group[VERIFIER_GROUP_MAX + 1],
									char *reason, size_t len)
{
	char assigned[VERIFIER_GROUP_MAX + 1];

	switch (this->store->get_ek_group(this->store, ek, assigned))
	{
		case VERIFIER_STORE_OK:
			if (requested && !streq(requested, assigned))
			{
				snprintf(reason, len, "EK %s is assigned to group '%s' by the "
						 "operator, it cannot enroll into group '%s'", ek,
						 assigned, requested);
				return VERIFIER_ENROLL_FORBIDDEN;
			}
			snprintf(group, VERIFIER_GROUP_MAX + 1, "%s", assigned);
			return VERIFIER_ENROLL_OK;
		case VERIFIER_STORE_NOT_FOUND:
			snprintf(group, VERIFIER_GROUP_MAX + 1, "%s",
					 requested ?: VERIFIER_ENROLL_DEFAULT_GROUP);
			return VERIFIER_ENROLL_OK;
		default:
			snprintf(reason, len, "database error");
			return VERIFIER_ENROLL_FAILED;
	}
}

/**
 * Map a refusal of the enrollment policy to an outcome and a reason
 */
static verifier_enroll_status_t policy_status(verifier_store_status_t status,
									char *ak, char *ek, char *group,
									char *other, char *reason, size_t len)
{
	switch (status)
	{
		case VERIFIER_STORE_OK:
			return VERIFIER_ENROLL_OK;
		case VERIFIER_STORE_NOT_FOUND:
			snprintf(reason, len, "unknown group '%s'", group);
			return VERIFIER_ENROLL_BAD_REQUEST;
		case VERIFIER_STORE_DENIED:
			if (other[0])
			{
				snprintf(reason, len, "EK %s is assigned to group '%s' by the "
						 "operator, it cannot enroll into group '%s'", ek,
						 other, group);
			}
			else
			{
				snprintf(reason, len, "group '%s' is not open for enrollment",
						 group);
			}
			return VERIFIER_ENROLL_FORBIDDEN;
		case VERIFIER_STORE_CONFLICT:
			snprintf(reason, len, "AK %s is enrolled in group '%s', it cannot "
					 "move to group '%s' (remove it there first)", ak, other,
					 group);
			return VERIFIER_ENROLL_CONFLICT;
		default:
			snprintf(reason, len, "database error");
			return VERIFIER_ENROLL_FAILED;
	}
}

METHOD(verifier_enroll_t, start, verifier_enroll_status_t,
	private_verifier_enroll_t *this, chunk_t ek_cert, chunk_t ak_public,
	char *requested, char *client, char group[VERIFIER_GROUP_MAX + 1],
	char session_id[33], chunk_t *blob, chunk_t *encrypted, char *reason,
	size_t len)
{
	verifier_session_limits_t limits = {
		.total = VERIFIER_ENROLL_MAX_PENDING,
		.per_ek = VERIFIER_ENROLL_MAX_PER_EK,
		.per_client = VERIFIER_ENROLL_MAX_PER_CLIENT,
	};
	verifier_session_t session = {};
	uint8_t secret[VERIFIER_ENROLL_SECRET_LEN], id[16];
	chunk_t ak_spki = chunk_empty, ek_spki = chunk_empty, name = chunk_empty;
	chunk_t ak_name = chunk_empty;
	char fpr[VERIFIER_FPR_LEN + 1], ek[VERIFIER_FPR_LEN + 1], why[256] = "";
	char other[VERIFIER_GROUP_MAX + 1] = "";
	verifier_enroll_status_t result = VERIFIER_ENROLL_FAILED;
	int i;

	*blob = *encrypted = chunk_empty;
	group[0] = '\0';
	if (!this->ek_ca[0])
	{
		snprintf(reason, len, "enrollment needs trusted EK CAs (ek_ca)");
		return VERIFIER_ENROLL_FORBIDDEN;
	}
	if (requested && !verifier_group_name_valid(requested))
	{
		snprintf(reason, len, "invalid group name (1-%d of A-Z a-z 0-9 . _ -)",
				 VERIFIER_GROUP_MAX);
		return VERIFIER_ENROLL_BAD_REQUEST;
	}
	if (!ratkn_ak_spki_from_tpm(ak_public, &ak_spki))
	{
		snprintf(reason, len, "ak_public is not a restricted signing key");
		return VERIFIER_ENROLL_BAD_REQUEST;
	}
	if (!fingerprint(ak_spki, fpr))
	{
		snprintf(reason, len, "hashing the AK failed");
		goto out;
	}
	/* the EK first: the policy says nothing to holders of untrusted
	 * certificates */
	if (!ratkn_credential_check_ek(ek_cert, this->ek_ca, &ek_spki, why,
								   sizeof(why)))
	{
		snprintf(reason, len, "EK certificate not trusted: %s", why);
		result = VERIFIER_ENROLL_FORBIDDEN;
		goto out;
	}
	if (!verifier_ek_fingerprint(ek_cert, ek))
	{
		snprintf(reason, len, "hashing the EK failed");
		goto out;
	}
	result = resolve_group(this, ek, requested, group, reason, len);
	if (result != VERIFIER_ENROLL_OK)
	{
		goto out;
	}
	result = policy_status(this->store->check_enrollment(this->store, fpr, ek,
							group, other), fpr, ek, group, other, reason, len);
	if (result != VERIFIER_ENROLL_OK)
	{
		goto out;
	}
	result = VERIFIER_ENROLL_FAILED;
	/* the credential is bound to the Name, which the attester's evidence
	 * must match later: both computations must agree */
	if (!ratkn_credential_name(ak_public, &name) ||
		!ratkn_ak_name(ak_public, &ak_name) || !chunk_equals(name, ak_name))
	{
		snprintf(reason, len, "ak_public has no valid name");
		result = VERIFIER_ENROLL_BAD_REQUEST;
		goto out;
	}
	if (RAND_priv_bytes(secret, sizeof(secret)) != 1 ||
		RAND_bytes(id, sizeof(id)) != 1)
	{
		snprintf(reason, len, "no random data");
		goto out;
	}
	if (!ratkn_credential_make(ek_spki, name, chunk_from_thing(secret), blob,
							   encrypted))
	{
		snprintf(reason, len, "MakeCredential failed (EK type not "
				 "supported?)");
		result = VERIFIER_ENROLL_BAD_REQUEST;
		goto out;
	}
	for (i = 0; i < sizeof(id); i++)
	{
		snprintf(session.id + 2 * i, 3, "%02x", id[i]);
	}
	if (!sha256(chunk_from_thing(secret), session.secret_hash))
	{
		snprintf(reason, len, "hashing the secret failed");
		goto out;
	}
	session.ak_spki = ak_spki;
	session.ak_name = name;
	session.ek_cert = ek_cert;
	session.expires = time(NULL) + VERIFIER_ENROLL_LIFETIME;
	snprintf(session.group, sizeof(session.group), "%s", group);
	snprintf(session.ek, sizeof(session.ek), "%s", ek);
	snprintf(session.client, sizeof(session.client), "%s",
			 client && *client ? client : "-");
	switch (this->store->add_session(this->store, &session, &limits,
									 time(NULL)))
	{
		case VERIFIER_STORE_OK:
			memcpy(session_id, session.id, sizeof(session.id));
			result = VERIFIER_ENROLL_OK;
			break;
		case VERIFIER_STORE_LIMIT:
			snprintf(reason, len, "too many pending enrollments from %s "
					 "(at most %d), finish them or wait %d s",
					 session.client, VERIFIER_ENROLL_MAX_PER_CLIENT,
					 VERIFIER_ENROLL_LIFETIME);
			result = VERIFIER_ENROLL_TOO_MANY;
			break;
		case VERIFIER_STORE_EXISTS:
			snprintf(reason, len, "too many pending enrollments (at most %d)",
					 VERIFIER_ENROLL_MAX_PENDING);
			result = VERIFIER_ENROLL_BUSY;
			break;
		default:
			snprintf(reason, len, "database error");
			break;
	}

out:
	memwipe(secret, sizeof(secret));
	memwipe(session.secret_hash, sizeof(session.secret_hash));
	if (result != VERIFIER_ENROLL_OK)
	{
		chunk_free(blob);
		chunk_free(encrypted);
	}
	chunk_free(&ak_spki);
	chunk_free(&ek_spki);
	chunk_free(&name);
	chunk_free(&ak_name);
	return result;
}

METHOD(verifier_enroll_t, finish, verifier_enroll_status_t,
	private_verifier_enroll_t *this, char *id, chunk_t secret,
	char fpr[VERIFIER_FPR_LEN + 1], char group[VERIFIER_GROUP_MAX + 1],
	char *reason, size_t len)
{
	verifier_attester_t attester = {};
	verifier_session_t *session;
	verifier_store_status_t status;
	verifier_enroll_status_t result;
	char ek[VERIFIER_FPR_LEN + 1], other[VERIFIER_GROUP_MAX + 1] = "";
	uint8_t hash[32];
	bool match;

	status = session_valid(id) ?
				this->store->take_session(this->store, id, time(NULL),
										  &session) :
				VERIFIER_STORE_NOT_FOUND;
	if (status != VERIFIER_STORE_OK)
	{
		snprintf(reason, len, status == VERIFIER_STORE_NOT_FOUND ?
				 "unknown or expired enrollment session" : "database error");
		return status == VERIFIER_STORE_NOT_FOUND ?
				VERIFIER_ENROLL_NOT_FOUND : VERIFIER_ENROLL_FAILED;
	}
	snprintf(group, VERIFIER_GROUP_MAX + 1, "%s", session->group);
	match = sha256(secret, hash) &&
			memeq_const(hash, session->secret_hash, sizeof(hash));
	memwipe(hash, sizeof(hash));
	if (!match)
	{
		snprintf(reason, len, "wrong secret, enrollment session dropped");
		verifier_session_destroy(session);
		return VERIFIER_ENROLL_FORBIDDEN;
	}
	if (!verifier_ek_fingerprint(session->ek_cert, ek))
	{
		snprintf(reason, len, "hashing the EK failed");
		verifier_session_destroy(session);
		return VERIFIER_ENROLL_FAILED;
	}
	attester.ak_spki = session->ak_spki;
	/* ActivateCredential proved that the TPM of the EK holds the AK with
	 * this Name, so its attributes are proven, not only its key */
	attester.ak_name = session->ak_name;
	attester.ek_cert = session->ek_cert;
	attester.enrolled = time(NULL);
	snprintf(attester.group, sizeof(attester.group), "%s", session->group);
	/* the rules again, and the attester added, in one transaction */
	status = this->store->enroll_attester(this->store, &attester, ek, other);
	verifier_session_destroy(session);
	if (attester.fingerprint[0])
	{
		memcpy(fpr, attester.fingerprint, sizeof(attester.fingerprint));
	}
	result = policy_status(status, attester.fingerprint, ek, group, other,
						   reason, len);
	if (status == VERIFIER_STORE_NOT_FOUND)
	{
		snprintf(reason, len, "group '%s' was removed", group);
	}
	return result;
}

METHOD(verifier_enroll_t, destroy, void,
	private_verifier_enroll_t *this)
{
	free(this);
}

/*
 * Described in header
 */
verifier_enroll_t *verifier_enroll_create(verifier_store_t *store,
										  char **ek_ca)
{
	private_verifier_enroll_t *this;

	INIT(this,
		.public = {
			.start = _start,
			.finish = _finish,
			.destroy = _destroy,
		},
		.store = store,
		.ek_ca = ek_ca,
	);
	return &this->public;
}
