--
-- paging: nextLink followed to the end, one page at a time
--
SET TimeZone = 'UTC';
SELECT emu_reset();
SELECT emu_config('{"page_size": 7}');
-- 46 invoices in pages of 7: 7 requests, all rows
SELECT count(*), count(DISTINCT name) FROM billing.invoices
WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca2');
SELECT count(*) AS requests, count(*) FILTER (WHERE query LIKE '%skiptoken%') AS follow_ups
FROM emu_requests();
SELECT emu_reset();
SELECT emu_config('{"page_size": 7}');
-- LIMIT: the executor stops early, and the scan starts requests only while
-- rows are still needed: the first page of 7 covers LIMIT 3
SELECT count(*) FROM (SELECT name FROM billing.invoices
  WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca2') LIMIT 3) s;
SELECT count(*) AS requests FROM emu_requests();
SELECT emu_reset();
SELECT emu_config('{"page_size": 7}');
-- ... also across a fan-out (profiles x Billed, Unbilled, Other): the
-- profile list and one list of transactions, not all of them at once
SELECT count(*) FROM (SELECT name FROM billing.transactions
  WHERE billing_account_name = acct('mca2') LIMIT 3) s;
SELECT count(*) AS requests, count(*) FILTER (WHERE path LIKE '%/transactions') AS transaction_lists
FROM emu_requests();
SELECT emu_reset();
SELECT emu_config('{"page_size": 7}');
-- LIMIT 40 OFFSET 5 needs 45 of the 46 rows: all 7 pages, nothing cut short
SELECT count(*) FROM (SELECT name FROM billing.invoices
  WHERE billing_account_name = acct('mca2') LIMIT 40 OFFSET 5) s;
SELECT count(*) AS requests FROM emu_requests();
EXPLAIN (VERBOSE, COSTS OFF) SELECT name FROM billing.invoices
  WHERE billing_account_name = acct('mca2') LIMIT 40 OFFSET 5;
-- a local condition that rejects rows makes the scan read on: the bound
-- never truncates (the same rows with and without LIMIT)
SELECT (SELECT count(*) FROM (SELECT name FROM billing.invoices WHERE md5(name) LIKE 'a%' LIMIT 100) s)
     = (SELECT count(*) FROM billing.invoices WHERE md5(name) LIKE 'a%') AS same_rows;
-- ORDER BY needs every row: no bound
EXPLAIN (VERBOSE, COSTS OFF) SELECT name FROM billing.invoices
  WHERE billing_account_name = acct('mca2') ORDER BY name LIMIT 4;
SELECT emu_reset();
SELECT emu_config('{"page_size": 7}');
-- empty pages with a nextLink, relative links, "" and null as the end
SELECT emu_fault('{"match": "/invoices", "fault": "empty_page", "nth": 2, "count": 2}',
                 '{"match": "/invoices", "fault": "relative_nextlink", "nth": 5}');
SELECT count(*), count(DISTINCT name) FROM billing.invoices
WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca2');
SELECT emu_reset();
SELECT emu_config('{"page_size": 7}');
SELECT emu_fault('{"match": "/invoices", "fault": "empty_nextlink", "count": 0}');
SELECT count(*) FROM billing.invoices WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca2');
SELECT emu_reset();
SELECT emu_config('{"page_size": 7}');
SELECT emu_fault('{"match": "/invoices", "fault": "null_nextlink", "count": 0}');
SELECT count(*) FROM billing.invoices WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca2');
SELECT emu_reset();
SELECT emu_config('{"page_size": 7}');
SELECT emu_fault('{"match": "/invoices", "fault": "extra_keys", "count": 0}');
SELECT count(*) FROM billing.invoices WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca2');
SELECT emu_reset();
SELECT emu_config('{"page_size": 7}');
-- a repeated nextLink is an error, never an endless loop
SELECT emu_fault('{"match": "/invoices", "fault": "repeat_nextlink", "nth": 3}');
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca2')$$);
SELECT emu_reset();
SELECT emu_config('{"page_size": 7}');
-- a nextLink on another host is an error; the token is never sent there
SELECT emu_fault('{"match": "/invoices", "fault": "foreign_nextlink", "nth": 2}');
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca2')$$);
SELECT count(*) AS requests_to_other_host FROM emu_log() WHERE listener = 'other';
SELECT emu_reset();
-- a page cap is an error, never a truncation
SELECT emu_config('{"page_size": 7}');
ALTER SERVER emu OPTIONS (ADD max_pages '3');
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca2')$$);
ALTER SERVER emu OPTIONS (DROP max_pages);
SELECT emu_reset();
-- Azure's read budget (x-ms-ratelimit-remaining-*-reads) paces requests
-- before Azure would answer 429: a bucket of 10 reads refilled at 25/s,
-- enforced by the emulator, and a fan-out of 61 requests meets no 429
SELECT emu_config('{"read_bucket": 10, "read_refill": 25, "enforce_reads": true, "page_size": 5}');
SELECT count(*) FROM billing.invoices;
SELECT status, count(*) FROM emu_log() WHERE method = 'GET' GROUP BY 1 ORDER BY 1;
SELECT emu_reset();
-- paging through a large scope keeps every row (1,000 bulk transactions in pages of 100)
SELECT emu_config('{"page_size": 100, "bulk_transactions": 1000}');
SELECT count(*), count(DISTINCT name), min(date)::date, max(date)::date FROM billing.transactions
WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca2')
  AND billing_profile_name = 'BBBB-1111-BP1-PRF' AND billed_status = 'Billed'
  AND date >= '2025-01-01' AND date < '2026-01-01';
SELECT count(*) AS requests FROM emu_requests();
SELECT emu_reset();
