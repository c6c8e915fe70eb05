-- test/emulator_server.sql: a server for the bundled emulator, a user mapping
-- for the current user, and every table imported into a schema of its own.
-- Shared by demo/demo.sql, sql/setup.sql and test/bench/bench.py; the caller
-- sets the psql variables
--   server, schema   the names of the server and the schema
--   tenant           the user mapping's tenant_id
--   emu_url, emu_ca  the emulator's address and CA (AZB_EMULATOR_URL, _CA)
--   api_version      (optional) the server's api_version
CREATE SERVER :server FOREIGN DATA WRAPPER azbilling_fdw
  OPTIONS (endpoint :'emu_url', login_endpoint :'emu_url', ca_file :'emu_ca');
\if :{?api_version}
ALTER SERVER :server OPTIONS (ADD api_version :'api_version');
\endif
CREATE USER MAPPING FOR CURRENT_USER SERVER :server
  OPTIONS (tenant_id :'tenant', client_id 'test-client', client_secret 'test-secret');
CREATE SCHEMA :schema;
IMPORT FOREIGN SCHEMA azure_billing FROM SERVER :server INTO :schema;
