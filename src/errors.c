/*-------------------------------------------------------------------------
 *
 * errors.c
 *	  One table from failure class to SQLSTATE and message.
 *
 * Every error about an HTTP answer carries the status, the ARM error code
 * and message and x-ms-request-id in its detail, and the request path in
 * its context.  Never the host's credentials: URLs carry none, tokens and
 * secrets travel only in headers and bodies, which no message shows.
 *
 *-------------------------------------------------------------------------
 */
#include "azb.h"

typedef struct AzbErrorClass
{
	long		status;			/* HTTP status (0 = the default), or AzbXferFailure */
	int			sqlstate;
	const char *message;		/* errmsg, translatable; %s = what */
	const char *hint;
} AzbErrorClass;

static const AzbErrorClass status_classes[] = {
	{400, ERRCODE_FDW_ERROR, gettext_noop("Azure rejected the request for %s"),
	"The request's parameters were refused; the detail says which. Check the scope values and the table's api_version."},
	{401, ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION, gettext_noop("Azure refused the credentials for %s"),
	"Check the user mapping's tenant_id, client_id and client_secret, or its access_token."},
	{403, ERRCODE_INSUFFICIENT_PRIVILEGE, gettext_noop("Azure denied access to %s"),
	"The identity needs a billing role (for example Billing account reader) on this scope."},
	{404, ERRCODE_FDW_TABLE_NOT_FOUND, gettext_noop("Azure found no such resource for %s"),
	"Check the scope values in the query; names are case-sensitive and must exist under their parent scope."},
	{408, ERRCODE_FDW_ERROR, gettext_noop("Azure timed out answering %s"),
	"Retry later, or raise max_retries on the server."},
	{409, ERRCODE_FDW_ERROR, gettext_noop("Azure reported a conflict for %s"),
	"Retry later."},
	{429, ERRCODE_FDW_ERROR, gettext_noop("Azure throttled the requests for %s and retries are spent"),
	"Lower max_concurrency, raise max_retries, or query again later."},
	{0, ERRCODE_FDW_ERROR, gettext_noop("Azure failed to answer %s"),
	"The service failed; retry later. Quote the request id when contacting Azure support."},
};

static const AzbErrorClass *
class_for(long status)
{
	for (size_t i = 0; i < lengthof(status_classes); i++)
		if (status_classes[i].status == status)
			return &status_classes[i];
	return &status_classes[lengthof(status_classes) - 1];
}

/*
 * A printable, single-line excerpt of at most limit bytes of a body that is
 * not what was expected, for messages.
 */
char *
azb_error_excerpt(const char *body, size_t len, size_t limit)
{
	StringInfoData buf;
	size_t		n = Min(len, limit);

	initStringInfo(&buf);
	for (size_t i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) body[i];

		appendStringInfoChar(&buf, (c >= 32 && c < 127) ? (char) c : ' ');
	}
	if (len > n)
		appendStringInfoString(&buf, "...");
	return buf.data;
}

/* What a non-JSON error body says: an HTML gateway page's <title>, or its start. */
static char *
body_summary(const char *body, size_t len)
{
	const char *title;

	if (body == NULL || len == 0)
		return "";
	title = strstr(body, "<title>");
	if (title)
	{
		const char *end = strstr(title, "</title>");

		if (end && end - title < 200)
			return pnstrdup(title + 7, end - title - 7);
	}
	return azb_error_excerpt(body, len, 160);
}

/* "HTTP 404, ARM error NotFound: message, x-ms-request-id abc." */
char *
azb_error_arm_summary(const char *body, size_t len)
{
	char	   *code,
			   *message;
	StringInfoData buf;

	initStringInfo(&buf);
	if (azb_json_error(body, len, &code, &message))
	{
		appendStringInfo(&buf, "ARM error %s", code ? code : "(no code)");
		if (message)
			appendStringInfo(&buf, ": %s", message);
	}
	else if (body && len > 0)
		appendStringInfo(&buf, "body: %s", body_summary(body, len));
	else
		appendStringInfoString(&buf, "empty body");
	return buf.data;
}

static char *
http_detail(AzbHttpResult *res)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "HTTP %ld, %s", res->status,
					 azb_error_arm_summary(res->body, res->body_len));
	if (res->request_id[0])
		appendStringInfo(&buf, ", x-ms-request-id %s", res->request_id);
	appendStringInfo(&buf, ", x-ms-client-request-id %s", res->client_request_id);
	if (res->attempts > 1)
		appendStringInfo(&buf, ", after %d attempts", res->attempts);
	appendStringInfoChar(&buf, '.');
	return buf.data;
}

/* The same, for requests that got no usable HTTP answer: key is the AzbXferFailure. */
static const AzbErrorClass failure_classes[] = {
	{AZB_XFER_CONNECT, ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION, gettext_noop("could not connect to Azure for %s"),
	"Check the server's endpoint and ca_file options, DNS and the network path to Azure."},
	{AZB_XFER_TIMEOUT, ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION, gettext_noop("request to Azure for %s timed out"),
	"Raise the server's request_timeout or connect_timeout, or retry later."},
	{AZB_XFER_TOO_LARGE, ERRCODE_PROGRAM_LIMIT_EXCEEDED, gettext_noop("Azure's answer for %s is larger than max_response_bytes"),
	"Raise max_response_bytes on the server if the answer is legitimate."},
	{AZB_XFER_TRANSPORT, ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION, gettext_noop("connection to Azure failed during the request for %s"),
	"The connection broke or the answer was cut short; retry the query."},
	{AZB_XFER_DEADLINE, ERRCODE_QUERY_CANCELED, gettext_noop("canceling request to Azure for %s: waiting to retry would pass statement_timeout"),
	"Raise statement_timeout, or retry when Azure is less busy."},
};

/* What a request without a usable answer met: libcurl's words, and the attempts. */
static char *
failure_detail(AzbHttpResult *res)
{
	if (res->failure == AZB_XFER_TOO_LARGE)
		return pstrdup(_("The body passed the server's limit before it ended."));
	if (res->failure == AZB_XFER_DEADLINE)
		return psprintf("%s %s", res->status ? http_detail(res) : res->errbuf, res->errbuf);
	if (res->attempts > 1)
		return psprintf("%s (after %d attempts)", res->errbuf, res->attempts);
	return pstrdup(res->errbuf);
}

/*
 * Raise the error for a failed request.  'what' names the table or action,
 * path is the request path (no host), res the outcome.
 */
void
azb_error_http(const char *what, const char *method, const char *path, AzbHttpResult *res)
{
	const AzbErrorClass *c = NULL;

	if (res->failure == AZB_XFER_OK)
		c = class_for(res->status);
	else
		for (size_t i = 0; i < lengthof(failure_classes); i++)
			if (failure_classes[i].status == (long) res->failure)
				c = &failure_classes[i];
	if (c == NULL)
		elog(ERROR, "unknown transfer failure %d", (int) res->failure);
	ereport(ERROR,
			(errcode(c->sqlstate),
			 errmsg_internal("%s", psprintf(_(c->message), what)),
			 errdetail("%s", res->failure == AZB_XFER_OK ? http_detail(res) : failure_detail(res)),
			 errhint("%s", c->hint),
			 errcontext("request %s %s", method, path)));
	pg_unreachable();
}

/*
 * A POST or PATCH reached Azure, and its answer was lost or was a failure
 * that does not say whether the change happened (a reset connection, a
 * timeout, 408, 5xx).  It is not sent again (it might apply twice), so the
 * outcome is unknown: SQLSTATE 40003, naming the request so that the user
 * can check.
 */
void
azb_error_unknown_outcome(const char *what, const char *method, const char *path,
						  AzbHttpResult *res)
{
	ereport(ERROR,
			(errcode(ERRCODE_T_R_STATEMENT_COMPLETION_UNKNOWN),
			 errmsg("the outcome of %s %s for %s is unknown", method, path, what),
			 errdetail("The request reached Azure but %s; it was not sent again, since a %s is not idempotent. x-ms-client-request-id %s%s%s.",
					   res->failure == AZB_XFER_OK ?
					   psprintf("the answer was HTTP %ld (%s)", res->status,
								azb_error_arm_summary(res->body, res->body_len)) :
					   psprintf("the answer was lost (%s)", res->errbuf),
					   method, res->client_request_id,
					   res->request_id[0] ? ", x-ms-request-id " : "",
					   res->request_id),
			 errhint("Check with a SELECT (or the operation's GET) whether the change took effect before repeating it."),
			 errcontext("request %s %s", method, path)));
	pg_unreachable();
}
