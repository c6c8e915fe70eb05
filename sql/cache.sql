--
-- cache: the result cache (cache_ttl, cache_max_bytes): a repeated scan
-- within the TTL makes no request; ALTER SERVER, ALTER USER MAPPING, ALTER
-- FOREIGN TABLE, writes and azbilling_cache_clear() drop pages; the LRU
-- bound; user mappings never share pages
--
SELECT emu_reset();

-- options: seconds and bytes, validated
SELECT * FROM try($$ALTER SERVER emu OPTIONS (ADD cache_ttl '-1')$$);
SELECT * FROM try($$ALTER SERVER emu OPTIONS (ADD cache_ttl '5 minutes')$$);
SELECT * FROM try($$ALTER SERVER emu OPTIONS (ADD cache_max_bytes '2000000000')$$);
SELECT * FROM try($$ALTER FOREIGN TABLE billing.invoices OPTIONS (ADD cache_ttl 'x')$$);
SELECT * FROM try($$ALTER FOREIGN TABLE billing.invoices OPTIONS (ADD cache_max_bytes '1000')$$);

-- a server of its own, with a five-minute cache
DO $$
DECLARE s emu_settings;
BEGIN
  SELECT * INTO s FROM emu_settings;
  EXECUTE format('CREATE SERVER emuc FOREIGN DATA WRAPPER azbilling_fdw
                  OPTIONS (endpoint %L, login_endpoint %L, ca_file %L, cache_ttl %L)',
                 s.url, s.url, s.ca, '300');
END $$;
CREATE USER MAPPING FOR CURRENT_USER SERVER emuc
  OPTIONS (tenant_id 'test-tenant', client_id 'test-client', client_secret 'test-secret');
CREATE SCHEMA cached;
IMPORT FOREIGN SCHEMA azure_billing LIMIT TO (invoices, billing_accounts, billing_profiles)
  FROM SERVER emuc INTO cached;

-- the ARM requests since the last emu_reset()
CREATE FUNCTION arm_gets() RETURNS bigint LANGUAGE sql
  AS $$ SELECT count(*) FROM emu_requests() $$;
CREATE FUNCTION q1() RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM cached.invoices
  WHERE billing_account_name = acct('mca1') AND invoice_date >= '2026-01-01' AND invoice_date < '2026-04-01' $$;
CREATE FUNCTION q2() RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM cached.invoices
  WHERE billing_account_name = acct('mca2') AND invoice_date >= '2026-01-01' AND invoice_date < '2026-04-01' $$;
-- q1's page under another URL (periodStartDate=2026-01-02): about as large
CREATE FUNCTION q3() RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM cached.invoices
  WHERE billing_account_name = acct('mca1') AND invoice_date >= '2026-01-02' AND invoice_date < '2026-04-01' $$;

-- a first scan asks Azure; the same scan again does not
SELECT azbilling_cache_clear() >= 0 AS cleared;
SELECT q1() AS rows, arm_gets() AS requests;
SELECT emu_reset();
SELECT q1() AS rows, arm_gets() AS requests;
-- another scan is another request, then cached too
SELECT q2() AS rows, arm_gets() AS requests;
SELECT emu_reset();
SELECT q2() AS rows, arm_gets() AS requests;

-- a chain of pages, served page by page; an unscoped scan's enumeration too
SELECT emu_config('{"page_size": 3}');
SELECT azbilling_cache_clear() > 0 AS cleared;
SELECT count(*) AS rows, arm_gets() AS requests FROM cached.invoices WHERE invoice_date >= '2025-01-01';
SELECT emu_reset();
SELECT emu_config('{"page_size": 3}');
SELECT count(*) AS rows, arm_gets() AS requests FROM cached.invoices WHERE invoice_date >= '2025-01-01';
-- EXPLAIN ANALYZE counts the hits (its Azure lines: the node line's row
-- format and the buffers differ between PostgreSQL versions)
CREATE FUNCTION azure_plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE l text;
BEGIN
  FOR l IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    IF ltrim(l) LIKE 'Azure %' OR ltrim(l) LIKE 'Rows Removed%' THEN
      RETURN NEXT l;
    END IF;
  END LOOP;
END $$;
SELECT azure_plan($$SELECT * FROM cached.invoices WHERE invoice_date >= '2025-01-01'$$);
SELECT arm_gets() AS requests;
-- azbilling_stats: cache hits instead of requests
SELECT q1();
SELECT azbilling_stats_reset();
SELECT q1();
SELECT operation, requests, pages, rows, cache_hits FROM azbilling_stats
WHERE server = 'emuc' AND operation <> '(token)';
-- azbilling_cache_clear() drops them all, and says how many
SELECT azbilling_cache_clear() AS dropped;
SELECT azbilling_cache_clear() AS dropped;
SELECT emu_reset();
SELECT q1() AS rows, arm_gets() AS requests;
SELECT azure_plan($$SELECT * FROM cached.invoices WHERE billing_account_name = acct('mca1') AND invoice_date >= '2026-01-01' AND invoice_date < '2026-04-01'$$);

-- another user mapping never sees this mapping's pages
CREATE ROLE azb_cache_other;
GRANT USAGE ON SCHEMA cached TO azb_cache_other;
GRANT SELECT ON ALL TABLES IN SCHEMA cached TO azb_cache_other;
GRANT EXECUTE ON FUNCTION q1() TO azb_cache_other;
GRANT SELECT ON acct TO azb_cache_other;
CREATE USER MAPPING FOR azb_cache_other SERVER emuc
  OPTIONS (tenant_id 'test-tenant', client_id 'test-client', client_secret 'test-secret');
SELECT emu_reset();
SELECT q1() AS rows, arm_gets() AS requests;
SET ROLE azb_cache_other;
SELECT q1() AS rows;
RESET ROLE;
SELECT arm_gets() AS requests;
SELECT emu_reset();
SET ROLE azb_cache_other;
SELECT q1() AS rows;
RESET ROLE;
SELECT arm_gets() AS requests;
-- ... and without SELECT on the table, a cached page is no way round it
REVOKE SELECT ON cached.invoices FROM azb_cache_other;
SET ROLE azb_cache_other;
SELECT * FROM try($$SELECT q1()$$) WHERE field IN ('sqlstate', 'message');
RESET ROLE;

-- ALTER USER MAPPING drops that mapping's pages, not the other's
SELECT emu_reset();
ALTER USER MAPPING FOR azb_cache_other SERVER emuc OPTIONS (SET tenant_id 'test-tenant-2');
SELECT q1() AS rows, arm_gets() AS requests;
ALTER USER MAPPING FOR CURRENT_USER SERVER emuc OPTIONS (SET tenant_id 'test-tenant-2');
SELECT q1() AS rows, arm_gets() AS requests;
-- ALTER SERVER drops the server's pages
SELECT emu_reset();
ALTER SERVER emuc OPTIONS (ADD max_retries '3');
SELECT q1() AS rows, arm_gets() AS requests;
-- ALTER FOREIGN TABLE too
SELECT emu_reset();
ALTER FOREIGN TABLE cached.invoices OPTIONS (ADD async_capable 'true');
SELECT q1() AS rows, arm_gets() AS requests;
-- a request other than GET through the FDW (writes, operation functions)
-- drops the server's pages
SELECT emu_reset();
SELECT q1() AS rows, arm_gets() AS requests;
SELECT azbilling_call('emuc', 'Address_Validate', '{}', '{"addressLine1": "1 Main St", "country": "US"}') IS NOT NULL AS answered;
SELECT emu_reset();
SELECT q1() AS rows, arm_gets() AS requests;

-- LRU: room for one of two pages of about 12 kB; the least recently used goes
ALTER SERVER emuc OPTIONS (ADD cache_max_bytes '20000');
SELECT emu_reset();
SELECT q1() AS rows, q3() AS rows3, arm_gets() AS requests;
SELECT emu_reset();
SELECT q3() AS rows3, arm_gets() AS requests;
SELECT q1() AS rows, arm_gets() AS requests;
SELECT emu_reset();
SELECT q1() AS rows, arm_gets() AS requests;
SELECT q3() AS rows3, arm_gets() AS requests;
-- a page larger than the bound is not kept at all
ALTER SERVER emuc OPTIONS (SET cache_max_bytes '1000');
SELECT q1() AS rows;
SELECT emu_reset();
SELECT q1() AS rows, arm_gets() AS requests;
ALTER SERVER emuc OPTIONS (DROP cache_max_bytes);

-- a table's cache_ttl overrides the server's; 0 turns the cache off
ALTER FOREIGN TABLE cached.invoices OPTIONS (ADD cache_ttl '0');
SELECT q1() AS rows;
SELECT emu_reset();
SELECT q1() AS rows, arm_gets() AS requests;
SELECT azure_plan($$SELECT * FROM cached.invoices WHERE billing_account_name = acct('mca1') AND invoice_date >= '2026-01-01' AND invoice_date < '2026-04-01'$$);
-- a 1-second TTL: the page is asked for again once it is older (polled, at most 10 s)
ALTER FOREIGN TABLE cached.invoices OPTIONS (SET cache_ttl '1');
SELECT q1() AS rows;
DO $$
BEGIN
  FOR i IN 1..100 LOOP
    PERFORM emu_reset();
    PERFORM q1();
    IF arm_gets() > 0 THEN
      RAISE NOTICE 'the page was asked for again after its TTL';
      RETURN;
    END IF;
    PERFORM pg_sleep(0.1);
  END LOOP;
  RAISE EXCEPTION 'the cached page never expired';
END $$;

-- clean up
DROP USER MAPPING FOR azb_cache_other SERVER emuc;
REVOKE ALL ON ALL TABLES IN SCHEMA cached FROM azb_cache_other;
REVOKE ALL ON SCHEMA cached FROM azb_cache_other;
REVOKE ALL ON FUNCTION q1() FROM azb_cache_other;
REVOKE ALL ON acct FROM azb_cache_other;
DROP ROLE azb_cache_other;
DROP SCHEMA cached CASCADE;
DROP SERVER emuc CASCADE;
SELECT emu_reset();
