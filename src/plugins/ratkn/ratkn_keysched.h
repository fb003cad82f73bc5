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
 * @defgroup ratkn_keysched ratkn_keysched
 * @{ @ingroup ratkn
 */

#ifndef RATKN_KEYSCHED_H_
#define RATKN_KEYSCHED_H_

#include "ratkn_types.h"

/**
 * Derive SK from the ECDHE secret (docs/protocol.md, section 5):
 *
 *   PRK = HKDF-Extract(salt = Ni | Nr, IKM = Z)
 *   SK  = HKDF-Expand(PRK, "ratkn v1 SK" | SPIi | SPIr
 *                          | uint16(len) | share_i | uint16(len) | share_r, 32)
 *
 * @param z			ECDHE shared secret
 * @param ni		IKE nonce of the initiator
 * @param nr		IKE nonce of the responder
 * @param spi_i		8-octet IKE SPI of the initiator
 * @param spi_r		8-octet IKE SPI of the responder
 * @param share_i	ratkn public share sent by the initiator
 * @param share_r	ratkn public share sent by the responder
 * @param sk		RATKN_SK_LEN octets (allocated; wipe with chunk_clear())
 * @return			FALSE if an input is invalid or derivation failed
 */
bool ratkn_keysched_derive(chunk_t z, chunk_t ni, chunk_t nr, chunk_t spi_i,
						   chunk_t spi_r, chunk_t share_i, chunk_t share_r,
						   chunk_t *sk);

#endif /** RATKN_KEYSCHED_H_ @}*/
