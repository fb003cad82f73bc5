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

#include "ratkn_tpm.h"

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include <openssl/evp.h>

#include <threading/mutex.h>

/**
 * Failure of ours (not a TPM or TSS error) inside a TPM operation; it is in
 * the ESAPI layer but none of the codes treated as connection failures
 */
#define RC_FAILED TSS2_ESYS_RC_GENERAL_FAILURE

/**
 * How often a quote is made when PCRs change between quoting and reading
 */
#define QUOTE_ATTEMPTS 3

/**
 * How often PCRs are read when they change while reading them in pieces
 */
#define READ_ATTEMPTS 3

/**
 * Value of the unique field of the AK template, distinguishing the AK from
 * other primary keys (e.g. the EK) of the endorsement hierarchy
 */
static const char ak_unique[] = "ratkn attestation key v1";

typedef struct private_ratkn_tpm_t private_ratkn_tpm_t;

/**
 * Private data of a ratkn_tpm_t object.
 */
struct private_ratkn_tpm_t {

	/**
	 * Public interface.
	 */
	ratkn_tpm_t public;

	/**
	 * tctildr configuration
	 */
	char *tcti;

	/**
	 * Persistent handle of the AK
	 */
	uint32_t ak_handle;

	/**
	 * TCTI context, NULL if not connected
	 */
	TSS2_TCTI_CONTEXT *tcti_ctx;

	/**
	 * ESAPI context, NULL if not connected
	 */
	ESYS_CONTEXT *esys;

	/**
	 * Serializes all TPM access
	 */
	mutex_t *mutex;
};

/**
 * A TPM operation, run with the mutex held on a connected TPM
 */
typedef TSS2_RC (*operation_t)(void *data, private_ratkn_tpm_t *this);

/**
 * Log a failed TSS call, returns rc
 */
static TSS2_RC check(TSS2_RC rc, char *command)
{
	if (rc != TSS2_RC_SUCCESS)
	{
		DBG1(DBG_PTS, "ratkn: %s failed: %s", command, Tss2_RC_Decode(rc));
	}
	return rc;
}

/**
 * Whether an error means that the connection to the TPM broke (or that the
 * ESAPI context can't be used anymore)
 */
static bool is_connection_error(TSS2_RC rc)
{
	if ((rc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER)
	{
		return FALSE;
	}
	switch (rc & ~TSS2_RC_LAYER_MASK)
	{
		case TSS2_BASE_RC_NO_CONNECTION:
		case TSS2_BASE_RC_IO_ERROR:
		case TSS2_BASE_RC_MALFORMED_RESPONSE:
		case TSS2_BASE_RC_INSUFFICIENT_RESPONSE:
		case TSS2_BASE_RC_BAD_SEQUENCE:
			return TRUE;
		default:
			return FALSE;
	}
}

/**
 * Close the connection to the TPM
 */
static void disconnect(private_ratkn_tpm_t *this)
{
	if (this->esys)
	{
		Esys_Finalize(&this->esys);
	}
	if (this->tcti_ctx)
	{
		Tss2_TctiLdr_Finalize(&this->tcti_ctx);
	}
	this->esys = NULL;
	this->tcti_ctx = NULL;
}

/**
 * Connect to the TPM if not connected yet
 */
static TSS2_RC connect_tpm(private_ratkn_tpm_t *this)
{
	TSS2_RC rc;

	if (this->esys)
	{
		return TSS2_RC_SUCCESS;
	}
	rc = Tss2_TctiLdr_Initialize(this->tcti, &this->tcti_ctx);
	if (rc != TSS2_RC_SUCCESS)
	{
		DBG1(DBG_PTS, "ratkn: connecting to TPM '%s' failed: %s", this->tcti,
			 Tss2_RC_Decode(rc));
		this->tcti_ctx = NULL;
		return rc;
	}
	rc = Esys_Initialize(&this->esys, this->tcti_ctx, NULL);
	if (rc != TSS2_RC_SUCCESS)
	{
		DBG1(DBG_PTS, "ratkn: initializing ESAPI for TPM '%s' failed: %s",
			 this->tcti, Tss2_RC_Decode(rc));
		this->esys = NULL;
		disconnect(this);
		return rc;
	}
	DBG2(DBG_PTS, "ratkn: connected to TPM '%s'", this->tcti);
	return TSS2_RC_SUCCESS;
}

/**
 * Run an operation: connect if necessary, start up a TPM that is not, and
 * if the connection broke re-create the contexts and try once more (if
 * retry is set; otherwise only the contexts are re-created for later use)
 */
static bool run(private_ratkn_tpm_t *this, operation_t op, void *data,
				bool retry)
{
	bool started = FALSE, reconnected = FALSE;
	TSS2_RC rc;

	this->mutex->lock(this->mutex);
	while (TRUE)
	{
		rc = connect_tpm(this);
		if (rc != TSS2_RC_SUCCESS)
		{
			break;
		}
		rc = op(data, this);
		if (rc == TPM2_RC_INITIALIZE && !started)
		{
			DBG1(DBG_PTS, "ratkn: TPM is not started up, sending "
				 "TPM2_Startup(CLEAR)");
			started = TRUE;
			if (check(Esys_Startup(this->esys, TPM2_SU_CLEAR),
					  "TPM2_Startup") == TSS2_RC_SUCCESS)
			{
				continue;
			}
			break;
		}
		if (rc == TSS2_RC_SUCCESS || !is_connection_error(rc))
		{
			break;
		}
		disconnect(this);
		if (!retry || reconnected)
		{
			break;
		}
		DBG1(DBG_PTS, "ratkn: connection to TPM '%s' lost, reconnecting",
			 this->tcti);
		reconnected = TRUE;
	}
	this->mutex->unlock(this->mutex);
	return rc == TSS2_RC_SUCCESS;
}

/**
 * Convert a selection to a TPML_PCR_SELECTION
 */
static void selection_to_tpml(ratkn_pcr_selection_t *sel,
							  TPML_PCR_SELECTION *tpml)
{
	TPMS_PCR_SELECTION *bank;
	int i;

	memset(tpml, 0, sizeof(*tpml));
	for (i = 0; i < sel->count && i < RATKN_PCR_MAX_BANKS; i++)
	{
		if (!sel->banks[i].mask)
		{
			continue;
		}
		bank = &tpml->pcrSelections[tpml->count++];
		bank->hash = sel->banks[i].alg;
		bank->sizeofSelect = 3;
		bank->pcrSelect[0] = sel->banks[i].mask;
		bank->pcrSelect[1] = sel->banks[i].mask >> 8;
		bank->pcrSelect[2] = sel->banks[i].mask >> 16;
	}
}

/**
 * Check that a selection is usable: supported banks, PCRs in range
 */
static bool selection_valid(ratkn_pcr_selection_t *sel)
{
	int i;

	if (sel->count > RATKN_PCR_MAX_BANKS)
	{
		return FALSE;
	}
	for (i = 0; i < sel->count; i++)
	{
		if (!ratkn_pcr_alg_digest_len(sel->banks[i].alg) ||
			(sel->banks[i].mask >> RATKN_PCR_COUNT))
		{
			DBG1(DBG_PTS, "ratkn: invalid PCR selection");
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * Read the PCRs of a selection, looping over TPM2_PCR_Read (which returns at
 * most 8 values per call and may return fewer than requested)
 */
static TSS2_RC read_pcrs_internal(private_ratkn_tpm_t *this,
								  ratkn_pcr_selection_t *sel,
								  ratkn_pcr_values_t **values)
{
	/* per bank of the selection, per PCR: value */
	uint8_t digests[RATKN_PCR_MAX_BANKS][RATKN_PCR_COUNT][sizeof(TPMU_HA)];
	ratkn_pcr_selection_t remaining;
	TPML_PCR_SELECTION tpml, *out = NULL;
	TPML_DIGEST *read = NULL;
	TPMS_PCR_SELECTION *bank;
	uint32_t counter, first_counter = 0;
	bool first, progress;
	size_t len;
	u_int pcr, k;
	int attempt, i, b;
	char buf[128];
	TSS2_RC rc;

	for (attempt = 0; attempt < READ_ATTEMPTS; attempt++)
	{
		remaining = *sel;
		first = TRUE;
		while (TRUE)
		{
			selection_to_tpml(&remaining, &tpml);
			if (!tpml.count)
			{	/* all read */
				break;
			}
			rc = check(Esys_PCR_Read(this->esys, ESYS_TR_NONE, ESYS_TR_NONE,
									 ESYS_TR_NONE, &tpml, &counter, &out,
									 &read), "TPM2_PCR_Read");
			if (rc != TSS2_RC_SUCCESS)
			{
				return rc;
			}
			if (first)
			{
				first_counter = counter;
				first = FALSE;
			}
			else if (counter != first_counter)
			{	/* a PCR changed between our reads, start over */
				Esys_Free(out);
				Esys_Free(read);
				break;
			}
			progress = FALSE;
			k = 0;
			for (i = 0; i < out->count; i++)
			{
				bank = &out->pcrSelections[i];
				for (b = 0; b < remaining.count; b++)
				{
					if (remaining.banks[b].alg == bank->hash)
					{
						break;
					}
				}
				len = ratkn_pcr_alg_digest_len(bank->hash);
				for (pcr = 0; pcr < 8 * bank->sizeofSelect &&
							  pcr < 8 * sizeof(bank->pcrSelect); pcr++)
				{
					if (!(bank->pcrSelect[pcr / 8] & (1 << (pcr % 8))))
					{
						continue;
					}
					if (b == remaining.count || pcr >= RATKN_PCR_COUNT ||
						!(remaining.banks[b].mask & (1 << pcr)) ||
						k >= read->count || read->digests[k].size != len)
					{
						DBG1(DBG_PTS, "ratkn: TPM2_PCR_Read returned PCRs not "
							 "requested or an invalid value");
						Esys_Free(out);
						Esys_Free(read);
						return RC_FAILED;
					}
					memcpy(digests[b][pcr], read->digests[k].buffer, len);
					remaining.banks[b].mask &= ~(1 << pcr);
					progress = TRUE;
					k++;
				}
			}
			Esys_Free(out);
			Esys_Free(read);
			out = NULL;
			read = NULL;
			if (!progress)
			{
				DBG1(DBG_PTS, "ratkn: TPM did not return PCRs %s (bank not "
					 "active?)", ratkn_pcr_selection_to_str(&remaining, buf,
					 sizeof(buf)));
				return RC_FAILED;
			}
		}
		if (!tpml.count)
		{
			break;
		}
		DBG1(DBG_PTS, "ratkn: PCRs changed while reading them, reading again");
	}
	if (attempt == READ_ATTEMPTS)
	{
		DBG1(DBG_PTS, "ratkn: PCRs keep changing, giving up reading them");
		return RC_FAILED;
	}

	*values = ratkn_pcr_values_create();
	for (b = 0; b < sel->count; b++)
	{
		len = ratkn_pcr_alg_digest_len(sel->banks[b].alg);
		for (pcr = 0; pcr < RATKN_PCR_COUNT; pcr++)
		{
			if ((sel->banks[b].mask & (1 << pcr)) &&
				!(*values)->add(*values, sel->banks[b].alg, pcr,
								chunk_create(digests[b][pcr], len)))
			{
				(*values)->destroy(*values);
				*values = NULL;
				return RC_FAILED;
			}
		}
	}
	return TSS2_RC_SUCCESS;
}

/**
 * Check whether the AK exists (without provoking TSS error logs)
 */
static TSS2_RC ak_exists(private_ratkn_tpm_t *this, bool *exists)
{
	TPMS_CAPABILITY_DATA *data = NULL;
	TPMI_YES_NO more;
	TSS2_RC rc;

	rc = check(Esys_GetCapability(this->esys, ESYS_TR_NONE, ESYS_TR_NONE,
								  ESYS_TR_NONE, TPM2_CAP_HANDLES,
								  this->ak_handle, 1, &more, &data),
			   "TPM2_GetCapability");
	if (rc == TSS2_RC_SUCCESS)
	{
		*exists = data->data.handles.count > 0 &&
				  data->data.handles.handle[0] == this->ak_handle;
		Esys_Free(data);
	}
	return rc;
}

/**
 * Get an ESYS_TR for the existing AK, to be closed with Esys_TR_Close()
 */
static TSS2_RC load_ak(private_ratkn_tpm_t *this, ESYS_TR *ak)
{
	bool exists = FALSE;
	TSS2_RC rc;

	rc = ak_exists(this, &exists);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	if (!exists)
	{
		DBG1(DBG_PTS, "ratkn: no attestation key at TPM handle 0x%08x",
			 this->ak_handle);
		return RC_FAILED;
	}
	return check(Esys_TR_FromTPMPublic(this->esys, this->ak_handle,
									   ESYS_TR_NONE, ESYS_TR_NONE,
									   ESYS_TR_NONE, ak),
				 "loading the AK (Esys_TR_FromTPMPublic)");
}

/**
 * Marshal a TPMT_PUBLIC
 */
static TSS2_RC marshal_public(TPMT_PUBLIC *pub, chunk_t *out)
{
	uint8_t buf[sizeof(TPMT_PUBLIC)];
	size_t offset = 0;
	TSS2_RC rc;

	rc = check(Tss2_MU_TPMT_PUBLIC_Marshal(pub, buf, sizeof(buf), &offset),
			   "marshalling TPMT_PUBLIC");
	if (rc == TSS2_RC_SUCCESS)
	{
		*out = chunk_clone(chunk_create(buf, offset));
	}
	return rc;
}

/**
 * Read the public area of an object
 */
static TSS2_RC read_public(private_ratkn_tpm_t *this, ESYS_TR object,
						   chunk_t *out)
{
	TPM2B_PUBLIC *pub = NULL;
	TSS2_RC rc;

	rc = check(Esys_ReadPublic(this->esys, object, ESYS_TR_NONE, ESYS_TR_NONE,
							   ESYS_TR_NONE, &pub, NULL, NULL),
			   "TPM2_ReadPublic");
	if (rc == TSS2_RC_SUCCESS)
	{
		rc = marshal_public(&pub->publicArea, out);
		Esys_Free(pub);
	}
	return rc;
}

/**
 * Data of the get_ak_public operation
 */
typedef struct {
	chunk_t ak_public;
} get_ak_public_t;

CALLBACK(get_ak_public_op, TSS2_RC,
	get_ak_public_t *data, private_ratkn_tpm_t *this)
{
	ESYS_TR ak = ESYS_TR_NONE;
	TSS2_RC rc;

	rc = load_ak(this, &ak);
	if (rc == TSS2_RC_SUCCESS)
	{
		rc = read_public(this, ak, &data->ak_public);
		Esys_TR_Close(this->esys, &ak);
	}
	return rc;
}

METHOD(ratkn_tpm_t, get_ak_public, bool,
	private_ratkn_tpm_t *this, chunk_t *ak_public)
{
	get_ak_public_t data = {};

	if (!run(this, get_ak_public_op, &data, TRUE))
	{
		return FALSE;
	}
	*ak_public = data.ak_public;
	return TRUE;
}

/**
 * Template of the AK
 */
static void ak_template(ratkn_ak_type_t type, TPM2B_PUBLIC *tmpl)
{
	TPMT_PUBLIC *pub = &tmpl->publicArea;

	memset(tmpl, 0, sizeof(*tmpl));
	pub->nameAlg = TPM2_ALG_SHA256;
	pub->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
							TPMA_OBJECT_SENSITIVEDATAORIGIN |
							TPMA_OBJECT_USERWITHAUTH |
							TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;
	if (type == RATKN_AK_RSA)
	{
		pub->type = TPM2_ALG_RSA;
		pub->parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
		pub->parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
		pub->parameters.rsaDetail.scheme.details.rsassa.hashAlg =
														TPM2_ALG_SHA256;
		pub->parameters.rsaDetail.keyBits = 2048;
		pub->parameters.rsaDetail.exponent = 0;
		pub->unique.rsa.size = strlen(ak_unique);
		memcpy(pub->unique.rsa.buffer, ak_unique, pub->unique.rsa.size);
	}
	else
	{
		pub->type = TPM2_ALG_ECC;
		pub->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
		pub->parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
		pub->parameters.eccDetail.scheme.details.ecdsa.hashAlg =
														TPM2_ALG_SHA256;
		pub->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
		pub->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
		pub->unique.ecc.x.size = strlen(ak_unique);
		memcpy(pub->unique.ecc.x.buffer, ak_unique, pub->unique.ecc.x.size);
	}
}

/**
 * Data of the create_ak operation
 */
typedef struct {
	ratkn_ak_type_t type;
	bool force;
	chunk_t ak_public;
} create_ak_t;

/**
 * Remove the persistent AK
 */
static TSS2_RC evict_ak(private_ratkn_tpm_t *this)
{
	ESYS_TR ak = ESYS_TR_NONE, out = ESYS_TR_NONE;
	TSS2_RC rc;

	rc = load_ak(this, &ak);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	rc = check(Esys_EvictControl(this->esys, ESYS_TR_RH_OWNER, ak,
								 ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
								 this->ak_handle, &out),
			   "removing the old AK (TPM2_EvictControl)");
	/* ESAPI keeps the resource of the evicted object */
	Esys_TR_Close(this->esys, &ak);
	if (rc == TSS2_RC_SUCCESS)
	{
		DBG1(DBG_PTS, "ratkn: removed the attestation key at TPM handle "
			 "0x%08x", this->ak_handle);
	}
	return rc;
}

CALLBACK(create_ak_op, TSS2_RC,
	create_ak_t *data, private_ratkn_tpm_t *this)
{
	TPM2B_SENSITIVE_CREATE sensitive = {};
	TPM2B_DATA outside = {};
	TPML_PCR_SELECTION creation_pcrs = {};
	TPM2B_PUBLIC tmpl, *pub = NULL;
	TPM2B_CREATION_DATA *creation_data = NULL;
	TPM2B_DIGEST *creation_hash = NULL;
	TPMT_TK_CREATION *creation_ticket = NULL;
	ESYS_TR primary = ESYS_TR_NONE, persistent = ESYS_TR_NONE, ak;
	bool exists = FALSE;
	TSS2_RC rc;

	rc = ak_exists(this, &exists);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	if (exists && !data->force)
	{
		DBG1(DBG_PTS, "ratkn: using the existing attestation key at TPM "
			 "handle 0x%08x", this->ak_handle);
		rc = load_ak(this, &ak);
		if (rc == TSS2_RC_SUCCESS)
		{
			rc = read_public(this, ak, &data->ak_public);
			Esys_TR_Close(this->esys, &ak);
		}
		return rc;
	}
	if (exists)
	{
		rc = evict_ak(this);
		if (rc != TSS2_RC_SUCCESS)
		{
			return rc;
		}
	}

	ak_template(data->type, &tmpl);
	rc = check(Esys_CreatePrimary(this->esys, ESYS_TR_RH_ENDORSEMENT,
								  ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
								  &sensitive, &tmpl, &outside, &creation_pcrs,
								  &primary, &pub, &creation_data,
								  &creation_hash, &creation_ticket),
			   "creating the AK (TPM2_CreatePrimary)");
	Esys_Free(creation_data);
	Esys_Free(creation_hash);
	Esys_Free(creation_ticket);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	rc = check(Esys_EvictControl(this->esys, ESYS_TR_RH_OWNER, primary,
								 ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
								 this->ak_handle, &persistent),
			   "making the AK persistent (TPM2_EvictControl)");
	if (rc == TSS2_RC_SUCCESS)
	{
		Esys_TR_Close(this->esys, &persistent);
		rc = marshal_public(&pub->publicArea, &data->ak_public);
	}
	check(Esys_FlushContext(this->esys, primary), "TPM2_FlushContext");
	Esys_Free(pub);
	if (rc == TSS2_RC_SUCCESS)
	{
		DBG1(DBG_PTS, "ratkn: created %s attestation key at TPM handle "
			 "0x%08x", data->type == RATKN_AK_RSA ? "an RSA" : "an ECC",
			 this->ak_handle);
	}
	return rc;
}

METHOD(ratkn_tpm_t, create_ak, bool,
	private_ratkn_tpm_t *this, ratkn_ak_type_t type, bool force,
	chunk_t *ak_public)
{
	create_ak_t data = {
		.type = type,
		.force = force,
	};

	if (type != RATKN_AK_ECC && type != RATKN_AK_RSA)
	{
		DBG1(DBG_PTS, "ratkn: unsupported AK type %d", type);
		return FALSE;
	}
	if (!run(this, create_ak_op, &data, TRUE))
	{
		return FALSE;
	}
	*ak_public = data.ak_public;
	return TRUE;
}

/**
 * Hash PCR values in selection order (the TPM's pcrDigest)
 */
static bool pcr_digest(uint16_t hash_alg, ratkn_pcr_selection_t *sel,
					   ratkn_pcr_values_t *values, TPM2B_DIGEST *digest)
{
	const EVP_MD *md;
	EVP_MD_CTX *ctx;
	chunk_t value;
	u_int len, pcr;
	bool ok;
	int b;

	md = EVP_get_digestbyname(ratkn_pcr_alg_name(hash_alg));
	ctx = EVP_MD_CTX_new();
	ok = md && ctx && EVP_DigestInit_ex(ctx, md, NULL) == 1;
	for (b = 0; ok && b < sel->count; b++)
	{
		for (pcr = 0; ok && pcr < RATKN_PCR_COUNT; pcr++)
		{
			if (sel->banks[b].mask & (1 << pcr))
			{
				ok = values->get(values, sel->banks[b].alg, pcr, &value) &&
					 EVP_DigestUpdate(ctx, value.ptr, value.len) == 1;
			}
		}
	}
	len = sizeof(digest->buffer);
	ok = ok && EVP_DigestFinal_ex(ctx, digest->buffer, &len) == 1;
	digest->size = len;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/**
 * Data of the quote operation
 */
typedef struct {
	ratkn_pcr_selection_t *sel;
	chunk_t qualifying;
	chunk_t quote;
	chunk_t signature;
	ratkn_pcr_values_t *values;
} quote_t;

/**
 * Quote once and read the PCRs; *changed is set if they don't match
 */
static TSS2_RC quote_once(private_ratkn_tpm_t *this, ESYS_TR ak,
						  quote_t *data, bool *changed)
{
	TPM2B_DATA qualifying = {};
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
	TPML_PCR_SELECTION tpml;
	TPM2B_ATTEST *quoted = NULL;
	TPMT_SIGNATURE *sig = NULL;
	TPMS_ATTEST attest = {};
	TPM2B_DIGEST digest = {};
	uint8_t buf[sizeof(TPMT_SIGNATURE)];
	size_t offset = 0;
	TSS2_RC rc;

	*changed = FALSE;
	/* the length was checked against sizeof(TPMU_HA) by the caller */
	qualifying.size = data->qualifying.len;
	if (data->qualifying.len)
	{
		memcpy(qualifying.buffer, data->qualifying.ptr, data->qualifying.len);
	}
	selection_to_tpml(data->sel, &tpml);

	rc = check(Esys_Quote(this->esys, ak, ESYS_TR_PASSWORD, ESYS_TR_NONE,
						  ESYS_TR_NONE, &qualifying, &scheme, &tpml, &quoted,
						  &sig), "TPM2_Quote");
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	rc = check(Tss2_MU_TPMS_ATTEST_Unmarshal(quoted->attestationData,
								quoted->size, &offset, &attest),
			   "unmarshalling the quote (TPMS_ATTEST)");
	if (rc == TSS2_RC_SUCCESS && (offset != quoted->size ||
		attest.magic != TPM2_GENERATED_VALUE ||
		attest.type != TPM2_ST_ATTEST_QUOTE))
	{
		DBG1(DBG_PTS, "ratkn: TPM2_Quote returned no valid quote");
		rc = RC_FAILED;
	}
	if (rc == TSS2_RC_SUCCESS)
	{
		offset = 0;
		rc = check(Tss2_MU_TPMT_SIGNATURE_Marshal(sig, buf, sizeof(buf),
												  &offset),
				   "marshalling the quote signature (TPMT_SIGNATURE)");
	}
	if (rc == TSS2_RC_SUCCESS)
	{
		rc = read_pcrs_internal(this, data->sel, &data->values);
	}
	if (rc == TSS2_RC_SUCCESS)
	{
		if (!pcr_digest(sig->signature.any.hashAlg, data->sel, data->values,
						&digest))
		{
			DBG1(DBG_PTS, "ratkn: hashing PCR values with the quote's hash "
				 "algorithm 0x%04x failed", sig->signature.any.hashAlg);
			rc = RC_FAILED;
		}
		else if (!chunk_equals(chunk_create(digest.buffer, digest.size),
						chunk_create(attest.attested.quote.pcrDigest.buffer,
									 attest.attested.quote.pcrDigest.size)))
		{
			*changed = TRUE;
		}
		else
		{
			data->quote = chunk_clone(chunk_create(quoted->attestationData,
												   quoted->size));
			data->signature = chunk_clone(chunk_create(buf, offset));
		}
		if (rc != TSS2_RC_SUCCESS || *changed)
		{
			data->values->destroy(data->values);
			data->values = NULL;
		}
	}
	Esys_Free(quoted);
	Esys_Free(sig);
	return rc;
}

CALLBACK(quote_op, TSS2_RC,
	quote_t *data, private_ratkn_tpm_t *this)
{
	ESYS_TR ak = ESYS_TR_NONE;
	bool changed = FALSE;
	TSS2_RC rc;
	int i;

	rc = load_ak(this, &ak);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	for (i = 0; i < QUOTE_ATTEMPTS; i++)
	{
		rc = quote_once(this, ak, data, &changed);
		if (rc != TSS2_RC_SUCCESS || !changed)
		{
			break;
		}
		DBG1(DBG_PTS, "ratkn: PCRs changed while quoting, quoting again");
	}
	Esys_TR_Close(this->esys, &ak);
	if (rc == TSS2_RC_SUCCESS && changed)
	{
		DBG1(DBG_PTS, "ratkn: PCRs keep changing, giving up quoting");
		rc = RC_FAILED;
	}
	return rc;
}

METHOD(ratkn_tpm_t, quote, bool,
	private_ratkn_tpm_t *this, ratkn_pcr_selection_t *sel, chunk_t qualifying,
	chunk_t *quote, chunk_t *signature, ratkn_pcr_values_t **values)
{
	quote_t data = {
		.sel = sel,
		.qualifying = qualifying,
	};
	char buf[128];

	if (qualifying.len > sizeof(TPMU_HA))
	{
		DBG1(DBG_PTS, "ratkn: qualifying data of %zu octets is too long "
			 "(at most %zu)", qualifying.len, sizeof(TPMU_HA));
		return FALSE;
	}
	if (!selection_valid(sel))
	{
		return FALSE;
	}
	if (!run(this, quote_op, &data, TRUE))
	{
		DBG1(DBG_PTS, "ratkn: quoting PCRs %s failed",
			 ratkn_pcr_selection_to_str(sel, buf, sizeof(buf)));
		return FALSE;
	}
	DBG2(DBG_PTS, "ratkn: quoted PCRs %s with the AK at TPM handle 0x%08x",
		 ratkn_pcr_selection_to_str(sel, buf, sizeof(buf)), this->ak_handle);
	DBG3(DBG_PTS, "ratkn: quote %B", &data.quote);
	DBG3(DBG_PTS, "ratkn: quote signature %B", &data.signature);
	*quote = data.quote;
	*signature = data.signature;
	*values = data.values;
	return TRUE;
}

/**
 * Data of the read_pcrs operation
 */
typedef struct {
	ratkn_pcr_selection_t *sel;
	ratkn_pcr_values_t *values;
} read_pcrs_t;

CALLBACK(read_pcrs_op, TSS2_RC,
	read_pcrs_t *data, private_ratkn_tpm_t *this)
{
	return read_pcrs_internal(this, data->sel, &data->values);
}

METHOD(ratkn_tpm_t, read_pcrs, bool,
	private_ratkn_tpm_t *this, ratkn_pcr_selection_t *sel,
	ratkn_pcr_values_t **values)
{
	read_pcrs_t data = {
		.sel = sel,
	};

	if (!selection_valid(sel) ||
		!run(this, read_pcrs_op, &data, TRUE))
	{
		return FALSE;
	}
	*values = data.values;
	return TRUE;
}

/**
 * Data of the extend operation
 */
typedef struct {
	uint16_t alg;
	u_int pcr;
	chunk_t digest;
} extend_t;

CALLBACK(extend_op, TSS2_RC,
	extend_t *data, private_ratkn_tpm_t *this)
{
	TPML_DIGEST_VALUES digests = {
		.count = 1,
	};

	digests.digests[0].hashAlg = data->alg;
	memcpy(&digests.digests[0].digest, data->digest.ptr, data->digest.len);
	return check(Esys_PCR_Extend(this->esys, ESYS_TR_PCR0 + data->pcr,
								 ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
								 &digests), "TPM2_PCR_Extend");
}

METHOD(ratkn_tpm_t, extend, bool,
	private_ratkn_tpm_t *this, uint16_t alg, u_int pcr, chunk_t digest)
{
	extend_t data = {
		.alg = alg,
		.pcr = pcr,
		.digest = digest,
	};
	size_t len;

	len = ratkn_pcr_alg_digest_len(alg);
	if (!len || pcr >= RATKN_PCR_COUNT || digest.len != len)
	{
		DBG1(DBG_PTS, "ratkn: invalid PCR extension of %s:%u with %zu octets",
			 ratkn_pcr_alg_name(alg), pcr, digest.len);
		return FALSE;
	}
	/* not retried on a broken connection: the PCR might have been extended
	 * already, and a measurement must not be recorded twice */
	if (!run(this, extend_op, &data, FALSE))
	{
		return FALSE;
	}
	DBG2(DBG_PTS, "ratkn: extended PCR %s:%u with %+B", ratkn_pcr_alg_name(alg),
		 pcr, &digest);
	return TRUE;
}

METHOD(ratkn_tpm_t, destroy, void,
	private_ratkn_tpm_t *this)
{
	disconnect(this);
	this->mutex->destroy(this->mutex);
	free(this->tcti);
	free(this);
}

/*
 * Described in header
 */
ratkn_tpm_t *ratkn_tpm_create(char *tcti, uint32_t ak_handle)
{
	private_ratkn_tpm_t *this;

	INIT(this,
		.public = {
			.quote = _quote,
			.get_ak_public = _get_ak_public,
			.create_ak = _create_ak,
			.read_pcrs = _read_pcrs,
			.extend = _extend,
			.destroy = _destroy,
		},
		.tcti = strdup(tcti ?: RATKN_TPM_TCTI),
		.ak_handle = ak_handle ?: RATKN_TPM_AK_HANDLE,
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);
	return &this->public;
}
