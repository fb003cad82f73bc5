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
 * @defgroup verifier_enroll verifier_enroll
 * @{ @ingroup verifier
 */

#ifndef VERIFIER_ENROLL_H_
#define VERIFIER_ENROLL_H_

#include "verifier_store.h"

/**
 * Seconds a pending enrollment waits for the secret.
 */
#define VERIFIER_ENROLL_LIFETIME 60

/**
 * Most enrollments pending at the same time.
 */
#define VERIFIER_ENROLL_MAX_PENDING 1024

/**
 * Most enrollments pending for one EK; starting another drops its oldest
 * (a legitimate retry still works, anyone with the public EK certificate
 * can hold at most this many slots with it).
 */
#define VERIFIER_ENROLL_MAX_PER_EK 2

/**
 * Most enrollments pending that one client address started.
 */
#define VERIFIER_ENROLL_MAX_PER_CLIENT 16

/**
 * Group of enrollments that name none and whose EK is not assigned.
 */
#define VERIFIER_ENROLL_DEFAULT_GROUP "default"

/**
 * Length of the secret protected with MakeCredential.
 */
#define VERIFIER_ENROLL_SECRET_LEN 32

typedef enum verifier_enroll_status_t verifier_enroll_status_t;

/**
 * Outcome of an enrollment step (mapped to HTTP status codes).
 */
enum verifier_enroll_status_t {
	/** done (200) */
	VERIFIER_ENROLL_OK,
	/** invalid AK, EK type or group (400) */
	VERIFIER_ENROLL_BAD_REQUEST,
	/** EK certificate not trusted, wrong secret, enrollment disabled, group
	 *  not open, EK assigned to another group (403) */
	VERIFIER_ENROLL_FORBIDDEN,
	/** unknown or expired session (404) */
	VERIFIER_ENROLL_NOT_FOUND,
	/** the AK is enrolled in another group (409) */
	VERIFIER_ENROLL_CONFLICT,
	/** too many pending enrollments of this client (429) */
	VERIFIER_ENROLL_TOO_MANY,
	/** too many pending enrollments (503) */
	VERIFIER_ENROLL_BUSY,
	/** internal error (500) */
	VERIFIER_ENROLL_FAILED,
};

typedef struct verifier_enroll_t verifier_enroll_t;

/**
 * Enrollment of attesters: the EK certificate must chain to a TPM
 * manufacturer CA, and the attester proves with TPM2_ActivateCredential that
 * the AK lives in the TPM of that EK.
 *
 * Which group an AK enrolls into is the operator's decision: an EK the
 * operator assigned to a group enrolls into that group only; any other EK
 * only into a group the operator opened for enrollment. An AK never moves
 * to another group by enrolling again.
 */
struct verifier_enroll_t {

	/**
	 * Start an enrollment: check the EK certificate, the AK and the
	 * enrollment policy, protect a fresh secret for the AK's TPM Name with
	 * the EK (MakeCredential) and keep a pending session with the secret's
	 * hash and the Name.
	 *
	 * At most VERIFIER_ENROLL_MAX_PER_EK enrollments of an EK are pending
	 * (starting another drops its oldest), at most
	 * VERIFIER_ENROLL_MAX_PER_CLIENT started by one client address, at
	 * most VERIFIER_ENROLL_MAX_PENDING in all.
	 *
	 * @param ek_cert		DER EK certificate
	 * @param ak_public		marshalled TPMT_PUBLIC of the AK
	 * @param requested		group the attester asks for, NULL for none (the
	 *						EK's assigned group, else "default")
	 * @param client		address of the client (without port)
	 * @param group			group the AK enrolls into (filled in as soon as
	 *						known, else "")
	 * @param session		session identifier (hex, filled in)
	 * @param blob			TPM2B_ID_OBJECT (allocated)
	 * @param encrypted		TPM2B_ENCRYPTED_SECRET (allocated)
	 * @param reason		reason on failure
	 * @param len			size of reason
	 * @return				outcome
	 */
	verifier_enroll_status_t (*start)(verifier_enroll_t *this,
							chunk_t ek_cert, chunk_t ak_public,
							char *requested, char *client,
							char group[VERIFIER_GROUP_MAX + 1],
							char session[33], chunk_t *blob,
							chunk_t *encrypted, char *reason, size_t len);

	/**
	 * Finish an enrollment with the secret the attester's TPM recovered;
	 * the session is used up whatever the outcome. The attester is stored
	 * with the AK's TPM Name, which the secret proved. The enrollment
	 * policy is checked again, together with adding the attester in one
	 * transaction (the policy may have changed, another enrollment of the
	 * AK may have finished since the start).
	 *
	 * @param session		session identifier
	 * @param secret		recovered secret
	 * @param fingerprint	fingerprint of the enrolled AK (filled in)
	 * @param group			group (filled in)
	 * @param reason		reason on failure
	 * @param len			size of reason
	 * @return				outcome
	 */
	verifier_enroll_status_t (*finish)(verifier_enroll_t *this, char *session,
							chunk_t secret,
							char fingerprint[VERIFIER_FPR_LEN + 1],
							char group[VERIFIER_GROUP_MAX + 1],
							char *reason, size_t len);

	/**
	 * Destroy the object.
	 */
	void (*destroy)(verifier_enroll_t *this);
};

/**
 * Fingerprint of an EK: SHA-256 of the SubjectPublicKeyInfo of its
 * certificate, hex; the identifier of EK assignments.
 *
 * @param cert			EK certificate, DER or PEM
 * @param fpr			fingerprint (filled in)
 * @return				FALSE if cert is not a certificate
 */
bool verifier_ek_fingerprint(chunk_t cert, char fpr[VERIFIER_FPR_LEN + 1]);

/**
 * Create the enrollment handler.
 *
 * @param store			store (borrowed)
 * @param ek_ca			NULL-terminated list of EK CA files (borrowed)
 * @return				enrollment handler
 */
verifier_enroll_t *verifier_enroll_create(verifier_store_t *store,
										  char **ek_ca);

#endif /** VERIFIER_ENROLL_H_ @}*/
