/*-------------------------------------------------------------------------
 *
 * modify_body.c
 *	  Request bodies and paths of DML, built from rows (DESIGN.md section 1,
 *	  "Writes").
 *
 * Which operation is an INSERT and which an UPDATE, how a path parameter
 * maps to a column, how an item's ARM id fills a path template, and how a
 * row becomes a JSON body: property columns under "properties" by their
 * JSON key (or at the top level where the body model is the properties
 * model itself), Amount pairs as {value, currency}, jsonb as JSON, times in
 * UTC, a non-NULL raw as the base with the model's read-only keys dropped.
 * An assigned read-only column is an error, never silently dropped.
 *
 *-------------------------------------------------------------------------
 */
#include "modify.h"

#include "json_int.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

static bool
ends_with(const char *s, const char *suffix)
{
	size_t		n = strlen(s);
	size_t		m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * INSERT creates: a PUT to an item's name, or one of the POSTs through
 * which Azure names the item (createBillingRoleAssignment, 2019's
 * initiateTransfer).
 */
bool
azb_modify_op_is_insert(const AzbOperationDef *op)
{
	if (!op->mutating || op->table == NULL)
		return false;
	if (strcmp(op->method, "PUT") == 0)
		return ends_with(op->path, "}");
	if (strcmp(op->method, "POST") == 0)
		return ends_with(op->path, "/createBillingRoleAssignment") ||
			ends_with(op->path, "/initiateTransfer");
	return false;
}

/*
 * The operation of the same api-version and path with another method, or
 * NULL: the GET that reads what a PUT creates, the PATCH beside a PUT.
 */
const AzbOperationDef *
azb_modify_sibling(const AzbOperationDef *op, const char *method)
{
	for (int i = 0; i < azb_noperations; i++)
	{
		const AzbOperationDef *o = &azb_operations[i];

		if (o->version == op->version && strcmp(o->method, method) == 0 &&
			strcmp(o->path, op->path) == 0)
			return o;
	}
	return NULL;
}

/* UPDATE changes: a PATCH, or a PUT on a path that has no PATCH. */
bool
azb_modify_op_is_update(const AzbOperationDef *op)
{
	if (!op->mutating || op->table == NULL)
		return false;
	if (strcmp(op->method, "PATCH") == 0)
		return true;
	if (strcmp(op->method, "PUT") != 0)
		return false;
	return azb_modify_sibling(op, "PATCH") == NULL;
}

/*
 * Whether the body model is the properties model itself, so that property
 * columns go at the top level (createBillingRoleAssignment, 2019's creates
 * of billing profiles and invoice sections).
 */
bool
azb_modify_body_top_level(const AzbOperationDef *op)
{
	if (op->body_model == NULL)
		return false;
	return ends_with(op->body_model, "Properties") ||
		ends_with(op->body_model, "CreationRequest");
}

/*
 * The column a path parameter binds: the last parameter of an item path is
 * "name", billingSubscriptionName is subscription_id, the others are scope
 * columns by snake_case.
 */
const char *
azb_modify_param_column(const AzbOperationDef *op, int i)
{
	const char *p = op->path_params[i];

	if (i == op->npath - 1 && ends_with(op->path, "}") &&
		strcmp(op->method, "POST") != 0)
		return "name";
	if (strcmp(p, "billingSubscriptionName") == 0)
		return "subscription_id";
	return azb_decoder_snake_case(p);
}

/*
 * Fill values[] (op->npath of them) from an item's ARM id when the id has
 * the shape of the operation's path: literal segments equal (ARM ids are
 * case-insensitive), each placeholder one non-empty segment.  An id's query
 * string is ignored.
 */
bool
azb_modify_match_id(const AzbOperationDef *op, const char *id, char **values)
{
	char	   *idc = pstrdup(id);
	char	   *tpl = pstrdup(op->path);
	char	   *q = strchr(idc, '?');
	char	   *sp1,
			   *sp2;
	char	   *a,
			   *b;
	int			k = 0;

	if (q)
		*q = '\0';
	a = strtok_r(idc, "/", &sp1);
	b = strtok_r(tpl, "/", &sp2);
	while (a && b)
	{
		if (b[0] == '{')
		{
			if (k >= op->npath)
				return false;
			values[k++] = pstrdup(a);
		}
		else if (pg_strcasecmp(a, b) != 0)
			return false;
		a = strtok_r(NULL, "/", &sp1);
		b = strtok_r(NULL, "/", &sp2);
	}
	return a == NULL && b == NULL && k == op->npath;
}

/* The text of a column's value, for paths and messages. */
char *
azb_modify_text(AzbModRel *mr, int attidx, Datum value)
{
	Oid			out;
	bool		isvarlena;

	getTypeOutputInfo(mr->cols[attidx].typid, &out, &isvarlena);
	return OidOutputFunctionCall(out, value);
}

/* A column's value as JSON. */
static cJSON *
value_json(AzbModRel *mr, int attidx, Datum value)
{
	Oid			typid = mr->cols[attidx].typid;

	switch (typid)
	{
		case BOOLOID:
			return cJSON_CreateBool(DatumGetBool(value));
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case NUMERICOID:
		case FLOAT4OID:
		case FLOAT8OID:
			{
				char	   *t = azb_modify_text(mr, attidx, value);

				/* NaN and Infinity are not JSON numbers */
				if (!isdigit((unsigned char) t[0]) && t[0] != '-')
					return cJSON_CreateString(t);
				if (t[0] == '-' && !isdigit((unsigned char) t[1]))
					return cJSON_CreateString(t);
				return cJSON_CreateRaw(t);
			}
		case JSONBOID:
		case JSONOID:
			{
				char	   *t = azb_modify_text(mr, attidx, value);
				cJSON	   *j = cJSON_Parse(t);

				return j ? j : cJSON_CreateNull();
			}
		case TIMESTAMPTZOID:
		case TIMESTAMPOID:
			{
				Timestamp	ts = DatumGetTimestamp(value);
				struct pg_tm tm;
				fsec_t		fsec;
				char		buf[64];

				if (TIMESTAMP_NOT_FINITE(ts) ||
					timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
					return cJSON_CreateString(azb_modify_text(mr, attidx, value));
				snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d",
						 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
				if (fsec != 0)
					snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%06d", (int) fsec);
				strlcat(buf, "Z", sizeof(buf));
				return cJSON_CreateString(buf);
			}
		case DATEOID:
			{
				DateADT		d = DatumGetDateADT(value);
				int			y,
							m,
							dd;
				char		buf[32];

				if (DATE_NOT_FINITE(d))
					return cJSON_CreateString(azb_modify_text(mr, attidx, value));
				j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
				snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, dd);
				return cJSON_CreateString(buf);
			}
		default:
			return cJSON_CreateString(azb_modify_text(mr, attidx, value));
	}
}

/* Set a dotted path in obj, making the objects on the way. */
static void
set_path(cJSON *obj, const char *path, cJSON *value)
{
	int			n;
	char	  **parts = azb_json_split_path(path, &n);

	for (int i = 0; i < n - 1; i++)
	{
		cJSON	   *next = cJSON_GetObjectItemCaseSensitive(obj, parts[i]);

		if (next == NULL || !cJSON_IsObject(next))
		{
			next = cJSON_CreateObject();
			if (cJSON_GetObjectItemCaseSensitive(obj, parts[i]))
				cJSON_ReplaceItemInObjectCaseSensitive(obj, parts[i], next);
			else
				cJSON_AddItemToObject(obj, parts[i], next);
		}
		obj = next;
	}
	if (cJSON_GetObjectItemCaseSensitive(obj, parts[n - 1]))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, parts[n - 1], value);
	else
		cJSON_AddItemToObject(obj, parts[n - 1], value);
}

/* Remove a dotted path from obj, if it is there. */
static void
drop_path(cJSON *obj, const char *path)
{
	int			n;
	char	  **parts = azb_json_split_path(path, &n);

	for (int i = 0; i < n - 1 && obj; i++)
	{
		obj = cJSON_GetObjectItemCaseSensitive(obj, parts[i]);
		if (obj && !cJSON_IsObject(obj))
			return;
	}
	if (obj)
		cJSON_DeleteItemFromObjectCaseSensitive(obj, parts[n - 1]);
}

/*
 * A column's key relative to the body model: "properties.x" stays, unless
 * the model is the properties model, where it is "x".
 */
static const char *
body_key(const AzbOperationDef *op, const char *key)
{
	if (azb_modify_body_top_level(op) && strncmp(key, "properties.", 11) == 0)
		return key + 11;
	return key;
}

/* Whether the model marks key (or an object it lies in) read-only. */
static const char *
readonly_entry(const AzbOperationDef *op, const char *key)
{
	for (int i = 0; i < op->nreadonly; i++)
	{
		const char *e = op->readonly[i];
		size_t		n = strlen(e);

		if (strncmp(key, e, n) == 0 && (key[n] == '\0' || key[n] == '.'))
			return e;
	}
	return NULL;
}

/* Whether the operation's key tree (catalog_ops.h) has the entry path+suffix. */
static bool
has_key(const AzbOperationDef *op, const char *path, const char *suffix)
{
	size_t		n = strlen(path);

	for (int i = 0; i < op->nkeys; i++)
	{
		const char *k = op->keys[i];

		if (strncmp(k, path, n) == 0 && strcmp(k + n, suffix) == 0)
			return true;
	}
	return false;
}

/* Whether the key tree has anything at path. */
static bool
model_has(const AzbOperationDef *op, const char *path)
{
	return has_key(op, path, "") || has_key(op, path, ".") ||
		has_key(op, path, "[]") || has_key(op, path, "[].");
}

/*
 * Keep of a value at path (root: "") what the body model has: keys it
 * marks read-only or does not have go, at any depth, because a raw base
 * usually comes from a read and carries what Azure sets.
 */
static void
keep_model_keys(const AzbOperationDef *op, cJSON *value, const char *path)
{
	bool		root = path[0] == '\0';

	if (!root && has_key(op, path, ""))
		return;					/* the model takes it whole */
	if (cJSON_IsObject(value) && (root || has_key(op, path, ".")))
	{
		bool		open = has_key(op, path, root ? "*" : ".*");
		cJSON	   *child = value->child;

		while (child)
		{
			cJSON	   *next = child->next;
			char	   *cp = root ? pstrdup(child->string) :
				psprintf("%s.%s", path, child->string);

			if (model_has(op, cp))
				keep_model_keys(op, child, cp);
			else if (!open)
				cJSON_Delete(cJSON_DetachItemViaPointer(value, child));
			child = next;
		}
	}
	else if (cJSON_IsArray(value) && !root &&
			 (has_key(op, path, "[]") || has_key(op, path, "[].")))
	{
		char	   *ip = psprintf("%s[]", path);
		cJSON	   *item;

		cJSON_ArrayForEach(item, value)
			keep_model_keys(op, item, ip);
	}
}

/* raw as a base body: what the model marks read-only or lacks, and the ARM envelope, dropped. */
static cJSON *
raw_base(AzbModRel *mr, const AzbOperationDef *op, int attidx, Datum value)
{
	cJSON	   *base = value_json(mr, attidx, value);

	if (!cJSON_IsObject(base))
		return cJSON_CreateObject();
	if (azb_modify_body_top_level(op))
	{
		cJSON	   *props = cJSON_GetObjectItemCaseSensitive(base, "properties");

		/* raw read from the table carries the envelope; the model is its properties */
		if (props && cJSON_IsObject(props))
			base = cJSON_DetachItemFromObjectCaseSensitive(base, "properties");
	}
	if (op->nkeys > 0)
		keep_model_keys(op, base, "");
	for (int i = 0; i < op->nreadonly; i++)
		drop_path(base, op->readonly[i]);
	/* the ARM envelope is Azure's to set, where the model has it at all */
	cJSON_DeleteItemFromObjectCaseSensitive(base, "id");
	cJSON_DeleteItemFromObjectCaseSensitive(base, "name");
	cJSON_DeleteItemFromObjectCaseSensitive(base, "type");
	cJSON_DeleteItemFromObjectCaseSensitive(base, "systemData");
	return base;
}

/*
 * An assigned column that the model marks read-only (or whose JSON value
 * holds a read-only key, nested): an error, never dropped.
 */
static void
refuse_readonly(const AzbModColumn *c, const AzbOperationDef *op, const char *ro, bool nested)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 nested ? errmsg("column \"%s\" holds a key that is read-only in Azure", c->name) :
			 errmsg("column \"%s\" is read-only in Azure", c->name),
			 errdetail("%s marks \"%s\" read-only; Azure sets it.", op->operation_id, ro),
			 errhint("Leave the column out of the statement, or set it to NULL in an INSERT.")));
}

/*
 * A JSON value assigned at key: a read-only property inside it (full path,
 * an array's items included) is refused like a read-only column.
 */
static void
check_nested_readonly(const AzbModColumn *c, const AzbOperationDef *op, const char *key,
					  cJSON *value)
{
	size_t		n = strlen(key);

	for (int i = 0; i < op->nreadonly; i++)
	{
		const char *e = op->readonly[i];
		const char *rest;
		cJSON	   *v = value;
		int			nparts;
		char	  **parts;

		if (strncmp(e, key, n) != 0 || e[n] != '.')
			continue;
		rest = e + n + 1;
		if (strstr(rest, "[]"))
			continue;			/* inside array items: Azure's own check */
		parts = azb_json_split_path(rest, &nparts);
		for (int k = 0; k < nparts && v; k++)
			v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, parts[k]) : NULL;
		if (v)
			refuse_readonly(c, op, e, true);
	}
}

/*
 * The body of op for a row.  assigned (attribute indexes) says which
 * columns to send; NULL means every non-NULL one (INSERT).  send_nulls: an
 * assigned NULL is sent as null (PATCH, a merge-patch).  base_values, when
 * given, is the item as read, whose raw is the base (PUT-based UPDATE).
 * Returns NULL for an operation that takes no body.
 */
char *
azb_modify_build_body(AzbModRel *mr, const AzbOperationDef *op,
					  Datum *values, bool *nulls, Bitmapset *assigned,
					  bool send_nulls, Datum *base_values, bool *base_nulls)
{
	cJSON	   *body = NULL;
	char	   *text;
	char	   *out;

	if (op->body_param == NULL)
		return NULL;

	/* the base: an assigned raw, else the raw of the item as read */
	for (int i = 0; i < mr->natts; i++)
	{
		if (mr->cols[i].kind != AZB_COL_RAW || !mr->cols[i].known)
			continue;
		if ((assigned == NULL || bms_is_member(i, assigned)) && !nulls[i])
			body = raw_base(mr, op, i, values[i]);
		else if (base_values && !base_nulls[i])
			body = raw_base(mr, op, i, base_values[i]);
	}
	if (body == NULL)
		body = cJSON_CreateObject();

	for (int i = 0; i < mr->natts; i++)
	{
		AzbModColumn *c = &mr->cols[i];
		const char *key;
		const char *ro;
		cJSON	   *item;

		if (!c->known || c->name == NULL)
			continue;
		if (assigned ? !bms_is_member(i, assigned) : nulls[i])
			continue;
		if (nulls[i] && !send_nulls)
			continue;
		switch (c->kind)
		{
			case AZB_COL_ID:
			case AZB_COL_TYPE:
				ro = readonly_entry(op, c->kind == AZB_COL_ID ? "id" : "type");
				if (ro)
					refuse_readonly(c, op, ro, false);
				continue;
			case AZB_COL_PROPERTY:
			case AZB_COL_AMOUNT:
			case AZB_COL_CURRENCY:
				break;
			default:
				continue;
		}
		if (c->key == NULL)
			continue;
		key = body_key(op, c->key);
		ro = readonly_entry(op, key);
		if (ro)
			refuse_readonly(c, op, ro, false);
		if (c->kind == AZB_COL_AMOUNT)
			key = psprintf("%s.value", key);
		else if (c->kind == AZB_COL_CURRENCY)
			key = psprintf("%s.currency", key);
		item = nulls[i] ? cJSON_CreateNull() : value_json(mr, i, values[i]);
		if (cJSON_IsObject(item))
			check_nested_readonly(c, op, key, item);
		set_path(body, key, item);
	}
	text = cJSON_PrintUnformatted(body);
	out = pstrdup(text);
	cJSON_free(text);
	cJSON_Delete(body);
	return out;
}
