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
#include "ratkn_tests.h"

#include <ratkn_http.h>
#include <ratkn_verifier_client.h>

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/**
 * libssl functions of the TLS test server. The test program links libcrypto
 * only; libssl is resolved at runtime (libcurl loads it anyway)
 */
static struct {
	const SSL_METHOD *(*TLS_server_method)(void);
	SSL_CTX *(*SSL_CTX_new)(const SSL_METHOD *method);
	void (*SSL_CTX_free)(SSL_CTX *ctx);
	int (*SSL_CTX_use_certificate)(SSL_CTX *ctx, X509 *cert);
	int (*SSL_CTX_use_PrivateKey)(SSL_CTX *ctx, EVP_PKEY *key);
	SSL *(*SSL_new)(SSL_CTX *ctx);
	void (*SSL_free)(SSL *ssl);
	int (*SSL_set_fd)(SSL *ssl, int fd);
	int (*SSL_accept)(SSL *ssl);
	int (*SSL_read)(SSL *ssl, void *buf, int len);
	int (*SSL_write)(SSL *ssl, const void *buf, int len);
	int (*SSL_shutdown)(SSL *ssl);
} ssl;

/**
 * Resolve a libssl function
 */
#define SSL_FUNCTION(lib, name) ({ \
	ssl.name = dlsym(lib, #name); \
	ck_assert_msg(ssl.name, "%s not found in libssl", #name); })

/**
 * Load the libssl functions
 */
static void load_ssl()
{
	void *lib;

	lib = dlopen("libssl.so.3", RTLD_NOW | RTLD_GLOBAL);
	ck_assert_msg(lib, "loading libssl failed: %s", dlerror());
	SSL_FUNCTION(lib, TLS_server_method);
	SSL_FUNCTION(lib, SSL_CTX_new);
	SSL_FUNCTION(lib, SSL_CTX_free);
	SSL_FUNCTION(lib, SSL_CTX_use_certificate);
	SSL_FUNCTION(lib, SSL_CTX_use_PrivateKey);
	SSL_FUNCTION(lib, SSL_new);
	SSL_FUNCTION(lib, SSL_free);
	SSL_FUNCTION(lib, SSL_set_fd);
	SSL_FUNCTION(lib, SSL_accept);
	SSL_FUNCTION(lib, SSL_read);
	SSL_FUNCTION(lib, SSL_write);
	SSL_FUNCTION(lib, SSL_shutdown);
}

/**
 * A tiny HTTP(S) server on a random loopback port, serving one canned
 * response per connection in a thread, and recording the last request
 */
typedef struct {
	/** listening socket */
	int fd;
	/** its port */
	uint16_t port;
	/** TLS context, NULL for plain HTTP */
	SSL_CTX *tls;
	/** status line of the response, e.g. "200 OK" */
	char *status;
	/** extra header lines of the response */
	char *headers;
	/** response body */
	chunk_t body;
	/** send no Content-Length, close after the body */
	bool no_length;
	/** never answer (until the client gives up) */
	bool silent;
	/** pipe to stop the server thread */
	int stop[2];
	/** server thread */
	pthread_t thread;
	/** requests received */
	int requests;
	/** method, path and content type of the last request */
	char method[16], path[256], type[128];
	/** body of the last request */
	chunk_t request;
} server_t;

/**
 * A connection, plain or TLS
 */
typedef struct {
	int fd;
	SSL *ssl;
} conn_t;

static ssize_t conn_read(conn_t *conn, char *buf, size_t len)
{
	if (conn->ssl)
	{
		return ssl.SSL_read(conn->ssl, buf, len);
	}
	return recv(conn->fd, buf, len, 0);
}

static bool conn_write(conn_t *conn, char *buf, size_t len)
{
	ssize_t done;

	while (len)
	{
		done = conn->ssl ? ssl.SSL_write(conn->ssl, buf, len)
						 : send(conn->fd, buf, len, MSG_NOSIGNAL);
		if (done <= 0)
		{
			return FALSE;
		}
		buf += done;
		len -= done;
	}
	return TRUE;
}

/**
 * Wait until the server is told to stop or the client closes; returns TRUE
 * if told to stop
 */
static bool wait_stop(server_t *this, int fd)
{
	struct pollfd fds[] = {
		{ .fd = this->stop[0], .events = POLLIN },
		{ .fd = fd, .events = POLLIN },
	};
	char buf[512];

	while (poll(fds, fd == -1 ? 1 : 2, -1) >= 0 || errno == EINTR)
	{
		if (fds[0].revents)
		{
			return TRUE;
		}
		if (fd != -1 && fds[1].revents)
		{
			if (recv(fd, buf, sizeof(buf), 0) <= 0)
			{
				return FALSE;
			}
		}
	}
	return TRUE;
}

/**
 * Read a request and record it
 */
static bool read_request(server_t *this, conn_t *conn)
{
	char buf[8192], *end, *line, *value;
	size_t len = 0, header_len, body_len = 0;
	ssize_t got;

	while (TRUE)
	{
		got = conn_read(conn, buf + len, sizeof(buf) - 1 - len);
		if (got <= 0)
		{
			return FALSE;
		}
		len += got;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end)
		{
			break;
		}
		if (len == sizeof(buf) - 1)
		{
			return FALSE;
		}
	}
	header_len = end + 4 - buf;
	*end = '\0';
	this->type[0] = '\0';
	sscanf(buf, "%15s %255s", this->method, this->path);
	for (line = strstr(buf, "\r\n"); line; line = strstr(line, "\r\n"))
	{
		line += 2;
		value = strchr(line, ':');
		if (!value)
		{
			continue;
		}
		for (value++; *value == ' '; value++)
		{
		}
		if (strncasecmp(line, "Content-Length:", 15) == 0)
		{
			body_len = strtoul(value, NULL, 10);
		}
		else if (strncasecmp(line, "Content-Type:", 13) == 0)
		{
			snprintf(this->type, sizeof(this->type), "%.*s",
					 (int)strcspn(value, "\r"), value);
		}
	}
	chunk_free(&this->request);
	this->request = chunk_alloc(body_len);
	len -= header_len;
	memcpy(this->request.ptr, buf + header_len, min(len, body_len));
	while (len < body_len)
	{
		got = conn_read(conn, (char*)this->request.ptr + len, body_len - len);
		if (got <= 0)
		{
			return FALSE;
		}
		len += got;
	}
	this->requests++;
	return TRUE;
}

/**
 * Serve one connection
 */
static bool serve(server_t *this, int fd)
{
	conn_t conn = {
		.fd = fd,
	};
	char *head;
	bool stop = FALSE;

	if (this->tls)
	{
		conn.ssl = ssl.SSL_new(this->tls);
		ssl.SSL_set_fd(conn.ssl, fd);
		if (ssl.SSL_accept(conn.ssl) != 1)
		{	/* e.g. the client did not trust us */
			ERR_clear_error();
			ssl.SSL_free(conn.ssl);
			return FALSE;
		}
	}
	if (read_request(this, &conn))
	{
		if (this->silent)
		{
			stop = wait_stop(this, fd);
		}
		else
		{
			if (this->no_length)
			{
				ck_assert(asprintf(&head, "HTTP/1.1 %s\r\n%s"
						"Connection: close\r\n\r\n", this->status,
						this->headers ?: "") > 0);
			}
			else
			{
				ck_assert(asprintf(&head, "HTTP/1.1 %s\r\n%s"
						"Content-Type: application/json\r\n"
						"Content-Length: %zu\r\nConnection: close\r\n\r\n",
						this->status, this->headers ?: "",
						this->body.len) > 0);
			}
			if (conn_write(&conn, head, strlen(head)))
			{
				conn_write(&conn, (char*)this->body.ptr, this->body.len);
			}
			free(head);
		}
	}
	if (conn.ssl)
	{
		ssl.SSL_shutdown(conn.ssl);
		ssl.SSL_free(conn.ssl);
	}
	ERR_clear_error();
	return stop;
}

/**
 * Server thread: accept connections until told to stop
 */
static void *server_thread(void *data)
{
	server_t *this = data;
	struct pollfd fds[] = {
		{ .fd = this->stop[0], .events = POLLIN },
		{ .fd = this->fd, .events = POLLIN },
	};
	int fd;

	while (poll(fds, 2, -1) >= 0 || errno == EINTR)
	{
		if (fds[0].revents)
		{
			break;
		}
		if (fds[1].revents)
		{
			fd = accept(this->fd, NULL, NULL);
			if (fd == -1)
			{
				continue;
			}
			if (serve(this, fd))
			{
				close(fd);
				break;
			}
			close(fd);
		}
	}
	return NULL;
}

/**
 * Bind a loopback TCP socket to a random port
 */
static int bind_socket(uint16_t *port)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(addr);
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert(fd != -1);
	ck_assert(bind(fd, (struct sockaddr*)&addr, sizeof(addr)) == 0);
	ck_assert(getsockname(fd, (struct sockaddr*)&addr, &len) == 0);
	*port = ntohs(addr.sin_port);
	return fd;
}

/**
 * Start a server answering with a status and body
 */
static server_t *server_start(SSL_CTX *tls, char *status, chunk_t body)
{
	server_t *this;

	/* the client may close while we write */
	signal(SIGPIPE, SIG_IGN);
	INIT(this,
		.tls = tls,
		.status = status,
		.body = chunk_clone(body),
	);
	this->fd = bind_socket(&this->port);
	ck_assert(listen(this->fd, 8) == 0);
	ck_assert(pipe(this->stop) == 0);
	return this;
}

/**
 * Run the server thread (after setting options)
 */
static void server_run(server_t *this)
{
	ck_assert(pthread_create(&this->thread, NULL, server_thread, this) == 0);
}

/**
 * Stop the server and free it
 */
static void server_stop(server_t *this)
{
	ck_assert(write(this->stop[1], "x", 1) == 1);
	pthread_join(this->thread, NULL);
	close(this->stop[0]);
	close(this->stop[1]);
	close(this->fd);
	chunk_free(&this->body);
	chunk_free(&this->request);
	free(this);
}

/**
 * Base URL of a server
 */
static char *server_url(server_t *this, char *buf, size_t len)
{
	snprintf(buf, len, "%s://127.0.0.1:%u", this->tls ? "https" : "http",
			 this->port);
	return buf;
}

/**
 * Milliseconds since some point in time
 */
static uint64_t now_ms()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

START_TEST(test_get)
{
	ratkn_http_t *http;
	server_t *server;
	chunk_t response;
	char url[64];
	u_int status;

	server = server_start(NULL, "200 OK", chunk_from_str("{\"ok\":true}"));
	server_run(server);
	http = ratkn_http_create(server_url(server, url, sizeof(url)), NULL, 2000);
	ck_assert(http);
	ck_assert(http->get(http, "/v1/status", &status, &response));
	ck_assert_int_eq(status, 200);
	ck_assert(chunk_equals(response, chunk_from_str("{\"ok\":true}")));
	chunk_free(&response);
	ck_assert_str_eq(server->method, "GET");
	ck_assert_str_eq(server->path, "/v1/status");
	/* again with the same client */
	ck_assert(http->get(http, "/v1/other", &status, &response));
	ck_assert_int_eq(status, 200);
	ck_assert_str_eq(server->path, "/v1/other");
	ck_assert_int_eq(server->requests, 2);
	chunk_free(&response);
	http->destroy(http);
	server_stop(server);
}
END_TEST

START_TEST(test_post)
{
	ratkn_http_t *http;
	server_t *server;
	chunk_t response, body;
	char url[64];
	u_int status;

	server = server_start(NULL, "201 Created", chunk_from_str("{}"));
	server_run(server);
	http = ratkn_http_create(server_url(server, url, sizeof(url)), NULL, 2000);
	ck_assert(http);
	/* large enough for libcurl to think about "Expect: 100-continue" */
	body = chunk_alloc(40000);
	memset(body.ptr, 'a', body.len);
	ck_assert(http->post(http, "/v1/enroll", "application/json", body,
						 &status, &response));
	ck_assert_int_eq(status, 201);
	ck_assert(chunk_equals(response, chunk_from_str("{}")));
	chunk_free(&response);
	ck_assert_str_eq(server->method, "POST");
	ck_assert_str_eq(server->path, "/v1/enroll");
	ck_assert_str_eq(server->type, "application/json");
	ck_assert(chunk_equals(server->request, body));
	chunk_free(&body);

	/* empty body */
	ck_assert(http->post(http, "/v1/x", "text/plain", chunk_empty, &status,
						 &response));
	ck_assert_int_eq(status, 201);
	ck_assert_str_eq(server->type, "text/plain");
	ck_assert_int_eq(server->request.len, 0);
	chunk_free(&response);
	http->destroy(http);
	server_stop(server);
}
END_TEST

START_TEST(test_status)
{
	char *error = "{\"error\":\"unknown EK\"}";
	ratkn_http_t *http;
	server_t *server;
	chunk_t response;
	char url[64];
	u_int status;

	server = server_start(NULL, "404 Not Found", chunk_from_str(error));
	server_run(server);
	http = ratkn_http_create(server_url(server, url, sizeof(url)), NULL, 2000);
	ck_assert(http);
	ck_assert(http->post(http, "/v1/enroll", "application/json",
						 chunk_from_str("{}"), &status, &response));
	ck_assert_int_eq(status, 404);
	ck_assert(chunk_equals(response, chunk_from_str(error)));
	chunk_free(&response);
	http->destroy(http);
	server_stop(server);
}
END_TEST

START_TEST(test_no_redirect)
{
	ratkn_http_t *http;
	server_t *server;
	chunk_t response;
	char url[64];
	u_int status;

	server = server_start(NULL, "302 Found", chunk_empty);
	server->headers = "Location: /v1/elsewhere\r\n";
	server_run(server);
	http = ratkn_http_create(server_url(server, url, sizeof(url)), NULL, 2000);
	ck_assert(http);
	ck_assert(http->get(http, "/v1/here", &status, &response));
	ck_assert_int_eq(status, 302);
	ck_assert_int_eq(response.len, 0);
	ck_assert_int_eq(server->requests, 1);
	ck_assert_str_eq(server->path, "/v1/here");
	chunk_free(&response);
	http->destroy(http);
	server_stop(server);
}
END_TEST

START_TEST(test_base_url)
{
	ratkn_http_t *http;
	server_t *server;
	chunk_t response;
	char url[64], base[80];
	u_int status;

	server = server_start(NULL, "200 OK", chunk_empty);
	server_run(server);
	server_url(server, url, sizeof(url));

	snprintf(base, sizeof(base), "%s/", url);
	http = ratkn_http_create(base, NULL, 2000);
	ck_assert(http);
	ck_assert(http->get(http, "/v1/a", &status, &response));
	ck_assert_str_eq(server->path, "/v1/a");
	chunk_free(&response);
	http->destroy(http);

	snprintf(base, sizeof(base), "%s/api", url);
	http = ratkn_http_create(base, NULL, 2000);
	ck_assert(http);
	ck_assert(http->get(http, "v1/b", &status, &response));
	ck_assert_str_eq(server->path, "/api/v1/b");
	chunk_free(&response);
	http->destroy(http);
	server_stop(server);

	ck_assert(!ratkn_http_create("ftp://127.0.0.1/", NULL, 2000));
	ck_assert(!ratkn_http_create("127.0.0.1:8080", NULL, 2000));
	ck_assert(!ratkn_http_create(NULL, NULL, 2000));
}
END_TEST

START_TEST(test_timeout)
{
	ratkn_http_t *http;
	server_t *server;
	chunk_t response = chunk_empty;
	uint64_t start, elapsed;
	char url[64];
	u_int status;

	server = server_start(NULL, "200 OK", chunk_empty);
	server->silent = TRUE;
	server_run(server);
	http = ratkn_http_create(server_url(server, url, sizeof(url)), NULL, 500);
	ck_assert(http);
	start = now_ms();
	ck_assert(!http->post(http, "/v1/attest", "application/json",
						  chunk_from_str("{}"), &status, &response));
	elapsed = now_ms() - start;
	ck_assert(!response.ptr);
	ck_assert_msg(elapsed >= 450 && elapsed < 2000, "took %llu ms",
				  (unsigned long long)elapsed);
	ck_assert_int_eq(server->requests, 1);
	http->destroy(http);
	server_stop(server);
}
END_TEST

START_TEST(test_refused)
{
	ratkn_http_t *http;
	chunk_t response = chunk_empty;
	uint64_t start;
	uint16_t port;
	char url[64];
	u_int status;
	int fd;

	/* a port that was free a moment ago */
	fd = bind_socket(&port);
	close(fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
	http = ratkn_http_create(url, NULL, 5000);
	ck_assert(http);
	start = now_ms();
	ck_assert(!http->get(http, "/v1/status", &status, &response));
	ck_assert(now_ms() - start < 1000);
	ck_assert(!response.ptr);
	http->destroy(http);
}
END_TEST

START_TEST(test_verifier_client)
{
	ratkn_verifier_client_t *client;
	server_t *server;
	char url[64], reason[128], *token;
	bool down;
	int i;

	client = ratkn_verifier_client_create();
	server = server_start(NULL, "200 OK",
						  chunk_from_str("{\"ear\":\"a.b.c\"}"));
	server_run(server);
	server_url(server, url, sizeof(url));
	/* the connection is kept, and replaced after the verifier closed it */
	for (i = 0; i < 3; i++)
	{
		token = client->attest(client, url, NULL, 2000,
							   chunk_from_chars(0x01, 0x02), &down, reason,
							   sizeof(reason));
		ck_assert(token);
		ck_assert_str_eq(token, "a.b.c");
		ck_assert(!down);
		free(token);
	}
	ck_assert_int_eq(server->requests, 3);
	ck_assert_str_eq(server->method, "POST");
	ck_assert_str_eq(server->path, "/v1/attest");
	server_stop(server);

	/* a server error is worth backing off */
	server = server_start(NULL, "503 Service Unavailable",
						  chunk_from_str("{\"error\":\"busy\"}"));
	server_run(server);
	server_url(server, url, sizeof(url));
	ck_assert(!client->attest(client, url, NULL, 2000, chunk_from_chars(0x01),
							  &down, reason, sizeof(reason)));
	ck_assert(down);
	ck_assert(strstr(reason, "HTTP 503: busy"));
	server_stop(server);

	/* and so is a verifier that is gone */
	ck_assert(!client->attest(client, url, NULL, 2000, chunk_from_chars(0x01),
							  &down, reason, sizeof(reason)));
	ck_assert(down);
	ck_assert(strstr(reason, "unreachable"));
	client->destroy(client);
}
END_TEST

/**
 * Run a request against a server with a body of a size
 */
static bool get_size(size_t len, bool no_length, chunk_t *response)
{
	ratkn_http_t *http;
	server_t *server;
	chunk_t body;
	char url[64];
	u_int status;
	bool ok;

	body = chunk_alloc(len);
	memset(body.ptr, 'x', len);
	server = server_start(NULL, "200 OK", body);
	server->no_length = no_length;
	server_run(server);
	chunk_free(&body);
	http = ratkn_http_create(server_url(server, url, sizeof(url)), NULL, 5000);
	ck_assert(http);
	ok = http->get(http, "/big", &status, response);
	http->destroy(http);
	server_stop(server);
	return ok;
}

START_TEST(test_too_large)
{
	chunk_t response = chunk_empty;

	/* with Content-Length */
	ck_assert(!get_size(RATKN_HTTP_MAX_RESPONSE + 1, FALSE, &response));
	ck_assert(!response.ptr);
	ck_assert(!get_size(10 * RATKN_HTTP_MAX_RESPONSE, FALSE, &response));
	/* without, so the transfer is aborted */
	ck_assert(!get_size(RATKN_HTTP_MAX_RESPONSE + 1, TRUE, &response));
	ck_assert(!get_size(10 * RATKN_HTTP_MAX_RESPONSE, TRUE, &response));
	ck_assert(!response.ptr);
	/* the limit itself is fine */
	ck_assert(get_size(RATKN_HTTP_MAX_RESPONSE, FALSE, &response));
	ck_assert_int_eq(response.len, RATKN_HTTP_MAX_RESPONSE);
	chunk_free(&response);
	ck_assert(get_size(RATKN_HTTP_MAX_RESPONSE, TRUE, &response));
	ck_assert_int_eq(response.len, RATKN_HTTP_MAX_RESPONSE);
	chunk_free(&response);
}
END_TEST

/**
 * Create a certificate, signed by issuer (self-signed if NULL)
 */
static X509 *make_cert(EVP_PKEY *key, char *cn, X509 *issuer,
					   EVP_PKEY *issuer_key, char *san)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	X509_NAME *name;
	X509 *cert;

	cert = X509_new();
	ck_assert(cert);
	ck_assert(X509_set_version(cert, X509_VERSION_3) == 1);
	ck_assert(ASN1_INTEGER_set(X509_get_serialNumber(cert), 7) == 1);
	name = X509_NAME_new();
	ck_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
										 (u_char*)cn, -1, -1, 0) == 1);
	ck_assert(X509_set_subject_name(cert, name) == 1);
	ck_assert(X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer)
												: name) == 1);
	X509_NAME_free(name);
	ck_assert(X509_gmtime_adj(X509_getm_notBefore(cert), -3600));
	ck_assert(X509_gmtime_adj(X509_getm_notAfter(cert), 86400));
	ck_assert(X509_set_pubkey(cert, key) == 1);
	X509V3_set_ctx(&ctx, issuer ?: cert, cert, NULL, NULL, 0);
	ext = X509V3_EXT_nconf(NULL, &ctx, "basicConstraints",
						   issuer ? "critical,CA:FALSE" : "critical,CA:TRUE");
	ck_assert(ext && X509_add_ext(cert, ext, -1) == 1);
	X509_EXTENSION_free(ext);
	if (san)
	{
		ext = X509V3_EXT_nconf(NULL, &ctx, "subjectAltName", san);
		ck_assert(ext && X509_add_ext(cert, ext, -1) == 1);
		X509_EXTENSION_free(ext);
	}
	ck_assert(X509_sign(cert, issuer_key ?: key, EVP_sha256()) > 0);
	return cert;
}

/**
 * Write a certificate to a temporary PEM file, returns the path (allocated)
 */
static char *write_pem(X509 *cert)
{
	char *path;
	FILE *file;
	int fd;

	path = strdup("/tmp/ratkn-test-http-XXXXXX");
	fd = mkstemp(path);
	ck_assert(fd != -1);
	file = fdopen(fd, "w");
	ck_assert(file);
	ck_assert(PEM_write_X509(file, cert) == 1);
	fclose(file);
	return path;
}

/**
 * TLS server context with a certificate for a SAN, issued by a CA whose PEM
 * file is returned
 */
static SSL_CTX *tls_server(char *ca_name, char *san, char **ca_file)
{
	EVP_PKEY *ca_key, *key;
	X509 *ca, *cert;
	SSL_CTX *ctx;

	load_ssl();
	ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ck_assert(ca_key && key);
	ca = make_cert(ca_key, ca_name, NULL, NULL, NULL);
	cert = make_cert(key, "verifier", ca, ca_key, san);
	*ca_file = write_pem(ca);
	ctx = ssl.SSL_CTX_new(ssl.TLS_server_method());
	ck_assert(ctx);
	ck_assert(ssl.SSL_CTX_use_certificate(ctx, cert) == 1);
	ck_assert(ssl.SSL_CTX_use_PrivateKey(ctx, key) == 1);
	X509_free(ca);
	X509_free(cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	return ctx;
}

/**
 * Run a request with a CA file against a TLS server
 */
static bool get_tls(SSL_CTX *tls, char *ca, u_int *status, chunk_t *response)
{
	ratkn_http_t *http;
	server_t *server;
	char url[64];
	bool ok;

	server = server_start(tls, "200 OK", chunk_from_str("{\"tls\":1}"));
	server_run(server);
	http = ratkn_http_create(server_url(server, url, sizeof(url)), ca, 5000);
	ck_assert(http);
	ok = http->get(http, "/v1/status", status, response);
	http->destroy(http);
	server_stop(server);
	return ok;
}

START_TEST(test_tls)
{
	chunk_t response = chunk_empty;
	char *ca, *other_ca, *impostor_ca;
	SSL_CTX *tls, *other, *impostor;
	u_int status;

	tls = tls_server("ratkn test CA", "IP:127.0.0.1", &ca);
	other = tls_server("other CA", "IP:127.0.0.1", &other_ca);
	impostor = tls_server("ratkn test CA", "IP:127.0.0.1", &impostor_ca);

	ck_assert(get_tls(tls, ca, &status, &response));
	ck_assert_int_eq(status, 200);
	ck_assert(chunk_equals(response, chunk_from_str("{\"tls\":1}")));
	chunk_free(&response);
	/* another CA, the system's trust store */
	ck_assert(!get_tls(tls, other_ca, &status, &response));
	ck_assert(!get_tls(tls, NULL, &status, &response));
	/* a CA file that does not exist */
	ck_assert(!get_tls(tls, "/nonexistent/ca.pem", &status, &response));
	ck_assert(!response.ptr);
	ck_assert(get_tls(other, other_ca, &status, &response));
	chunk_free(&response);
	/* a CA of the same name, but another key */
	ck_assert(!get_tls(tls, impostor_ca, &status, &response));
	ck_assert(!get_tls(impostor, ca, &status, &response));
	ck_assert(!response.ptr);
	ssl.SSL_CTX_free(impostor);
	unlink(impostor_ca);
	free(impostor_ca);

	unlink(ca);
	free(ca);
	ssl.SSL_CTX_free(tls);
	ssl.SSL_CTX_free(other);
	unlink(other_ca);
	free(other_ca);
}
END_TEST

START_TEST(test_tls_host)
{
	chunk_t response = chunk_empty;
	SSL_CTX *tls;
	u_int status;
	char *ca;

	/* a trusted certificate for another host */
	tls = tls_server("ratkn test CA", "DNS:verifier.example,IP:192.0.2.1",
					 &ca);
	ck_assert(!get_tls(tls, ca, &status, &response));
	ck_assert(!response.ptr);
	ssl.SSL_CTX_free(tls);
	unlink(ca);
	free(ca);
}
END_TEST

Suite *http_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("http");

	tc = tcase_create("http");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_get);
	tcase_add_test(tc, test_post);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_no_redirect);
	tcase_add_test(tc, test_base_url);
	tcase_add_test(tc, test_verifier_client);
	suite_add_tcase(s, tc);

	tc = tcase_create("failures");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_too_large);
	suite_add_tcase(s, tc);

	tc = tcase_create("tls");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_tls);
	tcase_add_test(tc, test_tls_host);
	suite_add_tcase(s, tc);

	return s;
}
