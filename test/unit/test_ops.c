/*
 * test_ops.c
 *	  Unit tests of the operation catalogue (catalog_ops.c, generated, and
 *	  catalog_ops_find.c): lookup by id, parameters, invariants.
 *
 * Included by test_unit.c, whose CHECK macro and counters it uses.
 */
#include "catalog_ops.h"

static void
test_ops(void)
{
	const AzbOperationDef *op;
	char		problem[256];
	int			n24 = 0,
				n19 = 0,
				w24 = 0,
				w19 = 0;

	CHECK(azb_opcat_check(problem, sizeof(problem)) == 0, "operation catalogue self-check: %s", problem);
	for (int i = 0; i < azb_noperations; i++)
	{
		const AzbOperationDef *o = &azb_operations[i];
		bool		write = strcmp(o->method, "GET") != 0;

		if (o->version == 0)
		{
			n24++;
			w24 += write;
		}
		else
		{
			n19++;
			w19 += write;
		}
	}
	CHECK(w24 == 73 && w19 == 39, "non-GET operations: %d at 2024-04-01, %d at 2019-10-01-preview", w24, w19);
	CHECK(n24 == 188 && n19 == 119, "operations: %d and %d", n24, n19);

	op = azb_opcat_find(0, "BillingSubscriptions_Move");
	CHECK(op && strcmp(op->method, "POST") == 0 && op->mutating && op->long_running &&
		  op->final_state == AZB_FINAL_LOCATION, "BillingSubscriptions_Move: POST, mutating, LRO via location");
	CHECK(op && op->npath == 2 && strcmp(op->path_params[0], "billingAccountName") == 0 &&
		  azb_opcat_path_index(op, "billingSubscriptionName") == 1, "BillingSubscriptions_Move path parameters");
	CHECK(op && op->body_param && op->body_kind == AZB_BODY_OBJECT, "BillingSubscriptions_Move takes an object body");
	CHECK(azb_opcat_find(0, "billingsubscriptions_move") == op, "lookup ignores case");
	CHECK(azb_opcat_find(1, "BillingSubscriptions_Move") != op, "lookup is per api-version");
	CHECK(azb_opcat_find(0, "NoSuch_Operation") == NULL && azb_opcat_find(0, NULL) == NULL, "unknown ids");

	op = azb_opcat_find(0, "Address_Validate");
	CHECK(op && !op->mutating && op->table == NULL && op->npath == 0 && op->nrequired == 2 &&
		  strcmp(op->required[0], "addressLine1") == 0, "Address_Validate: read-only, requires addressLine1, country");

	op = azb_opcat_find(0, "Invoices_DownloadByBillingAccount");
	CHECK(op && !op->mutating && op->long_running && azb_opcat_query_index(op, "documentName") >= 0 &&
		  !op->query[azb_opcat_query_index(op, "documentName")].required,
		  "Invoices_DownloadByBillingAccount: a read-only LRO with optional documentName");
	CHECK(op && azb_opcat_query_index(op, "api-version") < 0, "api-version is never a parameter");

	op = azb_opcat_find(0, "BillingProfiles_CreateOrUpdate");
	CHECK(op && op->table && strcmp(op->table, "billing_profiles") == 0 && op->nreadonly > 0 &&
		  strcmp(op->readonly[0], "id") == 0, "BillingProfiles_CreateOrUpdate: table and read-only id");

	op = azb_opcat_find(0, "Transactions_ListByBillingProfile");
	CHECK(op && !op->mutating && azb_opcat_query_index(op, "type") >= 0 &&
		  op->query[azb_opcat_query_index(op, "type")].required, "a GET list with a required type");

	op = azb_opcat_find(1, "PriceSheet_Download");
	CHECK(op && strcmp(op->method, "POST") == 0 && !op->mutating, "2019 PriceSheet_Download is read-only");
	CHECK(strcmp(azb_opcat_final_state_name(AZB_FINAL_ASYNC), "azure-async-operation") == 0 &&
		  azb_opcat_final_state_name(AZB_FINAL_DEFAULT) == NULL, "final state names");
}
