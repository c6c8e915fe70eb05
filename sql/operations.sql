--
-- operations: azbilling_call and azbilling_operations over the one request
-- path (operation.c, lro.c), against the emulator's stateful writes
--
SET TimeZone = 'UTC';
\getenv emu_url AZB_EMULATOR_URL
\getenv emu_ca AZB_EMULATOR_CA
SELECT emu_reset();
CREATE FUNCTION emu_write_mode(mode jsonb) RETURNS void LANGUAGE sql
  AS $$ SELECT emu_call('POST', '/_admin/writes', mode); $$;
-- the write requests the emulator received, with their bodies
CREATE FUNCTION emu_writes() RETURNS TABLE (method text, path text, body jsonb) LANGUAGE sql
  AS $$ SELECT e->>'method', emu_short(e->>'path'), e->'body'
        FROM jsonb_array_elements(emu_call('GET', '/_admin/writes/log')) e ORDER BY (e->>'seq')::int $$;
-- the ARM requests (token requests left out), operation ids masked
CREATE FUNCTION emu_arm() RETURNS TABLE (method text, path text, query text, status int) LANGUAGE sql
  AS $$ SELECT method, regexp_replace(emu_short(path), '/w-[0-9]+$', '/w-<n>'), query, status
        FROM emu_log() WHERE path NOT LIKE '%/oauth2/%' ORDER BY seq $$;
-- the path parameters of a transfer of mca1's first invoice section
CREATE FUNCTION tp(transfer text) RETURNS jsonb LANGUAGE sql STABLE
  AS $$ SELECT jsonb_build_object('billingAccountName', acct('mca1'),
                                  'billingProfileName', 'AAAA-1111-BP1-PRF',
                                  'invoiceSectionName', 'AAAA-1111-IS1-SEC',
                                  'transferName', transfer) $$;
\set t1 '''aaaa7777000040008000000000000001'''

-- a server that allows changes
CREATE SERVER emuw FOREIGN DATA WRAPPER azbilling_fdw
  OPTIONS (endpoint :'emu_url', login_endpoint :'emu_url', ca_file :'emu_ca', updatable 'true',
           max_write_rows '10');
CREATE USER MAPPING FOR CURRENT_USER SERVER emuw
  OPTIONS (tenant_id 'test-tenant', client_id 'test-client', client_secret 'test-secret');
SELECT * FROM try($$ALTER SERVER emuw OPTIONS (ADD max_write_rows '0')$$);
SELECT * FROM try($$ALTER SERVER emuw OPTIONS (SET updatable 'maybe')$$);

--
-- the catalogue: every operation of both api-versions
--
SELECT api_version, count(*) AS operations, count(*) FILTER (WHERE method <> 'GET') AS non_get,
       count(*) FILTER (WHERE mutating) AS mutating, count(*) FILTER (WHERE long_running) AS long_running
FROM azbilling_operations() GROUP BY 1 ORDER BY 1;
SELECT method, count(*) FILTER (WHERE mutating) AS mutating, count(*) FILTER (WHERE NOT mutating) AS reading
FROM azbilling_operations() WHERE api_version = '2024-04-01' GROUP BY 1 ORDER BY 1;
SELECT operation_id, method, path, resource, mutating, long_running, final_state_via,
       path_parameters, query_parameters, body_model, body_required
FROM azbilling_operations()
WHERE api_version = '2024-04-01'
  AND operation_id IN ('BillingSubscriptions_Move', 'Invoices_DownloadByBillingAccount', 'Address_Validate',
                       'Transactions_ListByBillingProfile')
ORDER BY 1;

--
-- reads and validations need no updatable
--
SELECT azbilling_call('emu', 'Transfers_Get', tp(:t1)) #>> '{properties,transferStatus}' AS status;
SELECT azbilling_call('emu', 'Address_Validate', '{}', '{"addressLine1": "1 Main St", "country": "US"}') AS answer;
-- a change on a server without updatable is refused, and nothing is sent
SELECT emu_reset();
SELECT * FROM try($$SELECT azbilling_call('emu', 'Transfers_Cancel', tp('aaaa7777000040008000000000000001'))$$);
SELECT * FROM emu_arm();

--
-- a synchronous change, seen by the next SELECT
--
SELECT azbilling_call('emuw', 'Transfers_Cancel', tp(:t1)) #>> '{properties,transferStatus}' AS status;
SELECT name, transfer_status FROM billing.transfers
WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
  AND invoice_section_name = 'AAAA-1111-IS1-SEC' ORDER BY name;
-- a PUT create with a body, then listed
SELECT azbilling_call('emuw', 'Transfers_Initiate', tp('newtransfer'),
                      '{"properties": {"recipientEmailId": "someone@contoso.example"}}') #>> '{properties,transferStatus}';
SELECT name, transfer_status, recipient_email_id FROM billing.transfers
WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
  AND invoice_section_name = 'AAAA-1111-IS1-SEC' ORDER BY name;
SELECT * FROM emu_writes();

--
-- long-running operations
--
-- 202 + Location, polled twice (202, 202) until it answers the item
SELECT emu_reset();
SELECT emu_write_mode('{"operation": "Transfers_Cancel", "mode": "location", "polls": 2}');
SELECT azbilling_call('emuw', 'Transfers_Cancel', tp(:t1)) #>> '{properties,transferStatus}' AS status;
SELECT * FROM emu_arm();
-- 202 + Azure-AsyncOperation: the status resource until Succeeded, then the Location
SELECT emu_reset();
SELECT emu_write_mode('{"operation": "Transfers_Cancel", "mode": "async", "polls": 1, "location": true}');
SELECT azbilling_call('emuw', 'Transfers_Cancel', tp(:t1)) #>> '{properties,transferStatus}' AS status;
SELECT * FROM emu_arm();
-- a PUT answered with a non-terminal provisioningState: the item is polled
SELECT emu_reset();
SELECT emu_write_mode('{"operation": "Transfers_Initiate", "mode": "provisioning", "polls": 2}');
SELECT azbilling_call('emuw', 'Transfers_Initiate', tp('prov'), '{"properties": {}}')
       #>> '{properties,provisioningState}' AS state;
SELECT * FROM emu_arm();
-- a relative Location, and one that carries another api-version: used verbatim
SELECT emu_reset();
SELECT emu_write_mode('{"operation": "Transfers_Cancel", "mode": "relative"}');
SELECT azbilling_call('emuw', 'Transfers_Cancel', tp(:t1)) #>> '{properties,transferStatus}' AS status;
SELECT emu_write_mode('{"operation": "Transfers_Cancel", "mode": "other_version"}');
SELECT azbilling_call('emuw', 'Transfers_Cancel', tp(:t1)) #>> '{properties,transferStatus}' AS status;
SELECT * FROM emu_arm();
-- a Location on another host is not followed, and no token goes there
SELECT emu_reset();
SELECT emu_write_mode('{"operation": "Transfers_Cancel", "mode": "foreign"}');
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Cancel', tp('aaaa7777000040008000000000000001'))$$);
SELECT listener, method, status FROM emu_log() WHERE path NOT LIKE '%/oauth2/%' ORDER BY seq;
-- unless a superuser trusts that host: then it is polled there, with the token
ALTER SERVER emuw OPTIONS (ADD trusted_hosts '127.0.0.2');
SELECT emu_reset();
SELECT emu_write_mode('{"operation": "Transfers_Cancel", "mode": "foreign"}');
SELECT azbilling_call('emuw', 'Transfers_Cancel', tp(:t1)) #>> '{properties,transferStatus}' AS status;
SELECT listener, method, status, auth FROM emu_log() WHERE path NOT LIKE '%/oauth2/%' ORDER BY seq;
ALTER SERVER emuw OPTIONS (DROP trusted_hosts);
-- Failed (status resource) and Canceled (Location): errors carrying Azure's error
SELECT emu_reset();
SELECT emu_write_mode('{"operation": "Transfers_Cancel", "mode": "async", "final": "Failed"}');
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Cancel', tp('aaaa7777000040008000000000000001'))$$);
SELECT emu_write_mode('{"operation": "Transfers_Cancel", "mode": "location", "final": "Canceled"}');
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Cancel', tp('aaaa7777000040008000000000000001'))$$);
-- neither changed anything
SELECT transfer_status FROM billing.transfers
WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
  AND invoice_section_name = 'AAAA-1111-IS1-SEC' AND name = :t1;
-- 429 on a poll is waited out
SELECT emu_reset();
SELECT emu_write_mode('{"operation": "Transfers_Cancel", "mode": "location"}');
SELECT emu_fault('{"fault": "status", "status": 429, "method": "GET", "match": "/operationResults/", "retry_after": 0}');
SELECT azbilling_call('emuw', 'Transfers_Cancel', tp(:t1)) #>> '{properties,transferStatus}' AS status;
SELECT method, path, status FROM emu_arm();
-- a DELETE answered 204: NULL
SELECT emu_reset();
SELECT azbilling_call('emuw', 'InvoiceSections_Delete',
                      jsonb_build_object('billingAccountName', acct('mca1'), 'billingProfileName', 'AAAA-1111-BP1-PRF',
                                         'invoiceSectionName', 'NO-SUCH-SEC')) IS NULL AS is_null;

--
-- unknown outcomes: a POST whose answer is lost is not sent again (40003);
-- a PUT is retried
--
SELECT emu_reset();
SELECT emu_fault('{"fault": "apply_then_500", "method": "POST", "match": "/cancel", "retry_after": 0}');
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Cancel', tp('aaaa7777000040008000000000000001'))$$);
SELECT method, count(*) FROM emu_writes() GROUP BY 1;
SELECT transfer_status FROM billing.transfers
WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
  AND invoice_section_name = 'AAAA-1111-IS1-SEC' AND name = :t1;
SELECT emu_reset();
SELECT emu_fault('{"fault": "apply_then_reset", "method": "POST", "match": "/cancel"}');
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Cancel', tp('aaaa7777000040008000000000000001'))$$);
SELECT method, count(*) FROM emu_writes() GROUP BY 1;
SELECT emu_reset();
SELECT emu_fault('{"fault": "apply_then_500", "method": "PUT", "match": "/transfers/", "retry_after": 0}');
SELECT azbilling_call('emuw', 'Transfers_Initiate', tp('retried'), '{"properties": {}}') ->> 'name' AS name;
SELECT method, count(*) FROM emu_writes() GROUP BY 1;
-- a 429 on a POST is retried: Azure throttled it before doing anything
SELECT emu_reset();
SELECT emu_fault('{"fault": "status", "status": 429, "method": "POST", "match": "/cancel", "retry_after": 0}');
SELECT azbilling_call('emuw', 'Transfers_Cancel', tp(:t1)) #>> '{properties,transferStatus}' AS status;
SELECT method, status FROM emu_arm();
-- a 409 and a problem-details 400 are plain errors
SELECT emu_reset();
SELECT emu_fault('{"fault": "status", "status": 409, "method": "POST", "match": "/cancel"}');
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Cancel', tp('aaaa7777000040008000000000000001'))$$);
SELECT emu_fault('{"fault": "status", "status": 400, "method": "POST", "match": "/cancel", "body_shape": "problem", "message": "The transfer cannot be cancelled."}');
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Cancel', tp('aaaa7777000040008000000000000001'))$$);

--
-- read-only transactions refuse changes; dry run sends nothing
--
SELECT emu_reset();
BEGIN READ ONLY;
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Cancel', tp('aaaa7777000040008000000000000001'))$$);
SELECT azbilling_call('emuw', 'Transfers_Get', tp(:t1)) #>> '{properties,transferStatus}' AS a_read_is_fine;
ROLLBACK;
SET azbilling.dry_run = on;
SELECT azbilling_call('emuw', 'Transfers_Initiate', tp('dry'), '{"properties": {"recipientEmailId": "a@b.example"}}') IS NULL AS is_null;
SELECT azbilling_call('emuw', 'Transfers_Cancel', tp(:t1)) IS NULL AS is_null;
-- reads still go out under dry run
SELECT azbilling_call('emuw', 'Transfers_Get', tp(:t1)) #>> '{properties,transferStatus}' AS status;
RESET azbilling.dry_run;
SELECT count(*) AS writes_received FROM emu_writes();
SELECT method, path FROM emu_arm();

--
-- parameter errors
--
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Frobnicate')$$);
SELECT * FROM try($$SELECT azbilling_call('emuw', 'BillingSubscriptions_Transfer', '{}')$$);
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Cancel', '{"billingAccountName": "a"}')$$);
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Cancel', tp('x') || '{"transferId": "y"}')$$);
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Cancel', tp('x') || '{"api-version": "2019-10-01-preview"}')$$);
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Cancel', tp(''))$$);
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Cancel', '[1]')$$);
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Cancel', tp('x'), '{}')$$);
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Initiate', tp('x'))$$);
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transactions_ListByBillingProfile', '{"billingAccountName": "a", "billingProfileName": "b"}')$$);
SELECT * FROM try($$SELECT azbilling_call('emuw', NULL)$$);
SELECT * FROM try($$SELECT azbilling_call('no_such_server', 'Transfers_Get')$$);

--
-- named actions: thin wrappers over azbilling_call
--
SELECT emu_reset();
SELECT min(name) AS sub FROM billing.billing_subscriptions
WHERE billing_account_name = acct('mca1') AND invoice_section_name = 'AAAA-1111-IS1-SEC' \gset
SELECT format('/providers/Microsoft.Billing/billingAccounts/%s/billingProfiles/AAAA-1111-BP1-PRF/invoiceSections/AAAA-1111-IS2-SEC',
              acct('mca1')) AS dest \gset
SELECT azbilling_billing_subscription_validate_move('emu', acct('mca1'), :'sub', :'dest') AS eligible;
SELECT azbilling_billing_subscription_move('emuw', acct('mca1'), :'sub', :'dest') #>> '{properties,invoiceSectionName}' AS moved_to;
SELECT invoice_section_name FROM billing.billing_subscriptions
WHERE billing_account_name = acct('mca1') AND name = :'sub';
SELECT azbilling_transfer_initiate('emuw', acct('mca1'), 'AAAA-1111-BP1-PRF', 'AAAA-1111-IS1-SEC', 'named',
                                   'recipient@contoso.example') #>> '{properties,recipientEmailId}' AS recipient;
SELECT azbilling_transfer_cancel('emuw', acct('mca1'), 'AAAA-1111-BP1-PRF', 'AAAA-1111-IS1-SEC', 'named')
       #>> '{properties,transferStatus}' AS status;
SELECT min(name) AS rt FROM billing.recipient_transfers \gset
SELECT azbilling_recipient_transfer_validate('emu', :'rt') AS validation;
SELECT azbilling_recipient_transfer_decline('emuw', :'rt') #>> '{properties,transferStatus}' AS status;
SELECT transfer_status FROM billing.recipient_transfers WHERE name = :'rt';
SELECT azbilling_billing_profile_validate_delete('emu', acct('mca1'), 'AAAA-1111-BP1-PRF') AS profile_delete,
       azbilling_invoice_section_validate_delete('emu', acct('mca1'), 'AAAA-1111-BP1-PRF', 'AAAA-1111-IS2-SEC') AS section_delete;
SELECT * FROM try($$SELECT azbilling_recipient_transfer_accept('emu', 'x')$$);
SELECT method, path, body FROM emu_writes();
SELECT * FROM try($$SELECT azbilling_transfer_cancel('emuw', NULL, 'p', 's', 't')$$);
SELECT * FROM try($$SELECT azbilling_product_move('emuw', 'a', 'p', '')$$);
-- at 2019-10-01-preview, Transfers_Initiate is a POST without a transfer name
SELECT * FROM try($$SELECT azbilling_transfer_initiate('emu19', 'a', 'p', 's', 't', 'x@y.example')$$);
-- the same named action where 2019 has the same operation
SELECT azbilling_recipient_transfer_validate('emu19', :'rt') AS validation;
-- the caller needs USAGE on the server, and runs with its own user mapping
CREATE ROLE azb_ops_nobody;
GRANT EXECUTE ON FUNCTION azbilling_call(text, text, jsonb, jsonb) TO azb_ops_nobody;
GRANT SELECT ON acct TO azb_ops_nobody;    -- try() shortens account names
SET ROLE azb_ops_nobody;
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Transfers_Get', '{}')$$);
RESET ROLE;
GRANT USAGE ON FOREIGN SERVER emuw TO azb_ops_nobody;
SET ROLE azb_ops_nobody;
SELECT * FROM try($$SELECT azbilling_call('emuw', 'Address_Validate', '{}', '{"addressLine1": "1 Main St", "country": "US"}')$$);
RESET ROLE;
REVOKE ALL ON FOREIGN SERVER emuw FROM azb_ops_nobody;
REVOKE ALL ON FUNCTION azbilling_call(text, text, jsonb, jsonb) FROM azb_ops_nobody;
REVOKE ALL ON acct FROM azb_ops_nobody;
DROP ROLE azb_ops_nobody;
SELECT emu_reset();
