/*-------------------------------------------------------------------------
 *
 * token_cache.c
 *	  The per-user-mapping token cache, and tokens shared between backends.
 *
 * Tokens are cached per user mapping in backend memory, refreshed five
 * minutes before they expire (or at half their lifetime, when that is
 * shorter), and dropped whenever any server or user mapping changes, as
 * postgres_fdw drops its connections.  Tokens are wiped from memory when
 * dropped and never appear in a message.  auth.c fetches them.
 *
 * With the library in shared_preload_libraries, tokens are also shared
 * between backends: a fixed array of slots in shared memory (requested
 * through shmem.c's shmem_request_hook, as pg_stat_statements does), keyed by
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
#include "shmem.h"
#include "stats.h"


#include "common/cryptohash.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "utils/builtins.h"
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

/* the slot this backend is fetching for, freed if the fetch fails */
static int	fetching_slot = -1;
static uint64 fetching_generation = 0;

/* The shared slots, attached (shmem.c): the first attach sets them up. */
static void
token_attach(void *mem, LWLock *lock, bool first)
{
	token_area = mem;
	token_lock = lock;
	if (first)
	{
		ConditionVariableInit(&token_area->cv);
		if (!pg_strong_random(token_area->salt, sizeof(token_area->salt)))
			elog(FATAL, "azbilling_fdw: could not generate random bytes for the token cache");
	}
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
	azb_shmem_add("azbilling_fdw tokens", sizeof(AzbTokenArea), token_attach);
	if (token_cache != NULL)
		return;
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(AzbTokenEntry);
	token_cache = hash_create("azbilling_fdw tokens", 8, &ctl, HASH_ELEM | HASH_BLOBS);
	CacheRegisterSyscacheCallback(FOREIGNSERVEROID, token_cache_inval, (Datum) 0);
	CacheRegisterSyscacheCallback(USERMAPPINGOID, token_cache_inval, (Datum) 0);
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

/* azb_auth_fetch_token for the slot being fetched: an error or exit on the way frees the slot. */
static char *
fetch_for_slot(const AzbOptions *opts, int *lifetime)
{
	char	   *token;

	PG_ENSURE_ERROR_CLEANUP(fetch_cleanup, (Datum) 0);
	{
		token = azb_auth_fetch_token(opts, lifetime);
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
	token = azb_auth_fetch_token(opts, &lifetime);
	azb_stats_count_token(opts->serverid, true);
	token_times(now, lifetime, &refresh_at, &expires_at);
	entry_set(e, token, refresh_at, expires_at);
	explicit_bzero(token, strlen(token));
	return e->token;
}
