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
 * @defgroup ratkn_clocks ratkn_clocks
 * @{ @ingroup ratkn
 */

#ifndef RATKN_CLOCKS_H_
#define RATKN_CLOCKS_H_

#include "ratkn_evidence.h"

/**
 * How far (in ms of TPM Clock) a quote may be behind the newest one seen of
 * the same AK and boot: concurrent IKE_SAs of one attester quote close
 * together, and their appraisals may run in any order.
 */
#define RATKN_CLOCKS_TOLERANCE 60000

typedef struct ratkn_clocks_t ratkn_clocks_t;

/**
 * The newest TPM clock info seen per AK, to notice quotes from a TPM whose
 * state went back: replayed evidence, a cleared TPM, or a virtual TPM's
 * state restored from a copy. Thread-safe, bounded.
 */
struct ratkn_clocks_t {

	/**
	 * Check the clock info of an authentic quote against the newest seen of
	 * the same AK, and record it if it is newer.
	 *
	 * Refused: boot counters (resetCount, restartCount) lower than the
	 * newest seen; with the same counters and Clock marked safe, a Clock
	 * more than RATKN_CLOCKS_TOLERANCE behind. A Clock not marked safe may
	 * repeat after an unorderly shutdown, only the counters are compared.
	 *
	 * @param ak		identifier of the AK (e.g. its marshalled public area)
	 * @param info		clock info of the quote
	 * @param reason	receives the reason if refused
	 * @param len		size of reason
	 * @return			FALSE if refused
	 */
	bool (*check)(ratkn_clocks_t *this, chunk_t ak, ratkn_clock_info_t *info,
				  char *reason, size_t len);

	/**
	 * Destroy the object.
	 */
	void (*destroy)(ratkn_clocks_t *this);
};

/**
 * Create the object.
 *
 * @param max		number of AKs remembered (the least recently seen are
 *					forgotten)
 * @return			object
 */
ratkn_clocks_t *ratkn_clocks_create(u_int max);

#endif /** RATKN_CLOCKS_H_ @}*/
