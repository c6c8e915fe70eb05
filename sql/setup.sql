--
-- setup: the extension, a server and user mapping for the emulator, and
-- helpers that drive the emulator's admin API and read its request log.
-- The emulator's addresses come from the environment (test/run sets them).
--
CREATE EXTENSION azbilling_fdw;
SELECT fdwname, fdwhandler::regproc, fdwvalidator::regproc FROM pg_foreign_data_wrapper;
SELECT p.proname, d.description IS NOT NULL AS documented FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid WHERE p.proname LIKE 'azbilling%' ORDER BY 1;

\getenv emu_url AZB_EMULATOR_URL
\getenv emu_http AZB_EMULATOR_HTTP_URL
\getenv emu_other AZB_EMULATOR_OTHER_URL
\getenv emu_wrongca AZB_EMULATOR_WRONGCA_URL
\getenv emu_ca AZB_EMULATOR_CA

CREATE TABLE emu_settings (url text, http_url text, other_url text, wrongca_url text, ca text);
INSERT INTO emu_settings VALUES (:'emu_url', :'emu_http', :'emu_other', :'emu_wrongca', :'emu_ca');

-- names of the emulator's data set
CREATE TABLE acct (alias text PRIMARY KEY, name text);
INSERT INTO acct VALUES
  ('mca1', '11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31'),
  ('mca2', '22222222-2222-2222-2222-222222222222:22222222-2222-2222-2222-222222222222_2020-01-15'),
  ('ea',   '8608480'),
  ('mpa',  '33333333-3333-3333-3333-333333333333:33333333-3333-3333-3333-333333333333_2018-09-30'),
  ('mosp', '44444444-4444-4444-4444-444444444444:44444444-4444-4444-4444-444444444444_2016-01-01');

CREATE FUNCTION acct(alias text) RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT name FROM acct a WHERE a.alias = acct.alias $$;
CREATE TABLE emu_out (line text);
CREATE TABLE emu_log_rows (seq int, listener text, method text, path text,
                           query text, status int, auth boolean, fault text, raw_path text);

-- call the admin API; body (if any) travels base64-encoded through the shell
CREATE FUNCTION emu_call(method text, path text, body jsonb DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  s emu_settings;
  cmd text;
  result text;
BEGIN
  SELECT * INTO s FROM emu_settings;
  cmd := format('curl -sS --fail --cacert %s -X %s', s.ca, method);
  IF body IS NOT NULL THEN
    cmd := format('echo %s | base64 -d | %s -H "Content-Type: application/json" --data-binary @-',
                  replace(encode(convert_to(body::text, 'UTF8'), 'base64'), E'\n', ''), cmd);
  END IF;
  cmd := cmd || ' ' || s.url || path;
  TRUNCATE emu_out;
  EXECUTE format('COPY emu_out FROM PROGRAM %L WITH (FORMAT csv, QUOTE %L, DELIMITER %L)',
                 cmd, E'\x01', E'\x02');
  SELECT string_agg(line, E'\n') INTO result FROM emu_out;
  RETURN result::jsonb;
END $$;

CREATE FUNCTION emu_reset() RETURNS void LANGUAGE sql
  AS $$ SELECT emu_call('POST', '/_admin/reset', '{}'); $$;
CREATE FUNCTION emu_config(cfg jsonb) RETURNS void LANGUAGE sql
  AS $$ SELECT emu_call('POST', '/_admin/config', cfg); $$;
CREATE FUNCTION emu_fault(VARIADIC faults jsonb[]) RETURNS void LANGUAGE sql
  AS $$ SELECT emu_call('POST', '/_admin/faults', jsonb_build_object('faults', to_jsonb(faults))); $$;

-- the request log, oldest first
CREATE FUNCTION emu_log() RETURNS TABLE (seq int, listener text, method text, path text,
                                          query text, status int, auth boolean, fault text,
                                          raw_path text)
LANGUAGE plpgsql AS $$
DECLARE
  s emu_settings;
BEGIN
  SELECT * INTO s FROM emu_settings;
  TRUNCATE emu_log_rows;
  EXECUTE format('COPY emu_log_rows FROM PROGRAM %L',
                 format('curl -sS --fail --cacert %s %s/_admin/log.tsv | tail -n +2', s.ca, s.url));
  RETURN QUERY SELECT * FROM emu_log_rows ORDER BY 1;
END $$;

-- ARM requests (the token endpoint left out), sorted (concurrent requests
-- arrive in any order), with account names shortened
-- to their aliases and today's date made stable
CREATE FUNCTION emu_short(t text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE a record;
BEGIN
  FOR a IN SELECT * FROM acct LOOP
    t := replace(t, a.name, '{' || a.alias || '}');
    t := replace(t, replace(a.name, ':', '%3A'), '{' || a.alias || '}');
  END LOOP;
  RETURN replace(t, to_char((now() AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD'), 'TODAY');
END $$;
CREATE FUNCTION emu_requests() RETURNS TABLE (path text, query text)
LANGUAGE sql AS $$
  SELECT emu_short(path), emu_short(query)
  FROM emu_log() WHERE method = 'GET' AND path LIKE '%/providers/Microsoft.Billing/%'
  ORDER BY 1, 2 $$;

-- run a statement; on error show its fields, with request ids masked
CREATE FUNCTION try(q text) RETURNS TABLE (field text, value text)
LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text; det text; hin text; ctx text;
BEGIN
  EXECUTE q;
  RETURN QUERY SELECT 'ok'::text, NULL::text;
EXCEPTION WHEN query_canceled OR others THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                          hin = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT;
  det := regexp_replace(det, '\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ|\d+/\d+/\d{4} \d+:\d\d:\d\d [AP]M', '<time>', 'g');
  det := regexp_replace(emu_short(det), '(request-id) [0-9a-f-]+', '\1 <id>', 'g');
  det := regexp_replace(det, '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<guid>', 'g');
  ctx := regexp_replace(emu_short(split_part(ctx, E'\n', 1)),
                        '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<guid>', 'g');
  IF ctx LIKE 'PL/pgSQL%' OR ctx LIKE 'SQL statement%' THEN ctx := NULL; END IF;
  RETURN QUERY SELECT * FROM (VALUES ('sqlstate', st), ('message', emu_short(msg)),
                                     ('detail', emu_short(det)), ('hint', emu_short(hin)),
                                     ('context', emu_short(ctx))) v(f, t)
               WHERE t IS NOT NULL AND t <> '';
END $$;

-- run statements one after another, each as try() does: one row each, with
-- the statement (white space folded) and what try() shows (sqlstate 'ok':
-- no error), so that one query lists a family of errors; show it with \gx
CREATE FUNCTION try_each(VARIADIC stmts text[])
RETURNS TABLE (statement text, sqlstate text, message text, detail text, hint text, context text)
LANGUAGE sql AS $$
  SELECT regexp_replace(s.stmt, '\s+', ' ', 'g'),
         coalesce(max(t.value) FILTER (WHERE t.field = 'sqlstate'), max(t.field) FILTER (WHERE t.field = 'ok')),
         max(t.value) FILTER (WHERE t.field = 'message'), max(t.value) FILTER (WHERE t.field = 'detail'),
         max(t.value) FILTER (WHERE t.field = 'hint'), max(t.value) FILTER (WHERE t.field = 'context')
  FROM unnest(stmts) WITH ORDINALITY s(stmt, n) CROSS JOIN LATERAL try(s.stmt) t
  GROUP BY s.n, s.stmt ORDER BY s.n $$;
-- the rows of query q, with the columns the caller declares (AS r(a text, ...)),
-- so that one statement can run a list of queries given as data
CREATE FUNCTION rows_of(q text) RETURNS SETOF record
LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY EXECUTE q; END $$;
-- the rows of query q, a format() string whose %s is a condition, under each
-- condition in turn, with the columns the caller declares (AS r(a text, ...))
CREATE FUNCTION rows_where(q text, VARIADIC conds text[]) RETURNS SETOF record
LANGUAGE plpgsql AS $$
DECLARE c text;
BEGIN
  FOREACH c IN ARRAY conds LOOP
    RETURN QUERY EXECUTE format(q, c);
  END LOOP;
END $$;
-- try_each of count(*) from table tbl under each condition
CREATE FUNCTION try_count(tbl text, VARIADIC conds text[])
RETURNS TABLE (statement text, sqlstate text, message text, detail text, hint text, context text)
LANGUAGE sql AS $$
  SELECT * FROM try_each(VARIADIC ARRAY(SELECT format('SELECT count(*) FROM %s WHERE %s', tbl, c)
                                        FROM unnest(conds) WITH ORDINALITY u(c, n) ORDER BY n)) $$;

SELECT emu_reset();

-- server emu and its tables in schema billing (test/emulator_server.sql)
\set tenant test-tenant
\set server emu
\set schema billing
\i test/emulator_server.sql

-- the 2019-10-01-preview tables, side by side
\set server emu19
\set schema billing19
\set api_version 2019-10-01-preview
\i test/emulator_server.sql
\unset api_version

-- a first query end to end: token, one request, decode
SELECT a.alias, b.display_name, b.agreement_type
FROM billing.billing_accounts b JOIN acct a ON a.name = b.name
ORDER BY a.alias;
SELECT method, path FROM emu_log() ORDER BY seq;
