/*-------------------------------------------------------------------------
 *
 * json.c
 *	  The cJSON boundary: cJSON on a bump arena in the current memory
 *	  context, list pages parsed into items, item values by dotted path,
 *	  scope values from ARM ids, and the small JSON answers (tokens, error
 *	  bodies, bare strings).
 *
 * cJSON's allocator is pointed at palloc in the current memory context
 * (with a no-op free), so a page parses into the page's own context and
 * goes away with one reset: memory stays bounded by one page.
 *
 *-------------------------------------------------------------------------
 */
#include "json_int.h"

#include "common/shortest_dec.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

struct AzbPage
{
	cJSON	   *root;
	cJSON	   *items;			/* the array of items, or NULL for one object */
	int			nitems;
	cJSON	  **index;			/* items by position */
	const char *next_link;
	bool		has_next_link;
};

/* ---------------------------------------------------------------- */
/* cJSON on palloc													*/
/* ---------------------------------------------------------------- */

/*
 * cJSON allocates one small node per value: a bump arena carved from 64 kB
 * blocks of the current memory context is much cheaper than a palloc each.
 * Nothing is freed one by one; the page's context goes at once.  The arena
 * serves parse_json only, and starts afresh (in the then current context)
 * at every parse: cJSON values built elsewhere (request bodies) come from
 * palloc in the context of the moment, so that no allocation ever lands in
 * a block of a context that has gone since.
 */
#define AZB_ARENA_BLOCK 65536

static char *arena_ptr = NULL;
static size_t arena_left = 0;
static bool arena_on = false;	/* inside parse_json */

static void *
json_alloc(size_t size)
{
	void	   *p;

	if (!arena_on)
		return palloc(size);
	size = MAXALIGN(size);
	if (size > arena_left)
	{
		if (size > AZB_ARENA_BLOCK / 4)
			return palloc(size);	/* a long string: its own chunk */
		arena_ptr = palloc(AZB_ARENA_BLOCK);
		arena_left = AZB_ARENA_BLOCK;
	}
	p = arena_ptr;
	arena_ptr += size;
	arena_left -= size;
	return p;
}

/* cJSON_ParseWithLength with the arena reset, so its blocks come from the current context */
static cJSON *
parse_json(const char *body, size_t len)
{
	cJSON	   *volatile root = NULL;
	const char *volatile end = NULL;

	arena_ptr = NULL;
	arena_left = 0;
	arena_on = true;
	PG_TRY();
	{
		const char *stop = NULL;

		root = cJSON_ParseWithLengthOpts(body, len, &stop, false);
		end = stop;
	}
	PG_FINALLY();
	{
		arena_on = false;
		arena_ptr = NULL;
		arena_left = 0;
	}
	PG_END_TRY();
	/* only blanks may follow the document: "{...} ,{...}" is not JSON */
	if (root && end)
	{
		for (const char *p = end; p < body + len; p++)
			if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '\0')
				return NULL;
	}
	return root;
}

static void
json_free(void *ptr)
{
	/* memory goes with the page's context */
}

void
azb_json_init(void)
{
	cJSON_Hooks hooks = {json_alloc, json_free};

	cJSON_InitHooks(&hooks);
}

/* cJSON's version, for azbilling_version(). */
const char *
azb_json_version(void)
{
	return cJSON_Version();
}

/* ---------------------------------------------------------------- */
/* Pages															*/
/* ---------------------------------------------------------------- */

static bool
is_json_content_type(const char *ct)
{
	if (ct == NULL || ct[0] == '\0')
		return true;			/* absent: judge by the body */
	return pg_strncasecmp(ct, "application/json", 16) == 0 ||
		pg_strncasecmp(ct, "text/json", 9) == 0 ||
		strstr(ct, "+json") != NULL;
}

/*
 * Parse one answer.  A list answer is {"value": [...], "nextLink": ...}
 * (other keys ignored) or a bare array; a single-object route answers one
 * item.  Anything else is an error naming the request.
 */
AzbPage *
azb_page_parse(const char *body, size_t len, const char *content_type,
			   bool single_object, const char *path)
{
	AzbPage    *page = palloc0(sizeof(AzbPage));
	cJSON	   *value;
	cJSON	   *link;
	int			i;

	if (!is_json_content_type(content_type))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("Azure answered with %s instead of JSON", content_type),
				 errdetail("The body begins: %s", azb_error_excerpt(body ? body : "", body ? len : 0, 120)),
				 errhint("A proxy or gateway may be answering in Azure's place; check the endpoint option."),
				 errcontext("request GET %s", path)));
	if (body == NULL || len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("Azure answered with an empty body"),
				 errdetail("A JSON document was expected."),
				 errhint("Retry the query; if it persists, the service may be failing."),
				 errcontext("request GET %s", path)));

	page->root = parse_json(body, len);
	if (page->root == NULL)
	{
		const char *at = cJSON_GetErrorPtr();
		long		offset = (at && at >= body && at <= body + len) ? (long) (at - body) : -1;

		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("Azure answered with malformed JSON"),
				 errdetail("The JSON of %zu bytes is invalid near byte %ld; it begins: %s",
						   len, offset, azb_error_excerpt(body, len, 120)),
				 errhint("The answer may have been truncated; retry the query."),
				 errcontext("request GET %s", path)));
	}

	if (cJSON_IsArray(page->root))
		page->items = page->root;
	else if (cJSON_IsObject(page->root) &&
			 (value = cJSON_GetObjectItemCaseSensitive(page->root, "value")) != NULL &&
			 cJSON_IsArray(value))
	{
		page->items = value;
		link = cJSON_GetObjectItemCaseSensitive(page->root, "nextLink");
		if (link != NULL && !cJSON_IsNull(link))
		{
			if (!cJSON_IsString(link))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
						 errmsg("Azure answered with a nextLink that is not a string"),
						 errdetail("A list page's nextLink must be a URL, null or absent."),
						 errhint("This is a service defect; report it with the request id."),
						 errcontext("request GET %s", path)));
			if (link->valuestring[0] != '\0')
			{
				page->next_link = link->valuestring;
				page->has_next_link = true;
			}
		}
	}
	else if (cJSON_IsObject(page->root) && single_object)
		page->items = NULL;
	else
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("Azure answered with JSON of an unexpected shape"),
				 errdetail("A list of items was expected (an object with a \"value\" array); the body begins: %s",
						   azb_error_excerpt(body, len, 120)),
				 errhint("Check that the table's api_version matches what the endpoint serves."),
				 errcontext("request GET %s", path)));

	if (page->items == NULL)
	{
		page->nitems = 1;
		page->index = palloc(sizeof(cJSON *));
		page->index[0] = page->root;
	}
	else
	{
		cJSON	   *it;

		page->nitems = cJSON_GetArraySize(page->items);
		page->index = palloc(sizeof(cJSON *) * Max(page->nitems, 1));
		i = 0;
		cJSON_ArrayForEach(it, page->items)
		{
			if (!cJSON_IsObject(it))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
						 errmsg("Azure answered with a list item that is not an object"),
						 errdetail("Item %d of the page is a JSON %s.", i + 1,
								   cJSON_IsString(it) ? "string" :
								   cJSON_IsNumber(it) ? "number" :
								   cJSON_IsArray(it) ? "array" :
								   cJSON_IsBool(it) ? "boolean" : "null"),
						 errhint("This is a service defect; report it with the request id."),
						 errcontext("request GET %s", path)));
			page->index[i++] = it;
		}
	}
	return page;
}

int
azb_page_nitems(AzbPage *page)
{
	return page->nitems;
}

AzbItem *
azb_page_item(AzbPage *page, int i)
{
	return (AzbItem *) page->index[i];
}

const char *
azb_page_next_link(AzbPage *page, bool *present)
{
	*present = page->has_next_link;
	return page->next_link;
}

/* ---------------------------------------------------------------- */
/* Item access														*/
/* ---------------------------------------------------------------- */

cJSON *
azb_json_get(cJSON *obj, const char *key)
{
	if (obj == NULL || !cJSON_IsObject(obj))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/*
 * Walk a key path from the item.  A path under "properties" also finds a
 * key at the top level of an item that lacks the properties wrapper.
 */
cJSON *
azb_json_walk(cJSON *item, char **path, int npath)
{
	cJSON	   *node = item;

	if (npath >= 2 && strcmp(path[0], "properties") == 0)
	{
		cJSON	   *props = azb_json_get(item, "properties");

		if (props == NULL)
			node = item;		/* untidy item: no wrapper */
		else
			node = props;
		path++;
		npath--;
	}
	for (int i = 0; i < npath && node; i++)
		node = azb_json_get(node, path[i]);
	return node;
}

char **
azb_json_split_path(const char *path, int *n)
{
	char	   *copy = pstrdup(path);
	char	  **parts = palloc(sizeof(char *) * (strlen(path) + 1));
	char	   *tok;
	char	   *save;

	*n = 0;
	for (tok = strtok_r(copy, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
		parts[(*n)++] = tok;
	return parts;
}

/* A top-level or dotted string field of an item, or NULL. */
const char *
azb_item_text(AzbItem *item, const char *path)
{
	int			n;
	char	  **parts = azb_json_split_path(path, &n);
	cJSON	   *node = azb_json_walk((cJSON *) item, parts, n);

	return (node && cJSON_IsString(node)) ? node->valuestring : NULL;
}

/*
 * The value of a scope column parsed from the item's ARM id: the segment
 * after the collection that carries the column (billingProfiles/{x} for
 * billing_profile_name).  Ids are walked pairwise, case-insensitively, and
 * a query string in an id is ignored.
 */
/* The value of a scope column in an ARM id, palloc'd, or NULL. */
static char *
scope_from_arm_id(const char *id, const char *column)
{
	size_t		len;
	const char *value = azb_request_scope_in_id(id, column, &len);

	return value ? pnstrdup(value, len) : NULL;
}

char *
azb_json_scope_from_id(cJSON *item, const char *column)
{
	cJSON	   *id = azb_json_get(item, "id");

	if (id == NULL || !cJSON_IsString(id))
		return NULL;
	return scope_from_arm_id(id->valuestring, column);
}

/*
 * The property through which an item names its parent scope by ARM id:
 * billing_profile_name is in "billingProfileId", invoice_name in "invoiceId".
 * Where the property holds a bare name instead of an id, that is the value.
 */
char *
azb_json_scope_id_property(const char *column)
{
	StringInfoData buf;
	size_t		n = strlen(column);
	bool		upper = false;

	if (n > 5 && strcmp(column + n - 5, "_name") == 0)
		n -= 5;
	else
		return NULL;
	initStringInfo(&buf);
	for (size_t i = 0; i < n; i++)
	{
		if (column[i] == '_')
		{
			upper = true;
			continue;
		}
		appendStringInfoChar(&buf, upper ? toupper((unsigned char) column[i]) : column[i]);
		upper = false;
	}
	appendStringInfoString(&buf, "Id");
	return buf.data;
}

/* The scope named by the item's "<scope>Id" property, if it has one. */
char *
azb_json_scope_from_id_property(cJSON *item, const char *id_property, const char *column)
{
	cJSON	   *props;

	if (id_property == NULL)
		return NULL;
	props = azb_json_get(item, "properties");
	return azb_json_scope_from_node(azb_json_get(props ? props : item, id_property), column);
}

/* The scope value in a "<scope>Id" property's node (NULL for none). */
char *
azb_json_scope_from_node(cJSON *node, const char *column)
{
	if (node == NULL || !cJSON_IsString(node) || node->valuestring[0] == '\0')
		return NULL;
	/* a bare value is the name itself (EA's departmentId is "123456") */
	if (strchr(node->valuestring, '/') == NULL)
		return pstrdup(node->valuestring);
	return scope_from_arm_id(node->valuestring, column);
}

/* The next scope column reads from this item's id (split when first asked). */
void
azb_item_id_reset(AzbItemId *id, cJSON *item)
{
	id->item = item;
	id->npairs = -1;
}

/* A scope column's reader: the id collections that carry it, from the catalogue. */
void
azb_scope_reader_init(AzbScopeReader *r, const char *column)
{
	memset(r, 0, sizeof(*r));
	r->column = column;
	r->cxt = CurrentMemoryContext;
	r->segments = palloc(sizeof(char *) * Max(azb_nscope_segments, 1));
	r->seglens = palloc(sizeof(size_t) * Max(azb_nscope_segments, 1));
	for (int i = 0; i < azb_nscope_segments; i++)
		if (strcmp(azb_scope_segments[i].column, column) == 0)
		{
			r->segments[r->nsegments] = azb_scope_segments[i].segment;
			r->seglens[r->nsegments++] = strlen(azb_scope_segments[i].segment);
		}
}

/*
 * The column's value in the item's id, as azb_json_scope_from_id finds it,
 * from the id's pairs split once per item.
 */
char *
azb_scope_reader_from_id(AzbScopeReader *r, AzbItemId *id)
{
	if (id->npairs < 0)
	{
		cJSON	   *node = azb_json_get(id->item, "id");

		id->npairs = (node && cJSON_IsString(node)) ?
			azb_request_id_pairs(node->valuestring, id->pairs, lengthof(id->pairs)) : 0;
	}
	if (id->npairs > (int) lengthof(id->pairs))
		return azb_json_scope_from_id(id->item, r->column);
	for (int p = 0; p < id->npairs; p++)
	{
		const AzbIdPair *pair = &id->pairs[p];

		if (pair->vlen == 0)
			continue;
		for (int k = 0; k < r->nsegments; k++)
			if (r->seglens[k] == pair->nlen &&
				pg_strncasecmp(r->segments[k], pair->name, pair->nlen) == 0)
				return pnstrdup(pair->value, pair->vlen);
	}
	return NULL;
}

/*
 * The column's value in its "<scope>Id" property's node: the items of a
 * page mostly share it, so the last one read is remembered.
 */
const char *
azb_scope_reader_from_property(AzbScopeReader *r, cJSON *node)
{
	MemoryContext old;

	if (node == NULL || !cJSON_IsString(node))
		return azb_json_scope_from_node(node, r->column);
	if (r->memo_valid && strcmp(r->memo_id, node->valuestring) == 0)
		return r->memo_value;
	old = MemoryContextSwitchTo(r->cxt);
	if (r->memo_id)
		pfree(r->memo_id);
	if (r->memo_value)
		pfree(r->memo_value);
	r->memo_id = pstrdup(node->valuestring);
	r->memo_value = azb_json_scope_from_node(node, r->column);
	r->memo_valid = true;
	MemoryContextSwitchTo(old);
	return r->memo_value;
}

/*
 * The text value of a scope column for an item that was not requested with
 * it bound: the property of the same name, else the id.
 */
char *
azb_item_scope(AzbItem *item, const AzbVersionDef *v, const char *column)
{
	int			ci = v ? azb_catalog_column_index(v, column) : -1;

	if (ci >= 0 && v->columns[ci].key)
	{
		const char *text = azb_item_text(item, v->columns[ci].key);

		if (text)
			return pstrdup(text);
	}
	if (ci < 0 || v->columns[ci].kind == AZB_COL_SCOPE)
	{
		char	   *value = azb_json_scope_from_id((cJSON *) item, column);

		if (value == NULL)
			value = azb_json_scope_from_id_property((cJSON *) item, azb_json_scope_id_property(column), column);
		return value;
	}
	return NULL;
}

/* ---------------------------------------------------------------- */
/* Small JSON helpers for token answers and error bodies			*/
/* ---------------------------------------------------------------- */

static char *
node_text(cJSON *node, bool *is_number)
{
	char		buf[64];

	*is_number = false;
	if (node == NULL)
		return NULL;
	if (cJSON_IsString(node))
		return pstrdup(node->valuestring);
	if (cJSON_IsNumber(node))
	{
		*is_number = true;
		double_to_shortest_decimal_buf(node->valuedouble, buf);
		return pstrdup(buf);
	}
	return NULL;
}

/* A top-level string or number field of a JSON object body, or NULL. */
char *
azb_json_field(const char *body, size_t len, const char *key, bool *is_number)
{
	cJSON	   *root;
	char	   *result;

	*is_number = false;
	if (body == NULL || len == 0)
		return NULL;
	root = parse_json(body, len);
	result = node_text(azb_json_get(root, key), is_number);
	return result;
}

/*
 * The code and message of an error body, in any of the shapes Azure and
 * Entra ID use: {"error": {"code", "message"}}, a bare {"code", "message"},
 * Entra's {"error": "...", "error_description": "..."}, or ASP.NET problem
 * details {"title", "status", "errors"}.  False when the body has none.
 */
bool
azb_json_error(const char *body, size_t len, char **code, char **message)
{
	cJSON	   *root;
	cJSON	   *err;
	bool		num;

	*code = NULL;
	*message = NULL;
	if (body == NULL || len == 0)
		return false;
	root = parse_json(body, len);
	if (root == NULL || !cJSON_IsObject(root))
		return false;
	err = azb_json_get(root, "error");
	if (err && cJSON_IsObject(err))
	{
		*code = node_text(azb_json_get(err, "code"), &num);
		*message = node_text(azb_json_get(err, "message"), &num);
	}
	else if (err && cJSON_IsString(err))
	{
		*code = pstrdup(err->valuestring);
		*message = node_text(azb_json_get(root, "error_description"), &num);
	}
	else if (azb_json_get(root, "code") || azb_json_get(root, "message"))
	{
		*code = node_text(azb_json_get(root, "code"), &num);
		*message = node_text(azb_json_get(root, "message"), &num);
	}
	else if (azb_json_get(root, "title"))
	{
		*code = node_text(azb_json_get(root, "status"), &num);
		*message = node_text(azb_json_get(root, "title"), &num);
	}
	return *code != NULL || *message != NULL;
}

/* A body that is a bare JSON string (some download answers). */
bool
azb_json_string_body(const char *body, size_t len, char **value)
{
	cJSON	   *root;

	*value = NULL;
	if (body == NULL || len == 0)
		return false;
	root = parse_json(body, len);
	if (root && cJSON_IsString(root))
	{
		*value = pstrdup(root->valuestring);
		return true;
	}
	return false;
}

