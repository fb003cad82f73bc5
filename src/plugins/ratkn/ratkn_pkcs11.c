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

#include "ratkn_pkcs11.h"

#include <dlfcn.h>

#include <threading/mutex.h>

/* p11-kit's header defines many lowercase compatibility macros, include it
 * after everything else */
#include <p11-kit/pkcs11.h>

/**
 * Length of an AES-256 CMK
 */
#define CMK_LEN 32

typedef struct private_ratkn_pkcs11_t private_ratkn_pkcs11_t;

/**
 * Private data of a ratkn_pkcs11_t object.
 */
struct private_ratkn_pkcs11_t {

	/**
	 * Public interface.
	 */
	ratkn_pkcs11_t public;

	/**
	 * dlopen() handle of the module
	 */
	void *handle;

	/**
	 * Function list of the module
	 */
	CK_FUNCTION_LIST_PTR f;

	/**
	 * Did we C_Initialize() the module (and must C_Finalize() it)
	 */
	bool initialized;

	/**
	 * Did we log in (and must log out)
	 */
	bool logged_in;

	/**
	 * Session with the token, CK_INVALID_HANDLE if none
	 */
	CK_SESSION_HANDLE session;

	/**
	 * Serializes use of the session
	 */
	mutex_t *mutex;
};

/**
 * Log a failed PKCS#11 call
 */
static void log_rv(char *what, CK_RV rv)
{
	DBG1(DBG_LIB, "ratkn: PKCS#11 %s failed: 0x%08lx", what,
		 (unsigned long)rv);
}

/**
 * Find the single secret key with a label, CK_INVALID_HANDLE if none
 */
static CK_OBJECT_HANDLE find_key(private_ratkn_pkcs11_t *this, char *label)
{
	CK_OBJECT_CLASS class = CKO_SECRET_KEY;
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &class, sizeof(class) },
		{ CKA_LABEL, label, strlen(label) },
	};
	CK_OBJECT_HANDLE found[2];
	CK_ULONG count = 0;
	CK_RV rv;

	rv = this->f->C_FindObjectsInit(this->session, tmpl, countof(tmpl));
	if (rv != CKR_OK)
	{
		log_rv("C_FindObjectsInit", rv);
		return CK_INVALID_HANDLE;
	}
	rv = this->f->C_FindObjects(this->session, found, countof(found), &count);
	this->f->C_FindObjectsFinal(this->session);
	if (rv != CKR_OK)
	{
		log_rv("C_FindObjects", rv);
		return CK_INVALID_HANDLE;
	}
	if (count > 1)
	{
		DBG1(DBG_LIB, "ratkn: more than one key labelled '%s' in the token",
			 label);
		return CK_INVALID_HANDLE;
	}
	return count ? found[0] : CK_INVALID_HANDLE;
}

METHOD(ratkn_pkcs11_t, has_key, bool,
	private_ratkn_pkcs11_t *this, char *label)
{
	CK_OBJECT_HANDLE key;

	this->mutex->lock(this->mutex);
	key = find_key(this, label);
	this->mutex->unlock(this->mutex);
	return key != CK_INVALID_HANDLE;
}

METHOD(ratkn_pkcs11_t, generate_key, bool,
	private_ratkn_pkcs11_t *this, char *label)
{
	CK_MECHANISM mech = { CKM_AES_KEY_GEN, NULL, 0 };
	CK_OBJECT_CLASS class = CKO_SECRET_KEY;
	CK_KEY_TYPE type = CKK_AES;
	CK_ULONG len = CMK_LEN;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &class, sizeof(class) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_VALUE_LEN, &len, sizeof(len) },
		{ CKA_LABEL, label, strlen(label) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_MODIFIABLE, &no, sizeof(no) },
		{ CKA_ENCRYPT, &yes, sizeof(yes) },
		{ CKA_DECRYPT, &yes, sizeof(yes) },
		{ CKA_WRAP, &no, sizeof(no) },
		{ CKA_UNWRAP, &no, sizeof(no) },
		{ CKA_SIGN, &no, sizeof(no) },
		{ CKA_VERIFY, &no, sizeof(no) },
		{ CKA_DERIVE, &no, sizeof(no) },
	};
	CK_OBJECT_HANDLE key;
	CK_RV rv;
	bool ok = FALSE;

	this->mutex->lock(this->mutex);
	if (find_key(this, label) != CK_INVALID_HANDLE)
	{
		DBG1(DBG_LIB, "ratkn: the token already has a key labelled '%s'",
			 label);
	}
	else
	{
		rv = this->f->C_GenerateKey(this->session, &mech, tmpl, countof(tmpl),
									&key);
		if (rv != CKR_OK)
		{
			log_rv("C_GenerateKey", rv);
		}
		else
		{
			DBG1(DBG_LIB, "ratkn: generated AES-256 master key '%s' in the "
				 "token", label);
			ok = TRUE;
		}
	}
	this->mutex->unlock(this->mutex);
	return ok;
}

/**
 * Run a single-part AES-GCM operation with a CMK
 */
static bool gcm(private_ratkn_pkcs11_t *this, bool enc, char *label,
				chunk_t iv, chunk_t aad, chunk_t in, chunk_t *out)
{
	CK_GCM_PARAMS params = {
		.pIv = iv.ptr,
		.ulIvLen = iv.len,
		.ulIvBits = iv.len * 8,
		.pAAD = aad.ptr,
		.ulAADLen = aad.len,
		.ulTagBits = RATKN_PKCS11_TAG_LEN * 8,
	};
	CK_MECHANISM mech = { CKM_AES_GCM, &params, sizeof(params) };
	CK_OBJECT_HANDLE key;
	CK_ULONG len;
	CK_RV rv;
	bool ok = FALSE;

	if (iv.len != RATKN_PKCS11_IV_LEN ||
		(!enc && in.len < RATKN_PKCS11_TAG_LEN))
	{
		DBG1(DBG_LIB, "ratkn: invalid AES-GCM input for key '%s'", label);
		return FALSE;
	}
	*out = chunk_alloc(in.len + RATKN_PKCS11_TAG_LEN);
	len = out->len;

	this->mutex->lock(this->mutex);
	key = find_key(this, label);
	if (key == CK_INVALID_HANDLE)
	{
		DBG1(DBG_LIB, "ratkn: master key '%s' not found in the token",
			 label);
	}
	else if (enc)
	{
		rv = this->f->C_EncryptInit(this->session, &mech, key);
		if (rv == CKR_OK)
		{
			rv = this->f->C_Encrypt(this->session, in.ptr, in.len, out->ptr,
									&len);
		}
		ok = rv == CKR_OK;
		if (!ok)
		{
			log_rv("AES-GCM encryption", rv);
		}
	}
	else
	{
		rv = this->f->C_DecryptInit(this->session, &mech, key);
		if (rv == CKR_OK)
		{
			rv = this->f->C_Decrypt(this->session, in.ptr, in.len, out->ptr,
									&len);
		}
		ok = rv == CKR_OK;
		if (!ok)
		{
			DBG1(DBG_LIB, "ratkn: decryption with master key '%s' failed "
				 "(0x%08lx): wrong key or modified data", label,
				 (unsigned long)rv);
		}
	}
	this->mutex->unlock(this->mutex);

	if (!ok || len > out->len)
	{
		chunk_clear(out);
		return FALSE;
	}
	out->len = len;
	return TRUE;
}

METHOD(ratkn_pkcs11_t, encrypt, bool,
	private_ratkn_pkcs11_t *this, char *label, chunk_t iv, chunk_t aad,
	chunk_t plain, chunk_t *cipher)
{
	return gcm(this, TRUE, label, iv, aad, plain, cipher);
}

METHOD(ratkn_pkcs11_t, decrypt, bool,
	private_ratkn_pkcs11_t *this, char *label, chunk_t iv, chunk_t aad,
	chunk_t cipher, chunk_t *plain)
{
	return gcm(this, FALSE, label, iv, aad, cipher, plain);
}

METHOD(ratkn_pkcs11_t, random_, bool,
	private_ratkn_pkcs11_t *this, size_t len, chunk_t *out)
{
	CK_RV rv;

	*out = chunk_alloc(len);
	this->mutex->lock(this->mutex);
	rv = this->f->C_GenerateRandom(this->session, out->ptr, out->len);
	this->mutex->unlock(this->mutex);
	if (rv != CKR_OK)
	{
		log_rv("C_GenerateRandom", rv);
		chunk_clear(out);
		return FALSE;
	}
	return TRUE;
}

METHOD(ratkn_pkcs11_t, destroy, void,
	private_ratkn_pkcs11_t *this)
{
	if (this->f)
	{
		if (this->session != CK_INVALID_HANDLE)
		{
			if (this->logged_in)
			{
				this->f->C_Logout(this->session);
			}
			this->f->C_CloseSession(this->session);
		}
		if (this->initialized)
		{
			this->f->C_Finalize(NULL);
		}
	}
	if (this->handle)
	{
		dlclose(this->handle);
	}
	this->mutex->destroy(this->mutex);
	free(this);
}

/**
 * Compare a space-padded token label with a string
 */
static bool label_matches(CK_UTF8CHAR *padded, size_t len, char *label)
{
	size_t l = strlen(label);

	if (l > len || memcmp(padded, label, l))
	{
		return FALSE;
	}
	for (; l < len; l++)
	{
		if (padded[l] != ' ')
		{
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * Find the slot with the token of a label
 */
static bool find_slot(private_ratkn_pkcs11_t *this, char *token,
					  CK_SLOT_ID *slot)
{
	CK_SLOT_ID *slots;
	CK_TOKEN_INFO info;
	CK_ULONG count = 0, i;
	CK_RV rv;
	bool found = FALSE;

	rv = this->f->C_GetSlotList(CK_TRUE, NULL, &count);
	if (rv != CKR_OK)
	{
		log_rv("C_GetSlotList", rv);
		return FALSE;
	}
	slots = calloc(count + 1, sizeof(CK_SLOT_ID));
	rv = this->f->C_GetSlotList(CK_TRUE, slots, &count);
	if (rv != CKR_OK)
	{
		log_rv("C_GetSlotList", rv);
		count = 0;
	}
	for (i = 0; i < count && !found; i++)
	{
		if (this->f->C_GetTokenInfo(slots[i], &info) == CKR_OK &&
			label_matches(info.label, sizeof(info.label), token))
		{
			*slot = slots[i];
			found = TRUE;
		}
	}
	free(slots);
	if (!found)
	{
		DBG1(DBG_LIB, "ratkn: no PKCS#11 token labelled '%s'", token);
	}
	return found;
}

/*
 * Described in header
 */
ratkn_pkcs11_t *ratkn_pkcs11_create(char *module, char *token, char *pin)
{
	private_ratkn_pkcs11_t *this;
	CK_C_GetFunctionList get_list;
	CK_C_INITIALIZE_ARGS args = {
		.flags = CKF_OS_LOCKING_OK,
	};
	CK_SLOT_ID slot;
	CK_RV rv;

	if (!module || !token || !pin)
	{
		DBG1(DBG_LIB, "ratkn: PKCS#11 module, token and PIN are required");
		return NULL;
	}
	INIT(this,
		.public = {
			.has_key = _has_key,
			.generate_key = _generate_key,
			.encrypt = _encrypt,
			.decrypt = _decrypt,
			.random = _random_,
			.destroy = _destroy,
		},
		.session = CK_INVALID_HANDLE,
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);

	this->handle = dlopen(module, RTLD_NOW | RTLD_LOCAL);
	if (!this->handle)
	{
		DBG1(DBG_LIB, "ratkn: loading PKCS#11 module %s failed: %s", module,
			 dlerror());
		destroy(this);
		return NULL;
	}
	get_list = (CK_C_GetFunctionList)dlsym(this->handle, "C_GetFunctionList");
	if (!get_list || get_list(&this->f) != CKR_OK || !this->f)
	{
		DBG1(DBG_LIB, "ratkn: %s is no PKCS#11 module", module);
		this->f = NULL;
		destroy(this);
		return NULL;
	}
	rv = this->f->C_Initialize(&args);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
	{
		log_rv("C_Initialize", rv);
		destroy(this);
		return NULL;
	}
	this->initialized = rv == CKR_OK;
	if (!find_slot(this, token, &slot))
	{
		destroy(this);
		return NULL;
	}
	rv = this->f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION,
								NULL, NULL, &this->session);
	if (rv != CKR_OK)
	{
		log_rv("C_OpenSession", rv);
		this->session = CK_INVALID_HANDLE;
		destroy(this);
		return NULL;
	}
	rv = this->f->C_Login(this->session, CKU_USER, (CK_UTF8CHAR_PTR)pin,
						  strlen(pin));
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
	{
		DBG1(DBG_LIB, "ratkn: login to token '%s' failed (0x%08lx)%s", token,
			 (unsigned long)rv, rv == CKR_PIN_INCORRECT ? ": wrong PIN" : "");
		destroy(this);
		return NULL;
	}
	/* login state is per process: if someone else in this process logged
	 * in already, leave it to them to log out */
	this->logged_in = rv == CKR_OK;
	DBG2(DBG_LIB, "ratkn: logged in to PKCS#11 token '%s' (%s)", token,
		 module);
	return &this->public;
}
