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

#define _GNU_SOURCE /* asprintf() */
#include <stdio.h>

#include "ratkn_tests.h"

#include <daemon.h>
#include <encoding/payloads/nonce_payload.h>
#include <encoding/payloads/notify_payload.h>

#include <ratkn_types.h>
#include <ratkn_session.h>
#include <ratkn_negotiate.h>
#include <ratkn_compat.h>

/**
 * Plugins the suite loads into a fresh libcharon
 */
#define PLUGINS RATKN_TEST_PLUGINS " ratkn"

static ike_sa_t *ike_sa;

/**
 * Initialize libcharon with the given ratkn settings, load the built plugin
 * and set up an initiating IKE_SA of connection "gw"
 */
static void setup_with(char *ratkn)
{
	ike_cfg_create_t ike = {
		.version = IKEV2,
		.local = "127.0.0.1",
		.local_port = 500,
		.remote = "127.0.0.2",
		.remote_port = 500,
	};
	peer_cfg_create_t peer = {
		.ppk_id = identification_create_from_string("ratkn"),
		RATKN_PEER_CFG_PPK_REQUIRED,
	};
	ike_sa_id_t *id;
	peer_cfg_t *peer_cfg;
	char *conf;

	ck_assert(asprintf(&conf, "%s { plugins { ratkn {\nsocket =\n%s\n} } }",
					   lib->ns, ratkn) > 0);
	ck_assert(lib->settings->load_string(lib->settings, conf, FALSE));
	free(conf);

	ck_assert(libcharon_init());
	lib->plugins->add_path(lib->plugins, RATKN_BUILDDIR "/.libs");
	ck_assert(lib->plugins->load(lib->plugins, PLUGINS));

	id = ike_sa_id_create(IKEV2_MAJOR_VERSION, htobe64(0x0102030405060708ULL),
						  0, TRUE);
	ike_sa = ike_sa_create(id, TRUE, IKEV2);
	id->destroy(id);
	peer_cfg = peer_cfg_create("gw", ike_cfg_create(&ike), &peer);
	ike_sa->set_peer_cfg(ike_sa, peer_cfg);
	peer_cfg->destroy(peer_cfg);
	charon->bus->set_sa(charon->bus, ike_sa);
}

/**
 * Set up an initiating IKE_SA of a relying party's connection
 */
static void setup()
{
	setup_with("connections { gw {\nrole = relying-party\n"
			   "group = curve25519\n} }");
}

static void teardown()
{
	charon->bus->set_sa(charon->bus, NULL);
	ike_sa->destroy(ike_sa);
	libcharon_deinit();
}

/**
 * Create an IKE_SA_INIT message with a nonce
 */
static message_t *create_init(bool request, chunk_t nonce)
{
	nonce_payload_t *payload;
	message_t *message;

	message = message_create(IKEV2_MAJOR_VERSION, IKEV2_MINOR_VERSION);
	message->set_exchange_type(message, IKE_SA_INIT);
	message->set_request(message, request);
	message->set_ike_sa_id(message, ike_sa->get_id(ike_sa));
	payload = nonce_payload_create(PLV2_NONCE);
	payload->set_nonce(payload, nonce);
	message->add_payload(message, (payload_t*)payload);
	return message;
}

/**
 * Receive the responder's IKE_SA_INIT response with its RATKN_NEGOTIATE
 */
static void receive_answer(chunk_t answer, chunk_t nr)
{
	message_t *message;

	ike_sa->get_id(ike_sa)->set_responder_spi(ike_sa->get_id(ike_sa),
									htobe64(0x1112131415161718ULL));
	message = create_init(FALSE, nr);
	message->add_notify(message, FALSE, RATKN_NOTIFY_NEGOTIATE, answer);
	charon->bus->message(charon->bus, message, TRUE, TRUE);
	message->destroy(message);
}

START_TEST(test_loaded)
{
	ck_assert(lib->plugins->has_feature(lib->plugins,
										PLUGIN_PROVIDE(CUSTOM, "ratkn")));
	ck_assert(strstr(lib->plugins->loaded_plugins(lib->plugins), "ratkn"));
}
END_TEST

START_TEST(test_offer)
{
	ratkn_negotiate_t *offer;
	notify_payload_t *notify;
	message_t *message;
	char reason[128];

	message = create_init(TRUE, chunk_from_chars(0x01,0x02,0x03,0x04,0x05,
						0x06,0x07,0x08,0x09,0x0a,0x0b,0x0c,0x0d,0x0e,0x0f,0x10));
	charon->bus->message(charon->bus, message, FALSE, TRUE);
	notify = message->get_notify(message, RATKN_NOTIFY_NEGOTIATE);
	ck_assert_msg(notify, "listener did not add RATKN_NEGOTIATE");
	offer = ratkn_negotiate_parse(notify->get_notification_data(notify),
								  reason, sizeof(reason));
	ck_assert_msg(offer, "%s", reason);
	ck_assert_int_eq(offer->get_flags(offer), RATKN_FLAG_VERIFY);
	ck_assert_int_eq(offer->get_group(offer), 31);
	ck_assert_int_eq(offer->get_nonce(offer).len, 32);
	offer->destroy(offer);
	message->destroy(message);
}
END_TEST

START_TEST(test_ppk)
{
	ratkn_session_t *responder;
	notify_payload_t *notify;
	identification_t *ppk_id;
	shared_key_t *key;
	message_t *message;
	chunk_t ni, nr, answer, sk, spi_i, spi_r;
	uint64_t spi;

	ni = chunk_from_chars(0x11,0x11,0x11,0x11,0x11,0x11,0x11,0x11,
						  0x11,0x11,0x11,0x11,0x11,0x11,0x11,0x11);
	nr = chunk_from_chars(0x22,0x22,0x22,0x22,0x22,0x22,0x22,0x22,
						  0x22,0x22,0x22,0x22,0x22,0x22,0x22,0x22);
	ppk_id = identification_create_from_string("ratkn");

	/* outgoing IKE_SA_INIT request, before and after encoding */
	message = create_init(TRUE, ni);
	charon->bus->message(charon->bus, message, FALSE, TRUE);
	charon->bus->message(charon->bus, message, FALSE, FALSE);
	notify = message->get_notify(message, RATKN_NOTIFY_NEGOTIATE);
	ck_assert(notify);

	/* no SK before the peer answered */
	ck_assert(!lib->credmgr->get_shared(lib->credmgr, SHARED_PPK, ppk_id,
										NULL));

	/* the responder side, from the protocol core */
	responder = ratkn_session_create(RATKN_IKE_RESPONDER);
	answer = responder->answer(responder,
							   notify->get_notification_data(notify), TRUE,
							   NULL, 0);
	ck_assert(answer.len);
	responder->set_ike_sa_init(responder, chunk_from_str("request"),
							   chunk_from_str("response"), ni, nr);
	message->destroy(message);

	receive_answer(answer, nr);

	/* charon's credential manager now finds SK through the plugin */
	key = lib->credmgr->get_shared(lib->credmgr, SHARED_PPK, ppk_id, NULL);
	ck_assert_msg(key, "no PPK from the ratkn credential set");
	spi = htobe64(0x0102030405060708ULL);
	spi_i = chunk_from_thing(spi);
	spi_i = chunk_clone(spi_i);
	spi = htobe64(0x1112131415161718ULL);
	spi_r = chunk_clone(chunk_from_thing(spi));
	ck_assert(responder->get_sk(responder, spi_i, spi_r, &sk));
	ck_assert(chunk_equals(key->get_key(key), sk));
	key->destroy(key);

	/* not for another PPK_ID, not as PSK */
	ppk_id->destroy(ppk_id);
	ppk_id = identification_create_from_string("other");
	ck_assert(!lib->credmgr->get_shared(lib->credmgr, SHARED_PPK, ppk_id,
										NULL));
	ck_assert(!lib->credmgr->get_shared(lib->credmgr, SHARED_IKE, ppk_id,
										ppk_id));
	/* not from a thread without the IKE_SA */
	charon->bus->set_sa(charon->bus, NULL);
	ppk_id->destroy(ppk_id);
	ppk_id = identification_create_from_string("ratkn");
	ck_assert(!lib->credmgr->get_shared(lib->credmgr, SHARED_PPK, ppk_id,
										NULL));

	ppk_id->destroy(ppk_id);
	chunk_free(&spi_i);
	chunk_free(&spi_r);
	responder->destroy(responder);
}
END_TEST

/**
 * Set up an initiating IKE_SA of connection "gw" on which we attest (the TPM
 * is never used: no certificate, hence no evidence)
 */
static void setup_attester()
{
	setup_with("tpm { tcti = \"swtpm:host=127.0.0.1,port=1\" }\n"
			   "connections { gw {\nrole = attester\ngroup = curve25519\n"
			   "} }");
}

/**
 * Negotiate ratkn with a relying party (the protocol core) in IKE_SA_INIT
 * and let charon fetch SK as PPK
 */
static void negotiate_and_serve_ppk()
{
	ratkn_session_t *responder;
	notify_payload_t *notify;
	identification_t *ppk_id;
	shared_key_t *key;
	message_t *message;
	chunk_t ni, nr, answer;

	ni = chunk_from_chars(0x31,0x31,0x31,0x31,0x31,0x31,0x31,0x31,
						  0x31,0x31,0x31,0x31,0x31,0x31,0x31,0x31);
	nr = chunk_from_chars(0x42,0x42,0x42,0x42,0x42,0x42,0x42,0x42,
						  0x42,0x42,0x42,0x42,0x42,0x42,0x42,0x42);
	message = create_init(TRUE, ni);
	charon->bus->message(charon->bus, message, FALSE, TRUE);
	charon->bus->message(charon->bus, message, FALSE, FALSE);
	notify = message->get_notify(message, RATKN_NOTIFY_NEGOTIATE);
	ck_assert(notify);
	responder = ratkn_session_create(RATKN_IKE_RESPONDER);
	answer = responder->answer(responder,
							   notify->get_notification_data(notify), FALSE,
							   NULL, 0);
	ck_assert(answer.len);
	message->destroy(message);

	receive_answer(answer, nr);
	responder->destroy(responder);

	ppk_id = identification_create_from_string("ratkn");
	key = lib->credmgr->get_shared(lib->credmgr, SHARED_PPK, ppk_id, NULL);
	ck_assert_msg(key, "no PPK from the ratkn credential set");
	key->destroy(key);
	ppk_id->destroy(ppk_id);
}

START_TEST(test_no_ppk_auth)
{
	/* RFC 8784: a responder may omit PPK_IDENTITY, and charon's initiator
	 * then accepts it with keys that do not depend on the PPK even with
	 * ppk_required ("peer didn't use PPK"); SK must have entered the keys */
	negotiate_and_serve_ppk();
	ck_assert(charon->bus->authorize(charon->bus, FALSE));
	ck_assert(!ike_sa->has_condition(ike_sa, COND_PPK));
	ck_assert_msg(!charon->bus->authorize(charon->bus, TRUE),
				  "final authorization accepted an IKE_SA without the PPK");

	/* the same IKE_SA with the PPK applied passes */
	ike_sa->set_condition(ike_sa, COND_PPK, TRUE);
	ck_assert(charon->bus->authorize(charon->bus, TRUE));
}
END_TEST

START_TEST(test_unload)
{
	message_t *message;

	/* after unloading, the listener is gone from the bus */
	lib->plugins->unload(lib->plugins);
	message = create_init(TRUE, chunk_from_chars(0x01,0x02,0x03,0x04,0x05,
						0x06,0x07,0x08,0x09,0x0a,0x0b,0x0c,0x0d,0x0e,0x0f,0x10));
	charon->bus->message(charon->bus, message, FALSE, TRUE);
	ck_assert(!message->get_notify(message, RATKN_NOTIFY_NEGOTIATE));
	message->destroy(message);
}
END_TEST

Suite *plugin_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("plugin");

	tc = tcase_create("registration");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_loaded);
	tcase_add_test(tc, test_offer);
	tcase_add_test(tc, test_ppk);
	tcase_add_test(tc, test_unload);
	suite_add_tcase(s, tc);

	tc = tcase_create("key use");
	tcase_add_checked_fixture(tc, setup_attester, teardown);
	tcase_add_test(tc, test_no_ppk_auth);
	suite_add_tcase(s, tc);

	return s;
}
