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

#include "ratkn_types.h"

ENUM(ratkn_role_names, RATKN_ROLE_NONE, RATKN_ROLE_MUTUAL,
	"none",
	"attester",
	"relying-party",
	"mutual",
);

ENUM(ratkn_key_use_names, RATKN_KEY_USE_PPK, RATKN_KEY_USE_PSK,
	"ppk",
	"psk",
);

ENUM(ratkn_format_names, RATKN_FORMAT_TPM2_QUOTE, RATKN_FORMAT_TPM2_QUOTE,
	"tpm2-quote",
);

ENUM(ratkn_ike_role_names, RATKN_IKE_INITIATOR, RATKN_IKE_RESPONDER,
	"initiator",
	"responder",
);

ENUM(ratkn_model_names, RATKN_MODEL_BACKGROUND_CHECK, RATKN_MODEL_PASSPORT,
	"background-check",
	"passport",
);
