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

#include "ratkn_status.h"

#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include <daemon.h>
#include <threading/mutex.h>

typedef struct private_ratkn_status_t private_ratkn_status_t;

/**
 * Private data of a ratkn_status_t object.
 */
struct private_ratkn_status_t {

	/**
	 * Public interface.
	 */
	ratkn_status_t public;

	/**
	 * Ring buffer of outcomes
	 */
	ratkn_outcome_t outcomes[RATKN_STATUS_MAX];

	/**
	 * Next slot to write
	 */
	u_int next;

	/**
	 * Number of outcomes recorded in total
	 */
	u_int count;

	/**
	 * Lock for the buffer
	 */
	mutex_t *mutex;

	/**
	 * Socket service, if any
	 */
	stream_service_t *service;
};

METHOD(ratkn_status_t, record, void,
	private_ratkn_status_t *this, ratkn_outcome_t *outcome)
{
	this->mutex->lock(this->mutex);
	this->outcomes[this->next] = *outcome;
	this->next = (this->next + 1) % RATKN_STATUS_MAX;
	this->count++;
	this->mutex->unlock(this->mutex);
}

METHOD(ratkn_status_t, to_json, char*,
	private_ratkn_status_t *this)
{
	json_t *root, *list;
	ratkn_outcome_t *o;
	char time[32], *json;
	struct tm tm;
	u_int i, n, first;

	list = json_array();
	this->mutex->lock(this->mutex);
	n = min(this->count, RATKN_STATUS_MAX);
	first = (this->next + RATKN_STATUS_MAX - n) % RATKN_STATUS_MAX;
	for (i = 0; i < n; i++)
	{
		o = &this->outcomes[(first + i) % RATKN_STATUS_MAX];
		gmtime_r(&o->time, &tm);
		strftime(time, sizeof(time), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_array_append_new(list, json_pack("{ss ss ss ss ss ss ss si}",
						"time", time, "connection", o->connection,
						"peer", o->peer, "direction", o->direction,
						"model", o->model, "result", o->result,
						"reason", o->reason, "ms", (int)o->ms));
	}
	root = json_pack("{si so}", "total", (int)this->count, "outcomes", list);
	this->mutex->unlock(this->mutex);
	json = json_dumps(root, JSON_INDENT(1));
	json_decref(root);
	return json;
}

/**
 * Answer a client of the socket with the JSON document
 */
CALLBACK(on_accept, bool,
	private_ratkn_status_t *this, stream_t *stream)
{
	char *json;

	json = to_json(this);
	if (json)
	{
		if (!stream->write_all(stream, json, strlen(json)))
		{
			DBG1(DBG_CFG, "ratkn: writing status failed");
		}
		free(json);
	}
	return FALSE;
}

METHOD(ratkn_status_t, destroy, void,
	private_ratkn_status_t *this)
{
	DESTROY_IF(this->service);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
ratkn_status_t *ratkn_status_create(char *uri)
{
	private_ratkn_status_t *this;

	INIT(this,
		.public = {
			.record = _record,
			.to_json = _to_json,
			.destroy = _destroy,
		},
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);
	if (uri)
	{
		if (strpfx(uri, "unix://"))
		{	/* a stale socket of an earlier run */
			unlink(uri + strlen("unix://"));
		}
		this->service = lib->streams->create_service(lib->streams, uri, 10);
		if (this->service)
		{
			this->service->on_accept(this->service, on_accept, this,
									 JOB_PRIO_CRITICAL, 1);
		}
		else
		{
			DBG1(DBG_CFG, "ratkn: creating status socket %s failed", uri);
		}
	}
	return &this->public;
}
