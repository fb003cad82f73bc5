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
 * @defgroup ratkn_compat ratkn_compat
 * @{ @ingroup ratkn
 *
 * Differences between the strongSwan versions ratkn builds against (5.9.8,
 * 6.0.x). configure decides them by compiling against the headers, not by
 * version numbers, and passes the results as -D flags.
 */

#ifndef RATKN_COMPAT_H_
#define RATKN_COMPAT_H_

#include <config/peer_cfg.h>

#ifdef RATKN_PEER_CFG_OPTIONS

/**
 * Whether the connection requires a PPK (ppk_required = yes in swanctl.conf).
 *
 * @param peer_cfg		connection
 * @return				TRUE if a PPK is required
 */
static inline bool ratkn_ppk_required(peer_cfg_t *peer_cfg)
{
	return peer_cfg->has_option(peer_cfg, OPT_PPK_REQUIRED);
}

/**
 * Member initializer of peer_cfg_create_t requiring a PPK.
 */
#define RATKN_PEER_CFG_PPK_REQUIRED .options = OPT_PPK_REQUIRED

#else /* strongSwan <= 6.0.1 */

static inline bool ratkn_ppk_required(peer_cfg_t *peer_cfg)
{
	return peer_cfg->ppk_required(peer_cfg);
}

#define RATKN_PEER_CFG_PPK_REQUIRED .ppk_required = TRUE

#endif /* RATKN_PEER_CFG_OPTIONS */

#endif /** RATKN_COMPAT_H_ @}*/
