--
-- import: IMPORT FOREIGN SCHEMA from the catalogue, per api-version
--
SET TimeZone = 'UTC';
SELECT foreign_table_schema, count(*) FROM information_schema.foreign_tables
WHERE foreign_table_schema IN ('billing', 'billing19') GROUP BY 1 ORDER BY 1;
-- tables that exist in one api-version only
SELECT coalesce(a.foreign_table_name, b.foreign_table_name) AS table_name,
       a.foreign_table_name IS NOT NULL AS in_2024, b.foreign_table_name IS NOT NULL AS in_2019
FROM (SELECT foreign_table_name FROM information_schema.foreign_tables WHERE foreign_table_schema = 'billing') a
FULL JOIN (SELECT foreign_table_name FROM information_schema.foreign_tables WHERE foreign_table_schema = 'billing19') b
  USING (foreign_table_name)
WHERE a.foreign_table_name IS NULL OR b.foreign_table_name IS NULL ORDER BY 1;
-- the columns of invoices: envelope, scopes, typed properties, amounts, raw
SELECT column_name, data_type FROM information_schema.columns
WHERE table_schema = 'billing' AND table_name = 'invoices' ORDER BY ordinal_position;
-- transactions carry billed_status (2024-04-01's "type"); 2019 has none
SELECT table_schema, column_name, data_type FROM information_schema.columns
WHERE table_name = 'transactions' AND table_schema IN ('billing', 'billing19')
  AND column_name IN ('billed_status', 'date', 'transaction_amount', 'transaction_amount_currency', 'invoice_name')
ORDER BY 1, 2;
-- naming rules: pONumber style, property_ prefix for clashes
SELECT table_schema, table_name, column_name FROM information_schema.columns
WHERE table_schema IN ('billing', 'billing19')
  AND (column_name LIKE 'property\_%' OR column_name LIKE 'p\_o\_%')
ORDER BY 1, 2, 3;

-- LIMIT TO and EXCEPT
CREATE SCHEMA imp1;
IMPORT FOREIGN SCHEMA azure_billing LIMIT TO (invoices, transactions, nonexistent) FROM SERVER emu INTO imp1;
SELECT foreign_table_name FROM information_schema.foreign_tables WHERE foreign_table_schema = 'imp1' ORDER BY 1;
CREATE SCHEMA imp2;
IMPORT FOREIGN SCHEMA azure_billing EXCEPT (invoices, transactions) FROM SERVER emu INTO imp2;
SELECT count(*), bool_or(foreign_table_name IN ('invoices', 'transactions')) AS has_excluded
FROM information_schema.foreign_tables WHERE foreign_table_schema = 'imp2';
-- only one remote schema exists
IMPORT FOREIGN SCHEMA public FROM SERVER emu INTO imp1;
DROP SCHEMA imp1 CASCADE;
DROP SCHEMA imp2 CASCADE;

-- the catalogue as data: the source of the README's table reference
SELECT api_version, count(DISTINCT resource) AS tables, count(*) AS columns
FROM azbilling_catalog() GROUP BY 1 ORDER BY 1;
SELECT resource, ordinal, operation_id, scope_columns, capabilities, agreement_types
FROM azbilling_routes() WHERE api_version = '2024-04-01' AND resource IN ('invoices', 'transactions')
ORDER BY 1, 2;

SELECT emu_reset();
-- a hand-written table: any subset of columns, in any order, matched by name
CREATE FOREIGN TABLE my_invoices (
  status text, amount_due numeric(12,2), invoice_date date, name text,
  amount_due_currency varchar(3), sold_to_city text OPTIONS (json_path 'properties.billingProfileDisplayName'),
  extra text
) SERVER emu OPTIONS (resource 'invoices', billing_account_name '11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31');
SELECT * FROM my_invoices WHERE invoice_date >= '2026-09-01' ORDER BY invoice_date, name;
SELECT * FROM emu_requests();
SELECT emu_reset();
DROP FOREIGN TABLE my_invoices;
