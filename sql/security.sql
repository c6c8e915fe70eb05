--
-- security: TLS, loopback-only http, encoding of values, secrets
--
SET TimeZone = 'UTC';
SELECT emu_reset();

-- a certificate from another CA is refused
SELECT wrongca_url AS wrongca, url AS emu_url, ca AS emu_ca FROM emu_settings \gset
CREATE SERVER wrongca FOREIGN DATA WRAPPER azbilling_fdw
  OPTIONS (endpoint :'wrongca', login_endpoint :'emu_url', ca_file :'emu_ca');
CREATE USER MAPPING FOR CURRENT_USER SERVER wrongca OPTIONS (access_token 'emu-static-token');
CREATE FOREIGN TABLE wrongca_accounts (name text) SERVER wrongca OPTIONS (resource 'billing_accounts');
SELECT * FROM try($$SELECT count(*) FROM wrongca_accounts$$);
DROP SERVER wrongca CASCADE;
-- plain http to a loopback host works (for local testing), with a static token
SELECT http_url AS http FROM emu_settings \gset
CREATE SERVER plain FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (endpoint :'http');
CREATE USER MAPPING FOR CURRENT_USER SERVER plain OPTIONS (access_token 'emu-static-token');
CREATE FOREIGN TABLE plain_accounts (name text, display_name text) SERVER plain OPTIONS (resource 'billing_accounts');
SELECT count(*) FROM plain_accounts;
-- a wrong static token is Azure's 401, reported as such
ALTER USER MAPPING FOR CURRENT_USER SERVER plain OPTIONS (SET access_token 'not-a-valid-tok3n');
SELECT * FROM try($$SELECT count(*) FROM plain_accounts$$);
DROP SERVER plain CASCADE;
-- values from queries are percent-encoded path segments, never path syntax
SELECT emu_reset();
SELECT count(*) FROM billing.invoices WHERE billing_account_name = '../../subscriptions' AND name = 'x?y#z';
SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1') AND name = '100% a/b c';
SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1') AND name = 'façade€';
SELECT count(*) FROM billing.invoices WHERE name = '..';
SELECT raw_path FROM emu_log() WHERE method = 'GET' ORDER BY seq;
-- the token never leaves for another host: the other listener saw no Authorization
SELECT emu_reset();
SELECT emu_fault('{"match": "/invoices", "fault": "foreign_nextlink"}');
SELECT * FROM try($$SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1')$$);
SELECT listener, auth FROM emu_log() WHERE method = 'GET' ORDER BY seq;
-- ... unless a superuser trusts that host: then it is followed, with the token
ALTER SERVER emu OPTIONS (ADD trusted_hosts '127.0.0.2');
SELECT emu_reset();
SELECT emu_config('{"page_size": 20}');
SELECT emu_fault('{"match": "/invoices", "fault": "foreign_nextlink", "listener": "main"}');
SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1');
SELECT listener, auth FROM emu_log() WHERE method = 'GET' ORDER BY seq;
ALTER SERVER emu OPTIONS (DROP trusted_hosts);
SELECT emu_reset();
-- secrets appear in no error, NOTICE or EXPLAIN
EXPLAIN (VERBOSE, ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF)
SELECT count(*) FROM billing.invoices WHERE billing_account_name = acct('mca1')
  AND invoice_date >= '2026-10-01' AND invoice_date < '2026-11-01';
SELECT emu_reset();
