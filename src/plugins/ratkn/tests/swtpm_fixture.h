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
 * @defgroup swtpm_fixture swtpm_fixture
 * @{ @ingroup ratkn_tests
 */

#ifndef SWTPM_FIXTURE_H_
#define SWTPM_FIXTURE_H_

#include <library.h>

typedef struct swtpm_t swtpm_t;

/**
 * A private software TPM: "swtpm socket --tpm2" on two free loopback TCP
 * ports, with its state in a temporary directory. The TPM is manufactured
 * with swtpm_setup (EK, certificates, sha1 and sha256 PCR banks) if that
 * works, else started as a plain TPM.
 */
struct swtpm_t {

	/**
	 * TCTI configuration for tctildr ("swtpm:host=127.0.0.1,port=N").
	 *
	 * @return			static string
	 */
	char *(*get_tcti)(swtpm_t *this);

	/**
	 * Stop the TPM process, keeping its state (connections fail until it is
	 * started again). Only the process that created the TPM may stop it.
	 */
	void (*stop)(swtpm_t *this);

	/**
	 * Start the stopped TPM process again, on the same state and ports.
	 *
	 * @param startup	send TPM2_Startup, else the TPM needs one
	 * @return			TRUE if running again
	 */
	bool (*start)(swtpm_t *this, bool startup);

	/**
	 * Suspend (SIGSTOP) or resume (SIGCONT) the TPM process: a suspended
	 * TPM accepts connections but does not answer.
	 *
	 * @param paused	TRUE to suspend, FALSE to resume
	 */
	void (*pause)(swtpm_t *this, bool paused);

	/**
	 * Stop the TPM and remove its state.
	 */
	void (*destroy)(swtpm_t *this);
};

/**
 * Start a software TPM.
 *
 * @return				TPM, NULL (with a message on stderr) on failure
 */
swtpm_t *swtpm_create();

/**
 * Unchecked fixture setup: start the TPM of the test case (check aborts the
 * test case if that fails).
 */
void swtpm_fixture_setup();

/**
 * Unchecked fixture teardown: stop the TPM of the test case, remove its state.
 */
void swtpm_fixture_teardown();

/**
 * TPM of the running test case.
 *
 * @return				TPM started by swtpm_fixture_setup()
 */
swtpm_t *swtpm_fixture_get();

/**
 * TCTI configuration of the TPM of the running test case.
 *
 * @return				TCTI configuration
 */
char *swtpm_fixture_tcti();

#endif /** SWTPM_FIXTURE_H_ @}*/
