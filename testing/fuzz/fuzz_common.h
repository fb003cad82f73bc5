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
 * @defgroup fuzz_common fuzz_common
 * @{ @ingroup ratkn_fuzz
 */

#ifndef FUZZ_COMMON_H_
#define FUZZ_COMMON_H_

#include <library.h>

#include <stddef.h>
#include <stdint.h>

/**
 * libFuzzer entry point, defined by each target.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * Current time for the targets that check EAR expiry (2026-01-01), so that
 * the seeds stay valid.
 */
#define FUZZ_NOW 1767225600

/**
 * Initialize libstrongswan once per process (no plugins, no configuration
 * file) and route DBG messages to a sink that formats but discards them
 * (RATKN_FUZZ_DEBUG=N prints levels up to N to stderr). Idempotent.
 */
void fuzz_init();

/**
 * Read a file of the fuzzing data directory (testing/fuzz/data, or
 * $RATKN_FUZZ_DATA); aborts if it is missing.
 *
 * @param name			file name
 * @return				contents (allocated, NUL-terminated, not counted)
 */
chunk_t fuzz_data(char *name);

/**
 * Path of a file in the fuzzing data directory.
 *
 * @param name			file name
 * @return				path (static buffer, overwritten by the next call)
 */
char *fuzz_data_path(char *name);

/**
 * Copy fuzz input into a NUL-terminated string (embedded NULs stay).
 *
 * @param data			input
 * @param size			input size
 * @return				string (allocated)
 */
char *fuzz_strndup(const uint8_t *data, size_t size);

/**
 * Marshalled TPMT_PUBLIC of the fuzzing AK (an ECC P-256 restricted signing
 * key in software), created on first use.
 *
 * @return				TPMT_PUBLIC (static)
 */
chunk_t fuzz_ak_public();

/**
 * DER SubjectPublicKeyInfo of the fuzzing AK.
 *
 * @return				SPKI (static)
 */
chunk_t fuzz_ak_spki();

/**
 * Sign data with the fuzzing AK as a TPM would (ECDSA SHA-256), as
 * marshalled TPMT_SIGNATURE.
 *
 * @param data			data to sign
 * @return				TPMT_SIGNATURE (allocated)
 */
chunk_t fuzz_ak_sign(chunk_t data);

/**
 * Encode data as base64url without padding.
 *
 * @param data			data
 * @return				encoding (allocated)
 */
char *fuzz_base64url(chunk_t data);

/**
 * Fixed P-256 key pair of a KMS release recipient (a test key), as an
 * attester's ratkn ECDHE share would be.
 *
 * @param pub			receives the public value, X | Y (static)
 * @return				private scalar, big-endian (static)
 */
chunk_t fuzz_kms_recipient(chunk_t *pub);

/**
 * Session binding the fuzzing KMS releases are bound to: 32 octets 0x0b.
 *
 * @return				binding (static)
 */
chunk_t fuzz_kms_binding();

/**
 * Fixed ECDHE share of an attester, a valid point of the group's curve, for
 * the certification of TPM-resident shares (the P-256 one is the public
 * value of fuzz_kms_recipient()).
 *
 * @param group			19 (P-256) or 20 (P-384)
 * @return				X | Y (static), empty for other groups
 */
chunk_t fuzz_share_point(uint16_t group);

#endif /** FUZZ_COMMON_H_ @}*/
