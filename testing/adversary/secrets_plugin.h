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
 * @defgroup secrets_plugin secrets_plugin
 * @{ @ingroup ratkn_tests
 */

#ifndef SECRETS_PLUGIN_H_
#define SECRETS_PLUGIN_H_

#include <plugins/plugin.h>

typedef struct secrets_plugin_t secrets_plugin_t;

/**
 * LAB INSTRUMENT, never load it outside the lab: it writes secrets to a
 * file. After the peer's first authentication round of each IKE_SA it asks
 * the credential manager, exactly as charon does, for the PPK of the
 * connection's PPK_ID and for the shared IKE key of the IKE_SA's
 * identities, i.e. for SK if ratkn provides it, and appends what it gets in
 * hex to charon.plugins.ratkn-secrets.file (default
 * /etc/ratkn/lab-secrets), so that testing/scenarios/secrets-not-logged
 * knows the secrets it must not find in any log. It also records the public
 * ratkn share of our IKE_SA_INIT messages (label "share"), which the logs at
 * level 4 must show, as a control that the search works. As a negative
 * control, charon.plugins.ratkn-secrets.leak = dump | hex | base64 makes it
 * log SK the way a buggy plugin would ("ratkn: leaking SK ..."), which the
 * scenario must then detect. The production plugin has no such hook.
 */
struct secrets_plugin_t {

	/**
	 * Implements plugin interface.
	 */
	plugin_t plugin;
};

#endif /** SECRETS_PLUGIN_H_ @}*/
