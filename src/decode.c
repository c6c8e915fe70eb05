/*-------------------------------------------------------------------------
 *
 * decode.c
 *	  Items to tuples, for the retrieved columns only (json.c parses the
 *	  pages).
 *
 * Each retrieved attribute gets a getter once per scan: where its value
 * comes from (envelope, scope, property path, Amount value or currency, the
 * request's type, the whole item) and how to convert it to the declared
 * column type.  Conversions are direct (timestamps and dates by timeparse.c,
 * numbers without text round trips where exact) and strict: a value that
 * does not fit its column is an error naming the table, column and value.
 *
 *-------------------------------------------------------------------------
 */
#include "json_int.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"


typedef enum AzbGetterKind
{
	GET_ID,
	GET_NAME,
	GET_TYPE,
	GET_RAW,
	GET_SCOPE,
	GET_PATH,
	GET_AMOUNT,
	GET_CURRENCY,
	GET_BILLED_STATUS,
	GET_SNAKE					/* a column the catalogue does not know: match by name */
} AzbGetterKind;

typedef enum AzbConv
{
	CONV_TEXT,
	CONV_TIMESTAMPTZ,
	CONV_TIMESTAMP,
	CONV_DATE,
	CONV_BOOL,
	CONV_INT8,
	CONV_INT4,
	CONV_INT2,
	CONV_NUMERIC,
	CONV_FLOAT8,
	CONV_FLOAT4,
	CONV_JSONB,
	CONV_JSON,
	CONV_INPUT					/* the type's input function on the text form */
} AzbConv;

typedef struct AzbGetter
{
	int			attidx;			/* 0-based attribute index */
	const char *column;
	AzbGetterKind kind;
	char	  **path;			/* key path (GET_PATH, GET_AMOUNT, GET_CURRENCY, scope property) */
	int			npath;
	int			slot;			/* GET_SCOPE: slot index, or -1 */
	char	   *id_property;	/* GET_SCOPE: the "<scope>Id" property */
	AzbScopeReader scope;		/* GET_SCOPE: its value in ids */
	AzbConv		conv;
	Oid			typid;
	int32		typmod;
	FmgrInfo	infunc;
	Oid			ioparam;
} AzbGetter;

/* the slot of getter i's id property in found[] and next_same_key[] */
#define ID_PROPERTY(dec, i) ((dec)->ngetters + (i))

/*
 * The getter found for the key at each position of the last item: the items
 * of a list share their key order, so one string compare mostly finds it.
 */
#define AZB_KEY_MEMO 128
typedef struct AzbKeyMemo
{
	char		key[48];		/* "" when none */
	int			getter;
} AzbKeyMemo;

/* an open-addressing table from a JSON key to the first getter reading it */
typedef struct AzbKeySlot
{
	const char *key;			/* NULL when empty */
	uint32		hash;
	int			getter;
} AzbKeySlot;

struct AzbDecoder
{
	const char *table;
	const AzbVersionDef *version;
	int			ngetters;
	AzbGetter  *getters;
	/* one pass over each item dispatches its keys to the getters */
	AzbKeySlot *props;			/* keys under "properties" */
	AzbKeySlot *top;			/* top-level keys */
	AzbKeyMemo *props_memo;		/* per position under "properties" */
	AzbKeyMemo *top_memo;		/* per top-level position */
	int			mask;			/* table size - 1 */
	int		   *next_same_key;	/* per getter: the next getter of its key, or -1 */
	int		   *dispatched;		/* per getter: its key path is one key deep */
	cJSON	  **found;			/* per getter: its node in the current item,
								 * then per getter its id property's node */
	AzbItemId	id;				/* the current item's id, split once for all scope getters */
	/* error context */
	const char *path;
	int			page;
	int			item;
};

/* ---------------------------------------------------------------- */
/* Conversions														*/
/* ---------------------------------------------------------------- */

static JsonbValue *push_json(JsonbParseState **state, cJSON *node, JsonbIteratorToken tok);

/*
 * A JSON number as numeric, with the digits of its shortest decimal form (as
 * double_to_shortest_decimal_buf prints it), made without printing and
 * parsing it where it is a short decimal, as amounts are.
 */
static Numeric
number_to_numeric(double d)
{
	char		buf[40];
	int64		n;
	int			scale;

	if (d == floor(d) && fabs(d) < 9.0e18)
		return int64_to_numeric((int64) d);
	if (azb_short_decimal(d, &n, &scale))
		return int64_div_fast_to_numeric(n, scale);
	double_to_shortest_decimal_buf(d, buf);
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

static void
scalar_value(cJSON *node, JsonbValue *v)
{
	if (cJSON_IsString(node))
	{
		v->type = jbvString;
		v->val.string.val = node->valuestring;
		v->val.string.len = strlen(node->valuestring);
	}
	else if (cJSON_IsNumber(node))
	{
		v->type = jbvNumeric;
		v->val.numeric = number_to_numeric(node->valuedouble);
	}
	else if (cJSON_IsBool(node))
	{
		v->type = jbvBool;
		v->val.boolean = cJSON_IsTrue(node);
	}
	else
		v->type = jbvNull;
}

static JsonbValue *
push_json(JsonbParseState **state, cJSON *node, JsonbIteratorToken tok)
{
	JsonbValue	v;
	cJSON	   *child;

	if (cJSON_IsObject(node))
	{
		JsonbValue *res;

		pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
		cJSON_ArrayForEach(child, node)
		{
			JsonbValue	k;

			k.type = jbvString;
			k.val.string.val = child->string;
			k.val.string.len = strlen(child->string);
			pushJsonbValue(state, WJB_KEY, &k);
			push_json(state, child, WJB_VALUE);
		}
		res = pushJsonbValue(state, WJB_END_OBJECT, NULL);
		return res;
	}
	if (cJSON_IsArray(node))
	{
		pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
		cJSON_ArrayForEach(child, node)
			push_json(state, child, WJB_ELEM);
		return pushJsonbValue(state, WJB_END_ARRAY, NULL);
	}
	scalar_value(node, &v);
	if (tok == WJB_VALUE || tok == WJB_ELEM)
		return pushJsonbValue(state, tok, &v);
	/* a top-level scalar is a one-element raw-scalar array in jsonb */
	{
		JsonbValue	arr;

		arr.type = jbvArray;
		arr.val.array.rawScalar = true;
		arr.val.array.nElems = 1;
		pushJsonbValue(state, WJB_BEGIN_ARRAY, &arr);
		pushJsonbValue(state, WJB_ELEM, &v);
		return pushJsonbValue(state, WJB_END_ARRAY, NULL);
	}
}

static Datum
json_to_jsonb(cJSON *node)
{
	JsonbParseState *state = NULL;
	JsonbValue *res = push_json(&state, node, WJB_DONE);

	return JsonbPGetDatum(JsonbValueToJsonb(res));
}

/* JSON text of a node (for text columns holding objects, and messages) */
static char *
json_text(cJSON *node)
{
	char		buf[40];

	if (cJSON_IsString(node))
		return node->valuestring;
	if (cJSON_IsNumber(node))
	{
		double_to_shortest_decimal_buf(node->valuedouble, buf);
		return pstrdup(buf);
	}
	if (cJSON_IsBool(node))
		return cJSON_IsTrue(node) ? "true" : "false";
	{
		Datum		jb = json_to_jsonb(node);

		return DatumGetCString(DirectFunctionCall1(jsonb_out, jb));
	}
}

static void decode_error_callback(void *arg);
static void misfit(AzbDecoder *dec, AzbGetter *g, cJSON *node, const char *what)
			pg_attribute_noreturn();

static void
misfit(AzbDecoder *dec, AzbGetter *g, cJSON *node, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
			 errmsg("value %s does not fit column \"%s\" of foreign table \"%s\"",
					json_text(node), g->column, dec->table),
			 errdetail("Column \"%s\" is %s; %s", g->column,
					   format_type_with_typemod(g->typid, g->typmod), what),
			 errhint("Declare the column as text or jsonb to keep such values, or drop it from the table.")));
}

static Datum
convert(AzbDecoder *dec, AzbGetter *g, cJSON *node, bool *isnull)
{
	*isnull = false;
	switch (g->conv)
	{
		case CONV_TEXT:
			if (cJSON_IsString(node))
				return PointerGetDatum(cstring_to_text(node->valuestring));
			return PointerGetDatum(cstring_to_text(json_text(node)));

		case CONV_TIMESTAMPTZ:
		case CONV_TIMESTAMP:
			{
				int64_t		us;

				if (!cJSON_IsString(node) || !azb_parse_timestamp(node->valuestring, &us) ||
					!IS_VALID_TIMESTAMP(us))
					misfit(dec, g, node,
						   "Azure's timestamps are ISO 8601 (with up to 7 fractional digits) or MM/DD/YYYY.");
				return TimestampTzGetDatum((TimestampTz) us);
			}

		case CONV_DATE:
			{
				int32_t		days;

				if (!cJSON_IsString(node) || !azb_parse_date(node->valuestring, &days))
					misfit(dec, g, node,
						   "Azure's dates are ISO 8601 or MM/DD/YYYY.");
				return DateADTGetDatum((DateADT) days);
			}

		case CONV_BOOL:
			if (cJSON_IsBool(node))
				return BoolGetDatum(cJSON_IsTrue(node));
			if (cJSON_IsString(node))
			{
				if (pg_strcasecmp(node->valuestring, "true") == 0)
					return BoolGetDatum(true);
				if (pg_strcasecmp(node->valuestring, "false") == 0)
					return BoolGetDatum(false);
			}
			misfit(dec, g, node, "the value is not a JSON boolean.");
			break;

		case CONV_INT8:
		case CONV_INT4:
		case CONV_INT2:
			{
				double		d;
				double		lo = g->conv == CONV_INT8 ? -9.2233720368547758e18 :
					g->conv == CONV_INT4 ? (double) PG_INT32_MIN : (double) PG_INT16_MIN;
				double		hi = g->conv == CONV_INT8 ? 9.2233720368547758e18 :
					g->conv == CONV_INT4 ? (double) PG_INT32_MAX : (double) PG_INT16_MAX;

				if (!cJSON_IsNumber(node))
					misfit(dec, g, node, "the value is not a JSON number.");
				d = node->valuedouble;
				if (d != floor(d) || d < lo || d >= hi)
					misfit(dec, g, node, "the value is not an integer in the column's range.");
				if (g->conv == CONV_INT8)
					return Int64GetDatum((int64) d);
				if (g->conv == CONV_INT4)
					return Int32GetDatum((int32) d);
				return Int16GetDatum((int16) d);
			}

		case CONV_NUMERIC:
			if (!cJSON_IsNumber(node))
				misfit(dec, g, node, "the value is not a JSON number.");
			if (g->typmod >= 0)
			{
				char		buf[40];

				double_to_shortest_decimal_buf(node->valuedouble, buf);
				return InputFunctionCall(&g->infunc, buf, g->ioparam, g->typmod);
			}
			return NumericGetDatum(number_to_numeric(node->valuedouble));

		case CONV_FLOAT8:
			if (!cJSON_IsNumber(node))
				misfit(dec, g, node, "the value is not a JSON number.");
			return Float8GetDatum(node->valuedouble);

		case CONV_FLOAT4:
			if (!cJSON_IsNumber(node))
				misfit(dec, g, node, "the value is not a JSON number.");
			return Float4GetDatum((float4) node->valuedouble);

		case CONV_JSONB:
			return json_to_jsonb(node);

		case CONV_JSON:
			return PointerGetDatum(cstring_to_text(
												   DatumGetCString(DirectFunctionCall1(jsonb_out, json_to_jsonb(node)))));

		case CONV_INPUT:
			return InputFunctionCall(&g->infunc, json_text(node), g->ioparam, g->typmod);
	}
	*isnull = true;
	return (Datum) 0;
}

/* Convert a text value (a scope, the request's type) to the column type. */
static Datum
convert_text(AzbDecoder *dec, AzbGetter *g, const char *text, bool *isnull)
{
	cJSON		node;

	memset(&node, 0, sizeof(node));
	node.type = cJSON_String;
	node.valuestring = (char *) text;
	return convert(dec, g, &node, isnull);
}

/* ---------------------------------------------------------------- */
/* The decoder														*/
/* ---------------------------------------------------------------- */

static AzbConv
conv_for(Oid typid)
{
	switch (typid)
	{
		case TEXTOID:
			return CONV_TEXT;
		case TIMESTAMPTZOID:
			return CONV_TIMESTAMPTZ;
		case TIMESTAMPOID:
			return CONV_TIMESTAMP;
		case DATEOID:
			return CONV_DATE;
		case BOOLOID:
			return CONV_BOOL;
		case INT8OID:
			return CONV_INT8;
		case INT4OID:
			return CONV_INT4;
		case INT2OID:
			return CONV_INT2;
		case NUMERICOID:
			return CONV_NUMERIC;
		case FLOAT8OID:
			return CONV_FLOAT8;
		case FLOAT4OID:
			return CONV_FLOAT4;
		case JSONBOID:
			return CONV_JSONB;
		case JSONOID:
			return CONV_JSON;
		default:
			return CONV_INPUT;
	}
}

/* snake_case of a JSON key, by DESIGN's rules */
static char *
snake_case(const char *key)
{
	StringInfoData buf;
	size_t		n = strlen(key);

	initStringInfo(&buf);
	for (size_t i = 0; i < n; i++)
	{
		char		c = key[i];

		if (isupper((unsigned char) c) && i > 0)
		{
			char		prev = key[i - 1];
			char		next = i + 1 < n ? key[i + 1] : '\0';

			if (islower((unsigned char) prev) || isdigit((unsigned char) prev) ||
				(isupper((unsigned char) prev) && islower((unsigned char) next)))
				appendStringInfoChar(&buf, '_');
		}
		appendStringInfoChar(&buf, tolower((unsigned char) c));
	}
	return buf.data;
}

/* snake_case for other files (DML maps path parameters to scope columns) */
char *
azb_decoder_snake_case(const char *key)
{
	return snake_case(key);
}

static uint32
key_hash(const char *key)
{
	uint32		h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *) key; *p; p++)
	{
		h ^= *p;
		h *= 16777619u;
	}
	return h;
}

static void
table_add(AzbDecoder *dec, AzbKeySlot *table, const char *key, int getter)
{
	uint32		h = key_hash(key);
	int			i = h & dec->mask;

	for (;; i = (i + 1) & dec->mask)
	{
		if (table[i].key == NULL)
		{
			table[i].key = key;
			table[i].hash = h;
			table[i].getter = getter;
			return;
		}
		if (table[i].hash == h && strcmp(table[i].key, key) == 0)
		{
			/* several getters read one key (an Amount's value and currency) */
			int			g = table[i].getter;

			while (dec->next_same_key[g] >= 0)
				g = dec->next_same_key[g];
			dec->next_same_key[g] = getter;
			return;
		}
	}
}

static int
table_find(AzbDecoder *dec, AzbKeySlot *table, const char *key)
{
	uint32		h = key_hash(key);

	for (int i = h & dec->mask;; i = (i + 1) & dec->mask)
	{
		if (table[i].key == NULL)
			return -1;
		if (table[i].hash == h && strcmp(table[i].key, key) == 0)
			return table[i].getter;
	}
}

/*
 * Getters whose key path is "properties.<key>" or "<key>" are served by one
 * pass over the item's keys instead of a search per column.
 */
static void
build_dispatch(AzbDecoder *dec)
{
	int			size = 16;
	int			n = Max(dec->ngetters, 1) * 2;

	while (size < dec->ngetters * 4)
		size <<= 1;
	dec->mask = size - 1;
	dec->props = palloc0(sizeof(AzbKeySlot) * size);
	dec->top = palloc0(sizeof(AzbKeySlot) * size);
	dec->props_memo = palloc0(sizeof(AzbKeyMemo) * AZB_KEY_MEMO);
	dec->top_memo = palloc0(sizeof(AzbKeyMemo) * AZB_KEY_MEMO);
	dec->next_same_key = palloc(sizeof(int) * n);
	dec->dispatched = palloc0(sizeof(int) * n);
	dec->found = palloc0(sizeof(cJSON *) * n);
	for (int i = 0; i < n; i++)
		dec->next_same_key[i] = -1;
	for (int i = 0; i < dec->ngetters; i++)
	{
		AzbGetter  *g = &dec->getters[i];

		if (g->kind != GET_PATH && g->kind != GET_AMOUNT && g->kind != GET_CURRENCY &&
			g->kind != GET_SCOPE)
			continue;
		if (g->npath == 2 && strcmp(g->path[0], "properties") == 0)
		{
			table_add(dec, dec->props, g->path[1], i);
			dec->dispatched[i] = 1;
		}
		else if (g->npath == 1 && g->kind != GET_SCOPE)
		{
			table_add(dec, dec->top, g->path[0], i);
			dec->dispatched[i] = 1;
		}
		/* a scope's "<scope>Id" property is found in the same pass */
		if (g->kind == GET_SCOPE && g->id_property)
			table_add(dec, dec->props, g->id_property, ID_PROPERTY(dec, i));
	}
}

/* The first getter of the key at position pos, through the position memo. */
static int
key_getter(AzbDecoder *dec, AzbKeySlot *table, AzbKeyMemo *memo, int pos, const char *key)
{
	int			g;
	size_t		len;

	if (pos < AZB_KEY_MEMO && memo[pos].key[0] != '\0' && strcmp(memo[pos].key, key) == 0)
		return memo[pos].getter;
	g = table_find(dec, table, key);
	len = strlen(key);
	if (pos < AZB_KEY_MEMO && len < sizeof(memo[pos].key))
	{
		memcpy(memo[pos].key, key, len + 1);
		memo[pos].getter = g;
	}
	return g;
}

/* Walk the item's keys once, recording each dispatched getter's node. */
static void
dispatch_item(AzbDecoder *dec, cJSON *item)
{
	cJSON	   *child;
	cJSON	   *props = NULL;
	int			pos = 0;

	for (int i = 0; i < dec->ngetters * 2; i++)
		dec->found[i] = NULL;
	cJSON_ArrayForEach(child, item)
	{
		if (child->string == NULL)
			continue;
		if (strcmp(child->string, "properties") == 0 && cJSON_IsObject(child))
			props = child;
		for (int g = key_getter(dec, dec->top, dec->top_memo, pos++, child->string); g >= 0;
			 g = dec->next_same_key[g])
			dec->found[g] = child;
	}
	/* an item without the properties wrapper keeps its properties on top */
	if (props == NULL)
		props = item;
	pos = 0;
	cJSON_ArrayForEach(child, props)
	{
		if (child->string == NULL)
			continue;
		for (int g = key_getter(dec, dec->props, dec->props_memo, pos++, child->string); g >= 0;
			 g = dec->next_same_key[g])
			dec->found[g] = child;
	}
}

AzbDecoder *
azb_decoder_create(Relation rel, const AzbVersionDef *v,
				   List *retrieved_attrs, int nslots, const char *const *slot_names)
{
	AzbDecoder *dec = palloc0(sizeof(AzbDecoder));
	TupleDesc	tupdesc = RelationGetDescr(rel);
	ListCell   *lc;
	int			n = 0;

	dec->table = pstrdup(RelationGetRelationName(rel));
	dec->version = v;
	dec->getters = palloc0(sizeof(AzbGetter) * Max(list_length(retrieved_attrs), 1));

	foreach(lc, retrieved_attrs)
	{
		int			attnum = lfirst_int(lc);
		Form_pg_attribute att = TupleDescAttr(tupdesc, attnum - 1);
		AzbGetter  *g = &dec->getters[n++];
		const char *colname = NameStr(att->attname);
		const char *json_path = azb_options_column_json_path(RelationGetRelid(rel), attnum);
		int			ci = azb_catalog_column_index(v, colname);

		g->attidx = attnum - 1;
		g->column = pstrdup(colname);
		g->typid = att->atttypid;
		g->typmod = att->atttypmod;
		g->conv = conv_for(att->atttypid);
		g->slot = -1;
		if (g->conv == CONV_INPUT || g->conv == CONV_NUMERIC)
		{
			Oid			infunc;

			getTypeInputInfo(att->atttypid, &infunc, &g->ioparam);
			fmgr_info(infunc, &g->infunc);
		}

		if (json_path)
		{
			g->kind = GET_PATH;
			g->path = azb_json_split_path(json_path, &g->npath);
			continue;
		}
		if (ci < 0)
		{
			g->kind = GET_SNAKE;
			continue;
		}
		switch (v->columns[ci].kind)
		{
			case AZB_COL_ID:
				g->kind = GET_ID;
				break;
			case AZB_COL_NAME:
				g->kind = GET_NAME;
				/* a point lookup's bound name stands in for an item without one */
				for (int s = 0; s < nslots; s++)
					if (strcmp(slot_names[s], "name") == 0)
						g->slot = s;
				break;
			case AZB_COL_TYPE:
				g->kind = GET_TYPE;
				break;
			case AZB_COL_RAW:
				g->kind = GET_RAW;
				break;
			case AZB_COL_SCOPE:
				g->kind = GET_SCOPE;
				g->id_property = azb_json_scope_id_property(colname);
				azb_scope_reader_init(&g->scope, colname);
				for (int s = 0; s < nslots; s++)
					if (strcmp(slot_names[s], colname) == 0)
						g->slot = s;
				if (v->columns[ci].key)
					g->path = azb_json_split_path(v->columns[ci].key, &g->npath);
				break;
			case AZB_COL_PROPERTY:
			case AZB_COL_AMOUNT:
			case AZB_COL_CURRENCY:
				/* a value at a property path: as it is, or an amount's parts */
				g->kind = v->columns[ci].kind == AZB_COL_PROPERTY ? GET_PATH :
					v->columns[ci].kind == AZB_COL_AMOUNT ? GET_AMOUNT : GET_CURRENCY;
				g->path = azb_json_split_path(v->columns[ci].key, &g->npath);
				break;
			case AZB_COL_REQUEST:
				g->kind = GET_BILLED_STATUS;
				break;
		}
	}
	dec->ngetters = n;
	build_dispatch(dec);
	return dec;
}

void
azb_decoder_set_context(AzbDecoder *dec, const char *path, int page, int item)
{
	dec->path = path;
	dec->page = page;
	dec->item = item;
}

static void
decode_error_callback(void *arg)
{
	AzbDecoder *dec = (AzbDecoder *) arg;

	if (dec->path)
		errcontext("item %d of page %d of GET %s", dec->item, dec->page, dec->path);
}

/* The property whose snake_case name is the column's name. */
static cJSON *
find_by_snake(cJSON *item, const char *column)
{
	cJSON	   *props = azb_json_get(item, "properties");
	cJSON	   *child;

	if (props == NULL)
		props = item;
	cJSON_ArrayForEach(child, props)
	{
		char	   *s = snake_case(child->string);
		bool		match = strcmp(s, column) == 0 ||
			(strncmp(column, "property_", 9) == 0 && strcmp(s, column + 9) == 0);

		pfree(s);
		if (match)
			return child;
	}
	return NULL;
}

/*
 * Fill values/nulls (indexed by attribute) for the retrieved attributes of
 * one item.  slot_values are the scope values the request bound.
 */
void
azb_decoder_row(AzbDecoder *dec, AzbItem *aitem, const char *const *slot_values,
				const char *request_value, Datum *values, bool *nulls)
{
	cJSON	   *item = (cJSON *) aitem;
	ErrorContextCallback errcb;

	errcb.callback = decode_error_callback;
	errcb.arg = dec;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	dispatch_item(dec, item);
	azb_item_id_reset(&dec->id, item);
	for (int i = 0; i < dec->ngetters; i++)
	{
		AzbGetter  *g = &dec->getters[i];
		cJSON	   *node = NULL;
		int			a = g->attidx;

		nulls[a] = true;
		values[a] = (Datum) 0;
		switch (g->kind)
		{
			case GET_ID:
				node = azb_json_get(item, "id");
				break;
			case GET_NAME:
				node = azb_json_get(item, "name");
				if ((node == NULL || cJSON_IsNull(node)) && g->slot >= 0 && slot_values &&
					slot_values[g->slot])
				{
					values[a] = convert_text(dec, g, slot_values[g->slot], &nulls[a]);
					continue;
				}
				break;
			case GET_TYPE:
				node = azb_json_get(item, "type");
				break;
			case GET_RAW:
				values[a] = json_to_jsonb(item);
				nulls[a] = false;
				continue;
			case GET_SCOPE:
				{
					const char *text = NULL;

					if (g->slot >= 0 && slot_values && slot_values[g->slot])
						text = slot_values[g->slot];
					else
					{
						if (g->path)
							node = dec->dispatched[i] ? dec->found[i] :
								azb_json_walk(item, g->path, g->npath);
						if (node == NULL || cJSON_IsNull(node))
						{
							node = NULL;
							text = azb_scope_reader_from_id(&g->scope, &dec->id);
							if (text == NULL)
								text = azb_scope_reader_from_property(&g->scope,
																	  dec->found[ID_PROPERTY(dec, i)]);
						}
					}
					if (text)
					{
						values[a] = convert_text(dec, g, text, &nulls[a]);
						continue;
					}
				}
				break;
			case GET_PATH:
				node = dec->dispatched[i] ? dec->found[i] : azb_json_walk(item, g->path, g->npath);
				break;
			case GET_AMOUNT:
				node = dec->dispatched[i] ? dec->found[i] : azb_json_walk(item, g->path, g->npath);
				if (node && cJSON_IsObject(node))
					node = azb_json_get(node, "value");
				break;
			case GET_CURRENCY:
				node = dec->dispatched[i] ? dec->found[i] : azb_json_walk(item, g->path, g->npath);
				node = (node && cJSON_IsObject(node)) ? azb_json_get(node, "currency") : NULL;
				break;
			case GET_BILLED_STATUS:
				if (request_value)
					values[a] = convert_text(dec, g, request_value, &nulls[a]);
				continue;
			case GET_SNAKE:
				node = find_by_snake(item, g->column);
				break;
		}
		if (node == NULL || cJSON_IsNull(node))
			continue;
		values[a] = convert(dec, g, node, &nulls[a]);
	}

	error_context_stack = errcb.previous;
}
