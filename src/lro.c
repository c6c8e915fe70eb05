/*-------------------------------------------------------------------------
 *
 * lro.c
 *	  Following Azure's long-running operations to their end.
 *
 * Whether to poll depends on the answer, not only on the catalogue
 * (DESIGN section 2):
 *	- a 201 or 202 carrying Azure-AsyncOperation: poll that status resource
 *	  until its status (else properties.provisioningState; neither means
 *	  Succeeded) is Succeeded, Failed or Canceled; a 4xx or 5xx there is a
 *	  failure to read the status, not of the operation;
 *	- a 201 or 202 carrying Location only: poll it; 202 means running (a
 *	  new Location replaces the old), another 2xx is the end with its body;
 *	- a PUT or PATCH answering 200/201 with a non-terminal
 *	  properties.provisioningState: poll the item with GET.
 * The final result is where final-state-via says (the Location, or the
 * status resource); otherwise the answer that ended the operation, except
 * that a PUT or PATCH ends with a GET of the item (as Azure's SDKs do).
 * Poll URLs resolve against the endpoint and are used verbatim (they may
 * carry another api-version); one on another host obeys the nextLink rule:
 * only hosts in trusted_hosts, else an error naming the host, and the token
 * goes nowhere else.  Waits follow Retry-After (else 10 s), are
 * interruptible, and a cancel or statement_timeout while polling is
 * SQLSTATE 57014 whose detail names the operation URL: Azure goes on.
 *
 *-------------------------------------------------------------------------
 */
#include "operation.h"

#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/timeout.h"
#include "utils/wait_event.h"

#define AZB_LRO_DEFAULT_WAIT_MS 10000
#define AZB_LRO_MAX_WAIT_MS (10 * 60 * 1000)	/* the most ARM asks for */

typedef enum AzbLroState
{
	LRO_RUNNING,
	LRO_SUCCEEDED,
	LRO_FAILED,
	LRO_CANCELED
} AzbLroState;

/*
 * An operation URL for messages: its path when it is on the endpoint (the
 * host and port say nothing new), else the whole URL.  URLs carry no
 * credentials.
 */
static const char *
shown_url(AzbOpContext *ctx, const char *url)
{
	size_t		n = strlen(ctx->opts->endpoint);

	if (strncmp(url, ctx->opts->endpoint, n) == 0 && url[n] == '/')
		return url + n;
	return url;
}

/* The wait Azure asked for before the next poll. */
static long
poll_wait_ms(AzbHttpResult *res)
{
	double		ms = azb_http_retry_after_ms(res);

	if (ms < 0)
		return AZB_LRO_DEFAULT_WAIT_MS;
	return (long) Min(ms, (double) AZB_LRO_MAX_WAIT_MS);
}

/*
 * A poll URL from a header: resolved against the endpoint, on the
 * endpoint's host or a trusted one.
 */
static char *
poll_url(AzbOpContext *ctx, const char *header, const char *value, const char *method,
		 const char *url)
{
	char		host[256];
	AzbLinkCheck check = azb_request_check_link(ctx->opts->endpoint, value,
												ctx->opts->trusted_hosts, host, sizeof(host));
	size_t		n;
	char	   *out;

	if (check == AZB_LINK_FOREIGN_HOST)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("Azure's operation %s points at another host, \"%s\"", header, host),
				 errdetail("Polling it would send the bearer token off the endpoint's host."),
				 errhint("If the host is genuinely Azure's, a superuser can list it in the server's trusted_hosts option."),
				 errcontext("request %s %s", method, azb_request_path_of(url))));
	if (check != AZB_LINK_SAME_HOST && check != AZB_LINK_RELATIVE && check != AZB_LINK_TRUSTED_HOST)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("Azure's operation %s for %s is not a URL this server may follow", header, ctx->what),
				 errdetail("The header's value has a bad scheme or is not a URL. Azure accepted the operation."),
				 errhint("This is a service defect; check the outcome later with a SELECT."),
				 errcontext("request %s %s", method, azb_request_path_of(url))));
	n = azb_request_resolve(NULL, 0, ctx->opts->endpoint, value);
	out = palloc(n + 1);
	azb_request_resolve(out, n + 1, ctx->opts->endpoint, value);
	return out;
}

/*
 * Sleep ms, interruptibly (a cancel throws out of CHECK_FOR_INTERRUPTS); a
 * wait that would outlast statement_timeout ends now as a timeout would.
 */
static void
lro_sleep(AzbOpContext *ctx, long ms, const char *operation_url)
{
	TimestampTz until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms);

	if (get_timeout_active(STATEMENT_TIMEOUT) &&
		until >= get_timeout_finish_time(STATEMENT_TIMEOUT))
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("canceling %s: waiting %ld ms for the operation would pass statement_timeout",
						ctx->what, ms),
				 errdetail("Azure asked to poll the operation again after %ld ms; it goes on in Azure: %s",
						   ms, shown_url(ctx, operation_url)),
				 errhint("Raise statement_timeout for long-running operations, and check the outcome later with a SELECT."),
				 errcontext("polling GET %s", azb_request_path_of(operation_url))));
	for (;;)
	{
		long		left = (long) ((until - GetCurrentTimestamp()) / 1000);

		CHECK_FOR_INTERRUPTS();
		if (left <= 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Min(left, 100), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* A GET of a poll URL or of the item; raises unless 2xx. */
static AzbHttpResult *
lro_get(AzbOpContext *ctx, const char *url, const char *role)
{
	AzbHttpResult *res = azb_op_send(ctx, "GET", url, NULL, true);

	if (res->failure != AZB_XFER_OK || res->status < 200 || res->status > 299)
	{
		if (strcmp(role, "status") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("could not read the status of %s; the operation may still be running", ctx->what),
					 errdetail("%s", res->failure == AZB_XFER_OK ?
							   psprintf("HTTP %ld, %s, x-ms-request-id %s.", res->status,
										azb_error_arm_summary(res->body, res->body_len),
										res->request_id[0] ? res->request_id : "none") :
							   res->errbuf),
					 errhint("Check the outcome later with a SELECT, or poll the operation URL: %s",
							 shown_url(ctx, url))));
		if (strcmp(role, "location") == 0 && res->failure == AZB_XFER_OK)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("Azure reports that %s failed", ctx->what),
					 errdetail("The operation's Location answered HTTP %ld, %s, x-ms-request-id %s.",
							   res->status, azb_error_arm_summary(res->body, res->body_len),
							   res->request_id[0] ? res->request_id : "none"),
					 errhint("The detail holds Azure's reason; correct the request or retry later."),
					 errcontext("polling GET %s", azb_request_path_of(url))));
		azb_error_http(ctx->what, "GET", azb_request_path_of(url), res);
	}
	return res;
}

/* A JSON body's string at a dotted path, or NULL. */
static const char *
body_text(AzbHttpResult *res, const char *path)
{
	AzbPage    *page;
	AzbItem    *item;
	const char *p;

	if (res->body == NULL || res->body_len == 0)
		return NULL;
	for (p = res->body; *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'; p++)
		;
	if (*p != '{')
		return NULL;
	page = azb_page_parse(res->body, res->body_len, "application/json", true, "(operation)");
	item = azb_page_nitems(page) > 0 ? azb_page_item(page, 0) : NULL;
	return item ? azb_item_text(item, path) : NULL;
}

static AzbLroState
state_of(const char *s, bool *known)
{
	*known = s != NULL;
	if (s == NULL)
		return LRO_SUCCEEDED;	/* no state means Succeeded */
	if (pg_strcasecmp(s, "Succeeded") == 0)
		return LRO_SUCCEEDED;
	if (pg_strcasecmp(s, "Failed") == 0)
		return LRO_FAILED;
	if (pg_strcasecmp(s, "Canceled") == 0 || pg_strcasecmp(s, "Cancelled") == 0)
		return LRO_CANCELED;
	return LRO_RUNNING;
}

/* The state an Azure-AsyncOperation status resource reports. */
static AzbLroState
status_resource_state(AzbHttpResult *res, const char **name)
{
	bool		known;
	const char *s = body_text(res, "status");

	if (s == NULL)
		s = body_text(res, "properties.provisioningState");
	*name = s ? s : "Succeeded";
	if (res->status == 202 && s == NULL)
	{
		*name = "InProgress";
		return LRO_RUNNING;
	}
	return state_of(s, &known);
}

static void
raise_failed(AzbOpContext *ctx, AzbHttpResult *res, const char *state, const char *operation_url)
{
	ereport(ERROR,
			(errcode(ERRCODE_FDW_ERROR),
			 errmsg("Azure reports that %s ended %s", ctx->what, state),
			 errdetail("The operation's status is %s, %s; operation %s.", state,
					   azb_error_arm_summary(res->body, res->body_len),
					   shown_url(ctx, operation_url)),
			 errhint("The detail holds Azure's reason; correct the request or retry later.")));
}

/* Poll an item (PUT/PATCH with a non-terminal provisioningState). */
static AzbHttpResult *
poll_item(AzbOpContext *ctx, const char *url, AzbHttpResult *res)
{
	for (;;)
	{
		bool		known;
		const char *s = body_text(res, "properties.provisioningState");
		AzbLroState st = state_of(s, &known);

		if (st == LRO_FAILED || st == LRO_CANCELED)
			raise_failed(ctx, res, s, url);
		if (st == LRO_SUCCEEDED)
			return res;
		lro_sleep(ctx, poll_wait_ms(res), url);
		res = lro_get(ctx, url, "item");
	}
}

/* Poll a Location until it answers something other than 202. */
static AzbHttpResult *
poll_location(AzbOpContext *ctx, char **location, AzbHttpResult *res, const char *url)
{
	long		wait = poll_wait_ms(res);

	for (;;)
	{
		lro_sleep(ctx, wait, *location);
		res = lro_get(ctx, *location, "location");
		if (res->status != 202)
			return res;
		if (res->location[0])
			*location = poll_url(ctx, "Location", res->location, "GET", *location);
		wait = poll_wait_ms(res);
	}
}

static AzbHttpResult *
follow(AzbOpContext *ctx, const AzbOperationDef *op, const char *url, AzbHttpResult *res,
	   char **operation_url, bool put_patch)
{
	char	   *async = res->async_operation[0] ?
	poll_url(ctx, "Azure-AsyncOperation", res->async_operation, op->method, url) : NULL;
	char	   *location = res->location[0] ?
	poll_url(ctx, "Location", res->location, op->method, url) : NULL;

	if (async)
	{
		long		wait = poll_wait_ms(res);
		const char *state;
		AzbLroState st;

		*operation_url = async;
		for (;;)
		{
			lro_sleep(ctx, wait, async);
			res = lro_get(ctx, async, "status");
			st = status_resource_state(res, &state);
			if (st != LRO_RUNNING)
				break;
			wait = poll_wait_ms(res);
		}
		if (st != LRO_SUCCEEDED)
			raise_failed(ctx, res, state, async);
		if (op->final_state == AZB_FINAL_ASYNC)
			return res;
		if (op->final_state == AZB_FINAL_LOCATION && location)
			return poll_location(ctx, &location, res, url);
		if (put_patch)
			return lro_get(ctx, url, "item");
		if (location)
			return poll_location(ctx, &location, res, url);
		return res;
	}

	*operation_url = location;
	res = poll_location(ctx, &location, res, url);
	if (put_patch)
	{
		bool		known;
		const char *s = body_text(res, "properties.provisioningState");
		AzbLroState st = state_of(s, &known);

		if (st == LRO_FAILED || st == LRO_CANCELED)
			raise_failed(ctx, res, s, location);
		if (op->final_state == AZB_FINAL_DEFAULT || op->final_state == AZB_FINAL_ORIGINAL_URI ||
			(op->final_state == AZB_FINAL_ASYNC && (res->body == NULL || res->body_len == 0)))
			return lro_get(ctx, url, "item");
	}
	return res;
}

/*
 * Follow the operation that the answer 'first' to 'url' began, and return
 * the final answer (first itself when there is nothing to follow).
 * *operation_url is set to the URL polled.
 */
AzbHttpResult *
azb_lro_follow(AzbOpContext *ctx, const AzbOperationDef *op, const char *url,
			   AzbHttpResult *first, char **operation_url)
{
	bool		put_patch = strcmp(op->method, "PUT") == 0 || strcmp(op->method, "PATCH") == 0;
	bool		headers = first->async_operation[0] || first->location[0];
	bool		known;
	volatile bool item_poll = false;
	AzbHttpResult *volatile res = first;
	MemoryContext oldcxt = CurrentMemoryContext;
	char	   *volatile polling = NULL;

	*operation_url = NULL;
	if ((first->status == 201 || first->status == 202) && headers)
		;
	else if (put_patch && (first->status == 200 || first->status == 201) &&
			 state_of(body_text(first, "properties.provisioningState"), &known) == LRO_RUNNING)
		item_poll = true;
	else
		return first;

	PG_TRY();
	{
		if (item_poll)
		{
			polling = (char *) url;
			*operation_url = polling;
			res = poll_item(ctx, url, first);
		}
		else
		{
			char	   *opurl = NULL;

			/* the URL the cancel message names, as soon as it is known */
			polling = first->async_operation[0] ? first->async_operation : first->location;
			res = follow(ctx, op, url, first, &opurl, put_patch);
			*operation_url = opurl;
		}
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_QUERY_CANCELED || edata->detail != NULL || polling == NULL)
			PG_RE_THROW();
		/* a cancel or statement_timeout: say where the operation goes on */
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("%s while following %s", edata->message, ctx->what),
				 errdetail("Azure accepted the operation, and it goes on there: %s", shown_url(ctx, polling)),
				 errhint("Check the outcome later with a SELECT, or GET the operation URL.")));
	}
	PG_END_TRY();
	return res;
}
