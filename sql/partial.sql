--
-- partial: skip_forbidden.  The emulator's partial reader (client
-- partial-reader) may read MCA1, MPA and MOSP, not MCA2 and the EA
-- enrollment: ARM lists all five accounts to it and answers 403
-- AuthorizationFailed under the forbidden two.  A scope the FDW enumerated
-- itself is skipped with a NOTICE when skip_forbidden is on; a scope the
-- query named is always an error.
--
\getenv emu_url AZB_EMULATOR_URL
\getenv emu_ca AZB_EMULATOR_CA

SELECT emu_reset();
-- one request at a time, so that the NOTICEs come in a stable order
CREATE SERVER part FOREIGN DATA WRAPPER azbilling_fdw
  OPTIONS (endpoint :'emu_url', login_endpoint :'emu_url', ca_file :'emu_ca', max_concurrency '1');
CREATE USER MAPPING FOR CURRENT_USER SERVER part
  OPTIONS (tenant_id 'test-tenant', client_id 'partial-reader', client_secret 'partial-secret');
CREATE SCHEMA part;
IMPORT FOREIGN SCHEMA azure_billing LIMIT TO (billing_accounts, billing_profiles, invoices, transactions)
  FROM SERVER part INTO part;

-- the option's values
SELECT * FROM try($$ALTER SERVER part OPTIONS (ADD skip_forbidden 'sometimes')$$);
SELECT * FROM try($$ALTER FOREIGN TABLE part.invoices OPTIONS (ADD skip_forbidden 'x')$$);
SELECT * FROM try($$CREATE USER MAPPING FOR PUBLIC SERVER part OPTIONS (skip_forbidden 'true')$$);

-- every account is listed, the forbidden ones without read access
SELECT a.alias, b.has_read_access FROM part.billing_accounts b JOIN acct a ON a.name = b.name ORDER BY 1;

-- skip_forbidden off (the default): the first 403 ends the query
SELECT * FROM try($$SELECT count(*) FROM part.billing_profiles$$);
SELECT * FROM try($$SELECT count(*) FROM part.invoices WHERE invoice_date >= '2026-01-01'$$);

-- on: the readable accounts' rows, and a NOTICE per skipped scope
ALTER SERVER part OPTIONS (ADD skip_forbidden 'true');
SELECT a.alias, count(*) FROM part.billing_profiles p JOIN acct a ON a.name = p.billing_account_name
GROUP BY 1 ORDER BY 1;
SELECT a.alias, count(*) FROM part.invoices i JOIN acct a ON a.name = i.billing_account_name
WHERE invoice_date >= '2026-01-01' GROUP BY 1 ORDER BY 1;
-- deeper: transactions enumerate accounts, then profiles, then list
SELECT a.alias, count(*) FROM part.transactions t JOIN acct a ON a.name = t.billing_account_name
WHERE date >= '2026-06-01' AND date < '2026-07-01' GROUP BY 1 ORDER BY 1;
-- the same rows as the full identity's, for the readable accounts
SELECT (SELECT count(*) FROM part.invoices WHERE invoice_date >= '2026-01-01') =
       (SELECT count(*) FROM billing.invoices WHERE invoice_date >= '2026-01-01'
          AND billing_account_name IN (acct('mca1'), acct('mpa'), acct('mosp'))) AS same_rows;

-- a scope the query names is an error even with the option on
SELECT * FROM try($$SELECT count(*) FROM part.billing_profiles WHERE billing_account_name = acct('mca2')$$);
SELECT * FROM try($$SELECT count(*) FROM part.billing_profiles
                    WHERE billing_account_name IN (acct('mca1'), acct('mca2'))$$);
-- ... and a readable one named works
SELECT count(*) FROM part.billing_profiles WHERE billing_account_name = acct('mca1');
-- so is the table's own pinned scope
CREATE FOREIGN TABLE part.ea_invoices (name text, invoice_date timestamptz)
  SERVER part OPTIONS (resource 'invoices', billing_account_name '8608480');
SELECT * FROM try($$SELECT count(*) FROM part.ea_invoices WHERE invoice_date >= '2026-01-01'$$);

-- the table option overrides the server's, both ways
ALTER FOREIGN TABLE part.billing_profiles OPTIONS (ADD skip_forbidden 'false');
SELECT * FROM try($$SELECT count(*) FROM part.billing_profiles$$);
ALTER SERVER part OPTIONS (SET skip_forbidden 'false');
ALTER FOREIGN TABLE part.billing_profiles OPTIONS (SET skip_forbidden 'true');
SELECT count(*) FROM part.billing_profiles;
SELECT * FROM try($$SELECT count(*) FROM part.invoices WHERE invoice_date >= '2026-01-01'$$);

-- EXPLAIN ANALYZE counts the skipped scopes, VERBOSE names them
CREATE FUNCTION skipped_lines(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE l text;
BEGIN
  FOR l IN EXECUTE q LOOP
    IF l LIKE '%Azure Skipped%' THEN
      RETURN NEXT emu_short(l);
    END IF;
  END LOOP;
END $$;
SELECT skipped_lines('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM part.billing_profiles');
SELECT skipped_lines('EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM part.billing_profiles');
-- nothing skipped: a count of 0; the option off: no line
SELECT skipped_lines('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM part.billing_profiles WHERE billing_account_name = acct(''mca1'')');
SELECT skipped_lines('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM part.billing_accounts');

-- azbilling_stats counts the skipped scopes, and no error
SELECT azbilling_stats_reset();
SELECT count(*) FROM part.billing_profiles;
SELECT count(*) FROM part.billing_profiles;
SELECT operation, requests, skipped, errors FROM azbilling_stats
WHERE server = 'part' AND operation <> '(token)' ORDER BY 1;

DROP SCHEMA part CASCADE;
DROP FUNCTION skipped_lines(text);
DROP USER MAPPING FOR CURRENT_USER SERVER part;
DROP SERVER part;
