/*
 * fuzz_page.c
 *	  libFuzzer target: arbitrary bytes parsed as an Azure answer with cJSON
 *	  and walked the way src/json.c and src/scan_tasks.c walk a page, with the
 *	  backend-free functions run on what the page carries.
 *
 * The shapes (as in azb_page_parse): a list page {"value": [objects...],
 * "nextLink": "url" | null | absent | ""} with other keys ignored, a bare
 * array of objects, or for a single-object route one object.
 *
 * For every item (or the single object):
 *	- "id": azb_request_scope_in_id for every scope column of the
 *	  catalogue (fuzz_check_scope: the value is a whole segment of the id's
 *	  path after a collection naming the column); a value found is then
 *	  bound, as scan.c binds it, into every route of the chosen resources
 *	  that takes that column, and the path must keep its segments
 *	  (fuzz_check_route_path);
 *	- "name": bound the same way into every route, as an enumerated scope
 *	  value would be;
 *	- the chosen resources' columns are walked by their dotted keys
 *	  (properties.x, with json.c's fallback to the top level when the
 *	  item has no "properties"); timestamptz and date columns go through the
 *	  time parsers' invariants, scope columns through their "<scope>Id"
 *	  property as an ARM id;
 *	- every string anywhere in the item (bounded) goes through the time
 *	  parsers' invariants, and those starting with '/' through scope_in_id.
 * The page's nextLink is checked against two endpoints (fuzz_check_link:
 * never followed off the endpoint's origin unless trusted, never with
 * userinfo, the resolved URL well-formed).
 *
 * The raw bytes also go to azb_request_tail_next_link (the nextLink read
 * from the page's tail before parsing): for a LINK the snprintf contract
 * and a non-empty link, otherwise length 0; the same answer whatever the
 * buffer; when the whole body is a valid list page with one root "nextLink",
 * a link or "none" read from the tail is what the parse finds.  And pages
 * printed by cJSON (compact and indented) that end with the page's nextLink
 * must give back exactly that link whenever it needs no \u escape.
 *
 * Everything cJSON allocated is freed (LeakSanitizer checks).
 */
#include "common.h"
#include "catalog.h"
#include "request.h"
#include "timeparse.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT		(64 * 1024)
#define MAX_ITEMS		64
#define MAX_STRINGS		256
#define MAX_DEPTH		8

static const char *const endpoints[] = {
	"https://management.azure.com",
	"http://127.0.0.1:8080",
};
static const char *const trusted = "billing-preview.windowsazure.com, 127.0.0.1:9443";

typedef struct PageCtx
{
	const AzbResourceDef *resources[3];
	int			nresources;
	const AzbVersionDef *versions[3 * AZB_NVERSIONS];	/* theirs, every api-version */
	int			nversions;
	size_t		small;
	int			strings;
} PageCtx;

static cJSON *
object_get(cJSON *obj, const char *key)
{
	if (obj == NULL || !cJSON_IsObject(obj))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* json.c's azb_json_walk(): a dotted key, "properties." falling back to the top level */
static cJSON *
walk(cJSON *item, const char *key)
{
	char		copy[256];
	char	   *parts[32];
	int			n = 0;
	char	   *save,
			   *tok;
	cJSON	   *node = item;
	int			first = 0;

	if (strlen(key) >= sizeof(copy))
		return NULL;
	strcpy(copy, key);
	for (tok = strtok_r(copy, ".", &save); tok && n < 32; tok = strtok_r(NULL, ".", &save))
		parts[n++] = tok;
	if (n >= 2 && strcmp(parts[0], "properties") == 0)
	{
		cJSON	   *props = object_get(item, "properties");

		node = props ? props : item;
		first = 1;
	}
	for (int i = first; i < n && node; i++)
		node = object_get(node, parts[i]);
	return node;
}

/* "billing_profile_name" -> "billingProfileId", as json.c names it */
static bool
scope_id_property(const char *column, char *out, size_t outsize)
{
	size_t		n = strlen(column),
				o = 0;
	bool		upper = false;

	if (n <= 5 || strcmp(column + n - 5, "_name") != 0)
		return false;
	n -= 5;
	for (size_t i = 0; i < n && o + 3 < outsize; i++)
	{
		if (column[i] == '_')
		{
			upper = true;
			continue;
		}
		out[o++] = upper ? (char) toupper((unsigned char) column[i]) : column[i];
		upper = false;
	}
	memcpy(out + o, "Id", 3);
	return true;
}

/* Bind value into every route of the chosen resources that takes column. */
static void
bind_value(PageCtx *ctx, const char *column, const char *value)
{
	for (int k = 0; k < ctx->nversions; k++)
	{
		const AzbVersionDef *vd = ctx->versions[k];

		for (int i = 0; i < vd->nroutes; i++)
		{
			const AzbRouteDef *route = &vd->routes[i];
			const char *vals[AZB_MAX_PARAMS];
			bool		takes = false;

			for (int p = 0; p < route->nparams; p++)
			{
				bool		it = column == NULL || strcmp(route->params[p], column) == 0;

				vals[p] = it ? value : "x";
				takes |= it;
			}
			if (takes)
				fuzz_check_route_path(route->path, vals, route->nparams);
		}
	}
}

static void
check_id(PageCtx *ctx, const char *id, bool bind)
{
	const char *const *cols;
	int			ncols = fuzz_scope_columns(&cols);

	for (int c = 0; c < ncols; c++)
	{
		size_t		len;
		const char *v;

		fuzz_check_scope(id, cols[c]);
		v = azb_request_scope_in_id(id, cols[c], &len);
		if (v && bind)
		{
			char	   *value = strndup(v, len);

			bind_value(ctx, cols[c], value);
			free(value);
		}
	}
}

/* every string in the item, depth- and count-bounded */
static void
walk_strings(PageCtx *ctx, cJSON *node, int depth)
{
	cJSON	   *child;

	if (node == NULL || depth > MAX_DEPTH)
		return;
	if (cJSON_IsString(node) && node->valuestring)
	{
		if (ctx->strings++ >= MAX_STRINGS)
			return;
		fuzz_check_time_string(node->valuestring);
		if (node->valuestring[0] == '/')
			check_id(ctx, node->valuestring, false);
		return;
	}
	cJSON_ArrayForEach(child, node)
		walk_strings(ctx, child, depth + 1);
}

static void
walk_item(PageCtx *ctx, cJSON *item)
{
	cJSON	   *id = object_get(item, "id");
	cJSON	   *name = object_get(item, "name");
	cJSON	   *type = object_get(item, "type");

	FUZZ_CHECK(cJSON_IsObject(item), "walking a non-object");
	if (id && cJSON_IsString(id))
		check_id(ctx, id->valuestring, true);
	if (name && cJSON_IsString(name))
		bind_value(ctx, NULL, name->valuestring);
	if (type && cJSON_IsString(type))
		(void) strlen(type->valuestring);

	for (int k = 0; k < ctx->nversions; k++)
	{
		const AzbVersionDef *vd = ctx->versions[k];

		for (int c = 0; c < vd->ncolumns; c++)
		{
			const AzbColumnDef *col = &vd->columns[c];
			cJSON	   *node = col->key ? walk(item, col->key) : NULL;

			switch (col->kind)
			{
				case AZB_COL_PROPERTY:
					if (node && cJSON_IsString(node) &&
						(col->type == AZB_TYPE_TIMESTAMPTZ || col->type == AZB_TYPE_DATE))
						fuzz_check_time_string(node->valuestring);
					break;
				case AZB_COL_AMOUNT:
					node = object_get(node, "value");
					if (node)
						(void) cJSON_IsNumber(node);
					break;
				case AZB_COL_CURRENCY:
					node = object_get(node, "currency");
					if (node && cJSON_IsString(node))
						(void) strlen(node->valuestring);
					break;
				case AZB_COL_SCOPE:
					{
						char		prop[128];

						if (scope_id_property(col->name, prop, sizeof(prop)))
						{
							cJSON	   *pid = object_get(object_get(item, "properties"), prop);

							if (pid && cJSON_IsString(pid))
								fuzz_check_scope(pid->valuestring, col->name);
						}
					}
					break;
				default:
					break;
			}
		}
	}
	walk_strings(ctx, item, 0);
}

/* ---------------------------------------------------------------- */
/* The nextLink read from a page's tail (azb_request_tail_next_link)	*/
/* ---------------------------------------------------------------- */

typedef struct TailArg
{
	const char *body;
	size_t		len;
	AzbTailLink answer;
} TailArg;

static size_t
build_tail(char *out, size_t size, const void *arg)
{
	const TailArg *a = arg;
	size_t		n = 12345;
	AzbTailLink r = azb_request_tail_next_link(a->body, a->len, out, size, &n);

	FUZZ_CHECK(r == a->answer, "tail reader: answer %d with a buffer of %zu, %d without", (int) r,
			   size, (int) a->answer);
	if (r == AZB_TAIL_UNKNOWN)
		FUZZ_CHECK(n == 0, "tail reader: UNKNOWN with length %zu", n);
	return n;
}

/* The root's members named "nextLink": how many, and the last one. */
static int
root_next_links(cJSON *root, cJSON **last)
{
	int			n = 0;
	cJSON	   *m;

	*last = NULL;
	cJSON_ArrayForEach(m, root)
		if (m->string && strcmp(m->string, "nextLink") == 0)
		{
			n++;
			*last = m;
		}
	return n;
}

/*
 * The tail reader on the raw body: the snprintf contract for the link, and
 * agreement with the parse.  When the whole body is one valid JSON list page
 * with a single root "nextLink", a link read from the tail is that nextLink
 * (scan.c requests it before the parse, and errors out if they differ).
 */
static void
check_tail(const uint8_t *data, size_t size)
{
	TailArg		a = {(const char *) data, size, AZB_TAIL_UNKNOWN};
	size_t		n;
	char	   *link;
	const char *end = NULL;
	cJSON	   *root;

	a.answer = azb_request_tail_next_link(a.body, size, NULL, 0, &n);
	FUZZ_CHECK(a.answer == AZB_TAIL_UNKNOWN || a.answer == AZB_TAIL_NONE ||
			   a.answer == AZB_TAIL_LINK, "tail reader answered %d", (int) a.answer);
	if (a.answer == AZB_TAIL_LINK)
	{
		/* out is defined for a LINK only: then snprintf's contract */
		link = fuzz_check_contract("tail_next_link", build_tail, &a);
		FUZZ_CHECK(link[0] != '\0' && strlen(link) == n, "tail reader: LINK %s of length %zu",
				   fuzz_show(0, link), n);
	}
	else
	{
		char		small[4];

		FUZZ_CHECK(n == 0, "tail reader: answer %d with length %zu", (int) a.answer, n);
		FUZZ_CHECK(azb_request_tail_next_link(a.body, size, small, sizeof(small), &n) == a.answer &&
				   n == 0, "tail reader: another answer with a buffer");
		link = strdup("");
	}

	root = cJSON_ParseWithLengthOpts(a.body, size, &end, false);
	if (root)
	{
		bool		whole = true;
		cJSON	   *value = cJSON_GetObjectItemCaseSensitive(root, "value");
		cJSON	   *last;
		int			nlinks = root_next_links(root, &last);

		for (const char *c = end; c && c < a.body + size; c++)
			if (!(*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r'))
				whole = false;
		if (whole && cJSON_IsObject(root) && value && cJSON_IsArray(value) && nlinks == 1 &&
			a.answer != AZB_TAIL_UNKNOWN)
		{
			cJSON	   *nl = cJSON_GetObjectItemCaseSensitive(root, "nextLink");
			bool		parsed_link = nl && cJSON_IsString(nl) && nl->valuestring[0] != '\0';

			if (a.answer == AZB_TAIL_LINK)
				FUZZ_CHECK(parsed_link && strcmp(nl->valuestring, link) == 0,
						   "the tail names nextLink %s, the parsed page %s", fuzz_show(0, link),
						   parsed_link ? fuzz_show(1, nl->valuestring) : "none");
			else
				FUZZ_CHECK(!parsed_link, "the tail says no nextLink, the parsed page has %s",
						   fuzz_show(0, nl->valuestring));
		}
		cJSON_Delete(root);
	}
	free(link);
}

/*
 * A page as cJSON prints it (compact and indented) ending with nextLink L:
 * the tail reader finds exactly L whenever L needs no \u escape.
 */
static void
check_tail_generated(const char *l)
{
	cJSON	   *page = cJSON_CreateObject();
	bool		plain = true;

	for (const unsigned char *c = (const unsigned char *) l; *c; c++)
		if (*c < 0x20)
			plain = false;
	cJSON_AddItemToObject(page, "value", cJSON_CreateArray());
	cJSON_AddItemToObject(page, "nextLink", cJSON_CreateString(l));
	for (int pretty = 0; pretty < 2; pretty++)
	{
		char	   *body = pretty ? cJSON_Print(page) : cJSON_PrintUnformatted(page);
		size_t		n = 0;
		char	   *out;
		AzbTailLink r;

		if (body == NULL)
			continue;
		r = azb_request_tail_next_link(body, strlen(body), NULL, 0, &n);
		out = malloc(n + 1);
		(void) azb_request_tail_next_link(body, strlen(body), out, n + 1, &n);
		if (l[0] == '\0')
			FUZZ_CHECK(r == AZB_TAIL_NONE, "tail of %s: %d, want NONE", fuzz_show(0, body), (int) r);
		else if (plain)
			FUZZ_CHECK(r == AZB_TAIL_LINK && strcmp(out, l) == 0,
					   "tail of %s: %d %s, want the link %s", fuzz_show(0, body), (int) r,
					   fuzz_show(1, out), fuzz_show(2, l));
		else
			FUZZ_CHECK(r == AZB_TAIL_UNKNOWN || (r == AZB_TAIL_LINK && strcmp(out, l) == 0),
					   "tail of %s: %d %s", fuzz_show(0, body), (int) r, fuzz_show(1, out));
		free(out);
		free(body);
	}
	cJSON_Delete(page);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON	   *root;
	cJSON	   *items = NULL;
	const char *next_link = NULL;
	PageCtx		ctx;
	unsigned	h = 2166136261u;

	if (size > MAX_INPUT)
		return 0;
	fuzz_contract_light = true;
	check_tail(data, size);
	root = cJSON_ParseWithLength((const char *) data, size);
	if (root == NULL)
		return 0;

	/* which resources' columns to walk: two date-heavy ones and one by the input */
	for (size_t i = 0; i < size && i < 64; i++)
		h = (h ^ data[i]) * 16777619u;
	memset(&ctx, 0, sizeof(ctx));
	ctx.resources[ctx.nresources++] = azb_catalog_resource("invoices");
	ctx.resources[ctx.nresources++] = azb_catalog_resource("transactions");
	ctx.resources[ctx.nresources++] = &azb_resources[h % (unsigned) azb_nresources];
	ctx.small = size % 23;
	FUZZ_CHECK(ctx.resources[0] && ctx.resources[1], "catalogue lacks invoices or transactions");
	for (int r = 0; r < ctx.nresources; r++)
		for (int v = 0; v < AZB_NVERSIONS; v++)
			if (azb_catalog_version(ctx.resources[r], v))
				ctx.versions[ctx.nversions++] = azb_catalog_version(ctx.resources[r], v);

	/* the page's shape, as azb_page_parse reads it */
	if (cJSON_IsArray(root))
		items = root;
	else if (cJSON_IsObject(root))
	{
		cJSON	   *value = cJSON_GetObjectItemCaseSensitive(root, "value");

		if (value && cJSON_IsArray(value))
		{
			cJSON	   *link = cJSON_GetObjectItemCaseSensitive(root, "nextLink");

			items = value;
			if (link && !cJSON_IsNull(link))
			{
				if (!cJSON_IsString(link))
				{
					/* json.c: "a nextLink that is not a string" */
					cJSON_Delete(root);
					return 0;
				}
				FUZZ_CHECK(link->valuestring != NULL, "a string nextLink without a value");
				if (link->valuestring[0] != '\0')
					next_link = link->valuestring;
				check_tail_generated(link->valuestring);
			}
		}
	}

	if (items)
	{
		cJSON	   *it;
		int			n = cJSON_GetArraySize(items),
					i = 0;

		cJSON_ArrayForEach(it, items)
		{
			if (!cJSON_IsObject(it))
				break;			/* json.c: "a list item that is not an object" */
			if (i < MAX_ITEMS)
				walk_item(&ctx, it);
			i++;
		}
		FUZZ_CHECK(i <= n, "walked %d items of %d", i, n);
	}
	else if (cJSON_IsObject(root))
		walk_item(&ctx, root);	/* a single-object route's answer */

	if (next_link)
		for (size_t e = 0; e < sizeof(endpoints) / sizeof(endpoints[0]); e++)
			fuzz_check_link(endpoints[e], next_link, trusted, ctx.small);

	cJSON_Delete(root);
	return 0;
}
