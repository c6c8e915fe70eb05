--
-- stats: azbilling_stats counts requests, pages, rows, bytes, retries, 429
-- answers, errors and tokens per server and operation, without writing
--
SELECT emu_reset();
SELECT azbilling_stats_reset();
SELECT count(*) FROM azbilling_stats;

SELECT count(*) FROM billing.invoices
WHERE billing_account_name = acct('mca1') AND invoice_date >= '2026-01-01' AND invoice_date < '2026-04-01';
SELECT server, operation, requests, pages, rows, bytes > 0 AS bytes, retries, throttled, errors, storage
FROM azbilling_stats WHERE operation <> '(token)' ORDER BY 1, 2;
-- tokens: fetched once per user mapping, then taken from the cache
SELECT server, token_fetches + token_hits > 0 AS tokens, storage FROM azbilling_stats WHERE operation = '(token)';

-- retries, 429 answers and throttle wait
SELECT azbilling_stats_reset();
SELECT emu_fault('{"match": "/invoices", "fault": "status", "status": 429, "retry_after_ms": 10, "count": 2}');
SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca2') AND invoice_date >= '2026-01-01';
SELECT operation, requests, pages, rows, retries, throttled, throttle_wait_ms > 0 AS waited, errors
FROM azbilling_stats WHERE operation <> '(token)' ORDER BY 1;

-- errors by SQLSTATE class
SELECT azbilling_stats_reset();
SELECT emu_fault('{"match": "/invoices", "fault": "status", "status": 403, "count": 1}');
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca2')$$) WHERE field = 'sqlstate';
SELECT emu_fault('{"match": "/invoices", "fault": "status", "status": 400, "count": 1}');
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca2')$$) WHERE field = 'sqlstate';
SELECT operation, requests, pages, errors FROM azbilling_stats WHERE operation <> '(token)' ORDER BY 1;

-- the operation functions are counted too, under their operationId
SELECT azbilling_stats_reset();
SELECT azbilling_call('emu', 'Address_Validate', '{}', '{"addressLine1": "1 Main St", "country": "US"}') ->> 'status' AS status;
SELECT emu_fault('{"match": "/validateAddress", "fault": "status", "status": 403, "count": 1}');
SELECT * FROM try($$SELECT azbilling_call('emu', 'Address_Validate', '{}', '{"addressLine1": "1 Main St", "country": "US"}')$$) WHERE field = 'sqlstate';
SELECT operation, requests, pages, bytes > 0 AS bytes, errors FROM azbilling_stats WHERE operation <> '(token)' ORDER BY 1;

-- read-only transactions and default_transaction_read_only: reading works
BEGIN READ ONLY;
SELECT count(*) FROM billing.billing_accounts;
SELECT operation, requests FROM azbilling_stats WHERE operation LIKE 'BillingAccounts%';
COMMIT;
SET default_transaction_read_only = on;
SELECT operation, requests FROM azbilling_stats WHERE operation LIKE 'BillingAccounts%';
SELECT azbilling_stats_reset();
SELECT count(*) FROM azbilling_stats;
RESET default_transaction_read_only;

-- anyone may read; only superusers (or those granted it) may reset
CREATE ROLE stats_reader;
SET ROLE stats_reader;
SELECT count(*) >= 0 FROM azbilling_stats;
RESET ROLE;
SELECT has_function_privilege('stats_reader', 'azbilling_stats_reset()', 'EXECUTE') AS may_reset;
DROP ROLE stats_reader;
