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

/**
 * @defgroup relay_plugin relay_plugin
 * @{ @ingroup ratkn_tests
 */

#ifndef RELAY_PLUGIN_H_
#define RELAY_PLUGIN_H_

#include <plugins/plugin.h>

typedef struct relay_plugin_t relay_plugin_t;

/**
 * TEST ADVERSARY, never load it outside the lab. With
 * charon.plugins.ratkn-relay.mode = relay (default) it forwards the ratkn
 * evidence or attestation result it received from a genuine attester (as
 * relying party on one IKE_SA) to its own peers (as attester on another
 * IKE_SA), replacing what ratkn built for them (testing/scenarios/relay).
 * With mode = replay it records the first evidence or attestation result it
 * sends and replays it in every later IKE_SA (testing/scenarios/
 * passport-replay).
 */
struct relay_plugin_t {

	/**
	 * Implements plugin interface.
	 */
	plugin_t plugin;
};

/**
 * Create the plugin.
 *
 * @return			plugin instance
 */
plugin_t *ratkn_relay_plugin_create();

#endif /** RELAY_PLUGIN_H_ @}*/
