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

/*
 * ABI probe: built against the same strongSwan headers as ratkn and loaded
 * by the installed charon (or libcharon in the unit tests), it checks that
 * the headers describe the installed libraries for everything ratkn relies
 * on: the order of the interface methods ratkn calls (each is called on an
 * object with known state and must give that state back), the layout of
 * the structures ratkn fills in (listener_t hooks, credential_set_t,
 * peer_cfg_create_t, ike_cfg_create_t), and the enum values ratkn uses
 * (against the libraries' own name tables). A distribution that patches
 * the headers of its strongSwan package (Debian's security updates patch
 * its 6.0.1) in a way that shifts any of these fails here instead of in
 * ratkn at run time. See testing/README.md for what is not covered.
 */

#include "abi_plugin.h"

#include <daemon.h>
#include <credentials/sets/callback_cred.h>
#include <encoding/payloads/nonce_payload.h>
#include <encoding/payloads/notify_payload.h>
#include <processing/jobs/callback_job.h>
#include <sa/ike_sa_id.h>

#include <ratkn_compat.h>

#include <stdio.h>

typedef struct private_abi_plugin_t private_abi_plugin_t;

/**
 * Private data of the ABI probe.
 */
struct private_abi_plugin_t {

	/**
	 * Public interface.
	 */
	abi_plugin_t public;

	/**
	 * Number of checks passed
	 */
	int passed;

	/**
	 * Number of checks failed
	 */
	int failed;

	/**
	 * Differences in what ratkn does not use (reported, not failed)
	 */
	int differences;
};

/**
 * Version field strongSwan >= 6.0.3 requires to load the plugin
 */
const char *ratkn_abi_plugin_version = VERSION;

/**
 * Count a check, log a failure (COND is evaluated once)
 */
#define CHECK(this, cond, what, ...) ({ \
	bool _ok = (cond); \
	if (_ok) { (this)->passed++; } \
	else { (this)->failed++; \
		   DBG1(DBG_CFG, "ratkn-abi: FAILED: " what, ##__VA_ARGS__); } \
	_ok; })

/**
 * Check that NAMES prints VALUE as EXPECTED (the library's name table
 * against the value of the header)
 */
static void check_enum(private_abi_plugin_t *this, enum_name_t *names,
					   int value, char *expected, char *what)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%N", names, value);
	CHECK(this, streq(buf, expected), "%s = %d is '%s' in the library, "
		  "expected '%s'", what, value, buf, expected);
}

#define ENUM_CHECK(this, names, value, expected) \
	check_enum(this, names, value, expected, #value)

/**
 * The library's value of a builder part, by its name. ratkn passes no
 * builder parts (it parses and creates keys and certificates with OpenSSL),
 * so a header value that differs is reported, not failed: Debian 13's
 * libstrongswan 6.0.1 has BUILD_AGENT_USER (backported from 6.0.3 with the
 * fix for CVE-2025-9615), which shifts every later builder_part_t value
 * against the upstream 6.0.1 headers. The probe itself builds its test key
 * and certificate with the library's values.
 */
static builder_part_t builder_part(private_abi_plugin_t *this, char *name,
								   builder_part_t header)
{
	builder_part_t value;

	if (!enum_from_name(builder_part_names, name, &value))
	{
		this->differences++;
		DBG1(DBG_CFG, "ratkn-abi: differs (not used by ratkn): %s unknown to "
			 "the library", name);
		return header;
	}
	if (value != header)
	{
		this->differences++;
		DBG1(DBG_CFG, "ratkn-abi: differs (not used by ratkn): %s is %d in "
			 "the headers, %d in the library", name, header, value);
	}
	return value;
}

#define BUILDER_PART(this, part) builder_part(this, #part, part)

/**
 * Enum values ratkn uses that have name tables
 */
static void check_enums(private_abi_plugin_t *this)
{
	ENUM_CHECK(this, exchange_type_names, IKE_SA_INIT, "IKE_SA_INIT");
	ENUM_CHECK(this, exchange_type_names, IKE_AUTH, "IKE_AUTH");
	ENUM_CHECK(this, exchange_type_names, CREATE_CHILD_SA, "CREATE_CHILD_SA");
	ENUM_CHECK(this, exchange_type_names, INFORMATIONAL, "INFORMATIONAL");
	ENUM_CHECK(this, notify_type_names, USE_PPK, "USE_PPK");
	ENUM_CHECK(this, notify_type_names, NO_PPK_AUTH, "NO_PPK_AUTH");
	ENUM_CHECK(this, notify_type_names, PPK_IDENTITY, "PPK_IDENTITY");
	ENUM_CHECK(this, notify_type_names, AUTHENTICATION_FAILED,
			   "AUTHENTICATION_FAILED");
	ENUM_CHECK(this, payload_type_names, PLV2_NONCE, "NONCE");
	ENUM_CHECK(this, payload_type_names, PLV2_NOTIFY, "NOTIFY");
	ENUM_CHECK(this, payload_type_names, PLV2_AUTH, "AUTH");
	ENUM_CHECK(this, auth_rule_names, AUTH_RULE_IDENTITY, "RULE_IDENTITY");
	ENUM_CHECK(this, auth_rule_names, AUTH_RULE_AUTH_CLASS, "RULE_AUTH_CLASS");
	ENUM_CHECK(this, auth_rule_names, AUTH_RULE_GROUP, "RULE_GROUP");
	ENUM_CHECK(this, auth_rule_names, AUTH_RULE_SUBJECT_CERT,
			   "RULE_SUBJECT_CERT");
	ENUM_CHECK(this, auth_class_names, AUTH_CLASS_PSK, "pre-shared key");
	ENUM_CHECK(this, auth_class_names, AUTH_CLASS_PUBKEY, "public key");
	ENUM_CHECK(this, shared_key_type_names, SHARED_IKE, "IKE");
	ENUM_CHECK(this, shared_key_type_names, SHARED_PPK, "PPK");
	ENUM_CHECK(this, ike_sa_state_names, IKE_CONNECTING, "CONNECTING");
	ENUM_CHECK(this, ike_sa_state_names, IKE_ESTABLISHED, "ESTABLISHED");
	ENUM_CHECK(this, ike_sa_state_names, IKE_DELETING, "DELETING");
	ENUM_CHECK(this, certificate_type_names, CERT_X509, "X509");
	ENUM_CHECK(this, key_type_names, KEY_ECDSA, "ECDSA");
	ENUM_CHECK(this, id_type_names, ID_FQDN, "ID_FQDN");
	ENUM_CHECK(this, job_priority_names, JOB_PRIO_CRITICAL, "critical");
	ENUM_CHECK(this, debug_names, DBG_IKE, "IKE");
	ENUM_CHECK(this, debug_names, DBG_PTS, "PTS");
}

/**
 * lib: settings, namespace, plugins
 */
static void check_lib(private_abi_plugin_t *this)
{
	enumerator_t *enumerator;
	char *section;
	bool found = FALSE;

	CHECK(this, lib->ns && *lib->ns, "lib->ns");
	lib->settings->set_str(lib->settings, "%s.plugins.ratkn-abi.str", "probe",
						   lib->ns);
	lib->settings->set_str(lib->settings, "%s.plugins.ratkn-abi.time", "2m",
						   lib->ns);
	lib->settings->set_str(lib->settings,
						   "%s.plugins.ratkn-abi.sections.one.key", "yes",
						   lib->ns);
	CHECK(this, streq(lib->settings->get_str(lib->settings,
				"%s.plugins.ratkn-abi.str", NULL, lib->ns), "probe"),
		  "settings get_str");
	CHECK(this, lib->settings->get_time(lib->settings,
				"%s.plugins.ratkn-abi.time", 0, lib->ns) == 120,
		  "settings get_time");
	CHECK(this, lib->settings->get_int(lib->settings,
				"%s.plugins.ratkn-abi.none", 42, lib->ns) == 42,
		  "settings get_int");
	CHECK(this, lib->settings->get_bool(lib->settings,
				"%s.plugins.ratkn-abi.sections.one.key", FALSE, lib->ns),
		  "settings get_bool");
	enumerator = lib->settings->create_section_enumerator(lib->settings,
								"%s.plugins.ratkn-abi.sections", lib->ns);
	while (enumerator->enumerate(enumerator, &section))
	{
		found = found || streq(section, "one");
	}
	enumerator->destroy(enumerator);
	CHECK(this, found, "settings create_section_enumerator");
	CHECK(this, lib->plugins->loaded_plugins(lib->plugins) != NULL,
		  "plugins loaded_plugins");
}

/**
 * Shared keys and the credential manager asking a credential set
 */
static shared_key_t *probe_key;

/**
 * A callback credential set: called until it returns NULL, so it serves the
 * key once per enumeration (data counts the calls)
 */
CALLBACK(probe_shared, shared_key_t*,
	int *calls, shared_key_type_t type, identification_t *me,
	identification_t *other, id_match_t *match_me, id_match_t *match_other)
{
	if (type != SHARED_PPK || (*calls)++ % 2)
	{
		return NULL;
	}
	return probe_key->get_ref(probe_key);
}

static void check_credentials(private_abi_plugin_t *this)
{
	identification_t *id, *other;
	callback_cred_t *set;
	shared_key_t *key;
	private_key_t *private;
	public_key_t *public;
	certificate_t *cert;
	chunk_t secret = chunk_from_str("ratkn-abi secret"), der;
	int calls = 0;

	id = identification_create_from_string("abi.ratkn.test");
	other = identification_create_from_string("abi.ratkn.test");
	CHECK(this, id->get_type(id) == ID_FQDN, "identification get_type");
	CHECK(this, chunk_equals(id->get_encoding(id),
							 chunk_from_str("abi.ratkn.test")),
		  "identification get_encoding");
	CHECK(this, id->matches(id, other) == ID_MATCH_PERFECT,
		  "identification matches");
	CHECK(this, id->equals(id, other), "identification equals");

	probe_key = shared_key_create(SHARED_PPK, chunk_clone(secret));
	CHECK(this, probe_key->get_type(probe_key) == SHARED_PPK,
		  "shared_key get_type");
	CHECK(this, chunk_equals(probe_key->get_key(probe_key), secret),
		  "shared_key get_key");
	set = callback_cred_create_shared(probe_shared, &calls);
	lib->credmgr->add_set(lib->credmgr, &set->set);
	key = lib->credmgr->get_shared(lib->credmgr, SHARED_PPK, id, NULL);
	CHECK(this, key && chunk_equals(key->get_key(key), secret),
		  "credential manager get_shared from a credential set");
	DESTROY_IF(key);
	lib->credmgr->remove_set(lib->credmgr, &set->set);
	set->destroy(set);
	probe_key->destroy(probe_key);

	private = lib->creds->create(lib->creds, CRED_PRIVATE_KEY, KEY_ECDSA,
								 BUILDER_PART(this, BUILD_KEY_SIZE), 256,
								 BUILDER_PART(this, BUILD_END));
	if (CHECK(this, private != NULL, "ECDSA key generation"))
	{
		cert = lib->creds->create(lib->creds, CRED_CERTIFICATE, CERT_X509,
								  BUILDER_PART(this, BUILD_SIGNING_KEY), private,
								  BUILDER_PART(this, BUILD_SUBJECT), id,
								  BUILDER_PART(this, BUILD_END));
		if (CHECK(this, cert != NULL, "self-signed X.509 certificate"))
		{
			CHECK(this, cert->get_type(cert) == CERT_X509,
				  "certificate get_type");
			CHECK(this, cert->get_subject(cert)->matches(
							cert->get_subject(cert), id) == ID_MATCH_PERFECT,
				  "certificate get_subject");
			public = cert->get_public_key(cert);
			CHECK(this, public && public->get_type(public) == KEY_ECDSA,
				  "certificate get_public_key");
			DESTROY_IF(public);
			CHECK(this, cert->get_encoding(cert, CERT_ASN1_DER, &der) &&
				  der.len > 100, "certificate get_encoding");
			chunk_free(&der);
			cert->destroy(cert);
		}
		private->destroy(private);
	}
	id->destroy(id);
	other->destroy(other);
}

/**
 * What the probe's listener saw
 */
typedef struct {
	listener_t listener;
	message_t *message;
	bool incoming, plain;
	int authorize;
	narrow_hook_t narrow;
	ike_sa_state_t state;
	int updown;
	ike_sa_t *rekeyed;
} probe_listener_t;

METHOD(listener_t, message_hook, bool,
	probe_listener_t *this, ike_sa_t *ike_sa, message_t *message,
	bool incoming, bool plain)
{
	this->message = message;
	this->incoming = incoming;
	this->plain = plain;
	return TRUE;
}

METHOD(listener_t, authorize_hook, bool,
	probe_listener_t *this, ike_sa_t *ike_sa, bool final, bool *success)
{
	this->authorize = final ? 2 : 1;
	return TRUE;
}

METHOD(listener_t, narrow_hook, bool,
	probe_listener_t *this, ike_sa_t *ike_sa, child_sa_t *child_sa,
	narrow_hook_t type, linked_list_t *local, linked_list_t *remote)
{
	this->narrow = type;
	return TRUE;
}

METHOD(listener_t, ike_state_change_hook, bool,
	probe_listener_t *this, ike_sa_t *ike_sa, ike_sa_state_t state)
{
	this->state = state;
	return TRUE;
}

METHOD(listener_t, ike_updown_hook, bool,
	probe_listener_t *this, ike_sa_t *ike_sa, bool up)
{
	this->updown = up ? 2 : 1;
	return TRUE;
}

METHOD(listener_t, ike_rekey_hook, bool,
	probe_listener_t *this, ike_sa_t *old, ike_sa_t *new)
{
	this->rekeyed = new;
	return TRUE;
}

/**
 * Configuration objects, the IKE_SA, messages and the bus
 */
static void check_charon(private_abi_plugin_t *this)
{
	ike_cfg_create_t ike = {
		.version = IKEV2,
		.local = "127.0.0.1",
		.local_port = 4500,
		.remote = "127.0.0.2",
		.remote_port = 4501,
	};
	peer_cfg_create_t peer = {
		.ppk_id = identification_create_from_string("abi-ppk"),
		RATKN_PEER_CFG_PPK_REQUIRED,
		.unique = UNIQUE_NEVER,
	};
	child_cfg_create_t child = {};
	child_sa_create_t child_data = {};
	probe_listener_t listener = {
		.listener = {
			.message = _message_hook,
			.authorize = _authorize_hook,
			.narrow = _narrow_hook,
			.ike_state_change = _ike_state_change_hook,
			.ike_updown = _ike_updown_hook,
			.ike_rekey = _ike_rekey_hook,
		},
		.narrow = -1,
		.state = -1,
	};
	identification_t *ppk_id, *me, *other;
	ike_cfg_t *ike_cfg;
	peer_cfg_t *peer_cfg;
	child_cfg_t *child_cfg;
	child_sa_t *child_sa;
	auth_cfg_t *auth, *found;
	enumerator_t *enumerator;
	ike_sa_id_t *id;
	ike_sa_t *ike_sa, *new_sa;
	message_t *message;
	nonce_payload_t *nonce;
	notify_payload_t *notify;
	payload_t *payload;
	linked_list_t *ts_local, *ts_remote;
	host_t *host_me, *host_other;
	chunk_t got, nonce_data = chunk_from_chars(0x01,0x02,0x03,0x04,0x05,0x06,0x07,
							0x08,0x09,0x0a,0x0b,0x0c,0x0d,0x0e,0x0f,0x10);
	bool ok;
	int n;

	ppk_id = peer.ppk_id->clone(peer.ppk_id);
	ike_cfg = ike_cfg_create(&ike);
	CHECK(this, ike_cfg->get_my_port(ike_cfg) == 4500 &&
		  ike_cfg->get_other_port(ike_cfg) == 4501, "ike_cfg ports");
	CHECK(this, streq(ike_cfg->get_my_addr(ike_cfg), "127.0.0.1"),
		  "ike_cfg get_my_addr");
	peer_cfg = peer_cfg_create("abi", ike_cfg, &peer);
	CHECK(this, streq(peer_cfg->get_name(peer_cfg), "abi"),
		  "peer_cfg get_name");
	CHECK(this, peer_cfg->get_ike_cfg(peer_cfg) == ike_cfg,
		  "peer_cfg get_ike_cfg");
	CHECK(this, peer_cfg->get_ppk_id(peer_cfg) &&
		  ppk_id->equals(ppk_id, peer_cfg->get_ppk_id(peer_cfg)),
		  "peer_cfg get_ppk_id");
	CHECK(this, ratkn_ppk_required(peer_cfg), "peer_cfg PPK required");
	CHECK(this, peer_cfg->get_unique_policy(peer_cfg) == UNIQUE_NEVER,
		  "peer_cfg get_unique_policy");

	auth = auth_cfg_create();
	auth->add(auth, AUTH_RULE_AUTH_CLASS, AUTH_CLASS_PSK);
	auth->add(auth, AUTH_RULE_GROUP,
			  identification_create_from_string("abi-group"));
	CHECK(this, (uintptr_t)auth->get(auth, AUTH_RULE_AUTH_CLASS) ==
		  AUTH_CLASS_PSK, "auth_cfg get");
	n = 0;
	enumerator = auth->create_enumerator(auth);
	while (enumerator->enumerate(enumerator, NULL, NULL))
	{
		n++;
	}
	enumerator->destroy(enumerator);
	CHECK(this, n == 2, "auth_cfg create_enumerator (%d rules)", n);
	peer_cfg->add_auth_cfg(peer_cfg, auth, TRUE);
	found = NULL;
	enumerator = peer_cfg->create_auth_cfg_enumerator(peer_cfg, TRUE);
	enumerator->enumerate(enumerator, &found);
	enumerator->destroy(enumerator);
	CHECK(this, found == auth, "peer_cfg create_auth_cfg_enumerator");

	child_cfg = child_cfg_create("abi-child", &child);
	CHECK(this, streq(child_cfg->get_name(child_cfg), "abi-child"),
		  "child_cfg get_name");
	peer_cfg->add_child_cfg(peer_cfg, child_cfg->get_ref(child_cfg));

	id = ike_sa_id_create(IKEV2_MAJOR_VERSION, 0x1122334455667788ULL,
						  0x99aabbccddeeff00ULL, TRUE);
	CHECK(this, id->get_initiator_spi(id) == 0x1122334455667788ULL &&
		  id->get_responder_spi(id) == 0x99aabbccddeeff00ULL &&
		  id->is_initiator(id), "ike_sa_id getters");
	ike_sa = ike_sa_create(id, TRUE, IKEV2);
	CHECK(this, ike_sa->get_id(ike_sa)->equals(ike_sa->get_id(ike_sa), id),
		  "ike_sa get_id");
	CHECK(this, ike_sa->get_version(ike_sa) == IKEV2, "ike_sa get_version");
	CHECK(this, ike_sa->get_unique_id(ike_sa) > 0, "ike_sa get_unique_id");
	ike_sa->set_peer_cfg(ike_sa, peer_cfg);
	CHECK(this, ike_sa->get_peer_cfg(ike_sa) == peer_cfg,
		  "ike_sa get_peer_cfg");
	CHECK(this, streq(ike_sa->get_name(ike_sa), "abi"), "ike_sa get_name");
	me = identification_create_from_string("me.ratkn.test");
	other = identification_create_from_string("other.ratkn.test");
	ike_sa->set_my_id(ike_sa, me->clone(me));
	ike_sa->set_other_id(ike_sa, other->clone(other));
	CHECK(this, me->equals(me, ike_sa->get_my_id(ike_sa)),
		  "ike_sa get_my_id");
	CHECK(this, other->equals(other, ike_sa->get_other_id(ike_sa)),
		  "ike_sa get_other_id");
	CHECK(this, !ike_sa->has_condition(ike_sa, COND_PPK),
		  "ike_sa has_condition (unset)");
	ike_sa->set_condition(ike_sa, COND_PPK, TRUE);
	CHECK(this, ike_sa->has_condition(ike_sa, COND_PPK),
		  "ike_sa has_condition");
	ike_sa->enable_extension(ike_sa, EXT_PPK);
	CHECK(this, ike_sa->supports_extension(ike_sa, EXT_PPK),
		  "ike_sa supports_extension");
	auth = ike_sa->get_auth_cfg(ike_sa, TRUE);
	auth->add(auth, AUTH_RULE_IDENTITY, me->clone(me));
	ike_sa->add_auth_cfg(ike_sa, TRUE, auth->clone(auth));
	found = NULL;
	enumerator = ike_sa->create_auth_cfg_enumerator(ike_sa, TRUE);
	enumerator->enumerate(enumerator, &found);
	enumerator->destroy(enumerator);
	CHECK(this, found && me->equals(me, found->get(found, AUTH_RULE_IDENTITY)),
		  "ike_sa create_auth_cfg_enumerator");

	/* messages */
	message = message_create(IKEV2_MAJOR_VERSION, IKEV2_MINOR_VERSION);
	message->set_exchange_type(message, IKE_SA_INIT);
	message->set_request(message, TRUE);
	message->set_ike_sa_id(message, id);
	nonce = nonce_payload_create(PLV2_NONCE);
	nonce->set_nonce(nonce, nonce_data);
	message->add_payload(message, (payload_t*)nonce);
	message->add_notify(message, FALSE, USE_PPK, chunk_from_str("abi"));
	CHECK(this, message->get_exchange_type(message) == IKE_SA_INIT,
		  "message get_exchange_type");
	CHECK(this, message->get_request(message), "message get_request");
	CHECK(this, message->get_ike_sa_id(message)->equals(
					message->get_ike_sa_id(message), id),
		  "message get_ike_sa_id");
	notify = message->get_notify(message, USE_PPK);
	CHECK(this, notify && notify->get_notify_type(notify) == USE_PPK &&
		  chunk_equals(notify->get_notification_data(notify),
					   chunk_from_str("abi")), "message get_notify");
	payload = message->get_payload(message, PLV2_NONCE);
	nonce = (nonce_payload_t*)payload;
	/* get_nonce() returns a copy */
	got = nonce ? nonce->get_nonce(nonce) : chunk_empty;
	CHECK(this, chunk_equals(got, nonce_data),
		  "message get_payload, nonce_payload get_nonce");
	chunk_free(&got);
	n = 0;
	enumerator = message->create_payload_enumerator(message);
	while (enumerator->enumerate(enumerator, &payload))
	{
		n++;
	}
	enumerator->destroy(enumerator);
	CHECK(this, n == 2, "message create_payload_enumerator (%d payloads)", n);

	/* the bus calls the hooks ratkn implements */
	charon->bus->add_listener(charon->bus, &listener.listener);
	charon->bus->set_sa(charon->bus, ike_sa);
	CHECK(this, charon->bus->get_sa(charon->bus) == ike_sa, "bus get_sa");
	charon->bus->message(charon->bus, message, TRUE, FALSE);
	CHECK(this, listener.message == message && listener.incoming &&
		  !listener.plain, "listener message hook");
	ok = charon->bus->authorize(charon->bus, TRUE);
	CHECK(this, ok && listener.authorize == 2, "listener authorize hook");
	host_me = host_create_from_string("127.0.0.1", 4500);
	host_other = host_create_from_string("127.0.0.2", 4501);
	child_sa = child_sa_create(host_me, host_other, child_cfg, &child_data);
	CHECK(this, streq(child_sa->get_name(child_sa), "abi-child"),
		  "child_sa get_name");
	ts_local = linked_list_create();
	ts_remote = linked_list_create();
	charon->bus->narrow(charon->bus, child_sa, NARROW_RESPONDER, ts_local,
						ts_remote);
	CHECK(this, listener.narrow == NARROW_RESPONDER, "listener narrow hook");
	charon->bus->narrow(charon->bus, child_sa, NARROW_INITIATOR_POST_AUTH,
						ts_local, ts_remote);
	CHECK(this, listener.narrow == NARROW_INITIATOR_POST_AUTH,
		  "listener narrow hook (initiator)");
	ts_local->destroy(ts_local);
	ts_remote->destroy(ts_remote);
	child_sa->destroy(child_sa);
	host_me->destroy(host_me);
	host_other->destroy(host_other);
	ike_sa->set_state(ike_sa, IKE_CONNECTING);
	CHECK(this, ike_sa->get_state(ike_sa) == IKE_CONNECTING &&
		  listener.state == IKE_CONNECTING, "listener ike_state_change hook");
	charon->bus->ike_updown(charon->bus, ike_sa, TRUE);
	CHECK(this, listener.updown == 2, "listener ike_updown hook");
	new_sa = ike_sa_create(id, TRUE, IKEV2);
	charon->bus->ike_rekey(charon->bus, ike_sa, new_sa);
	CHECK(this, listener.rekeyed == new_sa, "listener ike_rekey hook");
	charon->bus->set_sa(charon->bus, NULL);
	charon->bus->remove_listener(charon->bus, &listener.listener);

	new_sa->destroy(new_sa);
	message->destroy(message);
	ike_sa->destroy(ike_sa);
	peer_cfg->destroy(peer_cfg);
	child_cfg->destroy(child_cfg);
	id->destroy(id);
	me->destroy(me);
	other->destroy(other);
	ppk_id->destroy(ppk_id);
}

/**
 * The processor runs jobs ratkn queues (once charon's threads run)
 */
static job_requeue_t report_job(private_abi_plugin_t *this)
{
	CHECK(this, lib->processor->get_total_threads(lib->processor) > 0,
		  "processor get_total_threads");
	DBG1(DBG_CFG, "ratkn-abi: %d checks passed, %d failed, %d differences "
		 "in what ratkn does not use (strongSwan %s, headers of %s)",
		 this->passed, this->failed, this->differences, VERSION,
		 RATKN_ABI_SOURCE);
	return JOB_REQUEUE_NONE;
}

METHOD(plugin_t, get_name, char*,
	private_abi_plugin_t *this)
{
	return "ratkn-abi";
}

/**
 * Run the checks when the feature is registered; fail the feature (and a
 * critical load) if any failed
 */
static bool plugin_cb(private_abi_plugin_t *this, plugin_feature_t *feature,
					  bool reg, void *cb_data)
{
	if (!reg)
	{
		return TRUE;
	}
	check_enums(this);
	check_lib(this);
	check_credentials(this);
	check_charon(this);
	DBG1(DBG_CFG, "ratkn-abi: %d checks passed, %d failed before charon "
		 "started", this->passed, this->failed);
	if (this->failed)
	{	/* the loader destroys the plugin when its feature fails */
		return FALSE;
	}
	lib->processor->queue_job(lib->processor,
		(job_t*)callback_job_create_with_prio((callback_job_cb_t)report_job,
							this, NULL, NULL, JOB_PRIO_CRITICAL));
	return TRUE;
}

METHOD(plugin_t, get_features, int,
	private_abi_plugin_t *this, plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK((plugin_feature_callback_t)plugin_cb, NULL),
			PLUGIN_PROVIDE(CUSTOM, "ratkn-abi"),
				PLUGIN_DEPENDS(PRIVKEY_GEN, KEY_ECDSA),
				PLUGIN_DEPENDS(CERT_ENCODE, CERT_X509),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, destroy, void,
	private_abi_plugin_t *this)
{
	free(this);
}

/*
 * Described in header
 */
plugin_t *ratkn_abi_plugin_create()
{
	private_abi_plugin_t *this;

	INIT(this,
		.public = {
			.plugin = {
				.get_name = _get_name,
				.get_features = _get_features,
				.destroy = _destroy,
			},
		},
	);
	return &this->public.plugin;
}
