/*-------------------------------------------------------------------------
 *
 * import.c
 *	  IMPORT FOREIGN SCHEMA azure_billing: one foreign table per catalogue
 *	  resource that exists at the server's api-version.
 *
 * The tables need no options: a table's resource defaults to its name and
 * its api-version to the server's.  LIMIT TO and EXCEPT are honoured here
 * (and again by the core).
 *
 *-------------------------------------------------------------------------
 */
#include "azb.h"

#include "utils/builtins.h"

#define AZB_REMOTE_SCHEMA "azure_billing"

static bool
wanted(ImportForeignSchemaStmt *stmt, const char *name)
{
	ListCell   *lc;

	switch (stmt->list_type)
	{
		case FDW_IMPORT_SCHEMA_ALL:
			return true;
		case FDW_IMPORT_SCHEMA_LIMIT_TO:
			foreach(lc, stmt->table_list)
				if (strcmp(((RangeVar *) lfirst(lc))->relname, name) == 0)
					return true;
			return false;
		case FDW_IMPORT_SCHEMA_EXCEPT:
			foreach(lc, stmt->table_list)
				if (strcmp(((RangeVar *) lfirst(lc))->relname, name) == 0)
					return false;
			return true;
	}
	return true;
}

List *
azb_import_schema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	ForeignServer *server = GetForeignServer(serverOid);
	AzbOptions *opts = azb_options_for_server(server);
	List	   *commands = NIL;

	if (strcmp(stmt->remote_schema, AZB_REMOTE_SCHEMA) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_SCHEMA_NOT_FOUND),
				 errmsg("remote schema \"%s\" does not exist", stmt->remote_schema),
				 errdetail("azbilling_fdw serves one remote schema, the Azure Billing catalogue."),
				 errhint("Use IMPORT FOREIGN SCHEMA %s FROM SERVER %s INTO <schema>.",
						 AZB_REMOTE_SCHEMA, quote_identifier(server->servername))));

	for (int r = 0; r < azb_nresources; r++)
	{
		const AzbResourceDef *res = &azb_resources[r];
		const AzbVersionDef *v = azb_catalog_version(res, opts->version);
		StringInfoData sql;

		if (v == NULL || !wanted(stmt, res->name))
			continue;
		initStringInfo(&sql);
		appendStringInfo(&sql, "CREATE FOREIGN TABLE %s (\n", quote_identifier(res->name));
		for (int c = 0; c < v->ncolumns; c++)
			appendStringInfo(&sql, "  %s %s%s\n", quote_identifier(v->columns[c].name),
							 azb_catalog_type_name(v->columns[c].type),
							 c + 1 < v->ncolumns ? "," : "");
		appendStringInfo(&sql, ") SERVER %s", quote_identifier(server->servername));
		commands = lappend(commands, sql.data);
	}
	return commands;
}
