/*-------------------------------------------------------------------------
 *
 * cache.c
 *	  The result cache: list pages kept in backend memory for cache_ttl
 *	  seconds, so that a repeated identical scan makes no request.
 *
 * An entry is one page, keyed by the user mapping and the page's full URL
 * (endpoint, path, api-version, every query parameter; a nextLink's page
 * under the nextLink itself).  The body is kept as Azure sent it, nextLink
 * included, so a chain is served from the cache page by page, each page
 * leading to the next entry.  Only a page that arrived whole, with status
 * 200, and that parsed is stored; a scan serves a cached page as if it
 * had just arrived, through the same checks.
 *
 * Keying by user mapping means a page is only ever served to a scan that
 * would have sent the same request with the same credentials: the
 * executor has checked the table's privileges before the scan begins,
 * and another role's mapping never sees it.
 *
 * Each server's entries are bounded by its cache_max_bytes; the least
 * recently used go first, and a page larger than the bound is not kept.
 * ALTER SERVER and ALTER USER MAPPING drop the entries of that server or
 * mapping, and any change to a foreign table's options drops everything
 * (syscache callbacks, as postgres_fdw's connection cache does); writes
 * through the FDW drop their server's entries (azb_cache_clear_server),
 * and azbilling_cache_clear() drops all of the backend's.  Age is checked
 * against the scan's current cache_ttl, so lowering it takes effect at
 * once.
 *
 *-------------------------------------------------------------------------
 */
#include "cache.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "lib/ilist.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

typedef struct AzbCacheKey
{
	Oid			umid;
	uint32		pad;			/* zeroed: the key is hashed as bytes */
	uint64		url_hash;
} AzbCacheKey;

typedef struct AzbCacheEntry
{
	AzbCacheKey key;
	dlist_node	lru;			/* most recently used at the head */
	Oid			serverid;
	uint32		server_hash;	/* syscache hash values, for invalidation */
	uint32		um_hash;
	char	   *url;			/* one allocation: url, content type, body */
	char	   *content_type;
	char	   *body;
	size_t		body_len;
	Size		bytes;			/* what the entry counts against the bound */
	TimestampTz stored_at;
} AzbCacheEntry;

typedef struct AzbCacheServer
{
	Oid			serverid;		/* hash key */
	Size		bytes;
} AzbCacheServer;

static HTAB *entries = NULL;
static HTAB *servers = NULL;
static dlist_head lru;
static MemoryContext cache_cxt = NULL;

static void
drop_entry(AzbCacheEntry *e)
{
	AzbCacheServer *srv = hash_search(servers, &e->serverid, HASH_FIND, NULL);

	if (srv)
		srv->bytes -= Min(srv->bytes, e->bytes);
	dlist_delete(&e->lru);
	pfree(e->url);
	hash_search(entries, &e->key, HASH_REMOVE, NULL);
}

/*
 * Drop the entries that match (every entry when all is true), and return
 * how many went.
 */
static int
drop_matching(bool all, int cacheid, uint32 hashvalue, Oid serverid)
{
	HASH_SEQ_STATUS scan;
	AzbCacheEntry *e;
	int			n = 0;

	if (entries == NULL)
		return 0;
	hash_seq_init(&scan, entries);
	while ((e = (AzbCacheEntry *) hash_seq_search(&scan)) != NULL)
	{
		bool		match = all;

		if (!all && OidIsValid(serverid))
			match = e->serverid == serverid;
		else if (!all && cacheid == FOREIGNSERVEROID)
			match = e->server_hash == hashvalue;
		else if (!all && cacheid == USERMAPPINGOID)
			match = e->um_hash == hashvalue;
		if (match)
		{
			drop_entry(e);		/* removing the current entry is allowed */
			n++;
		}
	}
	return n;
}

/*
 * A server, user mapping or foreign table changed (in this backend or
 * another).  A hash value of 0 means "everything of that catalogue".
 */
static void
cache_inval(Datum arg, int cacheid, uint32 hashvalue)
{
	bool		all = hashvalue == 0 || cacheid == FOREIGNTABLEREL;

	(void) drop_matching(all, cacheid, hashvalue, InvalidOid);
}

static void
cache_init(void)
{
	HASHCTL		ctl;

	if (entries != NULL)
		return;
	cache_cxt = AllocSetContextCreate(TopMemoryContext, "azbilling_fdw result cache",
									  ALLOCSET_DEFAULT_SIZES);
	ctl.keysize = sizeof(AzbCacheKey);
	ctl.entrysize = sizeof(AzbCacheEntry);
	ctl.hcxt = cache_cxt;
	entries = hash_create("azbilling_fdw result cache", 64, &ctl,
						  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(AzbCacheServer);
	servers = hash_create("azbilling_fdw result cache servers", 8, &ctl,
						  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	dlist_init(&lru);
	CacheRegisterSyscacheCallback(FOREIGNSERVEROID, cache_inval, (Datum) 0);
	CacheRegisterSyscacheCallback(USERMAPPINGOID, cache_inval, (Datum) 0);
	CacheRegisterSyscacheCallback(FOREIGNTABLEREL, cache_inval, (Datum) 0);
}

static void
make_key(AzbCacheKey *key, const AzbOptions *opts, const char *url)
{
	memset(key, 0, sizeof(*key));
	key->umid = opts->umid;
	/* the entry keeps the URL too, to rule out collisions */
	key->url_hash = hash_bytes_extended((const unsigned char *) url, strlen(url), 0);
}

/*
 * The page cached for this user mapping and URL, if it is younger than the
 * scan's cache_ttl.  The page's memory stays valid until the next call
 * into the cache (or an invalidation): copy it at once.
 */
bool
azb_cache_lookup(const AzbOptions *opts, const char *url, AzbCachedPage *page)
{
	AzbCacheKey key;
	AzbCacheEntry *e;

	if (opts->cache_ttl <= 0 || !OidIsValid(opts->umid))
		return false;
	cache_init();
	make_key(&key, opts, url);
	e = hash_search(entries, &key, HASH_FIND, NULL);
	if (e == NULL || strcmp(e->url, url) != 0)
		return false;
	if (GetCurrentTimestamp() >=
		TimestampTzPlusMilliseconds(e->stored_at, (int64) opts->cache_ttl * 1000))
	{
		drop_entry(e);
		return false;
	}
	dlist_move_head(&lru, &e->lru);
	page->body = e->body;
	page->body_len = e->body_len;
	page->content_type = e->content_type;
	return true;
}

/*
 * Keep a page that arrived whole and parsed.  Nothing happens when the
 * cache is off, or when the page alone is larger than the server's bound;
 * otherwise the server's least recently used entries make room.
 */
void
azb_cache_store(const AzbOptions *opts, const char *url, const char *body,
				size_t body_len, const char *content_type)
{
	AzbCacheKey key;
	AzbCacheEntry *e;
	AzbCacheServer *srv;
	bool		found;
	size_t		url_len = strlen(url);
	size_t		ct_len = content_type ? strlen(content_type) : 0;
	Size		bytes = sizeof(AzbCacheEntry) + url_len + ct_len + body_len + 3;
	char	   *mem;
	dlist_node *cur;

	if (opts->cache_ttl <= 0 || !OidIsValid(opts->umid) || body == NULL ||
		(int64) bytes > opts->cache_max_bytes)
		return;
	cache_init();
	make_key(&key, opts, url);
	e = hash_search(entries, &key, HASH_FIND, NULL);
	if (e)
		drop_entry(e);

	srv = hash_search(servers, &opts->serverid, HASH_ENTER, &found);
	if (!found)
		srv->bytes = 0;
	/* the server's least recently used entries go first */
	cur = dlist_is_empty(&lru) ? NULL : dlist_tail_node(&lru);
	while (cur && (int64) (srv->bytes + bytes) > opts->cache_max_bytes)
	{
		dlist_node *prev = dlist_has_prev(&lru, cur) ? dlist_prev_node(&lru, cur) : NULL;
		AzbCacheEntry *old = dlist_container(AzbCacheEntry, lru, cur);

		if (old->serverid == opts->serverid)
			drop_entry(old);
		cur = prev;
	}
	if ((int64) (srv->bytes + bytes) > opts->cache_max_bytes)
		return;

	mem = MemoryContextAllocExtended(cache_cxt, url_len + ct_len + body_len + 3,
									 MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
	if (mem == NULL)
		return;					/* a cache never makes a scan fail */
	e = hash_search(entries, &key, HASH_ENTER, &found);
	e->url = mem;
	memcpy(e->url, url, url_len + 1);
	e->content_type = e->url + url_len + 1;
	if (ct_len)
		memcpy(e->content_type, content_type, ct_len);
	e->content_type[ct_len] = '\0';
	e->body = e->content_type + ct_len + 1;
	memcpy(e->body, body, body_len);
	e->body[body_len] = '\0';
	e->body_len = body_len;
	e->bytes = bytes;
	e->serverid = opts->serverid;
	e->server_hash = GetSysCacheHashValue1(FOREIGNSERVEROID, ObjectIdGetDatum(opts->serverid));
	e->um_hash = GetSysCacheHashValue1(USERMAPPINGOID, ObjectIdGetDatum(opts->umid));
	e->stored_at = GetCurrentTimestamp();
	dlist_push_head(&lru, &e->lru);
	srv->bytes += bytes;
}

/*
 * A write through the FDW may change what the server's lists say: drop
 * its pages (in this backend; other backends' copies age out by their
 * cache_ttl).  Returns how many went.
 */
int
azb_cache_clear_server(Oid serverid)
{
	return drop_matching(false, -1, 0, serverid);
}

PG_FUNCTION_INFO_V1(azbilling_cache_clear);

/* Drop every cached page of this backend; returns how many there were. */
Datum
azbilling_cache_clear(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(drop_matching(true, -1, 0, InvalidOid));
}
