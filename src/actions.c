/*-------------------------------------------------------------------------
 *
 * actions.c
 *	  The Billing API's actions as named SQL functions: address validation
 *	  and the download URLs of invoices and price sheets.
 *
 * Each function is a thin wrapper over operation.c's one request path: it
 * takes the server's name first, runs with the caller's user mapping, finds
 * its operation in the catalogue and hands over the path values, query
 * values and body.  Downloads are long-running operations that lro.c
 * follows until they answer {url, expiryTime} or a bare JSON string holding
 * the URL.  The URL is returned, not fetched: blob URLs carry their own
 * signature and must be fetched without the Authorization header.
 *
 *-------------------------------------------------------------------------
 */
#include "operation.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(azbilling_validate_address);
PG_FUNCTION_INFO_V1(azbilling_invoice_download_url);
PG_FUNCTION_INFO_V1(azbilling_price_sheet_download_url);

/*
 * The one invoice download of 2019-10-01-preview: per billing profile.  It
 * is in the REST API reference of that version ("Invoices - Download
 * Invoice") but not in the spec file the catalogue is generated from, so it
 * is described here in the catalogue's terms.
 */
static const char *const download19_path[] = {"billingAccountName", "billingProfileName", "invoiceName"};
static const AzbOperationDef download19 = {
	"Invoices_DownloadInvoice", 1, "POST",
	"/providers/Microsoft.Billing/billingAccounts/{billingAccountName}/billingProfiles/{billingProfileName}/invoices/{invoiceName}/download",
	"invoices", 3, download19_path, 0, NULL, NULL, NULL, AZB_BODY_NONE, false,
	0, NULL, 0, NULL, 0, NULL, false, true, AZB_FINAL_LOCATION, false
};

/* A catalogue operation the extension itself relies on. */
static const AzbOperationDef *
known_operation(int version, const char *id)
{
	const AzbOperationDef *op = azb_opcat_find(version, id);

	if (op == NULL)
		elog(ERROR, "azbilling_fdw: operation %s missing from the catalogue at %s", id,
			 azb_api_versions[version]);
	return op;
}

/* The URL and expiry of a finished download: {url, expiryTime} or "url". */
static void
download_result(AzbOpContext *ctx, AzbOpOutcome *res, char **url, bool *has_expiry,
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
				 errmsg("Azure finished %s without a download URL", ctx->what),
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

/* A download's answer as the functions' row (url, expires_at). */
static Datum
download_tuple(FunctionCallInfo fcinfo, AzbOpContext *ctx, AzbOpOutcome *out)
{
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2];
	char	   *url;
	bool		has_expiry;
	TimestampTz expires = 0;

	download_result(ctx, out, &url, &has_expiry, &expires);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "azbilling_fdw: return type must be a row type");
	nulls[0] = false;
	nulls[1] = !has_expiry;
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
 * The server's operation context and a function's text arguments 1..n by
 * their names; the first nrequired must be given.
 */
static AzbOpContext *
function_args(FunctionCallInfo fcinfo, const char *fn, const char *const *names, int n,
			  int nrequired, char **values)
{
	AzbOpContext *ctx = azb_op_context(text_to_cstring(PG_GETARG_TEXT_PP(0)), fn);

	for (int i = 0; i < n; i++)
		values[i] = i < nrequired ? required_arg(fcinfo, i + 1, fn, names[i]) :
			arg_text(fcinfo, i + 1, names[i]);
	return ctx;
}

/*
 * azbilling_validate_address(server text, address jsonb) returns jsonb
 * Address_Validate: POST /providers/Microsoft.Billing/validateAddress
 */
Datum
azbilling_validate_address(PG_FUNCTION_ARGS)
{
	AzbOpContext *ctx;
	Jsonb	   *address;
	AzbOpOutcome *out;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	ctx = azb_op_context(text_to_cstring(PG_GETARG_TEXT_PP(0)), "azbilling_validate_address");
	address = PG_GETARG_JSONB_P(1);
	if (!JB_ROOT_IS_OBJECT(address))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an address must be a JSON object"),
				 errdetail("azbilling_validate_address takes Azure's AddressDetails object."),
				 errhint("For example: '{\"addressLine1\": \"1 Microsoft Way\", \"city\": \"Redmond\", \"region\": \"WA\", \"postalCode\": \"98052\", \"country\": \"US\"}'.")));
	out = azb_op_run(ctx, known_operation(ctx->opts->version, "Address_Validate"), NULL, NULL,
					 JsonbToCString(NULL, &address->root, VARSIZE(address)));
	if (out->body == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("Azure answered azbilling_validate_address with an empty body"),
				 errdetail("HTTP %ld carried no ValidateAddressResponse.", out->status),
				 errhint("Retry later.")));
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(out->body)));
}

/*
 * azbilling_invoice_download_url(server, billing_account_name, invoice_name,
 *	 document_name default null, billing_profile_name default null)
 *	 returns table(url text, expires_at timestamptz)
 *
 * 2024-04-01: Invoices_DownloadByBillingAccount (documentName optional)
 * 2019-10-01-preview: the per-profile download (download19 above)
 */
Datum
azbilling_invoice_download_url(PG_FUNCTION_ARGS)
{
	const char *fn = "azbilling_invoice_download_url";
	static const char *const names[] = {"billing_account_name", "invoice_name",
	"document_name", "billing_profile_name"};
	char	   *arg[4];
	AzbOpContext *ctx;
	AzbOpOutcome *out;
	char	   *account,
			   *invoice,
			   *profile;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	ctx = function_args(fcinfo, fn, names, 4, 2, arg);
	account = arg[0];
	invoice = arg[1];
	profile = arg[3];

	if (strcmp(ctx->opts->api_version, "2019-10-01-preview") == 0)
	{
		const char *path[3] = {account, profile, invoice};

		if (profile == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s needs billing_profile_name at api-version 2019-10-01-preview", fn),
					 errdetail("That api-version downloads invoices per billing profile."),
					 errhint("Pass billing_profile_name => '...', or use a server at api-version 2024-04-01.")));
		out = azb_op_run(ctx, &download19, path, NULL, NULL);
	}
	else
	{
		const AzbOperationDef *op = known_operation(ctx->opts->version,
													"Invoices_DownloadByBillingAccount");
		const char *path[2] = {account, invoice};
		const char **query = palloc0(sizeof(char *) * Max(op->nquery, 1));
		int			qi = azb_opcat_query_index(op, "documentName");

		if (qi >= 0)
			query[qi] = arg[2];		/* document_name */
		out = azb_op_run(ctx, op, path, query, NULL);
	}
	PG_RETURN_DATUM(download_tuple(fcinfo, ctx, out));
}

/*
 * azbilling_price_sheet_download_url(server, billing_account_name,
 *	 billing_profile_name, invoice_name default null)
 *	 returns table(url text, expires_at timestamptz)
 *
 * The Billing provider's price sheet exists in 2019-10-01-preview only
 * (PriceSheet_Download, PriceSheet_DownloadByBillingProfile); the call uses
 * that api-version whatever the server's.
 */
Datum
azbilling_price_sheet_download_url(PG_FUNCTION_ARGS)
{
	const char *fn = "azbilling_price_sheet_download_url";
	static const char *const names[] = {"billing_account_name", "billing_profile_name",
	"invoice_name"};
	int			v19 = azb_catalog_version_index("2019-10-01-preview");
	char	   *arg[3];
	AzbOpContext *ctx;
	AzbOpOutcome *out;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	ctx = function_args(fcinfo, fn, names, 3, 2, arg);

	if (arg[2])					/* invoice_name */
	{
		const char *path[3] = {arg[0], arg[1], arg[2]};

		out = azb_op_run(ctx, known_operation(v19, "PriceSheet_Download"), path, NULL, NULL);
	}
	else
	{
		const char *path[2] = {arg[0], arg[1]};

		out = azb_op_run(ctx, known_operation(v19, "PriceSheet_DownloadByBillingProfile"),
						 path, NULL, NULL);
	}
	PG_RETURN_DATUM(download_tuple(fcinfo, ctx, out));
}

/* ---------------------------------------------------------------- */
/* Named actions: one entry point, a table of functions				*/
/* ---------------------------------------------------------------- */

/* How a named action's last argument becomes the body. */
typedef enum AzbActionBody
{
	ACTION_BODY_NONE,			/* no body argument */
	ACTION_BODY_DESTINATION,	/* text -> {"destinationInvoiceSectionId": ...} */
	ACTION_BODY_RECIPIENT,		/* text -> {"properties": {"recipientEmailId": ...}} */
	ACTION_BODY_PRODUCTS		/* jsonb -> {"properties": {"productDetails": ...}} (NULL: {}) */
} AzbActionBody;

#define AZB_ACTION_MAX_PARAMS 4

typedef struct AzbNamedAction
{
	const char *function;		/* the SQL function's name */
	const char *operation_id;
	int			nparams;		/* path parameters, in argument order after server */
	const char *params[AZB_ACTION_MAX_PARAMS];
	AzbActionBody body;
} AzbNamedAction;

static const AzbNamedAction named_actions[] = {
	{"azbilling_billing_subscription_move", "BillingSubscriptions_Move",
	2, {"billingAccountName", "billingSubscriptionName"}, ACTION_BODY_DESTINATION},
	{"azbilling_billing_subscription_validate_move", "BillingSubscriptions_ValidateMoveEligibility",
	2, {"billingAccountName", "billingSubscriptionName"}, ACTION_BODY_DESTINATION},
	{"azbilling_product_move", "Products_Move",
	2, {"billingAccountName", "productName"}, ACTION_BODY_DESTINATION},
	{"azbilling_product_validate_move", "Products_ValidateMoveEligibility",
	2, {"billingAccountName", "productName"}, ACTION_BODY_DESTINATION},
	{"azbilling_transfer_initiate", "Transfers_Initiate",
	4, {"billingAccountName", "billingProfileName", "invoiceSectionName", "transferName"}, ACTION_BODY_RECIPIENT},
	{"azbilling_transfer_cancel", "Transfers_Cancel",
	4, {"billingAccountName", "billingProfileName", "invoiceSectionName", "transferName"}, ACTION_BODY_NONE},
	{"azbilling_recipient_transfer_accept", "RecipientTransfers_Accept",
	1, {"transferName"}, ACTION_BODY_PRODUCTS},
	{"azbilling_recipient_transfer_decline", "RecipientTransfers_Decline",
	1, {"transferName"}, ACTION_BODY_NONE},
	{"azbilling_recipient_transfer_validate", "RecipientTransfers_Validate",
	1, {"transferName"}, ACTION_BODY_PRODUCTS},
	{"azbilling_billing_profile_validate_delete", "BillingProfiles_ValidateDeleteEligibility",
	2, {"billingAccountName", "billingProfileName"}, ACTION_BODY_NONE},
	{"azbilling_invoice_section_validate_delete", "InvoiceSections_ValidateDeleteEligibility",
	3, {"billingAccountName", "billingProfileName", "invoiceSectionName"}, ACTION_BODY_NONE},
};

PG_FUNCTION_INFO_V1(azbilling_named_action);

/*
 * The C entry point of every named action (azbilling_fdw--1.0.sql binds
 * each to this symbol): the SQL function's name picks its row of
 * named_actions, whose operation runs through azb_op_run like
 * azbilling_call.  Written in C rather than as SQL calling azbilling_call
 * so that it works whatever schema the extension lives in.
 */
Datum
azbilling_named_action(PG_FUNCTION_ARGS)
{
	char	   *fname = get_func_name(fcinfo->flinfo->fn_oid);
	const AzbNamedAction *a = NULL;
	AzbOpContext *ctx;
	const AzbOperationDef *op;
	const char **path;
	StringInfoData body;
	AzbOpOutcome *out;
	int			arg;

	for (size_t i = 0; i < lengthof(named_actions); i++)
		if (fname && strcmp(named_actions[i].function, fname) == 0)
			a = &named_actions[i];
	if (a == NULL)
		elog(ERROR, "azbilling_fdw: function %s is not a named action", fname ? fname : "?");
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s needs a server", a->function),
				 errdetail("The server argument is null."),
				 errhint("Pass the name of an azbilling_fdw server.")));
	ctx = azb_op_context(text_to_cstring(PG_GETARG_TEXT_PP(0)), a->function);
	op = azb_opcat_find(ctx->opts->version, a->operation_id);
	if (op == NULL || op->npath != a->nparams)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s is not available at api-version %s", a->function, ctx->opts->api_version),
				 errdetail(op == NULL ? "The api-version has no operation %s." :
						   "The api-version's operation %s takes other parameters.", a->operation_id),
				 errhint("Use a server at api-version 2024-04-01, or azbilling_call with the operation's own parameters.")));
	path = palloc0(sizeof(char *) * op->npath);
	for (arg = 0; arg < a->nparams; arg++)
	{
		int			pi = azb_opcat_path_index(op, a->params[arg]);
		char	   *v = arg_text(fcinfo, arg + 1, a->params[arg]);

		if (pi < 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s is not available at api-version %s", a->function, ctx->opts->api_version),
					 errdetail("The api-version's operation %s has no parameter %s.", op->operation_id,
							   a->params[arg]),
					 errhint("Use azbilling_call with the operation's own parameters.")));
		if (v == NULL || v[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s needs %s", a->function, a->params[arg]),
					 errdetail("Argument %d is null or empty.", arg + 2),
					 errhint("Pass the name of the billing scope or item.")));
		path[pi] = v;
	}
	initStringInfo(&body);
	switch (a->body)
	{
		case ACTION_BODY_NONE:
			break;
		case ACTION_BODY_DESTINATION:
		case ACTION_BODY_RECIPIENT:
			{
				char	   *v = arg_text(fcinfo, arg + 1, "value");

				if (v == NULL || v[0] == '\0')
					ereport(ERROR,
							(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							 errmsg("%s needs %s", a->function,
									a->body == ACTION_BODY_DESTINATION ? "a destination invoice section id" :
									"a recipient email address"),
							 errdetail("Argument %d is null or empty.", arg + 2),
							 errhint("Pass it as text.")));
				appendStringInfoString(&body, a->body == ACTION_BODY_DESTINATION ?
									   "{\"destinationInvoiceSectionId\": " :
									   "{\"properties\": {\"recipientEmailId\": ");
				escape_json(&body, v);
				appendStringInfoString(&body, a->body == ACTION_BODY_DESTINATION ? "}" : "}}");
			}
			break;
		case ACTION_BODY_PRODUCTS:
			appendStringInfoString(&body, "{\"properties\": {");
			if (!PG_ARGISNULL(arg + 1))
			{
				Jsonb	   *jb = PG_GETARG_JSONB_P(arg + 1);

				appendStringInfoString(&body, "\"productDetails\": ");
				appendStringInfoString(&body, JsonbToCString(NULL, &jb->root, VARSIZE(jb)));
			}
			appendStringInfoString(&body, "}}");
			break;
	}
	out = azb_op_run(ctx, op, path, NULL, body.len ? body.data : NULL);
	if (out->body == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(out->body)));
}
