--
-- writes: INSERT, UPDATE and DELETE on the foreign tables (modify.c),
-- against the emulator's stateful writes; what reached Azure is read from
-- the emulator's write log
--
SET TimeZone = 'UTC';
\getenv emu_url AZB_EMULATOR_URL
\getenv emu_ca AZB_EMULATOR_CA
SELECT emu_reset();
CREATE FUNCTION w_writes() RETURNS TABLE (method text, path text, body jsonb) LANGUAGE sql
  AS $$ SELECT e->>'method', emu_short(e->>'path'), e->'body'
        FROM jsonb_array_elements(emu_call('GET', '/_admin/writes/log')) e ORDER BY (e->>'seq')::int $$;
CREATE FUNCTION w_arm() RETURNS TABLE (method text, path text, status int) LANGUAGE sql
  AS $$ SELECT method, regexp_replace(emu_short(path), '/w-[0-9]+$', '/w-<n>'), status
        FROM emu_log() WHERE path NOT LIKE '%/oauth2/%' ORDER BY seq $$;
CREATE FUNCTION w_mode(mode jsonb) RETURNS void LANGUAGE sql
  AS $$ SELECT emu_call('POST', '/_admin/writes', mode); $$;

CREATE SERVER emud FOREIGN DATA WRAPPER azbilling_fdw
  OPTIONS (endpoint :'emu_url', login_endpoint :'emu_url', ca_file :'emu_ca');
CREATE USER MAPPING FOR CURRENT_USER SERVER emud
  OPTIONS (tenant_id 'test-tenant', client_id 'test-client', client_secret 'test-secret');
CREATE SCHEMA wr;
IMPORT FOREIGN SCHEMA azure_billing
  LIMIT TO (billing_profiles, invoice_sections, billing_subscriptions, billing_role_assignments)
  FROM SERVER emud INTO wr;

-- updatable defaults to false: PostgreSQL refuses, and nothing is sent
SELECT * FROM try($$INSERT INTO wr.invoice_sections (billing_account_name, billing_profile_name, name, display_name)
                    VALUES (acct('mca1'), 'AAAA-1111-BP1-PRF', 'NEW-1', 'New')$$);
SELECT * FROM try($$DELETE FROM wr.invoice_sections$$);
SELECT table_name, is_insertable_into FROM information_schema.tables
WHERE table_schema = 'wr' ORDER BY 1;
SELECT count(*) AS writes FROM w_writes();

ALTER SERVER emud OPTIONS (ADD updatable 'true');
-- the verbs each table's operations support
SELECT c.relname,
       pg_relation_is_updatable(c.oid, false) & 8 <> 0 AS can_insert,
       pg_relation_is_updatable(c.oid, false) & 4 <> 0 AS can_update,
       pg_relation_is_updatable(c.oid, false) & 16 <> 0 AS can_delete
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'wr' ORDER BY 1;

--
-- INSERT creates: a GET first (404), then the PUT with the row's columns
--
SELECT emu_reset();
INSERT INTO wr.invoice_sections (billing_account_name, billing_profile_name, name, display_name, tags)
VALUES (acct('mca1'), 'AAAA-1111-BP1-PRF', 'NEW-1', 'New section', '{"team": "platform"}')
RETURNING name, display_name, tags, provisioning_state, billing_profile_name;
SELECT * FROM w_arm();
SELECT * FROM w_writes();
-- the new item is there for a SELECT
SELECT name, display_name FROM wr.invoice_sections
WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF' AND name = 'NEW-1';
-- an existing item: 23505, and no PUT
SELECT emu_reset();
SELECT * FROM try($$INSERT INTO wr.invoice_sections (billing_account_name, billing_profile_name, name, display_name)
                    VALUES (acct('mca1'), 'AAAA-1111-BP1-PRF', 'AAAA-1111-IS1-SEC', 'Again')$$);
SELECT count(*) AS writes FROM w_writes();
-- a read-only column is an error naming it
SELECT * FROM try($$INSERT INTO wr.invoice_sections (billing_account_name, billing_profile_name, name, provisioning_state)
                    VALUES (acct('mca1'), 'AAAA-1111-BP1-PRF', 'NEW-2', 'Succeeded')$$);
-- a row that names no route
SELECT * FROM try($$INSERT INTO wr.invoice_sections (name, display_name) VALUES ('NEW-3', 'x')$$);
SELECT count(*) AS writes FROM w_writes();

--
-- UPDATE: a PATCH sends only the assigned columns (NULL as null)
--
SELECT min(name) AS sub FROM wr.billing_subscriptions
WHERE billing_account_name = acct('mca1') AND invoice_section_name = 'AAAA-1111-IS1-SEC' \gset
SELECT emu_reset();
UPDATE wr.billing_subscriptions SET display_name = 'Renamed', consumption_cost_center = NULL
WHERE billing_account_name = acct('mca1') AND name = :'sub'
RETURNING name, display_name, consumption_cost_center;
SELECT method, path, body FROM w_writes();
-- where the item has a PUT and no PATCH, the PUT carries the item as read, assignments merged
SELECT emu_reset();
UPDATE wr.invoice_sections SET display_name = 'Platform (renamed)'
WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF' AND name = 'AAAA-1111-IS1-SEC'
RETURNING name, display_name;
SELECT method, path, body - 'id' - 'name' - 'type' AS body FROM w_writes();
-- the item's identity is not a property: the hint names the move
SELECT * FROM try($$UPDATE wr.billing_subscriptions SET invoice_section_name = 'AAAA-1111-IS2-SEC'
                    WHERE billing_account_name = acct('mca1')$$);
SELECT * FROM try($$UPDATE wr.invoice_sections SET name = 'X' WHERE billing_account_name = acct('mca1')$$);
SELECT * FROM try($$UPDATE wr.invoice_sections SET provisioning_state = 'X' WHERE billing_account_name = acct('mca1')$$);
-- a read-only key inside an assigned jsonb value (three levels deep) is refused by its full path
SELECT * FROM try($$UPDATE wr.billing_subscriptions SET system_overrides = '{"cancellation": "Allowed"}'
                    WHERE billing_account_name = acct('mca1') AND name = '$$ || :'sub' || $$'$$);
SELECT count(*) AS writes FROM w_writes();

--
-- DELETE: 200 counts the row; RETURNING gives the old row
--
SELECT emu_reset();
DELETE FROM wr.invoice_sections
WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF' AND name = 'AAAA-1111-IS2-SEC'
RETURNING name, display_name;
SELECT method, path FROM w_writes();
SELECT count(*) FROM wr.invoice_sections
WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF' AND name = 'AAAA-1111-IS2-SEC';
-- 202 followed to its end counts; a direct 204 does not
CREATE FUNCTION w_delete_section(mode jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  PERFORM emu_reset();
  PERFORM w_mode(mode);
  WITH d AS (DELETE FROM wr.invoice_sections
             WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
               AND name = 'AAAA-1111-IS2-SEC' RETURNING 1)
  SELECT count(*) INTO n FROM d;
  RETURN n;
END $$;
SELECT w_delete_section('{"operation": "InvoiceSections_Delete", "mode": "location"}') AS deleted;
SELECT method, status FROM w_arm();
SELECT w_delete_section('{"operation": "InvoiceSections_Delete", "mode": "sync", "status": 204}') AS deleted;

--
-- max_write_rows: the statement stops before the write that would pass it
--
SELECT emu_reset();
ALTER FOREIGN TABLE wr.invoice_sections OPTIONS (ADD max_write_rows '2');
SELECT count(*) AS sections FROM wr.invoice_sections WHERE billing_account_name = acct('mca1');
\set VERBOSITY terse
SELECT * FROM try($$DELETE FROM wr.invoice_sections WHERE billing_account_name = acct('mca1')$$);
\set VERBOSITY default
SELECT method, count(*) FROM w_writes() GROUP BY 1;
ALTER FOREIGN TABLE wr.invoice_sections OPTIONS (DROP max_write_rows);
-- at its default (100), a DELETE without WHERE stops before the 101st
-- request: a table pinned to a profile that the emulator seeds (for this
-- test only) with 101 more invoice sections
SELECT emu_reset();
SELECT acct('mca1') AS mca1 \gset
SELECT jsonb_array_length(emu_call('POST', '/_admin/writes/seed', jsonb_build_object(
         'collection', format('/providers/Microsoft.Billing/billingAccounts/%s/billingProfiles/AAAA-2222-BP2-PRF/invoiceSections', :'mca1'),
         'count', 101, 'prefix', 'BULK')) -> 'seeded') AS seeded;
CREATE FOREIGN TABLE wr.bulk_sections (name text, display_name text)
  SERVER emud OPTIONS (resource 'invoice_sections', billing_account_name :'mca1', billing_profile_name 'AAAA-2222-BP2-PRF');
SELECT count(*) AS sections, count(*) FILTER (WHERE name LIKE 'BULK-%') AS seeded FROM wr.bulk_sections;
\set VERBOSITY terse
SELECT * FROM try($$DELETE FROM wr.bulk_sections$$);
\set VERBOSITY default
SELECT method, count(*) AS requests, count(DISTINCT path) AS items FROM w_writes() GROUP BY 1;
SELECT count(*) AS left_over FROM wr.bulk_sections;
DROP FOREIGN TABLE wr.bulk_sections;

--
-- route choice: a policy row bound by its customer is written at the customer's route
--
SELECT emu_reset();
CREATE SCHEMA wp;
IMPORT FOREIGN SCHEMA azure_billing LIMIT TO (policies) FROM SERVER emud INTO wp;
UPDATE wp.policies SET view_charges = 'Allowed'
WHERE billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
  AND customer_name = 'c1000000-0000-0000-0000-000000000001'
RETURNING customer_name, view_charges;
SELECT method, path, body #>> '{properties,viewCharges}' AS view_charges FROM w_writes();
SELECT method, path FROM w_arm() WHERE method = 'GET';
UPDATE wp.policies SET marketplace_purchases = 'AllAllowed'
WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
RETURNING customer_name, marketplace_purchases;
SELECT method, path FROM w_writes();
DROP SCHEMA wp CASCADE;

--
-- not transactional, never silent
--
SELECT emu_reset();
\set VERBOSITY terse
BEGIN;
UPDATE wr.billing_subscriptions SET display_name = 'In a transaction'
WHERE billing_account_name = acct('mca1') AND name = :'sub';
ROLLBACK;
BEGIN;
SAVEPOINT s1;
UPDATE wr.billing_subscriptions SET display_name = 'In a savepoint'
WHERE billing_account_name = acct('mca1') AND name = :'sub';
ROLLBACK TO SAVEPOINT s1;
COMMIT;
\set VERBOSITY default
SELECT count(*) AS applied FROM w_writes();
SELECT display_name FROM wr.billing_subscriptions WHERE billing_account_name = acct('mca1') AND name = :'sub';
-- PREPARE TRANSACTION after writes is refused
BEGIN;
UPDATE wr.billing_subscriptions SET display_name = 'Prepared?'
WHERE billing_account_name = acct('mca1') AND name = :'sub';
-- (the abort's WARNING is shown above; here only the error)
SET LOCAL client_min_messages = error;
\set VERBOSITY terse
PREPARE TRANSACTION 'azb_dml';
\set VERBOSITY default
-- read-only transactions refuse
BEGIN READ ONLY;
SELECT * FROM try($$UPDATE wr.billing_subscriptions SET display_name = 'x' WHERE billing_account_name = acct('mca1')$$);
ROLLBACK;

--
-- unknown outcomes: a PATCH whose answer was lost is 40003 and not sent again; a PUT is retried
--
SELECT emu_reset();
SELECT emu_fault('{"fault": "apply_then_500", "method": "PATCH", "match": "/billingSubscriptions/", "retry_after": 0}');
SELECT field, value FROM try($$UPDATE wr.billing_subscriptions SET display_name = 'Lost'
                              WHERE billing_account_name = acct('mca1') AND name = '$$ || :'sub' || $$'$$)
WHERE field IN ('sqlstate', 'message');
SELECT method, count(*) FROM w_writes() GROUP BY 1;
SELECT emu_reset();
SELECT emu_fault('{"fault": "apply_then_500", "method": "PUT", "match": "/invoiceSections/NEW-5", "retry_after": 0}');
INSERT INTO wr.invoice_sections (billing_account_name, billing_profile_name, name, display_name)
VALUES (acct('mca1'), 'AAAA-1111-BP1-PRF', 'NEW-5', 'Retried') RETURNING name;
SELECT method, count(*) FROM w_writes() GROUP BY 1;

--
-- EXPLAIN sends nothing; dry run sends no mutating request
--
SELECT emu_reset();
EXPLAIN (COSTS OFF) UPDATE wr.billing_subscriptions SET display_name = 'x'
WHERE billing_account_name = acct('mca1') AND name = :'sub';
EXPLAIN (COSTS OFF) INSERT INTO wr.billing_role_assignments (billing_account_name, billing_profile_name, invoice_section_name, principal_id)
VALUES ('a', 'b', 'c', 'd');
SELECT count(*) AS requests FROM w_arm();
SET azbilling.dry_run = on;
UPDATE wr.billing_subscriptions SET display_name = 'Dry'
WHERE billing_account_name = acct('mca1') AND name = :'sub' RETURNING display_name;
INSERT INTO wr.invoice_sections (billing_account_name, billing_profile_name, name, display_name)
VALUES (acct('mca1'), 'AAAA-1111-BP1-PRF', 'DRY-1', 'Dry') RETURNING name, display_name;
RESET azbilling.dry_run;
SELECT count(*) AS writes FROM w_writes();
SELECT method FROM w_arm();

--
-- a non-superuser writes only with their own user mapping
--
CREATE ROLE azb_dml_user LOGIN;
GRANT USAGE ON SCHEMA wr TO azb_dml_user;
GRANT SELECT, UPDATE ON wr.billing_subscriptions TO azb_dml_user;
GRANT USAGE ON FOREIGN SERVER emud TO azb_dml_user;
GRANT SELECT ON acct TO azb_dml_user;
SET ROLE azb_dml_user;
SELECT * FROM try($$UPDATE wr.billing_subscriptions SET display_name = 'Mine' WHERE billing_account_name = acct('mca1')$$)
WHERE field IN ('sqlstate', 'message');
RESET ROLE;
CREATE USER MAPPING FOR azb_dml_user SERVER emud
  OPTIONS (tenant_id 'test-tenant', client_id 'test-client', client_secret 'test-secret');
SELECT emu_reset();
SET ROLE azb_dml_user;
UPDATE wr.billing_subscriptions SET display_name = 'Mine'
WHERE billing_account_name = acct('mca1') AND name = :'sub' RETURNING display_name;
RESET ROLE;
DROP USER MAPPING FOR azb_dml_user SERVER emud;
DROP OWNED BY azb_dml_user;
DROP ROLE azb_dml_user;

--
-- the README's recipes
--
SELECT emu_reset();
-- grant Invoice section reader to everyone in a local team table
CREATE TABLE team (principal_id text, email text);
INSERT INTO team VALUES ('aaaaaaaa-0000-4000-8000-000000000001', 'ana@contoso.example'),
                        ('aaaaaaaa-0000-4000-8000-000000000002', 'ben@contoso.example');
INSERT INTO wr.billing_role_assignments
       (billing_account_name, billing_profile_name, invoice_section_name, principal_id, role_definition_id)
SELECT acct('mca1'), 'AAAA-1111-BP1-PRF', 'AAAA-1111-IS1-SEC', t.principal_id,
       format('/providers/Microsoft.Billing/billingAccounts/%s/billingProfiles/AAAA-1111-BP1-PRF/invoiceSections/AAAA-1111-IS1-SEC/billingRoleDefinitions/30000000-aaaa-bbbb-cccc-100000000002', acct('mca1'))
FROM team t
RETURNING name, principal_id;
SELECT method, path, body->>'principalId' AS principal FROM w_writes();
-- create one invoice section per row of a cost-centre table
CREATE TABLE cost_centre (code text, title text);
INSERT INTO cost_centre VALUES ('CC-ENG', 'Engineering'), ('CC-OPS', 'Operations');
INSERT INTO wr.invoice_sections (billing_account_name, billing_profile_name, name, display_name)
SELECT acct('mca1'), 'AAAA-1111-BP1-PRF', code, title FROM cost_centre
RETURNING name, display_name;
-- set the PO number on every billing profile of an account
UPDATE wr.billing_profiles SET po_number = 'PO-2027'
WHERE billing_account_name = acct('mca1')
RETURNING name, po_number;
-- move every subscription tagged for a department to its section
CREATE TABLE department_section (consumption_cost_center text, section_id text);
INSERT INTO department_section
SELECT consumption_cost_center, format('/providers/Microsoft.Billing/billingAccounts/%s/billingProfiles/AAAA-1111-BP1-PRF/invoiceSections/AAAA-1111-IS2-SEC', acct('mca1'))
FROM wr.billing_subscriptions WHERE billing_account_name = acct('mca1') AND display_name LIKE 'Contoso Platform%';
SELECT s.display_name,
       azbilling_billing_subscription_move('emud', s.billing_account_name, s.name, d.section_id)
         #>> '{properties,invoiceSectionName}' AS moved_to
FROM wr.billing_subscriptions s JOIN department_section d USING (consumption_cost_center)
WHERE s.billing_account_name = acct('mca1')
ORDER BY 1;
SELECT method, count(*) FROM w_writes() GROUP BY 1 ORDER BY 1;
SELECT emu_reset();
