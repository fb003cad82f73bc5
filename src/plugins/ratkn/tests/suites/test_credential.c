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

#include "ratkn_tests.h"
#include "swtpm_fixture.h"

#include <ratkn_credential.h>
#include <ratkn_tpm.h>

#include <stdio.h>
#include <unistd.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/**
 * NV indices of the EK certificates, persistent handle of the RSA EK
 */
#define NV_EK_RSA 0x01c00002
#define NV_EK_ECC 0x01c0000a
#define EK_RSA_HANDLE 0x81010001

/**
 * Handle of a second AK (RSA) next to the default one
 */
#define AK2_HANDLE 0x81010003

/**
 * Configuration of swtpm's local CA, and its default state directory
 */
#define LOCALCA_CONF "/etc/swtpm-localca.conf"
#define LOCALCA_DIR "/var/lib/swtpm-localca"

/**
 * Public area of swtpm's ECC NIST P-384 EK (template H-3, nameAlg SHA-384)
 * and its name as reported by the TPM (TPM2_ReadPublic)
 */
static char *p384_ek_public =
	"0023000c000300f20030b26e7d28d11a50bc53d882bcf5fd3a1a074148bb35d3b4e4cb1c"
	"0ad9bde419cacb47ba09699646150f9fc000f3f80e120006010000430010000400100030"
	"01b6c5f15b0a17ff1e0ddc372cd8b6740cdc8d776520548294f569126c118523dc6d8e58"
	"86cef84a4f16f5288ce94e0100302e3d8341ea7d86eaf6f5febd26134db87524ba8236a1"
	"49e5df9ec8bd3b3f389a0abe9316d46c395481eb79b87ad49d9b";
static char *p384_ek_name =
	"000c96c3a898a70780d68768c2095ac0cb650bbefa3df881520f97359e91afead541"
	"1445977330ee4119d95406f87bc1ecd7";

/**
 * CA files of swtpm's local CA: intermediate, root
 */
static char localca_issuer[PATH_MAX], localca_root[PATH_MAX];

/**
 * Find the CA files of swtpm's local CA (issuercert and the root next to it)
 */
static void localca_files()
{
	char line[512], dir[PATH_MAX] = LOCALCA_DIR, *value;
	FILE *file;

	snprintf(localca_issuer, sizeof(localca_issuer), "%s/issuercert.pem",
			 LOCALCA_DIR);
	file = fopen(LOCALCA_CONF, "r");
	while (file && fgets(line, sizeof(line), file))
	{
		line[strcspn(line, "\r\n")] = '\0';
		value = strchr(line, '=');
		if (!value)
		{
			continue;
		}
		for (*value++ = '\0'; *value == ' '; value++)
		{
		}
		if (strpfx(line, "statedir"))
		{
			snprintf(dir, sizeof(dir), "%s", value);
		}
		else if (strpfx(line, "issuercert"))
		{
			snprintf(localca_issuer, sizeof(localca_issuer), "%s", value);
		}
	}
	if (file)
	{
		fclose(file);
	}
	snprintf(localca_root, sizeof(localca_root),
			 "%s/swtpm-localca-rootca-cert.pem", dir);
}

/**
 * Random data
 */
static chunk_t random_chunk(size_t len)
{
	chunk_t data = chunk_alloc(len);

	ck_assert(RAND_bytes(data.ptr, len) == 1);
	return data;
}

/**
 * Connect to the fixture's TPM with our own ESAPI context (the TPM serves
 * one connection at a time: no ratkn_tpm_t may be connected meanwhile)
 */
static ESYS_CONTEXT *esys_connect(char *tcti, TSS2_TCTI_CONTEXT **tcti_ctx)
{
	ESYS_CONTEXT *esys;

	ck_assert(Tss2_TctiLdr_Initialize(tcti, tcti_ctx) == TSS2_RC_SUCCESS);
	ck_assert(Esys_Initialize(&esys, *tcti_ctx, NULL) == TSS2_RC_SUCCESS);
	return esys;
}

/**
 * Close our own ESAPI context
 */
static void esys_disconnect(ESYS_CONTEXT *esys, TSS2_TCTI_CONTEXT *tcti_ctx)
{
	Esys_Finalize(&esys);
	Tss2_TctiLdr_Finalize(&tcti_ctx);
}

/**
 * Name of a persistent object as the TPM reports it
 */
static chunk_t tpm_name(uint32_t handle)
{
	TSS2_TCTI_CONTEXT *tcti_ctx;
	ESYS_CONTEXT *esys;
	TPM2B_NAME *name = NULL;
	ESYS_TR object;
	chunk_t out;

	esys = esys_connect(swtpm_fixture_tcti(), &tcti_ctx);
	ck_assert(Esys_TR_FromTPMPublic(esys, handle, ESYS_TR_NONE, ESYS_TR_NONE,
									ESYS_TR_NONE, &object) == TSS2_RC_SUCCESS);
	ck_assert(Esys_ReadPublic(esys, object, ESYS_TR_NONE, ESYS_TR_NONE,
							  ESYS_TR_NONE, NULL, &name, NULL)
			  == TSS2_RC_SUCCESS);
	out = chunk_clone(chunk_create(name->name, name->size));
	Esys_Free(name);
	Esys_TR_Close(esys, &object);
	esys_disconnect(esys, tcti_ctx);
	return out;
}

/**
 * Create an AK and return its name
 */
static chunk_t ak_name(char *tcti, uint32_t handle, ratkn_ak_type_t type)
{
	ratkn_tpm_t *tpm;
	chunk_t ak, name;

	tpm = ratkn_tpm_create(tcti, handle);
	ck_assert(tpm->create_ak(tpm, type, FALSE, &ak));
	tpm->destroy(tpm);
	ck_assert(ratkn_credential_name(ak, &name));
	chunk_free(&ak);
	return name;
}

/**
 * Verify the EK certificate of a TPM with swtpm's local CA, get the EK SPKI
 */
static chunk_t ek_spki(char *tcti)
{
	char *cas[] = { localca_issuer, localca_root, NULL }, reason[256];
	ratkn_tpm_t *tpm;
	chunk_t cert, pub, spki;

	tpm = ratkn_tpm_create(tcti, 0);
	ck_assert(tpm->get_ek(tpm, &cert, &pub));
	tpm->destroy(tpm);
	ck_assert_msg(ratkn_credential_check_ek(cert, cas, &spki, reason,
						sizeof(reason)), "%s", reason);
	chunk_free(&cert);
	chunk_free(&pub);
	return spki;
}

/**
 * Make a credential and activate it with a TPM's AK
 */
static bool round_trip(char *tcti, uint32_t handle, chunk_t spki,
					   chunk_t name, chunk_t secret)
{
	ratkn_tpm_t *tpm;
	chunk_t blob, encrypted, recovered = chunk_empty;
	bool ok;

	ck_assert(ratkn_credential_make(spki, name, secret, &blob, &encrypted));
	tpm = ratkn_tpm_create(tcti, handle);
	ok = tpm->activate_credential(tpm, blob, encrypted, &recovered);
	tpm->destroy(tpm);
	if (ok)
	{
		ck_assert(chunk_equals(secret, recovered));
	}
	else
	{
		ck_assert(!recovered.ptr);
	}
	chunk_clear(&recovered);
	chunk_free(&blob);
	chunk_free(&encrypted);
	return ok;
}

START_TEST(test_name)
{
	chunk_t pub, expected, name, bad;
	TPMT_PUBLIC tpmt = {};
	size_t offset = 0;

	pub = ratkn_test_hex(p384_ek_public);
	expected = ratkn_test_hex(p384_ek_name);
	ck_assert(ratkn_credential_name(pub, &name));
	ck_assert(chunk_equals(name, expected));
	chunk_free(&name);

	/* truncated, trailing data */
	ck_assert(!ratkn_credential_name(chunk_create(pub.ptr, pub.len - 1),
									 &name));
	bad = chunk_cat("cc", pub, chunk_from_chars(0x00));
	ck_assert(!ratkn_credential_name(bad, &name));
	chunk_free(&bad);
	ck_assert(!ratkn_credential_name(chunk_empty, &name));

	/* unknown name algorithm (SM3) */
	ck_assert(Tss2_MU_TPMT_PUBLIC_Unmarshal(pub.ptr, pub.len, &offset,
											&tpmt) == TSS2_RC_SUCCESS);
	tpmt.nameAlg = TPM2_ALG_SM3_256;
	bad = chunk_alloc(sizeof(TPMT_PUBLIC));
	offset = 0;
	ck_assert(Tss2_MU_TPMT_PUBLIC_Marshal(&tpmt, bad.ptr, bad.len, &offset)
			  == TSS2_RC_SUCCESS);
	bad.len = offset;
	ck_assert(!ratkn_credential_name(bad, &name));
	chunk_free(&bad);
	chunk_free(&pub);
	chunk_free(&expected);
}
END_TEST

START_TEST(test_name_tpm)
{
	chunk_t name, expected;

	/* the names of our AKs are the TPM's */
	name = ak_name(swtpm_fixture_tcti(), 0, RATKN_AK_ECC);
	expected = tpm_name(RATKN_TPM_AK_HANDLE);
	ck_assert(chunk_equals(name, expected));
	chunk_free(&name);
	chunk_free(&expected);
	name = ak_name(swtpm_fixture_tcti(), AK2_HANDLE, RATKN_AK_RSA);
	expected = tpm_name(AK2_HANDLE);
	ck_assert(chunk_equals(name, expected));
	chunk_free(&name);
	chunk_free(&expected);
}
END_TEST

START_TEST(test_round_trip)
{
	chunk_t spki, name, secret;
	size_t lens[] = { 32, 16, 1 };
	int i;

	spki = ek_spki(swtpm_fixture_tcti());
	name = ak_name(swtpm_fixture_tcti(), 0, RATKN_AK_ECC);
	for (i = 0; i < countof(lens); i++)
	{
		secret = random_chunk(lens[i]);
		ck_assert(round_trip(swtpm_fixture_tcti(), 0, spki, name, secret));
		chunk_free(&secret);
	}
	chunk_free(&name);

	/* an RSA AK */
	name = ak_name(swtpm_fixture_tcti(), AK2_HANDLE, RATKN_AK_RSA);
	secret = random_chunk(32);
	ck_assert(round_trip(swtpm_fixture_tcti(), AK2_HANDLE, spki, name,
						 secret));
	chunk_free(&secret);
	chunk_free(&name);
	chunk_free(&spki);
}
END_TEST

START_TEST(test_other_name)
{
	chunk_t spki, name, name2, secret, random;

	spki = ek_spki(swtpm_fixture_tcti());
	name = ak_name(swtpm_fixture_tcti(), 0, RATKN_AK_ECC);
	name2 = ak_name(swtpm_fixture_tcti(), AK2_HANDLE, RATKN_AK_RSA);
	secret = random_chunk(32);

	/* made for AK2, activated with the AK */
	ck_assert(!round_trip(swtpm_fixture_tcti(), 0, spki, name2, secret));
	/* made for a name of no object */
	random = random_chunk(name.len);
	htoun16(random.ptr, TPM2_ALG_SHA256);
	ck_assert(!round_trip(swtpm_fixture_tcti(), 0, spki, random, secret));
	/* but each works with its own */
	ck_assert(round_trip(swtpm_fixture_tcti(), AK2_HANDLE, spki, name2,
						 secret));
	ck_assert(round_trip(swtpm_fixture_tcti(), 0, spki, name, secret));
	chunk_free(&random);
	chunk_free(&secret);
	chunk_free(&name);
	chunk_free(&name2);
	chunk_free(&spki);
}
END_TEST

/**
 * Check that a credential with any octet changed is not activated, but the
 * original is
 */
static void tamper(char *tcti, chunk_t blob, chunk_t encrypted,
				   chunk_t secret)
{
	chunk_t recovered = chunk_empty;
	ratkn_tpm_t *tpm;
	size_t i;

	tpm = ratkn_tpm_create(tcti, 0);
	for (i = 0; i < blob.len; i++)
	{
		blob.ptr[i] ^= 0x41;
		ck_assert_msg(!tpm->activate_credential(tpm, blob, encrypted,
							&recovered), "tampered blob octet %zu accepted", i);
		blob.ptr[i] ^= 0x41;
	}
	for (i = 0; i < encrypted.len; i++)
	{
		encrypted.ptr[i] ^= 0x41;
		ck_assert_msg(!tpm->activate_credential(tpm, blob, encrypted,
							&recovered), "tampered secret octet %zu accepted",
					  i);
		encrypted.ptr[i] ^= 0x41;
	}
	/* truncated, extended */
	ck_assert(!tpm->activate_credential(tpm, chunk_create(blob.ptr,
							blob.len - 1), encrypted, &recovered));
	ck_assert(!tpm->activate_credential(tpm, blob, chunk_create(encrypted.ptr,
							encrypted.len - 1), &recovered));
	ck_assert(!recovered.ptr);
	/* and the original still works (the TPM did not fail) */
	ck_assert(tpm->activate_credential(tpm, blob, encrypted, &recovered));
	ck_assert(chunk_equals(secret, recovered));
	chunk_clear(&recovered);
	tpm->destroy(tpm);
}

START_TEST(test_tampered)
{
	chunk_t spki, name, secret, blob, encrypted;

	spki = ek_spki(swtpm_fixture_tcti());
	name = ak_name(swtpm_fixture_tcti(), 0, RATKN_AK_ECC);
	secret = random_chunk(32);
	ck_assert(ratkn_credential_make(spki, name, secret, &blob, &encrypted));
	tamper(swtpm_fixture_tcti(), blob, encrypted, secret);
	chunk_free(&blob);
	chunk_free(&encrypted);
	chunk_free(&secret);
	chunk_free(&name);
	chunk_free(&spki);
}
END_TEST

START_TEST(test_out_of_range)
{
	chunk_t spki, name, secret, blob, encrypted, recovered = chunk_empty;
	ratkn_tpm_t *tpm;

	spki = ek_spki(swtpm_fixture_tcti());
	name = ak_name(swtpm_fixture_tcti(), 0, RATKN_AK_ECC);
	secret = random_chunk(32);
	ck_assert(ratkn_credential_make(spki, name, secret, &blob, &encrypted));
	/* an RSA ciphertext above the modulus (libtpms 0.9 answers
	 * TPM_RC_FAILURE, but stays usable) */
	memset(encrypted.ptr + 2, 0xff, encrypted.len - 2);
	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	ck_assert(!tpm->activate_credential(tpm, blob, encrypted, &recovered));
	ck_assert(!recovered.ptr);
	chunk_free(&encrypted);
	chunk_free(&blob);
	ck_assert(ratkn_credential_make(spki, name, secret, &blob, &encrypted));
	ck_assert(tpm->activate_credential(tpm, blob, encrypted, &recovered));
	ck_assert(chunk_equals(secret, recovered));
	chunk_clear(&recovered);
	tpm->destroy(tpm);
	chunk_free(&blob);
	chunk_free(&encrypted);
	chunk_free(&secret);
	chunk_free(&name);
	chunk_free(&spki);
}
END_TEST

START_TEST(test_other_tpm)
{
	chunk_t spki, other_spki, name, secret;
	swtpm_t *other;

	other = swtpm_create();
	ck_assert(other);
	other_spki = ek_spki(other->get_tcti(other));
	other->destroy(other);

	spki = ek_spki(swtpm_fixture_tcti());
	ck_assert(!chunk_equals(spki, other_spki));
	name = ak_name(swtpm_fixture_tcti(), 0, RATKN_AK_ECC);
	secret = random_chunk(32);
	ck_assert(!round_trip(swtpm_fixture_tcti(), 0, other_spki, name, secret));
	ck_assert(round_trip(swtpm_fixture_tcti(), 0, spki, name, secret));
	chunk_free(&secret);
	chunk_free(&name);
	chunk_free(&spki);
	chunk_free(&other_spki);
}
END_TEST

START_TEST(test_no_ak)
{
	chunk_t spki, name, secret, blob, encrypted, recovered = chunk_empty;
	ratkn_tpm_t *tpm;

	spki = ek_spki(swtpm_fixture_tcti());
	name = ak_name(swtpm_fixture_tcti(), 0, RATKN_AK_ECC);
	secret = random_chunk(32);
	ck_assert(ratkn_credential_make(spki, name, secret, &blob, &encrypted));
	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0x81010009);
	ck_assert(!tpm->activate_credential(tpm, blob, encrypted, &recovered));
	ck_assert(!recovered.ptr);
	tpm->destroy(tpm);
	chunk_free(&blob);
	chunk_free(&encrypted);
	chunk_free(&secret);
	chunk_free(&name);
	chunk_free(&spki);
}
END_TEST

START_TEST(test_make_invalid)
{
	chunk_t spki, name, secret, blob = chunk_empty, encrypted = chunk_empty;
	chunk_t bad;
	EVP_PKEY *key;
	u_char *pos;

	spki = ek_spki(swtpm_fixture_tcti());
	name = ak_name(swtpm_fixture_tcti(), 0, RATKN_AK_ECC);
	secret = random_chunk(33);

	/* secret too long, empty */
	ck_assert(!ratkn_credential_make(spki, name, secret, &blob, &encrypted));
	ck_assert(!ratkn_credential_make(spki, name, chunk_empty, &blob,
									 &encrypted));
	secret.len = 32;
	/* invalid names */
	ck_assert(!ratkn_credential_make(spki, chunk_create(name.ptr, 33), secret,
									 &blob, &encrypted));
	ck_assert(!ratkn_credential_make(spki, chunk_empty, secret, &blob,
									 &encrypted));
	bad = chunk_clone(name);
	htoun16(bad.ptr, 0x4242);
	ck_assert(!ratkn_credential_make(spki, bad, secret, &blob, &encrypted));
	chunk_free(&bad);
	/* invalid EK */
	ck_assert(!ratkn_credential_make(chunk_create(spki.ptr, spki.len - 1),
									 name, secret, &blob, &encrypted));
	ck_assert(!ratkn_credential_make(chunk_from_str("garbage"), name, secret,
									 &blob, &encrypted));
	/* unsupported EK types */
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	ck_assert(key);
	bad = chunk_alloc(i2d_PUBKEY(key, NULL));
	pos = bad.ptr;
	ck_assert_int_eq(i2d_PUBKEY(key, &pos), bad.len);
	EVP_PKEY_free(key);
	ck_assert(!ratkn_credential_make(bad, name, secret, &blob, &encrypted));
	chunk_free(&bad);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	ck_assert(key);
	bad = chunk_alloc(i2d_PUBKEY(key, NULL));
	pos = bad.ptr;
	ck_assert_int_eq(i2d_PUBKEY(key, &pos), bad.len);
	EVP_PKEY_free(key);
	ck_assert(!ratkn_credential_make(bad, name, secret, &blob, &encrypted));
	chunk_free(&bad);
	ck_assert(!blob.ptr && !encrypted.ptr);

	/* sizes of a valid one */
	ck_assert(ratkn_credential_make(spki, name, secret, &blob, &encrypted));
	ck_assert_int_eq(blob.len, 2 + 2 + 32 + 2 + 32);
	ck_assert_int_eq(encrypted.len, 2 + 256);
	chunk_free(&blob);
	chunk_free(&encrypted);
	chunk_free(&secret);
	chunk_free(&name);
	chunk_free(&spki);
}
END_TEST

/**
 * Create a certificate; exts are pairs of extension name and value
 */
static X509 *make_cert(EVP_PKEY *key, char *cn, X509 *issuer,
					   EVP_PKEY *issuer_key, char **exts)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	X509_NAME *name;
	X509 *cert;
	int i;

	cert = X509_new();
	ck_assert(cert);
	ck_assert(X509_set_version(cert, X509_VERSION_3) == 1);
	ck_assert(ASN1_INTEGER_set(X509_get_serialNumber(cert), 42) == 1);
	name = X509_NAME_new();
	ck_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
										 (u_char*)cn, -1, -1, 0) == 1);
	ck_assert(X509_set_subject_name(cert, name) == 1);
	ck_assert(X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer)
												: name) == 1);
	X509_NAME_free(name);
	ck_assert(X509_gmtime_adj(X509_getm_notBefore(cert), -3600));
	ck_assert(X509_gmtime_adj(X509_getm_notAfter(cert), 86400));
	ck_assert(X509_set_pubkey(cert, key) == 1);
	X509V3_set_ctx(&ctx, issuer ?: cert, cert, NULL, NULL, 0);
	for (i = 0; exts && exts[i]; i += 2)
	{
		ext = X509V3_EXT_nconf(NULL, &ctx, exts[i], exts[i + 1]);
		ck_assert_msg(ext, "extension %s", exts[i]);
		ck_assert(X509_add_ext(cert, ext, -1) == 1);
		X509_EXTENSION_free(ext);
	}
	ck_assert(X509_sign(cert, issuer_key ?: key, EVP_sha256()) > 0);
	return cert;
}

/**
 * Extensions of a CA certificate
 */
static char *ca_exts[] = {
	"basicConstraints", "critical,CA:TRUE",
	"keyUsage", "critical,keyCertSign,cRLSign",
	"subjectKeyIdentifier", "hash",
	NULL,
};

/**
 * Extensions of an EK certificate (with an RSA key)
 */
static char *ek_exts[] = {
	"basicConstraints", "critical,CA:FALSE",
	"keyUsage", "critical,keyEncipherment",
	"extendedKeyUsage", "2.23.133.8.1",
	NULL,
};

/**
 * DER encoding of a certificate
 */
static chunk_t cert_der(X509 *cert)
{
	chunk_t der;
	u_char *pos;

	der = chunk_alloc(i2d_X509(cert, NULL));
	pos = der.ptr;
	ck_assert_int_eq(i2d_X509(cert, &pos), der.len);
	return der;
}

/**
 * Write a certificate to a temporary PEM file, returns its path (allocated)
 */
static char *write_pem(X509 *cert)
{
	char *path;
	FILE *file;
	int fd;

	path = strdup("/tmp/ratkn-test-ca-XXXXXX");
	fd = mkstemp(path);
	ck_assert(fd != -1);
	file = fdopen(fd, "w");
	ck_assert(file);
	if (cert)
	{
		ck_assert(PEM_write_X509(file, cert) == 1);
	}
	else
	{
		fprintf(file, "no certificate here\n");
	}
	fclose(file);
	return path;
}

/**
 * Remove and free a temporary file
 */
static void remove_file(char *path)
{
	unlink(path);
	free(path);
}

/**
 * Public key of a DER certificate
 */
static EVP_PKEY *cert_key(chunk_t der)
{
	const u_char *pos = der.ptr;
	EVP_PKEY *key;
	X509 *cert;

	cert = d2i_X509(NULL, &pos, der.len);
	ck_assert(cert);
	key = X509_get_pubkey(cert);
	ck_assert(key);
	X509_free(cert);
	return key;
}

/**
 * Check an EK certificate, expecting a failure with a reason containing what
 */
static void check_ek_fails(chunk_t cert, char **cas, char *what)
{
	chunk_t spki = chunk_empty;
	char reason[256] = "";

	ck_assert(!ratkn_credential_check_ek(cert, cas, &spki, reason,
										 sizeof(reason)));
	ck_assert(!spki.ptr);
	ck_assert_msg(strstr(reason, what), "reason '%s' does not mention '%s'",
				  reason, what);
}

START_TEST(test_check_ek)
{
	char *cas[] = { localca_issuer, localca_root, NULL }, reason[256];
	char *root_only[] = { localca_root, NULL };
	char *issuer_only[] = { localca_issuer, NULL };
	ratkn_tpm_t *tpm;
	chunk_t cert, pub, spki, der;
	EVP_PKEY *key, *cert_pkey;
	const u_char *pos;
	BIO *bio;
	X509 *ca;

	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	ck_assert(tpm->get_ek(tpm, &cert, &pub));
	tpm->destroy(tpm);

	ck_assert_msg(ratkn_credential_check_ek(cert, cas, &spki, reason,
						sizeof(reason)), "%s", reason);
	/* the SPKI is the certificate's key */
	pos = spki.ptr;
	key = d2i_PUBKEY(NULL, &pos, spki.len);
	ck_assert(key);
	cert_pkey = cert_key(cert);
	ck_assert(EVP_PKEY_eq(key, cert_pkey) == 1);
	EVP_PKEY_free(key);
	EVP_PKEY_free(cert_pkey);
	chunk_free(&spki);
	/* order of the files does not matter */
	ck_assert(ratkn_credential_check_ek(cert, (char*[]){ localca_root,
						localca_issuer, NULL }, &spki, reason, sizeof(reason)));
	chunk_free(&spki);

	/* the chain must be complete */
	check_ek_fails(cert, root_only, "not trusted");
	check_ek_fails(cert, issuer_only, "not trusted");
	check_ek_fails(cert, NULL, "no trusted CA");
	check_ek_fails(cert, (char*[]){ NULL }, "no trusted CA");
	check_ek_fails(cert, (char*[]){ "/nonexistent/ca.pem", NULL },
				   "/nonexistent/ca.pem");

	/* not a certificate, trailing data */
	check_ek_fails(chunk_from_str("garbage"), cas, "not a valid");
	der = chunk_cat("cc", cert, chunk_from_chars(0x00));
	check_ek_fails(der, cas, "not a valid");
	chunk_free(&der);
	check_ek_fails(chunk_create(cert.ptr, cert.len - 1), cas, "not a valid");

	/* the intermediate CA itself is no EK certificate */
	bio = BIO_new_file(localca_issuer, "r");
	ck_assert(bio);
	ca = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	ck_assert(ca);
	BIO_free(bio);
	der = cert_der(ca);
	check_ek_fails(der, cas, "CA certificate");
	chunk_free(&der);
	X509_free(ca);

	chunk_free(&cert);
	chunk_free(&pub);
}
END_TEST

START_TEST(test_check_ek_untrusted)
{
	char *cas[] = { localca_issuer, localca_root, NULL }, *file, *empty;
	EVP_PKEY *ca_key, *ek_key, *key;
	X509 *ca, *ek, *self;
	ratkn_tpm_t *tpm;
	chunk_t cert, pub, der, spki;
	char reason[256];

	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	ck_assert(tpm->get_ek(tpm, &cert, &pub));
	tpm->destroy(tpm);

	/* an unrelated CA */
	ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ck_assert(ca_key);
	ca = make_cert(ca_key, "unrelated CA", NULL, NULL, ca_exts);
	file = write_pem(ca);
	check_ek_fails(cert, (char*[]){ file, NULL }, "not trusted");

	/* a self-signed certificate with the EK's key can't be made (no private
	 * key), one with any key is not trusted */
	key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	ck_assert(key);
	self = make_cert(key, "self-signed EK", NULL, NULL, ek_exts);
	der = cert_der(self);
	check_ek_fails(der, cas, "not trusted");
	check_ek_fails(der, (char*[]){ file, NULL }, "not trusted");
	chunk_free(&der);
	X509_free(self);

	/* an EK certificate of the unrelated CA for the swtpm's EK is fine with
	 * that CA only */
	ek_key = cert_key(cert);
	ek = make_cert(ek_key, "EK", ca, ca_key, ek_exts);
	der = cert_der(ek);
	check_ek_fails(der, cas, "not trusted");
	ck_assert_msg(ratkn_credential_check_ek(der, (char*[]){ file, NULL },
						&spki, reason, sizeof(reason)), "%s", reason);
	chunk_free(&spki);
	chunk_free(&der);
	X509_free(ek);

	/* without extensions it is accepted, with another EKU it is not */
	ek = make_cert(ek_key, "EK", ca, ca_key, NULL);
	der = cert_der(ek);
	ck_assert_msg(ratkn_credential_check_ek(der, (char*[]){ file, NULL },
						&spki, reason, sizeof(reason)), "%s", reason);
	chunk_free(&spki);
	chunk_free(&der);
	X509_free(ek);
	ek = make_cert(ek_key, "EK", ca, ca_key, (char*[]){
						"extendedKeyUsage", "serverAuth", NULL });
	der = cert_der(ek);
	check_ek_fails(der, (char*[]){ file, NULL }, "extended key usage");
	chunk_free(&der);
	X509_free(ek);
	/* a CA certificate with the EK's key */
	ek = make_cert(ek_key, "EK", ca, ca_key, ca_exts);
	der = cert_der(ek);
	check_ek_fails(der, (char*[]){ file, NULL }, "CA certificate");
	chunk_free(&der);
	X509_free(ek);
	/* an expired one */
	ek = make_cert(ek_key, "EK", ca, ca_key, ek_exts);
	ck_assert(X509_gmtime_adj(X509_getm_notAfter(ek), -60));
	ck_assert(X509_sign(ek, ca_key, EVP_sha256()) > 0);
	der = cert_der(ek);
	check_ek_fails(der, (char*[]){ file, NULL }, "expired");
	chunk_free(&der);
	X509_free(ek);
	EVP_PKEY_free(ek_key);

	/* supported key types: RSA 2048 and ECC P-256 */
	ek = make_cert(key, "EK", ca, ca_key, NULL);
	der = cert_der(ek);
	ck_assert(ratkn_credential_check_ek(der, (char*[]){ file, NULL }, &spki,
										reason, sizeof(reason)));
	chunk_free(&spki);
	chunk_free(&der);
	X509_free(ek);
	EVP_PKEY_free(key);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ck_assert(key);
	ek = make_cert(key, "EK", ca, ca_key, NULL);
	der = cert_der(ek);
	ck_assert(ratkn_credential_check_ek(der, (char*[]){ file, NULL }, &spki,
										reason, sizeof(reason)));
	chunk_free(&spki);
	chunk_free(&der);
	X509_free(ek);
	EVP_PKEY_free(key);
	/* but not others */
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	ck_assert(key);
	ek = make_cert(key, "EK", ca, ca_key, NULL);
	der = cert_der(ek);
	check_ek_fails(der, (char*[]){ file, NULL }, "P-256");
	chunk_free(&der);
	X509_free(ek);
	EVP_PKEY_free(key);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	ck_assert(key);
	ek = make_cert(key, "EK", ca, ca_key, NULL);
	der = cert_der(ek);
	check_ek_fails(der, (char*[]){ file, NULL }, "RSA 2048");
	chunk_free(&der);
	X509_free(ek);
	EVP_PKEY_free(key);

	/* a file without certificates */
	empty = write_pem(NULL);
	check_ek_fails(cert, (char*[]){ empty, NULL }, "no PEM certificate");
	remove_file(empty);

	remove_file(file);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	chunk_free(&cert);
	chunk_free(&pub);
}
END_TEST

/**
 * Public key of a marshalled TPMT_PUBLIC of an RSA or ECC P-256 key
 */
static EVP_PKEY *tpm_key(chunk_t data)
{
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *key = NULL;
	TPMT_PUBLIC pub = {};
	BIGNUM *n, *e;
	size_t offset = 0;
	u_char point[65];

	ck_assert(Tss2_MU_TPMT_PUBLIC_Unmarshal(data.ptr, data.len, &offset,
											&pub) == TSS2_RC_SUCCESS);
	ck_assert_int_eq(offset, data.len);
	bld = OSSL_PARAM_BLD_new();
	if (pub.type == TPM2_ALG_RSA)
	{
		n = BN_bin2bn(pub.unique.rsa.buffer, pub.unique.rsa.size, NULL);
		e = BN_new();
		ck_assert(BN_set_word(e, pub.parameters.rsaDetail.exponent ?: 65537));
		ck_assert(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n));
		ck_assert(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e));
		params = OSSL_PARAM_BLD_to_param(bld);
		BN_free(n);
		BN_free(e);
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	}
	else
	{
		ck_assert_int_eq(pub.type, TPM2_ALG_ECC);
		ck_assert_int_eq(pub.unique.ecc.x.size, 32);
		ck_assert_int_eq(pub.unique.ecc.y.size, 32);
		point[0] = 0x04;
		memcpy(point + 1, pub.unique.ecc.x.buffer, 32);
		memcpy(point + 33, pub.unique.ecc.y.buffer, 32);
		ck_assert(OSSL_PARAM_BLD_push_utf8_string(bld,
						OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0));
		ck_assert(OSSL_PARAM_BLD_push_octet_string(bld,
						OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)));
		params = OSSL_PARAM_BLD_to_param(bld);
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	}
	ck_assert(params && ctx);
	ck_assert(EVP_PKEY_fromdata_init(ctx) == 1);
	ck_assert(EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

START_TEST(test_get_ek)
{
	TSS2_TCTI_CONTEXT *tcti_ctx;
	ESYS_CONTEXT *esys;
	ESYS_TR ek, none = ESYS_TR_NONE;
	ratkn_tpm_t *tpm;
	TPMT_PUBLIC tpmt = {};
	EVP_PKEY *key, *cert_pkey;
	chunk_t cert, pub, cert2, pub2, spki, name, secret;
	size_t offset = 0;

	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	ck_assert(tpm->get_ek(tpm, &cert, &pub));
	tpm->destroy(tpm);
	/* the RSA EK of template L-1, with the certificate's key */
	ck_assert(Tss2_MU_TPMT_PUBLIC_Unmarshal(pub.ptr, pub.len, &offset,
											&tpmt) == TSS2_RC_SUCCESS);
	ck_assert_int_eq(tpmt.type, TPM2_ALG_RSA);
	ck_assert_int_eq(tpmt.nameAlg, TPM2_ALG_SHA256);
	ck_assert(tpmt.objectAttributes & TPMA_OBJECT_RESTRICTED);
	ck_assert(tpmt.objectAttributes & TPMA_OBJECT_DECRYPT);
	ck_assert(!(tpmt.objectAttributes & TPMA_OBJECT_USERWITHAUTH));
	key = tpm_key(pub);
	cert_pkey = cert_key(cert);
	ck_assert(EVP_PKEY_eq(key, cert_pkey) == 1);
	EVP_PKEY_free(cert_pkey);
	EVP_PKEY_free(key);
	/* and the persistent EK's name */
	ck_assert(ratkn_credential_name(pub, &name));
	cert2 = tpm_name(EK_RSA_HANDLE);
	ck_assert(chunk_equals(name, cert2));
	chunk_free(&cert2);
	chunk_free(&name);

	/* without the persistent EK, it is created from the template */
	esys = esys_connect(swtpm_fixture_tcti(), &tcti_ctx);
	ck_assert(Esys_TR_FromTPMPublic(esys, EK_RSA_HANDLE, ESYS_TR_NONE,
						ESYS_TR_NONE, ESYS_TR_NONE, &ek) == TSS2_RC_SUCCESS);
	ck_assert(Esys_EvictControl(esys, ESYS_TR_RH_OWNER, ek, ESYS_TR_PASSWORD,
						ESYS_TR_NONE, ESYS_TR_NONE, EK_RSA_HANDLE, &none)
			  == TSS2_RC_SUCCESS);
	Esys_TR_Close(esys, &ek);
	esys_disconnect(esys, tcti_ctx);

	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	ck_assert(tpm->get_ek(tpm, &cert2, &pub2));
	tpm->destroy(tpm);
	ck_assert(chunk_equals(cert, cert2));
	ck_assert(chunk_equals(pub, pub2));
	chunk_free(&cert2);
	chunk_free(&pub2);

	/* and activation works with it */
	spki = ek_spki(swtpm_fixture_tcti());
	name = ak_name(swtpm_fixture_tcti(), 0, RATKN_AK_ECC);
	secret = random_chunk(32);
	ck_assert(round_trip(swtpm_fixture_tcti(), 0, spki, name, secret));
	chunk_free(&secret);
	chunk_free(&name);
	chunk_free(&spki);
	chunk_free(&cert);
	chunk_free(&pub);
}
END_TEST

START_TEST(test_no_ek_cert)
{
	TSS2_TCTI_CONTEXT *tcti_ctx;
	ESYS_CONTEXT *esys;
	ESYS_TR nv;
	ratkn_tpm_t *tpm;
	chunk_t cert = chunk_empty, pub = chunk_empty;

	esys = esys_connect(swtpm_fixture_tcti(), &tcti_ctx);
	ck_assert(Esys_TR_FromTPMPublic(esys, NV_EK_RSA, ESYS_TR_NONE,
						ESYS_TR_NONE, ESYS_TR_NONE, &nv) == TSS2_RC_SUCCESS);
	ck_assert(Esys_NV_UndefineSpace(esys, ESYS_TR_RH_PLATFORM, nv,
						ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE)
			  == TSS2_RC_SUCCESS);
	esys_disconnect(esys, tcti_ctx);

	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	ck_assert(!tpm->get_ek(tpm, &cert, &pub));
	ck_assert(!cert.ptr && !pub.ptr);
	tpm->destroy(tpm);
}
END_TEST

/**
 * TCG EK template L-2 (ECC NIST P-256), built independently of ratkn_tpm
 */
static TPM2B_PUBLIC ecc_ek_template()
{
	TPM2B_PUBLIC tmpl = {
		.publicArea = {
			.type = TPM2_ALG_ECC,
			.nameAlg = TPM2_ALG_SHA256,
			.objectAttributes = 0x000300b2,
			.authPolicy = {
				.size = 32,
				.buffer = {
					0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8,
					0x1a, 0x90, 0xcc, 0x8d, 0x46, 0xa5, 0xd7, 0x24,
					0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52, 0x0b, 0x64,
					0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa,
				},
			},
			.parameters.eccDetail = {
				.symmetric = {
					.algorithm = TPM2_ALG_AES,
					.keyBits.aes = 128,
					.mode.aes = TPM2_ALG_CFB,
				},
				.scheme.scheme = TPM2_ALG_NULL,
				.curveID = TPM2_ECC_NIST_P256,
				.kdf.scheme = TPM2_ALG_NULL,
			},
			.unique.ecc = {
				.x.size = 32,
				.y.size = 32,
			},
		},
	};
	return tmpl;
}

/**
 * Provision an ECC P-256 EK certificate, issued by a CA of ours, in place
 * of the RSA one (as a TPM with only an ECC EK certificate)
 */
static void provision_ecc_ek(X509 *ca, EVP_PKEY *ca_key)
{
	TPM2B_SENSITIVE_CREATE sensitive = {};
	TPM2B_DATA outside = {};
	TPML_PCR_SELECTION pcrs = {};
	TPM2B_PUBLIC tmpl, *pub = NULL;
	TPM2B_NV_PUBLIC nv_public = {};
	TPM2B_MAX_NV_BUFFER part;
	TSS2_TCTI_CONTEXT *tcti_ctx;
	ESYS_CONTEXT *esys;
	ESYS_TR nv, ek;
	EVP_PKEY *key;
	X509 *cert;
	chunk_t der, marshalled;
	size_t offset = 0, len;

	esys = esys_connect(swtpm_fixture_tcti(), &tcti_ctx);
	ck_assert(Esys_TR_FromTPMPublic(esys, NV_EK_RSA, ESYS_TR_NONE,
						ESYS_TR_NONE, ESYS_TR_NONE, &nv) == TSS2_RC_SUCCESS);
	ck_assert(Esys_NV_UndefineSpace(esys, ESYS_TR_RH_PLATFORM, nv,
						ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE)
			  == TSS2_RC_SUCCESS);

	tmpl = ecc_ek_template();
	ck_assert(Esys_CreatePrimary(esys, ESYS_TR_RH_ENDORSEMENT,
						ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
						&sensitive, &tmpl, &outside, &pcrs, &ek, &pub, NULL,
						NULL, NULL) == TSS2_RC_SUCCESS);
	ck_assert(Esys_FlushContext(esys, ek) == TSS2_RC_SUCCESS);
	marshalled = chunk_alloc(sizeof(TPMT_PUBLIC));
	ck_assert(Tss2_MU_TPMT_PUBLIC_Marshal(&pub->publicArea, marshalled.ptr,
						marshalled.len, &offset) == TSS2_RC_SUCCESS);
	marshalled.len = offset;
	Esys_Free(pub);
	key = tpm_key(marshalled);
	chunk_free(&marshalled);
	cert = make_cert(key, "ECC EK", ca, ca_key, (char*[]){
						"basicConstraints", "critical,CA:FALSE",
						"keyUsage", "critical,keyAgreement",
						"extendedKeyUsage", "2.23.133.8.1",
						NULL });
	EVP_PKEY_free(key);
	der = cert_der(cert);
	X509_free(cert);

	nv_public.nvPublic = (TPMS_NV_PUBLIC){
		.nvIndex = NV_EK_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.attributes = TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD |
					  TPMA_NV_AUTHREAD | TPMA_NV_NO_DA,
		/* larger than the certificate, as on some TPMs */
		.dataSize = der.len + 100,
	};
	ck_assert(Esys_NV_DefineSpace(esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
						ESYS_TR_NONE, ESYS_TR_NONE, NULL, &nv_public, &nv)
			  == TSS2_RC_SUCCESS);
	for (offset = 0; offset < der.len; offset += len)
	{
		len = min(der.len - offset, 512);
		part.size = len;
		memcpy(part.buffer, der.ptr + offset, len);
		ck_assert(Esys_NV_Write(esys, ESYS_TR_RH_OWNER, nv, ESYS_TR_PASSWORD,
						ESYS_TR_NONE, ESYS_TR_NONE, &part, offset)
				  == TSS2_RC_SUCCESS);
	}
	Esys_TR_Close(esys, &nv);
	esys_disconnect(esys, tcti_ctx);
	chunk_free(&der);
}

START_TEST(test_ecc_ek)
{
	EVP_PKEY *ca_key, *key, *cert_pkey;
	ratkn_tpm_t *tpm;
	TPMT_PUBLIC tpmt = {};
	chunk_t cert, pub, spki, name, secret, blob, encrypted;
	char *file, reason[256];
	size_t offset = 0;
	X509 *ca;

	ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ck_assert(ca_key);
	ca = make_cert(ca_key, "ECC EK CA", NULL, NULL, ca_exts);
	file = write_pem(ca);
	provision_ecc_ek(ca, ca_key);

	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	ck_assert(tpm->get_ek(tpm, &cert, &pub));
	tpm->destroy(tpm);
	ck_assert(Tss2_MU_TPMT_PUBLIC_Unmarshal(pub.ptr, pub.len, &offset,
											&tpmt) == TSS2_RC_SUCCESS);
	ck_assert_int_eq(tpmt.type, TPM2_ALG_ECC);
	ck_assert_int_eq(tpmt.parameters.eccDetail.curveID, TPM2_ECC_NIST_P256);
	key = tpm_key(pub);
	cert_pkey = cert_key(cert);
	ck_assert(EVP_PKEY_eq(key, cert_pkey) == 1);
	EVP_PKEY_free(cert_pkey);
	EVP_PKEY_free(key);

	ck_assert_msg(ratkn_credential_check_ek(cert, (char*[]){ file, NULL },
						&spki, reason, sizeof(reason)), "%s", reason);
	name = ak_name(swtpm_fixture_tcti(), 0, RATKN_AK_ECC);
	secret = random_chunk(32);
	ck_assert(round_trip(swtpm_fixture_tcti(), 0, spki, name, secret));
	/* the encrypted secret is a TPMS_ECC_POINT */
	ck_assert(ratkn_credential_make(spki, name, secret, &blob, &encrypted));
	ck_assert_int_eq(encrypted.len, 2 + 2 + 32 + 2 + 32);
	tamper(swtpm_fixture_tcti(), blob, encrypted, secret);
	chunk_free(&blob);
	chunk_free(&encrypted);
	chunk_free(&secret);
	/* RSA AK, short secret */
	chunk_free(&name);
	name = ak_name(swtpm_fixture_tcti(), AK2_HANDLE, RATKN_AK_RSA);
	secret = random_chunk(7);
	ck_assert(round_trip(swtpm_fixture_tcti(), AK2_HANDLE, spki, name,
						 secret));
	chunk_free(&secret);

	remove_file(file);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	chunk_free(&name);
	chunk_free(&spki);
	chunk_free(&cert);
	chunk_free(&pub);
}
END_TEST

Suite *credential_suite_create()
{
	Suite *s;
	TCase *tc;

	localca_files();
	s = suite_create("credential");

	tc = tcase_create("name");
	tcase_add_test(tc, test_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("activate");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_name_tpm);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_other_name);
	tcase_add_test(tc, test_tampered);
	tcase_add_test(tc, test_out_of_range);
	tcase_add_test(tc, test_other_tpm);
	tcase_add_test(tc, test_no_ak);
	tcase_add_test(tc, test_make_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("check_ek");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_check_ek);
	tcase_add_test(tc, test_check_ek_untrusted);
	suite_add_tcase(s, tc);

	/* these change the TPM, one fixture each */
	tc = tcase_create("get_ek");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_get_ek);
	suite_add_tcase(s, tc);

	tc = tcase_create("no_ek_cert");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_no_ek_cert);
	suite_add_tcase(s, tc);

	tc = tcase_create("ecc_ek");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ecc_ek);
	suite_add_tcase(s, tc);

	return s;
}
