/*-------------------------------------------------------------------------
 *
 * operation.c
 *	  The one request path for operations of the catalogue, and the SQL
 *	  function azbilling_call().
 *
 * azb_op_run() is what every caller uses: azbilling_call, the named action
 * functions in actions.c and, later, the DML executor ("run this operation
 * with these path values and this body, give me the final body").  It
 *	- builds the URL from the catalogue: the endpoint, the path template
 *	  with percent-encoded values, the operation's api-version, then the
 *	  query parameters by their spec names;
 *	- for an operation that changes anything, refuses unless the server is
 *	  updatable, the transaction is read-write and the server is not a hot
 *	  standby, and under azbilling.dry_run only says what it would send;
 *	- sends the request with the caller's token, refreshed once on 401;
 *	  http.c retries by method (POST and PATCH only on 429 or when never
 *	  sent), and a sent POST or PATCH whose answer was lost or failed
 *	  ambiguously is SQLSTATE 40003 (errors.c);
 *	- follows a long-running operation to its end (lro.c).
 *
 * These calls are not transactional: a change Azure accepted stays made
 * whatever the transaction does afterwards.
 *
 *-------------------------------------------------------------------------
 */
#include "operation.h"
#include "stats.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "miscadmin.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

PG_FUNCTION_INFO_V1(azbilling_call);

bool		azb_op_dry_run = false;

/* Define azbilling.dry_run; called from _PG_init. */
void
azb_op_init(void)
{
	char		problem[256];

	DefineCustomBoolVariable("azbilling.dry_run",
							 "Send no request that changes anything in Azure; print it as a NOTICE instead.",
							 "Applies to azbilling_call and the action functions for operations that change "
							 "anything; reads and validations are still sent.",
							 &azb_op_dry_run,
							 false,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	if (azb_opcat_check(problem, sizeof(problem)) != 0)
		elog(WARNING, "azbilling_fdw: operation catalogue self-check failed: %s", problem);
}

/*
 * The context for calls on a server by a user: the server is ours, the
 * caller has USAGE on it, and the user mapping gives the credentials.
 */
AzbOpContext *
azb_op_context_for(ForeignServer *server, Oid userid, const char *what)
{
	ForeignDataWrapper *fdw = GetForeignDataWrapper(server->fdwid);
	AclResult	aclresult;
	AzbOpContext *ctx;

	if (strcmp(fdw->fdwname, "azbilling_fdw") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("server \"%s\" is not an azbilling_fdw server", server->servername),
				 errdetail("It uses the foreign-data wrapper \"%s\".", fdw->fdwname),
				 errhint("Pass the name of a server created with FOREIGN DATA WRAPPER azbilling_fdw.")));
	aclresult = azb_compat_server_aclcheck(server->serverid, userid, ACL_USAGE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FOREIGN_SERVER, server->servername);

	ctx = palloc0(sizeof(AzbOpContext));
	ctx->what = what;
	ctx->server_name = pstrdup(server->servername);
	ctx->opts = azb_options_for_server(server);
	azb_options_add_user(ctx->opts, userid);
	ctx->xfers = azb_http_set_create(ctx->opts, &ctx->stats);
	return ctx;
}

AzbOpContext *
azb_op_context(const char *server_name, const char *what)
{
	return azb_op_context_for(GetForeignServerByName(server_name, false), GetUserId(), what);
}

/*
 * The operation's URL: endpoint, path with percent-encoded values (all
 * op->npath of them), api-version of the operation's own catalogue entry,
 * then each query value that is not NULL (query_values may be NULL).
 */
char *
azb_op_url(AzbOpContext *ctx, const AzbOperationDef *op,
		   const char *const *path_values, const char *const *query_values)
{
	StringInfoData url;
	size_t		n = azb_request_path(NULL, 0, op->path, path_values, op->npath);
	char	   *path = palloc(n + 1);

	azb_request_path(path, n + 1, op->path, path_values, op->npath);
	initStringInfo(&url);
	appendStringInfo(&url, "%s%s?api-version=%s", ctx->opts->endpoint, path,
					 azb_api_versions[op->version]);
	for (int i = 0; query_values && i < op->nquery; i++)
		if (query_values[i])
			appendStringInfo(&url, "&%s=%s", azb_encoded(op->query[i].name, true),
							 azb_encoded(query_values[i], true));
	return url.data;
}

/*
 * An operation that changes anything may run only on an updatable server,
 * in a read-write transaction, off a hot standby.  The same checks apply
 * under dry run, so that a dry run says what the real run would do.
 */
void
azb_op_check_change(AzbOpContext *ctx, const AzbOperationDef *op)
{
	char	   *cmd;

	if (!op->mutating)
		return;
	cmd = strstr(ctx->what, op->operation_id) ? pstrdup(ctx->what) :
		psprintf("%s (%s)", ctx->what, op->operation_id);
	/* a standby's transactions are all read-only: say why first */
	PreventCommandDuringRecovery(cmd);
	PreventCommandIfReadOnly(cmd);
	if (!ctx->opts->updatable)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("server \"%s\" does not allow changes", ctx->server_name),
				 errdetail("%s is a %s that changes something in Azure, and the server's option updatable is false.",
						   op->operation_id, op->method),
				 errhint("The server's owner can allow it: ALTER SERVER %s OPTIONS (ADD updatable 'true').",
						 quote_identifier(ctx->server_name))));
}

/* The operation azbilling_stats counts an operation request under. */
static const char *
stats_operation(AzbOpContext *ctx)
{
	return ctx->operation_id ? ctx->operation_id : "(operation)";
}

/* Count what one request (its retries and 401 refresh included) cost. */
static void
count_sent(AzbOpContext *ctx, const AzbHttpStats *before, const AzbHttpResult *res)
{
	AzbStatsDelta d = {0};

	d.requests = ctx->stats.requests - before->requests;
	d.retries = ctx->stats.retries - before->retries;
	d.throttled = ctx->stats.throttled - before->throttled;
	d.wait_ms = ctx->stats.wait_ms - before->wait_ms;
	d.bytes = ctx->stats.bytes - before->bytes;
	d.pages = (res->failure == AZB_XFER_OK && res->status >= 200 && res->status <= 299) ? 1 : 0;
	azb_stats_count_request(ctx->opts->serverid, stats_operation(ctx), &d);
}

/*
 * One request with the caller's token (bearer true) or none; a 401 is
 * answered by refreshing the token once and sending again (Azure refused it
 * before doing anything).  Returns the outcome whatever it is.
 */
AzbHttpResult *
azb_op_send(AzbOpContext *ctx, const char *method, const char *url, const char *body, bool bearer)
{
	AzbHttpSpec spec = {0};
	AzbHttpResult *res;
	AzbHttpStats before;

	spec.method = method;
	spec.url = url;
	spec.body = body;
	spec.content_type = body ? "application/json" : NULL;
	spec.bearer = bearer ? azb_auth_token(ctx->opts, false) : NULL;
	spec.retry = true;
	spec.unsafe = strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0;
	before = ctx->stats;
	azb_http_perform(ctx->xfers, &spec, &res);
	if (bearer && res->failure == AZB_XFER_OK && res->status == 401 &&
		ctx->opts->access_token == NULL)
	{
		spec.bearer = azb_auth_token(ctx->opts, true);
		azb_http_perform(ctx->xfers, &spec, &res);
	}
	count_sent(ctx, &before, res);
	if (strcmp(method, "GET") != 0)
		(void) azb_cache_clear_server(ctx->opts->serverid);	/* lists may have changed */
	return res;
}

/*
 * Raise the error for a failed request: an unknown outcome (40003) for a
 * POST or PATCH that was sent and whose answer was lost or ambiguous (408,
 * 5xx, a broken or oversized answer), errors.c's class otherwise.  A retry
 * wait that would pass statement_timeout is not ambiguous: for a POST or
 * PATCH it follows only a 429 or a request that never left.
 */
void
azb_op_raise(AzbOpContext *ctx, const char *method, const char *url, AzbHttpResult *res)
{
	bool		unsafe = strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0;
	bool		ambiguous = res->failure == AZB_XFER_OK ?
	(res->status == 408 || res->status >= 500) :
	(res->failure == AZB_XFER_TIMEOUT || res->failure == AZB_XFER_TRANSPORT ||
	 res->failure == AZB_XFER_TOO_LARGE);

	azb_stats_count_error(ctx->opts->serverid, stats_operation(ctx),
						  unsafe && res->sent && ambiguous ? "40" :
						  res->failure != AZB_XFER_OK ? "HV" :
						  res->status == 401 ? "28" : res->status == 403 ? "42" : "HV");
	if (unsafe && res->sent && ambiguous)
		azb_error_unknown_outcome(ctx->what, method, azb_request_path_of(url), res);
	azb_error_http(ctx->what, method, azb_request_path_of(url), res);
}

/*
 * Run an operation: see the file header.  Returns the final answer; in a
 * dry run of an operation that changes anything, a NOTICE and an outcome
 * with dry_run set and no body.
 */
AzbOpOutcome *
azb_op_run(AzbOpContext *ctx, const AzbOperationDef *op, const char *const *path_values,
		   const char *const *query_values, const char *body)
{
	return azb_op_run_tolerating(ctx, op, path_values, query_values, body, 0);
}

/*
 * azb_op_run, except that a first answer with the status 'tolerated' (DML's
 * DELETE of an item already gone: 404) is an outcome with that status and
 * no body, not an error.
 */
AzbOpOutcome *
azb_op_run_tolerating(AzbOpContext *ctx, const AzbOperationDef *op, const char *const *path_values,
					  const char *const *query_values, const char *body, long tolerated)
{
	char	   *url = azb_op_url(ctx, op, path_values, query_values);
	AzbOpOutcome *out = palloc0(sizeof(AzbOpOutcome));
	AzbHttpResult *res;

	azb_op_check_change(ctx, op);
	if (op->mutating && azb_op_dry_run)
	{
		/* the path and query only: no host, and no credential is ever in a URL */
		ereport(NOTICE,
				(errmsg("would %s %s%s%s", op->method, azb_request_path_of(url),
						body ? " " : "", body ? body : ""),
				 errdetail("azbilling.dry_run is on: nothing was sent for %s.", op->operation_id)));
		out->dry_run = true;
		out->request_id = "";
		return out;
	}
	ctx->operation_id = op->operation_id;
	res = azb_op_send(ctx, op->method, url, body, true);
	if (tolerated != 0 && res->failure == AZB_XFER_OK && res->status == tolerated)
	{
		out->status = res->status;
		out->content_type = pstrdup(res->content_type);
		out->request_id = pstrdup(res->request_id);
		return out;
	}
	if (res->failure != AZB_XFER_OK || res->status < 200 || res->status > 299)
		azb_op_raise(ctx, op->method, url, res);
	res = azb_lro_follow(ctx, op, url, res, &out->operation_url);
	out->status = res->status;
	if (res->body && res->body_len > 0 && res->status != 204)
	{
		out->body = res->body;
		out->body_len = res->body_len;
	}
	out->content_type = pstrdup(res->content_type);
	out->request_id = pstrdup(res->request_id);
	return out;
}

/* ---------------------------------------------------------------- */
/* azbilling_call													*/
/* ---------------------------------------------------------------- */

/* The operation's parameters, for details: "billingAccountName (path), $filter (query, optional)". */
static char *
describe_parameters(const AzbOperationDef *op)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < op->npath; i++)
		appendStringInfo(&buf, "%s%s (path)", buf.len ? ", " : "", op->path_params[i]);
	for (int i = 0; i < op->nquery; i++)
		appendStringInfo(&buf, "%s%s (query%s)", buf.len ? ", " : "", op->query[i].name,
						 op->query[i].required ? "" : ", optional");
	if (buf.len == 0)
		appendStringInfoString(&buf, "none");
	return buf.data;
}

/* A jsonb scalar or container as the text a URL carries. */
static char *
parameter_text(JsonbValue *v, bool *is_null)
{
	*is_null = false;
	switch (v->type)
	{
		case jbvNull:
			*is_null = true;
			return NULL;
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		case jbvBinary:
			return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
		default:
			return pstrdup("");
	}
}

/*
 * azbilling_call(server text, operation text, parameters jsonb DEFAULT '{}',
 *				  body jsonb DEFAULT NULL) RETURNS jsonb
 */
Datum
azbilling_call(PG_FUNCTION_ARGS)
{
	char	   *server;
	char	   *opname;
	AzbOpContext *ctx;
	const AzbOperationDef *op;
	const char **path_values;
	const char **query_values;
	char	   *body = NULL;
	AzbOpOutcome *out;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("azbilling_call needs a server and an operation"),
				 errdetail("The server or operation argument is null."),
				 errhint("Call azbilling_call('server', 'OperationGroup_Action', '{...}'); azbilling_operations() lists the operations.")));
	server = text_to_cstring(PG_GETARG_TEXT_PP(0));
	opname = text_to_cstring(PG_GETARG_TEXT_PP(1));
	ctx = azb_op_context(server, "azbilling_call");
	op = azb_opcat_find(ctx->opts->version, opname);
	if (op == NULL)
	{
		int			other = -1;

		for (int v = 0; v < AZB_NVERSIONS; v++)
			if (v != ctx->opts->version && azb_opcat_find(v, opname))
				other = v;
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("unknown operation \"%s\" at api-version %s", opname, ctx->opts->api_version),
				 other >= 0 ?
				 errdetail("The operation exists at api-version %s only.", azb_api_versions[other]) :
				 errdetail("No operation of the Billing API has that id."),
				 errhint("SELECT operation_id FROM azbilling_operations() WHERE api_version = '%s' lists the operations.",
						 ctx->opts->api_version)));
	}
	ctx->what = psprintf("azbilling_call(%s)", op->operation_id);

	path_values = palloc0(sizeof(char *) * Max(op->npath, 1));
	query_values = palloc0(sizeof(char *) * Max(op->nquery, 1));
	if (!PG_ARGISNULL(2))
	{
		Jsonb	   *params = PG_GETARG_JSONB_P(2);
		JsonbIterator *it;
		JsonbValue	v;
		JsonbIteratorToken tok;
		char	   *key = NULL;

		if (!JB_ROOT_IS_OBJECT(params))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the parameters of azbilling_call must be a JSON object"),
					 errdetail("%s takes: %s.", op->operation_id, describe_parameters(op)),
					 errhint("Pass them by their spec names, for example '{\"billingAccountName\": \"...\"}'.")));
		it = JsonbIteratorInit(&params->root);
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			if (tok == WJB_KEY)
				key = pnstrdup(v.val.string.val, v.val.string.len);
			else if (tok == WJB_VALUE)
			{
				int			pi = azb_opcat_path_index(op, key);
				int			qi = azb_opcat_query_index(op, key);
				bool		is_null;
				char	   *text = parameter_text(&v, &is_null);

				if (strcmp(key, "api-version") == 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("azbilling_call takes no api-version parameter"),
							 errdetail("The api-version is the server's (%s).", ctx->opts->api_version),
							 errhint("Use a server whose api_version option is the version you want.")));
				if (pi < 0 && qi < 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("operation %s has no parameter \"%s\"", op->operation_id, key),
							 errdetail("%s takes: %s.", op->operation_id, describe_parameters(op)),
							 errhint("Parameter names are the spec's, and case-sensitive.")));
				if (pi >= 0)
				{
					if (is_null || text[0] == '\0')
						ereport(ERROR,
								(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
								 errmsg("path parameter \"%s\" of %s is empty", key, op->operation_id),
								 errdetail("A path parameter needs a non-empty value."),
								 errhint("Pass the name of the billing scope or item.")));
					path_values[pi] = text;
				}
				else
					query_values[qi] = text;	/* NULL leaves it out */
			}
		}
	}
	for (int i = 0; i < op->npath; i++)
		if (path_values[i] == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("operation %s needs the parameter \"%s\"", op->operation_id, op->path_params[i]),
					 errdetail("%s takes: %s.", op->operation_id, describe_parameters(op)),
					 errhint("Add \"%s\" to the parameters object.", op->path_params[i])));
	for (int i = 0; i < op->nquery; i++)
		if (op->query[i].required && query_values[i] == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("operation %s needs the parameter \"%s\"", op->operation_id, op->query[i].name),
					 errdetail("%s takes: %s.", op->operation_id, describe_parameters(op)),
					 errhint("Add \"%s\" to the parameters object.", op->query[i].name)));
	if (!PG_ARGISNULL(3))
	{
		Jsonb	   *jb = PG_GETARG_JSONB_P(3);

		if (op->body_param == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("operation %s takes no body", op->operation_id),
					 errdetail("It is a %s of %s without a body parameter.", op->method, op->path),
					 errhint("Pass NULL as the body.")));
		body = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	}
	else if (op->body_required)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("operation %s needs a body", op->operation_id),
				 errdetail("Its body parameter %s (%s) is required.", op->body_param,
						   op->body_model ? op->body_model : "JSON"),
				 errhint("Pass the body as the fourth argument (jsonb).")));

	out = azb_op_run(ctx, op, path_values, query_values, body);
	if (out->body == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(out->body)));
}
