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

#define _GNU_SOURCE
#include "swtpm_fixture.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#ifndef SWTPM
#define SWTPM ""
#endif

/**
 * The swtpm program: the one configure found, else the first one on PATH
 * (swtpm installed after configure ran); "" if there is none
 */
static const char *swtpm_program()
{
	static char found[PATH_MAX];
	char *path, *dir, *save = NULL;

	if (*SWTPM && access(SWTPM, X_OK) == 0)
	{
		return SWTPM;
	}
	if (*found)
	{
		return found;
	}
	path = strdup(getenv("PATH") ?: "/usr/bin:/bin");
	for (dir = strtok_r(path, ":", &save); dir;
		 dir = strtok_r(NULL, ":", &save))
	{
		snprintf(found, sizeof(found), "%s/swtpm", dir);
		if (access(found, X_OK) == 0)
		{
			break;
		}
		found[0] = '\0';
	}
	free(path);
	return found;
}

/**
 * How long to wait for swtpm to accept connections, in ms
 */
#define START_TIMEOUT 10000

typedef struct private_swtpm_t private_swtpm_t;

/**
 * Private data of a swtpm_t object.
 */
struct private_swtpm_t {

	/**
	 * Public interface.
	 */
	swtpm_t public;

	/**
	 * State directory (absolute)
	 */
	char dir[64];

	/**
	 * TCTI configuration
	 */
	char tcti[64];

	/**
	 * Server port, the control port is the next one
	 */
	uint16_t port;

	/**
	 * Process ID of swtpm, 0 if not running
	 */
	pid_t pid;
};

/**
 * Bind a TCP socket to a loopback port (0 for any), returns the socket
 */
static int bind_port(uint16_t *port)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		.sin_port = htons(*port),
	};
	socklen_t len = sizeof(addr);
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd == -1)
	{
		return -1;
	}
	if (bind(fd, (struct sockaddr*)&addr, sizeof(addr)) == -1 ||
		getsockname(fd, (struct sockaddr*)&addr, &len) == -1)
	{
		close(fd);
		return -1;
	}
	*port = ntohs(addr.sin_port);
	return fd;
}

/**
 * Find two consecutive free loopback ports
 */
static bool find_ports(uint16_t *port)
{
	uint16_t first, second;
	int i, fd1, fd2;

	for (i = 0; i < 100; i++)
	{
		first = 0;
		fd1 = bind_port(&first);
		if (fd1 == -1)
		{
			return FALSE;
		}
		if (first == 65535)
		{
			close(fd1);
			continue;
		}
		second = first + 1;
		fd2 = bind_port(&second);
		close(fd1);
		if (fd2 != -1)
		{
			close(fd2);
			*port = first;
			return TRUE;
		}
	}
	return FALSE;
}

/**
 * Run a program with output to a log file, returns its exit status
 */
static int run_program(char *log, char *const argv[])
{
	pid_t pid;
	int status, fd;

	pid = fork();
	if (pid == -1)
	{
		return -1;
	}
	if (pid == 0)
	{
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd != -1)
		{
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
	{
		return -1;
	}
	return WEXITSTATUS(status);
}

/**
 * Manufacture the TPM with swtpm_setup (next to swtpm)
 */
static bool manufacture(private_swtpm_t *this)
{
	char setup[PATH_MAX], log[128], path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", swtpm_program());
	snprintf(setup, sizeof(setup), "%s/swtpm_setup", dirname(path));
	snprintf(log, sizeof(log), "%s/setup.log", this->dir);
	if (access(setup, X_OK) != 0)
	{
		return FALSE;
	}
	return run_program(log, (char*[]){
						setup, "--tpm2", "--tpmstate", this->dir,
						"--create-ek-cert", "--create-platform-cert",
						"--pcr-banks", "sha1,sha256", "--overwrite", NULL
					}) == 0;
}

/**
 * Check whether swtpm accepts connections on its server port
 */
static bool is_listening(private_swtpm_t *this)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		.sin_port = htons(this->port),
	};
	bool ok;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd == -1)
	{
		return FALSE;
	}
	ok = connect(fd, (struct sockaddr*)&addr, sizeof(addr)) == 0;
	close(fd);
	return ok;
}

/**
 * Stop the swtpm process
 */
static void stop(private_swtpm_t *this)
{
	pid_t ret;
	int i, status;

	if (!this->pid)
	{
		return;
	}
	kill(this->pid, SIGTERM);
	for (i = 0; i < 200; i++)
	{
		ret = waitpid(this->pid, &status, WNOHANG);
		if (ret == this->pid ||
			(ret == -1 && errno == ECHILD && kill(this->pid, 0) == -1))
		{	/* gone (ECHILD if a forked test case stops it) */
			this->pid = 0;
			return;
		}
		usleep(10000);
	}
	kill(this->pid, SIGKILL);
	waitpid(this->pid, &status, 0);
	this->pid = 0;
}

/**
 * Start the swtpm process and wait until it accepts connections
 */
static bool start(private_swtpm_t *this, bool startup)
{
	char state[128], server[128], ctrl[128], log[128];
	int i, fd, status;

	snprintf(state, sizeof(state), "dir=%s", this->dir);
	snprintf(server, sizeof(server), "type=tcp,port=%u,bindaddr=127.0.0.1",
			 this->port);
	snprintf(ctrl, sizeof(ctrl), "type=tcp,port=%u,bindaddr=127.0.0.1",
			 this->port + 1);
	snprintf(log, sizeof(log), "%s/swtpm.log", this->dir);

	this->pid = fork();
	if (this->pid == -1)
	{
		this->pid = 0;
		return FALSE;
	}
	if (this->pid == 0)
	{	/* don't outlive the test runner */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd != -1)
		{
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		execl(swtpm_program(), "swtpm", "socket", "--tpm2", "--tpmstate", state,
			  "--server", server, "--ctrl", ctrl,
			  "--flags", startup ? "not-need-init,startup-clear"
								: "not-need-init", NULL);
		_exit(127);
	}
	for (i = 0; i < START_TIMEOUT / 10; i++)
	{
		if (waitpid(this->pid, &status, WNOHANG) == this->pid)
		{
			fprintf(stderr, "swtpm exited early, see %s\n", log);
			this->pid = 0;
			return FALSE;
		}
		if (is_listening(this))
		{
			return TRUE;
		}
		usleep(10000);
	}
	fprintf(stderr, "swtpm does not accept connections, see %s\n", log);
	stop(this);
	return FALSE;
}

/**
 * Remove a file or directory (nftw callback)
 */
static int remove_entry(const char *path, const struct stat *sb, int flag,
						struct FTW *ftw)
{
	return remove(path);
}

METHOD(swtpm_t, get_tcti, char*,
	private_swtpm_t *this)
{
	return this->tcti;
}

METHOD(swtpm_t, stop_, void,
	private_swtpm_t *this)
{
	stop(this);
}

METHOD(swtpm_t, start_, bool,
	private_swtpm_t *this, bool startup)
{
	stop(this);
	return start(this, startup);
}

METHOD(swtpm_t, pause_, void,
	private_swtpm_t *this, bool paused)
{
	if (this->pid)
	{
		kill(this->pid, paused ? SIGSTOP : SIGCONT);
	}
}

METHOD(swtpm_t, destroy, void,
	private_swtpm_t *this)
{
	stop(this);
	nftw(this->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(this);
}

/*
 * Described in header
 */
swtpm_t *swtpm_create()
{
	private_swtpm_t *this;

	if (!*swtpm_program())
	{
		fprintf(stderr, "swtpm not found (neither '%s' found by configure "
				"nor on PATH), install swtpm for the TPM tests\n", SWTPM);
		return NULL;
	}
	INIT(this,
		.public = {
			.get_tcti = _get_tcti,
			.stop = _stop_,
			.start = _start_,
			.pause = _pause_,
			.destroy = _destroy,
		},
	);
	snprintf(this->dir, sizeof(this->dir), "%s/ratkn-swtpm-XXXXXX",
			 P_tmpdir);
	if (!mkdtemp(this->dir))
	{
		fprintf(stderr, "creating a directory for swtpm failed: %s\n",
				strerror(errno));
		free(this);
		return NULL;
	}
	if (!find_ports(&this->port))
	{
		fprintf(stderr, "no free TCP ports for swtpm\n");
		destroy(this);
		return NULL;
	}
	snprintf(this->tcti, sizeof(this->tcti),
			 "swtpm:host=127.0.0.1,port=%u", this->port);
	if (!manufacture(this))
	{	/* swtpm manufactures a plain TPM on first start */
		fprintf(stderr, "swtpm_setup failed (see %s/setup.log), using a "
				"plain TPM\n", this->dir);
	}
	if (!start(this, TRUE))
	{
		destroy(this);
		return NULL;
	}
	return &this->public;
}

/**
 * TPM of the running test case
 */
static swtpm_t *fixture_tpm;

/*
 * Described in header
 */
void swtpm_fixture_setup()
{
	fixture_tpm = swtpm_create();
	ck_assert_msg(fixture_tpm, "starting swtpm failed");
}

/*
 * Described in header
 */
void swtpm_fixture_teardown()
{
	if (fixture_tpm)
	{
		fixture_tpm->destroy(fixture_tpm);
		fixture_tpm = NULL;
	}
}

/*
 * Described in header
 */
swtpm_t *swtpm_fixture_get()
{
	return fixture_tpm;
}

/*
 * Described in header
 */
char *swtpm_fixture_tcti()
{
	return fixture_tpm->get_tcti(fixture_tpm);
}
