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
