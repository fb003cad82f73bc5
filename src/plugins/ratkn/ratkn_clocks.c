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

#include "ratkn_clocks.h"

#include <stdio.h>
#include <inttypes.h>

#include <collections/linked_list.h>
#include <threading/mutex.h>
#include <openssl/evp.h>

typedef struct private_ratkn_clocks_t private_ratkn_clocks_t;

/**
 * Private data of a ratkn_clocks_t object.
 */
struct private_ratkn_clocks_t {

	/**
	 * Public interface.
	 */
	ratkn_clocks_t public;

	/**
	 * Known AKs (seen_t), most recently seen first
	 */
	linked_list_t *seen;

	/**
	 * Maximum number of AKs
	 */
	u_int max;

	/**
	 * Lock for seen
	 */
	mutex_t *mutex;
};

/**
 * Newest clock info of an AK
 */
typedef struct {
	/** SHA-256 of the AK identifier */
	uint8_t ak[32];
	/** newest clock info */
	ratkn_clock_info_t info;
} seen_t;

/**
 * Find an AK's record and move it to the front, NULL if unknown
 */
static seen_t *find(private_ratkn_clocks_t *this, uint8_t ak[32])
{
	enumerator_t *enumerator;
	seen_t *seen, *found = NULL;

	enumerator = this->seen->create_enumerator(this->seen);
	while (enumerator->enumerate(enumerator, &seen))
	{
		if (memeq(seen->ak, ak, sizeof(seen->ak)))
		{
			this->seen->remove_at(this->seen, enumerator);
			found = seen;
			break;
		}
	}
	enumerator->destroy(enumerator);
	if (found)
	{
		this->seen->insert_first(this->seen, found);
	}
	return found;
}

/**
 * Compare a quote's clock info with the newest seen
 */
static bool compare(ratkn_clock_info_t *new, ratkn_clock_info_t *old,
					char *reason, size_t len)
{
	int boot = ratkn_clock_info_boot_cmp(new, old);

	if (boot < 0)
	{
		snprintf(reason, len, "TPM reset/restart counters went backwards "
				 "(%u/%u after %u/%u): replayed evidence, a cleared TPM or a "
				 "TPM state restored from a copy", new->reset_count,
				 new->restart_count, old->reset_count, old->restart_count);
		return FALSE;
	}
	if (boot == 0 && new->safe && old->safe &&
		new->clock + RATKN_CLOCKS_TOLERANCE < old->clock)
	{
		snprintf(reason, len, "TPM clock went backwards by %" PRIu64 " s in "
				 "the same boot: replayed evidence or a TPM state restored "
				 "from a copy", (old->clock - new->clock) / 1000);
		return FALSE;
	}
	return TRUE;
}

METHOD(ratkn_clocks_t, check, bool,
	private_ratkn_clocks_t *this, chunk_t ak, ratkn_clock_info_t *info,
	char *reason, size_t len)
{
	uint8_t hash[32];
	u_int hash_len = sizeof(hash);
	seen_t *seen;
	bool ok = TRUE;

	if (EVP_Digest(ak.ptr, ak.len, hash, &hash_len, EVP_sha256(), NULL) != 1)
	{
		snprintf(reason, len, "hashing the AK failed");
		return FALSE;
	}
	this->mutex->lock(this->mutex);
	seen = find(this, hash);
	if (seen)
	{
		ok = compare(info, &seen->info, reason, len);
		if (ok && (ratkn_clock_info_boot_cmp(info, &seen->info) > 0 ||
				   info->clock > seen->info.clock))
		{
			seen->info = *info;
		}
	}
	else
	{
		if (this->seen->get_count(this->seen) >= this->max &&
			this->seen->remove_last(this->seen, (void**)&seen) == SUCCESS)
		{
			free(seen);
		}
		INIT(seen,
			.info = *info,
		);
		memcpy(seen->ak, hash, sizeof(hash));
		this->seen->insert_first(this->seen, seen);
	}
	this->mutex->unlock(this->mutex);
	return ok;
}

METHOD(ratkn_clocks_t, destroy, void,
	private_ratkn_clocks_t *this)
{
	this->seen->destroy_function(this->seen, free);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
ratkn_clocks_t *ratkn_clocks_create(u_int max)
{
	private_ratkn_clocks_t *this;

	INIT(this,
		.public = {
			.check = _check,
			.destroy = _destroy,
		},
		.seen = linked_list_create(),
		.max = max ?: 1,
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);
	return &this->public;
}
