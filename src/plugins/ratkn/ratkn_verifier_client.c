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

#include "ratkn_verifier_client.h"
#include "ratkn_http.h"

#include <jansson.h>

#include <collections/linked_list.h>
#include <threading/mutex.h>

/**
 * Idle connections kept at most (all verifiers together)
 */
#define MAX_IDLE 4

typedef struct private_ratkn_verifier_client_t private_ratkn_verifier_client_t;

/**
 * Private data of a ratkn_verifier_client_t object.
 */
struct private_ratkn_verifier_client_t {

	/**
	 * Public interface.
	 */
	ratkn_verifier_client_t public;

	/**
	 * Idle connections (conn_t), most recently used first
	 */
	linked_list_t *idle;

	/**
	 * Lock for idle
	 */
	mutex_t *mutex;
};

/**
 * A connection to a verifier: a libcurl handle with its connection cache
 */
typedef struct {
	/** base URL */
	char *url;
	/** CA file, NULL for the system's */
	char *ca;
	/** time limit in ms */
	u_int timeout;
	/** client */
	ratkn_http_t *http;
} conn_t;

/**
 * Destroy a connection
 */
static void conn_destroy(conn_t *conn)
{
	conn->http->destroy(conn->http);
	free(conn->url);
	free(conn->ca);
	free(conn);
}

/**
 * Take an idle connection to a verifier, or create one
 */
static conn_t *get_conn(private_ratkn_verifier_client_t *this, char *url,
						char *ca, u_int timeout)
{
	enumerator_t *enumerator;
	conn_t *conn, *found = NULL;
	ratkn_http_t *http;

	this->mutex->lock(this->mutex);
	enumerator = this->idle->create_enumerator(this->idle);
	while (enumerator->enumerate(enumerator, &conn))
	{
		if (streq(conn->url, url) && streq(conn->ca, ca) &&
			conn->timeout == timeout)
		{
			this->idle->remove_at(this->idle, enumerator);
			found = conn;
			break;
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	if (found)
	{
		return found;
	}
	http = ratkn_http_create(url, ca, timeout);
	if (!http)
	{
		return NULL;
	}
	INIT(conn,
		.url = strdup(url),
		.ca = strdupnull(ca),
		.timeout = timeout,
		.http = http,
	);
	return conn;
}

/**
 * Keep a connection that worked for the next request
 */
static void put_conn(private_ratkn_verifier_client_t *this, conn_t *conn)
{
	conn_t *old = NULL;

	this->mutex->lock(this->mutex);
	this->idle->insert_first(this->idle, conn);
	if (this->idle->get_count(this->idle) > MAX_IDLE)
	{
		this->idle->remove_last(this->idle, (void**)&old);
	}
	this->mutex->unlock(this->mutex);
	if (old)
	{
		conn_destroy(old);
	}
}

/**
 * POST a JSON request to a verifier; returns its answer if it is a JSON
 * object with status 200, else NULL with the reason (and whether the
 * verifier is down, worth backing off)
 */
static json_t *post(private_ratkn_verifier_client_t *this, char *url,
					char *ca, u_int timeout_ms, char *path, json_t *request,
					bool *down, char *reason, size_t len)
{
	json_t *response = NULL, *error;
	json_error_t json_error;
	chunk_t body, answer = chunk_empty;
	conn_t *conn;
	u_int status;

	*down = FALSE;
	conn = get_conn(this, url, ca, timeout_ms);
	if (!conn)
	{
		snprintf(reason, len, "invalid verifier URL '%s'", url);
		return NULL;
	}
	body = chunk_from_str(json_dumps(request, JSON_COMPACT));
	if (!conn->http->post(conn->http, path, "application/json", body,
						  &status, &answer))
	{
		snprintf(reason, len, "verifier %s unreachable", url);
		*down = TRUE;
		/* start over with a new connection */
		conn_destroy(conn);
	}
	else
	{
		response = json_loadb(answer.ptr, answer.len, 0, &json_error);
		if (status != 200 || !json_is_object(response))
		{
			*down = status >= 500;
			error = response ? json_object_get(response, "error") : NULL;
			snprintf(reason, len, "verifier %s answered HTTP %u%s%s", url,
					 status, json_is_string(error) ? ": " : "",
					 json_is_string(error) ? json_string_value(error) : "");
			json_decref(response);
			response = NULL;
		}
		put_conn(this, conn);
	}
	free(body.ptr);
	chunk_free(&answer);
	return response;
}

METHOD(ratkn_verifier_client_t, attest, char*,
	private_ratkn_verifier_client_t *this, char *url, char *ca,
	u_int timeout_ms, chunk_t evidence, bool *down, char *reason, size_t len)
{
	json_t *request, *response, *ear;
	char *encoded, *token = NULL;

	encoded = ratkn_base64url_encode(evidence);
	request = json_pack("{ss}", "evidence", encoded);
	free(encoded);
	response = post(this, url, ca, timeout_ms, "/v1/attest", request, down,
					reason, len);
	json_decref(request);
	if (response)
	{
		ear = json_object_get(response, "ear");
		if (json_is_string(ear))
		{
			token = strdup(json_string_value(ear));
		}
		else
		{
			snprintf(reason, len, "verifier %s answered without a result",
					 url);
		}
		json_decref(response);
	}
	return token;
}

METHOD(ratkn_verifier_client_t, challenge, bool,
	private_ratkn_verifier_client_t *this, char *url, char *ca,
	u_int timeout_ms, chunk_t *challenge, bool *down, char *reason,
	size_t len)
{
	json_t *request, *response, *value;
	bool ok = FALSE;

	request = json_object();
	response = post(this, url, ca, timeout_ms, "/v1/challenge", request,
					down, reason, len);
	json_decref(request);
	if (response)
	{
		value = json_object_get(response, "challenge");
		ok = json_is_string(value) &&
			 json_string_length(value) <= (RATKN_CHALLENGE_MAX * 4 + 2) / 3 &&
			 ratkn_base64url_decode(json_string_value(value),
									json_string_length(value), challenge);
		if (ok && (challenge->len < RATKN_CHALLENGE_MIN ||
				   challenge->len > RATKN_CHALLENGE_MAX))
		{
			chunk_free(challenge);
			ok = FALSE;
		}
		if (!ok)
		{
			snprintf(reason, len, "verifier %s answered with an invalid "
					 "challenge", url);
		}
		json_decref(response);
	}
	return ok;
}

METHOD(ratkn_verifier_client_t, destroy, void,
	private_ratkn_verifier_client_t *this)
{
	this->idle->destroy_function(this->idle, (void*)conn_destroy);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
ratkn_verifier_client_t *ratkn_verifier_client_create()
{
	private_ratkn_verifier_client_t *this;

	INIT(this,
		.public = {
			.attest = _attest,
			.challenge = _challenge,
			.destroy = _destroy,
		},
		.idle = linked_list_create(),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);
	return &this->public;
}
