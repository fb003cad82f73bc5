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
 * @defgroup abi_plugin abi_plugin
 * @{ @ingroup ratkn_testing
 *
 * ABI probe: checks that the strongSwan headers ratkn is built against
 * describe the installed libraries (see abi_plugin.c), never installed.
 */

#ifndef ABI_PLUGIN_H_
#define ABI_PLUGIN_H_

#include <plugins/plugin.h>

typedef struct abi_plugin_t abi_plugin_t;

/**
 * The ratkn-abi probe plugin.
 */
struct abi_plugin_t {

	/**
	 * Implements plugin interface.
	 */
	plugin_t plugin;
};

#endif /** ABI_PLUGIN_H_ @}*/
