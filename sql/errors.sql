--
-- errors: Azure's failures become errors with a code, detail, hint and the
-- request; never partial or silently empty results
--
SET TimeZone = 'UTC';
SELECT emu_reset();
-- set each fault in turn and count mca1's invoices: one row per fault, with
-- what try() shows
CREATE FUNCTION try_faults(VARIADIC faults jsonb[])
RETURNS TABLE (fault jsonb, sqlstate text, message text, detail text, hint text, context text)
LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1 .. cardinality(faults) LOOP
    PERFORM emu_fault(faults[i]);
    RETURN QUERY SELECT faults[i], t.sqlstate, t.message, t.detail, t.hint, t.context
                 FROM try_count('billing.invoices', $q$billing_account_name = acct('mca1')$q$) t;
  END LOOP;
END $$;
-- ARM error bodies in their three shapes, and none
SELECT * FROM try_faults(
  '{"match": "/invoices", "fault": "status", "status": 400, "code": "InvalidDateRange", "message": "The date range is invalid."}',
  '{"match": "/invoices", "fault": "status", "status": 403, "body_shape": "bare", "code": "AuthorizationFailed", "message": "No access."}',
  '{"match": "/invoices", "fault": "status", "status": 400, "body_shape": "problem"}',
  '{"match": "/invoices", "fault": "status", "status": 409, "body_shape": "none"}') \gx
SELECT emu_reset();
-- a scope that does not exist is an error for a list, no row for a point lookup
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = 'no-such-account'$$);
SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1') AND name = 'G404';
-- an account whose agreement type lacks the operation: an error saying so,
-- whether Azure answers 400 or an empty list
SELECT * FROM try($$SELECT count(*) FROM billing.departments WHERE billing_account_name = acct('mca1')$$);
SELECT * FROM try($$SELECT count(*) FROM billing.billing_profiles WHERE billing_account_name = acct('ea')$$);
SELECT * FROM try($$SELECT count(*) FROM billing.products WHERE billing_account_name = acct('ea')$$);
-- ... and an empty list of a supported type is just empty
SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('ea') AND invoice_date > '2030-01-01';
SELECT * FROM emu_requests();
SELECT emu_reset();
-- transient failures are retried (server delays honoured); then the rows come
ALTER SERVER emu OPTIONS (ADD max_retries '3');
SELECT emu_fault('{"match": "/invoices", "fault": "status", "status": 429, "retry_after_ms": 50, "count": 2}',
                 '{"match": "/invoices", "fault": "status", "status": 503, "x_ms_retry_after_ms": 20, "nth": 3}');
SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1') AND invoice_date >= '2026-01-01';
SELECT fault, status FROM emu_log() WHERE path LIKE '%/invoices' ORDER BY seq;
SELECT emu_reset();
SELECT emu_fault('{"match": "/invoices", "fault": "status", "status": 502, "retry_after": 0}',
                 '{"match": "/invoices", "fault": "truncated"}',
                 '{"match": "/invoices", "fault": "status", "status": 408, "retry_after": 0}');
SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1') AND invoice_date >= '2026-01-01';
SELECT fault, status FROM emu_log() WHERE path LIKE '%/invoices' ORDER BY seq;
SELECT emu_reset();
-- retries spent: an error naming the status, the ARM code and the request id
SELECT emu_fault('{"match": "/invoices", "fault": "status", "status": 429, "retry_after_ms": 10, "count": 0}');
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1')$$);
SELECT count(*) AS attempts FROM emu_log() WHERE path LIKE '%/invoices';
SELECT emu_reset();
ALTER SERVER emu OPTIONS (SET max_retries '2');
SELECT emu_fault('{"match": "/invoices", "fault": "reset", "count": 0}');
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1')$$);
SELECT emu_reset();
-- errors that retrying cannot mend are not retried
SELECT emu_fault('{"match": "/invoices", "fault": "status", "status": 400}');
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1')$$);
SELECT count(*) AS attempts FROM emu_log() WHERE path LIKE '%/invoices';
SELECT emu_reset();
ALTER SERVER emu OPTIONS (DROP max_retries);
-- bad answers
SELECT * FROM try_faults('{"match": "/invoices", "fault": "malformed"}', '{"match": "/invoices", "fault": "html"}',
                         '{"match": "/invoices", "fault": "wrong_content_type"}',
                         '{"match": "/invoices", "fault": "bad_item"}') \gx
ALTER SERVER emu OPTIONS (ADD max_retries '0');
SELECT emu_fault('{"match": "/invoices", "fault": "status", "status": 503, "body_shape": "html"}');
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1')$$);
ALTER SERVER emu OPTIONS (DROP max_retries);
SELECT emu_reset();
-- a value that does not fit its column is an error naming table, column and value
SELECT emu_fault('{"match": "/invoices", "fault": "bad_value", "item": 0}');
SELECT * FROM try($$SELECT name, invoice_date, due_date, invoice_period_start_date, invoice_period_end_date
                    FROM billing.invoices WHERE billing_account_name = acct('mca1')$$);
SELECT emu_fault('{"match": "/invoices", "fault": "bad_value", "item": 0}');
SELECT * FROM try($$SELECT name, amount_due FROM billing.invoices WHERE billing_account_name = acct('mca1')$$);
-- ... unless the column is declared to take it
CREATE FOREIGN TABLE loose_invoices (name text, billing_account_name text, due_date text, amount_due jsonb)
  SERVER emu OPTIONS (resource 'invoices');
SELECT emu_fault('{"match": "/invoices", "fault": "bad_value", "item": 0}');
SELECT name, due_date, amount_due FROM loose_invoices WHERE billing_account_name = acct('mca1') LIMIT 1;
DROP FOREIGN TABLE loose_invoices;
SELECT emu_reset();
-- items without an id still decode
SELECT emu_fault('{"match": "/invoices", "fault": "no_id", "count": 0}');
SELECT count(*), count(id), count(billing_account_name) FROM billing.invoices
WHERE billing_account_name = acct('mca1') AND invoice_date >= '2026-01-01';
SELECT emu_reset();
-- the answer size cap
ALTER SERVER emu OPTIONS (ADD max_response_bytes '4096');
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1')$$);
ALTER SERVER emu OPTIONS (DROP max_response_bytes);
-- token endpoint failures show Entra's error, never the secret
GRANT USAGE ON SCHEMA billing TO azb_user;
GRANT SELECT ON billing.invoices, acct TO azb_user;
GRANT EXECUTE ON FUNCTION try(text) TO azb_user;
CREATE USER MAPPING FOR azb_user SERVER emu
  OPTIONS (tenant_id 'test-tenant', client_id 'test-client', client_secret 'wrong-s3cret');
SET ROLE azb_user;
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1')$$);
RESET ROLE;
ALTER SERVER emu OPTIONS (ADD max_retries '1');
SELECT emu_fault('{"match": "/oauth2/v2.0/token", "fault": "status", "status": 503, "body_shape": "html", "count": 0}');
SET ROLE azb_user;
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1')$$);
RESET ROLE;
ALTER SERVER emu OPTIONS (DROP max_retries);
SELECT emu_reset();
DROP USER MAPPING FOR azb_user SERVER emu;
-- no user mapping at all
CREATE ROLE azb_nomap;
GRANT USAGE ON SCHEMA billing TO azb_nomap;
GRANT SELECT ON billing.invoices, acct TO azb_nomap;
SET ROLE azb_nomap;
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1')$$);
RESET ROLE;
-- a token that expires mid-scan is refreshed once and the page resumed
SELECT emu_config('{"page_size": 10}');
SELECT emu_fault('{"match": "/invoices", "fault": "expire_token", "nth": 3}');
SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1');
SELECT method, status, fault FROM emu_log() ORDER BY seq;
SELECT emu_reset();
-- ... but a second 401 in a row is an error
SELECT emu_fault('{"match": "/invoices", "fault": "expire_token", "count": 2}');
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1')$$);
SELECT emu_reset();
-- billing_property is per subscription: without one, the FDW lists them
SELECT count(*), count(DISTINCT billing_account_id) FROM billing.billing_property;
SELECT emu_reset();
