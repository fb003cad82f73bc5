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

#include "tamper_plugin.h"

#include <daemon.h>
#include <threading/mutex.h>
#include <encoding/payloads/ke_payload.h>

typedef struct private_tamper_plugin_t private_tamper_plugin_t;

/**
 * Private data of the tamper adversary.
 */
struct private_tamper_plugin_t {

	/**
	 * Public interface.
	 */
	tamper_plugin_t public;

	/**
	 * Listener registered before ratkn's: alters the message
	 */
	listener_t before;

	/**
	 * Listener registered after ratkn's: restores the message
	 */
	listener_t after;

	/**
	 * Message currently altered, NULL if none
	 */
	message_t *altered;

	/**
	 * The octet flipped in it
	 */
	u_char *octet;

	/**
	 * Lock for altered, octet (charon's bus calls listeners one message at
	 * a time, between the two hooks nothing else alters the message)
	 */
	mutex_t *mutex;
};

#ifdef HAVE_MESSAGE_GET_PLAIN
/**
 * Received IKE_INTERMEDIATE message, decrypted
 */
static bool is_target(message_t *message, bool incoming, bool plain)
{
	return incoming && plain &&
		   message->get_exchange_type(message) == IKE_INTERMEDIATE;
}

/**
 * Implements listener_t.message for the listener before ratkn's
 */
static bool before_hook(listener_t *listener, ike_sa_t *ike_sa,
						message_t *message, bool incoming, bool plain)
{
	private_tamper_plugin_t *this;
	ke_payload_t *ke;
	chunk_t data;

	this = (private_tamper_plugin_t*)((char*)listener -
								offsetof(private_tamper_plugin_t, before));
	if (!is_target(message, incoming, plain))
	{
		return TRUE;
	}
	ke = (ke_payload_t*)message->get_payload(message, PLV2_KEY_EXCHANGE);
	data = ke ? ke->get_key_exchange_data(ke) : chunk_empty;
	if (!data.len)
	{
		return TRUE;
	}
	this->mutex->lock(this->mutex);
	/* the last octet, far from any length or method field */
	this->octet = data.ptr + data.len - 1;
	*this->octet ^= 0x01;
	this->altered = message;
	this->mutex->unlock(this->mutex);
	DBG1(DBG_IKE, "tamper adversary: flipped octet %zu of the %N key "
		 "exchange data (%zu octets) in the IKE_INTERMEDIATE %s ratkn "
		 "records", data.len, key_exchange_method_names,
		 ke->get_key_exchange_method(ke), data.len,
		 message->get_request(message) ? "request" : "response");
	return TRUE;
}

/**
 * Implements listener_t.message for the listener after ratkn's
 */
static bool after_hook(listener_t *listener, ike_sa_t *ike_sa,
					   message_t *message, bool incoming, bool plain)
{
	private_tamper_plugin_t *this;

	this = (private_tamper_plugin_t*)((char*)listener -
								offsetof(private_tamper_plugin_t, after));
	if (!is_target(message, incoming, plain))
	{
		return TRUE;
	}
	this->mutex->lock(this->mutex);
	if (this->altered != message)
	{
		this->mutex->unlock(this->mutex);
		return TRUE;
	}
	*this->octet ^= 0x01;
	this->altered = NULL;
	this->octet = NULL;
	this->mutex->unlock(this->mutex);
	DBG1(DBG_IKE, "tamper adversary: restored the key exchange data, charon "
		 "processes the message as received");
	return TRUE;
}
#endif /* HAVE_MESSAGE_GET_PLAIN */

METHOD(plugin_t, get_name, char*,
	private_tamper_plugin_t *this)
{
	return "ratkn-tamper";
}

/**
 * Register or unregister a listener
 */
static bool plugin_cb(private_tamper_plugin_t *this,
					  plugin_feature_t *feature, bool reg, void *cb_data)
{
	listener_t *listener = cb_data ? &this->after : &this->before;

	if (reg)
	{
		charon->bus->add_listener(charon->bus, listener);
	}
	else
	{
		charon->bus->remove_listener(charon->bus, listener);
	}
	return TRUE;
}

METHOD(plugin_t, get_features, int,
	private_tamper_plugin_t *this, plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		/* loaded before ratkn: registered before ratkn's listener */
		PLUGIN_CALLBACK((plugin_feature_callback_t)plugin_cb, NULL),
			PLUGIN_PROVIDE(CUSTOM, "ratkn-tamper-before"),
		/* registered after ratkn's listener */
		PLUGIN_CALLBACK((plugin_feature_callback_t)plugin_cb, (void*)1),
			PLUGIN_PROVIDE(CUSTOM, "ratkn-tamper-after"),
				PLUGIN_DEPENDS(CUSTOM, "ratkn"),
				PLUGIN_DEPENDS(CUSTOM, "ratkn-tamper-before"),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, destroy, void,
	private_tamper_plugin_t *this)
{
	this->mutex->destroy(this->mutex);
	free(this);
}

/**
 * Version field strongSwan >= 6.0.3 requires to load the plugin (see
 * ratkn_plugin.c)
 */
const char *ratkn_tamper_plugin_version = VERSION;

/*
 * Described in header
 */
plugin_t *ratkn_tamper_plugin_create()
{
	private_tamper_plugin_t *this;

	INIT(this,
		.public = {
			.plugin = {
				.get_name = _get_name,
				.get_features = _get_features,
				.destroy = _destroy,
			},
		},
#ifdef HAVE_MESSAGE_GET_PLAIN
		.before = {
			.message = before_hook,
		},
		.after = {
			.message = after_hook,
		},
#endif /* HAVE_MESSAGE_GET_PLAIN */
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);
#ifdef HAVE_MESSAGE_GET_PLAIN
	DBG1(DBG_CFG, "tamper adversary loaded: ratkn records received "
		 "IKE_INTERMEDIATE key exchange data with one octet flipped "
		 "(lab test only)");
#else
	DBG1(DBG_CFG, "tamper adversary loaded, inactive: this charon has no "
		 "IKE_INTERMEDIATE plaintext (lab test only)");
#endif
	return &this->public.plugin;
}
