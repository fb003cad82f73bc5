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
 * @defgroup tamper_plugin tamper_plugin
 * @{ @ingroup ratkn_tests
 */

#ifndef TAMPER_PLUGIN_H_
#define TAMPER_PLUGIN_H_

#include <plugins/plugin.h>

typedef struct tamper_plugin_t tamper_plugin_t;

/**
 * TEST ADVERSARY, never load it outside the lab. Makes ratkn's record of
 * the IKE_INTERMEDIATE transcript differ from the peer's, while charon's own
 * view (key exchange, IntAuth of RFC 9242) stays genuine: in every received
 * IKE_INTERMEDIATE message with a KE payload it flips one octet of the key
 * exchange data (e.g. the ML-KEM ciphertext) just before ratkn records the
 * message, and flips it back right after, before charon's tasks process it
 * (testing/scenarios/hybrid-tampered). For that its first listener must be
 * registered before ratkn's (the plugin is loaded before ratkn, as the lab
 * does with a scenario's extra plugins), the second one after (it depends
 * on ratkn). Without IKE_INTERMEDIATE support in charon (strongSwan < 6.0)
 * it does nothing.
 */
struct tamper_plugin_t {

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
plugin_t *ratkn_tamper_plugin_create();

#endif /** TAMPER_PLUGIN_H_ @}*/
