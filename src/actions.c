/*-------------------------------------------------------------------------
 *
 * actions.c
 *	  The Billing API's actions as SQL functions: address validation and the
 *	  download URLs of invoices and price sheets.
 *
 * Each function takes the server's name first and runs with the caller's
 * user mapping.  Downloads are long-running operations: the POST answers
 * 202 with Location and Retry-After, and Location is polled (interruptibly,
 * within statement_timeout) until it answers 200 with {url, expiryTime} or
 * a bare JSON string holding the URL.  The URL is returned, not fetched:
 * blob URLs carry their own signature and must be fetched without the
 * Authorization header.
 *
 *-------------------------------------------------------------------------
 */
#include "azb.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timeout.h"
#include "utils/wait_event.h"

PG_FUNCTION_INFO_V1(azbilling_validate_address);
PG_FUNCTION_INFO_V1(azbilling_invoice_download_url);
PG_FUNCTION_INFO_V1(azbilling_price_sheet_download_url);

/* longest wait between polls, and for a whole operation */
#define AZB_LRO_MAX_POLL_MS 60000
#define AZB_LRO_DEFAULT_POLL_MS 5000
#define AZB_LRO_MAX_TOTAL_MS (15 * 60 * 1000)

typedef struct AzbAction
{
	const char *function;		/* for messages */
	AzbOptions *opts;
	AzbTransferSet *xfers;
	AzbHttpStats stats;
} AzbAction;

/* The server by name, checked to be ours and usable by the caller. */
static void
action_begin(AzbAction *a, const char *function, text *server_name)
{
	char	   *name = text_to_cstring(server_name);
	ForeignServer *server = GetForeignServerByName(name, false);
	ForeignDataWrapper *fdw = GetForeignDataWrapper(server->fdwid);
	AclResult	aclresult;

	if (strcmp(fdw->fdwname, "azbilling_fdw") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("server \"%s\" is not an azbilling_fdw server", name),
				 errdetail("It uses the foreign-data wrapper \"%s\".", fdw->fdwname),
				 errhint("Pass the name of a server created with FOREIGN DATA WRAPPER azbilling_fdw.")));
	aclresult = azb_compat_server_aclcheck(server->serverid, GetUserId(), ACL_USAGE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FOREIGN_SERVER, server->servername);

	memset(a, 0, sizeof(*a));
	a->function = function;
	a->opts = azb_options_for_server(server);
	azb_options_add_user(a->opts, GetUserId());
	a->xfers = azb_http_set_create(a->opts, &a->stats);
}

/* A request to the endpoint with the caller's token; raises on failure. */
static AzbHttpResult *
action_request(AzbAction *a, const char *method, const char *url, const char *body)
{
	AzbHttpSpec spec = {0};
	AzbHttpResult *res;

	spec.method = method;
	spec.url = url;
	spec.body = body;
	spec.content_type = body ? "application/json" : NULL;
	spec.bearer = azb_auth_token(a->opts, false);
	spec.retry = true;
	azb_http_perform(a->xfers, &spec, &res);
	if (res->failure == AZB_XFER_OK && res->status == 401 && a->opts->access_token == NULL)
	{
		/* an expired token: refresh once */
		spec.bearer = azb_auth_token(a->opts, true);
		azb_http_perform(a->xfers, &spec, &res);
	}
	if (res->failure != AZB_XFER_OK || res->status < 200 || res->status > 299)
		azb_error_http(a->function, method, azb_request_path_of(url), res);
	return res;
}

/*
 * Sleep ms, interruptibly; an operation that would outlast statement_timeout
 * ends now with the error a timeout would give.
 */
static void
action_sleep(AzbAction *a, long ms, const char *path)
{
	TimestampTz until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms);

	if (get_timeout_active(STATEMENT_TIMEOUT) &&
		until >= get_timeout_finish_time(STATEMENT_TIMEOUT))
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("canceling %s: waiting %ld ms for the operation would pass statement_timeout",
						a->function, ms),
				 errdetail("Azure asked to poll the operation again after %ld ms.", ms),
				 errhint("Raise statement_timeout for long-running downloads."),
				 errcontext("polling GET %s", path)));
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

static long
retry_after_ms(AzbHttpResult *res)
{
	char	   *end;
	double		secs;

	if (res->retry_after[0] == '\0')
		return AZB_LRO_DEFAULT_POLL_MS;
	secs = strtod(res->retry_after, &end);
	if (end == res->retry_after || secs < 0)
		return AZB_LRO_DEFAULT_POLL_MS;
	return (long) Min(secs * 1000.0, (double) AZB_LRO_MAX_POLL_MS);
}

/*
 * POST an action and follow its long-running operation to the final
 * answer; returns the final 200 result.
 */
static AzbHttpResult *
action_long_running(AzbAction *a, const char *url, const char *body)
{
	AzbHttpResult *res = action_request(a, "POST", url, body);
	long		waited = 0;

	while (res->status == 202)
	{
		char		host[256];
		char	   *location;
		size_t		n;
		long		ms;
		AzbLinkCheck check;

		if (res->location[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("Azure accepted %s without a Location to poll", a->function),
					 errdetail("HTTP 202 came without a Location header."),
					 errhint("This is a service defect; retry later."),
					 errcontext("request POST %s", azb_request_path_of(url))));
		check = azb_request_check_link(a->opts->endpoint, res->location,
									   a->opts->trusted_hosts, host, sizeof(host));
		if (check != AZB_LINK_SAME_HOST && check != AZB_LINK_RELATIVE &&
			check != AZB_LINK_TRUSTED_HOST)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("Azure's operation Location points at another host, \"%s\"", host),
					 errdetail("Polling it would send the bearer token off the endpoint's host."),
					 errhint("If the host is genuinely Azure's, a superuser can list it in the server's trusted_hosts option."),
					 errcontext("request POST %s", azb_request_path_of(url))));
		n = azb_request_resolve(NULL, 0, a->opts->endpoint, res->location);
		location = palloc(n + 1);
		azb_request_resolve(location, n + 1, a->opts->endpoint, res->location);

		ms = retry_after_ms(res);
		if (waited + ms > AZB_LRO_MAX_TOTAL_MS)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("%s did not finish within %d minutes", a->function,
							AZB_LRO_MAX_TOTAL_MS / 60000),
					 errdetail("Azure still answered 202 for the operation."),
					 errhint("Retry later."),
					 errcontext("polling GET %s", azb_request_path_of(location))));
		action_sleep(a, ms, azb_request_path_of(location));
		waited += ms;
		res = action_request(a, "GET", location, NULL);
	}
	return res;
}

/* The URL and expiry of a finished download: {url, expiryTime} or "url". */
static void
download_result(AzbAction *a, AzbHttpResult *res, char **url, bool *has_expiry,
				TimestampTz *expires)
{
	bool		num;
	char	   *expiry = NULL;
	int64_t		us;

	*has_expiry = false;
	if (!azb_json_string_body(res->body, res->body_len, url))
	{
		*url = azb_json_field(res->body, res->body_len, "url", &num);
		expiry = azb_json_field(res->body, res->body_len, "expiryTime", &num);
	}
	if (*url == NULL || (*url)[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("Azure finished %s without a download URL", a->function),
				 errdetail("The final answer held neither {\"url\": ...} nor a JSON string."),
				 errhint("This is a service defect; retry later.")));
	if (expiry == NULL)
	{
		/* a bare URL: the SAS signature's "se" parameter is its expiry */
		const char *se = strstr(*url, "&se=");

		if (se == NULL)
			se = strstr(*url, "?se=");
		if (se)
		{
			const char *v = se + 4;
			size_t		len = strcspn(v, "&#");
			char	   *raw = pnstrdup(v, len);
			StringInfoData dec;

			initStringInfo(&dec);
			for (char *p = raw; *p; p++)
			{
				if (*p == '%' && isxdigit((unsigned char) p[1]) && isxdigit((unsigned char) p[2]))
				{
					char		hex[3] = {p[1], p[2], 0};

					appendStringInfoChar(&dec, (char) strtol(hex, NULL, 16));
					p += 2;
				}
				else
					appendStringInfoChar(&dec, *p);
			}
			expiry = dec.data;
		}
	}
	if (expiry && azb_parse_timestamp(expiry, &us))
	{
		*has_expiry = true;
		*expires = (TimestampTz) us;
	}
}

static Datum
download_tuple(FunctionCallInfo fcinfo, const char *url, bool has_expiry, TimestampTz expires)
{
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, !has_expiry};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "azbilling_fdw: return type must be a row type");
	values[0] = CStringGetTextDatum(url);
	values[1] = TimestampTzGetDatum(expires);
	return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls));
}

static char *
arg_text(FunctionCallInfo fcinfo, int n, const char *what)
{
	if (PG_ARGISNULL(n))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

static char *
required_arg(FunctionCallInfo fcinfo, int n, const char *function, const char *what)
{
	char	   *v = arg_text(fcinfo, n, what);

	if (v == NULL || v[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s needs %s", function, what),
				 errdetail("The argument %s is null or empty.", what),
				 errhint("Pass the %s of the billing scope.", what)));
	return v;
}

/*
 * azbilling_validate_address(server text, address jsonb) returns jsonb
 * POST /providers/Microsoft.Billing/validateAddress
 */
Datum
azbilling_validate_address(PG_FUNCTION_ARGS)
{
	AzbAction	a;
	Jsonb	   *address;
	char	   *body;
	char	   *url;
	AzbHttpResult *res;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	action_begin(&a, "azbilling_validate_address", PG_GETARG_TEXT_PP(0));
	address = PG_GETARG_JSONB_P(1);
	if (!JB_ROOT_IS_OBJECT(address))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an address must be a JSON object"),
				 errdetail("azbilling_validate_address takes Azure's AddressDetails object."),
				 errhint("For example: '{\"addressLine1\": \"1 Microsoft Way\", \"city\": \"Redmond\", \"region\": \"WA\", \"postalCode\": \"98052\", \"country\": \"US\"}'.")));
	body = JsonbToCString(NULL, &address->root, VARSIZE(address));
	url = psprintf("%s/providers/Microsoft.Billing/validateAddress?api-version=%s",
				   a.opts->endpoint, a.opts->api_version);
	res = action_request(&a, "POST", url, body);
	if (res->body == NULL || res->body_len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("Azure answered azbilling_validate_address with an empty body"),
				 errdetail("HTTP %ld carried no ValidateAddressResponse.", res->status),
				 errhint("Retry later.")));
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(res->body)));
}

/*
 * azbilling_invoice_download_url(server, billing_account_name, invoice_name,
 *	 document_name default null, billing_profile_name default null)
 *	 returns table(url text, expires_at timestamptz)
 *
 * 2024-04-01: POST …/billingAccounts/{a}/invoices/{i}/download[?documentName=]
 * 2019-10-01-preview: POST …/billingAccounts/{a}/billingProfiles/{p}/invoices/{i}/download
 */
Datum
azbilling_invoice_download_url(PG_FUNCTION_ARGS)
{
	const char *fn = "azbilling_invoice_download_url";
	AzbAction	a;
	char	   *account,
			   *invoice,
			   *document,
			   *profile;
	StringInfoData url;
	char	   *link;
	bool		has_expiry;
	TimestampTz expires = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	action_begin(&a, fn, PG_GETARG_TEXT_PP(0));
	account = required_arg(fcinfo, 1, fn, "billing_account_name");
	invoice = required_arg(fcinfo, 2, fn, "invoice_name");
	document = arg_text(fcinfo, 3, "document_name");
	profile = arg_text(fcinfo, 4, "billing_profile_name");

	initStringInfo(&url);
	appendStringInfo(&url, "%s/providers/Microsoft.Billing/billingAccounts/%s", a.opts->endpoint,
					 azb_encoded(account, false));
	if (strcmp(a.opts->api_version, "2019-10-01-preview") == 0)
	{
		if (profile == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s needs billing_profile_name at api-version 2019-10-01-preview", fn),
					 errdetail("That api-version downloads invoices per billing profile."),
					 errhint("Pass billing_profile_name => '...', or use a server at api-version 2024-04-01.")));
		appendStringInfo(&url, "/billingProfiles/%s", azb_encoded(profile, false));
	}
	appendStringInfo(&url, "/invoices/%s/download?api-version=%s", azb_encoded(invoice, false),
					 a.opts->api_version);
	if (document)
		appendStringInfo(&url, "&documentName=%s", azb_encoded(document, true));
	download_result(&a, action_long_running(&a, url.data, NULL), &link, &has_expiry, &expires);
	PG_RETURN_DATUM(download_tuple(fcinfo, link, has_expiry, expires));
}

/*
 * azbilling_price_sheet_download_url(server, billing_account_name,
 *	 billing_profile_name, invoice_name default null)
 *	 returns table(url text, expires_at timestamptz)
 *
 * The Billing provider's price sheet exists in 2019-10-01-preview only; the
 * call uses that api-version whatever the server's.
 */
Datum
azbilling_price_sheet_download_url(PG_FUNCTION_ARGS)
{
	const char *fn = "azbilling_price_sheet_download_url";
	AzbAction	a;
	char	   *account,
			   *profile,
			   *invoice;
	StringInfoData url;
	char	   *link;
	bool		has_expiry;
	TimestampTz expires = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	action_begin(&a, fn, PG_GETARG_TEXT_PP(0));
	account = required_arg(fcinfo, 1, fn, "billing_account_name");
	profile = required_arg(fcinfo, 2, fn, "billing_profile_name");
	invoice = arg_text(fcinfo, 3, "invoice_name");

	initStringInfo(&url);
	appendStringInfo(&url, "%s/providers/Microsoft.Billing/billingAccounts/%s/billingProfiles/%s",
					 a.opts->endpoint, azb_encoded(account, false), azb_encoded(profile, false));
	if (invoice)
		appendStringInfo(&url, "/invoices/%s", azb_encoded(invoice, false));
	appendStringInfoString(&url, "/pricesheet/default/download?api-version=2019-10-01-preview");
	download_result(&a, action_long_running(&a, url.data, NULL), &link, &has_expiry, &expires);
	PG_RETURN_DATUM(download_tuple(fcinfo, link, has_expiry, expires));
}
