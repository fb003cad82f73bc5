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

#include "verifier_api.h"
#include "verifier_appraiser.h"
#include "verifier_enroll.h"
#include "verifier_log.h"

#include <strings.h>
#include <time.h>

#include <jansson.h>

#include <ratkn_evidence.h>
#include <ratkn_base64url.h>

/**
 * Media type of requests and responses
 */
#define JSON_TYPE "application/json"

/**
 * Largest EK certificate accepted
 */
#define MAX_EK_CERT 4096

typedef struct private_verifier_api_t private_verifier_api_t;

/**
 * Private data of a verifier_api_t object.
 */
struct private_verifier_api_t {

	/**
	 * Public interface.
	 */
	verifier_api_t public;

	/**
	 * Configuration
	 */
	verifier_config_t *config;

	/**
	 * Signing key
	 */
	verifier_key_t *key;

	/**
	 * Challenge issuer
	 */
	verifier_challenge_t *challenge;

	/**
	 * Appraiser
	 */
	verifier_appraiser_t *appraiser;

	/**
	 * Enrollment
	 */
	verifier_enroll_t *enroll;
};

/**
 * A request being handled
 */
typedef struct {
	/** client */
	char *peer;
	/** parsed body, NULL for GET */
	json_t *body;
	/** response */
	chunk_t *response;
	/** path argument (enrollment session) */
	char *arg;
	/** error message of a failed request */
	char error[256];
	/** the handler logged the outcome itself */
	bool logged;
} request_t;

/**
 * Get a required base64url member of at most max octets
 */
static bool get_binary(json_t *obj, char *key, size_t max, chunk_t *value)
{
	json_t *str;

	str = json_object_get(obj, key);
	if (!json_is_string(str) || !json_string_length(str) ||
		json_string_length(str) > (max * 4 + 2) / 3)
	{
		return FALSE;
	}
	return ratkn_base64url_decode(json_string_value(str), json_string_length(str),
						 value);
}

/**
 * Set the response to a JSON object (adopted), return the status
 */
static u_int reply(request_t *req, u_int status, json_t *json)
{
	char *text;

	text = json ? json_dumps(json, JSON_COMPACT) : NULL;
	json_decref(json);
	*req->response = chunk_from_str(text ?: strdup("{}"));
	return status;
}

/**
 * Reply with an error
 */
static u_int error(request_t *req, u_int status, char *msg)
{
	snprintf(req->error, sizeof(req->error), "%s", msg);
	return reply(req, status, json_pack("{so}", "error",
										verifier_log_string(msg)));
}

/**
 * Add a base64url member
 */
static void set_binary(json_t *obj, char *key, chunk_t data)
{
	char *encoded;

	encoded = ratkn_base64url_encode(data);
	json_object_set_new(obj, key, json_string(encoded));
	free(encoded);
}

/**
 * Milliseconds since a time
 */
static u_int ms_since(timeval_t *start)
{
	timeval_t now, diff;

	time_monotonic(&now);
	timersub(&now, start, &diff);
	return diff.tv_sec * 1000 + diff.tv_usec / 1000;
}

/**
 * GET /v1/health
 */
static u_int health(private_verifier_api_t *this, request_t *req)
{
	return reply(req, 200, json_pack("{ss}", "status", "ok"));
}

/**
 * GET /v1/key
 */
static u_int key(private_verifier_api_t *this, request_t *req)
{
	json_t *jwk;

	jwk = json_loads(this->key->get_jwk(this->key), 0, NULL);
	return reply(req, 200, json_pack("{ssso}", "pem",
						(char*)this->key->get_public(this->key).ptr,
						"jwk", jwk ?: json_object()));
}

/**
 * POST /v1/challenge
 */
static u_int challenge(private_verifier_api_t *this, request_t *req)
{
	json_t *response;
	chunk_t value;
	time_t now;

	now = time(NULL);
	if (!this->challenge->issue(this->challenge, now, &value))
	{
		return error(req, 500, "issuing a challenge failed (no random data)");
	}
	response = json_object();
	set_binary(response, "challenge", value);
	json_object_set_new(response, "expires", json_integer(now +
						this->challenge->get_lifetime(this->challenge)));
	chunk_free(&value);
	req->logged = TRUE;
	verifier_log(VERIFIER_LOG_DEBUG, "challenge", json_pack("{sosI}",
					"peer", verifier_log_string(req->peer),
					"issued", (json_int_t)now));
	return reply(req, 200, response);
}

/**
 * HTTP status of an enrollment outcome
 */
static u_int enroll_http_status(verifier_enroll_status_t status)
{
	switch (status)
	{
		case VERIFIER_ENROLL_OK:
			return 200;
		case VERIFIER_ENROLL_BAD_REQUEST:
			return 400;
		case VERIFIER_ENROLL_FORBIDDEN:
			return 403;
		case VERIFIER_ENROLL_NOT_FOUND:
			return 404;
		case VERIFIER_ENROLL_CONFLICT:
			return 409;
		case VERIFIER_ENROLL_TOO_MANY:
			return 429;
		case VERIFIER_ENROLL_BUSY:
			return 503;
		case VERIFIER_ENROLL_FAILED:
		default:
			return 500;
	}
}

/**
 * Address of a client, without the port of "address:port"
 */
static void client_address(char *peer, char *buf, size_t len)
{
	char *port;

	snprintf(buf, len, "%s", peer ?: "");
	port = strrchr(buf, ':');
	if (port && port != buf)
	{
		*port = '\0';
	}
}

/**
 * POST /v1/enroll
 */
static u_int enroll_start(private_verifier_api_t *this, request_t *req)
{
	verifier_enroll_status_t status;
	chunk_t ek_cert, ak_public, blob, encrypted;
	json_t *group, *response;
	char session[33], reason[512] = "", *requested = NULL, client[64];
	char name[VERIFIER_GROUP_MAX + 1] = "";

	if (!this->config->enroll)
	{
		return error(req, 403, "enrollment is disabled");
	}
	group = json_object_get(req->body, "group");
	if (group && !json_is_string(group))
	{
		return error(req, 400, "malformed 'group'");
	}
	if (group)
	{	/* without, the EK's assigned group or the default group */
		requested = (char*)json_string_value(group);
	}
	if (!get_binary(req->body, "ek_cert", MAX_EK_CERT, &ek_cert))
	{
		return error(req, 400, "missing or malformed 'ek_cert' (base64url "
					 "DER)");
	}
	if (!get_binary(req->body, "ak_public", RATKN_EVIDENCE_MAX_BLOB,
					&ak_public))
	{
		chunk_free(&ek_cert);
		return error(req, 400, "missing or malformed 'ak_public' (base64url "
					 "TPMT_PUBLIC)");
	}
	client_address(req->peer, client, sizeof(client));
	status = this->enroll->start(this->enroll, ek_cert, ak_public, requested,
								 client, name, session, &blob, &encrypted,
								 reason, sizeof(reason));
	chunk_free(&ek_cert);
	chunk_free(&ak_public);
	req->logged = TRUE;
	verifier_log(status == VERIFIER_ENROLL_OK ? VERIFIER_LOG_INFO
											  : VERIFIER_LOG_WARNING,
				 "enroll", json_pack("{soso sssoso}",
					"peer", verifier_log_string(req->peer),
					"group", verifier_log_string(name[0] ? name :
												 requested),
					"step", "start",
					"session", json_string(status == VERIFIER_ENROLL_OK ?
										   session : ""),
					"reason", verifier_log_string(reason)));
	if (status != VERIFIER_ENROLL_OK)
	{
		return error(req, enroll_http_status(status), reason);
	}
	response = json_pack("{ssss}", "session", session, "group", name);
	set_binary(response, "credential_blob", blob);
	set_binary(response, "encrypted_secret", encrypted);
	chunk_free(&blob);
	chunk_free(&encrypted);
	return reply(req, 200, response);
}

/**
 * POST /v1/enroll/<session>
 */
static u_int enroll_finish(private_verifier_api_t *this, request_t *req)
{
	verifier_enroll_status_t status;
	char fpr[VERIFIER_FPR_LEN + 1] = "", group[VERIFIER_GROUP_MAX + 1] = "";
	char reason[256] = "";
	chunk_t secret;

	if (!this->config->enroll)
	{
		return error(req, 403, "enrollment is disabled");
	}
	if (!get_binary(req->body, "secret", 64, &secret))
	{
		return error(req, 400, "missing or malformed 'secret' (base64url)");
	}
	status = this->enroll->finish(this->enroll, req->arg, secret, fpr, group,
								  reason, sizeof(reason));
	chunk_clear(&secret);
	req->logged = TRUE;
	verifier_log(status == VERIFIER_ENROLL_OK ? VERIFIER_LOG_INFO
											  : VERIFIER_LOG_WARNING,
				 "enroll", json_pack("{sossso ssssso}",
					"peer", verifier_log_string(req->peer),
					"step", "finish",
					"session", verifier_log_string(req->arg),
					"ak", fpr, "group", group,
					"reason", verifier_log_string(reason)));
	if (status != VERIFIER_ENROLL_OK)
	{
		return error(req, enroll_http_status(status), reason);
	}
	return reply(req, 200, json_pack("{ssss}", "ak", fpr, "group", group));
}

/**
 * POST /v1/attest
 */
static u_int attest(private_verifier_api_t *this, request_t *req)
{
	verifier_result_t result;
	timeval_t start;
	chunk_t evidence;
	bool ok;
	u_int status;

	if (!get_binary(req->body, "evidence", 16 * 1024, &evidence))
	{
		return error(req, 400, "missing or malformed 'evidence' (base64url)");
	}
	time_monotonic(&start);
	ok = this->appraiser->appraise(this->appraiser, evidence, &result);
	chunk_free(&evidence);
	req->logged = TRUE;
	verifier_log(result.malformed || result.refused ? VERIFIER_LOG_WARNING
												   : VERIFIER_LOG_INFO,
				 "attest", json_pack("{sossssssso sssbsIsi}",
					"peer", verifier_log_string(req->peer),
					"ak", result.ak, "group", result.group,
					"status", result.malformed ? "malformed" :
							  result.refused ? "refused" :
							  ratkn_ear_status_name(result.status),
					"reason", verifier_log_string(result.reason),
					"clock", result.clock,
					"recorded", result.recorded,
					"fresh_since", (json_int_t)result.fresh_since,
					"ms", ms_since(&start)));
	if (ok)
	{
		status = reply(req, 200, json_pack("{ssss}", "ear", result.ear,
							"status", ratkn_ear_status_name(result.status)));
	}
	else if (result.malformed)
	{
		status = error(req, 400, result.reason);
	}
	else if (result.refused)
	{
		status = error(req, 403, result.reason);
	}
	else
	{
		status = error(req, 500, "issuing the attestation result failed");
	}
	free(result.ear);
	return status;
}

/**
 * A route of the API
 */
typedef struct {
	/** path, or prefix ending in '/' for routes with an argument */
	char *path;
	/** argument follows the prefix */
	bool arg;
	/** method */
	char *method;
	/** handler */
	u_int (*handler)(private_verifier_api_t *this, request_t *req);
} route_t;

static route_t routes[] = {
	{ "/v1/health",		FALSE,	"GET",	health },
	{ "/v1/key",		FALSE,	"GET",	key },
	{ "/v1/enroll",		FALSE,	"POST",	enroll_start },
	{ "/v1/enroll/",	TRUE,	"POST",	enroll_finish },
	{ "/v1/attest",		FALSE,	"POST",	attest },
	{ "/v1/challenge",	FALSE,	"POST",	challenge },
};

/**
 * Check the media type (parameters such as charset are ignored)
 */
static bool is_json(char *type)
{
	size_t len;

	if (!type)
	{
		return FALSE;
	}
	while (*type == ' ' || *type == '\t')
	{
		type++;
	}
	len = strcspn(type, "; \t");
	return len == strlen(JSON_TYPE) && strncasecmp(type, JSON_TYPE, len) == 0;
}

/**
 * Find the route of a path
 */
static route_t *find_route(char *path, char **arg)
{
	size_t len;
	int i;

	for (i = 0; i < countof(routes); i++)
	{
		len = strlen(routes[i].path);
		if (!routes[i].arg && streq(path, routes[i].path))
		{
			*arg = NULL;
			return &routes[i];
		}
		if (routes[i].arg && strneq(path, routes[i].path, len) &&
			path[len] && !strchr(path + len, '/'))
		{
			*arg = path + len;
			return &routes[i];
		}
	}
	return NULL;
}

METHOD(verifier_api_t, handle, u_int,
	private_verifier_api_t *this, char *peer, char *method, char *path,
	char *type, chunk_t body, chunk_t *response, char **allow)
{
	json_error_t json_error;
	request_t req = {
		.peer = peer,
		.response = response,
	};
	route_t *route;
	u_int status;

	*allow = NULL;
	route = find_route(path ?: "", &req.arg);
	if (!route)
	{
		status = error(&req, 404, "no such resource");
	}
	else if (!streq(method, route->method))
	{
		*allow = route->method;
		status = error(&req, 405, "method not allowed");
	}
	else if (streq(method, "POST") && !is_json(type))
	{
		status = error(&req, 415, "Content-Type must be " JSON_TYPE);
	}
	else
	{
		if (streq(method, "POST"))
		{
			req.body = json_loadb(body.ptr, body.len, JSON_REJECT_DUPLICATES,
								  &json_error);
		}
		if (streq(method, "POST") && !json_is_object(req.body))
		{
			status = error(&req, 400, "malformed JSON, an object expected");
		}
		else
		{
			status = route->handler(this, &req);
		}
		json_decref(req.body);
	}
	if (status >= 400 && !req.logged)
	{
		verifier_log(VERIFIER_LOG_WARNING, "rejected",
					 json_pack("{sosososiso}",
						"peer", verifier_log_string(peer),
						"method", verifier_log_string(method),
						"path", verifier_log_string(path),
						"status", status,
						"error", verifier_log_string(req.error)));
	}
	return status;
}

METHOD(verifier_api_t, destroy, void,
	private_verifier_api_t *this)
{
	DESTROY_IF(this->appraiser);
	DESTROY_IF(this->enroll);
	DESTROY_IF(this->challenge);
	free(this);
}

/*
 * Described in header
 */
verifier_api_t *verifier_api_create(verifier_config_t *config,
									verifier_store_t *store,
									verifier_key_t *key)
{
	private_verifier_api_t *this;

	INIT(this,
		.public = {
			.handle = _handle,
			.destroy = _destroy,
		},
		.config = config,
		.key = key,
		.challenge = verifier_challenge_create(config->challenge_lifetime),
		.enroll = verifier_enroll_create(store, config->ek_ca),
	);
	if (!this->challenge)
	{
		destroy(this);
		return NULL;
	}
	this->appraiser = verifier_appraiser_create(store, key, this->challenge,
							config->ear_lifetime, config->clock_tolerance,
							config->developer);
	return &this->public;
}
