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
 * @defgroup ratkn_pcr ratkn_pcr
 * @{ @ingroup ratkn
 */

#ifndef RATKN_PCR_H_
#define RATKN_PCR_H_

#include <library.h>
#include <collections/enumerator.h>

/**
 * Maximum number of PCR banks in a selection.
 */
#define RATKN_PCR_MAX_BANKS 4

/**
 * Number of PCRs per bank (PC client platform).
 */
#define RATKN_PCR_COUNT 24

typedef struct ratkn_pcr_selection_t ratkn_pcr_selection_t;

/**
 * A PCR selection: per bank (TPM hash algorithm) a bitmask of PCR indices.
 *
 * Written "sha256:0,1,2-7" (several banks separated by '+',
 * "sha256:0-7+sha1:0"). Banks keep the order they were given in; indices are
 * always enumerated ascending.
 */
struct ratkn_pcr_selection_t {

	/**
	 * Number of banks used in the array below
	 */
	u_int count;

	/**
	 * Banks
	 */
	struct {
		/** TPM_ALG_ID of the bank's hash algorithm */
		uint16_t alg;
		/** bit n set: PCR n selected */
		uint32_t mask;
	} banks[RATKN_PCR_MAX_BANKS];
};

/**
 * Parse a PCR selection string.
 *
 * @param str			e.g. "sha256:0,1,2-7" or "sha256:0-7+sha1:0"
 * @param sel			parsed selection
 * @return				FALSE (and logged) if the string is invalid
 */
bool ratkn_pcr_selection_parse(char *str, ratkn_pcr_selection_t *sel);

/**
 * Format a PCR selection as parsed by ratkn_pcr_selection_parse().
 *
 * @param sel			selection
 * @param buf			buffer to write to
 * @param len			size of buf
 * @return				buf
 */
char *ratkn_pcr_selection_to_str(ratkn_pcr_selection_t *sel, char *buf,
								 size_t len);

/**
 * Check if a PCR is part of a selection.
 *
 * @param sel			selection
 * @param alg			TPM_ALG_ID of the bank
 * @param pcr			PCR index
 * @return				TRUE if selected
 */
bool ratkn_pcr_selection_contains(ratkn_pcr_selection_t *sel, uint16_t alg,
								  u_int pcr);

/**
 * Compare two selections (same banks in the same order, same PCRs).
 *
 * @param a				first selection
 * @param b				second selection
 * @return				TRUE if equal
 */
bool ratkn_pcr_selection_equals(ratkn_pcr_selection_t *a,
								ratkn_pcr_selection_t *b);

/**
 * Digest length of a PCR bank's hash algorithm.
 *
 * @param alg			TPM_ALG_ID (SHA1, SHA256, SHA384, SHA512)
 * @return				digest length, 0 if unsupported
 */
size_t ratkn_pcr_alg_digest_len(uint16_t alg);

/**
 * Look up a PCR bank's hash algorithm by name.
 *
 * @param name			"sha1", "sha256", "sha384" or "sha512"
 * @param alg			TPM_ALG_ID
 * @return				FALSE if the name is unknown
 */
bool ratkn_pcr_alg_from_name(char *name, uint16_t *alg);

/**
 * Name of a PCR bank's hash algorithm ("sha256").
 *
 * @param alg			TPM_ALG_ID
 * @return				static name, "unknown" if unsupported
 */
char *ratkn_pcr_alg_name(uint16_t alg);

typedef struct ratkn_pcr_values_t ratkn_pcr_values_t;

/**
 * An ordered list of PCR values (bank, index, digest).
 */
struct ratkn_pcr_values_t {

	/**
	 * Append a PCR value.
	 *
	 * @param alg		TPM_ALG_ID of the bank
	 * @param pcr		PCR index (< RATKN_PCR_COUNT)
	 * @param digest	value, cloned; length must match the bank
	 * @return			FALSE if invalid or already present
	 */
	bool (*add)(ratkn_pcr_values_t *this, uint16_t alg, u_int pcr,
				chunk_t digest);

	/**
	 * Look up a PCR value.
	 *
	 * @param alg		TPM_ALG_ID of the bank
	 * @param pcr		PCR index
	 * @param digest	value (borrowed)
	 * @return			FALSE if not present
	 */
	bool (*get)(ratkn_pcr_values_t *this, uint16_t alg, u_int pcr,
				chunk_t *digest);

	/**
	 * Enumerate values in the order they were added.
	 *
	 * @return			enumerator over (u_int alg, u_int pcr, chunk_t digest)
	 */
	enumerator_t *(*create_enumerator)(ratkn_pcr_values_t *this);

	/**
	 * Number of values.
	 *
	 * @return			count
	 */
	u_int (*get_count)(ratkn_pcr_values_t *this);

	/**
	 * Selection covered by the values.
	 *
	 * @param sel		selection (banks in order of first appearance)
	 */
	void (*get_selection)(ratkn_pcr_values_t *this, ratkn_pcr_selection_t *sel);

	/**
	 * Destroy the list.
	 */
	void (*destroy)(ratkn_pcr_values_t *this);
};

/**
 * Create an empty list of PCR values.
 *
 * @return				list
 */
ratkn_pcr_values_t *ratkn_pcr_values_create();

#endif /** RATKN_PCR_H_ @}*/
