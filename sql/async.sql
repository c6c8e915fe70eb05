--
-- async: scans under an Append run concurrently (PostgreSQL's async Append)
--
SET TimeZone = 'UTC';
SELECT emu_reset();
-- each answer takes 300 ms; the two scans' requests overlap in time
SELECT emu_config('{"latency_ms": 300}');
EXPLAIN (COSTS OFF)
SELECT name FROM billing.invoices WHERE billing_account_name = acct('mca1') AND invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01'
UNION ALL
SELECT name FROM billing.invoices WHERE billing_account_name = acct('mca2') AND invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01';
SELECT name FROM billing.invoices WHERE billing_account_name = acct('mca1') AND invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01'
UNION ALL
SELECT name FROM billing.invoices WHERE billing_account_name = acct('mca2') AND invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01'
ORDER BY 1;
-- the request log: both requests started before either finished
CREATE TEMP VIEW invoice_requests AS
  SELECT (e->>'ts')::float8 AS started, (e->>'ts')::float8 + (e->>'duration_ms')::float8 / 1000 AS ended
  FROM jsonb_array_elements(emu_call('GET', '/_admin/log')) e
  WHERE e->>'path' LIKE '%/invoices';
SELECT count(*) AS requests, max(started) < min(ended) AS overlapped FROM invoice_requests;
SELECT emu_reset();
-- with async_capable off, the same scans run one after the other
SELECT emu_config('{"latency_ms": 300}');
ALTER SERVER emu OPTIONS (ADD async_capable 'false');
EXPLAIN (COSTS OFF)
SELECT name FROM billing.invoices WHERE billing_account_name = acct('mca1') AND invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01'
UNION ALL
SELECT name FROM billing.invoices WHERE billing_account_name = acct('mca2') AND invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01';
SELECT count(*) FROM (
SELECT name FROM billing.invoices WHERE billing_account_name = acct('mca1') AND invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01'
UNION ALL
SELECT name FROM billing.invoices WHERE billing_account_name = acct('mca2') AND invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01') s;
SELECT count(*) AS requests, max(started) < min(ended) AS overlapped FROM invoice_requests;
ALTER SERVER emu OPTIONS (DROP async_capable);
SELECT emu_reset();
-- partitions: a table partitioned by billing account, one foreign partition each
CREATE TABLE all_invoices (billing_account_name text, name text, invoice_date timestamptz, total_amount numeric)
  PARTITION BY LIST (billing_account_name);
CREATE FOREIGN TABLE invoices_mca1 PARTITION OF all_invoices
  FOR VALUES IN ('11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31')
  SERVER emu OPTIONS (resource 'invoices');
CREATE FOREIGN TABLE invoices_mca2 PARTITION OF all_invoices
  FOR VALUES IN ('22222222-2222-2222-2222-222222222222:22222222-2222-2222-2222-222222222222_2020-01-15')
  SERVER emu OPTIONS (resource 'invoices');
SELECT emu_config('{"latency_ms": 300}');
EXPLAIN (COSTS OFF) SELECT count(*) FROM all_invoices WHERE invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01';
SELECT count(*) FROM all_invoices WHERE invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01';
SELECT count(*) AS requests, max(started) < min(ended) AS overlapped FROM invoice_requests;
SELECT emu_reset();
-- an error in one async scan ends the query; the other's transfers are dropped
SELECT emu_fault('{"match": "/billingAccounts/2222", "fault": "status", "status": 403}');
SELECT * FROM try($$SELECT count(*) FROM all_invoices WHERE invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01'$$);
SELECT emu_reset();
SELECT count(*) FROM all_invoices WHERE invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01';
DROP TABLE all_invoices;
SELECT emu_reset();
