/*-------------------------------------------------------------------------
 *
 * auth.c
 *	  Token sources: how a token is asked for.
 *
 * Client credentials with a secret, with a certificate (a client assertion
 * signed for every request, see jwt.c) or with a federated token file
 * (workload identity: the file's contents are the assertion, read again for
 * every request because Kubernetes rotates it); a static access token;
 * managed identity, from IMDS, the App Service endpoint or Azure Arc's
 * challenge, as the server's environment says.  Every request goes through
 * http.c's engine.  Secrets are wiped from memory after use and never
 * appear in a message.  Caching is token_cache.c's.
 *
 *-------------------------------------------------------------------------
 */
#include "azb.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "miscadmin.h"

/* application/x-www-form-urlencoded value */
static void
append_form(StringInfo buf, const char *name, const char *value)
{
	char	   *enc = azb_encoded(value, true);

	appendStringInfo(buf, "%s%s=%s", buf->len ? "&" : "", name, enc);
	explicit_bzero(enc, strlen(enc));
	pfree(enc);
}

/* Wipe and free a palloc'd secret (NULL is fine). */
static void
wipe_free(char *s)
{
	if (s)
	{
		explicit_bzero(s, strlen(s));
		pfree(s);
	}
}

/*
 * Report a PEM bundle that cannot sign.  The message names what is wrong,
 * never the text: it holds a private key.
 */
static void
pem_error(AzbJwtStatus st, const char *what)
{
	const char *msg;
	const char *detail;

	switch (st)
	{
		case AZB_JWT_OK:
			return;
		case AZB_JWT_NO_CERT:
			msg = "%s holds no certificate";
			detail = "No PEM block \"BEGIN CERTIFICATE\" could be read.";
			break;
		case AZB_JWT_NO_KEY:
			msg = "%s holds no private key";
			detail = "No PEM block \"BEGIN PRIVATE KEY\" or \"BEGIN RSA PRIVATE KEY\" could be read.";
			break;
		case AZB_JWT_ENCRYPTED_KEY:
			msg = "the private key in %s is encrypted";
			detail = "The key needs a passphrase, and azbilling_fdw takes unencrypted keys only.";
			break;
		case AZB_JWT_NOT_RSA:
			msg = "the private key in %s is not an RSA key";
			detail = "Microsoft Entra ID takes certificate credentials with RSA keys only.";
			break;
		case AZB_JWT_KEY_MISMATCH:
			msg = "the private key in %s does not belong to its certificate";
			detail = "The key's public half differs from the certificate's.";
			break;
		case AZB_JWT_NO_MEMORY:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("Could not build a client assertion."),
					 errhint("The server may be out of memory.")));
			return;
		default:
			msg = "could not sign a client assertion with %s";
			detail = "OpenSSL refused to sign with the key.";
			break;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg_internal(msg, what),
			 errdetail_internal("%s", detail),
			 errhint("Give the PEM text of the certificate followed by its unencrypted RSA private key, for example: cat cert.pem key.pem, or openssl pkcs12 -in cert.pfx -nodes.")));
}

/* Check a client_certificate value (for the validator). */
void
azb_auth_check_pem(const char *pem, size_t len, const char *what)
{
	pem_error(azb_jwt_check_pem(pem, len), what);
}

/*
 * Read a credential file of the database server: a PEM bundle, a federated
 * token, an Azure Arc key.  The result is palloc'd and secret; errors name
 * the file, never its contents.
 */
static char *
read_secret_file(const char *path, size_t max_len, const char *what)
{
	int			fd;
	struct stat st = {0};
	char	   *buf;
	ssize_t		n;
	size_t		got = 0;

	fd = open(path, O_RDONLY | PG_BINARY, 0);
	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open %s \"%s\": %m", what, path),
				 errdetail("azbilling_fdw reads this file with the database server's operating system user."),
				 errhint("Check the path, and that the server's user may read the file.")));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t) max_len)
	{
		bool		regular = S_ISREG(st.st_mode);

		close(fd);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s \"%s\" is not usable", what, path),
				 regular ?
				 errdetail("The file is larger than %zu bytes.", max_len) :
				 errdetail("It is not a regular file."),
				 errhint("Check the path.")));
	}
	buf = palloc(st.st_size + 1);
	while (got < (size_t) st.st_size &&
		   (n = read(fd, buf + got, st.st_size - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	if (got == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s \"%s\" is empty", what, path),
				 errdetail("A credential file must hold the credential."),
				 errhint("Check the path, and whatever writes the file.")));
	return buf;
}

/* A fresh GUID for the assertion's jti (never reused: Entra refuses replays). */
static void
make_jti(char *out)
{
	uint8		b[16];

	if (!pg_strong_random(b, sizeof(b)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random bytes"),
				 errdetail("pg_strong_random failed."),
				 errhint("Check the server's source of randomness.")));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
			 b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* The client assertion for a certificate credential (palloc'd, secret). */
static char *
certificate_assertion(const AzbOptions *opts, const char *token_url)
{
	char	   *pem;
	const char *what;
	char		jti[40];
	char	   *jwt = NULL;
	char	   *result;
	AzbJwtStatus st;

	if (opts->client_certificate)
	{
		pem = pstrdup(opts->client_certificate);
		what = "client_certificate";
	}
	else
	{
		pem = read_secret_file(opts->client_certificate_file, 1024 * 1024,
							   "client_certificate_file");
		what = psprintf("client_certificate_file \"%s\"", opts->client_certificate_file);
	}
	make_jti(jti);
	st = azb_jwt_client_assertion(pem, strlen(pem),
								  opts->certificate_rs256 ? AZB_JWT_RS256 : AZB_JWT_PS256,
								  opts->client_id, token_url,
								  (long long) time(NULL), jti, &jwt);
	wipe_free(pem);
	pem_error(st, what);
	result = pstrdup(jwt);
	explicit_bzero(jwt, strlen(jwt));
	free(jwt);
	return result;
}

/* The federated token file's contents, read again for every request. */
static char *
federated_assertion(const AzbOptions *opts)
{
	char	   *tok = read_secret_file(opts->federated_token_file, 64 * 1024,
									   "federated_token_file");
	size_t		len = strlen(tok);

	while (len > 0 && (tok[len - 1] == '\n' || tok[len - 1] == '\r' ||
					   tok[len - 1] == ' ' || tok[len - 1] == '\t'))
		tok[--len] = '\0';
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("federated_token_file \"%s\" is empty", opts->federated_token_file),
				 errdetail("The file holds no token."),
				 errhint("Check the path, and the projected service account token volume.")));
	return tok;
}

/* Where a managed identity's token comes from, by the server's environment. */
typedef enum AzbMiSource
{
	AZB_MI_IMDS,				/* a VM: the Instance Metadata Service */
	AZB_MI_APP_SERVICE,			/* App Service, Functions: IDENTITY_ENDPOINT + IDENTITY_HEADER */
	AZB_MI_ARC					/* Azure Arc: IDENTITY_ENDPOINT + IMDS_ENDPOINT */
} AzbMiSource;

static const char *
env_value(const char *name)
{
	const char *v = getenv(name);

	return (v && v[0]) ? v : NULL;
}

/* The order of Microsoft's SDKs: App Service, then Arc, then IMDS. */
static AzbMiSource
mi_source(void)
{
	if (env_value("IDENTITY_ENDPOINT") && env_value("IDENTITY_HEADER"))
		return AZB_MI_APP_SERVICE;
	if (env_value("IDENTITY_ENDPOINT") && env_value("IMDS_ENDPOINT"))
		return AZB_MI_ARC;
	return AZB_MI_IMDS;
}

static const char *
source_name(const AzbOptions *opts, AzbMiSource mi)
{
	if (!opts->managed_identity)
		return "Microsoft Entra ID";
	switch (mi)
	{
		case AZB_MI_APP_SERVICE:
			return "the App Service managed identity endpoint";
		case AZB_MI_ARC:
			return "the Azure Arc identity endpoint";
		default:
			return "the managed identity endpoint";
	}
}

/*
 * A failed token request, of any credential kind.  The detail is Entra's
 * (or the identity endpoint's) error code and description; a body that
 * quoted the secret or assertion sent is not shown.
 */
static void
token_error(AzbHttpResult *res, const AzbOptions *opts, AzbMiSource mi,
			const char *sent_secret, const char *hint)
{
	const char *source = source_name(opts, mi);
	char	   *code = NULL,
			   *message = NULL;
	char	   *detail;

	if (res->failure != AZB_XFER_OK)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("could not reach %s for an access token", source),
				 errdetail("%s", res->errbuf),
				 errhint(opts->managed_identity ?
						 "Check the identity endpoint variables in the database server's environment." :
						 "Check the server's login_endpoint and ca_file options and the network path."),
				 errcontext("token request for tenant %s",
							opts->tenant_id ? opts->tenant_id : "(managed identity)")));
	azb_json_error(res->body, res->body_len, &code, &message);
	detail = psprintf("HTTP %ld, %s%s%s.", res->status, code ? code : "no error code",
					  message ? ": " : "", message ? message : "");
	if (sent_secret && strlen(sent_secret) >= 8 && strstr(detail, sent_secret))
		detail = "HTTP error; the answer quoted the credentials and is not shown.";
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			 errmsg("could not obtain an access token from %s", source),
			 errdetail("%s", detail),
			 errhint("%s", hint),
			 errcontext("token request for tenant %s",
						opts->tenant_id ? opts->tenant_id : "(managed identity)")));
}

/*
 * The URL of a managed identity token request: the endpoint, api-version,
 * resource (ARM's, with the trailing slash the SDKs send) and, for a
 * user-assigned identity, client_id.
 */
static char *
mi_url(const AzbOptions *opts, AzbMiSource mi)
{
	StringInfoData url;
	char	   *resource = psprintf("%s/", opts->endpoint);
	const char *base;
	const char *version;

	initStringInfo(&url);
	switch (mi)
	{
		case AZB_MI_APP_SERVICE:
			base = env_value("IDENTITY_ENDPOINT");
			version = "2019-08-01";
			appendStringInfoString(&url, base);
			break;
		case AZB_MI_ARC:
			base = env_value("IDENTITY_ENDPOINT");
			version = "2020-06-01";
			appendStringInfoString(&url, base);
			break;
		default:
			/* as the SDKs do, AZURE_POD_IDENTITY_AUTHORITY_HOST replaces the host */
			base = env_value("AZURE_POD_IDENTITY_AUTHORITY_HOST");
			if (base == NULL)
				base = "http://169.254.169.254";
			version = "2018-02-01";
			appendStringInfoString(&url, base);
			while (url.len > 0 && url.data[url.len - 1] == '/')
				url.data[--url.len] = '\0';
			appendStringInfoString(&url, "/metadata/identity/oauth2/token");
			break;
	}
	appendStringInfo(&url, "%sapi-version=%s&resource=%s",
					 strchr(url.data, '?') ? "&" : "?", version,
					 azb_encoded(resource, true));
	if (opts->client_id)
		appendStringInfo(&url, "&client_id=%s", azb_encoded(opts->client_id, true));
	return url.data;
}

/*
 * Azure Arc's challenge: the first answer is 401 with
 * "WWW-Authenticate: Basic realm=<file>", a file the agent just wrote under
 * /var/opt/azcmagent/tokens.  Its contents, sent as Basic credentials,
 * prove the caller may read that directory.  The path is checked as the
 * SDKs check it before the file is opened, so a rogue endpoint cannot make
 * the server read (and send) another file.
 */
#define AZB_ARC_TOKEN_DIR "/var/opt/azcmagent/tokens"
#define AZB_ARC_KEY_MAX 4096

static char *
arc_key(AzbHttpResult *res)
{
	const char *h = res->www_authenticate;
	const char *path;
	const char *base;
	size_t		dirlen = strlen(AZB_ARC_TOKEN_DIR);

	path = strchr(h, '=');
	if (pg_strncasecmp(h, "Basic", 5) != 0 || path == NULL || path[1] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("the Azure Arc identity endpoint sent no usable challenge"),
				 errdetail("Its 401 answer had %s.",
						   h[0] ? "a WWW-Authenticate header other than Basic realm=<file>" :
						   "no WWW-Authenticate header"),
				 errhint("Check IDENTITY_ENDPOINT and IMDS_ENDPOINT in the database server's environment.")));
	path++;
	base = strrchr(path, '/');
	if (strncmp(path, AZB_ARC_TOKEN_DIR "/", dirlen + 1) != 0 || base != path + dirlen ||
		strlen(base) <= strlen("/.key") || strcmp(path + strlen(path) - 4, ".key") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("the Azure Arc identity endpoint named an unexpected key file"),
				 errdetail("The challenge named \"%s\", which is not a .key file directly under %s.",
						   path, AZB_ARC_TOKEN_DIR),
				 errhint("Only the Azure Connected Machine agent's own key files are read.")));
	return read_secret_file(path, AZB_ARC_KEY_MAX, "Azure Arc key file");
}

/*
 * A token from a managed identity: IMDS, App Service, or Arc's challenge.
 * Returns the answer; the caller checks it.
 */
static AzbHttpResult *
mi_request(const AzbOptions *opts, AzbMiSource mi, AzbHttpSpec *spec)
{
	AzbHttpResult *res;
	const char *headers[2] = {NULL, NULL};
	char	   *line = NULL;

	spec->method = "GET";
	spec->url = mi_url(opts, mi);
	spec->retry = true;
	if (mi == AZB_MI_APP_SERVICE)
	{
		line = psprintf("X-IDENTITY-HEADER: %s", env_value("IDENTITY_HEADER"));
		headers[0] = line;
		spec->headers = headers;
	}
	else
		spec->metadata_header = true;
	if (mi == AZB_MI_ARC && opts->client_id)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("Azure Arc has no user-assigned managed identities"),
				 errdetail("The user mapping sets client_id with managed_identity, and the server's environment names an Azure Arc identity endpoint."),
				 errhint("Drop client_id to use the machine's system-assigned identity.")));

	azb_http_perform(azb_http_set_create(opts, NULL), spec, &res);
	if (mi == AZB_MI_ARC && res->failure == AZB_XFER_OK && res->status == 401)
	{
		char	   *key = arc_key(res);

		line = psprintf("Authorization: Basic %s", key);
		wipe_free(key);
		headers[0] = line;
		spec->headers = headers;
		azb_http_perform(azb_http_set_create(opts, NULL), spec, &res);
	}
	spec->headers = NULL;
	wipe_free(line);
	return res;
}

/* The token's lifetime in seconds: expires_in, else expires_on, else 3599. */
static int
token_lifetime(AzbHttpResult *res)
{
	bool		is_number;
	char	   *v = azb_json_field(res->body, res->body_len, "expires_in", &is_number);
	long		secs = -1;
	char	   *end;

	/* a number, or (v1 endpoint, IMDS) a string holding one */
	if (v)
	{
		long		n = strtol(v, &end, 10);

		if (end != v && n > 0)
			secs = n;
	}
	/* App Service 2019-08-01 answers expires_on: seconds since 1970 */
	if (secs < 0 &&
		(v = azb_json_field(res->body, res->body_len, "expires_on", &is_number)) != NULL)
	{
		long		n = strtol(v, &end, 10);

		if (end != v && *end == '\0' && n > (long) time(NULL))
			secs = n - (long) time(NULL);
	}
	if (secs <= 0)
		return 3599;
	return (int) Min(secs, 86400 * 7);
}

/* Fetch a token; returns it palloc'd with its lifetime in seconds. */
char *
azb_auth_fetch_token(const AzbOptions *opts, int *lifetime)
{
	AzbHttpSpec spec = {0};
	AzbHttpResult *res;
	AzbMiSource mi = AZB_MI_IMDS;
	char	   *token;
	bool		is_number;
	char	   *assertion = NULL;
	StringInfoData body;

	initStringInfo(&body);
	if (opts->managed_identity)
	{
		mi = mi_source();
		res = mi_request(opts, mi, &spec);
	}
	else
	{
		char	   *tenant = azb_encoded(opts->tenant_id, false);
		char	   *scope = psprintf("%s/.default", opts->endpoint);
		char	   *url = psprintf("%s/%s/oauth2/v2.0/token", opts->login_endpoint, tenant);

		append_form(&body, "grant_type", "client_credentials");
		append_form(&body, "client_id", opts->client_id);
		if (opts->client_secret)
			append_form(&body, "client_secret", opts->client_secret);
		else
		{
			/* the assertion's audience is the token URL itself */
			assertion = opts->federated_token_file ? federated_assertion(opts) :
				certificate_assertion(opts, url);
			append_form(&body, "client_assertion_type",
						"urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
			append_form(&body, "client_assertion", assertion);
		}
		append_form(&body, "scope", scope);
		spec.method = "POST";
		spec.url = url;
		spec.body = body.data;
		spec.content_type = "application/x-www-form-urlencoded";
		spec.retry = true;
		/* a set of its own: token requests are not the scan's ARM requests */
		azb_http_perform(azb_http_set_create(opts, NULL), &spec, &res);
		explicit_bzero(body.data, body.len);
	}

	if (res->failure != AZB_XFER_OK || res->status != 200)
	{
		token_error(res, opts, mi, opts->client_secret ? opts->client_secret : assertion,
					opts->client_secret ?
					"Check tenant_id, client_id and client_secret in the user mapping." :
					opts->federated_token_file ?
					"Check tenant_id, client_id, the federated credential of the application in Microsoft Entra ID, and the file federated_token_file names." :
					opts->managed_identity ?
					"Check that the resource has a managed identity, and the identity endpoint variables in the database server's environment." :
					"Check tenant_id, client_id, and that the certificate is registered with the application in Microsoft Entra ID.");
	}
	wipe_free(assertion);

	token = azb_json_field(res->body, res->body_len, "access_token", &is_number);
	*lifetime = token_lifetime(res);
	if (res->body)
		explicit_bzero(res->body, res->body_len);
	if (token == NULL || token[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("the token endpoint answered without an access token"),
				 errdetail("The answer from %s had no \"access_token\" field.",
						   source_name(opts, mi)),
				 errhint("Check login_endpoint on the server.")));
	return token;
}
