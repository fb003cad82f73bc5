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
 * @defgroup verifier_store verifier_store
 * @{ @ingroup verifier
 */

#ifndef VERIFIER_STORE_H_
#define VERIFIER_STORE_H_

#include <library.h>
#include <collections/array.h>

#include <ratkn_evidence.h>
#include <ratkn_pcr.h>
#include <ratkn_reference.h>

/**
 * Version of the database schema (PRAGMA user_version); older databases are
 * migrated when opened.
 */
#define VERIFIER_STORE_SCHEMA 3

/**
 * Longest group name.
 */
#define VERIFIER_GROUP_MAX 64

/**
 * Length of a fingerprint: SHA-256 as lower case hex.
 */
#define VERIFIER_FPR_LEN 64

typedef enum verifier_store_status_t verifier_store_status_t;

/**
 * Outcome of a store operation.
 */
enum verifier_store_status_t {
	/** done */
	VERIFIER_STORE_OK = 0,
	/** the group, attester or session does not exist (or has expired) */
	VERIFIER_STORE_NOT_FOUND,
	/** it exists already */
	VERIFIER_STORE_EXISTS,
	/** the group has attesters or assigned EKs and cannot be removed */
	VERIFIER_STORE_IN_USE,
	/** invalid input (name, value) */
	VERIFIER_STORE_INVALID,
	/** the enrollment policy does not allow it (group closed, EK assigned
	 *  to another group) */
	VERIFIER_STORE_DENIED,
	/** the AK is enrolled in another group */
	VERIFIER_STORE_CONFLICT,
	/** too many pending enrollments of one client */
	VERIFIER_STORE_LIMIT,
	/** database error (logged) */
	VERIFIER_STORE_FAILED,
};

typedef struct verifier_group_t verifier_group_t;

/**
 * A group of attesters sharing reference values.
 */
struct verifier_group_t {
	/** name */
	char name[VERIFIER_GROUP_MAX + 1];
	/** PCRs with reference values */
	ratkn_pcr_selection_t pcrs;
	/** PCRs whose mismatch only yields "warning" */
	ratkn_pcr_selection_t warning;
	/** open for self-enrollment by any EK that is not assigned elsewhere */
	bool enroll;
	/** number of reference values */
	u_int references;
	/** number of attesters */
	u_int attesters;
	/** number of EKs assigned to the group */
	u_int eks;
};

typedef struct verifier_ref_t verifier_ref_t;

/**
 * A reference value: an acceptable digest of a PCR.
 */
struct verifier_ref_t {
	/** TPM_ALG_ID of the bank */
	uint16_t alg;
	/** PCR index */
	u_int pcr;
	/** digest (allocated) */
	chunk_t digest;
};

/**
 * Destroy a verifier_ref_t (array_destroy_function compatible).
 *
 * @param ref			reference value
 * @param idx			unused
 * @param user			unused
 */
void verifier_ref_destroy(void *ref, int idx, void *user);

typedef struct verifier_attester_t verifier_attester_t;

/**
 * An enrolled attester, identified by its AK.
 */
struct verifier_attester_t {
	/** SHA-256 of the AK's SubjectPublicKeyInfo, hex */
	char fingerprint[VERIFIER_FPR_LEN + 1];
	/** DER SubjectPublicKeyInfo of the AK (allocated) */
	chunk_t ak_spki;
	/** TPM Name of the AK (nameAlg and hash of its TPMT_PUBLIC), proven at
	 *  enrollment or given by the operator; empty if not pinned (the AK's
	 *  attributes are then unproven) (allocated) */
	chunk_t ak_name;
	/** DER EK certificate, empty if registered manually (allocated) */
	chunk_t ek_cert;
	/** group */
	char group[VERIFIER_GROUP_MAX + 1];
	/** time of enrollment */
	time_t enrolled;
	/** time of the last attestation, 0 if none */
	time_t last_seen;
	/** ear.status name of the last attestation, "" if none */
	char last_status[16];
	/** clock info of the newest authentic evidence, if has_clock */
	ratkn_clock_info_t clock;
	/** whether authentic evidence was recorded (clock is set) */
	bool has_clock;
};

/**
 * Destroy a verifier_attester_t.
 *
 * @param attester		attester
 */
void verifier_attester_destroy(verifier_attester_t *attester);

typedef struct verifier_session_t verifier_session_t;

/**
 * A pending enrollment: waiting for the attester to prove, with the secret
 * its TPM recovered, that the AK and the EK are in the same TPM.
 */
struct verifier_session_t {
	/** session identifier, hex */
	char id[33];
	/** SHA-256 of the secret (never the secret itself) */
	uint8_t secret_hash[32];
	/** DER SubjectPublicKeyInfo of the AK (allocated) */
	chunk_t ak_spki;
	/** TPM Name of the AK the credential is made for (allocated) */
	chunk_t ak_name;
	/** DER EK certificate (allocated) */
	chunk_t ek_cert;
	/** group */
	char group[VERIFIER_GROUP_MAX + 1];
	/** SHA-256 of the SubjectPublicKeyInfo of the EK, hex */
	char ek[VERIFIER_FPR_LEN + 1];
	/** address of the client that started it */
	char client[64];
	/** expiry time */
	time_t expires;
};

/**
 * Destroy a verifier_session_t.
 *
 * @param session		session
 */
void verifier_session_destroy(verifier_session_t *session);

typedef struct verifier_session_limits_t verifier_session_limits_t;

/**
 * Limits of pending enrollments.
 */
struct verifier_session_limits_t {
	/** most pending enrollments in all */
	u_int total;
	/** most pending enrollments of one EK; starting another drops its
	 *  oldest */
	u_int per_ek;
	/** most pending enrollments started by one client address */
	u_int per_client;
};

typedef struct verifier_ek_t verifier_ek_t;

/**
 * An EK the operator assigned to a group.
 */
struct verifier_ek_t {
	/** SHA-256 of the SubjectPublicKeyInfo of the EK, hex */
	char fingerprint[VERIFIER_FPR_LEN + 1];
	/** group its AKs enroll into */
	char group[VERIFIER_GROUP_MAX + 1];
	/** time of the assignment */
	time_t assigned;
};

/**
 * Check a fingerprint: SHA-256 as 64 lower case hex digits.
 *
 * @param fpr			fingerprint
 * @return				TRUE if valid
 */
bool verifier_fingerprint_valid(char *fpr);

/**
 * Check the form of a TPM Name: a nameAlg of SHA-1, SHA-256, SHA-384 or
 * SHA-512 followed by a hash of its length.
 *
 * @param name			Name
 * @return				TRUE if valid
 */
bool verifier_ak_name_valid(chunk_t name);

/**
 * Check a group name: 1-64 characters of A-Z a-z 0-9 . _ -
 *
 * @param name			name
 * @return				TRUE if valid
 */
bool verifier_group_name_valid(char *name);

typedef struct verifier_store_t verifier_store_t;

/**
 * The verifier's state in SQLite: groups with reference values and warning
 * PCRs, enrolled attesters and pending enrollments. Not thread-safe, use it
 * from one thread.
 */
struct verifier_store_t {

	/**
	 * Add a group (no reference values, no warning PCRs).
	 *
	 * @param name		group name
	 * @return			OK, EXISTS, INVALID or FAILED
	 */
	verifier_store_status_t (*add_group)(verifier_store_t *this, char *name);

	/**
	 * Remove a group with its reference values; refused while attesters
	 * belong to it.
	 *
	 * @param name		group name
	 * @return			OK, NOT_FOUND, IN_USE or FAILED
	 */
	verifier_store_status_t (*remove_group)(verifier_store_t *this,
											char *name);

	/**
	 * Get a group.
	 *
	 * @param name		group name
	 * @param group		group (filled in)
	 * @return			OK, NOT_FOUND or FAILED
	 */
	verifier_store_status_t (*get_group)(verifier_store_t *this, char *name,
										 verifier_group_t *group);

	/**
	 * List all groups.
	 *
	 * @return			array of verifier_group_t* (free() each), NULL on
	 *					error
	 */
	array_t *(*list_groups)(verifier_store_t *this);

	/**
	 * Open or close a group for self-enrollment.
	 *
	 * @param name		group name
	 * @param open		TRUE to open, FALSE to close
	 * @return			OK, NOT_FOUND or FAILED
	 */
	verifier_store_status_t (*set_group_enroll)(verifier_store_t *this,
												char *name, bool open);

	/**
	 * Replace the reference values of a group.
	 *
	 * @param name		group name
	 * @param refs		array of verifier_ref_t*
	 * @return			OK, NOT_FOUND, INVALID or FAILED
	 */
	verifier_store_status_t (*set_reference)(verifier_store_t *this,
											 char *name, array_t *refs);

	/**
	 * List the reference values of a group, ordered by bank and PCR.
	 *
	 * @param name		group name
	 * @param refs		array of verifier_ref_t* (allocated, destroy with
	 *					verifier_ref_destroy)
	 * @return			OK, NOT_FOUND or FAILED
	 */
	verifier_store_status_t (*list_reference)(verifier_store_t *this,
											  char *name, array_t **refs);

	/**
	 * Get the reference values of a group as ratkn_reference_t.
	 *
	 * @param name		group name
	 * @param ref		reference values, NULL if the group has none
	 * @return			OK, NOT_FOUND or FAILED
	 */
	verifier_store_status_t (*get_reference)(verifier_store_t *this,
											 char *name,
											 ratkn_reference_t **ref);

	/**
	 * Set the warning PCRs of a group.
	 *
	 * @param name		group name
	 * @param sel		PCRs (count 0 for none)
	 * @return			OK, NOT_FOUND or FAILED
	 */
	verifier_store_status_t (*set_warning)(verifier_store_t *this, char *name,
										   ratkn_pcr_selection_t *sel);

	/**
	 * Assign an EK to a group: AKs of that EK enroll into this group only,
	 * whether it is open or not. Replaces an earlier assignment.
	 *
	 * @param ek		SHA-256 of the EK's SubjectPublicKeyInfo, hex
	 * @param group		group
	 * @return			OK, NOT_FOUND (group), INVALID or FAILED
	 */
	verifier_store_status_t (*assign_ek)(verifier_store_t *this, char *ek,
										 char *group);

	/**
	 * Remove the assignment of an EK.
	 *
	 * @param ek		SHA-256 of the EK's SubjectPublicKeyInfo, hex
	 * @return			OK, NOT_FOUND or FAILED
	 */
	verifier_store_status_t (*unassign_ek)(verifier_store_t *this, char *ek);

	/**
	 * Get the group an EK is assigned to.
	 *
	 * @param ek		SHA-256 of the EK's SubjectPublicKeyInfo, hex
	 * @param group		group (filled in)
	 * @return			OK, NOT_FOUND (not assigned) or FAILED
	 */
	verifier_store_status_t (*get_ek_group)(verifier_store_t *this, char *ek,
									char group[VERIFIER_GROUP_MAX + 1]);

	/**
	 * List the EK assignments.
	 *
	 * @return			array of verifier_ek_t* (free() each), NULL on error
	 */
	array_t *(*list_eks)(verifier_store_t *this);

	/**
	 * Check whether an AK with an EK may enroll into a group now: the group
	 * exists; the EK is assigned to it, or it is not assigned and the group
	 * is open; the AK is not enrolled in another group.
	 *
	 * @param ak		fingerprint of the AK
	 * @param ek		SHA-256 of the EK's SubjectPublicKeyInfo, hex
	 * @param group		group
	 * @param other		for DENIED the group the EK is assigned to ("" if
	 *					the group is closed), for CONFLICT the AK's group
	 * @return			OK, NOT_FOUND (group), DENIED, CONFLICT or FAILED
	 */
	verifier_store_status_t (*check_enrollment)(verifier_store_t *this,
									char *ak, char *ek, char *group,
									char other[VERIFIER_GROUP_MAX + 1]);

	/**
	 * Enroll an attester with an EK certificate and the TPM Name the
	 * enrollment proved: in one transaction, check the rules of
	 * check_enrollment() and add the attester, or refresh its EK
	 * certificate, Name and enrollment time if it is enrolled in that group
	 * (its attestation history and clock stay).
	 *
	 * @param attester	attester with ak_spki, ak_name and ek_cert
	 *					(fingerprint computed from ak_spki if empty)
	 * @param ek		SHA-256 of the EK's SubjectPublicKeyInfo, hex
	 * @param other		as for check_enrollment()
	 * @return			OK, NOT_FOUND (group), DENIED, CONFLICT, INVALID or
	 *					FAILED
	 */
	verifier_store_status_t (*enroll_attester)(verifier_store_t *this,
									verifier_attester_t *attester, char *ek,
									char other[VERIFIER_GROUP_MAX + 1]);

	/**
	 * Add or replace an attester (the operator's registration: no
	 * enrollment rules; a replaced attester loses its attestation history
	 * and clock).
	 *
	 * @param attester	attester, ak_name optional (fingerprint computed
	 *					from ak_spki if empty)
	 * @return			OK, NOT_FOUND (group), INVALID or FAILED
	 */
	verifier_store_status_t (*add_attester)(verifier_store_t *this,
											verifier_attester_t *attester);

	/**
	 * Get an attester.
	 *
	 * @param fingerprint	SHA-256 of its AK, hex
	 * @param attester		attester (allocated), destroy with
	 *						verifier_attester_destroy()
	 * @return				OK, NOT_FOUND or FAILED
	 */
	verifier_store_status_t (*get_attester)(verifier_store_t *this,
											char *fingerprint,
											verifier_attester_t **attester);

	/**
	 * Remove an attester.
	 *
	 * @param fingerprint	SHA-256 of its AK, hex
	 * @return				OK, NOT_FOUND or FAILED
	 */
	verifier_store_status_t (*remove_attester)(verifier_store_t *this,
											   char *fingerprint);

	/**
	 * List all attesters.
	 *
	 * @return			array of verifier_attester_t*, NULL on error
	 */
	array_t *(*list_attesters)(verifier_store_t *this);

	/**
	 * Record the outcome of an attestation with authentic evidence, if its
	 * clock info is strictly newer than the recorded one (a later boot, or
	 * the same boot and a later clock) or none is recorded; in one
	 * transaction, so that older evidence never overwrites newer.
	 *
	 * @param fingerprint	attester
	 * @param when			time
	 * @param status		ear.status name
	 * @param clock			clock info of the evidence's quote
	 * @return				OK if recorded, EXISTS if not newer, NOT_FOUND
	 *						or FAILED
	 */
	verifier_store_status_t (*record_attestation)(verifier_store_t *this,
							char *fingerprint, time_t when, char *status,
							ratkn_clock_info_t *clock);

	/**
	 * Add a pending enrollment, removing expired ones. If the EK has
	 * per_ek pending enrollments, its oldest are dropped.
	 *
	 * @param session	session with the AK's SPKI and Name (copied)
	 * @param limits	limits of pending enrollments
	 * @param now		current time
	 * @return			OK, EXISTS (too many pending in all), LIMIT (too many
	 *					of this client), INVALID or FAILED
	 */
	verifier_store_status_t (*add_session)(verifier_store_t *this,
										   verifier_session_t *session,
										   verifier_session_limits_t *limits,
										   time_t now);

	/**
	 * Remove a pending enrollment and return it, if it has not expired.
	 *
	 * @param id		session identifier
	 * @param now		current time
	 * @param session	session (allocated), destroy with
	 *					verifier_session_destroy()
	 * @return			OK, NOT_FOUND (also if expired) or FAILED
	 */
	verifier_store_status_t (*take_session)(verifier_store_t *this, char *id,
											time_t now,
											verifier_session_t **session);

	/**
	 * Destroy the store, closing the database.
	 */
	void (*destroy)(verifier_store_t *this);
};

/**
 * Open the database, creating it (and its schema) if missing.
 *
 * @param path			database file
 * @return				store, NULL (logged) on error or if the schema is
 *						newer than this program knows
 */
verifier_store_t *verifier_store_create(char *path);

#endif /** VERIFIER_STORE_H_ @}*/
