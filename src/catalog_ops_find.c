/*-------------------------------------------------------------------------
 *
 * catalog_ops_find.c
 *	  Lookup in the operation catalogue and a self-check of its invariants.
 *
 * Backend-free (the unit tests link it).  The catalogue is small (about 300
 * operations), so lookup is a linear scan; it runs once per call.
 *
 *-------------------------------------------------------------------------
 */
#include "catalog_ops.h"
#include "catalog.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/*
 * The operation of an api-version by id.  The spec's spelling matches
 * first; failing that, a case-insensitive match (people type
 * billingsubscriptions_move), since no two ids differ only in case.
 */
const AzbOperationDef *
azb_opcat_find(int version, const char *operation_id)
{
	const AzbOperationDef *loose = NULL;

	if (operation_id == NULL)
		return NULL;
	for (int i = 0; i < azb_noperations; i++)
	{
		const AzbOperationDef *op = &azb_operations[i];

		if (op->version != version)
			continue;
		if (strcmp(op->operation_id, operation_id) == 0)
			return op;
		if (loose == NULL && strcasecmp(op->operation_id, operation_id) == 0)
			loose = op;
	}
	return loose;
}

/* Index of a query parameter by its spec name, or -1. */
int
azb_opcat_query_index(const AzbOperationDef *op, const char *name)
{
	return azb_catalog_find(op->query, op->nquery, sizeof(AzbOpParamDef),
							offsetof(AzbOpParamDef, name), name);
}

/* Index of a path parameter by its spec name, or -1. */
int
azb_opcat_path_index(const AzbOperationDef *op, const char *name)
{
	return azb_catalog_find(op->path_params, op->npath, sizeof(op->path_params[0]), 0, name);
}

const char *
azb_opcat_final_state_name(AzbFinalState fs)
{
	switch (fs)
	{
		case AZB_FINAL_LOCATION:
			return "location";
		case AZB_FINAL_ASYNC:
			return "azure-async-operation";
		case AZB_FINAL_ORIGINAL_URI:
			return "original-uri";
		case AZB_FINAL_DEFAULT:
			break;
	}
	return NULL;
}

/*
 * Invariants the engine relies on; 0 when they hold, else the number of
 * problems, the first described in problem.
 *	- ids are unique per api-version, even ignoring case (lookup is lenient);
 *	- the path starts with '/', its placeholders are exactly path_params, in
 *	  order, and none repeats;
 *	- a GET changes nothing, PUT/PATCH/DELETE do, and none takes a body it
 *	  does not declare (GET and DELETE have none);
 *	- a final state is named only for long-running operations;
 *	- query parameters are unique and none is api-version.
 */
int
azb_opcat_check(char *problem, size_t problemlen)
{
	int			bad = 0;

#define FAIL(...) do { if (bad++ == 0) snprintf(problem, problemlen, __VA_ARGS__); } while (0)
	if (problemlen > 0)
		problem[0] = '\0';
	for (int i = 0; i < azb_noperations; i++)
	{
		const AzbOperationDef *op = &azb_operations[i];
		const char *p = op->path;
		int			n = 0;

		for (int j = i + 1; j < azb_noperations; j++)
			if (azb_operations[j].version == op->version &&
				strcasecmp(azb_operations[j].operation_id, op->operation_id) == 0)
				FAIL("%s appears twice", op->operation_id);
		if (p == NULL || p[0] != '/')
			FAIL("%s: path does not start with /", op->operation_id);
		while (p && (p = strchr(p, '{')) != NULL)
		{
			const char *end = strchr(p, '}');
			size_t		len;

			if (end == NULL)
			{
				FAIL("%s: unclosed placeholder", op->operation_id);
				break;
			}
			len = (size_t) (end - p - 1);
			if (n >= op->npath || strlen(op->path_params[n]) != len ||
				strncmp(op->path_params[n], p + 1, len) != 0)
				FAIL("%s: placeholder %d is not path_params[%d]", op->operation_id, n, n);
			for (int k = 0; k < n && n < op->npath; k++)
				if (strcmp(op->path_params[k], op->path_params[n]) == 0)
					FAIL("%s: placeholder %s repeats", op->operation_id, op->path_params[n]);
			n++;
			p = end + 1;
		}
		if (n != op->npath)
			FAIL("%s: %d placeholders, %d path_params", op->operation_id, n, op->npath);
		if (strcmp(op->method, "GET") == 0 && op->mutating)
			FAIL("%s: a GET marked mutating", op->operation_id);
		if ((strcmp(op->method, "PUT") == 0 || strcmp(op->method, "PATCH") == 0 ||
			 strcmp(op->method, "DELETE") == 0) && !op->mutating)
			FAIL("%s: a %s not marked mutating", op->operation_id, op->method);
		if ((strcmp(op->method, "GET") == 0 || strcmp(op->method, "DELETE") == 0) &&
			op->body_param != NULL)
			FAIL("%s: a %s with a body", op->operation_id, op->method);
		if ((op->body_param == NULL) != (op->body_kind == AZB_BODY_NONE))
			FAIL("%s: body parameter and body kind disagree", op->operation_id);
		if (!op->long_running && op->final_state != AZB_FINAL_DEFAULT)
			FAIL("%s: final-state-via without long-running", op->operation_id);
		for (int q = 0; q < op->nquery; q++)
		{
			if (strcmp(op->query[q].name, "api-version") == 0)
				FAIL("%s: api-version is a query parameter", op->operation_id);
			for (int r = q + 1; r < op->nquery; r++)
				if (strcmp(op->query[q].name, op->query[r].name) == 0)
					FAIL("%s: query parameter %s repeats", op->operation_id, op->query[q].name);
			if (azb_opcat_path_index(op, op->query[q].name) >= 0)
				FAIL("%s: %s is both a path and a query parameter", op->operation_id,
					 op->query[q].name);
		}
	}
#undef FAIL
	return bad;
}
