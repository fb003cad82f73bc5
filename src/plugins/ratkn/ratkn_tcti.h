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
 * @defgroup ratkn_tcti ratkn_tcti
 * @{ @ingroup ratkn
 */

#ifndef RATKN_TCTI_H_
#define RATKN_TCTI_H_

#include <library.h>

#include <tss2/tss2_tcti.h>

typedef struct ratkn_tcti_t ratkn_tcti_t;

/**
 * A TCTI that bounds how long a TPM may take to answer.
 *
 * It forwards to a TCTI loaded with tctildr. The blocking calls of that TCTI
 * (its initialization, each command and its response) run in a thread of
 * their own while the caller waits at most the timeout; TCTIs such as swtpm's
 * and mssim's block without limit when the TPM stalls. A call that timed out
 * fails with TSS2_TCTI_RC_IO_ERROR and leaves the TCTI broken (every further
 * call fails the same way, as after a lost connection). The stalled call is
 * abandoned: its thread finalizes the inner TCTI when, if ever, the call
 * returns.
 */
struct ratkn_tcti_t {

	/**
	 * Load and initialize the inner TCTI, waiting at most the timeout.
	 *
	 * @return				TSS2_RC_SUCCESS, the error of tctildr, or
	 *						TSS2_TCTI_RC_IO_ERROR if it timed out
	 */
	TSS2_RC (*connect)(ratkn_tcti_t *this);

	/**
	 * The TCTI context to pass to ESAPI, valid until destroy().
	 *
	 * @return				TCTI context
	 */
	TSS2_TCTI_CONTEXT *(*get_context)(ratkn_tcti_t *this);

	/**
	 * Whether a call timed out and the TPM has not answered it yet.
	 *
	 * @param since			if stalled, seconds since the call was made
	 * @return				TRUE if a call is still blocked
	 */
	bool (*is_stalled)(ratkn_tcti_t *this, u_int *since);

	/**
	 * Destroy the object; a stalled call cleans up when it returns.
	 */
	void (*destroy)(ratkn_tcti_t *this);
};

/**
 * Create a TCTI with a timeout (not connected yet).
 *
 * @param conf			tctildr configuration, e.g.
 *						"swtpm:host=127.0.0.1,port=2321"
 * @param timeout		timeout of each call in ms (> 0)
 * @return				TCTI
 */
ratkn_tcti_t *ratkn_tcti_create(char *conf, u_int timeout);

#endif /** RATKN_TCTI_H_ @}*/
