/* azbilling_fdw--1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION azbilling_fdw" to load this file. \quit

CREATE FUNCTION azbilling_fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FUNCTION azbilling_fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER azbilling_fdw
  HANDLER azbilling_fdw_handler
  VALIDATOR azbilling_fdw_validator;

COMMENT ON FOREIGN DATA WRAPPER azbilling_fdw IS
  'Azure Billing REST API (Microsoft.Billing) as foreign tables';
COMMENT ON FUNCTION azbilling_fdw_handler() IS
  'azbilling_fdw''s foreign data wrapper handler';
COMMENT ON FUNCTION azbilling_fdw_validator(text[], oid) IS
  'azbilling_fdw''s option validator';

CREATE FUNCTION azbilling_version()
RETURNS text
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT STABLE;
COMMENT ON FUNCTION azbilling_version() IS
  'azbilling_fdw''s version with the libcurl and cJSON it runs on';

CREATE FUNCTION azbilling_catalog(
  OUT resource text, OUT api_version text, OUT ordinal int,
  OUT column_name text, OUT data_type text, OUT kind text, OUT json_key text,
  OUT description text)
RETURNS SETOF record
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT IMMUTABLE;
COMMENT ON FUNCTION azbilling_catalog() IS
  'every column of every Azure Billing table per api-version: name, type, kind (envelope, scope, property, amount, currency, request, raw) and JSON key';

CREATE FUNCTION azbilling_routes(
  OUT resource text, OUT api_version text, OUT ordinal int,
  OUT operation_id text, OUT path text, OUT scope_columns text[],
  OUT capabilities text, OUT agreement_types text)
RETURNS SETOF record
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT IMMUTABLE;
COMMENT ON FUNCTION azbilling_routes() IS
  'every Azure Billing GET route per table and api-version, most specific first, with the columns that bind its path and the agreement types it serves';

CREATE FUNCTION azbilling_tables(
  OUT resource text, OUT operation_group text, OUT description text,
  OUT api_versions text[], OUT date_column text)
RETURNS SETOF record
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT IMMUTABLE;
COMMENT ON FUNCTION azbilling_tables() IS
  'every Azure Billing table of the catalogue: operation group, description, api-versions and the column its date window filters';

CREATE FUNCTION azbilling_validate_address(server text, address jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION azbilling_validate_address(text, jsonb) IS
  'validates a postal address with Azure (POST validateAddress) using the caller''s user mapping on the server; returns Azure''s ValidateAddressResponse';

CREATE FUNCTION azbilling_invoice_download_url(
  server text, billing_account_name text, invoice_name text,
  document_name text DEFAULT NULL, billing_profile_name text DEFAULT NULL)
RETURNS TABLE (url text, expires_at timestamptz)
AS 'MODULE_PATHNAME'
LANGUAGE C VOLATILE ROWS 1;
COMMENT ON FUNCTION azbilling_invoice_download_url(text, text, text, text, text) IS
  'the download URL of an invoice document (a signed blob URL to fetch without a token) and its expiry; follows Azure''s long-running operation until done; billing_profile_name is needed at api-version 2019-10-01-preview';

CREATE FUNCTION azbilling_price_sheet_download_url(
  server text, billing_account_name text, billing_profile_name text,
  invoice_name text DEFAULT NULL)
RETURNS TABLE (url text, expires_at timestamptz)
AS 'MODULE_PATHNAME'
LANGUAGE C VOLATILE ROWS 1;
COMMENT ON FUNCTION azbilling_price_sheet_download_url(text, text, text, text) IS
  'the download URL of a billing profile''s price sheet (current month) or of one invoice''s price sheet, and its expiry (Billing provider api-version 2019-10-01-preview)';

CREATE FUNCTION azbilling_call(server text, operation text, parameters jsonb DEFAULT '{}',
                               body jsonb DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION azbilling_call(text, text, jsonb, jsonb) IS
  'runs any operation of the server''s api-version by its operation id (see azbilling_operations()), with path and query parameters by their spec names and an optional JSON body, as the caller''s user mapping; follows long-running operations and returns the final body (NULL for none, and under azbilling.dry_run for an operation that changes anything); operations that change anything need the server option updatable ''true'' and are not undone by ROLLBACK';

CREATE FUNCTION azbilling_operations(
  OUT operation_id text, OUT api_version text, OUT method text, OUT path text,
  OUT resource text, OUT mutating boolean, OUT long_running boolean,
  OUT final_state_via text, OUT path_parameters text[], OUT query_parameters text[],
  OUT required_query_parameters text[], OUT body_model text, OUT body_required boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT IMMUTABLE;
COMMENT ON FUNCTION azbilling_operations() IS
  'every operation of the Billing API in both api-versions, as azbilling_call runs them: id, method, path template, api-version, the table it belongs to, whether it changes anything, whether it is long-running and where its final result is, its parameters and body model';

-- Named actions: thin wrappers over the request path of azbilling_call (the
-- same checks and dry run), with the 2024-04-01 operations' parameters; one C
-- entry point that picks the operation by the function's name.
CREATE FUNCTION azbilling_billing_subscription_move(server text, billing_account_name text,
  billing_subscription_name text, destination_invoice_section_id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'azbilling_named_action'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION azbilling_billing_subscription_move(text, text, text, text) IS
  'moves a billing subscription to another invoice section (BillingSubscriptions_Move, long-running); changes Azure: needs updatable ''true'', honours azbilling.dry_run, not undone by ROLLBACK';

CREATE FUNCTION azbilling_billing_subscription_validate_move(server text, billing_account_name text,
  billing_subscription_name text, destination_invoice_section_id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'azbilling_named_action'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION azbilling_billing_subscription_validate_move(text, text, text, text) IS
  'asks Azure whether a billing subscription can move to an invoice section (BillingSubscriptions_ValidateMoveEligibility); changes nothing';

CREATE FUNCTION azbilling_product_move(server text, billing_account_name text, product_name text,
  destination_invoice_section_id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'azbilling_named_action'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION azbilling_product_move(text, text, text, text) IS
  'moves a product to another invoice section (Products_Move, long-running); changes Azure: needs updatable ''true'', honours azbilling.dry_run, not undone by ROLLBACK';

CREATE FUNCTION azbilling_product_validate_move(server text, billing_account_name text, product_name text,
  destination_invoice_section_id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'azbilling_named_action'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION azbilling_product_validate_move(text, text, text, text) IS
  'asks Azure whether a product can move to an invoice section (Products_ValidateMoveEligibility); changes nothing';

CREATE FUNCTION azbilling_transfer_initiate(server text, billing_account_name text,
  billing_profile_name text, invoice_section_name text, transfer_name text, recipient_email_id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'azbilling_named_action'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION azbilling_transfer_initiate(text, text, text, text, text, text) IS
  'sends a transfer request for an invoice section''s products to a recipient (Transfers_Initiate, api-version 2024-04-01); changes Azure: needs updatable ''true'', honours azbilling.dry_run, not undone by ROLLBACK';

CREATE FUNCTION azbilling_transfer_cancel(server text, billing_account_name text,
  billing_profile_name text, invoice_section_name text, transfer_name text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'azbilling_named_action'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION azbilling_transfer_cancel(text, text, text, text, text) IS
  'cancels a transfer request (Transfers_Cancel); changes Azure: needs updatable ''true'', honours azbilling.dry_run, not undone by ROLLBACK';

CREATE FUNCTION azbilling_recipient_transfer_accept(server text, transfer_name text,
  product_details jsonb DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'azbilling_named_action'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION azbilling_recipient_transfer_accept(text, text, jsonb) IS
  'accepts a transfer request sent to the caller (RecipientTransfers_Accept), optionally for some products only; changes Azure: needs updatable ''true'', honours azbilling.dry_run, not undone by ROLLBACK';

CREATE FUNCTION azbilling_recipient_transfer_decline(server text, transfer_name text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'azbilling_named_action'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION azbilling_recipient_transfer_decline(text, text) IS
  'declines a transfer request sent to the caller (RecipientTransfers_Decline); changes Azure: needs updatable ''true'', honours azbilling.dry_run, not undone by ROLLBACK';

CREATE FUNCTION azbilling_recipient_transfer_validate(server text, transfer_name text,
  product_details jsonb DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'azbilling_named_action'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION azbilling_recipient_transfer_validate(text, text, jsonb) IS
  'asks Azure whether a transfer request sent to the caller can be accepted (RecipientTransfers_Validate); changes nothing';

CREATE FUNCTION azbilling_billing_profile_validate_delete(server text, billing_account_name text,
  billing_profile_name text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'azbilling_named_action'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION azbilling_billing_profile_validate_delete(text, text, text) IS
  'asks Azure whether a billing profile can be deleted (BillingProfiles_ValidateDeleteEligibility); changes nothing';

CREATE FUNCTION azbilling_invoice_section_validate_delete(server text, billing_account_name text,
  billing_profile_name text, invoice_section_name text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'azbilling_named_action'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION azbilling_invoice_section_validate_delete(text, text, text, text) IS
  'asks Azure whether an invoice section can be deleted (InvoiceSections_ValidateDeleteEligibility); changes nothing';

-- ---------------------------------------------------------------------------
-- Scheduled refresh: azbilling_sync keeps a local table in step with a
-- foreign table, one committed window at a time, resuming where it stopped.
-- ---------------------------------------------------------------------------

CREATE TABLE azbilling_sync_state (
  target         text PRIMARY KEY,
  source         text NOT NULL,
  date_column    text,
  high_water     timestamptz,
  windows_done   bigint NOT NULL DEFAULT 0,
  rows_synced    bigint NOT NULL DEFAULT 0,
  last_started   timestamptz,
  last_finished  timestamptz
);
COMMENT ON TABLE azbilling_sync_state IS
  'one row per target of azbilling_sync: the high-water mark of its date column and the last run';
SELECT pg_catalog.pg_extension_config_dump('azbilling_sync_state', '');
-- the procedure runs as its caller (it commits, so it cannot be SECURITY
-- DEFINER): whoever may sync must be able to keep its state
GRANT SELECT, INSERT, UPDATE, DELETE ON azbilling_sync_state TO PUBLIC;

CREATE PROCEDURE azbilling_sync(source regclass, target text,
  since timestamptz DEFAULT NULL, until timestamptz DEFAULT NULL,
  window_size interval DEFAULT '1 month',
  overlap interval DEFAULT '45 days', delete_missing boolean DEFAULT false)
LANGUAGE plpgsql AS $proc$
DECLARE
  ext_schema text;
  state_tab text;
  src_name text;
  tgt_ident text[];
  tgt_name text;
  tgt_oid oid;
  srv_oid oid;
  res text;
  datecol text;
  hist_start timestamptz;
  cols text[];
  col_list text;
  set_list text;
  mismatch text;
  lock_key int;
  lo timestamp;			-- UTC
  hi timestamp;
  stop timestamp;
  mark timestamptz;
  t0 timestamptz;
  n_rows bigint;
  n_del bigint;
  sql text;
  win_pred text;
  tgt_pred text;
  e_state text;
  e_msg text;
  e_det text;
  e_hint text;
  e_ctx text;
  req0 bigint;
  req1 bigint;
  req_text text;
BEGIN
  SELECT n.nspname INTO ext_schema FROM pg_catalog.pg_extension e
    JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
   WHERE e.extname = 'azbilling_fdw';
  state_tab := format('%I.azbilling_sync_state', ext_schema);

  -- 1. the arguments, all checked before anything is written
  IF source IS NULL OR target IS NULL THEN
    RAISE EXCEPTION 'azbilling_sync needs a source and a target'
      USING ERRCODE = 'null_value_not_allowed',
            DETAIL = 'The source or the target argument is NULL.',
            HINT = 'Give the foreign table to read and the local table to keep.';
  END IF;
  IF window_size IS NULL OR window_size <= interval '0' THEN
    RAISE EXCEPTION 'window_size must be positive'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('The window given is %s.', coalesce(window_size::text, 'NULL')),
            HINT = 'For example: window_size => ''1 month''.';
  END IF;
  IF overlap IS NULL OR overlap < interval '0' THEN
    RAISE EXCEPTION 'overlap must not be negative'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('The overlap given is %s.', coalesce(overlap::text, 'NULL')),
            HINT = 'For example: overlap => ''45 days'', or ''0'' for none.';
  END IF;
  IF delete_missing IS NULL THEN
    delete_missing := false;
  END IF;

  src_name := source::text;
  SELECT ft.ftserver, coalesce((SELECT split_part(o, '=', 2) FROM unnest(ft.ftoptions) o
                                 WHERE o LIKE 'resource=%'), c.relname)
    INTO srv_oid, res
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = c.oid
    JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver
    JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw
   WHERE c.oid = source AND w.fdwname = 'azbilling_fdw';
  IF srv_oid IS NULL THEN
    RAISE EXCEPTION 'source "%" is not an azbilling_fdw foreign table', src_name
      USING ERRCODE = 'wrong_object_type',
            DETAIL = 'azbilling_sync reads a foreign table of a server of the azbilling_fdw wrapper.',
            HINT = 'Name a table created by IMPORT FOREIGN SCHEMA azure_billing, for example billing.invoices.';
  END IF;
  EXECUTE format('SELECT date_column FROM %I.azbilling_tables() WHERE resource = $1', ext_schema)
    INTO datecol USING res;
  SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO cols
    FROM pg_catalog.pg_attribute a
   WHERE a.attrelid = source AND a.attnum > 0 AND NOT a.attisdropped;
  IF NOT 'id' = ANY (cols) THEN
    RAISE EXCEPTION 'source "%" has no column "id"', src_name
      USING ERRCODE = 'undefined_column',
            DETAIL = 'azbilling_sync matches rows by their Azure resource id.',
            HINT = 'Declare the column id text on the foreign table.';
  END IF;
  IF datecol IS NOT NULL AND NOT datecol = ANY (cols) THEN
    datecol := NULL;		-- not declared: the table is refreshed whole
  END IF;

  tgt_ident := parse_ident(target);
  IF array_length(tgt_ident, 1) > 2 THEN
    RAISE EXCEPTION 'target "%" is not a table name', target
      USING ERRCODE = 'invalid_name',
            DETAIL = 'The target is a table name, optionally with its schema.',
            HINT = 'For example: target => ''local.invoices''.';
  END IF;
  tgt_oid := to_regclass(target);
  IF tgt_oid IS NULL THEN
    tgt_name := CASE WHEN array_length(tgt_ident, 1) = 2
                     THEN format('%I.%I', tgt_ident[1], tgt_ident[2])
                     ELSE format('%I', tgt_ident[1]) END;
  ELSE
    tgt_name := tgt_oid::regclass::text;
    IF (SELECT relkind FROM pg_catalog.pg_class WHERE oid = tgt_oid) NOT IN ('r', 'p') THEN
      RAISE EXCEPTION 'target "%" is not a table', tgt_name
        USING ERRCODE = 'wrong_object_type',
              DETAIL = 'azbilling_sync writes into an ordinary local table.',
              HINT = 'Name a new table (it is created) or one made by an earlier azbilling_sync.';
    END IF;
    -- same columns, same types
    SELECT string_agg(m, '; ' ORDER BY k) FILTER (WHERE k <= 3)
           || CASE WHEN count(*) > 3 THEN format(' and %s more', count(*) - 3) ELSE '' END
      INTO mismatch FROM (
      SELECT format('%s: %s in the source, %s in the target', coalesce(s.attname, t.attname),
                    coalesce(format_type(s.atttypid, s.atttypmod), 'absent'),
                    coalesce(format_type(t.atttypid, t.atttypmod), 'absent')) AS m,
             row_number() OVER (ORDER BY coalesce(s.attname, t.attname)) AS k
        FROM (SELECT attname, atttypid, atttypmod FROM pg_catalog.pg_attribute
               WHERE attrelid = source AND attnum > 0 AND NOT attisdropped) s
        FULL JOIN (SELECT attname, atttypid, atttypmod FROM pg_catalog.pg_attribute
                    WHERE attrelid = tgt_oid AND attnum > 0 AND NOT attisdropped) t
          ON t.attname = s.attname
       WHERE s.atttypid IS DISTINCT FROM t.atttypid OR s.atttypmod IS DISTINCT FROM t.atttypmod) x
     HAVING count(*) > 0;
    IF mismatch IS NOT NULL THEN
      RAISE EXCEPTION 'target "%" does not have the shape of source "%"', tgt_name, src_name
        USING ERRCODE = 'datatype_mismatch',
              DETAIL = format('Columns that differ: %s.', mismatch),
              HINT = 'Give a new table name (it is created), or make the target''s columns those of the source.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                    WHERE i.indrelid = tgt_oid AND i.indisunique AND i.indpred IS NULL
                      AND i.indexprs IS NULL AND i.indnatts = 1
                      AND i.indkey[0] = (SELECT attnum FROM pg_catalog.pg_attribute
                                          WHERE attrelid = tgt_oid AND attname = 'id')) THEN
      RAISE EXCEPTION 'target "%" has no unique key on "id"', tgt_name
        USING ERRCODE = 'invalid_column_reference',
              DETAIL = 'azbilling_sync upserts rows by their Azure resource id.',
              HINT = format('ALTER TABLE %s ADD PRIMARY KEY (id);', tgt_name);
    END IF;
  END IF;

  -- a CALL inside a transaction block fails here, before anything is done
  COMMIT;

  -- 2. one sync per target at a time (a session lock: it outlives the commits)
  lock_key := hashtext(tgt_name);
  IF NOT pg_try_advisory_lock(hashtext('azbilling_sync'), lock_key) THEN
    RAISE EXCEPTION 'target "%" is being synced by another session', tgt_name
      USING ERRCODE = 'lock_not_available',
            DETAIL = format('Another session holds the advisory lock (%s, %s); pg_locks shows its process.',
                            hashtext('azbilling_sync'), lock_key),
            HINT = 'Wait for that sync to end; schedule one sync per target.';
  END IF;

  BEGIN
    IF tgt_oid IS NULL THEN
      EXECUTE format('CREATE TABLE %s (LIKE %s)', tgt_name, src_name);
      EXECUTE format('ALTER TABLE %s ADD PRIMARY KEY (id)', tgt_name);
    END IF;
    EXECUTE format('SELECT high_water FROM %s WHERE target = $1', state_tab)
      INTO mark USING tgt_name;
    EXECUTE format('INSERT INTO %s AS s (target, source, date_column, last_started)
                    VALUES ($1, $2, $3, now())
                    ON CONFLICT (target) DO UPDATE
                      SET source = $2, date_column = $3, last_started = now(), last_finished = NULL',
                   state_tab) USING tgt_name, src_name, datecol;
  EXCEPTION WHEN query_canceled OR others THEN
    PERFORM pg_advisory_unlock(hashtext('azbilling_sync'), lock_key);
    RAISE;
  END;
  COMMIT;

  SELECT string_agg(format('%I', c), ', ') INTO col_list FROM unnest(cols) c;
  SELECT string_agg(format('%I = EXCLUDED.%I', c, c), ', ') INTO set_list
    FROM unnest(cols) c WHERE c <> 'id';
  IF set_list IS NULL THEN
    set_list := 'id = EXCLUDED.id';
  END IF;

  -- 3. the windows (or the whole table), each committed on its own
  IF datecol IS NULL THEN
    lo := NULL;
    stop := NULL;
  ELSE
    -- windows are whole UTC days, the unit Azure's date parameters have
    IF since IS NOT NULL THEN
      lo := date_trunc('day', since AT TIME ZONE 'UTC');
    ELSIF mark IS NOT NULL THEN
      lo := date_trunc('day', (mark AT TIME ZONE 'UTC') - overlap);
    ELSE
      SELECT split_part(o, '=', 2)::date INTO lo
        FROM pg_catalog.pg_foreign_server s, unnest(s.srvoptions) o
       WHERE s.oid = srv_oid AND o LIKE 'history_start=%';
      lo := coalesce(lo, timestamp '2015-01-01');
    END IF;
    stop := coalesce(date_trunc('day', until AT TIME ZONE 'UTC'),
                     date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 day');
  END IF;

  LOOP
    t0 := clock_timestamp();
    -- this backend's requests so far (none when the counters are shared:
    -- there they would count other sessions too)
    EXECUTE format('SELECT CASE WHEN bool_or(c.storage = ''shared'') THEN NULL ELSE coalesce(sum(c.requests), 0) END '
                   'FROM %I.azbilling_stats_counters() c WHERE c.serverid = $1', ext_schema)
      INTO req0 USING srv_oid;
    IF datecol IS NOT NULL THEN
      EXIT WHEN lo >= stop;
      hi := least(lo + window_size, stop);
      win_pred := format('%I >= %L AND %I < %L',
                         datecol, to_char(lo, 'YYYY-MM-DD HH24:MI:SS+00'),
                         datecol, to_char(hi, 'YYYY-MM-DD HH24:MI:SS+00'));
      tgt_pred := 't.' || replace(win_pred, ' AND ', ' AND t.');
    ELSE
      win_pred := 'true';
      tgt_pred := 'true';
    END IF;
    BEGIN
      sql := format('WITH src AS MATERIALIZED (SELECT DISTINCT ON (id) %s FROM %s WHERE %s AND id IS NOT NULL), '
                    'ins AS (INSERT INTO %s (%s) SELECT %s FROM src ON CONFLICT (id) DO UPDATE SET %s '
                    'RETURNING 1) ',
                    col_list, src_name, win_pred, tgt_name, col_list, col_list, set_list);
      IF delete_missing THEN
        sql := format('WITH src AS MATERIALIZED (SELECT DISTINCT ON (id) %s FROM %s WHERE %s AND id IS NOT NULL), '
                      'ins AS (INSERT INTO %s (%s) SELECT %s FROM src ON CONFLICT (id) DO UPDATE SET %s '
                      'RETURNING 1), '
                      'del AS (DELETE FROM %s t WHERE %s AND NOT EXISTS (SELECT 1 FROM src WHERE src.id = t.id) '
                      'RETURNING 1) '
                      'SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM del)',
                      col_list, src_name, win_pred, tgt_name, col_list, col_list, set_list,
                      tgt_name, tgt_pred);
      ELSE
        sql := sql || 'SELECT (SELECT count(*) FROM ins), 0::bigint';
      END IF;
      EXECUTE sql INTO n_rows, n_del;
      EXECUTE format('UPDATE %s SET high_water = CASE WHEN $2::timestamptz IS NULL THEN high_water
                                                    ELSE greatest(high_water, $2::timestamptz) END,
                                    windows_done = windows_done + 1, rows_synced = rows_synced + $3
                      WHERE target = $1', state_tab)
        USING tgt_name, CASE WHEN hi IS NULL THEN NULL ELSE hi AT TIME ZONE 'UTC' END, n_rows;
    EXCEPTION WHEN query_canceled OR others THEN
      PERFORM pg_advisory_unlock(hashtext('azbilling_sync'), lock_key);
      -- the same error, with the request as context instead of the long
      -- generated statement, and what the next call does
      GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT,
                              e_det = PG_EXCEPTION_DETAIL, e_hint = PG_EXCEPTION_HINT,
                              e_ctx = PG_EXCEPTION_CONTEXT;
      e_ctx := split_part(e_ctx, E'\n', 1);
      IF e_ctx LIKE 'SQL statement%' OR e_ctx LIKE 'PL/pgSQL%' THEN
        e_ctx := NULL;
      END IF;
      RAISE EXCEPTION USING ERRCODE = e_state, MESSAGE = e_msg,
        DETAIL = concat_ws(E'\n', nullif(e_det, ''), e_ctx,
                           format('azbilling_sync of %s stopped in the window %s to %s; the windows before it are kept.',
                                  tgt_name, coalesce(to_char(lo, 'YYYY-MM-DD'), 'all'),
                                  coalesce(to_char(hi, 'YYYY-MM-DD'), 'all'))),
        HINT = concat_ws(' ', nullif(e_hint, ''), 'The next azbilling_sync call resumes at this window.');
    END;
    COMMIT;
    EXECUTE format('SELECT CASE WHEN bool_or(c.storage = ''shared'') THEN NULL ELSE coalesce(sum(c.requests), 0) END '
                   'FROM %I.azbilling_stats_counters() c WHERE c.serverid = $1', ext_schema)
      INTO req1 USING srv_oid;
    req_text := CASE WHEN req0 IS NULL OR req1 IS NULL THEN ''
                     ELSE format('%s requests, ', req1 - req0) END;
    IF datecol IS NOT NULL THEN
      RAISE NOTICE 'azbilling_sync %: window % to %: % rows, % deleted, %', tgt_name,
        to_char(lo, 'YYYY-MM-DD'), to_char(hi, 'YYYY-MM-DD'), n_rows, n_del,
        req_text || round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1) || ' s';
      lo := hi;
    ELSE
      RAISE NOTICE 'azbilling_sync %: whole table: % rows, % deleted, %', tgt_name,
        n_rows, n_del, req_text || round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1) || ' s';
      EXIT;
    END IF;
  END LOOP;

  EXECUTE format('UPDATE %s SET last_finished = now() WHERE target = $1', state_tab) USING tgt_name;
  COMMIT;
  PERFORM pg_advisory_unlock(hashtext('azbilling_sync'), lock_key);
END
$proc$;
COMMENT ON PROCEDURE azbilling_sync(regclass, text, timestamptz, timestamptz, interval, interval, boolean) IS
  'keeps a local table in step with an azbilling_fdw foreign table: upserts by id, one committed window of the date column at a time, resuming at the last high-water mark minus overlap; CALL it outside a transaction block';

-- ---------------------------------------------------------------------------
-- Operations: request counters per server and operation
-- ---------------------------------------------------------------------------

CREATE FUNCTION azbilling_stats_counters(
  OUT serverid oid, OUT operation text, OUT requests bigint, OUT pages bigint,
  OUT rows bigint, OUT bytes bigint, OUT retries bigint, OUT throttled bigint,
  OUT throttle_wait_ms double precision, OUT errors jsonb, OUT token_fetches bigint,
  OUT token_hits bigint, OUT cache_hits bigint, OUT storage text, OUT skipped bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'azbilling_stats'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION azbilling_stats_counters() IS
  'the counters behind the view azbilling_stats, by server oid';

CREATE VIEW azbilling_stats AS
  SELECT s.srvname AS server, c.operation, c.requests, c.pages, c.rows, c.bytes,
         c.retries, c.throttled, c.throttle_wait_ms, c.errors, c.skipped, c.token_fetches,
         c.token_hits, c.cache_hits, c.storage
  FROM azbilling_stats_counters() c
  LEFT JOIN pg_catalog.pg_foreign_server s ON s.oid = c.serverid;
GRANT SELECT ON azbilling_stats TO PUBLIC;
COMMENT ON VIEW azbilling_stats IS
  'requests, pages, rows, bytes, retries, 429 answers, throttle wait, errors by SQLSTATE class and scopes skipped under skip_forbidden per server and operation, token fetches and token cache hits (operation "(token)"), and pages served from the result cache (cache_hits); storage says whether they count this backend or the whole cluster (shared_preload_libraries)';

CREATE FUNCTION azbilling_stats_reset()
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION azbilling_stats_reset() IS
  'zeroes the counters of azbilling_stats (this backend''s, or the cluster''s when shared)';
REVOKE EXECUTE ON FUNCTION azbilling_stats_reset() FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Operations: the result cache (cache_ttl)
-- ---------------------------------------------------------------------------

CREATE FUNCTION azbilling_cache_clear()
RETURNS integer
AS 'MODULE_PATHNAME'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION azbilling_cache_clear() IS
  'drops every page of this backend''s result cache (server and table option cache_ttl) and returns how many there were';
