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

#include "secrets_plugin.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <ratkn_types.h>

#include <daemon.h>
#include <bio/bio_reader.h>
#include <threading/mutex.h>

typedef struct private_secrets_plugin_t private_secrets_plugin_t;

/**
 * Private data of the lab's secrets recorder.
 */
struct private_secrets_plugin_t {

	/**
	 * Public interface.
	 */
	secrets_plugin_t public;

	/**
	 * Listener for the authorize hook
	 */
	listener_t listener;

	/**
	 * File the secrets are appended to
	 */
	char *file;

	/**
	 * Negative control: also log SK like a buggy plugin would ("dump",
	 * "hex", "base64" or NULL for no)
	 */
	char *leak;

	/**
	 * Serializes writes to the file
	 */
	mutex_t *mutex;
};

/**
 * Append a key of an IKE_SA to the file, as "NAME[ID] TYPE HEX"
 */
static void record(private_secrets_plugin_t *this, ike_sa_t *ike_sa,
				   char *type, chunk_t key)
{
	char line[512];
	chunk_t hex;
	int fd, len;

	/* no stdio: its buffers would keep a copy after fclose() */
	hex = chunk_to_hex(key, NULL, FALSE);
	len = snprintf(line, sizeof(line), "%s[%u] %s %.*s\n",
				   ike_sa->get_name(ike_sa), ike_sa->get_unique_id(ike_sa),
				   type, (int)hex.len, hex.ptr);
	this->mutex->lock(this->mutex);
	fd = open(this->file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0 && len > 0 && len < sizeof(line))
	{
		ignore_result(write(fd, line, len));
	}
	if (fd >= 0)
	{
		close(fd);
	}
	this->mutex->unlock(this->mutex);
	DBG1(DBG_CFG, "secrets recorder: recorded the %s of %zu octets of "
		 "IKE_SA %s[%u] (lab test only)", type, key.len,
		 ike_sa->get_name(ike_sa), ike_sa->get_unique_id(ike_sa));
	memwipe(line, sizeof(line));
	chunk_clear(&hex);
	if (this->leak && !streq(type, "share"))
	{
		if (streq(this->leak, "hex"))
		{
			hex = chunk_to_hex(key, NULL, FALSE);
			DBG1(DBG_IKE, "ratkn: leaking SK %.*s", (int)hex.len, hex.ptr);
		}
		else if (streq(this->leak, "base64"))
		{
			hex = chunk_to_base64(key, NULL);
			DBG1(DBG_IKE, "ratkn: leaking SK %.*s", (int)hex.len, hex.ptr);
		}
		else
		{
			hex = chunk_clone(key);
			DBG1(DBG_IKE, "ratkn: leaking SK %B", &hex);
		}
		chunk_clear(&hex);
	}
}

/**
 * Implements listener_t.authorize; the listener is not the first member
 */
static bool authorize_hook(listener_t *listener, ike_sa_t *ike_sa, bool final,
						   bool *success)
{
	private_secrets_plugin_t *this;
	identification_t *ppk_id;
	peer_cfg_t *peer_cfg;
	shared_key_t *key;

	this = (private_secrets_plugin_t*)((char*)listener -
							offsetof(private_secrets_plugin_t, listener));
	peer_cfg = ike_sa->get_peer_cfg(ike_sa);
	/* ratkn wipes SK in its final authorize hook, which runs before ours */
	if (final || !*success || !peer_cfg)
	{
		return TRUE;
	}
	ppk_id = peer_cfg->get_ppk_id(peer_cfg);
	if (ppk_id)
	{
		key = lib->credmgr->get_shared(lib->credmgr, SHARED_PPK, ppk_id,
									   NULL);
		if (key)
		{
			record(this, ike_sa, "ppk", key->get_key(key));
			key->destroy(key);
		}
	}
	key = lib->credmgr->get_shared(lib->credmgr, SHARED_IKE,
								   ike_sa->get_my_id(ike_sa),
								   ike_sa->get_other_id(ike_sa));
	if (key)
	{
		record(this, ike_sa, "psk", key->get_key(key));
		key->destroy(key);
	}
	return TRUE;
}

/**
 * Implements listener_t.message: record the public ratkn share in our
 * IKE_SA_INIT message (not a secret: a control that the search finds what
 * is logged)
 */
static bool message_hook(listener_t *listener, ike_sa_t *ike_sa,
						 message_t *message, bool incoming, bool plain)
{
	private_secrets_plugin_t *this;
	notify_payload_t *notify;
	bio_reader_t *reader;
	uint16_t type;
	chunk_t value;

	this = (private_secrets_plugin_t*)((char*)listener -
							offsetof(private_secrets_plugin_t, listener));
	if (incoming || !plain ||
		message->get_exchange_type(message) != IKE_SA_INIT)
	{
		return TRUE;
	}
	notify = message->get_notify(message, RATKN_NOTIFY_NEGOTIATE);
	if (!notify)
	{
		return TRUE;
	}
	reader = bio_reader_create(notify->get_notification_data(notify));
	reader->read_data(reader, 4, &value);
	while (reader->read_uint16(reader, &type) &&
		   reader->read_data16(reader, &value))
	{
		if (type == 1)
		{
			record(this, ike_sa, "share", value);
			break;
		}
	}
	reader->destroy(reader);
	return TRUE;
}

METHOD(plugin_t, get_name, char*,
	private_secrets_plugin_t *this)
{
	return "ratkn-secrets";
}

/**
 * Register the listener
 */
static bool plugin_cb(private_secrets_plugin_t *this,
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
	private_secrets_plugin_t *this, plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK((plugin_feature_callback_t)plugin_cb, NULL),
			PLUGIN_PROVIDE(CUSTOM, "ratkn-secrets"),
				/* register after ratkn: its authorize hook appraises the
				 * peer, and provides SK as PSK only afterwards */
				PLUGIN_DEPENDS(CUSTOM, "ratkn"),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, destroy, void,
	private_secrets_plugin_t *this)
{
	this->mutex->destroy(this->mutex);
	free(this);
}

/**
 * Version field strongSwan >= 6.0.3 requires to load the plugin (see
 * ratkn_plugin.c)
 */
const char *ratkn_secrets_plugin_version = VERSION;

/*
 * Described in header
 */
plugin_t *ratkn_secrets_plugin_create()
{
	private_secrets_plugin_t *this;

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
			.authorize = authorize_hook,
		},
		.file = lib->settings->get_str(lib->settings,
							"%s.plugins.ratkn-secrets.file",
							"/etc/ratkn/lab-secrets", lib->ns),
		.leak = lib->settings->get_str(lib->settings,
							"%s.plugins.ratkn-secrets.leak", NULL, lib->ns),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);
	DBG1(DBG_CFG, "secrets recorder loaded: this charon writes SK to %s "
		 "(lab test only)", this->file);
	return &this->public.plugin;
}
