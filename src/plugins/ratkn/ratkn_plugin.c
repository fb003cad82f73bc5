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

#include "ratkn_plugin.h"
#include "ratkn_config.h"
#include "ratkn_listener.h"
#include "ratkn_creds.h"

#include <daemon.h>

/**
 * strongSwan >= 6.0.3 loads a plugin only if it exports NAME_plugin_version
 * equal to the daemon's version; older versions ignore it. The loader reads
 * the symbol as a char** (what PLUGIN_DEFINE() expands to), so it must be a
 * pointer, not an array.
 */
const char *ratkn_plugin_version = VERSION;

typedef struct private_ratkn_plugin_t private_ratkn_plugin_t;

/**
 * Private data of the ratkn plugin.
 */
struct private_ratkn_plugin_t {

	/**
	 * Public interface.
	 */
	ratkn_plugin_t public;

	/**
	 * Configuration from strongswan.conf
	 */
	ratkn_config_t *config;

	/**
	 * Bus listener doing the protocol work
	 */
	ratkn_listener_t *listener;

	/**
	 * Credential set serving SK as PPK/PSK
	 */
	ratkn_creds_t *creds;

	/**
	 * Outcomes and the status socket
	 */
	ratkn_status_t *status;
};

METHOD(plugin_t, get_name, char*,
	private_ratkn_plugin_t *this)
{
	return "ratkn";
}

/**
 * Register or unregister the listener and the credential set
 */
static bool plugin_cb(private_ratkn_plugin_t *this,
					  plugin_feature_t *feature, bool reg, void *cb_data)
{
	char *socket;

	if (reg)
	{
		socket = lib->settings->get_str(lib->settings,
					"%s.plugins.ratkn.socket", RATKN_STATUS_SOCKET, lib->ns);
		this->status = ratkn_status_create(socket && *socket ? socket : NULL);
		this->config = ratkn_config_create();
		this->listener = ratkn_listener_create(this->config, this->status);
		this->creds = ratkn_creds_create(this->listener);
		lib->credmgr->add_set(lib->credmgr, &this->creds->set);
		charon->bus->add_listener(charon->bus, &this->listener->listener);
	}
	else
	{
		charon->bus->remove_listener(charon->bus, &this->listener->listener);
		lib->credmgr->remove_set(lib->credmgr, &this->creds->set);
		this->creds->destroy(this->creds);
		this->listener->destroy(this->listener);
		this->config->destroy(this->config);
		this->status->destroy(this->status);
		this->status = NULL;
		this->creds = NULL;
		this->listener = NULL;
		this->config = NULL;
	}
	return TRUE;
}

METHOD(plugin_t, get_features, int,
	private_ratkn_plugin_t *this, plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK((plugin_feature_callback_t)plugin_cb, NULL),
			PLUGIN_PROVIDE(CUSTOM, "ratkn"),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, reload, bool,
	private_ratkn_plugin_t *this)
{
	if (this->config)
	{
		this->config->reload(this->config);
	}
	return TRUE;
}

METHOD(plugin_t, destroy, void,
	private_ratkn_plugin_t *this)
{
	free(this);
}

/*
 * Described in header
 */
plugin_t *ratkn_plugin_create()
{
	private_ratkn_plugin_t *this;

	/* libtss2 logs to stderr on its own; ratkn logs TPM errors through
	 * charon's loggers, so keep libtss2 quiet unless the user asks for it.
	 * Plugins are created before charon starts its threads. */
	setenv("TSS2_LOG", "all+none", 0);

	INIT(this,
		.public = {
			.plugin = {
				.get_name = _get_name,
				.get_features = _get_features,
				.reload = _reload,
				.destroy = _destroy,
			},
		},
	);

	return &this->public.plugin;
}
