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
#include "ratkn_http.h"

#include <pthread.h>
#include <stdio.h>

#include <curl/curl.h>

/**
 * Time limit if none is given, in ms
 */
#define DEFAULT_TIMEOUT 10000

/**
 * Protocols a verifier is reached with (no redirects to others either)
 */
#define PROTOCOLS "http,https"

typedef struct private_ratkn_http_t private_ratkn_http_t;

/**
 * Private data of a ratkn_http_t object.
 */
struct private_ratkn_http_t {

	/**
	 * Public interface.
	 */
	ratkn_http_t public;

	/**
	 * Base URL, without trailing slash
	 */
	char *base;

	/**
	 * CA file, NULL for the system's trust store
	 */
	char *ca;

	/**
	 * Time limit of a request in ms
	 */
	u_int timeout;

	/**
	 * Easy handle, reused to keep the connection
	 */
	CURL *curl;
};

/**
 * Response being received
 */
typedef struct {
	/** body so far (grows with the data, responses are small) */
	chunk_t body;
	/** set if the response is larger than RATKN_HTTP_MAX_RESPONSE */
	bool too_large;
} response_t;

/**
 * Result of curl_global_init()
 */
static CURLcode global_init_result = CURLE_FAILED_INIT;

/**
 * Initializes libcurl once
 */
static pthread_once_t global_init_once = PTHREAD_ONCE_INIT;

/**
 * Initialize libcurl (once, thread-safe)
 */
static void global_init()
{
	global_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/**
 * Write callback of libcurl: collect the body, abort beyond the limit
 */
static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *user)
{
	response_t *response = user;
	size_t len = size * nmemb;

	if (len > RATKN_HTTP_MAX_RESPONSE - response->body.len)
	{
		response->too_large = TRUE;
		/* a short count makes libcurl abort with CURLE_WRITE_ERROR */
		return 0;
	}
	response->body.ptr = realloc(response->body.ptr, response->body.len + len);
	memcpy(response->body.ptr + response->body.len, ptr, len);
	response->body.len += len;
	return len;
}

/**
 * Describe a failed transfer
 */
static char *describe(CURLcode code)
{
	switch (code)
	{
		case CURLE_COULDNT_CONNECT:
			return "connection failed (refused or unreachable)";
		case CURLE_COULDNT_RESOLVE_HOST:
			return "host name not resolved";
		case CURLE_OPERATION_TIMEDOUT:
			return "timed out";
		case CURLE_SSL_CONNECT_ERROR:
			return "TLS handshake failed";
		case CURLE_PEER_FAILED_VERIFICATION:
			return "TLS server certificate not trusted";
		case CURLE_SSL_CACERT_BADFILE:
			return "TLS CA file unusable";
		case CURLE_SSL_CERTPROBLEM:
		case CURLE_SSL_CIPHER:
		case CURLE_SSL_ISSUER_ERROR:
		case CURLE_SSL_CRL_BADFILE:
		case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		case CURLE_SSL_INVALIDCERTSTATUS:
		case CURLE_USE_SSL_FAILED:
			return "TLS failure";
		case CURLE_FILESIZE_EXCEEDED:
			return "response too large";
		case CURLE_UNSUPPORTED_PROTOCOL:
			return "unsupported protocol";
		case CURLE_GOT_NOTHING:
		case CURLE_RECV_ERROR:
		case CURLE_SEND_ERROR:
		case CURLE_WEIRD_SERVER_REPLY:
		case CURLE_HTTP2:
		case CURLE_PARTIAL_FILE:
			return "connection broken or invalid response";
		default:
			return "request failed";
	}
}

/**
 * Perform a request
 */
static bool request(private_ratkn_http_t *this, char *method, char *path,
					char *type, chunk_t *body, u_int *status,
					chunk_t *out)
{
	char error[CURL_ERROR_SIZE] = "", *url = NULL, *content = NULL;
	struct curl_slist *headers = NULL, *list;
	response_t response = {};
	CURLcode code;
	long code_http = 0;
	bool ok = TRUE;

	if (asprintf(&url, "%s%s%s", this->base, path[0] == '/' ? "" : "/",
				 path) < 0)
	{
		return FALSE;
	}
	curl_easy_reset(this->curl);

	/* "Expect: 100-continue" would only cost a round trip */
	list = curl_slist_append(headers, "Expect:");
	ok = list != NULL;
	headers = list ?: headers;
	if (ok && type)
	{
		ok = asprintf(&content, "Content-Type: %s", type) > 0;
		list = ok ? curl_slist_append(headers, content) : NULL;
		ok = list != NULL;
		headers = list ?: headers;
	}
	ok = ok &&
		curl_easy_setopt(this->curl, CURLOPT_URL, url) == CURLE_OK &&
		curl_easy_setopt(this->curl, CURLOPT_PROTOCOLS_STR,
						 PROTOCOLS) == CURLE_OK &&
		curl_easy_setopt(this->curl, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
		curl_easy_setopt(this->curl, CURLOPT_TIMEOUT_MS,
						 (long)this->timeout) == CURLE_OK &&
		curl_easy_setopt(this->curl, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
		curl_easy_setopt(this->curl, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
		curl_easy_setopt(this->curl, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
		curl_easy_setopt(this->curl, CURLOPT_MAXFILESIZE_LARGE,
				(curl_off_t)RATKN_HTTP_MAX_RESPONSE) == CURLE_OK &&
		curl_easy_setopt(this->curl, CURLOPT_WRITEFUNCTION,
						 write_cb) == CURLE_OK &&
		curl_easy_setopt(this->curl, CURLOPT_WRITEDATA,
						 &response) == CURLE_OK &&
		curl_easy_setopt(this->curl, CURLOPT_ERRORBUFFER, error) == CURLE_OK &&
		curl_easy_setopt(this->curl, CURLOPT_USERAGENT, "ratkn") == CURLE_OK &&
		curl_easy_setopt(this->curl, CURLOPT_HTTPHEADER, headers) == CURLE_OK;
	if (ok && this->ca)
	{
		ok = curl_easy_setopt(this->curl, CURLOPT_CAINFO,
							  this->ca) == CURLE_OK;
	}
	if (ok && body)
	{
		ok = curl_easy_setopt(this->curl, CURLOPT_POST, 1L) == CURLE_OK &&
			 curl_easy_setopt(this->curl, CURLOPT_POSTFIELDSIZE_LARGE,
							  (curl_off_t)body->len) == CURLE_OK &&
			 curl_easy_setopt(this->curl, CURLOPT_POSTFIELDS,
							  body->len ? (char*)body->ptr : "") == CURLE_OK;
	}
	if (!ok)
	{
		DBG1(DBG_IKE, "ratkn: preparing HTTP %s %s failed", method, url);
		code = CURLE_FAILED_INIT;
	}
	else
	{
		code = curl_easy_perform(this->curl);
		if (code == CURLE_WRITE_ERROR && response.too_large)
		{
			code = CURLE_FILESIZE_EXCEEDED;
		}
		if (code == CURLE_OK)
		{
			curl_easy_getinfo(this->curl, CURLINFO_RESPONSE_CODE, &code_http);
			DBG2(DBG_IKE, "ratkn: HTTP %s %s: %ld, %zu octets", method, url,
				 code_http, response.body.len);
		}
		else if (code == CURLE_FILESIZE_EXCEEDED)
		{
			DBG1(DBG_IKE, "ratkn: HTTP %s %s failed: response larger than "
				 "%u octets", method, url, RATKN_HTTP_MAX_RESPONSE);
		}
		else if (code == CURLE_OPERATION_TIMEDOUT)
		{
			DBG1(DBG_IKE, "ratkn: HTTP %s %s failed: timed out after %u ms "
				 "(%s)", method, url, this->timeout, error[0] ? error
				 : curl_easy_strerror(code));
		}
		else
		{
			DBG1(DBG_IKE, "ratkn: HTTP %s %s failed: %s (%s)", method, url,
				 describe(code), error[0] ? error : curl_easy_strerror(code));
		}
	}
	/* the easy handle must not keep pointers to our stack and lists */
	curl_easy_setopt(this->curl, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(this->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	free(content);
	free(url);
	if (code != CURLE_OK)
	{
		chunk_free(&response.body);
		return FALSE;
	}
	*status = code_http;
	*out = response.body;
	return TRUE;
}

METHOD(ratkn_http_t, post, bool,
	private_ratkn_http_t *this, char *path, char *type, chunk_t body,
	u_int *status, chunk_t *response)
{
	return request(this, "POST", path, type, &body, status, response);
}

METHOD(ratkn_http_t, get, bool,
	private_ratkn_http_t *this, char *path, u_int *status, chunk_t *response)
{
	return request(this, "GET", path, NULL, NULL, status, response);
}

METHOD(ratkn_http_t, destroy, void,
	private_ratkn_http_t *this)
{
	if (this->curl)
	{
		curl_easy_cleanup(this->curl);
	}
	free(this->base);
	free(this->ca);
	free(this);
}

/*
 * Described in header
 */
ratkn_http_t *ratkn_http_create(char *base_url, char *ca_file,
								u_int timeout_ms)
{
	private_ratkn_http_t *this;
	size_t len;

	if (!base_url || (!strcasepfx(base_url, "http://") &&
					  !strcasepfx(base_url, "https://")))
	{
		DBG1(DBG_IKE, "ratkn: invalid verifier URL '%s' (http:// or "
			 "https:// expected)", base_url ?: "");
		return NULL;
	}
	pthread_once(&global_init_once, global_init);
	if (global_init_result != CURLE_OK)
	{
		DBG1(DBG_IKE, "ratkn: initializing libcurl failed: %s",
			 curl_easy_strerror(global_init_result));
		return NULL;
	}
	INIT(this,
		.public = {
			.post = _post,
			.get = _get,
			.destroy = _destroy,
		},
		.base = strdup(base_url),
		.ca = strdupnull(ca_file),
		.timeout = timeout_ms ?: DEFAULT_TIMEOUT,
		.curl = curl_easy_init(),
	);
	if (!this->curl)
	{
		DBG1(DBG_IKE, "ratkn: creating a libcurl handle failed");
		destroy(this);
		return NULL;
	}
	len = strlen(this->base);
	while (len > 0 && this->base[len - 1] == '/')
	{
		this->base[--len] = '\0';
	}
	return &this->public;
}
