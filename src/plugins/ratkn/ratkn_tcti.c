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

#include "ratkn_tcti.h"

#include <stddef.h>

#include <tss2/tss2_tctildr.h>

#include <threading/thread.h>
#include <threading/mutex.h>
#include <threading/condvar.h>

/**
 * Magic of our TCTI context ("ratkntmo")
 */
#define RATKN_TCTI_MAGIC 0x7261746b6e746d6fULL

/**
 * Size of the buffer for a response (what SAPI uses for commands and
 * responses)
 */
#define RESPONSE_MAX TPM2_MAX_COMMAND_SIZE

typedef struct private_ratkn_tcti_t private_ratkn_tcti_t;

/**
 * A blocking call of the inner TCTI, made in a thread of its own. Shared by
 * the waiting TCTI and that thread (reference counted).
 */
typedef struct {

	/**
	 * tctildr configuration for an initialization, NULL for a command
	 */
	char *conf;

	/**
	 * Inner TCTI: the one a command uses, the one an initialization created
	 */
	TSS2_TCTI_CONTEXT *inner;

	/**
	 * Whether the call finalizes inner when destroyed
	 */
	bool owns_inner;

	/**
	 * Command to send
	 */
	chunk_t command;

	/**
	 * Response received (allocated)
	 */
	chunk_t response;

	/**
	 * Result of the call
	 */
	TSS2_RC rc;

	/**
	 * Whether the call returned
	 */
	bool done;

	/**
	 * When the call was made
	 */
	time_t started;

	/**
	 * Protects done, rc, response, inner and owns_inner
	 */
	mutex_t *mutex;

	/**
	 * Signaled when the call returned
	 */
	condvar_t *condvar;

	/**
	 * References: the waiting TCTI and the thread
	 */
	refcount_t refs;

} call_t;

/**
 * Private data of a ratkn_tcti_t object.
 */
struct private_ratkn_tcti_t {

	/**
	 * Public interface.
	 */
	ratkn_tcti_t public;

	/**
	 * TCTI context given to ESAPI
	 */
	TSS2_TCTI_CONTEXT_COMMON_V2 tcti;

	/**
	 * tctildr configuration
	 */
	char *conf;

	/**
	 * Timeout of each call in ms
	 */
	u_int timeout;

	/**
	 * Inner TCTI, NULL if not connected (or handed to a stalled call)
	 */
	TSS2_TCTI_CONTEXT *inner;

	/**
	 * Call in progress (command sent, response not received yet), or the
	 * call that stalled
	 */
	call_t *call;

	/**
	 * When the call in progress times out
	 */
	timeval_t deadline;

	/**
	 * Whether a call timed out; every further call fails
	 */
	bool broken;
};

/**
 * Our object from the TCTI context given to ESAPI
 */
static private_ratkn_tcti_t *from_context(TSS2_TCTI_CONTEXT *ctx)
{
	if (!ctx || TSS2_TCTI_MAGIC(ctx) != RATKN_TCTI_MAGIC)
	{
		return NULL;
	}
	return (private_ratkn_tcti_t*)((char*)ctx -
								   offsetof(private_ratkn_tcti_t, tcti));
}

/**
 * Release a reference to a call, destroying it with the last one
 */
static void call_unref(call_t *call)
{
	if (ref_put(&call->refs))
	{
		if (call->owns_inner && call->inner)
		{
			Tss2_TctiLdr_Finalize(&call->inner);
		}
		chunk_free(&call->command);
		chunk_free(&call->response);
		free(call->conf);
		call->condvar->destroy(call->condvar);
		call->mutex->destroy(call->mutex);
		free(call);
	}
}

/**
 * The thread making a blocking call
 */
static void *call_main(call_t *call)
{
	TSS2_TCTI_CONTEXT *inner = NULL;
	chunk_t response = chunk_empty;
	size_t size;
	TSS2_RC rc;

	if (call->conf)
	{
		rc = Tss2_TctiLdr_Initialize(call->conf, &inner);
	}
	else
	{
		rc = Tss2_Tcti_Transmit(call->inner, call->command.len,
								call->command.ptr);
		if (rc == TSS2_RC_SUCCESS)
		{
			response = chunk_alloc(RESPONSE_MAX);
			size = response.len;
			rc = Tss2_Tcti_Receive(call->inner, &size, response.ptr,
								   TSS2_TCTI_TIMEOUT_BLOCK);
			if (rc == TSS2_RC_SUCCESS && size <= response.len)
			{
				response.len = size;
			}
			else
			{
				chunk_free(&response);
			}
		}
	}

	call->mutex->lock(call->mutex);
	if (call->conf && rc == TSS2_RC_SUCCESS)
	{
		call->inner = inner;
		call->owns_inner = TRUE;
	}
	call->rc = rc;
	call->response = response;
	call->done = TRUE;
	call->condvar->signal(call->condvar);
	call->mutex->unlock(call->mutex);
	call_unref(call);
	return NULL;
}

/**
 * Start a call in a thread of its own; it times out after the timeout
 */
static TSS2_RC start_call(private_ratkn_tcti_t *this, call_t *call)
{
	thread_t *thread;

	call->mutex = mutex_create(MUTEX_TYPE_DEFAULT);
	call->condvar = condvar_create(CONDVAR_TYPE_DEFAULT);
	call->refs = 2;
	call->started = time_monotonic(&this->deadline);
	timeval_add_ms(&this->deadline, this->timeout);

	thread = thread_create((thread_main_t)call_main, call);
	if (!thread)
	{
		DBG1(DBG_PTS, "ratkn: creating a thread for TPM I/O failed");
		call->refs = 1;
		call_unref(call);
		return TSS2_TCTI_RC_GENERAL_FAILURE;
	}
	thread->detach(thread);
	this->call = call;
	return TSS2_RC_SUCCESS;
}

/**
 * Release the call in progress (it must have returned)
 */
static void finish_call(private_ratkn_tcti_t *this)
{
	call_unref(this->call);
	this->call = NULL;
}

/**
 * Wait for the call in progress, until the deadline or for the caller's
 * timeout (ms, TSS2_TCTI_TIMEOUT_BLOCK for the deadline); a call that misses
 * the deadline is abandoned and breaks the TCTI
 */
static TSS2_RC wait_call(private_ratkn_tcti_t *this, int32_t timeout)
{
	call_t *call = this->call;
	timeval_t until = this->deadline;
	bool deadline = TRUE;

	if (timeout != TSS2_TCTI_TIMEOUT_BLOCK && timeout >= 0)
	{
		time_monotonic(&until);
		timeval_add_ms(&until, timeout);
		if (timercmp(&until, &this->deadline, <))
		{
			deadline = FALSE;
		}
		else
		{
			until = this->deadline;
		}
	}

	call->mutex->lock(call->mutex);
	while (!call->done &&
		   !call->condvar->timed_wait_abs(call->condvar, call->mutex, until))
	{
		/* woken up, check again */
	}
	if (call->done)
	{
		call->mutex->unlock(call->mutex);
		return TSS2_RC_SUCCESS;
	}
	if (!deadline)
	{
		call->mutex->unlock(call->mutex);
		return TSS2_TCTI_RC_TRY_AGAIN;
	}
	/* abandon the call: it keeps (and finalizes) the inner TCTI */
	if (!call->conf)
	{
		call->owns_inner = TRUE;
		this->inner = NULL;
	}
	call->mutex->unlock(call->mutex);
	this->broken = TRUE;
	DBG1(DBG_PTS, "ratkn: TPM '%s' did not answer within %u ms%s",
		 this->conf, this->timeout, call->conf ? " (connecting)" : "");
	return TSS2_TCTI_RC_IO_ERROR;
}

/**
 * TCTI transmit: hand the command to a thread
 */
static TSS2_RC tcti_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size,
							 uint8_t const *command)
{
	private_ratkn_tcti_t *this = from_context(ctx);
	call_t *call;

	if (!this)
	{
		return TSS2_TCTI_RC_BAD_CONTEXT;
	}
	if (!command)
	{
		return TSS2_TCTI_RC_BAD_REFERENCE;
	}
	if (this->broken || !this->inner)
	{
		return TSS2_TCTI_RC_IO_ERROR;
	}
	if (this->call)
	{
		return TSS2_TCTI_RC_BAD_SEQUENCE;
	}
	INIT(call,
		.inner = this->inner,
		.command = chunk_clone(chunk_create((u_char*)command, size)),
	);
	return start_call(this, call);
}

/**
 * TCTI receive: wait for the response, at most until the deadline
 */
static TSS2_RC tcti_receive(TSS2_TCTI_CONTEXT *ctx, size_t *size,
							uint8_t *response, int32_t timeout)
{
	private_ratkn_tcti_t *this = from_context(ctx);
	call_t *call;
	TSS2_RC rc;

	if (!this)
	{
		return TSS2_TCTI_RC_BAD_CONTEXT;
	}
	if (!size)
	{
		return TSS2_TCTI_RC_BAD_REFERENCE;
	}
	if (this->broken)
	{
		return TSS2_TCTI_RC_IO_ERROR;
	}
	if (!this->call)
	{
		return TSS2_TCTI_RC_BAD_SEQUENCE;
	}
	rc = wait_call(this, timeout);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	call = this->call;
	if (call->rc != TSS2_RC_SUCCESS)
	{
		rc = call->rc;
		finish_call(this);
		return rc;
	}
	if (!response)
	{	/* size query */
		*size = call->response.len;
		return TSS2_RC_SUCCESS;
	}
	if (*size < call->response.len)
	{
		*size = call->response.len;
		return TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
	}
	memcpy(response, call->response.ptr, call->response.len);
	*size = call->response.len;
	finish_call(this);
	return TSS2_RC_SUCCESS;
}

/**
 * TCTI functions we don't provide
 */
static TSS2_RC tcti_cancel(TSS2_TCTI_CONTEXT *ctx)
{
	return TSS2_TCTI_RC_NOT_IMPLEMENTED;
}

static TSS2_RC tcti_get_poll_handles(TSS2_TCTI_CONTEXT *ctx,
									 TSS2_TCTI_POLL_HANDLE *handles,
									 size_t *num_handles)
{
	return TSS2_TCTI_RC_NOT_IMPLEMENTED;
}

static TSS2_RC tcti_set_locality(TSS2_TCTI_CONTEXT *ctx, uint8_t locality)
{
	return TSS2_TCTI_RC_NOT_IMPLEMENTED;
}

static TSS2_RC tcti_make_sticky(TSS2_TCTI_CONTEXT *ctx, TPM2_HANDLE *handle,
								uint8_t sticky)
{
	return TSS2_TCTI_RC_NOT_IMPLEMENTED;
}

METHOD(ratkn_tcti_t, connect_, TSS2_RC,
	private_ratkn_tcti_t *this)
{
	call_t *call;
	TSS2_RC rc;

	if (this->inner || this->call || this->broken)
	{
		return this->inner ? TSS2_RC_SUCCESS : TSS2_TCTI_RC_IO_ERROR;
	}
	INIT(call,
		.conf = strdup(this->conf),
	);
	rc = start_call(this, call);
	if (rc == TSS2_RC_SUCCESS)
	{
		rc = wait_call(this, TSS2_TCTI_TIMEOUT_BLOCK);
	}
	if (rc != TSS2_RC_SUCCESS)
	{	/* a stalled initialization stays as call */
		return rc;
	}
	call = this->call;
	rc = call->rc;
	if (rc == TSS2_RC_SUCCESS)
	{
		this->inner = call->inner;
		call->inner = NULL;
		call->owns_inner = FALSE;
	}
	finish_call(this);
	return rc;
}

METHOD(ratkn_tcti_t, get_context, TSS2_TCTI_CONTEXT*,
	private_ratkn_tcti_t *this)
{
	return (TSS2_TCTI_CONTEXT*)&this->tcti;
}

METHOD(ratkn_tcti_t, is_stalled, bool,
	private_ratkn_tcti_t *this, u_int *since)
{
	call_t *call = this->call;
	bool stalled;

	if (!this->broken || !call)
	{
		return FALSE;
	}
	call->mutex->lock(call->mutex);
	stalled = !call->done;
	call->mutex->unlock(call->mutex);
	if (stalled && since)
	{
		*since = time_monotonic(NULL) - call->started;
	}
	return stalled;
}

METHOD(ratkn_tcti_t, destroy, void,
	private_ratkn_tcti_t *this)
{
	call_t *call = this->call;

	if (call)
	{	/* a call still in progress keeps the inner TCTI it uses */
		call->mutex->lock(call->mutex);
		if (!call->done && !call->conf && this->inner)
		{
			call->owns_inner = TRUE;
			this->inner = NULL;
		}
		call->mutex->unlock(call->mutex);
		call_unref(call);
	}
	if (this->inner)
	{
		Tss2_TctiLdr_Finalize(&this->inner);
	}
	free(this->conf);
	free(this);
}

/*
 * Described in header
 */
ratkn_tcti_t *ratkn_tcti_create(char *conf, u_int timeout)
{
	private_ratkn_tcti_t *this;

	INIT(this,
		.public = {
			.connect = _connect_,
			.get_context = _get_context,
			.is_stalled = _is_stalled,
			.destroy = _destroy,
		},
		.tcti = {
			.v1 = {
				.magic = RATKN_TCTI_MAGIC,
				.version = 2,
				.transmit = tcti_transmit,
				.receive = tcti_receive,
				.cancel = tcti_cancel,
				.getPollHandles = tcti_get_poll_handles,
				.setLocality = tcti_set_locality,
			},
			.makeSticky = tcti_make_sticky,
		},
		.conf = strdup(conf),
		.timeout = max(timeout, 1),
	);
	return &this->public;
}
