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
