/*-------------------------------------------------------------------------
 *
 * auth.c
 *	  Token sources and the per-user-mapping token cache.
 *
 * Token sources: client credentials with a secret, with a certificate (a
 * client assertion signed for every request, see jwt.c) or with a
 * federated token file (workload identity: the file's contents are the
 * assertion, read again for every request because Kubernetes rotates it);
 * a static access token; managed identity, from IMDS, the App Service
 * endpoint or Azure Arc's challenge, as the server's environment says.
 * Every request goes through http.c's engine.
 *
 * Tokens are cached per user mapping in backend memory, refreshed five
 * minutes before they expire (or at half their lifetime, when that is
 * shorter), and dropped whenever any server or user mapping changes, as
 * postgres_fdw drops its connections.  Tokens and secrets are wiped from
 * memory when dropped and never appear in a message.
 *
 * With the library in shared_preload_libraries, tokens are also shared
 * between backends: a fixed array of slots in shared memory (requested
 * with shmem_request_hook, as pg_stat_statements does), keyed by
 * database, user mapping and a salted SHA-256 of the credential options
 * and endpoints, so that a changed mapping or server never finds an old
 * token.  Fetches are single-flight: the first backend that needs a key
 * marks its slot as being fetched, and the others wait on a condition
 * variable (bounded, interruptible) and then take the token it stored.  A
 * fetch that fails, or a backend that exits mid-fetch, frees the slot
 * (PG_ENSURE_ERROR_CLEANUP), and a waiter whose bound passes fetches for
 * itself.  Nothing in SQL reads the slots.
 *
 *-------------------------------------------------------------------------
 */
#include "azb.h"
#include "stats.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cryptohash.h"
#include "miscadmin.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/wait_event.h"

typedef struct AzbTokenEntry
{
	Oid			umid;			/* hash key: the user mapping */
	char	   *token;			/* in TopMemoryContext */
	TimestampTz refresh_at;		/* fetch a new one after this */
	TimestampTz expires_at;
} AzbTokenEntry;

static HTAB *token_cache = NULL;

#define REFRESH_MARGIN_SECS 300

/* ---------------------------------------------------------------- */
/* Tokens shared between backends (shared_preload_libraries)		*/
/* ---------------------------------------------------------------- */

#define AZB_SHARED_TOKENS 64
#define AZB_SHARED_TOKEN_LEN 8192	/* a longer token is not shared */
#define AZB_CRED_HASH_LEN 32		/* SHA-256 */

typedef enum AzbSlotState
{
	AZB_SLOT_EMPTY,
	AZB_SLOT_FETCHING,			/* a backend is asking for it now */
	AZB_SLOT_VALID
} AzbSlotState;

typedef struct AzbSharedToken
{
	Oid			dbid;			/* key: database, user mapping, credentials */
	Oid			umid;
	uint8		cred[AZB_CRED_HASH_LEN];
	AzbSlotState state;
	int			fetcher;		/* pid of the fetching backend */
	uint64		generation;		/* changes whenever the slot is claimed */
	TimestampTz refresh_at;
	TimestampTz expires_at;
	TimestampTz last_used;
	char		token[AZB_SHARED_TOKEN_LEN];
} AzbSharedToken;

typedef struct AzbTokenArea
{
	ConditionVariable cv;		/* broadcast when a fetch ends */
	uint8		salt[16];		/* random per cluster start: the hashes are of no use elsewhere */
	uint64		generation;
	AzbSharedToken slots[AZB_SHARED_TOKENS];
} AzbTokenArea;

static AzbTokenArea *token_area = NULL;
static LWLock *token_lock = NULL;
static bool token_hooks = false;
static shmem_request_hook_type prev_token_request_hook = NULL;
static shmem_startup_hook_type prev_token_startup_hook = NULL;

/* the slot this backend is fetching for, freed if the fetch fails */
static int	fetching_slot = -1;
static uint64 fetching_generation = 0;

static void
token_shmem_request(void)
{
	if (prev_token_request_hook)
		prev_token_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(AzbTokenArea)));
	RequestNamedLWLockTranche("azbilling_fdw tokens", 1);
}

static void
token_shmem_startup(void)
{
	bool		found;

	if (prev_token_startup_hook)
		prev_token_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	token_area = ShmemInitStruct("azbilling_fdw tokens", sizeof(AzbTokenArea), &found);
	if (!found)
	{
		memset(token_area, 0, sizeof(AzbTokenArea));
		ConditionVariableInit(&token_area->cv);
		if (!pg_strong_random(token_area->salt, sizeof(token_area->salt)))
			elog(FATAL, "azbilling_fdw: could not generate random bytes for the token cache");
	}
	token_lock = &(GetNamedLWLockTranche("azbilling_fdw tokens"))->lock;
	LWLockRelease(AddinShmemInitLock);
}

/* Length-prefixed, so that no two sets of values hash alike by concatenation. */
static void
hash_field(pg_cryptohash_ctx *ctx, const char *value)
{
	uint32		len = value ? (uint32) strlen(value) + 1 : 0;

	if (pg_cryptohash_update(ctx, (const uint8 *) &len, sizeof(len)) < 0 ||
		(value && pg_cryptohash_update(ctx, (const uint8 *) value, len - 1) < 0))
		elog(ERROR, "azbilling_fdw: could not hash the credentials");
}

/*
 * The salted SHA-256 of everything a token depends on: the endpoints (its
 * audience and authority) and every credential option.
 */
static void
credential_hash(const AzbOptions *opts, uint8 *out)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, token_area->salt, sizeof(token_area->salt)) < 0)
		elog(ERROR, "azbilling_fdw: could not hash the credentials");
	hash_field(ctx, opts->endpoint);
	hash_field(ctx, opts->login_endpoint);
	hash_field(ctx, opts->tenant_id);
	hash_field(ctx, opts->client_id);
	hash_field(ctx, opts->client_secret);
	hash_field(ctx, opts->client_certificate);
	hash_field(ctx, opts->client_certificate_file);
	hash_field(ctx, opts->federated_token_file);
	hash_field(ctx, opts->managed_identity ? "mi" : NULL);
	hash_field(ctx, opts->certificate_rs256 ? "RS256" : "PS256");
	if (pg_cryptohash_final(ctx, out, AZB_CRED_HASH_LEN) < 0)
		elog(ERROR, "azbilling_fdw: could not hash the credentials");
	pg_cryptohash_free(ctx);
}

static void
slot_wipe(AzbSharedToken *slot)
{
	explicit_bzero(slot->token, sizeof(slot->token));
	slot->state = AZB_SLOT_EMPTY;
}

/* The fetch for a slot failed or the backend exits: free the slot, wake the waiters. */
static void
fetch_cleanup(int code, Datum arg)
{
	if (fetching_slot >= 0 && token_area)
	{
		AzbSharedToken *slot = &token_area->slots[fetching_slot];

		LWLockAcquire(token_lock, LW_EXCLUSIVE);
		if (slot->generation == fetching_generation && slot->state == AZB_SLOT_FETCHING)
			slot_wipe(slot);
		LWLockRelease(token_lock);
		ConditionVariableBroadcast(&token_area->cv);
	}
	fetching_slot = -1;
}

/* The slot of a key, or NULL.  Caller holds token_lock. */
static AzbSharedToken *
slot_find(Oid umid, const uint8 *cred)
{
	for (int i = 0; i < AZB_SHARED_TOKENS; i++)
	{
		AzbSharedToken *slot = &token_area->slots[i];

		if (slot->state != AZB_SLOT_EMPTY && slot->dbid == MyDatabaseId &&
			slot->umid == umid && memcmp(slot->cred, cred, AZB_CRED_HASH_LEN) == 0)
			return slot;
	}
	return NULL;
}

/* A slot to reuse: an empty or expired one, else the least recently used; never one being fetched. */
static AzbSharedToken *
slot_victim(TimestampTz now)
{
	AzbSharedToken *best = NULL;

	for (int i = 0; i < AZB_SHARED_TOKENS; i++)
	{
		AzbSharedToken *slot = &token_area->slots[i];

		if (slot->state == AZB_SLOT_EMPTY ||
			(slot->state == AZB_SLOT_VALID && now >= slot->expires_at))
			return slot;
		if (slot->state == AZB_SLOT_VALID && (best == NULL || slot->last_used < best->last_used))
			best = slot;
	}
	return best;
}

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

	/* from _PG_init while shared_preload_libraries load: ask for the shared slots */
	if (process_shared_preload_libraries_in_progress && !token_hooks)
	{
		token_hooks = true;
		prev_token_request_hook = shmem_request_hook;
		shmem_request_hook = token_shmem_request;
		prev_token_startup_hook = shmem_startup_hook;
		shmem_startup_hook = token_shmem_startup;
	}
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
static char *
fetch_token(const AzbOptions *opts, int *lifetime)
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

/* When a token of this lifetime, fetched now, is refreshed and expires. */
static void
token_times(TimestampTz now, int lifetime, TimestampTz *refresh_at, TimestampTz *expires_at)
{
	int			margin = Min(REFRESH_MARGIN_SECS, lifetime / 2);

	*expires_at = TimestampTzPlusMilliseconds(now, (int64) lifetime * 1000);
	*refresh_at = TimestampTzPlusMilliseconds(now, (int64) (lifetime - margin) * 1000);
}

/* Put a token in the backend's cache entry (the old one is wiped first). */
static void
entry_set(AzbTokenEntry *e, const char *token, TimestampTz refresh_at, TimestampTz expires_at)
{
	wipe_entry(e);
	e->token = MemoryContextStrdup(TopMemoryContext, token);
	e->refresh_at = refresh_at;
	e->expires_at = expires_at;
}

/* fetch_token for the slot being fetched: an error or exit on the way frees the slot. */
static char *
fetch_for_slot(const AzbOptions *opts, int *lifetime)
{
	char	   *token;

	PG_ENSURE_ERROR_CLEANUP(fetch_cleanup, (Datum) 0);
	{
		token = fetch_token(opts, lifetime);
	}
	PG_END_ENSURE_ERROR_CLEANUP(fetch_cleanup, (Datum) 0);
	fetching_slot = -1;
	return token;
}

/*
 * The token of the user mapping from shared memory, fetched by this
 * backend if no other has it or is fetching it; after a 401 (refresh),
 * the one that failed (the backend's own, e->token) is not taken again,
 * but a newer one another backend fetched meanwhile is.  The token lands
 * in the backend's entry e too.  NULL when every slot is busy being
 * fetched: the caller fetches for itself.
 */
static const char *
shared_token(const AzbOptions *opts, AzbTokenEntry *e, bool refresh)
{
	uint8		cred[AZB_CRED_HASH_LEN];
	AzbSharedToken *slot;
	TimestampTz now = GetCurrentTimestamp();
	TimestampTz deadline;
	TimestampTz refresh_at;
	TimestampTz expires_at;
	const char *stale = e->token;
	uint64		generation;
	int			lifetime;
	char	   *token;

	/* how long another backend's fetch may take before we fetch ourselves */
	deadline = TimestampTzPlusMilliseconds(now, (int64) (opts->connect_timeout + opts->request_timeout) *
										   1000 * (opts->max_retries + 1));
	credential_hash(opts, cred);
	for (;;)
	{
		LWLockAcquire(token_lock, LW_EXCLUSIVE);
		now = GetCurrentTimestamp();
		slot = slot_find(opts->umid, cred);
		if (slot && slot->state == AZB_SLOT_VALID && now < slot->refresh_at &&
			!(refresh && (stale == NULL || strcmp(slot->token, stale) == 0)))
		{
			slot->last_used = now;
			entry_set(e, slot->token, slot->refresh_at, slot->expires_at);
			LWLockRelease(token_lock);
			ConditionVariableCancelSleep();
			azb_stats_count_token(opts->serverid, false);
			return e->token;
		}
		if (slot && slot->state == AZB_SLOT_FETCHING && slot->fetcher != MyProcPid &&
			now < deadline)
		{
			/* single flight: wait for that backend's answer (a cancel ends the wait) */
			LWLockRelease(token_lock);
			(void) ConditionVariableTimedSleep(&token_area->cv, 100, PG_WAIT_EXTENSION);
			continue;
		}
		break;
	}
	ConditionVariableCancelSleep();
	if (slot == NULL)
		slot = slot_victim(now);
	if (slot == NULL)
	{
		LWLockRelease(token_lock);
		return NULL;
	}
	slot_wipe(slot);
	slot->dbid = MyDatabaseId;
	slot->umid = opts->umid;
	memcpy(slot->cred, cred, AZB_CRED_HASH_LEN);
	slot->state = AZB_SLOT_FETCHING;
	slot->fetcher = MyProcPid;
	slot->generation = generation = ++token_area->generation;
	slot->last_used = now;
	LWLockRelease(token_lock);

	fetching_slot = slot - token_area->slots;
	fetching_generation = generation;
	token = fetch_for_slot(opts, &lifetime);
	azb_stats_count_token(opts->serverid, true);
	token_times(GetCurrentTimestamp(), lifetime, &refresh_at, &expires_at);
	entry_set(e, token, refresh_at, expires_at);
	explicit_bzero(token, strlen(token));

	LWLockAcquire(token_lock, LW_EXCLUSIVE);
	if (slot->generation == generation && slot->state == AZB_SLOT_FETCHING)
	{
		if (strlen(e->token) < AZB_SHARED_TOKEN_LEN)
		{
			strlcpy(slot->token, e->token, AZB_SHARED_TOKEN_LEN);
			slot->refresh_at = refresh_at;
			slot->expires_at = expires_at;
			slot->state = AZB_SLOT_VALID;
		}
		else
			slot_wipe(slot);
	}
	LWLockRelease(token_lock);
	ConditionVariableBroadcast(&token_area->cv);
	return e->token;
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
	TimestampTz refresh_at;
	TimestampTz expires_at;
	int			lifetime;
	char	   *token;
	const char *shared;

	if (opts->access_token)
		return opts->access_token;
	if (!opts->managed_identity &&
		!(opts->tenant_id && opts->client_id &&
		  (opts->client_secret || opts->client_certificate ||
		   opts->client_certificate_file || opts->federated_token_file)))
	{
		ForeignServer *server = GetForeignServer(opts->serverid);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("no Azure credentials in the user mapping for server \"%s\"",
						server->servername),
				 errdetail("A user mapping needs one of: client_secret, client_certificate, client_certificate_file or federated_token_file (each with tenant_id and client_id), access_token, or managed_identity 'true'."),
				 errhint("ALTER USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (ADD tenant_id '...', ADD client_id '...', ADD client_secret '...').",
						 quote_identifier(server->servername))));
	}

	azb_auth_init();
	e = (AzbTokenEntry *) hash_search(token_cache, &opts->umid, HASH_ENTER, &found);
	if (!found)
		e->token = NULL;
	now = GetCurrentTimestamp();
	if (e->token && !refresh && now < e->refresh_at)
	{
		azb_stats_count_token(opts->serverid, false);
		return e->token;
	}
	if (token_area != NULL && (shared = shared_token(opts, e, refresh)) != NULL)
		return shared;

	wipe_entry(e);
	token = fetch_token(opts, &lifetime);
	azb_stats_count_token(opts->serverid, true);
	token_times(now, lifetime, &refresh_at, &expires_at);
	entry_set(e, token, refresh_at, expires_at);
	explicit_bzero(token, strlen(token));
	return e->token;
}
