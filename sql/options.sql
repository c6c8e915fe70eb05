--
-- options: names, values, defaults and who may set what
--
-- unknown options get a hint listing the valid ones
CREATE SERVER bad1 FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (endpiont 'https://x');
CREATE SERVER bad1 FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (client_secret 'x');
-- values
CREATE SERVER bad1 FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (api_version '2020-05-01');
CREATE SERVER bad1 FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (endpoint 'management.azure.com');
CREATE SERVER bad1 FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (endpoint 'ftp://management.azure.com');
CREATE SERVER bad1 FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (endpoint 'https://management.azure.com/?x=1');
CREATE SERVER bad1 FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (max_retries '-1');
CREATE SERVER bad1 FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (max_concurrency '0');
CREATE SERVER bad1 FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (request_timeout '10s');
CREATE SERVER bad1 FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (max_response_bytes '12');
CREATE SERVER bad1 FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (max_pages '0');
CREATE SERVER bad1 FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (history_start '2015-13-01');
CREATE SERVER bad1 FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (ca_file 'relative.pem');
-- http:// only for loopback hosts
CREATE SERVER bad1 FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (endpoint 'http://management.azure.com');
CREATE SERVER bad1 FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (login_endpoint 'http://10.0.0.1:8080');
CREATE SERVER ok1 FOREIGN DATA WRAPPER azbilling_fdw
  OPTIONS (endpoint 'http://127.0.0.1:1/', login_endpoint 'http://localhost:2',
           api_version '2019-10-01-preview', connect_timeout '5', request_timeout '30',
           max_retries '0', max_concurrency '16', max_response_bytes '1048576', max_pages '10',
           history_start '2020-01-01', trusted_hosts 'billing-preview.windowsazure.com');
ALTER SERVER ok1 OPTIONS (SET endpoint 'http://[::1]:1');
DROP SERVER ok1;

-- user mappings: one credential method, complete
CREATE SERVER um FOREIGN DATA WRAPPER azbilling_fdw;
CREATE USER MAPPING FOR CURRENT_USER SERVER um OPTIONS (client_secret 's3cr3t-value');
CREATE USER MAPPING FOR CURRENT_USER SERVER um
  OPTIONS (tenant_id 't', client_id 'c', client_secret 's3cr3t-value', access_token 'tok3n-value');
CREATE USER MAPPING FOR CURRENT_USER SERVER um OPTIONS (endpoint 'https://x');
CREATE USER MAPPING FOR CURRENT_USER SERVER um OPTIONS (managed_identity 'maybe');
CREATE USER MAPPING FOR CURRENT_USER SERVER um OPTIONS (access_token '');
CREATE USER MAPPING FOR CURRENT_USER SERVER um OPTIONS (access_token 'tok3n-value');
ALTER USER MAPPING FOR CURRENT_USER SERVER um OPTIONS (DROP access_token, ADD managed_identity 'true');
DROP SERVER um CASCADE;

-- tables and columns
CREATE FOREIGN TABLE bad_t (id text) SERVER emu OPTIONS (resource 'invoice');
CREATE FOREIGN TABLE bad_t (id text) SERVER emu OPTIONS (api_version 'latest');
CREATE FOREIGN TABLE bad_t (id text) SERVER emu OPTIONS (billing_acount_name 'x');
CREATE FOREIGN TABLE bad_t (id text OPTIONS (jsonpath 'x')) SERVER emu;
CREATE FOREIGN TABLE good_t (id text OPTIONS (json_path 'id'), city text OPTIONS (json_path 'properties.soldTo.city'))
  SERVER emu OPTIONS (resource 'billing_accounts', api_version '2024-04-01', billing_account_name 'x');
DROP FOREIGN TABLE good_t;

-- a table with no matching resource fails at planning, with a hint
CREATE FOREIGN TABLE no_such_resource (id text) SERVER emu;
SELECT * FROM no_such_resource;
DROP FOREIGN TABLE no_such_resource;
-- instructions exist only in 2019-10-01-preview
CREATE FOREIGN TABLE instructions (id text) SERVER emu;
SELECT * FROM instructions;
DROP FOREIGN TABLE instructions;

-- a role that is not a superuser may not point the server elsewhere
CREATE ROLE azb_user LOGIN;
GRANT USAGE ON FOREIGN DATA WRAPPER azbilling_fdw TO azb_user;
GRANT USAGE ON FOREIGN SERVER emu TO azb_user;
SET ROLE azb_user;
CREATE SERVER mine FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (endpoint 'https://evil.example');
CREATE SERVER mine FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (login_endpoint 'https://evil.example');
CREATE SERVER mine FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (ca_file '/etc/passwd');
CREATE SERVER mine FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (trusted_hosts 'evil.example');
CREATE SERVER mine FOREIGN DATA WRAPPER azbilling_fdw OPTIONS (api_version '2019-10-01-preview');
CREATE USER MAPPING FOR azb_user SERVER mine OPTIONS (managed_identity 'true');
CREATE USER MAPPING FOR azb_user SERVER mine OPTIONS (access_token 'user-tok3n');
-- nobody else can read a user mapping's secrets
RESET ROLE;
SELECT srvname, usename, umoptions FROM pg_user_mappings WHERE srvname = 'mine';
CREATE ROLE azb_other LOGIN;
SET ROLE azb_other;
SELECT srvname, usename, umoptions FROM pg_user_mappings WHERE srvname = 'mine';
SELECT count(*) FROM pg_user_mapping;
RESET ROLE;
DROP SERVER mine CASCADE;
