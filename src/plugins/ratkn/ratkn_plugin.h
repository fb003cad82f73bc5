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
 * @defgroup ratkn_plugin ratkn_plugin
 * @{ @ingroup ratkn
 */

#ifndef RATKN_PLUGIN_H_
#define RATKN_PLUGIN_H_

#include <plugins/plugin.h>

typedef struct ratkn_plugin_t ratkn_plugin_t;

/**
 * Remote ATtestation Key Negotiation: runs TPM 2.0 remote attestation inside
 * IKEv2 and feeds a key negotiated through an attested ECDHE into IKE
 * authentication as PPK or PSK.
 */
struct ratkn_plugin_t {

	/**
	 * Implements plugin interface.
	 */
	plugin_t plugin;
};

/**
 * Create the plugin (exported for charon's plugin loader).
 *
 * @return			plugin instance
 */
plugin_t *ratkn_plugin_create();

#endif /** RATKN_PLUGIN_H_ @}*/
