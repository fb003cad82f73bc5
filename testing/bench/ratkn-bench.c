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
 * ratkn-bench: drives IKEv2 handshakes through charon's vici interface for
 * testing/bench. Each initiator thread has a vici connection of its own and
 * initiates a CHILD_SA with a blocking "initiate" request; charon answers it
 * when the CHILD_SA of the new IKE_SA is INSTALLED on the initiator (the
 * controller's child_state_change), so the time from sending the request to
 * its reply spans IKE_SA_INIT sent to CHILD_SA installed, plus one vici round
 * trip and the dispatch of the initiate job. The IKE_SA is then deleted by
 * its unique ID, learned from the control-log events of the initiate.
 *
 * Built by testing/bench/bench.sh against libvici of the installed strongSwan
 * (headers of the configured source tree).
 */

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <getopt.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>

#include <library.h>
#include <libvici.h>

#define DEFAULT_URI "unix:///var/run/charon.vici"

/**
 * How to delete an IKE_SA after its handshake
 */
typedef enum {
	/** wait for the DELETE exchange (sequential runs) */
	TERMINATE_SYNC,
	/** have charon delete it in the background */
	TERMINATE_ASYNC,
	/** keep it */
	TERMINATE_NONE,
} terminate_t;

/**
 * Result of one handshake
 */
typedef struct {
	/** initiator thread */
	int worker;
	/** start, ns since the start of the run */
	uint64_t start;
	/** initiate request to reply, ns */
	uint64_t latency;
	/** unique ID of the IKE_SA, 0 if unknown */
	u_int ike_id;
	/** TRUE if the CHILD_SA came up */
	bool ok;
	/** charon's error message */
	char errmsg[96];
} result_t;

/**
 * Shared state of a run
 */
typedef struct {
	char *uri;
	char *ike;
	char *child;
	int count;
	int timeout;
	terminate_t terminate;
	/** next handshake to do, under lock */
	int next;
	pthread_mutex_t lock;
	/** start of the run */
	uint64_t t0;
	result_t *results;
} run_t;

/**
 * One initiator thread
 */
typedef struct {
	run_t *run;
	int id;
	vici_conn_t *conn;
	/** unique ID of the IKE_SA of the current initiate, from control-log */
	u_int ike_id;
	pthread_mutex_t lock;
} worker_t;

/**
 * Monotonic time in ns
 */
static uint64_t now_ns()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/**
 * control-log event: remember the IKE_SA's unique ID
 */
static void control_log(void *user, char *name, vici_res_t *res)
{
	worker_t *worker = user;
	char *id;

	id = vici_find_str(res, NULL, "ikesa-uniqueid");
	if (id)
	{
		pthread_mutex_lock(&worker->lock);
		if (!worker->ike_id)
		{
			worker->ike_id = strtoul(id, NULL, 10);
		}
		pthread_mutex_unlock(&worker->lock);
	}
}

/**
 * Submit a request; the reply's "success" decides. On failure, the error
 * message is copied to errmsg.
 */
static bool submit(vici_conn_t *conn, vici_req_t *req, char *errmsg,
				   size_t len)
{
	vici_res_t *res;
	bool ok;

	res = vici_submit(req, conn);
	if (!res)
	{
		snprintf(errmsg, len, "vici: %s", strerror(errno));
		return FALSE;
	}
	ok = streq(vici_find_str(res, "no", "success"), "yes");
	if (!ok)
	{
		snprintf(errmsg, len, "%s", vici_find_str(res, "?", "errmsg"));
	}
	vici_free_res(res);
	return ok;
}

/**
 * One handshake: initiate, then terminate as configured
 */
static void handshake(worker_t *worker, result_t *result)
{
	run_t *run = worker->run;
	vici_req_t *req;
	uint64_t t;
	char err[96];

	pthread_mutex_lock(&worker->lock);
	worker->ike_id = 0;
	pthread_mutex_unlock(&worker->lock);

	req = vici_begin("initiate");
	vici_add_key_valuef(req, "child", "%s", run->child);
	vici_add_key_valuef(req, "ike", "%s", run->ike);
	vici_add_key_valuef(req, "timeout", "%d", run->timeout);
	/* level 0 has "initiating IKE_SA", enough for the unique ID */
	vici_add_key_valuef(req, "loglevel", "%d", 0);

	t = now_ns();
	result->start = t - run->t0;
	result->ok = submit(worker->conn, req, result->errmsg,
						sizeof(result->errmsg));
	result->latency = now_ns() - t;
	result->worker = worker->id;

	pthread_mutex_lock(&worker->lock);
	result->ike_id = worker->ike_id;
	pthread_mutex_unlock(&worker->lock);

	if (run->terminate == TERMINATE_NONE || !result->ike_id)
	{
		return;
	}
	req = vici_begin("terminate");
	vici_add_key_valuef(req, "ike-id", "%u", result->ike_id);
	vici_add_key_valuef(req, "timeout", "%d",
				run->terminate == TERMINATE_SYNC ? run->timeout : -1);
	vici_add_key_valuef(req, "loglevel", "%d", -1);
	if (!submit(worker->conn, req, err, sizeof(err)) && result->ok)
	{
		/* a failed delete is noted, the handshake itself succeeded */
		fprintf(stderr, "terminating IKE_SA #%u failed: %s\n",
				result->ike_id, err);
	}
}

/**
 * Initiator thread
 */
static void *worker_main(void *arg)
{
	worker_t *worker = arg;
	run_t *run = worker->run;
	int i;

	while (TRUE)
	{
		pthread_mutex_lock(&run->lock);
		i = run->next < run->count ? run->next++ : -1;
		pthread_mutex_unlock(&run->lock);
		if (i < 0)
		{
			break;
		}
		handshake(worker, &run->results[i]);
	}
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out,
"usage: ratkn-bench [--uri URI] initiate --ike NAME --child NAME [-n N]\n"
"                   [-c C] [--terminate sync|async|none] [--timeout MS]\n"
"                   [--csv FILE]\n"
"       ratkn-bench [--uri URI] idle [--timeout MS]\n"
"       ratkn-bench [--uri URI] stats\n"
"\n"
"  initiate  N handshakes of CHILD_SA NAME of connection NAME by C\n"
"            initiator threads, each with its own vici connection; one CSV\n"
"            line per handshake (worker,start_us,latency_us,ike_id,ok,\n"
"            errmsg), a summary line on stdout; status 1 if a handshake\n"
"            failed\n"
"  idle      wait until charon has no IKE_SA (default timeout 60000 ms)\n"
"  stats     print charon's IKE_SA counters\n"
"\n"
"  default URI: %s\n", DEFAULT_URI);
}

/**
 * IKE_SA counters of charon: total and half-open
 */
static bool get_stats(vici_conn_t *conn, int *total, int *half_open)
{
	vici_res_t *res;

	res = vici_submit(vici_begin("stats"), conn);
	if (!res)
	{
		fprintf(stderr, "stats: %s\n", strerror(errno));
		return FALSE;
	}
	*total = vici_find_int(res, -1, "ikesas.total");
	*half_open = vici_find_int(res, -1, "ikesas.half-open");
	vici_free_res(res);
	return *total >= 0;
}

static int cmd_stats(char *uri, bool wait, int timeout)
{
	vici_conn_t *conn;
	int total = -1, half_open = -1, rc = 2;
	uint64_t end;

	conn = vici_connect(uri);
	if (!conn)
	{
		fprintf(stderr, "connecting to '%s' failed: %s\n", uri,
				strerror(errno));
		return 2;
	}
	end = now_ns() + (uint64_t)timeout * 1000000;
	while (get_stats(conn, &total, &half_open))
	{
		if (!wait)
		{
			printf("ikesas=%d half-open=%d\n", total, half_open);
			rc = 0;
			break;
		}
		if (total == 0)
		{
			rc = 0;
			break;
		}
		if (now_ns() > end)
		{
			fprintf(stderr, "still %d IKE_SAs after %d ms\n", total, timeout);
			rc = 1;
			break;
		}
		usleep(50000);
	}
	vici_disconnect(conn);
	return rc;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;

	return x < y ? -1 : x > y;
}

static int cmd_initiate(run_t *run, int threads, char *csv)
{
	worker_t *workers;
	pthread_t *tids;
	uint64_t wall, *lat;
	int i, ok = 0, n = 0, rc = 0;
	FILE *out = NULL;

	if (csv)
	{
		out = fopen(csv, "w");
		if (!out)
		{
			fprintf(stderr, "opening '%s' failed: %s\n", csv, strerror(errno));
			return 2;
		}
	}
	run->results = calloc(run->count, sizeof(result_t));
	workers = calloc(threads, sizeof(worker_t));
	tids = calloc(threads, sizeof(pthread_t));
	pthread_mutex_init(&run->lock, NULL);

	for (i = 0; i < threads; i++)
	{
		workers[i].run = run;
		workers[i].id = i;
		pthread_mutex_init(&workers[i].lock, NULL);
		workers[i].conn = vici_connect(run->uri);
		if (!workers[i].conn ||
			vici_register(workers[i].conn, "control-log", control_log,
						  &workers[i]) != 0)
		{
			fprintf(stderr, "connecting to '%s' failed: %s\n", run->uri,
					strerror(errno));
			rc = 2;
			threads = i + (workers[i].conn != NULL);
			goto out;
		}
	}
	run->t0 = now_ns();
	for (i = 0; i < threads; i++)
	{
		pthread_create(&tids[i], NULL, worker_main, &workers[i]);
	}
	for (i = 0; i < threads; i++)
	{
		pthread_join(tids[i], NULL);
	}
	wall = now_ns() - run->t0;

	lat = calloc(run->count, sizeof(uint64_t));
	for (i = 0; i < run->count; i++)
	{
		result_t *r = &run->results[i];

		if (out)
		{
			fprintf(out, "%d,%llu,%llu,%u,%d,%s\n", r->worker,
					(unsigned long long)(r->start / 1000),
					(unsigned long long)(r->latency / 1000), r->ike_id,
					r->ok, r->ok ? "" : r->errmsg);
		}
		if (r->ok)
		{
			lat[ok++] = r->latency;
		}
		else if (n++ < 3)
		{
			fprintf(stderr, "handshake %d failed: %s\n", i, r->errmsg);
		}
	}
	qsort(lat, ok, sizeof(uint64_t), compare_u64);
	printf("ike=%s handshakes=%d concurrency=%d ok=%d failed=%d wall_s=%.3f "
		   "per_s=%.1f median_ms=%.3f p95_ms=%.3f\n", run->ike, run->count,
		   threads, ok, run->count - ok, wall / 1e9,
		   wall ? run->count / (wall / 1e9) : 0.0,
		   ok ? lat[(ok - 1) / 2] / 1e6 : 0.0,
		   ok ? lat[(ok * 95 + 99) / 100 - 1] / 1e6 : 0.0);
	free(lat);
	rc = ok == run->count ? 0 : 1;

out:
	for (i = 0; i < threads; i++)
	{
		if (workers[i].conn)
		{
			vici_disconnect(workers[i].conn);
		}
	}
	if (out)
	{
		fclose(out);
	}
	free(tids);
	free(workers);
	free(run->results);
	return rc;
}

int main(int argc, char *argv[])
{
	run_t run = {
		.uri = DEFAULT_URI,
		.count = 1,
		.timeout = 30000,
		.terminate = TERMINATE_SYNC,
	};
	int threads = 1, rc, timeout = -1;
	char *cmd, *csv = NULL;
	struct option long_opts[] = {
		{ "uri", required_argument, NULL, 'u' },
		{ "ike", required_argument, NULL, 'i' },
		{ "child", required_argument, NULL, 'C' },
		{ "count", required_argument, NULL, 'n' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "terminate", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "csv", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};

	/* GNU getopt permutes: options may precede or follow the command */
	while (TRUE)
	{
		switch (getopt_long(argc, argv, "u:i:C:n:c:t:T:o:h", long_opts, NULL))
		{
			case 'u':
				run.uri = optarg;
				continue;
			case 'i':
				run.ike = optarg;
				continue;
			case 'C':
				run.child = optarg;
				continue;
			case 'n':
				run.count = atoi(optarg);
				continue;
			case 'c':
				threads = atoi(optarg);
				continue;
			case 't':
				if (streq(optarg, "sync"))
				{
					run.terminate = TERMINATE_SYNC;
				}
				else if (streq(optarg, "async"))
				{
					run.terminate = TERMINATE_ASYNC;
				}
				else if (streq(optarg, "none"))
				{
					run.terminate = TERMINATE_NONE;
				}
				else
				{
					usage(stderr);
					return 2;
				}
				continue;
			case 'T':
				timeout = atoi(optarg);
				continue;
			case 'o':
				csv = optarg;
				continue;
			case 'h':
				usage(stdout);
				return 0;
			case EOF:
				break;
			default:
				usage(stderr);
				return 2;
		}
		break;
	}
	if (optind != argc - 1)
	{
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];

	vici_init();
	/* errors are reported by us, not by libstrongswan's default logger */
	dbg_default_set_level(-1);
	/* libvici reads replies and events on libstrongswan's processor */
	if (lib->processor->get_total_threads(lib->processor) < threads + 4)
	{
		lib->processor->set_threads(lib->processor, threads + 4);
	}

	if (streq(cmd, "initiate"))
	{
		if (!run.ike || !run.child || run.count < 1 || threads < 1)
		{
			usage(stderr);
			rc = 2;
		}
		else
		{
			if (threads > run.count)
			{
				threads = run.count;
			}
			if (timeout > 0)
			{
				run.timeout = timeout;
			}
			rc = cmd_initiate(&run, threads, csv);
		}
	}
	else if (streq(cmd, "idle"))
	{
		rc = cmd_stats(run.uri, TRUE, timeout > 0 ? timeout : 60000);
	}
	else if (streq(cmd, "stats"))
	{
		rc = cmd_stats(run.uri, FALSE, 0);
	}
	else
	{
		usage(stderr);
		rc = 2;
	}
	vici_deinit();
	return rc;
}
