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
#include "ratkn_tcti.h"

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <threading/mutex.h>

/**
 * Failure of ours (not a TPM or TSS error) inside a TPM operation; it is in
 * the ESAPI layer but none of the codes treated as connection failures
 */
#define RC_FAILED TSS2_ESYS_RC_GENERAL_FAILURE

/**
 * The AK we loaded is not the one at its handle anymore (a quote was signed
 * by another key)
 */
#define RC_AK_CHANGED TSS2_ESYS_RC_BAD_TR

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
	 * Timeout of each command in ms, 0 for none
	 */
	u_int timeout;

	/**
	 * TCTI with the timeout providing tcti_ctx, if any
	 */
	ratkn_tcti_t *bounded;

	/**
	 * TCTI with a command that timed out and was not answered yet
	 */
	ratkn_tcti_t *stalled;

	/**
	 * ESAPI context, NULL if not connected
	 */
	ESYS_CONTEXT *esys;

	/**
	 * ESAPI object of the AK, loaded once per connection, ESYS_TR_NONE if not
	 */
	ESYS_TR ak;

	/**
	 * Marshalled TPMT_PUBLIC of the AK, read from the TPM with ak
	 */
	chunk_t ak_public;

	/**
	 * Qualified name of the AK as in its first quote, size 0 before that
	 */
	TPM2B_NAME ak_signer;

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
	/* Esys_Finalize() releases the AK's ESAPI object */
	this->ak = ESYS_TR_NONE;
	chunk_free(&this->ak_public);
	this->ak_signer.size = 0;
	if (this->esys)
	{
		Esys_Finalize(&this->esys);
	}
	if (this->bounded)
	{	/* keep a TCTI with a stalled command to know when it returns */
		if (this->bounded->is_stalled(this->bounded, NULL))
		{
			DESTROY_IF(this->stalled);
			this->stalled = this->bounded;
		}
		else
		{
			this->bounded->destroy(this->bounded);
		}
		this->bounded = NULL;
	}
	else if (this->tcti_ctx)
	{
		Tss2_TctiLdr_Finalize(&this->tcti_ctx);
	}
	this->esys = NULL;
	this->tcti_ctx = NULL;
}

/**
 * Initialize the TCTI, bounded by the timeout if we have one
 */
static TSS2_RC connect_tcti(private_ratkn_tpm_t *this)
{
	u_int since;
	TSS2_RC rc;

	if (!this->timeout)
	{
		return Tss2_TctiLdr_Initialize(this->tcti, &this->tcti_ctx);
	}
	if (this->stalled)
	{
		if (this->stalled->is_stalled(this->stalled, &since))
		{
			DBG1(DBG_PTS, "ratkn: TPM '%s' has not answered a command sent "
				 "%us ago, failing until it does", this->tcti, since);
			return TSS2_TCTI_RC_IO_ERROR;
		}
		DBG1(DBG_PTS, "ratkn: TPM '%s' answered the stalled command, "
			 "connecting again", this->tcti);
		this->stalled->destroy(this->stalled);
		this->stalled = NULL;
	}
	this->bounded = ratkn_tcti_create(this->tcti, this->timeout);
	rc = this->bounded->connect(this->bounded);
	if (rc == TSS2_RC_SUCCESS)
	{
		this->tcti_ctx = this->bounded->get_context(this->bounded);
	}
	return rc;
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
	rc = connect_tcti(this);
	if (rc != TSS2_RC_SUCCESS)
	{
		DBG1(DBG_PTS, "ratkn: connecting to TPM '%s' failed: %s", this->tcti,
			 Tss2_RC_Decode(rc));
		this->tcti_ctx = NULL;
		disconnect(this);
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
		if (!retry || reconnected || this->stalled)
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
 * Get the ESAPI object of the AK (owned by us) and keep it and the AK's
 * public area until the connection is closed or forget_ak() is called
 */
static TSS2_RC get_ak(private_ratkn_tpm_t *this, ESYS_TR *ak)
{
	TSS2_RC rc;

	if (this->ak == ESYS_TR_NONE)
	{
		rc = load_ak(this, &this->ak);
		if (rc != TSS2_RC_SUCCESS)
		{
			this->ak = ESYS_TR_NONE;
			return rc;
		}
		rc = read_public(this, this->ak, &this->ak_public);
		if (rc != TSS2_RC_SUCCESS)
		{
			Esys_TR_Close(this->esys, &this->ak);
			this->ak = ESYS_TR_NONE;
			return rc;
		}
	}
	*ak = this->ak;
	return TSS2_RC_SUCCESS;
}

/**
 * Drop the AK's ESAPI object and public area, e.g. when the AK changed
 */
static void forget_ak(private_ratkn_tpm_t *this)
{
	if (this->ak != ESYS_TR_NONE)
	{
		Esys_TR_Close(this->esys, &this->ak);
		this->ak = ESYS_TR_NONE;
	}
	chunk_free(&this->ak_public);
	this->ak_signer.size = 0;
}

/**
 * Whether the AK we loaded is gone or was replaced: the TPM rejected its
 * handle, or another key signed
 */
static bool is_ak_gone(TSS2_RC rc)
{
	if (rc == RC_AK_CHANGED)
	{
		return TRUE;
	}
	return (rc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER &&
		   (rc & TPM2_RC_FMT1) && (rc & 0xbf) == TPM2_RC_HANDLE;
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
	ESYS_TR ak;
	TSS2_RC rc;

	rc = get_ak(this, &ak);
	if (rc == TSS2_RC_SUCCESS)
	{
		data->ak_public = chunk_clone(this->ak_public);
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
	ESYS_TR ak, out = ESYS_TR_NONE;
	TSS2_RC rc;

	rc = get_ak(this, &ak);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	rc = check(Esys_EvictControl(this->esys, ESYS_TR_RH_OWNER, ak,
								 ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
								 this->ak_handle, &out),
			   "removing the old AK (TPM2_EvictControl)");
	/* ESAPI keeps the resource of the evicted object */
	forget_ak(this);
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

	/* check the TPM itself, the AK might have been changed by someone else */
	forget_ak(this);
	rc = ak_exists(this, &exists);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	if (exists && !data->force)
	{
		DBG1(DBG_PTS, "ratkn: using the existing attestation key at TPM "
			 "handle 0x%08x", this->ak_handle);
		rc = get_ak(this, &ak);
		if (rc == TSS2_RC_SUCCESS)
		{
			data->ak_public = chunk_clone(this->ak_public);
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
	{	/* the AK is loaded once per connection, make sure it is still the
		 * key at its handle, i.e. the one whose public area we provide */
		if (!this->ak_signer.size)
		{
			this->ak_signer = attest.qualifiedSigner;
		}
		else if (!chunk_equals(
					chunk_create(this->ak_signer.name, this->ak_signer.size),
					chunk_create(attest.qualifiedSigner.name,
								 attest.qualifiedSigner.size)))
		{
			DBG1(DBG_PTS, "ratkn: the attestation key at TPM handle 0x%08x "
				 "changed", this->ak_handle);
			rc = RC_AK_CHANGED;
		}
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

/**
 * Quote with the AK, again if the PCRs changed meanwhile
 */
static TSS2_RC quote_attempts(private_ratkn_tpm_t *this, quote_t *data,
							  bool *changed)
{
	ESYS_TR ak;
	TSS2_RC rc;
	int i;

	rc = get_ak(this, &ak);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	for (i = 0; i < QUOTE_ATTEMPTS; i++)
	{
		rc = quote_once(this, ak, data, changed);
		if (rc != TSS2_RC_SUCCESS || !*changed)
		{
			break;
		}
		DBG1(DBG_PTS, "ratkn: PCRs changed while quoting, quoting again");
	}
	return rc;
}

CALLBACK(quote_op, TSS2_RC,
	quote_t *data, private_ratkn_tpm_t *this)
{
	bool changed = FALSE;
	TSS2_RC rc;

	rc = quote_attempts(this, data, &changed);
	if (is_ak_gone(rc))
	{	/* the AK we loaded earlier is gone, look for it again */
		DBG1(DBG_PTS, "ratkn: loading the attestation key at TPM handle "
			 "0x%08x again", this->ak_handle);
		forget_ak(this);
		rc = quote_attempts(this, data, &changed);
	}
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

/**
 * Largest chunk read from an NV index at once
 */
#define NV_READ_MAX 1024

/**
 * Key types of EKs, with the NV index of their certificate and the
 * persistent handle of the TCG provisioning guidance, in order of preference
 */
static const struct {
	/** NV index of the EK certificate (TCG EK Credential Profile) */
	TPM2_HANDLE nv;
	/** persistent handle the EK is usually found at */
	TPM2_HANDLE persistent;
	/** key type */
	TPM2_ALG_ID type;
	/** description */
	char *desc;
} ek_types[] = {
	{ 0x01c00002, 0x81010001, TPM2_ALG_RSA, "RSA 2048" },
	{ 0x01c0000a, 0x81010002, TPM2_ALG_ECC, "ECC NIST P-256" },
};

/**
 * PolicySecret(TPM_RH_ENDORSEMENT) with SHA-256, the authPolicy of the EKs of
 * the TCG default templates (policy A of the EK Credential Profile)
 */
static const uint8_t ek_policy[] = {
	0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8,
	0x1a, 0x90, 0xcc, 0x8d, 0x46, 0xa5, 0xd7, 0x24,
	0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52, 0x0b, 0x64,
	0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa,
};

/**
 * Check whether an object or NV index exists (without provoking TSS error
 * logs)
 */
static TSS2_RC handle_exists(private_ratkn_tpm_t *this, TPM2_HANDLE handle,
							 bool *exists)
{
	TPMS_CAPABILITY_DATA *data = NULL;
	TPMI_YES_NO more;
	TSS2_RC rc;

	rc = check(Esys_GetCapability(this->esys, ESYS_TR_NONE, ESYS_TR_NONE,
								  ESYS_TR_NONE, TPM2_CAP_HANDLES, handle, 1,
								  &more, &data), "TPM2_GetCapability");
	if (rc == TSS2_RC_SUCCESS)
	{
		*exists = data->data.handles.count > 0 &&
				  data->data.handles.handle[0] == handle;
		Esys_Free(data);
	}
	return rc;
}

/**
 * Largest chunk the TPM reads from NV at once, at most NV_READ_MAX
 */
static uint16_t nv_buffer_max(private_ratkn_tpm_t *this)
{
	TPMS_CAPABILITY_DATA *data = NULL;
	TPMI_YES_NO more;
	uint32_t max = 512;

	if (check(Esys_GetCapability(this->esys, ESYS_TR_NONE, ESYS_TR_NONE,
								 ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES,
								 TPM2_PT_NV_BUFFER_MAX, 1, &more, &data),
			  "TPM2_GetCapability") == TSS2_RC_SUCCESS)
	{
		if (data->data.tpmProperties.count > 0 &&
			data->data.tpmProperties.tpmProperty[0].property ==
												TPM2_PT_NV_BUFFER_MAX &&
			data->data.tpmProperties.tpmProperty[0].value > 0)
		{
			max = data->data.tpmProperties.tpmProperty[0].value;
		}
		Esys_Free(data);
	}
	return min(max, NV_READ_MAX);
}

/**
 * Read the contents of an NV index, authorized with the index itself or the
 * owner (empty authorization values) as its attributes allow
 */
static TSS2_RC read_nv(private_ratkn_tpm_t *this, TPM2_HANDLE index,
					   chunk_t *out)
{
	TPM2B_NV_PUBLIC *pub = NULL;
	TPM2B_MAX_NV_BUFFER *part = NULL;
	ESYS_TR nv = ESYS_TR_NONE, auth;
	TPMA_NV attributes;
	uint16_t size, offset = 0, max, len;
	chunk_t data;
	TSS2_RC rc;

	rc = check(Esys_TR_FromTPMPublic(this->esys, index, ESYS_TR_NONE,
									 ESYS_TR_NONE, ESYS_TR_NONE, &nv),
			   "loading the NV index (Esys_TR_FromTPMPublic)");
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	rc = check(Esys_NV_ReadPublic(this->esys, nv, ESYS_TR_NONE, ESYS_TR_NONE,
								  ESYS_TR_NONE, &pub, NULL),
			   "TPM2_NV_ReadPublic");
	if (rc != TSS2_RC_SUCCESS)
	{
		Esys_TR_Close(this->esys, &nv);
		return rc;
	}
	attributes = pub->nvPublic.attributes;
	size = pub->nvPublic.dataSize;
	Esys_Free(pub);

	if (!(attributes & TPMA_NV_WRITTEN) || !size)
	{
		DBG1(DBG_PTS, "ratkn: NV index 0x%08x is empty", index);
		Esys_TR_Close(this->esys, &nv);
		return RC_FAILED;
	}
	if (attributes & TPMA_NV_AUTHREAD)
	{
		auth = nv;
	}
	else if (attributes & TPMA_NV_OWNERREAD)
	{
		auth = ESYS_TR_RH_OWNER;
	}
	else
	{
		DBG1(DBG_PTS, "ratkn: NV index 0x%08x can be read neither with its "
			 "own nor with owner authorization", index);
		Esys_TR_Close(this->esys, &nv);
		return RC_FAILED;
	}
	max = nv_buffer_max(this);
	data = chunk_alloc(size);
	while (offset < size)
	{
		len = min(max, size - offset);
		rc = check(Esys_NV_Read(this->esys, auth, nv, ESYS_TR_PASSWORD,
								ESYS_TR_NONE, ESYS_TR_NONE, len, offset,
								&part), "TPM2_NV_Read");
		if (rc != TSS2_RC_SUCCESS)
		{
			break;
		}
		if (part->size != len)
		{
			DBG1(DBG_PTS, "ratkn: TPM2_NV_Read returned %u instead of %u "
				 "octets", part->size, len);
			Esys_Free(part);
			rc = RC_FAILED;
			break;
		}
		memcpy(data.ptr + offset, part->buffer, len);
		Esys_Free(part);
		offset += len;
	}
	Esys_TR_Close(this->esys, &nv);
	if (rc != TSS2_RC_SUCCESS)
	{
		chunk_free(&data);
		return rc;
	}
	*out = data;
	return TSS2_RC_SUCCESS;
}

/**
 * Read the EK certificate of the first EK type found, sets the index into
 * ek_types; NV indices are often larger than the certificate they hold, so
 * the certificate is cut to its DER length
 */
static TSS2_RC read_ek_cert(private_ratkn_tpm_t *this, chunk_t *cert,
							X509 **x509, int *type)
{
	const u_char *pos;
	bool exists = FALSE;
	chunk_t data;
	TSS2_RC rc;
	int i;

	for (i = 0; i < countof(ek_types); i++)
	{
		rc = handle_exists(this, ek_types[i].nv, &exists);
		if (rc != TSS2_RC_SUCCESS)
		{
			return rc;
		}
		if (exists)
		{
			break;
		}
	}
	if (!exists)
	{
		DBG1(DBG_PTS, "ratkn: TPM has no EK certificate (NV index 0x%08x "
			 "for RSA 2048 or 0x%08x for ECC NIST P-256)", ek_types[0].nv,
			 ek_types[1].nv);
		return RC_FAILED;
	}
	rc = read_nv(this, ek_types[i].nv, &data);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	pos = data.ptr;
	*x509 = d2i_X509(NULL, &pos, data.len);
	if (!*x509)
	{
		DBG1(DBG_PTS, "ratkn: NV index 0x%08x holds no valid DER "
			 "certificate", ek_types[i].nv);
		ERR_clear_error();
		chunk_free(&data);
		return RC_FAILED;
	}
	*cert = chunk_clone(chunk_create(data.ptr, pos - data.ptr));
	chunk_free(&data);
	*type = i;
	DBG2(DBG_PTS, "ratkn: read %s EK certificate of %zu octets from NV index "
		 "0x%08x", ek_types[i].desc, cert->len, ek_types[i].nv);
	return TSS2_RC_SUCCESS;
}

/**
 * TCG default EK template L-1 (RSA 2048) or L-2 (ECC NIST P-256): restricted
 * decryption key, AES-128 CFB, SHA-256, policy PolicySecret(endorsement)
 */
static void ek_template(TPM2_ALG_ID type, TPM2B_PUBLIC *tmpl)
{
	TPMT_PUBLIC *pub = &tmpl->publicArea;

	memset(tmpl, 0, sizeof(*tmpl));
	pub->type = type;
	pub->nameAlg = TPM2_ALG_SHA256;
	pub->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
							TPMA_OBJECT_SENSITIVEDATAORIGIN |
							TPMA_OBJECT_ADMINWITHPOLICY |
							TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
	pub->authPolicy.size = sizeof(ek_policy);
	memcpy(pub->authPolicy.buffer, ek_policy, sizeof(ek_policy));
	if (type == TPM2_ALG_RSA)
	{
		pub->parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_AES;
		pub->parameters.rsaDetail.symmetric.keyBits.aes = 128;
		pub->parameters.rsaDetail.symmetric.mode.aes = TPM2_ALG_CFB;
		pub->parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
		pub->parameters.rsaDetail.keyBits = 2048;
		pub->parameters.rsaDetail.exponent = 0;
		pub->unique.rsa.size = 256;
	}
	else
	{
		pub->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
		pub->parameters.eccDetail.symmetric.keyBits.aes = 128;
		pub->parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
		pub->parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
		pub->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
		pub->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
		pub->unique.ecc.x.size = 32;
		pub->unique.ecc.y.size = 32;
	}
}

/**
 * Compare a big number of a key with a TPM buffer
 */
static bool bn_equals(EVP_PKEY *key, const char *param, uint8_t *buf,
					  uint16_t size)
{
	uint8_t bin[TPM2_MAX_RSA_KEY_BYTES];
	BIGNUM *bn = NULL;
	bool ok;

	ok = size <= sizeof(bin) &&
		 EVP_PKEY_get_bn_param(key, param, &bn) == 1 &&
		 BN_bn2binpad(bn, bin, size) == size && memeq(bin, buf, size);
	BN_free(bn);
	ERR_clear_error();
	return ok;
}

/**
 * Check whether a public area is that of a certificate's key
 */
static bool public_matches(TPMT_PUBLIC *pub, EVP_PKEY *key)
{
	char group[64];
	BIGNUM *e = NULL;
	bool ok = FALSE;

	switch (pub->type)
	{
		case TPM2_ALG_RSA:
			if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA ||
				EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) != 1)
			{
				break;
			}
			ok = BN_get_word(e) == (pub->parameters.rsaDetail.exponent ?: 65537)
				 && bn_equals(key, OSSL_PKEY_PARAM_RSA_N,
							  pub->unique.rsa.buffer, pub->unique.rsa.size);
			BN_free(e);
			break;
		case TPM2_ALG_ECC:
			ok = EVP_PKEY_get_base_id(key) == EVP_PKEY_EC &&
				 pub->parameters.eccDetail.curveID == TPM2_ECC_NIST_P256 &&
				 EVP_PKEY_get_group_name(key, group, sizeof(group),
										 NULL) == 1 &&
				 (streq(group, "prime256v1") || streq(group, "P-256")) &&
				 bn_equals(key, OSSL_PKEY_PARAM_EC_PUB_X,
						   pub->unique.ecc.x.buffer, pub->unique.ecc.x.size) &&
				 bn_equals(key, OSSL_PKEY_PARAM_EC_PUB_Y,
						   pub->unique.ecc.y.buffer, pub->unique.ecc.y.size);
			break;
		default:
			break;
	}
	ERR_clear_error();
	return ok;
}

/**
 * Check whether a public area comes from a template (apart from unique)
 */
static bool public_from_template(TPMT_PUBLIC *pub, TPM2B_PUBLIC *tmpl)
{
	TPMT_PUBLIC a = *pub, b = tmpl->publicArea;
	chunk_t ma = chunk_empty, mb = chunk_empty;
	bool equal;

	memset(&a.unique, 0, sizeof(a.unique));
	memset(&b.unique, 0, sizeof(b.unique));
	equal = marshal_public(&a, &ma) == TSS2_RC_SUCCESS &&
			marshal_public(&b, &mb) == TSS2_RC_SUCCESS &&
			chunk_equals(ma, mb);
	chunk_free(&ma);
	chunk_free(&mb);
	return equal;
}

/**
 * The EK of the TPM, matching its certificate
 */
typedef struct {
	/** DER certificate */
	chunk_t cert;
	/** ESYS_TR of the EK */
	ESYS_TR handle;
	/** whether the EK is transient (to flush) or persistent (to close) */
	bool transient;
	/** public area */
	TPMT_PUBLIC pub;
} ek_t;

/**
 * Release the EK (but not the certificate)
 */
static void release_ek(private_ratkn_tpm_t *this, ek_t *ek)
{
	if (ek->handle == ESYS_TR_NONE)
	{
		return;
	}
	if (ek->transient)
	{
		check(Esys_FlushContext(this->esys, ek->handle),
			  "flushing the EK (TPM2_FlushContext)");
	}
	else
	{
		Esys_TR_Close(this->esys, &ek->handle);
	}
	ek->handle = ESYS_TR_NONE;
}

/**
 * Use the EK at its persistent handle if it is the EK of the certificate and
 * comes from the default template
 */
static TSS2_RC load_persistent_ek(private_ratkn_tpm_t *this, int type,
								  EVP_PKEY *key, TPM2B_PUBLIC *tmpl, ek_t *ek)
{
	TPM2B_PUBLIC *pub = NULL;
	ESYS_TR handle = ESYS_TR_NONE;
	bool exists = FALSE;
	TSS2_RC rc;

	if (ek_types[type].persistent == this->ak_handle)
	{	/* 0x81010002 is the handle of the ECC EK and our default AK handle;
		 * ESAPI would hand out the AK's ESYS_TR */
		DBG2(DBG_PTS, "ratkn: TPM handle 0x%08x is the AK handle, not looking "
			 "for the EK there", this->ak_handle);
		return TSS2_RC_SUCCESS;
	}
	rc = handle_exists(this, ek_types[type].persistent, &exists);
	if (rc != TSS2_RC_SUCCESS || !exists)
	{
		return rc;
	}
	rc = check(Esys_TR_FromTPMPublic(this->esys, ek_types[type].persistent,
									 ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
									 &handle),
			   "loading the EK (Esys_TR_FromTPMPublic)");
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	rc = check(Esys_ReadPublic(this->esys, handle, ESYS_TR_NONE, ESYS_TR_NONE,
							   ESYS_TR_NONE, &pub, NULL, NULL),
			   "TPM2_ReadPublic");
	if (rc != TSS2_RC_SUCCESS)
	{
		Esys_TR_Close(this->esys, &handle);
		return rc;
	}
	if (public_from_template(&pub->publicArea, tmpl) &&
		public_matches(&pub->publicArea, key))
	{
		DBG2(DBG_PTS, "ratkn: using the EK at TPM handle 0x%08x",
			 ek_types[type].persistent);
		ek->handle = handle;
		ek->transient = FALSE;
		ek->pub = pub->publicArea;
	}
	else
	{
		DBG2(DBG_PTS, "ratkn: the key at TPM handle 0x%08x is not the EK of "
			 "the certificate", ek_types[type].persistent);
		Esys_TR_Close(this->esys, &handle);
	}
	Esys_Free(pub);
	return TSS2_RC_SUCCESS;
}

/**
 * Create the EK from the default template as a transient primary key
 */
static TSS2_RC create_ek(private_ratkn_tpm_t *this, int type, EVP_PKEY *key,
						 TPM2B_PUBLIC *tmpl, ek_t *ek)
{
	TPM2B_SENSITIVE_CREATE sensitive = {};
	TPM2B_DATA outside = {};
	TPML_PCR_SELECTION creation_pcrs = {};
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_CREATION_DATA *creation_data = NULL;
	TPM2B_DIGEST *creation_hash = NULL;
	TPMT_TK_CREATION *creation_ticket = NULL;
	ESYS_TR handle = ESYS_TR_NONE;
	TSS2_RC rc;

	rc = check(Esys_CreatePrimary(this->esys, ESYS_TR_RH_ENDORSEMENT,
								  ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
								  &sensitive, tmpl, &outside, &creation_pcrs,
								  &handle, &pub, &creation_data,
								  &creation_hash, &creation_ticket),
			   "creating the EK (TPM2_CreatePrimary)");
	Esys_Free(creation_data);
	Esys_Free(creation_hash);
	Esys_Free(creation_ticket);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	ek->handle = handle;
	ek->transient = TRUE;
	ek->pub = pub->publicArea;
	Esys_Free(pub);
	if (!public_matches(&ek->pub, key))
	{
		DBG1(DBG_PTS, "ratkn: the %s EK created from the TCG default "
			 "template does not have the key of the EK certificate",
			 ek_types[type].desc);
		release_ek(this, ek);
		return RC_FAILED;
	}
	DBG2(DBG_PTS, "ratkn: created the %s EK from the TCG default template",
		 ek_types[type].desc);
	return TSS2_RC_SUCCESS;
}

/**
 * Find the EK of the TPM: the certificate, and the key at its persistent
 * handle or created from the default template
 */
static TSS2_RC find_ek(private_ratkn_tpm_t *this, ek_t *ek)
{
	TPM2B_PUBLIC tmpl;
	EVP_PKEY *key;
	X509 *x509 = NULL;
	TSS2_RC rc;
	int type;

	*ek = (ek_t){
		.handle = ESYS_TR_NONE,
	};
	rc = read_ek_cert(this, &ek->cert, &x509, &type);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	key = X509_get0_pubkey(x509);
	if (!key)
	{
		DBG1(DBG_PTS, "ratkn: EK certificate has an invalid public key");
		rc = RC_FAILED;
	}
	else
	{
		ek_template(ek_types[type].type, &tmpl);
		rc = load_persistent_ek(this, type, key, &tmpl, ek);
		if (rc == TSS2_RC_SUCCESS && ek->handle == ESYS_TR_NONE)
		{
			rc = create_ek(this, type, key, &tmpl, ek);
		}
	}
	ERR_clear_error();
	X509_free(x509);
	if (rc != TSS2_RC_SUCCESS)
	{
		chunk_free(&ek->cert);
	}
	return rc;
}

/**
 * Data of the get_ek operation
 */
typedef struct {
	chunk_t ek_cert;
	chunk_t ek_public;
} get_ek_t;

CALLBACK(get_ek_op, TSS2_RC,
	get_ek_t *data, private_ratkn_tpm_t *this)
{
	ek_t ek;
	TSS2_RC rc;

	rc = find_ek(this, &ek);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	rc = marshal_public(&ek.pub, &data->ek_public);
	release_ek(this, &ek);
	if (rc == TSS2_RC_SUCCESS)
	{
		data->ek_cert = ek.cert;
	}
	else
	{
		chunk_free(&ek.cert);
	}
	return rc;
}

METHOD(ratkn_tpm_t, get_ek, bool,
	private_ratkn_tpm_t *this, chunk_t *ek_cert, chunk_t *ek_public)
{
	get_ek_t data = {};

	if (!run(this, get_ek_op, &data, TRUE))
	{
		DBG1(DBG_PTS, "ratkn: reading the EK and its certificate failed");
		return FALSE;
	}
	*ek_cert = data.ek_cert;
	*ek_public = data.ek_public;
	return TRUE;
}

/**
 * Data of the activate_credential operation
 */
typedef struct {
	TPM2B_ID_OBJECT blob;
	TPM2B_ENCRYPTED_SECRET encrypted;
	chunk_t secret;
} activate_t;

/**
 * Start a policy session satisfying the EK's policy
 */
static TSS2_RC ek_session(private_ratkn_tpm_t *this, ESYS_TR *session)
{
	TPMT_SYM_DEF symmetric = {
		.algorithm = TPM2_ALG_NULL,
	};
	TPM2B_TIMEOUT *timeout = NULL;
	TPMT_TK_AUTH *ticket = NULL;
	TSS2_RC rc;

	rc = check(Esys_StartAuthSession(this->esys, ESYS_TR_NONE, ESYS_TR_NONE,
									 ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
									 NULL, TPM2_SE_POLICY, &symmetric,
									 TPM2_ALG_SHA256, session),
			   "starting a policy session (TPM2_StartAuthSession)");
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	rc = check(Esys_PolicySecret(this->esys, ESYS_TR_RH_ENDORSEMENT, *session,
								 ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
								 NULL, NULL, NULL, 0, &timeout, &ticket),
			   "TPM2_PolicySecret(TPM_RH_ENDORSEMENT)");
	Esys_Free(timeout);
	Esys_Free(ticket);
	if (rc != TSS2_RC_SUCCESS)
	{
		check(Esys_FlushContext(this->esys, *session),
			  "flushing the policy session (TPM2_FlushContext)");
		*session = ESYS_TR_NONE;
	}
	return rc;
}

CALLBACK(activate_op, TSS2_RC,
	activate_t *data, private_ratkn_tpm_t *this)
{
	ESYS_TR ak, session = ESYS_TR_NONE;
	TPM2B_DIGEST *cert_info = NULL;
	ek_t ek;
	TSS2_RC rc;

	rc = get_ak(this, &ak);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	rc = find_ek(this, &ek);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	chunk_free(&ek.cert);
	rc = ek_session(this, &session);
	if (rc == TSS2_RC_SUCCESS)
	{
		rc = check(Esys_ActivateCredential(this->esys, ak, ek.handle,
									ESYS_TR_PASSWORD, session, ESYS_TR_NONE,
									&data->blob, &data->encrypted, &cert_info),
				   "TPM2_ActivateCredential");
		check(Esys_FlushContext(this->esys, session),
			  "flushing the policy session (TPM2_FlushContext)");
	}
	if (rc == TSS2_RC_SUCCESS)
	{
		data->secret = chunk_clone(chunk_create(cert_info->buffer,
												cert_info->size));
		memwipe(cert_info, sizeof(*cert_info));
		Esys_Free(cert_info);
	}
	release_ek(this, &ek);
	return rc;
}

METHOD(ratkn_tpm_t, activate_credential, bool,
	private_ratkn_tpm_t *this, chunk_t blob, chunk_t encrypted,
	chunk_t *secret)
{
	activate_t data = {};
	size_t offset = 0;
	bool ok;

	if (Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(blob.ptr, blob.len, &offset,
										  &data.blob) != TSS2_RC_SUCCESS ||
		offset != blob.len)
	{
		DBG1(DBG_PTS, "ratkn: invalid credential blob (TPM2B_ID_OBJECT) of "
			 "%zu octets", blob.len);
		return FALSE;
	}
	offset = 0;
	if (Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(encrypted.ptr, encrypted.len,
							&offset, &data.encrypted) != TSS2_RC_SUCCESS ||
		offset != encrypted.len)
	{
		DBG1(DBG_PTS, "ratkn: invalid encrypted secret "
			 "(TPM2B_ENCRYPTED_SECRET) of %zu octets", encrypted.len);
		return FALSE;
	}
	ok = run(this, activate_op, &data, TRUE);
	if (ok)
	{
		DBG2(DBG_PTS, "ratkn: activated a credential of %zu octets for the "
			 "AK at TPM handle 0x%08x", data.secret.len, this->ak_handle);
		*secret = data.secret;
	}
	else
	{
		DBG1(DBG_PTS, "ratkn: activating the credential for the AK at TPM "
			 "handle 0x%08x failed", this->ak_handle);
	}
	memwipe(&data, sizeof(data));
	return ok;
}

/**
 * Largest entropy put into the unique field of an ECDH key template
 */
#define ECDH_ENTROPY_MAX 32

/**
 * Data of the ECDH key operations
 */
typedef struct {
	uint16_t curve;
	chunk_t entropy;
	chunk_t expected;
	chunk_t tpm_public;
	chunk_t point;
	chunk_t z;
	chunk_t qualifying;
	chunk_t attest;
	chunk_t signature;
} ecdh_t;

/**
 * Template of an ECDH key: a decryption-only ECC key bound to this TPM
 */
static void ecdh_template(uint16_t curve, chunk_t entropy, TPM2B_PUBLIC *tmpl)
{
	TPMT_PUBLIC *pub = &tmpl->publicArea;

	memset(tmpl, 0, sizeof(*tmpl));
	pub->type = TPM2_ALG_ECC;
	pub->nameAlg = TPM2_ALG_SHA256;
	pub->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
							TPMA_OBJECT_SENSITIVEDATAORIGIN |
							TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA |
							TPMA_OBJECT_DECRYPT;
	pub->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	pub->parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
	pub->parameters.eccDetail.curveID = curve;
	pub->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	pub->unique.ecc.x.size = entropy.len;
	memcpy(pub->unique.ecc.x.buffer, entropy.ptr, entropy.len);
}

/**
 * Derive the ECDH key in the null hierarchy; if data->expected is set, the
 * key must have that public area (else the TPM was reset meanwhile). The
 * caller flushes *key. If hash and ticket are given, they receive the
 * creation hash and ticket (Esys_Free() them).
 */
static TSS2_RC load_ecdh(private_ratkn_tpm_t *this, ecdh_t *data, ESYS_TR *key,
						 TPM2B_DIGEST **hash, TPMT_TK_CREATION **ticket_out)
{
	TPM2B_SENSITIVE_CREATE sensitive = {};
	TPM2B_PUBLIC tmpl, *pub = NULL;
	TPM2B_DATA outside = {};
	TPML_PCR_SELECTION pcrs = {};
	TPM2B_CREATION_DATA *creation = NULL;
	TPM2B_DIGEST *creation_hash = NULL;
	TPMT_TK_CREATION *ticket = NULL;
	chunk_t tpm_public = chunk_empty;
	TSS2_RC rc;

	ecdh_template(data->curve, data->entropy, &tmpl);
	rc = check(Esys_CreatePrimary(this->esys, ESYS_TR_RH_NULL,
						ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
						&sensitive, &tmpl, &outside, &pcrs, key, &pub,
						&creation, &creation_hash, &ticket),
			   "TPM2_CreatePrimary (ECDH key)");
	Esys_Free(creation);
	if (rc == TSS2_RC_SUCCESS && hash && ticket_out)
	{
		*hash = creation_hash;
		*ticket_out = ticket;
	}
	else
	{
		Esys_Free(creation_hash);
		Esys_Free(ticket);
	}
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	rc = marshal_public(&pub->publicArea, &tpm_public);
	Esys_Free(pub);
	if (rc == TSS2_RC_SUCCESS && data->expected.len &&
		!chunk_equals(tpm_public, data->expected))
	{
		DBG1(DBG_PTS, "ratkn: the TPM derived another ECDH key than before "
			 "(was it reset?)");
		rc = RC_FAILED;
	}
	if (rc != TSS2_RC_SUCCESS)
	{
		chunk_free(&tpm_public);
		check(Esys_FlushContext(this->esys, *key),
			  "flushing the ECDH key (TPM2_FlushContext)");
		*key = ESYS_TR_NONE;
		if (hash && ticket_out)
		{
			Esys_Free(*hash);
			Esys_Free(*ticket_out);
			*hash = NULL;
			*ticket_out = NULL;
		}
		return rc;
	}
	if (data->expected.len)
	{
		chunk_free(&tpm_public);
	}
	else
	{
		data->tpm_public = tpm_public;
	}
	return TSS2_RC_SUCCESS;
}

/**
 * Flush the ECDH key, keeping an earlier error
 */
static TSS2_RC flush_ecdh(private_ratkn_tpm_t *this, ESYS_TR key, TSS2_RC rc)
{
	TSS2_RC flushed;

	flushed = check(Esys_FlushContext(this->esys, key),
					"flushing the ECDH key (TPM2_FlushContext)");
	return rc == TSS2_RC_SUCCESS ? flushed : rc;
}

CALLBACK(create_ecdh_op, TSS2_RC,
	ecdh_t *data, private_ratkn_tpm_t *this)
{
	ESYS_TR key;
	TSS2_RC rc;

	rc = load_ecdh(this, data, &key, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	return flush_ecdh(this, key, rc);
}

/**
 * Check the entropy of an ECDH key operation
 */
static bool ecdh_args_valid(uint16_t curve, chunk_t entropy)
{
	if (curve != TPM2_ECC_NIST_P256 && curve != TPM2_ECC_NIST_P384)
	{
		DBG1(DBG_PTS, "ratkn: TPM ECDH keys are P-256 or P-384, not curve "
			 "0x%04x", curve);
		return FALSE;
	}
	if (!entropy.len || entropy.len > ECDH_ENTROPY_MAX)
	{
		DBG1(DBG_PTS, "ratkn: ECDH key entropy of %zu octets (1 to %d)",
			 entropy.len, ECDH_ENTROPY_MAX);
		return FALSE;
	}
	return TRUE;
}

METHOD(ratkn_tpm_t, create_ecdh, bool,
	private_ratkn_tpm_t *this, uint16_t curve, chunk_t entropy,
	chunk_t *tpm_public)
{
	ecdh_t data = {
		.curve = curve,
		.entropy = entropy,
	};

	if (!ecdh_args_valid(curve, entropy))
	{
		return FALSE;
	}
	if (!run(this, create_ecdh_op, &data, TRUE))
	{
		DBG1(DBG_PTS, "ratkn: creating an ECDH key in the TPM failed");
		return FALSE;
	}
	*tpm_public = data.tpm_public;
	return TRUE;
}

/**
 * Get the curve of a marshalled TPMT_PUBLIC of an ECDH key
 */
static bool ecdh_curve(chunk_t tpm_public, uint16_t *curve)
{
	TPMT_PUBLIC pub = {};
	size_t offset = 0;

	if (Tss2_MU_TPMT_PUBLIC_Unmarshal(tpm_public.ptr, tpm_public.len, &offset,
									  &pub) != TSS2_RC_SUCCESS ||
		offset != tpm_public.len || pub.type != TPM2_ALG_ECC)
	{
		DBG1(DBG_PTS, "ratkn: not the public area of a TPM ECDH key");
		return FALSE;
	}
	*curve = pub.parameters.eccDetail.curveID;
	return TRUE;
}

/**
 * Copy a coordinate into a TPM2B_ECC_PARAMETER
 */
static void set_coordinate(TPM2B_ECC_PARAMETER *param, chunk_t value)
{
	param->size = value.len;
	memcpy(param->buffer, value.ptr, value.len);
}

CALLBACK(zgen_op, TSS2_RC,
	ecdh_t *data, private_ratkn_tpm_t *this)
{
	TPM2B_ECC_POINT in = {}, *out = NULL;
	size_t field = data->point.len / 2;
	ESYS_TR key;
	TSS2_RC rc;

	rc = load_ecdh(this, data, &key, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	set_coordinate(&in.point.x, chunk_create(data->point.ptr, field));
	set_coordinate(&in.point.y, chunk_create(data->point.ptr + field, field));
	rc = check(Esys_ECDH_ZGen(this->esys, key, ESYS_TR_PASSWORD, ESYS_TR_NONE,
							  ESYS_TR_NONE, &in, &out), "TPM2_ECDH_ZGen");
	if (rc == TSS2_RC_SUCCESS)
	{
		if (out->point.x.size > field || !out->point.x.size)
		{
			DBG1(DBG_PTS, "ratkn: TPM2_ECDH_ZGen returned a coordinate of "
				 "%u octets", out->point.x.size);
			rc = RC_FAILED;
		}
		else
		{	/* left-pad to the field size, as for a software ECDH */
			data->z = chunk_alloc(field);
			memset(data->z.ptr, 0, field - out->point.x.size);
			memcpy(data->z.ptr + field - out->point.x.size,
				   out->point.x.buffer, out->point.x.size);
		}
		memwipe(out, sizeof(*out));
		Esys_Free(out);
	}
	return flush_ecdh(this, key, rc);
}

METHOD(ratkn_tpm_t, ecdh_zgen, bool,
	private_ratkn_tpm_t *this, chunk_t tpm_public, chunk_t entropy,
	chunk_t point, chunk_t *z)
{
	ecdh_t data = {
		.entropy = entropy,
		.expected = tpm_public,
		.point = point,
	};

	if (!tpm_public.len || !ecdh_curve(tpm_public, &data.curve) ||
		!ecdh_args_valid(data.curve, entropy))
	{
		return FALSE;
	}
	if (point.len != (data.curve == TPM2_ECC_NIST_P256 ? 64 : 96))
	{
		DBG1(DBG_PTS, "ratkn: peer's ECDH point has %zu octets", point.len);
		return FALSE;
	}
	if (!run(this, zgen_op, &data, TRUE))
	{
		DBG1(DBG_PTS, "ratkn: ECDH with the TPM-resident key failed");
		chunk_clear(&data.z);
		return FALSE;
	}
	*z = data.z;
	return TRUE;
}

/**
 * Certify the creation of the ECDH key with the AK: TPM2_CertifyCreation,
 * whose creation ticket only the TPM that created the key can produce (a
 * TPM2_Certify would also certify a public key loaded from outside with
 * TPM2_LoadExternal, which may claim fixedTPM)
 */
static TSS2_RC certify_once(private_ratkn_tpm_t *this, ecdh_t *data)
{
	TPM2B_DATA qualifying = {};
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
	TPM2B_DIGEST *creation_hash = NULL;
	TPMT_TK_CREATION *ticket = NULL;
	TPM2B_ATTEST *info = NULL;
	TPMT_SIGNATURE *sig = NULL;
	uint8_t buf[sizeof(TPMT_SIGNATURE)];
	size_t offset = 0;
	ESYS_TR ak, key;
	TSS2_RC rc;

	rc = get_ak(this, &ak);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	rc = load_ecdh(this, data, &key, &creation_hash, &ticket);
	if (rc != TSS2_RC_SUCCESS)
	{
		return rc;
	}
	qualifying.size = data->qualifying.len;
	if (data->qualifying.len)
	{
		memcpy(qualifying.buffer, data->qualifying.ptr, data->qualifying.len);
	}
	rc = check(Esys_CertifyCreation(this->esys, ak, key, ESYS_TR_PASSWORD,
							ESYS_TR_NONE, ESYS_TR_NONE, &qualifying,
							creation_hash, &scheme, ticket, &info, &sig),
			   "TPM2_CertifyCreation");
	Esys_Free(creation_hash);
	Esys_Free(ticket);
	if (rc == TSS2_RC_SUCCESS)
	{
		rc = check(Tss2_MU_TPMT_SIGNATURE_Marshal(sig, buf, sizeof(buf),
												  &offset),
				   "marshalling the certification signature");
	}
	if (rc == TSS2_RC_SUCCESS)
	{
		data->attest = chunk_clone(chunk_create(info->attestationData,
												info->size));
		data->signature = chunk_clone(chunk_create(buf, offset));
	}
	Esys_Free(info);
	Esys_Free(sig);
	return flush_ecdh(this, key, rc);
}

CALLBACK(certify_op, TSS2_RC,
	ecdh_t *data, private_ratkn_tpm_t *this)
{
	TSS2_RC rc;

	rc = certify_once(this, data);
	if (is_ak_gone(rc))
	{
		DBG1(DBG_PTS, "ratkn: loading the attestation key at TPM handle "
			 "0x%08x again", this->ak_handle);
		forget_ak(this);
		chunk_free(&data->attest);
		chunk_free(&data->signature);
		rc = certify_once(this, data);
	}
	if (rc != TSS2_RC_SUCCESS)
	{
		chunk_free(&data->attest);
		chunk_free(&data->signature);
	}
	return rc;
}

METHOD(ratkn_tpm_t, certify_ecdh, bool,
	private_ratkn_tpm_t *this, chunk_t tpm_public, chunk_t entropy,
	chunk_t qualifying, chunk_t *attest, chunk_t *signature)
{
	ecdh_t data = {
		.entropy = entropy,
		.expected = tpm_public,
		.qualifying = qualifying,
	};

	if (!tpm_public.len || !ecdh_curve(tpm_public, &data.curve) ||
		!ecdh_args_valid(data.curve, entropy))
	{
		return FALSE;
	}
	if (qualifying.len > sizeof(TPMU_HA))
	{
		DBG1(DBG_PTS, "ratkn: qualifying data of %zu octets is too long "
			 "(at most %zu)", qualifying.len, sizeof(TPMU_HA));
		return FALSE;
	}
	if (!run(this, certify_op, &data, TRUE))
	{
		DBG1(DBG_PTS, "ratkn: certifying the TPM-resident ECDH key with the "
			 "AK at TPM handle 0x%08x failed", this->ak_handle);
		return FALSE;
	}
	DBG2(DBG_PTS, "ratkn: certified the TPM-resident ECDH key with the AK "
		 "at TPM handle 0x%08x", this->ak_handle);
	*attest = data.attest;
	*signature = data.signature;
	return TRUE;
}

METHOD(ratkn_tpm_t, set_timeout, void,
	private_ratkn_tpm_t *this, u_int timeout)
{
	this->mutex->lock(this->mutex);
	if (this->timeout != timeout)
	{
		disconnect(this);
		this->timeout = timeout;
	}
	this->mutex->unlock(this->mutex);
}

METHOD(ratkn_tpm_t, destroy, void,
	private_ratkn_tpm_t *this)
{
	disconnect(this);
	DESTROY_IF(this->stalled);
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
			.get_ek = _get_ek,
			.activate_credential = _activate_credential,
			.create_ecdh = _create_ecdh,
			.ecdh_zgen = _ecdh_zgen,
			.certify_ecdh = _certify_ecdh,
			.set_timeout = _set_timeout,
			.destroy = _destroy,
		},
		.tcti = strdup(tcti ?: RATKN_TPM_TCTI),
		.ak_handle = ak_handle ?: RATKN_TPM_AK_HANDLE,
		.ak = ESYS_TR_NONE,
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);
	return &this->public;
}
