--
-- sync: azbilling_sync keeps local tables in step with foreign tables,
-- one committed window at a time, and resumes where it stopped.
--
\setenv PGDATABASE :DBNAME
SET timezone = 'UTC';
CREATE SCHEMA local;
SELECT emu_reset();

CREATE FUNCTION n_requests() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM emu_requests() $$;

-- 1. first sync of invoices, monthly windows (the run's NOTICEs via psql)
\! psql -X -q -c "CALL azbilling_sync('billing.invoices', 'local.invoices', since => '2026-01-01', until => '2026-12-01')" 2>&1 | sed -E 's/[0-9]+\.[0-9] s$/<t> s/'
SELECT count(*), min(invoice_date), max(invoice_date), count(DISTINCT billing_account_name) FROM local.invoices;
SELECT count(*) FROM (SELECT * FROM billing.invoices WHERE invoice_date >= '2026-01-01' AND invoice_date < '2026-12-01'
                      EXCEPT SELECT * FROM local.invoices) d;
SELECT n_requests() AS first_requests \gset
SELECT :first_requests > 11 AS several_requests_per_window;
-- the target has the source's columns and a primary key on id
SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
WHERE a.attrelid = 'local.invoices'::regclass AND a.attnum > 0 ORDER BY a.attnum LIMIT 5;
SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'local.invoices'::regclass AND contype = 'p';
SELECT target, source, date_column, high_water, windows_done, rows_synced, last_finished IS NOT NULL AS finished
FROM azbilling_sync_state;

-- 2. the next call starts at the high-water mark minus overlap: fewer requests
SELECT emu_reset();
\! psql -X -q -c "CALL azbilling_sync('billing.invoices', 'local.invoices', until => '2026-12-01', overlap => '45 days')" 2>&1 | sed -E 's/[0-9]+\.[0-9] s$/<t> s/'
SELECT n_requests() < :first_requests AS fewer_requests;
SELECT DISTINCT substring(query from 'periodStartDate=[0-9-]+') FROM emu_requests() WHERE path LIKE '%/invoices' ORDER BY 1;
SELECT count(*) FROM local.invoices;
SELECT target, high_water, windows_done, rows_synced FROM azbilling_sync_state;

-- 3. a failure mid-way keeps the windows done; the next call resumes
SELECT emu_reset();
SELECT emu_fault('{"match": "/invoices", "query": "periodStartDate=2026-06-01", "fault": "status", "status": 400, "code": "Broken", "message": "Window failed."}');
\! psql -X -q -c "CALL azbilling_sync('billing.invoices', 'local.inv2', since => '2026-01-01', until => '2026-12-01', overlap => '0')" 2>&1 | sed -E 's/[0-9]+\.[0-9] s$/<t> s/; s/request-id [0-9a-f-]+/request-id <id>/g; s/(billingAccounts\/)[^/]+/\1<account>/'
SELECT count(*), max(invoice_date) FROM local.inv2;
SELECT high_water, windows_done, last_finished IS NULL AS unfinished FROM azbilling_sync_state WHERE target = 'local.inv2';
SELECT emu_reset();
\! psql -X -q -c "CALL azbilling_sync('billing.invoices', 'local.inv2', until => '2026-12-01', overlap => '0')" 2>&1 | sed -E 's/[0-9]+\.[0-9] s$/<t> s/'
SELECT count(*), max(invoice_date) FROM local.inv2;
SELECT DISTINCT substring(query from 'periodStartDate=[0-9-]+') FROM emu_requests() WHERE path LIKE '%/invoices' ORDER BY 1;

-- 4. a table without a date column is refreshed whole; delete_missing
SET client_min_messages = warning;
CALL azbilling_sync('billing.billing_profiles', 'local.profiles');
RESET client_min_messages;
SELECT count(*) FROM local.profiles;
INSERT INTO local.profiles (id, name) VALUES ('/gone', 'gone');
\! psql -X -q -c "CALL azbilling_sync('billing.billing_profiles', 'local.profiles')" 2>&1 | sed -E 's/[0-9]+\.[0-9] s$/<t> s/'
SELECT count(*) FROM local.profiles WHERE id = '/gone';
\! psql -X -q -c "CALL azbilling_sync('billing.billing_profiles', 'local.profiles', delete_missing => true)" 2>&1 | sed -E 's/[0-9]+\.[0-9] s$/<t> s/'
SELECT count(*) FROM local.profiles WHERE id = '/gone';
SELECT target, date_column, high_water, windows_done FROM azbilling_sync_state WHERE target = 'local.profiles';
-- with windows, delete_missing removes the window's rows that are gone
INSERT INTO local.invoices (id, name, invoice_date) VALUES ('/gone', 'gone', '2026-11-20');
SET client_min_messages = warning;
CALL azbilling_sync('billing.invoices', 'local.invoices', until => '2026-12-01', overlap => '15 days', delete_missing => true);
RESET client_min_messages;
SELECT count(*) FROM local.invoices WHERE id = '/gone';
SELECT count(*) FROM local.invoices;

-- 5. a second sync of the same target is refused while one runs
CREATE EXTENSION dblink;
SELECT dblink_connect('other', format('dbname=%s host=%s port=%s', current_database(),
                      split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port')));
SELECT emu_reset();
SELECT emu_fault('{"match": "/invoices", "fault": "slow", "ms": 3000, "count": 1}');
SELECT dblink_send_query('other', $$CALL azbilling_sync('billing.invoices', 'local.inv3', since => '2026-01-01', until => '2026-02-01')$$);
DO $$
BEGIN
  FOR i IN 1..200 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
                       AND classid::int = hashtext('azbilling_sync') AND objid::int = hashtext('local.inv3')
                       AND pid <> pg_backend_pid());
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
CALL azbilling_sync('billing.invoices', 'local.inv3', since => '2026-01-01', until => '2026-02-01');
SELECT * FROM dblink_get_result('other') AS r(x text);
SELECT dblink_disconnect('other');
SELECT count(*) FROM local.inv3;

-- 6. bad arguments: clear errors, nothing written
SELECT * FROM try($$CALL azbilling_sync('billing.invoices', 'local.bad', window_size => '0')$$);
SELECT * FROM try($$CALL azbilling_sync('billing.invoices', 'local.bad', window_size => '-1 day')$$);
SELECT * FROM try($$CALL azbilling_sync('billing.invoices', 'local.bad', overlap => '-1 day')$$);
SELECT * FROM try($$CALL azbilling_sync('acct', 'local.bad')$$);
SELECT * FROM try($$CALL azbilling_sync('billing.invoices', 'local.profiles')$$);
CREATE TABLE local.shape (LIKE local.invoices, PRIMARY KEY (id));
ALTER TABLE local.shape ALTER status TYPE jsonb USING to_jsonb(status), ADD extra int;
SELECT * FROM try($$CALL azbilling_sync('billing.invoices', 'local.shape')$$);
CREATE TABLE local.nokey AS SELECT * FROM local.invoices WITH NO DATA;
SELECT * FROM try($$CALL azbilling_sync('billing.invoices', 'local.nokey')$$);
SELECT * FROM try($$CALL azbilling_sync('billing.invoices', 'a.b.c')$$);
SELECT * FROM try($$CALL azbilling_sync(NULL, 'local.bad')$$);
-- inside a transaction block: refused before anything is fetched or created
SELECT emu_reset();
SELECT * FROM try($$CALL azbilling_sync('billing.invoices', 'local.bad')$$);
SELECT to_regclass('local.bad'), n_requests();
SELECT count(*) FROM azbilling_sync_state WHERE target LIKE 'local.bad%' OR target = 'local.nokey';
