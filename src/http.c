/*-------------------------------------------------------------------------
 *
 * http.c
 *	  The libcurl multi engine: keep-alive and HTTP/2 reuse, concurrency,
 *	  timeouts, the response size cap, retries (by http_retry.c's policy)
 *	  and interrupt checks.
 *
 * One CURLM per backend keeps connections (and TLS sessions) alive across
 * pages and scans.  Transfers belong to a transfer set, which belongs to a
 * memory context: when the context goes away (end of scan, or an ERROR),
 * its reset callback removes every transfer of the set from the multi
 * handle and frees it.  Transfers and their buffers live on malloc, so a
 * response never counts against a PostgreSQL memory context until decode.c
 * parses it.
 *
 * libcurl callbacks never ereport: they record what happened and return,
 * and the driving loop raises errors (or CHECK_FOR_INTERRUPTS throws) once
 * libcurl has returned.
 *
 *-------------------------------------------------------------------------
 */
#include "azb.h"

#include <curl/curl.h>
#include "compat_curl.h"

#ifdef __linux__
#include <sys/select.h>
#include <unistd.h>
#endif

#include "common/pg_prng.h"
#include "lib/ilist.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/wait_event.h"
#include "port.h"
#include "utils/memutils.h"
#include "utils/timeout.h"

typedef enum AzbTransferState
{
	XFER_RUNNING,				/* in the multi handle */
	XFER_WAITING,				/* waiting for retry_at before running again */
	XFER_DONE
} AzbTransferState;

struct AzbTransferSet
{
	dlist_head	transfers;		/* every live transfer of the set */
	AzbHttpStats *stats;
	char	   *ca_file;
	long		connect_timeout_ms;
	long		request_timeout_ms;
	int			max_retries;
	size_t		max_response_bytes;
	MemoryContextCallback cleanup;
};

struct AzbTransfer
{
	dlist_node	node;
	AzbTransferSet *set;
	CURL	   *easy;
	struct curl_slist *headers;
	AzbTransferState state;
	TimestampTz retry_at;
	void	   *owner;
	/* copies of the spec, on malloc */
	char	   *url;
	char	   *method;
	char	   *body;
	bool		retry;
	bool		unsafe;			/* POST/PATCH: see azb_http_retryable() */
	/* response */
	AzbHttpResult result;
	size_t		cap;
	bool		too_large;
	long		reads_left;		/* x-ms-ratelimit-remaining-*-reads, or -1 */
	TimestampTz started;
};


static CURLM *azb_multi = NULL;
static CURLSH *azb_share = NULL;
static int	azb_running = 0;	/* transfers in the multi handle */

/* the longest single wait in the driving loop: the cancel latency */
#define AZB_POLL_MS 100

static void
ensure_multi(void)
{
	if (azb_multi != NULL)
		return;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("could not initialize libcurl"),
				 errdetail("curl_global_init failed."),
				 errhint("Check the server's libcurl installation.")));
	azb_multi = curl_multi_init();
	azb_share = curl_share_init();
	if (azb_multi == NULL || azb_share == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create a libcurl multi handle"),
				 errdetail("curl_multi_init or curl_share_init returned NULL."),
				 errhint("The server may be out of memory.")));
	curl_share_setopt(azb_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(azb_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_multi_setopt(azb_multi, CURLMOPT_PIPELINING, (long) CURLPIPE_MULTIPLEX);
	curl_multi_setopt(azb_multi, CURLMOPT_MAXCONNECTS, 64L);
}

const char *
azb_http_libcurl_version(void)
{
	return curl_version();
}

/* ---------------------------------------------------------------- */
/* libcurl callbacks: no ereport, no palloc							*/
/* ---------------------------------------------------------------- */

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	AzbTransfer *t = (AzbTransfer *) arg;
	size_t		n = size * nmemb;
	size_t		need = t->result.body_len + n + 1;

	if (need > t->set->max_response_bytes + 1)
	{
		t->too_large = true;
		return 0;				/* makes libcurl fail the transfer */
	}
	if (need > t->cap)
	{
		size_t		cap = t->cap ? t->cap : 16384;
		char	   *grown;

		while (cap < need)
			cap *= 2;
		grown = realloc(t->result.body, cap);
		if (grown == NULL)
			return 0;
		t->result.body = grown;
		t->cap = cap;
	}
	memcpy(t->result.body + t->result.body_len, data, n);
	t->result.body_len += n;
	t->result.body[t->result.body_len] = '\0';
	return n;
}

static void
copy_header_value(char *dst, size_t dstsize, const char *value, size_t len)
{
	while (len > 0 && (*value == ' ' || *value == '\t'))
	{
		value++;
		len--;
	}
	while (len > 0 && (value[len - 1] == '\r' || value[len - 1] == '\n' ||
					   value[len - 1] == ' '))
		len--;
	if (len >= dstsize)
		len = dstsize - 1;
	memcpy(dst, value, len);
	dst[len] = '\0';
}

static bool
header_is(const char *line, size_t len, const char *name, const char **value, size_t *vlen)
{
	size_t		n = strlen(name);

	if (len <= n || line[n] != ':' || pg_strncasecmp(line, name, n) != 0)
		return false;
	*value = line + n + 1;
	*vlen = len - n - 1;
	return true;
}

/* Forget what an earlier answer's headers said: a new attempt or response. */
static void
forget_headers(AzbTransfer *t)
{
	t->result.content_type[0] = '\0';
	t->result.request_id[0] = '\0';
	t->result.location[0] = '\0';
	t->result.retry_after[0] = '\0';
	t->result.www_authenticate[0] = '\0';
	t->result.async_operation[0] = '\0';
	t->result.retry_after_ms = -1;
	t->reads_left = -1;
}

static size_t
header_cb(char *line, size_t size, size_t nitems, void *arg)
{
	AzbTransfer *t = (AzbTransfer *) arg;
	size_t		len = size * nitems;
	const char *v;
	size_t		vlen;
	char		num[32];

	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0)
		forget_headers(t);		/* a new response (after 100-continue, say) */
	else if (header_is(line, len, "content-type", &v, &vlen))
		copy_header_value(t->result.content_type, sizeof(t->result.content_type), v, vlen);
	else if (header_is(line, len, "x-ms-request-id", &v, &vlen))
		copy_header_value(t->result.request_id, sizeof(t->result.request_id), v, vlen);
	else if (header_is(line, len, "location", &v, &vlen))
		copy_header_value(t->result.location, sizeof(t->result.location), v, vlen);
	else if (header_is(line, len, "azure-asyncoperation", &v, &vlen))
		copy_header_value(t->result.async_operation, sizeof(t->result.async_operation), v, vlen);
	else if (header_is(line, len, "retry-after", &v, &vlen))
		copy_header_value(t->result.retry_after, sizeof(t->result.retry_after), v, vlen);
	else if (header_is(line, len, "www-authenticate", &v, &vlen))
		copy_header_value(t->result.www_authenticate, sizeof(t->result.www_authenticate),
						  v, vlen);
	else if (header_is(line, len, "x-ms-ratelimit-remaining-tenant-reads", &v, &vlen) ||
			 header_is(line, len, "x-ms-ratelimit-remaining-subscription-reads", &v, &vlen))
	{
		copy_header_value(num, sizeof(num), v, vlen);
		if (num[0] >= '0' && num[0] <= '9')
		{
			long		left = strtol(num, NULL, 10);

			if (t->reads_left < 0 || left < t->reads_left)
				t->reads_left = left;
		}
	}
	else if (header_is(line, len, "retry-after-ms", &v, &vlen) ||
			 header_is(line, len, "x-ms-retry-after-ms", &v, &vlen))
	{
		copy_header_value(num, sizeof(num), v, vlen);
		if (num[0] >= '0' && num[0] <= '9')
			t->result.retry_after_ms = strtol(num, NULL, 10);
	}
	return len;
}

/* ---------------------------------------------------------------- */
/* Transfers														*/
/* ---------------------------------------------------------------- */

static char *
malloc_strdup(const char *s)
{
	char	   *copy;

	if (s == NULL)
		return NULL;
	copy = strdup(s);
	if (copy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Could not copy a request of %zu bytes.", strlen(s)),
				 errhint("The server may be out of memory.")));
	return copy;
}

/* Free everything a transfer holds; the transfer must be out of the multi. */
static void
transfer_destroy(AzbTransfer *t)
{
	if (t->easy)
		curl_easy_cleanup(t->easy);
	if (t->headers)
	{
		/* header lines may hold credentials (Authorization, identity headers) */
		for (struct curl_slist *h = t->headers; h; h = h->next)
			explicit_bzero(h->data, strlen(h->data));
		curl_slist_free_all(t->headers);
	}
	free(t->url);
	free(t->method);
	if (t->body)
	{
		/* a token request's body holds the client secret */
		explicit_bzero(t->body, strlen(t->body));
		free(t->body);
	}
	free(t->result.body);
	free(t);
}

static void
transfer_detach(AzbTransfer *t)
{
	if (t->state == XFER_RUNNING && t->easy)
	{
		curl_multi_remove_handle(azb_multi, t->easy);
		azb_running--;
	}
	t->state = XFER_DONE;
}

static void
drop_transfers(AzbTransferSet *set)
{
	dlist_mutable_iter iter;

	dlist_foreach_modify(iter, &set->transfers)
	{
		AzbTransfer *t = dlist_container(AzbTransfer, node, iter.cur);

		dlist_delete(&t->node);
		transfer_detach(t);
		transfer_destroy(t);
	}
}

/* The memory context that owns a set is going away: drop its transfers. */
static void
set_cleanup(void *arg)
{
	AzbTransferSet *set = (AzbTransferSet *) arg;

	drop_transfers(set);
	free(set->ca_file);
	set->ca_file = NULL;
}

/*
 * A set of transfers owned by CurrentMemoryContext, with the server's
 * timeouts, retry budget and size cap.  Statistics accumulate into *stats.
 */
AzbTransferSet *
azb_http_set_create(const AzbOptions *opts, AzbHttpStats *stats)
{
	AzbTransferSet *set = palloc0(sizeof(AzbTransferSet));

	ensure_multi();
	dlist_init(&set->transfers);
	set->stats = stats;
	set->ca_file = opts->ca_file ? malloc_strdup(opts->ca_file) : NULL;
	set->connect_timeout_ms = opts->connect_timeout * 1000L;
	set->request_timeout_ms = opts->request_timeout * 1000L;
	set->max_retries = opts->max_retries;
	set->max_response_bytes = (size_t) opts->max_response_bytes;
	set->cleanup.func = set_cleanup;
	set->cleanup.arg = set;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &set->cleanup);
	return set;
}

/* A fresh GUID, as x-ms-client-request-id. */
static void
make_guid(char *out)
{
	uint8		b[16];

	if (!pg_strong_random(b, sizeof(b)))
	{
		for (int i = 0; i < 16; i++)
			b[i] = (uint8) pg_prng_uint32(&pg_global_prng_state);
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37,
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
			 b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* (Re)start a transfer: reset its response and hand it to the multi handle. */
static void
transfer_launch(AzbTransfer *t)
{
	CURLMcode	mc;

	free(t->result.body);
	t->result.body = NULL;
	t->result.body_len = 0;
	t->cap = 0;
	t->too_large = false;
	forget_headers(t);
	t->result.sent = false;
	t->result.status = 0;
	t->result.failure = AZB_XFER_OK;
	t->result.errbuf[0] = '\0';
	t->result.attempts++;
	t->started = GetCurrentTimestamp();

	mc = curl_multi_add_handle(azb_multi, t->easy);
	if (mc != CURLM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("could not start an HTTP request"),
				 errdetail("curl_multi_add_handle: %s.", curl_multi_strerror(mc)),
				 errhint("The server may be out of memory or file descriptors.")));
	azb_running++;
	t->state = XFER_RUNNING;
	if (t->set->stats)
		t->set->stats->requests++;
}

/*
 * Start a request.  The spec's strings are copied; owner is the caller's
 * tag, returned by azb_http_owner.
 */
AzbTransfer *
azb_http_start(AzbTransferSet *set, const AzbHttpSpec *spec, void *owner)
{
	AzbTransfer *t;
	CURL	   *easy;
	char		guid[40];
	char		line[256];

	t = calloc(1, sizeof(AzbTransfer));
	if (t == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Could not allocate an HTTP transfer."),
				 errhint("The server may be out of memory.")));
	t->set = set;
	t->owner = owner;
	t->state = XFER_DONE;
	dlist_push_tail(&set->transfers, &t->node);

	/* from here on, set_cleanup frees t if anything below throws */
	t->url = malloc_strdup(spec->url);
	t->method = malloc_strdup(spec->method ? spec->method : "GET");
	t->body = malloc_strdup(spec->body);
	t->retry = spec->retry;
	t->unsafe = spec->unsafe;

	t->easy = easy = curl_easy_init();
	if (easy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create a libcurl handle"),
				 errdetail("curl_easy_init returned NULL."),
				 errhint("The server may be out of memory.")));

	make_guid(guid);
	strlcpy(t->result.client_request_id, guid, sizeof(t->result.client_request_id));
	t->headers = curl_slist_append(t->headers, "Accept: application/json");
	snprintf(line, sizeof(line), "x-ms-client-request-id: %s", guid);
	t->headers = curl_slist_append(t->headers, line);
	if (spec->metadata_header)
		t->headers = curl_slist_append(t->headers, "Metadata: true");
	if (spec->content_type)
	{
		snprintf(line, sizeof(line), "Content-Type: %s", spec->content_type);
		t->headers = curl_slist_append(t->headers, line);
	}
	if (spec->bearer)
	{
		StringInfoData auth;

		/* the token is copied into libcurl's list only; wiped below */
		initStringInfo(&auth);
		appendStringInfo(&auth, "Authorization: Bearer %s", spec->bearer);
		t->headers = curl_slist_append(t->headers, auth.data);
		explicit_bzero(auth.data, auth.len);
		pfree(auth.data);
	}
	for (const char *const *h = spec->headers; h && *h; h++)
		t->headers = curl_slist_append(t->headers, *h);
	t->headers = curl_slist_append(t->headers, "Expect:");
	if (t->headers == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Could not build request headers."),
				 errhint("The server may be out of memory.")));

	curl_easy_setopt(easy, CURLOPT_URL, t->url);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, AZB_USER_AGENT);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->result.errbuf);
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);	/* never carry the token elsewhere */
	AZB_SET_PROTOCOLS(easy);
	curl_easy_setopt(easy, CURLOPT_PATH_AS_IS, 1L);	/* libcurl 8 turns %2E%2E back into .. */
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, set->connect_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, set->request_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(easy, CURLOPT_SHARE, azb_share);
	curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
	if (set->ca_file)
		curl_easy_setopt(easy, CURLOPT_CAINFO, set->ca_file);
	if (spec->no_proxy)
		curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");

	/*
	 * libcurl silently sends a request again when a reused connection dies
	 * before any answer arrives.  For a POST or PATCH that may have reached
	 * Azure that would be a second write, so they get a connection of their
	 * own, which libcurl never retries on.
	 */
	if (spec->unsafe)
		curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
	if (strcmp(t->method, "POST") == 0)
	{
		curl_easy_setopt(easy, CURLOPT_POST, 1L);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->body ? t->body : "");
	}
	else if (strcmp(t->method, "GET") != 0)
	{
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, t->method);
		/* PUT and PATCH carry their body like a POST, under their own verb */
		if (t->body)
			curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->body);
	}

	transfer_launch(t);
	return t;
}

/*
 * A transfer that is done before it starts: a page from the result cache
 * (cache.c), handed out by azb_http_next_done like any answer.  Its
 * attempts are 0: nothing was sent, and no statistic counts it.
 */
AzbTransfer *
azb_http_start_answered(AzbTransferSet *set, const char *body, size_t body_len,
						const char *content_type, void *owner)
{
	AzbTransfer *t = calloc(1, sizeof(AzbTransfer));

	if (t == NULL || (t->result.body = malloc(body_len + 1)) == NULL)
	{
		free(t);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Could not copy a cached page of %zu bytes.", body_len),
				 errhint("The server may be out of memory.")));
	}
	memcpy(t->result.body, body, body_len);
	t->result.body[body_len] = '\0';
	t->result.body_len = body_len;
	t->result.status = 200;
	t->result.retry_after_ms = -1;
	strlcpy(t->result.content_type, content_type ? content_type : "",
			sizeof(t->result.content_type));
	t->set = set;
	t->owner = owner;
	t->state = XFER_DONE;
	dlist_push_tail(&set->transfers, &t->node);
	return t;
}

/* Classify a finished transfer from libcurl's result code. */
static void
transfer_finish(AzbTransfer *t, CURLcode code)
{
	long		status = 0;
	curl_off_t	dl = 0;

	curl_multi_remove_handle(azb_multi, t->easy);
	azb_running--;
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	t->result.status = status;
	{
		long		request_bytes = 0;

		/* bytes of request headers issued: 0 when nothing went out */
		curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &request_bytes);
		t->result.sent = request_bytes > 0 || status > 0;
	}
	if (t->set->stats)
	{
		curl_easy_getinfo(t->easy, CURLINFO_SIZE_DOWNLOAD_T, &dl);
		t->set->stats->bytes += (int64) dl;
	}

	if (code == CURLE_OK)
		t->result.failure = AZB_XFER_OK;
	else if (t->too_large)
		t->result.failure = AZB_XFER_TOO_LARGE;
	else
	{
		switch (code)
		{
			case CURLE_COULDNT_RESOLVE_HOST:
			case CURLE_COULDNT_RESOLVE_PROXY:
			case CURLE_COULDNT_CONNECT:
			case CURLE_SSL_CONNECT_ERROR:
			case CURLE_PEER_FAILED_VERIFICATION:
			case CURLE_SSL_CACERT_BADFILE:
			case CURLE_SSL_CERTPROBLEM:
				t->result.failure = AZB_XFER_CONNECT;
				break;
			case CURLE_OPERATION_TIMEDOUT:
				t->result.failure = AZB_XFER_TIMEOUT;
				break;
			default:
				t->result.failure = AZB_XFER_TRANSPORT;
				break;
		}
		if (t->result.errbuf[0] == '\0')
			strlcpy(t->result.errbuf, curl_easy_strerror(code), sizeof(t->result.errbuf));
	}
	/* a certificate problem will not heal by retrying */
	if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
		code == CURLE_SSL_CERTPROBLEM)
		t->retry = false;

	if (t->result.failure == AZB_XFER_OK && t->result.status == 429 && t->set->stats)
		t->set->stats->throttled++;
	if (t->reads_left >= 0)
		azb_pace_report(t->reads_left);

	if (t->retry && azb_http_retryable(&t->result, t->unsafe) &&
		t->result.attempts <= t->set->max_retries)
	{
		double		delay = azb_http_retry_delay_ms(&t->result);
		TimestampTz now = GetCurrentTimestamp();
		TimestampTz at = TimestampTzPlusMilliseconds(now, (int64) delay);

		/* a wait that would outlast statement_timeout ends the transfer now */
		if (get_timeout_active(STATEMENT_TIMEOUT) &&
			at >= get_timeout_finish_time(STATEMENT_TIMEOUT))
		{
			t->result.failure = AZB_XFER_DEADLINE;
			snprintf(t->result.errbuf, sizeof(t->result.errbuf),
					 "a retry in %.0f ms would pass statement_timeout", delay);
			t->state = XFER_DONE;
			t->result.wait_ms = -delay; /* negative: the wait not taken */
			return;
		}
		t->state = XFER_WAITING;
		t->retry_at = at;
		t->result.wait_ms += delay;
		if (t->set->stats)
		{
			t->set->stats->retries++;
			t->set->stats->wait_ms += delay;
		}
		return;
	}
	t->state = XFER_DONE;
}

/*
 * Make progress on every transfer of the backend: perform, collect finished
 * transfers, restart those whose backoff has passed, and wait up to
 * max_wait_ms (bounded by AZB_POLL_MS, so that cancel and statement_timeout
 * are noticed quickly) for network activity.
 */
void
azb_http_drive(AzbTransferSet *set, long max_wait_ms)
{
	int			still;
	CURLMsg    *msg;
	int			left;
	long		wait = Min(max_wait_ms, AZB_POLL_MS);
	TimestampTz now;
	dlist_iter	iter;

	CHECK_FOR_INTERRUPTS();

	/* restart transfers whose retry time has come */
	now = GetCurrentTimestamp();
	dlist_foreach(iter, &set->transfers)
	{
		AzbTransfer *t = dlist_container(AzbTransfer, node, iter.cur);

		if (t->state == XFER_DONE && t->owner != NULL)
			wait = 0;			/* an answer is waiting to be taken (a cached page) */
		else if (t->state == XFER_WAITING)
		{
			if (t->retry_at <= now)
				transfer_launch(t);
			else
			{
				long		ms = (long) ((t->retry_at - now) / 1000);

				wait = Min(wait, Max(ms, 1));
			}
		}
	}

	if (azb_running > 0)
	{
		int			numfds = 0;

		curl_multi_perform(azb_multi, &still);
		while ((msg = curl_multi_info_read(azb_multi, &left)) != NULL)
		{
			if (msg->msg == CURLMSG_DONE)
			{
				AzbTransfer *t = NULL;

				curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &t);
				if (t)
					transfer_finish(t, msg->data.result);
				wait = 0;		/* let the caller look at it */
			}
		}
		if (wait > 0 && azb_running > 0)
			curl_multi_poll(azb_multi, NULL, 0, (int) wait, &numfds);
	}
	else if (wait > 0)
	{
		/* only backoff or pacing waits: sleep on the latch so a cancel wakes us */
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 wait, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
	CHECK_FOR_INTERRUPTS();
}

/* The next finished transfer of the set, or NULL. */
AzbTransfer *
azb_http_next_done(AzbTransferSet *set)
{
	dlist_iter	iter;

	dlist_foreach(iter, &set->transfers)
	{
		AzbTransfer *t = dlist_container(AzbTransfer, node, iter.cur);

		if (t->state == XFER_DONE && t->owner != NULL)
			return t;
	}
	return NULL;
}


/* Drive until one transfer is done. */
void
azb_http_wait_for(AzbTransferSet *set, AzbTransfer *t)
{
	while (t->state != XFER_DONE)
		azb_http_drive(set, AZB_POLL_MS);
}

AzbHttpResult *
azb_http_result(AzbTransfer *t)
{
	return &t->result;
}

void *
azb_http_owner(AzbTransfer *t)
{
	return t->owner;
}

/* Release a transfer (finished or not). */
void
azb_http_free(AzbTransfer *t)
{
	dlist_delete(&t->node);
	transfer_detach(t);
	transfer_destroy(t);
}

void
azb_http_cancel_all(AzbTransferSet *set)
{
	drop_transfers(set);
}


/*
 * One request to completion.  *result is a palloc'd copy whose body is
 * palloc'd too, so the caller needs no cleanup beyond its memory context.
 */
void
azb_http_perform(AzbTransferSet *set, const AzbHttpSpec *spec, AzbHttpResult **result)
{
	AzbTransfer *t = azb_http_start(set, spec, NULL);
	AzbHttpResult *copy;

	azb_http_wait_for(set, t);
	copy = palloc(sizeof(AzbHttpResult));
	*copy = t->result;
	if (t->result.body)
	{
		copy->body = palloc(t->result.body_len + 1);
		memcpy(copy->body, t->result.body, t->result.body_len + 1);
	}
	azb_http_free(t);
	*result = copy;
}

/*
 * libcurl's current sockets (as select() sets) and how soon it wants to be
 * called (-1: no timer), for a waiter of an async Append (waiter.c).
 * False when no transfer was ever started.
 */
bool
azb_http_sockets(fd_set *rd, fd_set *wr, fd_set *ex, int *maxfd, long *timeout_ms)
{
	*maxfd = -1;
	*timeout_ms = -1;
	if (azb_multi == NULL)
		return false;
	FD_ZERO(rd);
	FD_ZERO(wr);
	FD_ZERO(ex);
	if (curl_multi_fdset(azb_multi, rd, wr, ex, maxfd) != CURLM_OK)
		*maxfd = -1;
	curl_multi_timeout(azb_multi, timeout_ms);
	return true;
}
