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
 * @defgroup ratkn_reference ratkn_reference
 * @{ @ingroup ratkn
 */

#ifndef RATKN_REFERENCE_H_
#define RATKN_REFERENCE_H_

#include "ratkn_pcr.h"

typedef struct ratkn_reference_t ratkn_reference_t;

/**
 * Reference values for PCRs: per PCR one or more acceptable digests.
 *
 * File format (as written by "ratkn pcrs"): one value per line,
 * "<bank>:<index> <hex digest>", e.g. "sha256:7 65caf8...". '#' starts a
 * comment, blank lines are ignored. Several lines for the same PCR list
 * alternative acceptable values.
 */
struct ratkn_reference_t {

	/**
	 * Add an acceptable value for a PCR.
	 *
	 * @param alg		TPM_ALG_ID of the bank
	 * @param pcr		PCR index
	 * @param digest	acceptable value, cloned
	 * @return			FALSE if invalid (bad index, length)
	 */
	bool (*add)(ratkn_reference_t *this, uint16_t alg, u_int pcr,
				chunk_t digest);

	/**
	 * Check whether a value is acceptable for a PCR.
	 *
	 * @param alg		TPM_ALG_ID of the bank
	 * @param pcr		PCR index
	 * @param digest	value to check
	 * @return			TRUE if one of the reference values equals digest
	 */
	bool (*matches)(ratkn_reference_t *this, uint16_t alg, u_int pcr,
					chunk_t digest);

	/**
	 * Selection of all PCRs that have reference values.
	 *
	 * @param sel		selection
	 */
	void (*get_selection)(ratkn_reference_t *this, ratkn_pcr_selection_t *sel);

	/**
	 * Destroy the reference values.
	 */
	void (*destroy)(ratkn_reference_t *this);
};

/**
 * Create an empty set of reference values.
 *
 * @return				reference values
 */
ratkn_reference_t *ratkn_reference_create();

/**
 * Load reference values from a file in the format described above.
 *
 * @param path			file
 * @return				reference values, NULL (logged with line number) on error
 */
ratkn_reference_t *ratkn_reference_load(char *path);

#endif /** RATKN_REFERENCE_H_ @}*/
