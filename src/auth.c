/*-------------------------------------------------------------------------
 *
 * auth.c
 *	  Token sources (client credentials, a static access token, managed
 *	  identity) and the per-user-mapping token cache.
 *
 * Tokens are cached per user mapping in backend memory, refreshed five
 * minutes before they expire (or at half their lifetime, when that is
 * shorter), and dropped whenever any server or user mapping changes, as
 * postgres_fdw drops its connections.  Tokens and secrets are wiped from
 * memory when dropped and never appear in a message.
 *
 *-------------------------------------------------------------------------
 */
#include "azb.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

typedef struct AzbTokenEntry
{
	Oid			umid;			/* hash key: the user mapping */
	char	   *token;			/* in TopMemoryContext */
	TimestampTz refresh_at;		/* fetch a new one after this */
	TimestampTz expires_at;
} AzbTokenEntry;

static HTAB *token_cache = NULL;

#define REFRESH_MARGIN_SECS 300

static void
wipe_entry(AzbTokenEntry *e)
{
	if (e->token)
	{
		explicit_bzero(e->token, strlen(e->token));
		pfree(e->token);
		e->token = NULL;
	}
}

/* Any change to a server or user mapping drops every cached token. */
static void
token_cache_inval(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS scan;
	AzbTokenEntry *e;

	if (token_cache == NULL)
		return;
	hash_seq_init(&scan, token_cache);
	while ((e = (AzbTokenEntry *) hash_seq_search(&scan)) != NULL)
		wipe_entry(e);
}

void
azb_auth_init(void)
{
	HASHCTL		ctl;

	if (token_cache != NULL)
		return;
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(AzbTokenEntry);
	token_cache = hash_create("azbilling_fdw tokens", 8, &ctl, HASH_ELEM | HASH_BLOBS);
	CacheRegisterSyscacheCallback(FOREIGNSERVEROID, token_cache_inval, (Datum) 0);
	CacheRegisterSyscacheCallback(USERMAPPINGOID, token_cache_inval, (Datum) 0);
}

/* application/x-www-form-urlencoded value */
static void
append_form(StringInfo buf, const char *name, const char *value)
{
	char	   *enc = azb_encoded(value, true);

	appendStringInfo(buf, "%s%s=%s", buf->len ? "&" : "", name, enc);
	explicit_bzero(enc, strlen(enc));
	pfree(enc);
}

/* Fetch a token; returns it palloc'd with its lifetime in seconds. */
static char *
fetch_token(const AzbOptions *opts, int *lifetime)
{
	AzbHttpSpec spec = {0};
	AzbHttpResult *res;
	StringInfoData url;
	StringInfoData body;
	char	   *token;
	char	   *expires;
	bool		is_number;

	initStringInfo(&url);
	initStringInfo(&body);
	if (opts->managed_identity)
	{
		char	   *resource = azb_encoded(opts->endpoint, true);

		appendStringInfo(&url,
						 "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=%s%%2F",
						 resource);
		if (opts->client_id)
			appendStringInfo(&url, "&client_id=%s", opts->client_id);
		spec.method = "GET";
		spec.metadata_header = true;
	}
	else
	{
		char	   *tenant = azb_encoded(opts->tenant_id, false);
		char	   *scope = psprintf("%s/.default", opts->endpoint);

		appendStringInfo(&url, "%s/%s/oauth2/v2.0/token", opts->login_endpoint, tenant);
		append_form(&body, "grant_type", "client_credentials");
		append_form(&body, "client_id", opts->client_id);
		append_form(&body, "client_secret", opts->client_secret);
		append_form(&body, "scope", scope);
		spec.method = "POST";
		spec.body = body.data;
		spec.content_type = "application/x-www-form-urlencoded";
	}
	spec.url = url.data;
	spec.retry = true;

	/* a set of its own: token requests are not the scan's ARM requests */
	azb_http_perform(azb_http_set_create(opts, NULL), &spec, &res);
	explicit_bzero(body.data, body.len);

	if (res->failure != AZB_XFER_OK || res->status != 200)
		azb_error_token(res, opts);

	token = azb_json_field(res->body, res->body_len, "access_token", &is_number);
	expires = azb_json_field(res->body, res->body_len, "expires_in", &is_number);
	if (res->body)
		explicit_bzero(res->body, res->body_len);
	if (token == NULL || token[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("the token endpoint answered without an access token"),
				 errdetail("The answer from %s had no \"access_token\" field.",
						   opts->managed_identity ? "the managed identity endpoint" :
						   "Microsoft Entra ID"),
				 errhint("Check login_endpoint on the server.")));
	*lifetime = 3599;
	if (expires)
	{
		char	   *end;
		long		v = strtol(expires, &end, 10);

		/* a number, or (v1 endpoint, IMDS) a string holding one */
		if (end != expires && v > 0)
			*lifetime = (int) Min(v, 86400 * 7);
	}
	return token;
}

/*
 * The bearer token for the user mapping in opts.  refresh forces a new one
 * (after a 401).  The token stays valid until the next call.
 */
const char *
azb_auth_token(const AzbOptions *opts, bool refresh)
{
	AzbTokenEntry *e;
	bool		found;
	TimestampTz now;
	int			lifetime;
	char	   *token;
	int			margin;

	if (opts->access_token)
		return opts->access_token;
	if (!opts->managed_identity && !(opts->tenant_id && opts->client_id && opts->client_secret))
	{
		ForeignServer *server = GetForeignServer(opts->serverid);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("no Azure credentials in the user mapping for server \"%s\"",
						server->servername),
				 errdetail("The user mapping has neither client credentials, an access token, nor managed_identity."),
				 errhint("ALTER USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (ADD tenant_id '...', ADD client_id '...', ADD client_secret '...').",
						 quote_identifier(server->servername))));
	}

	azb_auth_init();
	e = (AzbTokenEntry *) hash_search(token_cache, &opts->umid, HASH_ENTER, &found);
	if (!found)
		e->token = NULL;
	now = GetCurrentTimestamp();
	if (e->token && !refresh && now < e->refresh_at)
		return e->token;

	wipe_entry(e);
	token = fetch_token(opts, &lifetime);
	e->token = MemoryContextStrdup(TopMemoryContext, token);
	explicit_bzero(token, strlen(token));
	margin = Min(REFRESH_MARGIN_SECS, lifetime / 2);
	e->expires_at = TimestampTzPlusMilliseconds(now, (int64) lifetime * 1000);
	e->refresh_at = TimestampTzPlusMilliseconds(now, (int64) (lifetime - margin) * 1000);
	return e->token;
}
