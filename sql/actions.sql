--
-- actions: address validation and download URLs as functions, with
-- Azure's long-running operations followed to the end
--
SET TimeZone = 'UTC';
SELECT emu_reset();
SELECT emu_config('{"lro_retry_after": 0, "lro_polls": 2}');
-- an invoice document: POST download, 202 + Location polled until 200
SELECT regexp_replace(url, '^https://[^/]+(/blob/[^?]+)\?.*se=.*$', '\1') AS blob,
       expires_at > now() AS expires_later
FROM azbilling_invoice_download_url('emu', acct('mca1'), 'G000000271');
SELECT method, emu_short(regexp_replace(path, '_[0-9a-f-]{36}$', '_<id>')) AS path, status
FROM emu_log() WHERE path NOT LIKE '%/oauth2/%' ORDER BY seq;
SELECT emu_reset();
SELECT emu_config('{"lro_retry_after": 0}');
-- a named document, and the 2019-10-01-preview route (per billing profile)
SELECT regexp_replace(url, '^https://[^/]+(/blob/[^?]+)\?.*$', '\1') AS blob
FROM azbilling_invoice_download_url('emu', acct('mca1'), 'G000000271', document_name => 'G000000271');
SELECT regexp_replace(url, '^https://[^/]+(/blob/[^?]+)\?.*$', '\1') AS blob
FROM azbilling_invoice_download_url('emu19', acct('mca1'), 'G000000271', billing_profile_name => 'AAAA-1111-BP1-PRF');
SELECT * FROM try($$SELECT * FROM azbilling_invoice_download_url('emu19', acct('mca1'), 'G000000271')$$);
-- a final answer that is a bare JSON string: the expiry comes from the SAS "se"
SELECT emu_config('{"lro_bare_string": true}');
SELECT regexp_replace(url, '^https://[^/]+(/blob/[^?]+)\?.*$', '\1') AS blob,
       expires_at > now() AS expires_later
FROM azbilling_invoice_download_url('emu', acct('mca1'), 'G000000272');
SELECT emu_config('{"lro_bare_string": false}');
-- price sheets, per billing profile and per invoice
SELECT regexp_replace(url, '^https://[^/]+(/blob/[^?]+)\?.*$', '\1') AS blob
FROM azbilling_price_sheet_download_url('emu', acct('mca1'), 'AAAA-1111-BP1-PRF');
SELECT regexp_replace(url, '^https://[^/]+(/blob/[^?]+)\?.*$', '\1') AS blob
FROM azbilling_price_sheet_download_url('emu', acct('mca1'), 'AAAA-1111-BP1-PRF', 'G000000271');
-- the blob is fetched without the token
SELECT emu_reset();
SELECT emu_config('{"lro_retry_after": 0}');
CREATE TEMP TABLE blob (line text);
DO $$
DECLARE u text; c text;
BEGIN
  SELECT url INTO u FROM azbilling_invoice_download_url('emu', acct('mca1'), 'G000000271');
  SELECT ca INTO c FROM emu_settings;
  EXECUTE format('COPY blob FROM PROGRAM %L',
                 format('curl -sS --fail --cacert %s ''%s'' | head -c 8; echo', c, u));
END $$;
SELECT line FROM blob;
SELECT listener, method, path ~ '^/blob/' AS blob, auth FROM emu_log()
WHERE path NOT LIKE '%/oauth2/%' ORDER BY seq;
SELECT emu_reset();
-- errors of actions follow the same rules as scans
SELECT * FROM try($$SELECT * FROM azbilling_invoice_download_url('emu', acct('mca1'), 'G999')$$);
SELECT * FROM try($$SELECT * FROM azbilling_invoice_download_url('emu', acct('mca1'), NULL)$$);
SELECT * FROM try($$SELECT * FROM azbilling_invoice_download_url('no_such_server', 'a', 'b')$$);
CREATE FOREIGN DATA WRAPPER not_ours_fdw;
CREATE SERVER not_ours FOREIGN DATA WRAPPER not_ours_fdw;
SELECT * FROM try($$SELECT * FROM azbilling_invoice_download_url('not_ours', 'a', 'b')$$);
DROP FOREIGN DATA WRAPPER not_ours_fdw CASCADE;
SELECT emu_fault('{"match": "/download", "fault": "status", "status": 202, "headers": {"Location": "https://127.0.0.2:1/elsewhere"}}');
SELECT * FROM try($$SELECT * FROM azbilling_invoice_download_url('emu', acct('mca1'), 'G000000271')$$);
SELECT emu_reset();
-- a wait that would pass statement_timeout ends at once
SELECT emu_config('{"lro_retry_after": 30}');
SET statement_timeout = '2s';
SELECT * FROM try($$SELECT * FROM azbilling_invoice_download_url('emu', acct('mca1'), 'G000000271')$$);
RESET statement_timeout;
SELECT emu_reset();
-- address validation
SELECT azbilling_validate_address('emu', '{"addressLine1": "1 Microsoft Way", "city": "Redmond", "region": "WA", "postalCode": "98052", "country": "US"}');
SELECT azbilling_validate_address('emu', '{"addressLine1": "invalid street", "country": "US"}') ->> 'status';
SELECT * FROM try($$SELECT azbilling_validate_address('emu', '[]')$$);
-- the caller's own user mapping, and USAGE on the server, are required
CREATE ROLE azb_caller;
GRANT SELECT ON acct TO azb_caller;
SET ROLE azb_caller;
SELECT * FROM try($$SELECT azbilling_validate_address('emu', '{"country": "US"}')$$);
RESET ROLE;
GRANT USAGE ON FOREIGN SERVER emu TO azb_caller;
SET ROLE azb_caller;
SELECT * FROM try($$SELECT azbilling_validate_address('emu', '{"country": "US"}')$$);
RESET ROLE;
REVOKE USAGE ON FOREIGN SERVER emu FROM azb_caller;
REVOKE SELECT ON acct FROM azb_caller;
DROP ROLE azb_caller;
SELECT emu_reset();
