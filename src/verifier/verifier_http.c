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

#include "verifier_http.h"
#include "verifier_log.h"

#include <signal.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <collections/array.h>

/**
 * Largest request header block
 */
#define MAX_HEADERS 8192

/**
 * Most connections at a time; more are closed right away
 */
#define MAX_CONNECTIONS 512

/**
 * Interval of the connection sweep, in ms
 */
#define SWEEP_INTERVAL 200

typedef struct private_verifier_http_t private_verifier_http_t;

/**
 * Private data of a verifier_http_t object.
 */
struct private_verifier_http_t {

	/**
	 * Public interface.
	 */
	verifier_http_t public;

	/**
	 * Configuration
	 */
	verifier_config_t *config;

	/**
	 * API
	 */
	verifier_api_t *api;

	/**
	 * Event loop
	 */
	struct event_base *base;

	/**
	 * HTTP server
	 */
	struct evhttp *http;

	/**
	 * Listening socket, NULL once stopping
	 */
	struct evhttp_bound_socket *bound;

	/**
	 * TLS context, NULL for plain HTTP
	 */
	SSL_CTX *ctx;

	/**
	 * Signal events
	 */
	struct event *sigterm, *sigint;

	/**
	 * Periodic connection sweep
	 */
	struct event *sweep;

	/**
	 * Connections, as conn_t*
	 */
	array_t *conns;

	/**
	 * Port bound to
	 */
	uint16_t port;

	/**
	 * Stopping, with the monotonic time (ms) by which to give up on pending
	 * requests
	 */
	bool stopping;
	uint64_t stop_deadline;

	/**
	 * Stopped by a signal
	 */
	bool signaled;
};

/**
 * A connection: its bufferevent (we hold a reference, evhttp owns it), the
 * time it must be closed and whether a request is in flight
 */
typedef struct {
	/** bufferevent */
	struct bufferevent *bev;
	/** our callbacks on its input and output buffers */
	struct evbuffer_cb_entry *in_cb, *out_cb;
	/** monotonic time (ms) by which it is closed */
	uint64_t deadline;
	/** shut down */
	bool closed;
	/** data received that was not answered yet */
	bool active;
} conn_t;

/**
 * Monotonic time in ms
 */
static uint64_t now_ms()
{
	timeval_t tv;

	time_monotonic(&tv);
	return (uint64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/**
 * Reason phrase of a status
 */
static char *reason_phrase(u_int status)
{
	switch (status)
	{
		case 200:
			return "OK";
		case 400:
			return "Bad Request";
		case 403:
			return "Forbidden";
		case 404:
			return "Not Found";
		case 405:
			return "Method Not Allowed";
		case 409:
			return "Conflict";
		case 413:
			return "Payload Too Large";
		case 415:
			return "Unsupported Media Type";
		case 429:
			return "Too Many Requests";
		case 503:
			return "Service Unavailable";
		default:
			return "Internal Server Error";
	}
}

/**
 * Name of a request method
 */
static char *method_name(enum evhttp_cmd_type cmd)
{
	switch (cmd)
	{
		case EVHTTP_REQ_GET:
			return "GET";
		case EVHTTP_REQ_POST:
			return "POST";
		case EVHTTP_REQ_HEAD:
			return "HEAD";
		case EVHTTP_REQ_PUT:
			return "PUT";
		case EVHTTP_REQ_DELETE:
			return "DELETE";
		case EVHTTP_REQ_OPTIONS:
			return "OPTIONS";
		case EVHTTP_REQ_TRACE:
			return "TRACE";
		case EVHTTP_REQ_CONNECT:
			return "CONNECT";
		case EVHTTP_REQ_PATCH:
			return "PATCH";
		default:
			return "UNKNOWN";
	}
}

/**
 * Disable Nagle's algorithm on the socket of a connection: a response is
 * written in several TLS records (headers, body), and the last one would
 * otherwise wait for the ACK of the first, which the client delays by up to
 * 40 ms (evhttp assigns the socket only after create_bev())
 */
static void set_nodelay(struct evhttp_connection *conn)
{
	struct bufferevent *bev;
	int fd, on = 1;

	bev = evhttp_connection_get_bufferevent(conn);
	fd = bev ? bufferevent_getfd(bev) : -1;
	if (fd != -1)
	{
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	}
}

/**
 * Handle a request
 */
static void handle_request(struct evhttp_request *req, void *arg)
{
	private_verifier_http_t *this = arg;
	struct evhttp_connection *conn;
	const struct evhttp_uri *uri;
	struct evkeyvalq *headers;
	struct evbuffer *in, *out;
	chunk_t body, response = chunk_empty;
	char peer[64] = "", *addr = NULL, *allow, *path;
	uint16_t port = 0;
	u_int status;

	conn = evhttp_request_get_connection(req);
	if (conn)
	{
		evhttp_connection_get_peer(conn, &addr, &port);
		snprintf(peer, sizeof(peer), "%s:%u", addr ?: "", port);
		set_nodelay(conn);
	}
	uri = evhttp_request_get_evhttp_uri(req);
	path = uri ? (char*)evhttp_uri_get_path(uri) : NULL;
	in = evhttp_request_get_input_buffer(req);
	body = chunk_create(evbuffer_pullup(in, -1), evbuffer_get_length(in));
	headers = evhttp_request_get_input_headers(req);

	status = this->api->handle(this->api, peer,
				method_name(evhttp_request_get_command(req)),
				path && *path ? path : "/",
				(char*)evhttp_find_header(headers, "Content-Type"),
				body, &response, &allow);

	headers = evhttp_request_get_output_headers(req);
	evhttp_add_header(headers, "Content-Type", "application/json");
	evhttp_add_header(headers, "Cache-Control", "no-store");
	evhttp_add_header(headers, "X-Content-Type-Options", "nosniff");
	if (allow)
	{
		evhttp_add_header(headers, "Allow", allow);
	}
	if (this->stopping)
	{
		evhttp_add_header(headers, "Connection", "close");
	}
	out = evbuffer_new();
	if (out)
	{
		evbuffer_add(out, response.ptr, response.len);
	}
	evhttp_send_reply(req, status, reason_phrase(status), out);
	if (out)
	{
		evbuffer_free(out);
	}
	chunk_free(&response);
}

/**
 * Data arrived on a connection: a request is in flight
 */
static void input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
					 void *arg)
{
	conn_t *conn = arg;

	if (info->n_added)
	{
		conn->active = TRUE;
	}
}

/**
 * Output sent: when all of it is gone, the response is complete
 */
static void output_cb(struct evbuffer *buf,
					  const struct evbuffer_cb_info *info, void *arg)
{
	conn_t *conn = arg;

	if (info->n_deleted &&
		info->orig_size + info->n_added - info->n_deleted == 0 &&
		!evbuffer_get_length(bufferevent_get_input(conn->bev)))
	{
		conn->active = FALSE;
	}
}

/**
 * Stop tracking a connection
 */
static void conn_destroy(conn_t *conn)
{
	evbuffer_remove_cb_entry(bufferevent_get_input(conn->bev), conn->in_cb);
	evbuffer_remove_cb_entry(bufferevent_get_output(conn->bev), conn->out_cb);
	bufferevent_decref(conn->bev);
	free(conn);
}

/**
 * Create the bufferevent of a new connection and track it
 */
static struct bufferevent *create_bev(struct event_base *base, void *arg)
{
	private_verifier_http_t *this = arg;
	struct bufferevent *bev;
	conn_t *conn;
	SSL *ssl;

	if (this->ctx)
	{	/* returning NULL would make evhttp fall back to plain HTTP, so we
		 * don't, even when out of memory */
		ssl = SSL_new(this->ctx);
		if (!ssl)
		{
			verifier_log(VERIFIER_LOG_ERROR, "fatal",
						 json_pack("{ss}", "error", "out of memory"));
			abort();
		}
		bev = bufferevent_openssl_socket_new(base, -1, ssl,
											 BUFFEREVENT_SSL_ACCEPTING,
											 BEV_OPT_CLOSE_ON_FREE);
		if (bev)
		{
			bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
		}
	}
	else
	{
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	}
	if (!bev)
	{
		verifier_log(VERIFIER_LOG_ERROR, "fatal",
					 json_pack("{ss}", "error", "out of memory"));
		abort();
	}
	bufferevent_incref(bev);
	INIT(conn,
		.bev = bev,
		.deadline = now_ms() + this->config->timeout * 1000,
	);
	conn->in_cb = evbuffer_add_cb(bufferevent_get_input(bev), input_cb, conn);
	conn->out_cb = evbuffer_add_cb(bufferevent_get_output(bev), output_cb,
								   conn);
	if (!conn->in_cb || !conn->out_cb)
	{
		verifier_log(VERIFIER_LOG_ERROR, "fatal",
					 json_pack("{ss}", "error", "out of memory"));
		abort();
	}
	if (array_count(this->conns) >= MAX_CONNECTIONS)
	{	/* closed by the next sweep */
		conn->deadline = 0;
	}
	array_insert(this->conns, ARRAY_TAIL, conn);
	return bev;
}

/**
 * Check if evhttp still uses a bufferevent (it clears the callbacks when
 * freeing it)
 */
static bool conn_alive(conn_t *conn)
{
	bufferevent_data_cb readcb, writecb;
	bufferevent_event_cb eventcb;
	void *arg;

	bufferevent_getcb(conn->bev, &readcb, &writecb, &eventcb, &arg);
	return readcb || writecb || eventcb;
}

/**
 * Log the peer of a connection that timed out
 */
static void log_timeout(conn_t *conn, int fd)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);
	char host[INET6_ADDRSTRLEN] = "", peer[80];
	uint16_t port = 0;

	if (getpeername(fd, (struct sockaddr*)&addr, &len) == 0)
	{
		if (addr.ss_family == AF_INET)
		{
			inet_ntop(AF_INET, &((struct sockaddr_in*)&addr)->sin_addr, host,
					  sizeof(host));
			port = ntohs(((struct sockaddr_in*)&addr)->sin_port);
		}
		else if (addr.ss_family == AF_INET6)
		{
			inet_ntop(AF_INET6, &((struct sockaddr_in6*)&addr)->sin6_addr,
					  host, sizeof(host));
			port = ntohs(((struct sockaddr_in6*)&addr)->sin6_port);
		}
	}
	snprintf(peer, sizeof(peer), "%s:%u", host, port);
	verifier_log(VERIFIER_LOG_WARNING, "timeout",
				 json_pack("{ss}", "peer", peer));
}

/**
 * Release connections evhttp is done with, close those past their deadline;
 * when stopping, end the loop once no request is pending. Returns TRUE if
 * a connection is busy
 */
static bool sweep(private_verifier_http_t *this)
{
	enumerator_t *enumerator;
	uint64_t now;
	conn_t *conn;
	bool busy = FALSE;
	int fd;

	now = now_ms();
	enumerator = array_create_enumerator(this->conns);
	while (enumerator->enumerate(enumerator, &conn))
	{
		if (!conn_alive(conn))
		{
			array_remove_at(this->conns, enumerator);
			conn_destroy(conn);
			continue;
		}
		if (!conn->closed && now >= conn->deadline)
		{	/* evhttp sees EOF and frees the connection */
			fd = bufferevent_getfd(conn->bev);
			if (fd != -1)
			{
				log_timeout(conn, fd);
				shutdown(fd, SHUT_RDWR);
			}
			conn->closed = TRUE;
		}
		if (!conn->closed && conn->active)
		{
			busy = TRUE;
		}
	}
	enumerator->destroy(enumerator);
	return busy;
}

/**
 * Periodic sweep
 */
static void sweep_cb(evutil_socket_t fd, short events, void *arg)
{
	private_verifier_http_t *this = arg;
	bool busy;

	busy = sweep(this);
	if (this->stopping &&
		(!busy || now_ms() >= this->stop_deadline))
	{
		event_base_loopbreak(this->base);
	}
}

/**
 * SIGTERM/SIGINT: stop accepting, finish pending requests
 */
static void signal_cb(evutil_socket_t sig, short events, void *arg)
{
	private_verifier_http_t *this = arg;
	bool busy;

	this->signaled = TRUE;
	if (this->stopping)
	{	/* second signal: stop now */
		event_base_loopbreak(this->base);
		return;
	}
	this->stopping = TRUE;
	this->stop_deadline = now_ms() + this->config->timeout * 1000;
	if (this->bound)
	{
		evhttp_del_accept_socket(this->http, this->bound);
		this->bound = NULL;
	}
	busy = sweep(this);
	verifier_log(VERIFIER_LOG_INFO, "stopping",
				 json_pack("{sssb}", "signal", sig == SIGTERM ? "TERM" : "INT",
						   "pending", busy));
	if (!busy)
	{
		event_base_loopbreak(this->base);
	}
}

METHOD(verifier_http_t, run, bool,
	private_verifier_http_t *this)
{
	verifier_log(VERIFIER_LOG_INFO, "listening",
				 json_pack("{sosisbsisi}",
					"address", verifier_log_string(this->config->listen),
					"port", this->port, "tls", this->ctx != NULL,
					"max_body", this->config->max_body,
					"timeout", this->config->timeout));
	if (event_base_dispatch(this->base) == -1)
	{
		verifier_log(VERIFIER_LOG_ERROR, "fatal",
					 json_pack("{ss}", "error", "event loop failed"));
		return FALSE;
	}
	return this->signaled;
}

METHOD(verifier_http_t, get_port, uint16_t,
	private_verifier_http_t *this)
{
	return this->port;
}

METHOD(verifier_http_t, destroy, void,
	private_verifier_http_t *this)
{
	conn_t *conn;

	if (this->http)
	{	/* closes all connections, clears their callbacks */
		evhttp_free(this->http);
	}
	while (array_remove(this->conns, ARRAY_TAIL, &conn))
	{
		conn_destroy(conn);
	}
	array_destroy(this->conns);
	if (this->sigterm)
	{
		event_free(this->sigterm);
	}
	if (this->sigint)
	{
		event_free(this->sigint);
	}
	if (this->sweep)
	{
		event_free(this->sweep);
	}
	if (this->base)
	{
		event_base_free(this->base);
	}
	if (this->ctx)
	{
		SSL_CTX_free(this->ctx);
	}
	free(this);
}

/**
 * Log OpenSSL's error queue with a message
 */
static void log_ssl_error(char *msg, char *file)
{
	char buf[256] = "";
	u_long err;

	err = ERR_get_error();
	if (err)
	{
		ERR_error_string_n(err, buf, sizeof(buf));
	}
	ERR_clear_error();
	verifier_log(VERIFIER_LOG_ERROR, "tls",
				 json_pack("{ssso ss}", "error", msg,
						   "file", verifier_log_string(file),
						   "openssl", buf));
}

/**
 * Set up the TLS context
 */
static bool init_tls(private_verifier_http_t *this)
{
	this->ctx = SSL_CTX_new(TLS_server_method());
	if (!this->ctx)
	{
		log_ssl_error("creating the TLS context failed", "");
		return FALSE;
	}
	SSL_CTX_set_min_proto_version(this->ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(this->ctx, SSL_OP_NO_COMPRESSION |
						SSL_OP_NO_RENEGOTIATION |
						SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* TLS 1.2: forward secret AEAD suites only */
	if (!SSL_CTX_set_cipher_list(this->ctx, "ECDHE+AESGCM:ECDHE+CHACHA20"))
	{
		log_ssl_error("setting the TLS 1.2 cipher suites failed", "");
		return FALSE;
	}
	if (SSL_CTX_use_certificate_chain_file(this->ctx,
										   this->config->cert) != 1)
	{
		log_ssl_error("loading the server certificate failed",
					  this->config->cert);
		return FALSE;
	}
	if (SSL_CTX_use_PrivateKey_file(this->ctx, this->config->key,
									SSL_FILETYPE_PEM) != 1 ||
		SSL_CTX_check_private_key(this->ctx) != 1)
	{
		log_ssl_error("loading the server key failed (or it does not match "
					  "the certificate)", this->config->key);
		return FALSE;
	}
	return TRUE;
}

/**
 * Get the port bound to
 */
static uint16_t bound_port(struct evhttp_bound_socket *bound)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);
	int fd;

	fd = evhttp_bound_socket_get_fd(bound);
	if (getsockname(fd, (struct sockaddr*)&addr, &len) != 0)
	{
		return 0;
	}
	if (addr.ss_family == AF_INET6)
	{
		return ntohs(((struct sockaddr_in6*)&addr)->sin6_port);
	}
	return ntohs(((struct sockaddr_in*)&addr)->sin_port);
}

/*
 * Described in header
 */
verifier_http_t *verifier_http_create(verifier_config_t *config,
									  verifier_api_t *api)
{
	private_verifier_http_t *this;
	struct timeval tv = {
		.tv_sec = SWEEP_INTERVAL / 1000,
		.tv_usec = (SWEEP_INTERVAL % 1000) * 1000,
	};

	INIT(this,
		.public = {
			.run = _run,
			.get_port = _get_port,
			.destroy = _destroy,
		},
		.config = config,
		.api = api,
		.conns = array_create(0, 0),
	);
	if (config->tls && !init_tls(this))
	{
		destroy(this);
		return NULL;
	}
	this->base = event_base_new();
	this->http = this->base ? evhttp_new(this->base) : NULL;
	if (!this->http)
	{
		verifier_log(VERIFIER_LOG_ERROR, "fatal",
					 json_pack("{ss}", "error", "creating the event loop "
							   "failed"));
		destroy(this);
		return NULL;
	}
	evhttp_set_allowed_methods(this->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
							   EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
							   EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
							   EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
							   EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(this->http, MAX_HEADERS);
	evhttp_set_max_body_size(this->http, config->max_body);
	evhttp_set_timeout(this->http, config->timeout);
	evhttp_set_default_content_type(this->http, "application/json");
	evhttp_set_gencb(this->http, handle_request, this);
	evhttp_set_bevcb(this->http, create_bev, this);

	this->bound = evhttp_bind_socket_with_handle(this->http, config->listen,
												 config->port);
	if (!this->bound)
	{
		verifier_log(VERIFIER_LOG_ERROR, "fatal",
					 json_pack("{sssosi}", "error", "binding failed",
							   "address", verifier_log_string(config->listen),
							   "port", config->port));
		destroy(this);
		return NULL;
	}
	this->port = bound_port(this->bound);

	this->sigterm = evsignal_new(this->base, SIGTERM, signal_cb, this);
	this->sigint = evsignal_new(this->base, SIGINT, signal_cb, this);
	this->sweep = event_new(this->base, -1, EV_PERSIST, sweep_cb, this);
	if (!this->sigterm || !this->sigint || !this->sweep ||
		event_add(this->sigterm, NULL) || event_add(this->sigint, NULL) ||
		event_add(this->sweep, &tv))
	{
		verifier_log(VERIFIER_LOG_ERROR, "fatal",
					 json_pack("{ss}", "error", "setting up events failed"));
		destroy(this);
		return NULL;
	}
	return &this->public;
}
