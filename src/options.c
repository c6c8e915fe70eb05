/*-------------------------------------------------------------------------
 *
 * options.c
 *	  The option table, validation with hints, and merged options.
 *
 * Each option names the catalogs it may appear in, whether only a superuser
 * may set it (endpoint, login_endpoint, ca_file, trusted_hosts,
 * managed_identity, client_certificate_file and federated_token_file:
 * otherwise a role could point the database server at any host, read its
 * files or use its ambient identity), and whether its value is a secret
 * that no message may show.
 *
 * A user mapping holds exactly one kind of credential: a client secret, a
 * client certificate (text or file), a federated token file, a static
 * access token, or managed identity.  Bad values are
 * ERRCODE_INVALID_PARAMETER_VALUE, as in postgres_fdw; only an unknown
 * option name is ERRCODE_FDW_INVALID_OPTION_NAME.
 *
 *-------------------------------------------------------------------------
 */
#include "azb.h"

#include "access/htup_details.h"
#include "access/reloptions.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

typedef enum AzbOptKind
{
	AZB_OPT_URL,
	AZB_OPT_API_VERSION,
	AZB_OPT_PATH,
	AZB_OPT_INT,
	AZB_OPT_DATE,
	AZB_OPT_HOSTS,
	AZB_OPT_RESOURCE,
	AZB_OPT_STRING,
	AZB_OPT_BOOL,
	AZB_OPT_PEM,				/* a certificate and its private key (secret) */
	AZB_OPT_ALGORITHM			/* PS256 or RS256 */
} AzbOptKind;

typedef struct AzbOptionDef
{
	const char *name;
	Oid			context;		/* catalog: server, table, column, user mapping */
	AzbOptKind	kind;
	bool		superuser_only;
	bool		secret;
	int64		min;			/* for AZB_OPT_INT */
	int64		max;
} AzbOptionDef;

static const AzbOptionDef option_defs[] = {
	{"endpoint", ForeignServerRelationId, AZB_OPT_URL, true, false},
	{"login_endpoint", ForeignServerRelationId, AZB_OPT_URL, true, false},
	{"api_version", ForeignServerRelationId, AZB_OPT_API_VERSION, false, false},
	{"ca_file", ForeignServerRelationId, AZB_OPT_PATH, true, false},
	{"connect_timeout", ForeignServerRelationId, AZB_OPT_INT, false, false, 1, 3600},
	{"request_timeout", ForeignServerRelationId, AZB_OPT_INT, false, false, 1, 86400},
	{"max_retries", ForeignServerRelationId, AZB_OPT_INT, false, false, 0, 100},
	{"max_concurrency", ForeignServerRelationId, AZB_OPT_INT, false, false, 1, 256},
	{"max_response_bytes", ForeignServerRelationId, AZB_OPT_INT, false, false, 1024,
	INT64CONST(1073741824)},
	{"max_pages", ForeignServerRelationId, AZB_OPT_INT, false, false, 1, INT64CONST(100000000)},
	{"history_start", ForeignServerRelationId, AZB_OPT_DATE, false, false},
	{"trusted_hosts", ForeignServerRelationId, AZB_OPT_HOSTS, true, false},
	{"async_capable", ForeignServerRelationId, AZB_OPT_BOOL, false, false},
	{"filter_pushdown", ForeignServerRelationId, AZB_OPT_BOOL, false, false},
	{"updatable", ForeignServerRelationId, AZB_OPT_BOOL, false, false},
	{"max_write_rows", ForeignServerRelationId, AZB_OPT_INT, false, false, 1, INT64CONST(100000000)},
	{"cache_ttl", ForeignServerRelationId, AZB_OPT_INT, false, false, 0, 86400 * 7},
	{"cache_max_bytes", ForeignServerRelationId, AZB_OPT_INT, false, false, 0, INT64CONST(1073741824)},
	{"skip_forbidden", ForeignServerRelationId, AZB_OPT_BOOL, false, false},
	{"resource", ForeignTableRelationId, AZB_OPT_RESOURCE, false, false},
	{"api_version", ForeignTableRelationId, AZB_OPT_API_VERSION, false, false},
	{"async_capable", ForeignTableRelationId, AZB_OPT_BOOL, false, false},
	{"updatable", ForeignTableRelationId, AZB_OPT_BOOL, false, false},
	{"max_write_rows", ForeignTableRelationId, AZB_OPT_INT, false, false, 1, INT64CONST(100000000)},
	{"cache_ttl", ForeignTableRelationId, AZB_OPT_INT, false, false, 0, 86400 * 7},
	{"skip_forbidden", ForeignTableRelationId, AZB_OPT_BOOL, false, false},
	{"json_path", AttributeRelationId, AZB_OPT_STRING, false, false},
	{"tenant_id", UserMappingRelationId, AZB_OPT_STRING, false, false},
	{"client_id", UserMappingRelationId, AZB_OPT_STRING, false, false},
	{"client_secret", UserMappingRelationId, AZB_OPT_STRING, false, true},
	{"access_token", UserMappingRelationId, AZB_OPT_STRING, false, true},
	{"managed_identity", UserMappingRelationId, AZB_OPT_BOOL, true, false},
	{"client_certificate", UserMappingRelationId, AZB_OPT_PEM, false, true},
	{"client_certificate_file", UserMappingRelationId, AZB_OPT_PATH, true, false},
	{"certificate_algorithm", UserMappingRelationId, AZB_OPT_ALGORITHM, false, false},
	{"federated_token_file", UserMappingRelationId, AZB_OPT_PATH, true, false},
};

#define DEFAULT_ENDPOINT "https://management.azure.com"
#define DEFAULT_LOGIN_ENDPOINT "https://login.microsoftonline.com"
#define DEFAULT_API_VERSION "2024-04-01"

static const char *
context_name(Oid context)
{
	switch (context)
	{
		case ForeignServerRelationId:
			return "server";
		case ForeignTableRelationId:
			return "foreign table";
		case AttributeRelationId:
			return "column";
		case UserMappingRelationId:
			return "user mapping";
		case ForeignDataWrapperRelationId:
			return "foreign-data wrapper";
	}
	return "object";
}

/* The option names valid in a context, for hints. */
static char *
valid_names(Oid context)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (size_t i = 0; i < lengthof(option_defs); i++)
	{
		if (option_defs[i].context != context)
			continue;
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", option_defs[i].name);
	}
	if (context == ForeignTableRelationId)
		appendStringInfoString(&buf, ", and any scope column (billing_account_name, billing_profile_name, ...)");
	if (buf.len == 0)
		appendStringInfoString(&buf, "none");
	return buf.data;
}

static const AzbOptionDef *
find_def(const char *name, Oid context)
{
	for (size_t i = 0; i < lengthof(option_defs); i++)
		if (option_defs[i].context == context && strcmp(option_defs[i].name, name) == 0)
			return &option_defs[i];
	return NULL;
}

/* Validate and normalise an endpoint URL; returns it without a trailing '/'. */
/*
 * The error for a bad option value (ERRCODE_INVALID_PARAMETER_VALUE, as
 * postgres_fdw raises): detail and hint come translated.
 */
static void bad_value(const char *name, const char *detail, const char *hint) pg_attribute_noreturn();

static void
bad_value(const char *name, const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for option \"%s\"", name),
			 errdetail("%s", detail),
			 errhint("%s", hint)));
	pg_unreachable();
}

static char *
check_url(const char *name, const char *value)
{
	char		scheme[16],
				host[256];
	char	   *copy;

	switch (azb_request_check_endpoint(value, scheme, sizeof(scheme), host, sizeof(host)))
	{
		case AZB_ENDPOINT_OK:
			break;
		case AZB_ENDPOINT_NOT_URL:
			bad_value(name, psprintf(_("\"%s\" is not an absolute URL of the form https://host[:port][/path]."), value),
					  _("For Azure's public cloud use https://management.azure.com and https://login.microsoftonline.com."));
		case AZB_ENDPOINT_SCHEME:
			bad_value(name, psprintf(_("The scheme \"%s\" is not supported."), scheme),
					  _("Use an https:// URL."));
		case AZB_ENDPOINT_CLEAR_TEXT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("http:// is allowed only for loopback hosts"),
					 errdetail("Option \"%s\" names host \"%s\" over plain http, which would send credentials in clear text.",
							   name, host),
					 errhint("Use https://, or a loopback host (127.0.0.0/8, ::1, localhost) for local testing.")));
	}
	copy = pstrdup(value);
	azb_request_trim_slashes(copy);
	return copy;
}

static int
check_api_version(const char *name, const char *value)
{
	int			v = azb_catalog_version_index(value);

	if (v < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unsupported api_version \"%s\"", value),
				 errdetail("Option \"%s\" must name an api-version this extension knows.", name),
				 errhint("Valid values are \"2024-04-01\" (the default) and \"2019-10-01-preview\".")));
	return v;
}

static int64
check_int(const AzbOptionDef *def, const char *value)
{
	char	   *end;
	int64		v;

	errno = 0;
	v = strtoi64(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v < def->min || v > def->max)
		bad_value(def->name, psprintf(_("\"%s\" is not an integer between %lld and %lld."), value,
				  (long long) def->min, (long long) def->max),
				  _("Give a whole number, without units."));
	return v;
}

static int32
check_date(const char *name, const char *value)
{
	int32		days;

	if (!azb_parse_date(value, &days) || strlen(value) != 10)
		bad_value(name, psprintf(_("\"%s\" is not a date of the form YYYY-MM-DD."), value),
				  _("For example: history_start '2015-01-01'."));
	return days;
}

static bool
check_bool(const char *name, const char *value)
{
	bool		result;

	if (!parse_bool(value, &result))
		bad_value(name, psprintf(_("\"%s\" is not a boolean."), value),
				  _("Use 'true' or 'false'."));
	return result;
}

static void
check_hosts(const char *name, const char *value)
{
	for (const char *p = value; *p; p++)
		if (!(isalnum((unsigned char) *p) || strchr(".-:,[] ", *p)))
			bad_value(name, psprintf(_("\"%s\" is not a comma-separated list of host names."), value),
					  _("For example: trusted_hosts 'billing-preview.windowsazure.com'."));
}

static inline bool
context_is_um(Oid catalog)
{
	return catalog == UserMappingRelationId;
}

/* certificate_algorithm: true for RS256, false for PS256 */
static bool
check_algorithm(const char *name, const char *value)
{
	if (pg_strcasecmp(value, "PS256") == 0)
		return false;
	if (pg_strcasecmp(value, "RS256") == 0)
		return true;
	bad_value(name, psprintf(_("\"%s\" is not a signing algorithm for client assertions."), value),
			  _("Use 'PS256' (the default) or 'RS256'."));
	return false;
}

/*
 * Validate the options of one catalog object.  Called by the validator
 * function for CREATE/ALTER of the wrapper, servers, user mappings, foreign
 * tables and their columns.
 */
void
azb_options_validate(List *options, Oid catalog)
{
	ListCell   *lc;

	/* the credential options given: the four kinds that need the two ids first */
	static const char *const cred[] = {"tenant_id", "client_id", "client_secret", "client_certificate",
	"client_certificate_file", "federated_token_file", "access_token", "certificate_algorithm"};
	enum
	{
		C_TENANT, C_CLIENT, C_SECRET, C_CERT, C_CERT_FILE, C_FEDERATED, C_TOKEN, C_ALG
	};
	bool		given[lengthof(cred)] = {0};
	bool		have_mi = false;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		const AzbOptionDef *od = find_def(def->defname, catalog);
		char	   *value = defGetString(def);

		if (od == NULL)
		{
			if (catalog == ForeignTableRelationId && azb_catalog_is_scope_column(def->defname))
			{
				if (value[0] == '\0')
					bad_value(def->defname, _("A scope pinned by a table option cannot be empty."),
							  psprintf(_("Give the scope's name, as in %s 'name'."), def->defname));
				continue;
			}
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", def->defname),
					 errdetail("azbilling_fdw has no %s option \"%s\".",
							   context_name(catalog), def->defname),
					 errhint("Valid options in this context are: %s.", valid_names(catalog))));
		}

		if (od->superuser_only && !superuser())
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to set option \"%s\"", od->name),
					 od->kind == AZB_OPT_PATH && context_is_um(catalog) ?
					 errdetail("Option \"%s\" makes the database server read one of its own files.",
							   od->name) :
					 errdetail("Option \"%s\" decides where the database server connects or which identity it uses.",
							   od->name),
					 errhint("Only a superuser may set \"%s\".", od->name)));

		switch (od->kind)
		{
			case AZB_OPT_URL:
				(void) check_url(od->name, value);
				break;
			case AZB_OPT_API_VERSION:
				(void) check_api_version(od->name, value);
				break;
			case AZB_OPT_INT:
				(void) check_int(od, value);
				break;
			case AZB_OPT_DATE:
				(void) check_date(od->name, value);
				break;
			case AZB_OPT_HOSTS:
				check_hosts(od->name, value);
				break;
			case AZB_OPT_BOOL:
				if (strcmp(od->name, "managed_identity") == 0)
					have_mi = check_bool(od->name, value);
				else
					(void) check_bool(od->name, value);
				break;
			case AZB_OPT_RESOURCE:
				{
					int			version = -1;

					if (azb_catalog_resource(value) == NULL)
					{
						StringInfoData names;

						initStringInfo(&names);
						for (int i = 0; i < azb_nresources; i++)
							appendStringInfo(&names, "%s%s", i ? ", " : "", azb_resources[i].name);
						ereport(ERROR,
								(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								 errmsg("unknown resource \"%s\"", value),
								 errdetail("Option \"resource\" must name a table of the Azure Billing catalogue."),
								 errhint("Valid resources are: %s.", names.data)));
					}
					(void) version;
				}
				break;
			case AZB_OPT_PATH:
				if (!is_absolute_path(value))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("invalid value for option \"%s\"", od->name),
							 errdetail("\"%s\" is not an absolute path.", value),
							 strcmp(od->name, "federated_token_file") == 0 ?
							 errhint("Give the absolute path of the projected service account token, as AZURE_FEDERATED_TOKEN_FILE names it.") :
							 errhint("Give the absolute path of a PEM file readable by the database server.")));
				break;
			case AZB_OPT_PEM:
				/* never shows the value: it holds a private key */
				azb_auth_check_pem(value, strlen(value), "client_certificate");
				break;
			case AZB_OPT_ALGORITHM:
				(void) check_algorithm(od->name, value);
				break;
			case AZB_OPT_STRING:
				if (value[0] == '\0')
					bad_value(od->name, psprintf(_("Option \"%s\" cannot be empty."), od->name),
							  _("Give a value, or drop the option."));
				break;
		}

		for (int k = 0; k < (int) lengthof(cred); k++)
			if (strcmp(od->name, cred[k]) == 0)
				given[k] = true;
	}

	if (catalog == UserMappingRelationId)
	{
		const char *needs_ids = NULL;
		int			methods = given[C_SECRET] + given[C_TOKEN] + have_mi +
			given[C_CERT] + given[C_CERT_FILE] + given[C_FEDERATED];

		if (given[C_CERT] && given[C_CERT_FILE])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("conflicting credentials in user mapping"),
					 errdetail("Options client_certificate and client_certificate_file both give a certificate."),
					 errhint("Keep one of them.")));
		if (methods > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("conflicting credentials in user mapping"),
					 errdetail("A user mapping holds one kind of credential: client_secret, client_certificate, client_certificate_file, federated_token_file (each with tenant_id and client_id), access_token, or managed_identity."),
					 errhint("Drop the options of the kinds you do not use.")));
		if (given[C_ALG] && !given[C_CERT] && !given[C_CERT_FILE])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"certificate_algorithm\" needs a client certificate"),
					 errdetail("certificate_algorithm chooses how the client certificate's assertion is signed, and the user mapping has no certificate."),
					 errhint("Add client_certificate or client_certificate_file, or drop certificate_algorithm.")));
		for (int k = C_SECRET; k <= C_FEDERATED && needs_ids == NULL; k++)
			if (given[k])
				needs_ids = cred[k];
		if (needs_ids && !(given[C_TENANT] && given[C_CLIENT]))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("incomplete client credentials in user mapping"),
					 errdetail("Option %s needs tenant_id and client_id too.", needs_ids),
					 errhint("Add the missing options: tenant_id '<directory id>', client_id '<application id>'.")));
	}
}

/* ---------------------------------------------------------------- */
/* Merged options													*/
/* ---------------------------------------------------------------- */

static void
apply_server_options(AzbOptions *opts, List *options)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		const char *name = def->defname;
		char	   *value = defGetString(def);

		if (strcmp(name, "endpoint") == 0)
			opts->endpoint = check_url(name, value);
		else if (strcmp(name, "login_endpoint") == 0)
			opts->login_endpoint = check_url(name, value);
		else if (strcmp(name, "api_version") == 0)
		{
			opts->version = check_api_version(name, value);
			opts->api_version = pstrdup(value);
		}
		else if (strcmp(name, "ca_file") == 0)
			opts->ca_file = pstrdup(value);
		else if (strcmp(name, "connect_timeout") == 0)
			opts->connect_timeout = (int) check_int(find_def(name, ForeignServerRelationId), value);
		else if (strcmp(name, "request_timeout") == 0)
			opts->request_timeout = (int) check_int(find_def(name, ForeignServerRelationId), value);
		else if (strcmp(name, "max_retries") == 0)
			opts->max_retries = (int) check_int(find_def(name, ForeignServerRelationId), value);
		else if (strcmp(name, "max_concurrency") == 0)
			opts->max_concurrency = (int) check_int(find_def(name, ForeignServerRelationId), value);
		else if (strcmp(name, "max_response_bytes") == 0)
			opts->max_response_bytes = check_int(find_def(name, ForeignServerRelationId), value);
		else if (strcmp(name, "max_pages") == 0)
			opts->max_pages = check_int(find_def(name, ForeignServerRelationId), value);
		else if (strcmp(name, "history_start") == 0)
			opts->history_start = check_date(name, value);
		else if (strcmp(name, "trusted_hosts") == 0)
			opts->trusted_hosts = pstrdup(value);
		else if (strcmp(name, "async_capable") == 0)
			opts->async_capable = check_bool(name, value);
		else if (strcmp(name, "filter_pushdown") == 0)
			opts->filter_pushdown = check_bool(name, value);
		else if (strcmp(name, "updatable") == 0)
			opts->updatable = check_bool(name, value);
		else if (strcmp(name, "max_write_rows") == 0)
			opts->max_write_rows = check_int(find_def(name, ForeignServerRelationId), value);
		else if (strcmp(name, "cache_ttl") == 0)
			opts->cache_ttl = (int) check_int(find_def(name, ForeignServerRelationId), value);
		else if (strcmp(name, "cache_max_bytes") == 0)
			opts->cache_max_bytes = check_int(find_def(name, ForeignServerRelationId), value);
		else if (strcmp(name, "skip_forbidden") == 0)
			opts->skip_forbidden = check_bool(name, value);
	}
}

/* The server's options with their defaults. */
AzbOptions *
azb_options_for_server(ForeignServer *server)
{
	AzbOptions *opts = palloc0(sizeof(AzbOptions));
	ForeignDataWrapper *fdw = GetForeignDataWrapper(server->fdwid);

	opts->endpoint = pstrdup(DEFAULT_ENDPOINT);
	opts->login_endpoint = pstrdup(DEFAULT_LOGIN_ENDPOINT);
	opts->api_version = pstrdup(DEFAULT_API_VERSION);
	opts->version = azb_catalog_version_index(DEFAULT_API_VERSION);
	opts->connect_timeout = 10;
	opts->request_timeout = 60;
	opts->max_retries = 4;
	opts->max_concurrency = 8;
	opts->max_response_bytes = INT64CONST(67108864);
	opts->max_pages = 100000;
	opts->async_capable = true;
	opts->filter_pushdown = true;
	opts->max_write_rows = 100;
	opts->cache_max_bytes = AZB_CACHE_DEFAULT_MAX_BYTES;
	opts->history_start = azb_days_from_civil(2015, 1, 1);
	opts->serverid = server->serverid;

	/*
	 * Microsoft's SDKs take the Entra authority from AZURE_AUTHORITY_HOST in
	 * the process environment (sovereign clouds, workload identity); an
	 * explicit login_endpoint still wins.
	 */
	if (getenv("AZURE_AUTHORITY_HOST") && getenv("AZURE_AUTHORITY_HOST")[0])
		opts->login_endpoint = check_url("AZURE_AUTHORITY_HOST (in the server's environment)",
										 getenv("AZURE_AUTHORITY_HOST"));

	apply_server_options(opts, fdw->options);
	apply_server_options(opts, server->options);
	return opts;
}

/* The options of a foreign table: its server's, then its own. */
AzbOptions *
azb_options_for_table(Oid foreigntableid)
{
	ForeignTable *table = GetForeignTable(foreigntableid);
	ForeignServer *server = GetForeignServer(table->serverid);
	AzbOptions *opts = azb_options_for_server(server);
	ListCell   *lc;

	foreach(lc, table->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		char	   *value = defGetString(def);

		if (strcmp(def->defname, "resource") == 0)
			opts->resource = pstrdup(value);
		else if (strcmp(def->defname, "api_version") == 0)
		{
			opts->version = check_api_version(def->defname, value);
			opts->api_version = pstrdup(value);
		}
		else if (strcmp(def->defname, "async_capable") == 0)
			opts->async_capable = check_bool(def->defname, value);
		else if (strcmp(def->defname, "updatable") == 0)
			opts->updatable = check_bool(def->defname, value);
		else if (strcmp(def->defname, "max_write_rows") == 0)
			opts->max_write_rows = check_int(find_def(def->defname, ForeignTableRelationId), value);
		else if (strcmp(def->defname, "cache_ttl") == 0)
			opts->cache_ttl = (int) check_int(find_def(def->defname, ForeignTableRelationId), value);
		else if (strcmp(def->defname, "skip_forbidden") == 0)
			opts->skip_forbidden = check_bool(def->defname, value);
		else
		{
			AzbPin	   *pin = palloc(sizeof(AzbPin));

			pin->column = pstrdup(def->defname);
			pin->value = pstrdup(value);
			opts->pins = lappend(opts->pins, pin);
		}
	}
	if (opts->resource == NULL)
		opts->resource = get_rel_name(foreigntableid);
	return opts;
}

/*
 * Add the credentials of the user mapping that applies to userid.  A
 * missing mapping is an error with a hint rather than the core's bare
 * "user mapping not found".
 */
void
azb_options_add_user(AzbOptions *opts, Oid userid)
{
	UserMapping *um;
	HeapTuple	tp;
	ListCell   *lc;

	tp = SearchSysCache2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(userid),
						 ObjectIdGetDatum(opts->serverid));
	opts->um_public = false;
	if (!HeapTupleIsValid(tp))
	{
		tp = SearchSysCache2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(InvalidOid),
							 ObjectIdGetDatum(opts->serverid));
		opts->um_public = true;
	}
	if (!HeapTupleIsValid(tp))
	{
		ForeignServer *server = GetForeignServer(opts->serverid);

		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("user mapping not found for user \"%s\" on server \"%s\"",
						GetUserNameFromId(userid, true) ? GetUserNameFromId(userid, true) : "?",
						server->servername),
				 errdetail("azbilling_fdw authenticates to Azure with the credentials of the querying role's user mapping."),
				 errhint("Create one: CREATE USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (tenant_id '...', client_id '...', client_secret '...').",
						 quote_identifier(server->servername))));
	}
	ReleaseSysCache(tp);

	um = GetUserMapping(userid, opts->serverid);
	opts->userid = userid;
	opts->umid = um->umid;
	foreach(lc, um->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		char	   *value = defGetString(def);

		if (strcmp(def->defname, "tenant_id") == 0)
			opts->tenant_id = pstrdup(value);
		else if (strcmp(def->defname, "client_id") == 0)
			opts->client_id = pstrdup(value);
		else if (strcmp(def->defname, "client_secret") == 0)
			opts->client_secret = pstrdup(value);
		else if (strcmp(def->defname, "access_token") == 0)
			opts->access_token = pstrdup(value);
		else if (strcmp(def->defname, "managed_identity") == 0)
			opts->managed_identity = check_bool(def->defname, value);
		else if (strcmp(def->defname, "client_certificate") == 0)
			opts->client_certificate = pstrdup(value);
		else if (strcmp(def->defname, "client_certificate_file") == 0)
			opts->client_certificate_file = pstrdup(value);
		else if (strcmp(def->defname, "certificate_algorithm") == 0)
			opts->certificate_rs256 = check_algorithm(def->defname, value);
		else if (strcmp(def->defname, "federated_token_file") == 0)
			opts->federated_token_file = pstrdup(value);
	}
}

/* The json_path option of a column, or NULL. */
const char *
azb_options_column_json_path(Oid relid, AttrNumber attnum)
{
	List	   *options = GetForeignColumnOptions(relid, attnum);
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "json_path") == 0)
			return defGetString(def);
	}
	return NULL;
}
