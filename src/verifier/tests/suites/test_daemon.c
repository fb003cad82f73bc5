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
#include "verifier_tests.h"
#include "swtpm_fixture.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <curl/curl.h>
#include <jansson.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <ratkn_ak.h>
#include <ratkn_ear.h>

#include "verifier_enroll.h"

/**
 * Programs under test
 */
#define DAEMON VERIFIER_BUILDDIR "/ratkn-verifier"
#define CTL VERIFIER_BUILDDIR "/ratkn-verifier-ctl"

/**
 * Connection timeout configured for the daemon, in seconds
 */
#define TIMEOUT 2

/**
 * PCRs quoted
 */
#define PCRS "sha256:0-7"

/**
 * Media type
 */
#define JSON "application/json"

/**
 * The daemon of a test
 */
static struct {
	/** directory with configuration, keys, database, log */
	char *dir;
	/** configuration file */
	char *conf;
	/** log file */
	char *log;
	/** CA certificate of the server certificate, NULL without TLS */
	char *ca;
	/** serve HTTPS */
	bool tls;
	/** process */
	pid_t pid;
	/** port */
	uint16_t port;
} d;

/**
 * Run a program, return its exit status; stdout into *out if given
 */
static int run(char *out_file, char *const argv[])
{
	pid_t pid;
	int status, fd;

	pid = fork();
	ck_assert(pid != -1);
	if (pid == 0)
	{
		fd = open(out_file ?: "/dev/null", O_WRONLY | O_CREAT | O_TRUNC,
				  0600);
		if (fd != -1)
		{
			dup2(fd, STDOUT_FILENO);
			close(fd);
		}
		fd = open("/dev/null", O_WRONLY);
		if (fd != -1 && !getenv("VERIFIER_TEST_DEBUG"))
		{
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	ck_assert(waitpid(pid, &status, 0) == pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/**
 * Read a file into a NUL-terminated chunk
 */
static chunk_t slurp(char *path)
{
	chunk_t data;
	FILE *file;
	long len;

	file = fopen(path, "r");
	ck_assert_msg(file, "reading %s", path);
	fseek(file, 0, SEEK_END);
	len = ftell(file);
	rewind(file);
	data = chunk_alloc(len + 1);
	data.len = fread(data.ptr, 1, len, file);
	data.ptr[data.len] = '\0';
	fclose(file);
	return data;
}

/**
 * Run ratkn-verifier-ctl with the test's configuration and NULL-terminated
 * arguments, stdout into *out (allocated, NUL-terminated) if given
 */
static int ctl(chunk_t *out, ...)
{
	char *file, *argv[16] = { CTL, "--config", d.conf };
	va_list args;
	int rc, i = 3;

	va_start(args, out);
	while ((argv[i] = va_arg(args, char*)) && i < countof(argv) - 1)
	{
		i++;
	}
	va_end(args);
	argv[i] = NULL;
	ck_assert(asprintf(&file, "%s/ctl.out", d.dir) > 0);
	rc = run(file, argv);
	if (out)
	{
		*out = slurp(file);
	}
	free(file);
	return rc;
}

#define ctl0(out, ...) ctl(out, __VA_ARGS__, NULL)

/**
 * Run a shell command in the test directory
 */
static void shell(char *fmt, ...)
{
	char *cmd, *full;
	va_list args;

	va_start(args, fmt);
	ck_assert(vasprintf(&cmd, fmt, args) > 0);
	va_end(args);
	ck_assert(asprintf(&full, "cd %s && (%s) >/dev/null 2>&1", d.dir,
					   cmd) > 0);
	ck_assert_msg(system(full) == 0, "'%s' failed", cmd);
	free(full);
	free(cmd);
}

/**
 * Create a CA and a server certificate for localhost/127.0.0.1
 */
static void make_certs()
{
	shell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		  "-nodes -keyout ca.key -out ca.pem -subj '/CN=ratkn test CA' "
		  "-days 2");
	shell("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		  "-keyout key.pem -out req.pem -subj /CN=localhost");
	shell("printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n"
		  "extendedKeyUsage=serverAuth\\n' > ext.cnf && "
		  "openssl x509 -req -in req.pem -CA ca.pem -CAkey ca.key "
		  "-CAcreateserial -out cert.pem -days 2 -extfile ext.cnf");
	ck_assert(asprintf(&d.ca, "%s/ca.pem", d.dir) > 0);
}

/**
 * Write the configuration
 */
static void write_config(char *extra)
{
	char **ca = vt_localca();

	vt_write(d.conf, "verifier {\n"
			 "  listen = 127.0.0.1\n"
			 "  port = 0\n"
			 "  tls = %s\n"
			 "  cert = %s/cert.pem\n"
			 "  key = %s/key.pem\n"
			 "  signing_key = %s/ear/ear-key.pem\n"
			 "  database = %s/verifier.db\n"
			 "  ek_ca = %s, %s\n"
			 "  ear_lifetime = 120\n"
			 "  max_body = 65536\n"
			 "  timeout = %d\n"
			 "  developer = https://ratkn.example/daemon-test\n"
			 "  %s\n"
			 "}\n", d.tls ? "yes" : "no", d.dir, d.dir, d.dir, d.dir,
			 ca[0], ca[1], TIMEOUT, extra ?: "");
}

/**
 * Start the daemon, FALSE if it exits
 */
static bool start_daemon()
{
	json_t *line;
	chunk_t log;
	char *pos, *end, vlog[PATH_MAX];
	int i, fd, status;

	d.port = 0;
	unlink(d.log);
	d.pid = fork();
	ck_assert(d.pid != -1);
	if (d.pid == 0)
	{
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		fd = open(d.log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd != -1)
		{
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		if (getenv("VERIFIER_TEST_VALGRIND"))
		{	/* memory errors and leaks make the exit status 99 */
			snprintf(vlog, sizeof(vlog), "--log-file=%s/valgrind.%%p.log",
					 d.dir);
			execl("/usr/bin/valgrind", "valgrind", "--quiet", vlog,
				  "--suppressions=" VERIFIER_SRCDIR "/tests/valgrind.supp",
				  "--leak-check=full", "--errors-for-leak-kinds=definite",
				  "--show-leak-kinds=definite", "--error-exitcode=99",
				  DAEMON, "--config", d.conf, NULL);
		}
		execl(DAEMON, DAEMON, "--config", d.conf, NULL);
		_exit(127);
	}
	for (i = 0; i < 500 && !d.port; i++)
	{
		if (waitpid(d.pid, &status, WNOHANG) == d.pid)
		{
			d.pid = 0;
			return FALSE;
		}
		usleep(10000);
		if (access(d.log, R_OK) != 0)
		{
			continue;
		}
		log = slurp(d.log);
		for (pos = log.ptr; pos && *pos; pos = end ? end + 1 : NULL)
		{
			end = strchr(pos, '\n');
			if (end)
			{
				*end = '\0';
			}
			line = json_loads(pos, 0, NULL);
			if (line && streq(json_string_value(json_object_get(line,
											"event")) ?: "", "listening"))
			{
				d.port = json_integer_value(json_object_get(line, "port"));
			}
			json_decref(line);
		}
		chunk_free(&log);
	}
	ck_assert_msg(d.port, "daemon did not start listening");
	return TRUE;
}

/**
 * Stop the daemon, return its exit status
 */
static int stop_daemon()
{
	int i, status;

	if (!d.pid)
	{	/* not running (any more) */
		return 0;
	}
	kill(d.pid, SIGTERM);
	for (i = 0; i < 500; i++)
	{
		if (waitpid(d.pid, &status, WNOHANG) == d.pid)
		{
			d.pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		usleep(10000);
	}
	kill(d.pid, SIGKILL);
	waitpid(d.pid, &status, 0);
	d.pid = 0;
	return -1;
}

/**
 * Set up a daemon, with or without TLS
 */
static void setup_with(bool tls)
{
	memset(&d, 0, sizeof(d));
	d.tls = tls;
	d.dir = vt_mkdtemp();
	ck_assert(asprintf(&d.conf, "%s/verifier.conf", d.dir) > 0);
	ck_assert(asprintf(&d.log, "%s/verifier.log", d.dir) > 0);
	if (tls)
	{
		make_certs();
	}
	write_config(NULL);
	ck_assert_int_eq(ctl0(NULL, "keygen"), 0);
	ck_assert_int_eq(ctl0(NULL, "group", "add", "default", "--enroll",
						  "open"), 0);
	ck_assert(start_daemon());
}

static void setup_plain()
{
	setup_with(FALSE);
}

static void setup_tls()
{
	setup_with(TRUE);
}

/**
 * Print valgrind's reports of the daemon
 */
static void print_valgrind()
{
	glob_t files;
	chunk_t report;
	char *pattern;
	int i;

	ck_assert(asprintf(&pattern, "%s/valgrind.*.log", d.dir) > 0);
	if (glob(pattern, 0, NULL, &files) == 0)
	{
		for (i = 0; i < files.gl_pathc; i++)
		{
			report = slurp(files.gl_pathv[i]);
			fprintf(stderr, "%s", report.ptr);
			chunk_free(&report);
		}
		globfree(&files);
	}
	free(pattern);
}

static void teardown()
{
	int rc;

	rc = stop_daemon();
	if (getenv("VERIFIER_TEST_DEBUG") || rc)
	{
		chunk_t log = slurp(d.log);
		fprintf(stderr, "%s", log.ptr);
		chunk_free(&log);
		print_valgrind();
	}
	free(d.conf);
	free(d.log);
	free(d.ca);
	vt_rmtree(d.dir);
	ck_assert_int_eq(rc, 0);
}

/**
 * libcurl write callback
 */
static size_t collect(char *ptr, size_t size, size_t nmemb, void *arg)
{
	chunk_t *data = arg;

	*data = chunk_cat("mc", *data, chunk_create(ptr, size * nmemb));
	return size * nmemb;
}

/**
 * Create a curl handle for a request
 */
static CURL *prepare(char *method, char *path, char *type, chunk_t body,
					 chunk_t *response, chunk_t *headers,
					 struct curl_slist **list)
{
	char url[256], header[128];
	CURL *curl;

	curl = curl_easy_init();
	ck_assert(curl);
	snprintf(url, sizeof(url), "%s://127.0.0.1:%u%s",
			 d.tls ? "https" : "http", d.port, path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	if (d.tls)
	{
		curl_easy_setopt(curl, CURLOPT_CAINFO, d.ca);
	}
	if (body.ptr)
	{
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.ptr);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body.len);
	}
	*list = NULL;
	if (type)
	{
		snprintf(header, sizeof(header), "Content-Type: %s", type);
		*list = curl_slist_append(*list, header);
	}
	else
	{	/* libcurl would add a form type */
		*list = curl_slist_append(*list, "Content-Type:");
	}
	*list = curl_slist_append(*list, "Expect:");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, *list);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, response);
	if (headers)
	{
		curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
		curl_easy_setopt(curl, CURLOPT_HEADERDATA, headers);
	}
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
	return curl;
}

/**
 * Make a request, return the status, the response body NUL-terminated
 */
static u_int http(char *method, char *path, char *type, chunk_t body,
				  chunk_t *response, chunk_t *headers)
{
	struct curl_slist *list;
	CURLcode res;
	CURL *curl;
	long status = 0;

	*response = chunk_empty;
	curl = prepare(method, path, type, body, response, headers, &list);
	res = curl_easy_perform(curl);
	ck_assert_msg(res == CURLE_OK, "%s %s: %s", method, path,
				  curl_easy_strerror(res));
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(curl);
	curl_slist_free_all(list);
	*response = chunk_cat("mc", *response, chunk_from_chars('\0'));
	response->len--;
	if (headers)
	{
		*headers = chunk_cat("mc", *headers, chunk_from_chars('\0'));
		headers->len--;
	}
	return status;
}

/**
 * Make a request, return the status and the parsed JSON response
 */
static u_int http_json(char *method, char *path, char *type, char *body,
					   json_t **json)
{
	chunk_t response;
	u_int status;

	status = http(method, path, type, body ? chunk_from_str(body) : chunk_empty,
				  &response, NULL);
	*json = json_loads(response.ptr, 0, NULL);
	ck_assert_msg(*json, "%s %s: response '%s' is not JSON", method, path,
				  response.ptr);
	chunk_free(&response);
	return status;
}

/**
 * Verification key of the daemon
 */
static chunk_t get_key()
{
	json_t *json;
	chunk_t pem;

	ck_assert_int_eq(http_json("GET", "/v1/key", NULL, NULL, &json), 200);
	pem = chunk_clone(chunk_from_str((char*)json_string_value(
										json_object_get(json, "pem"))));
	pem = chunk_cat("mc", pem, chunk_from_chars('\0'));
	pem.len--;
	json_decref(json);
	return pem;
}

/**
 * POST evidence, check the status and return the verified EAR
 */
static ratkn_ear_t *attest(chunk_t evidence, char *expected)
{
	json_t *json;
	ratkn_ear_t *ear;
	chunk_t key;
	char *encoded, *body, reason[256];

	encoded = vt_b64url_encode(evidence);
	ck_assert(asprintf(&body, "{\"evidence\":\"%s\"}", encoded) > 0);
	ck_assert_int_eq(http_json("POST", "/v1/attest", JSON, body, &json), 200);
	ck_assert_str_eq(json_string_value(json_object_get(json, "status")),
					 expected);
	key = get_key();
	ear = ratkn_ear_verify((char*)json_string_value(json_object_get(json,
									"ear")), key, time(NULL), reason,
						   sizeof(reason));
	ck_assert_msg(ear, "%s", reason);
	ck_assert_str_eq(ratkn_ear_status_name(ear->get_claims(ear)->status),
					 expected);
	chunk_free(&key);
	json_decref(json);
	free(body);
	free(encoded);
	return ear;
}

/**
 * Register an attester manually and set the current PCR values as reference
 * values with the CLI
 */
static void provision(vt_attester_t *attester)
{
	chunk_t pem, out;
	char *ak, *refs;

	ck_assert(asprintf(&ak, "%s/ak.pem", d.dir) > 0);
	ck_assert(ratkn_ak_to_pem(attester->spki, &pem));
	vt_write(ak, "%s", pem.ptr);
	chunk_free(&pem);
	ck_assert_int_eq(ctl0(&out, "attester", "add", "--ak", ak, "--group",
						  "default"), 0);
	ck_assert(strpfx(out.ptr, attester->fpr));
	chunk_free(&out);
	ck_assert(asprintf(&refs, "%s/reference.pcrs", d.dir) > 0);
	vt_write_refs(attester, PCRS, refs);
	ck_assert_int_eq(ctl0(NULL, "reference", "set", "default", refs), 0);
	free(ak);
	free(refs);
}

START_TEST(test_health_key)
{
	json_t *json;
	chunk_t key, ctl_key;

	ck_assert_int_eq(http_json("GET", "/v1/health", NULL, NULL, &json), 200);
	ck_assert_str_eq(json_string_value(json_object_get(json, "status")),
					 "ok");
	json_decref(json);

	/* the CLI prints the same key */
	key = get_key();
	ck_assert_int_eq(ctl0(&ctl_key, "key"), 0);
	ck_assert_str_eq(key.ptr, ctl_key.ptr);
	chunk_free(&key);
	chunk_free(&ctl_key);
}
END_TEST

START_TEST(test_attest)
{
	vt_attester_t *attester;
	uint8_t binding[RATKN_HASH_LEN];
	ratkn_ear_t *ear;
	chunk_t evidence, out;

	attester = vt_attester_create(FALSE);
	evidence = vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER);

	/* not yet enrolled */
	ear = attest(evidence, "contraindicated");
	ck_assert_str_eq(ear->get_claims(ear)->reason, "AK not enrolled");
	ear->destroy(ear);

	provision(attester);
	ear = attest(evidence, "affirming");
	vt_binding(attester, RATKN_IKE_RESPONDER, binding);
	ck_assert(chunk_equals(ear->get_claims(ear)->nonce,
						   chunk_from_thing(binding)));
	ck_assert(chunk_equals(ear->get_claims(ear)->identity_hash,
						   chunk_from_thing(attester->identity)));
	ck_assert_int_eq(ear->get_claims(ear)->exp - ear->get_claims(ear)->iat,
					 120);
	ck_assert_str_eq(ear->get_claims(ear)->verifier_developer,
					 "https://ratkn.example/daemon-test");
	ear->destroy(ear);

	/* the CLI shows the attestation */
	ck_assert_int_eq(ctl0(&out, "attester", "list"), 0);
	ck_assert(strstr(out.ptr, attester->fpr));
	ck_assert(strstr(out.ptr, "affirming"));
	chunk_free(&out);

	/* removed: not enrolled any more */
	ck_assert_int_eq(ctl0(NULL, "attester", "remove", attester->fpr), 0);
	ck_assert_int_eq(ctl0(NULL, "attester", "remove", attester->fpr), 1);
	ear = attest(evidence, "contraindicated");
	ear->destroy(ear);

	chunk_free(&evidence);
	vt_attester_destroy(attester);
}
END_TEST

START_TEST(test_tampered)
{
	vt_attester_t *attester;
	ratkn_ear_t *ear;
	chunk_t evidence;

	attester = vt_attester_create(FALSE);
	provision(attester);
	vt_extend(attester, 4, "evil loader");
	evidence = vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER);
	ear = attest(evidence, "contraindicated");
	ck_assert_str_eq(ear->get_claims(ear)->reason,
					 "PCR sha256:4 has unexpected value");
	ear->destroy(ear);

	/* a warning PCR, effective at once */
	ck_assert_int_eq(ctl0(NULL, "warning", "set", "default", "sha256:4"), 0);
	ear = attest(evidence, "warning");
	ear->destroy(ear);
	ck_assert_int_eq(ctl0(NULL, "warning", "set", "default", "none"), 0);
	ear = attest(evidence, "contraindicated");
	ear->destroy(ear);

	chunk_free(&evidence);
	vt_attester_destroy(attester);
}
END_TEST

/**
 * Check an error response
 */
static void assert_error(char *method, char *path, char *type, chunk_t body,
						 u_int expected)
{
	chunk_t response, headers = chunk_empty;
	json_t *json;
	u_int status;

	status = http(method, path, type, body, &response, &headers);
	ck_assert_int_eq(status, expected);
	if (expected != 413)
	{	/* libevent answers 413 itself */
		json = json_loads(response.ptr, 0, NULL);
		ck_assert_msg(json_is_string(json_object_get(json, "error")),
					  "response '%s'", response.ptr);
		json_decref(json);
		ck_assert(strcasestr(headers.ptr, "Content-Type: application/json"));
	}
	if (expected == 405)
	{
		ck_assert(strcasestr(headers.ptr, "\r\nAllow: "));
	}
	chunk_free(&response);
	chunk_free(&headers);
}

START_TEST(test_errors)
{
	chunk_t big;

	assert_error("POST", "/v1/attest", JSON, chunk_from_str("{\"evid"), 400);
	assert_error("POST", "/v1/attest", JSON, chunk_from_str("[1,2]"), 400);
	assert_error("POST", "/v1/attest", JSON,
				 chunk_from_str("{\"evidence\":\"AAAA\"}"), 400);
	assert_error("POST", "/v1/attest", "text/plain", chunk_from_str("{}"),
				 415);
	assert_error("POST", "/v1/attest", NULL, chunk_from_str("{}"), 415);
	assert_error("GET", "/v1/nope", NULL, chunk_empty, 404);
	assert_error("GET", "/../../etc/passwd", NULL, chunk_empty, 404);
	assert_error("GET", "/v1/attest", NULL, chunk_empty, 405);
	assert_error("DELETE", "/v1/health", NULL, chunk_empty, 405);
	assert_error("PATCH", "/v1/enroll", JSON, chunk_from_str("{}"), 405);

	big = chunk_alloc(65537);
	memset(big.ptr, ' ', big.len);
	big.ptr[0] = '{';
	big.ptr[big.len - 1] = '}';
	assert_error("POST", "/v1/attest", JSON, big, 413);
	/* just below the limit is read */
	big.len = 65536;
	big.ptr[big.len - 1] = '}';
	assert_error("POST", "/v1/attest", JSON, big, 400);
	chunk_free(&big);
}
END_TEST

START_TEST(test_concurrent)
{
	struct curl_slist *lists[16];
	chunk_t responses[16], body;
	vt_attester_t *attester;
	CURLM *multi;
	CURL *curls[16];
	CURLMsg *msg;
	char *encoded, *json;
	int i, running, left, done = 0;
	long status;

	attester = vt_attester_create(FALSE);
	provision(attester);
	body = vt_evidence(attester, PCRS, RATKN_IKE_INITIATOR);
	encoded = vt_b64url_encode(body);
	chunk_free(&body);
	ck_assert(asprintf(&json, "{\"evidence\":\"%s\"}", encoded) > 0);

	multi = curl_multi_init();
	for (i = 0; i < countof(curls); i++)
	{
		responses[i] = chunk_empty;
		curls[i] = prepare(i % 2 ? "POST" : "GET",
						   i % 2 ? "/v1/attest" : "/v1/health", JSON,
						   i % 2 ? chunk_from_str(json) : chunk_empty,
						   &responses[i], NULL, &lists[i]);
		curl_multi_add_handle(multi, curls[i]);
	}
	do
	{
		ck_assert(curl_multi_perform(multi, &running) == CURLM_OK);
		while ((msg = curl_multi_info_read(multi, &left)))
		{
			if (msg->msg == CURLMSG_DONE)
			{
				ck_assert_msg(msg->data.result == CURLE_OK, "%s",
							  curl_easy_strerror(msg->data.result));
				curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
								  &status);
				ck_assert_int_eq(status, 200);
				done++;
			}
		}
		if (running)
		{
			curl_multi_poll(multi, NULL, 0, 1000, NULL);
		}
	}
	while (running);
	ck_assert_int_eq(done, countof(curls));
	for (i = 0; i < countof(curls); i++)
	{
		if (i % 2)
		{
			ck_assert(memmem(responses[i].ptr, responses[i].len,
							 "affirming", 9));
		}
		curl_multi_remove_handle(multi, curls[i]);
		curl_easy_cleanup(curls[i]);
		curl_slist_free_all(lists[i]);
		chunk_free(&responses[i]);
	}
	curl_multi_cleanup(multi);
	free(json);
	free(encoded);
	vt_attester_destroy(attester);
}
END_TEST

/**
 * A raw connection, TLS or plain
 */
typedef struct {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
} raw_t;

/**
 * Connect to the daemon, with a TLS handshake if it serves TLS and tls is
 * set
 */
static raw_t raw_connect(bool tls)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		.sin_port = htons(d.port),
	};
	raw_t raw = {};

	raw.fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert(raw.fd != -1);
	ck_assert(connect(raw.fd, (struct sockaddr*)&addr, sizeof(addr)) == 0);
	if (tls && d.tls)
	{
		raw.ctx = SSL_CTX_new(TLS_client_method());
		ck_assert(SSL_CTX_load_verify_locations(raw.ctx, d.ca, NULL) == 1);
		SSL_CTX_set_verify(raw.ctx, SSL_VERIFY_PEER, NULL);
		raw.ssl = SSL_new(raw.ctx);
		SSL_set_fd(raw.ssl, raw.fd);
		SSL_set1_host(raw.ssl, "127.0.0.1");
		ck_assert(SSL_connect(raw.ssl) == 1);
	}
	return raw;
}

/**
 * Send on a raw connection, FALSE if it failed
 */
static bool raw_send(raw_t *raw, char *data)
{
	if (raw->ssl)
	{
		return SSL_write(raw->ssl, data, strlen(data)) == strlen(data);
	}
	return send(raw->fd, data, strlen(data), MSG_NOSIGNAL) ==
														strlen(data);
}

/**
 * Receive with a timeout, returns the number of octets, 0 on EOF/error,
 * -1 on timeout
 */
static int raw_recv(raw_t *raw, char *buf, int len, int ms)
{
	struct pollfd pfd = {
		.fd = raw->fd,
		.events = POLLIN,
	};
	int n;

	if (!(raw->ssl && SSL_pending(raw->ssl)))
	{
		n = poll(&pfd, 1, ms);
		if (n == 0)
		{
			return -1;
		}
	}
	n = raw->ssl ? SSL_read(raw->ssl, buf, len) : recv(raw->fd, buf, len, 0);
	ERR_clear_error();
	return n > 0 ? n : 0;
}

/**
 * Close a raw connection
 */
static void raw_close(raw_t *raw)
{
	if (raw->ssl)
	{
		SSL_free(raw->ssl);
		SSL_CTX_free(raw->ctx);
	}
	close(raw->fd);
}

/**
 * Wait for the server to close, return the seconds it took
 */
static double wait_closed(raw_t *raw, int max_ms, char *drip)
{
	timeval_t start, now, diff;
	char buf[4096];
	int n, waited = 0;

	time_monotonic(&start);
	while (waited < max_ms)
	{
		n = raw_recv(raw, buf, sizeof(buf), drip ? 300 : 100);
		if (n == 0)
		{
			break;
		}
		if (n < 0)
		{
			waited += drip ? 300 : 100;
			if (drip && !raw_send(raw, drip))
			{
				break;
			}
		}
	}
	time_monotonic(&now);
	timersub(&now, &start, &diff);
	return diff.tv_sec + diff.tv_usec / 1000000.0;
}

START_TEST(test_slow_client)
{
	raw_t raw;
	double secs;

	/* silent: closed after the timeout (TLS: no handshake) */
	raw = raw_connect(FALSE);
	secs = wait_closed(&raw, 10000, NULL);
	ck_assert_msg(secs >= TIMEOUT - 0.5 && secs < TIMEOUT + 1.5,
				  "closed after %.1fs", secs);
	raw_close(&raw);

	/* dripping a header one octet every 300 ms: closed all the same */
	raw = raw_connect(TRUE);
	ck_assert(raw_send(&raw, "POST /v1/attest HTTP/1.1\r\nHost: x\r\nX-A: "));
	secs = wait_closed(&raw, 10000, "a");
	ck_assert_msg(secs < TIMEOUT + 1.5, "closed after %.1fs", secs);
	raw_close(&raw);

	/* still serving */
	raw = raw_connect(TRUE);
	raw_close(&raw);
	test_health_key_fn(0);
}
END_TEST

START_TEST(test_garbage)
{
	char *inputs[] = {
		"GARBAGE\r\n\r\n",
		"GET\r\n\r\n",
		"GET / HTTP/9.9\r\n\r\n",
		"POST /v1/attest HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
		"POST /v1/attest HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n"
			"Content-Type: application/json\r\n\r\n{}",
		"POST /v1/attest HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
			"Content-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
		"POST /v1/attest HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
			"Content-Length: 2\r\nContent-Type: application/json\r\n\r\n"
			"2\r\n{}\r\n0\r\n\r\n",
		"GET /v1/health HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
		"\x16\x03\x01\x00\x05hello",
		"\0\0\0\0\0\0\0\0",
	};
	char buf[4096], *header;
	raw_t raw;
	int i;

	for (i = 0; i < countof(inputs); i++)
	{
		raw = raw_connect(TRUE);
		raw_send(&raw, inputs[i]);
		shutdown(raw.fd, SHUT_WR);
		while (raw_recv(&raw, buf, sizeof(buf), 3000) > 0)
		{
		}
		raw_close(&raw);
	}
	/* a header block larger than 8 KiB */
	header = malloc(10000);
	memset(header, 'a', 9999);
	header[9999] = '\0';
	memcpy(header, "GET /v1/health HTTP/1.1\r\nX: ", 28);
	raw = raw_connect(TRUE);
	raw_send(&raw, header);
	raw_send(&raw, "\r\n\r\n");
	while (raw_recv(&raw, buf, sizeof(buf), 3000) > 0)
	{
	}
	raw_close(&raw);
	free(header);

	/* alive and well */
	ck_assert(kill(d.pid, 0) == 0);
	test_health_key_fn(0);
}
END_TEST

START_TEST(test_graceful_stop)
{
	char buf[4096], *log;
	raw_t raw, other;
	int n, status, i;

	/* a request in flight when SIGTERM arrives */
	raw = raw_connect(TRUE);
	ck_assert(raw_send(&raw, "POST /v1/attest HTTP/1.1\r\nHost: x\r\n"
					   "Content-Type: application/json\r\n"
					   "Content-Length: 2\r\n\r\n{"));
	/* an idle connection */
	other = raw_connect(TRUE);
	usleep(300000);
	kill(d.pid, SIGTERM);
	usleep(500000);
	ck_assert_msg(waitpid(d.pid, &status, WNOHANG) == 0,
				  "exited with a request in flight");
	/* no new connections */
	ck_assert(raw_send(&raw, "}"));
	n = raw_recv(&raw, buf, sizeof(buf) - 1, 5000);
	ck_assert(n > 0);
	buf[n] = '\0';
	ck_assert_msg(strpfx(buf, "HTTP/1.1 400"), "response '%s'", buf);
	ck_assert(strcasestr(buf, "Connection: close"));
	raw_close(&raw);
	raw_close(&other);
	for (i = 0; i < 300; i++)
	{
		if (waitpid(d.pid, &status, WNOHANG) == d.pid)
		{
			break;
		}
		usleep(10000);
	}
	ck_assert_msg(i < 300, "did not stop");
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	d.pid = 0;
	log = slurp(d.log).ptr;
	ck_assert(strstr(log, "\"event\":\"stopping\""));
	ck_assert(strstr(log, "\"event\":\"stopped\""));
	free(log);
}
END_TEST

START_TEST(test_log_format)
{
	vt_attester_t *attester;
	chunk_t evidence, log;
	ratkn_ear_t *ear;
	json_t *line;
	char *pos, *end;
	bool found = FALSE;

	attester = vt_attester_create(FALSE);
	provision(attester);
	evidence = vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER);
	ear = attest(evidence, "affirming");
	ear->destroy(ear);
	chunk_free(&evidence);

	/* every line a JSON object with ts, level, event */
	log = slurp(d.log);
	for (pos = log.ptr; pos && *pos; pos = end ? end + 1 : NULL)
	{
		end = strchr(pos, '\n');
		if (end)
		{
			*end = '\0';
		}
		line = json_loads(pos, 0, NULL);
		ck_assert_msg(json_is_object(line), "log line '%s'", pos);
		ck_assert(json_is_string(json_object_get(line, "ts")));
		ck_assert(json_is_string(json_object_get(line, "level")));
		ck_assert(json_is_string(json_object_get(line, "event")));
		if (streq(json_string_value(json_object_get(line, "event")),
				  "attest"))
		{
			ck_assert_str_eq(json_string_value(json_object_get(line, "ak")),
							 attester->fpr);
			ck_assert_str_eq(json_string_value(json_object_get(line,
									"group")), "default");
			ck_assert_str_eq(json_string_value(json_object_get(line,
									"status")), "affirming");
			ck_assert(json_is_integer(json_object_get(line, "ms")));
			found = TRUE;
		}
		json_decref(line);
	}
	ck_assert(found);
	chunk_free(&log);
	vt_attester_destroy(attester);
}
END_TEST

START_TEST(test_enroll)
{
	vt_attester_t *attester;
	json_t *json, *done;
	chunk_t cert, pub, blob, encrypted, secret, out, altered, spki;
	char *body, *c, *a, *s, *path;
	ratkn_ear_t *ear;

	attester = vt_attester_create(FALSE);
	ck_assert(attester->tpm->get_ek(attester->tpm, &cert, &pub));
	c = vt_b64url_encode(cert);
	a = vt_b64url_encode(attester->ak_public);
	ck_assert(asprintf(&body, "{\"ek_cert\":\"%s\",\"ak_public\":\"%s\","
					   "\"group\":\"default\"}", c, a) > 0);
	ck_assert_int_eq(http_json("POST", "/v1/enroll", JSON, body, &json),
					 200);
	free(body);
	blob = vt_b64url_decode(json_string_value(
							json_object_get(json, "credential_blob")));
	encrypted = vt_b64url_decode(json_string_value(
							json_object_get(json, "encrypted_secret")));
	ck_assert(attester->tpm->activate_credential(attester->tpm, blob,
												 encrypted, &secret));
	s = vt_b64url_encode(secret);
	ck_assert(asprintf(&body, "{\"secret\":\"%s\"}", s) > 0);
	ck_assert(asprintf(&path, "/v1/enroll/%s",
			json_string_value(json_object_get(json, "session"))) > 0);
	ck_assert_int_eq(http_json("POST", path, JSON, body, &done), 200);
	ck_assert_str_eq(json_string_value(json_object_get(done, "ak")),
					 attester->fpr);
	ck_assert_str_eq(json_string_value(json_object_get(done, "group")),
					 "default");
	json_decref(done);
	ck_assert_int_eq(http_json("POST", path, JSON, body, &done), 404);
	json_decref(done);

	/* enrolled with EK: hardware claim */
	ck_assert_int_eq(ctl0(&out, "attester", "list"), 0);
	ck_assert(strstr(out.ptr, attester->fpr));
	chunk_free(&out);
	free(path);
	ck_assert(asprintf(&path, "%s/refs", d.dir) > 0);
	vt_write_refs(attester, PCRS, path);
	ck_assert_int_eq(ctl0(NULL, "reference", "set", "default", path), 0);
	chunk_free(&out);
	out = vt_evidence(attester, PCRS, RATKN_IKE_INITIATOR);
	ear = attest(out, "affirming");
	ck_assert_int_eq(ear->get_claims(ear)->trust[RATKN_EAR_TV_HARDWARE], 2);
	ear->destroy(ear);
	chunk_free(&out);

	/* the same key claiming other attributes (noDA flipped): the SPKI is
	 * the enrolled one and the quote verifies, the TPM Name does not match
	 * the one enrollment proved */
	altered = vt_ak_public_no_da(attester);
	ck_assert(ratkn_ak_spki_from_tpm(altered, &spki));
	ck_assert(chunk_equals(spki, attester->spki));
	out = vt_evidence_ak(attester, PCRS, RATKN_IKE_INITIATOR, altered);
	ear = attest(out, "contraindicated");
	ck_assert_str_eq(ear->get_claims(ear)->reason, "AK_PUBLIC does not match "
					 "the enrolled AK's TPM Name (attributes or policy "
					 "differ)");
	ck_assert_int_eq(ear->get_claims(ear)->trust[RATKN_EAR_TV_INSTANCE], 97);
	ck_assert_int_eq(ear->get_claims(ear)->trust[RATKN_EAR_TV_HARDWARE], 0);
	ear->destroy(ear);
	chunk_free(&out);
	chunk_free(&spki);
	chunk_free(&altered);

	free(path);
	free(body);
	free(s);
	free(c);
	free(a);
	chunk_clear(&secret);
	chunk_free(&blob);
	chunk_free(&encrypted);
	chunk_free(&cert);
	chunk_free(&pub);
	json_decref(json);
	vt_attester_destroy(attester);
}
END_TEST

START_TEST(test_tls)
{
	chunk_t response;
	char url[128];
	CURLcode res;
	CURL *curl;

	/* without the CA the server is not trusted */
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/v1/health", d.port);
	curl = curl_easy_init();
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CAINFO, "/dev/null");
	curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	response = chunk_empty;
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
	res = curl_easy_perform(curl);
	ck_assert(res != CURLE_OK);
	/* TLS 1.1 is refused */
	curl_easy_setopt(curl, CURLOPT_CAINFO, d.ca);
	curl_easy_setopt(curl, CURLOPT_SSLVERSION,
					 CURL_SSLVERSION_TLSv1_0 | CURL_SSLVERSION_MAX_TLSv1_1);
	res = curl_easy_perform(curl);
	ck_assert(res != CURLE_OK);
	/* TLS 1.2 is fine */
	curl_easy_setopt(curl, CURLOPT_SSLVERSION,
					 CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2);
	res = curl_easy_perform(curl);
	ck_assert_msg(res == CURLE_OK, "%s", curl_easy_strerror(res));
	curl_easy_cleanup(curl);
	chunk_free(&response);

	/* plain HTTP on the TLS port gets no HTTP answer */
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/v1/health", d.port);
	curl = curl_easy_init();
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	response = chunk_empty;
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	res = curl_easy_perform(curl);
	ck_assert(res != CURLE_OK || !memmem(response.ptr, response.len,
										 "\"ok\"", 4));
	curl_easy_cleanup(curl);
	chunk_free(&response);
}
END_TEST

START_TEST(test_startup_errors)
{
	chunk_t log;

	ck_assert_int_eq(stop_daemon(), 0);

	/* missing server key */
	write_config("key = /nonexistent/key.pem");
	ck_assert(!start_daemon());
	log = slurp(d.log);
	ck_assert(strstr(log.ptr, "loading the server key failed"));
	chunk_free(&log);

	/* missing signing key */
	write_config("signing_key = /nonexistent/ear-key.pem");
	ck_assert(!start_daemon());
	log = slurp(d.log);
	ck_assert(strstr(log.ptr, "keygen"));
	chunk_free(&log);

	/* invalid values */
	write_config("ear_lifetime = 0");
	ck_assert(!start_daemon());
	write_config("port = 70000");
	ck_assert(!start_daemon());
	vt_write(d.conf, "verifier {\n");
	ck_assert(!start_daemon());

	/* back to normal for the teardown */
	write_config(NULL);
	ck_assert(start_daemon());
}
END_TEST

START_TEST(test_ctl)
{
	vt_attester_t *attester;
	chunk_t out, cert, pub;
	char *refs, *db, *der, *pem, ek[VERIFIER_FPR_LEN + 1];
	char upper[VERIFIER_FPR_LEN + 1];
	int i;

	ck_assert_int_eq(ctl0(NULL, "group", "add", "default"), 1);
	ck_assert_int_eq(ctl0(NULL, "group", "add", "bad name"), 1);
	ck_assert_int_eq(ctl0(NULL, "group", "add", "servers"), 0);
	ck_assert_int_eq(ctl0(&out, "group", "list"), 0);
	ck_assert(strstr(out.ptr, "default"));
	ck_assert(strstr(out.ptr, "servers"));
	chunk_free(&out);
	ck_assert_int_eq(ctl0(NULL, "group", "remove", "servers"), 0);
	ck_assert_int_eq(ctl0(NULL, "group", "remove", "servers"), 1);

	attester = vt_attester_create(FALSE);
	provision(attester);
	ck_assert_int_eq(ctl0(NULL, "group", "remove", "default"), 1);

	/* reference values round trip through "reference show" */
	ck_assert_int_eq(ctl0(&out, "reference", "show", "default"), 0);
	ck_assert(asprintf(&refs, "%s/shown.pcrs", d.dir) > 0);
	vt_write(refs, "%s", out.ptr);
	ck_assert_int_eq(ctl0(NULL, "reference", "set", "default", refs), 0);
	chunk_free(&out);
	ck_assert_int_eq(ctl0(&out, "group", "list"), 0);
	ck_assert(strstr(out.ptr, "sha256:0-7"));
	chunk_free(&out);
	vt_write(refs, "sha256:0 1234\n");
	ck_assert_int_eq(ctl0(NULL, "reference", "set", "default", refs), 1);
	ck_assert_int_eq(ctl0(NULL, "reference", "set", "nope", refs), 1);
	ck_assert_int_eq(ctl0(NULL, "reference", "show", "nope"), 1);
	ck_assert_int_eq(ctl0(NULL, "warning", "set", "default", "sha999:1"), 1);
	ck_assert_int_eq(ctl0(NULL, "warning", "set", "default", "sha256:1,7"),
					 0);
	ck_assert_int_eq(ctl0(&out, "group", "list"), 0);
	ck_assert(strstr(out.ptr, "sha256:1,7"));
	chunk_free(&out);

	/* enrollment policy: open and closed groups */
	ck_assert_int_eq(ctl0(&out, "group", "list"), 0);
	ck_assert_msg(strstr(out.ptr, "ENROLL") && strstr(out.ptr, "default  "
				  "            open"), "%s", out.ptr);
	chunk_free(&out);
	ck_assert_int_eq(ctl0(NULL, "group", "add", "fleet"), 0);
	ck_assert_int_eq(ctl0(NULL, "group", "add", "lab", "--enroll", "open"),
					 0);
	ck_assert_int_eq(ctl0(&out, "group", "list"), 0);
	ck_assert(strstr(out.ptr, "fleet                closed"));
	ck_assert(strstr(out.ptr, "lab                  open"));
	chunk_free(&out);
	ck_assert_int_eq(ctl0(NULL, "group", "set", "lab", "--enroll", "closed"),
					 0);
	ck_assert_int_eq(ctl0(&out, "group", "list"), 0);
	ck_assert(strstr(out.ptr, "lab                  closed"));
	chunk_free(&out);
	ck_assert_int_eq(ctl0(NULL, "group", "set", "lab"), 2);
	ck_assert_int_eq(ctl0(NULL, "group", "set", "lab", "--enroll", "maybe"),
					 2);
	ck_assert_int_eq(ctl0(NULL, "group", "set", "nope", "--enroll", "open"),
					 1);
	ck_assert_int_eq(ctl0(NULL, "group", "add", "x", "--enroll"), 2);

	/* EK assignments, by certificate (DER, PEM) or fingerprint */
	ck_assert(attester->tpm->get_ek(attester->tpm, &cert, &pub));
	ck_assert(verifier_ek_fingerprint(cert, ek));
	ck_assert(asprintf(&der, "%s/ek.der", d.dir) > 0);
	ck_assert(chunk_write(cert, der, 0600, TRUE));
	shell("openssl x509 -inform DER -in ek.der -out ek.pem");
	ck_assert_int_eq(ctl0(&out, "ek", "assign", der, "fleet"), 0);
	ck_assert(strstr(out.ptr, ek));
	chunk_free(&out);
	ck_assert_int_eq(ctl0(&out, "ek", "list"), 0);
	ck_assert(strstr(out.ptr, ek));
	ck_assert(strstr(out.ptr, "fleet"));
	chunk_free(&out);
	ck_assert_int_eq(ctl0(&out, "group", "list"), 0);
	ck_assert(strstr(out.ptr, "fleet                closed -  "));
	chunk_free(&out);
	/* a group with assigned EKs stays */
	ck_assert_int_eq(ctl0(NULL, "group", "remove", "fleet"), 1);
	ck_assert(asprintf(&pem, "%s/ek.pem", d.dir) > 0);
	ck_assert_int_eq(ctl0(NULL, "ek", "assign", pem, "lab"), 0);
	ck_assert_int_eq(ctl0(&out, "ek", "list"), 0);
	ck_assert(strstr(out.ptr, "lab"));
	ck_assert(!strstr(out.ptr, "fleet"));
	chunk_free(&out);
	for (i = 0; ek[i]; i++)
	{
		upper[i] = toupper(ek[i]);
	}
	upper[i] = '\0';
	ck_assert_int_eq(ctl0(NULL, "ek", "remove", upper), 0);
	ck_assert_int_eq(ctl0(NULL, "ek", "remove", pem), 1);
	ck_assert_int_eq(ctl0(NULL, "ek", "assign", ek, "nope"), 1);
	ck_assert_int_eq(ctl0(NULL, "ek", "assign", "/nonexistent", "lab"), 1);
	ck_assert_int_eq(ctl0(NULL, "ek", "assign", refs, "lab"), 1);
	ck_assert_int_eq(ctl0(NULL, "ek", "assign", ek), 2);
	ck_assert_int_eq(ctl0(NULL, "group", "remove", "fleet"), 0);
	free(der);
	free(pem);
	chunk_free(&cert);
	chunk_free(&pub);

	/* usage errors */
	ck_assert_int_eq(ctl0(NULL, "group"), 2);
	ck_assert_int_eq(ctl0(NULL, "frobnicate"), 2);
	ck_assert_int_eq(ctl0(NULL, "group", "add"), 2);
	ck_assert_int_eq(ctl0(NULL, "attester", "add", "--ak", "x"), 2);
	ck_assert_int_eq(ctl0(NULL, "attester", "add", "--ak", "/nonexistent",
						  "--group", "default"), 1);

	/* --db alone works for database commands, not for keys */
	ck_assert(asprintf(&db, "%s/verifier.db", d.dir) > 0);
	ck_assert_int_eq(run(NULL, (char*[]){ CTL, "--db", db, "group", "list",
										  NULL }), 0);
	ck_assert_int_eq(run(NULL, (char*[]){ CTL, "--db", db, "key", NULL }), 1);
	ck_assert_int_eq(run(NULL, (char*[]){ CTL, "--config", "/nonexistent",
										  "group", "list", NULL }), 1);
	/* keygen keeps an existing key */
	ck_assert_int_eq(ctl0(NULL, "keygen"), 0);
	free(db);
	free(refs);
	vt_attester_destroy(attester);
}
END_TEST

START_TEST(test_ctl_ak_name)
{
	vt_attester_t *attester, *other;
	chunk_t out, pem, name, hex, altered, evidence, tpm2b;
	char *ak, *other_ak, *tpmt, *pub, *ek, *refs;
	ratkn_ear_t *ear;

	attester = vt_attester_create(FALSE);
	ck_assert(asprintf(&ak, "%s/ak.pem", d.dir) > 0);
	ck_assert(ratkn_ak_to_pem(attester->spki, &pem));
	vt_write(ak, "%s", pem.ptr);
	chunk_free(&pem);
	/* the public area as TPMT_PUBLIC and as tpm2-tools' TPM2B_PUBLIC */
	ck_assert(asprintf(&tpmt, "%s/ak.tpmt", d.dir) > 0);
	ck_assert(chunk_write(attester->ak_public, tpmt, 0600, TRUE));
	ck_assert(asprintf(&pub, "%s/ak.pub", d.dir) > 0);
	tpm2b = chunk_cat("cc", chunk_from_chars(attester->ak_public.len >> 8,
											 attester->ak_public.len & 0xff),
					  attester->ak_public);
	ck_assert(chunk_write(tpm2b, pub, 0600, TRUE));
	chunk_free(&tpm2b);
	ck_assert(ratkn_ak_name(attester->ak_public, &name));
	hex = chunk_to_hex(name, NULL, FALSE);
	ck_assert(asprintf(&refs, "%s/reference.pcrs", d.dir) > 0);
	vt_write_refs(attester, PCRS, refs);
	ck_assert_int_eq(ctl0(NULL, "reference", "set", "default", refs), 0);
	altered = vt_ak_public_no_da(attester);
	evidence = vt_evidence_ak(attester, PCRS, RATKN_IKE_RESPONDER, altered);

	/* by public key only: not pinned, the claimed attributes pass */
	ck_assert_int_eq(ctl0(&out, "attester", "add", "--ak", ak, "--group",
						  "default"), 0);
	chunk_free(&out);
	ck_assert_int_eq(ctl0(&out, "attester", "list"), 0);
	ck_assert_msg(strstr(out.ptr, " NAME ") && strstr(out.ptr, "manual -  "),
				  "%s", out.ptr);
	chunk_free(&out);
	ear = attest(evidence, "affirming");
	ear->destroy(ear);

	/* by public area (either format): pinned, the key taken from it */
	ck_assert_int_eq(ctl0(&out, "attester", "add", "--ak-public", tpmt,
						  "--group", "default"), 0);
	ck_assert(strpfx(out.ptr, attester->fpr));
	chunk_free(&out);
	ck_assert_int_eq(ctl0(&out, "attester", "list"), 0);
	ck_assert_msg(strstr(out.ptr, "manual pinned"), "%s", out.ptr);
	chunk_free(&out);
	ear = attest(evidence, "contraindicated");
	ck_assert_str_eq(ear->get_claims(ear)->reason, "AK_PUBLIC does not "
					 "match the TPM Name registered for this AK (attributes "
					 "or policy differ)");
	ear->destroy(ear);
	ck_assert_int_eq(ctl0(&out, "attester", "add", "--ak-public", pub,
						  "--ak", ak, "--ak-name", hex.ptr, "--group",
						  "default"), 0);
	ck_assert(strpfx(out.ptr, attester->fpr));
	chunk_free(&out);
	ear = attest(evidence, "contraindicated");
	ear->destroy(ear);
	chunk_free(&evidence);
	evidence = vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER);
	ear = attest(evidence, "affirming");
	/* no EK checked */
	ck_assert_int_eq(ear->get_claims(ear)->trust[RATKN_EAR_TV_HARDWARE], 0);
	ear->destroy(ear);
	chunk_free(&evidence);

	/* by public key and Name, as "ratkn ak show --name" prints it */
	evidence = vt_evidence_ak(attester, PCRS, RATKN_IKE_RESPONDER, altered);
	ck_assert_int_eq(ctl0(&out, "attester", "add", "--ak", ak, "--ak-name",
						  hex.ptr, "--group", "default"), 0);
	chunk_free(&out);
	ck_assert_int_eq(ctl0(&out, "attester", "list"), 0);
	ck_assert_msg(strstr(out.ptr, "manual pinned"), "%s", out.ptr);
	chunk_free(&out);
	ear = attest(evidence, "contraindicated");
	ear->destroy(ear);
	chunk_free(&evidence);

	/* refused: another key, another Name, not a Name, not an AK, no key */
	other = vt_attester_create(TRUE);
	ck_assert(asprintf(&other_ak, "%s/other.pem", d.dir) > 0);
	ck_assert(ratkn_ak_to_pem(other->spki, &pem));
	vt_write(other_ak, "%s", pem.ptr);
	chunk_free(&pem);
	ck_assert_int_eq(ctl0(NULL, "attester", "add", "--ak", other_ak,
						  "--ak-public", tpmt, "--group", "default"), 1);
	hex.ptr[hex.len - 1] = hex.ptr[hex.len - 1] == '0' ? '1' : '0';
	ck_assert_int_eq(ctl0(NULL, "attester", "add", "--ak-public", tpmt,
						  "--ak-name", hex.ptr, "--group", "default"), 1);
	ck_assert_int_eq(ctl0(NULL, "attester", "add", "--ak", ak, "--ak-name",
						  "000b1234", "--group", "default"), 1);
	ck_assert_int_eq(ctl0(NULL, "attester", "add", "--ak-public", ak,
						  "--group", "default"), 1);
	ck_assert(asprintf(&ek, "%s/ek.tpmt", d.dir) > 0);
	ck_assert(other->tpm->get_ek(other->tpm, &pem, &out));
	ck_assert(chunk_write(out, ek, 0600, TRUE));
	chunk_free(&pem);
	chunk_free(&out);
	ck_assert_int_eq(ctl0(NULL, "attester", "add", "--ak-public", ek,
						  "--group", "default"), 1);
	ck_assert_int_eq(ctl0(NULL, "attester", "add", "--ak-public",
						  "/nonexistent", "--group", "default"), 1);
	ck_assert_int_eq(ctl0(NULL, "attester", "add", "--ak-name", hex.ptr,
						  "--group", "default"), 2);
	/* and the pinned Name stayed */
	ck_assert_int_eq(ctl0(&out, "attester", "list"), 0);
	ck_assert_msg(strstr(out.ptr, "manual pinned"), "%s", out.ptr);
	chunk_free(&out);

	free(ak);
	free(other_ak);
	free(tpmt);
	free(pub);
	free(ek);
	free(refs);
	chunk_free(&hex);
	chunk_free(&name);
	chunk_free(&altered);
	vt_attester_destroy(other);
	vt_attester_destroy(attester);
}
END_TEST

/**
 * Add the tests that run with and without TLS
 */
static void add_common(TCase *tc)
{
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_health_key);
	tcase_add_test(tc, test_attest);
	tcase_add_test(tc, test_tampered);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_concurrent);
	tcase_add_test(tc, test_slow_client);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_graceful_stop);
	tcase_add_test(tc, test_log_format);
	tcase_add_test(tc, test_enroll);
}

Suite *daemon_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("daemon");

	tc = tcase_create("http");
	tcase_add_checked_fixture(tc, setup_plain, teardown);
	add_common(tc);
	tcase_add_test(tc, test_ctl);
	tcase_add_test(tc, test_ctl_ak_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("https");
	tcase_add_checked_fixture(tc, setup_tls, teardown);
	add_common(tc);
	tcase_add_test(tc, test_tls);
	tcase_add_test(tc, test_startup_errors);
	suite_add_tcase(s, tc);

	return s;
}
