-- demo/demo.sql: a tour of azbilling_fdw against the bundled emulator.
\pset pager off
\set ECHO queries
\getenv emu_url AZB_EMULATOR_URL
\getenv emu_ca AZB_EMULATOR_CA

CREATE EXTENSION azbilling_fdw;
SELECT azbilling_version();

-- The emulator stands in for management.azure.com and login.microsoftonline.com:
-- server azure, a user mapping and every table in schema billing
-- (test/emulator_server.sql, as the tests and the benchmark make them).
\set server azure
\set schema billing
\set tenant contoso.onmicrosoft.com
\ir ../test/emulator_server.sql
SELECT count(*) AS tables FROM information_schema.foreign_tables WHERE foreign_table_schema = 'billing';

-- Every billing account the identity can see, with its agreement type.
SELECT left(name, 13) AS account, display_name, agreement_type
FROM billing.billing_accounts ORDER BY display_name;

-- Invoices of one account in January 2026: one scoped request, dates pushed.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT invoice_date, name, amount_due, amount_due_currency, status
FROM billing.invoices
WHERE billing_account_name = '11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31'
  AND invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01';
SELECT invoice_date, name, amount_due, amount_due_currency, status
FROM billing.invoices
WHERE billing_account_name = '11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31'
  AND invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01'
ORDER BY 1, 2;

-- No scope at all: the FDW lists the accounts itself and fans out, concurrently.
SELECT left(billing_account_name, 13) AS account, count(*) AS invoices,
       sum(total_amount) AS total, min(total_amount_currency) AS currency
FROM billing.invoices WHERE invoice_date >= '2025-01-01' AND invoice_date < '2026-01-01'
GROUP BY 1 ORDER BY 1;

-- Join with your own data: cost centres per billing profile.
CREATE TABLE cost_centre (billing_profile_name text PRIMARY KEY, cost_centre text);
INSERT INTO cost_centre VALUES ('AAAA-1111-BP1-PRF', 'CC-100 Operations'), ('AAAA-2222-BP2-PRF', 'CC-200 Research');
SELECT c.cost_centre, date_trunc('month', t.date)::date AS month, sum(t.transaction_amount) AS spend
FROM cost_centre c
JOIN billing.transactions t
  ON t.billing_profile_name = c.billing_profile_name
 AND t.billing_account_name = '11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31'
WHERE t.date >= '2026-06-01' AND t.date < '2026-09-01' AND t.billed_status = 'Billed'
GROUP BY 1, 2 ORDER BY 1, 2;

-- A materialized view refreshed on a schedule is the usual way to keep spend at hand.
CREATE MATERIALIZED VIEW monthly_invoices AS
  SELECT billing_account_name, billing_profile_name, date_trunc('month', invoice_date) AS month,
         sum(total_amount) AS total, min(total_amount_currency) AS currency
  FROM billing.invoices WHERE invoice_date >= '2024-01-01'
  GROUP BY 1, 2, 3;
SELECT count(*) AS rows FROM monthly_invoices;

-- What the requests cost: EXPLAIN ANALYZE counts requests, pages, bytes and retries.
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM billing.transactions
WHERE billing_account_name = '11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31'
  AND date >= '2026-01-01' AND date < '2026-07-01';
