--
-- credentials: client certificates (PS256, RS256), federated token files,
-- their options and every rejection Entra ID makes, against the emulator,
-- which verifies assertions as Entra does.  (Managed identity from the
-- server's environment: test/scripts/identity.sh.)
--
\getenv emu_url AZB_EMULATOR_URL
\getenv emu_ca AZB_EMULATOR_CA
\getenv client_pem AZB_EMULATOR_CLIENT_PEM
\getenv wrong_pem AZB_EMULATOR_CLIENT_WRONG_PEM
\getenv ec_pem AZB_EMULATOR_CLIENT_EC_PEM
\getenv enc_pem AZB_EMULATOR_CLIENT_ENCRYPTED_PEM
\getenv client_key AZB_EMULATOR_CLIENT_KEY
\getenv wrong_key AZB_EMULATOR_WRONG_KEY
\getenv fed_file AZB_EMULATOR_FEDERATED_TOKEN_FILE

SELECT emu_reset();
CREATE SERVER cred FOREIGN DATA WRAPPER azbilling_fdw
  OPTIONS (endpoint :'emu_url', login_endpoint :'emu_url', ca_file :'emu_ca');
CREATE FOREIGN TABLE cred_accounts (name text) SERVER cred OPTIONS (resource 'billing_accounts');

-- try() with what changes from run to run masked: times, thumbprints, jtis
CREATE FUNCTION tryc(q text) RETURNS TABLE (field text, value text) LANGUAGE sql AS $$
  SELECT field,
         regexp_replace(regexp_replace(regexp_replace(value,
           '(\d{4}-\d\d-\d\d|TODAY)T[0-9:.]+Z', '<time>', 'g'),
           'Thumbprint of key used by client: ''[^'']*''', 'Thumbprint of key used by client: <x5t>', 'g'),
           'Assertion Issuer: ''[^'']*''', 'Assertion Issuer: <issuer>', 'g')
  FROM try(q) $$;

-- the identity counters of the emulator
CREATE FUNCTION emu_identity() RETURNS jsonb LANGUAGE sql
  AS $$ SELECT emu_call('GET', '/_admin/identity') $$;

-- EXPLAIN output as one text
CREATE FUNCTION explain_text(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; t text := '';
BEGIN
  FOR r IN EXECUTE 'EXPLAIN (VERBOSE, ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    t := t || r || E'\n';
  END LOOP;
  RETURN t;
END $$;

-- a user mapping whose options come from files (PEM text is never typed here)
CREATE FUNCTION map_pem(pem text, extra text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'DROP USER MAPPING IF EXISTS FOR CURRENT_USER SERVER cred';
  EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS '
                 '(tenant_id %L, client_id %L, client_certificate %L %s)',
                 'test-tenant', 'test-client', pem, extra);
END $$;

-- 1. client_certificate_file, PS256 by default: one token request, a signed assertion
CREATE USER MAPPING FOR CURRENT_USER SERVER cred
  OPTIONS (tenant_id 'test-tenant', client_id 'test-client', client_certificate_file :'client_pem');
SELECT count(*) FROM cred_accounts;
SELECT method, path, status FROM emu_log() WHERE path LIKE '%oauth2%';
SELECT (emu_identity()->>'assertions_accepted')::int AS accepted;

-- 2. RS256 with x5t
ALTER USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (ADD certificate_algorithm 'RS256');
SELECT count(*) FROM cred_accounts;
SELECT (emu_identity()->>'assertions_accepted')::int AS accepted;

-- 3. every token request signs a fresh assertion: a new jti each time (the
-- emulator refuses a jti it has seen, as Entra does)
SELECT emu_call('POST', '/_admin/expire_tokens') IS NOT NULL AS expired;
SELECT count(*) FROM cred_accounts;
SELECT emu_call('POST', '/_admin/expire_tokens') IS NOT NULL AS expired;
SELECT count(*) FROM cred_accounts;
SELECT jsonb_array_length(j->'certificate_jtis') AS jtis,
       (SELECT count(DISTINCT x) FROM jsonb_array_elements_text(j->'certificate_jtis') x) AS distinct_jtis
FROM emu_identity() j;

-- 4. the PEM as text (client_certificate, a secret)
SELECT map_pem(pg_read_file(:'client_pem'));
SELECT count(*) FROM cred_accounts;
SELECT map_pem(pg_read_file(:'client_pem'), ', certificate_algorithm ''rs256''');
SELECT count(*) FROM cred_accounts;

-- 5. Entra's rejections, each with its own AADSTS code
-- an unregistered certificate (a wrong key): AADSTS700027
SELECT map_pem(pg_read_file(:'wrong_pem'));
SELECT * FROM tryc('SELECT count(*) FROM cred_accounts');
-- an expired assertion (Entra's clock an hour ahead): AADSTS700024
SELECT map_pem(pg_read_file(:'client_pem'));
SELECT emu_call('POST', '/_admin/identity', '{"clock_offset": 3600}') IS NOT NULL AS skewed;
SELECT * FROM tryc('SELECT count(*) FROM cred_accounts');
-- not yet valid (Entra's clock an hour behind): AADSTS700024
SELECT emu_call('POST', '/_admin/identity', '{"clock_offset": -3600}') IS NOT NULL AS skewed;
SELECT * FROM tryc('SELECT count(*) FROM cred_accounts');
-- a wrong audience (Entra expecting another token URL): AADSTS700023
SELECT emu_call('POST', '/_admin/identity', '{"clock_offset": 0, "audience": "https://login.microsoftonline.com/test-tenant/oauth2/v2.0/token"}') IS NOT NULL AS audience;
SELECT * FROM tryc('SELECT count(*) FROM cred_accounts');
SELECT emu_call('POST', '/_admin/identity', '{"audience": null}') IS NOT NULL AS audience;
SELECT count(*) FROM cred_accounts;
-- another application's id: AADSTS700016, before any assertion check
DROP USER MAPPING FOR CURRENT_USER SERVER cred;
CREATE USER MAPPING FOR CURRENT_USER SERVER cred
  OPTIONS (tenant_id 'test-tenant', client_id 'other-client', client_certificate_file :'client_pem');
SELECT * FROM tryc('SELECT count(*) FROM cred_accounts');

-- 6. PEM problems are clear errors that never show the PEM
SELECT * FROM tryc($$SELECT map_pem('not a certificate')$$);
SELECT * FROM tryc(format('SELECT map_pem(%L)', pg_read_file(:'client_key')));
SELECT * FROM tryc(format('SELECT map_pem(%L)', pg_read_file(replace(:'client_pem', '.pem', '.crt'))));
SELECT * FROM tryc(format('SELECT map_pem(%L)', pg_read_file(:'enc_pem')));
SELECT * FROM tryc(format('SELECT map_pem(%L)', pg_read_file(:'ec_pem')));
SELECT * FROM tryc(format('SELECT map_pem(%L)', pg_read_file(replace(:'client_pem', '.pem', '.crt')) || pg_read_file(:'wrong_key')));
-- the same, from a file: at the token request, naming the file
DROP USER MAPPING IF EXISTS FOR CURRENT_USER SERVER cred;
CREATE USER MAPPING FOR CURRENT_USER SERVER cred
  OPTIONS (tenant_id 'test-tenant', client_id 'test-client', client_certificate_file :'enc_pem');
SELECT regexp_replace(value, '/[^"]*/', '<dir>/') AS error FROM tryc('SELECT count(*) FROM cred_accounts') WHERE field IN ('sqlstate', 'message');
ALTER USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (SET client_certificate_file '/nonexistent/cert.pem');
SELECT * FROM tryc('SELECT count(*) FROM cred_accounts');

-- 7. federated_token_file: the file's contents are the assertion
DROP USER MAPPING FOR CURRENT_USER SERVER cred;
CREATE USER MAPPING FOR CURRENT_USER SERVER cred
  OPTIONS (tenant_id 'test-tenant', client_id 'test-client', federated_token_file :'fed_file');
SELECT count(*) FROM cred_accounts;
-- Kubernetes rotates the file: the next token request reads the new one
CREATE TABLE fed_jti (jti text);
INSERT INTO fed_jti SELECT emu_call('POST', '/_admin/identity/federated_token', '{"lifetime": 3600}')->>'jti';
SELECT emu_call('POST', '/_admin/expire_tokens') IS NOT NULL AS expired;
SELECT count(*) FROM cred_accounts;
SELECT (emu_identity()->'federated_jtis'->>-1) = (SELECT jti FROM fed_jti) AS sent_the_new_token;
-- rotated to a token of another service account: AADSTS70021
SELECT emu_call('POST', '/_admin/identity/federated_token', '{"subject": "system:serviceaccount:other:app"}') IS NOT NULL AS rotated;
SELECT emu_call('POST', '/_admin/expire_tokens') IS NOT NULL AS expired;
SELECT * FROM tryc('SELECT count(*) FROM cred_accounts');
-- an expired federated token: AADSTS700024
SELECT emu_call('POST', '/_admin/identity/federated_token', '{"lifetime": -600}') IS NOT NULL AS rotated;
SELECT * FROM tryc('SELECT count(*) FROM cred_accounts');
-- and back to a good one, without touching the user mapping
SELECT emu_call('POST', '/_admin/identity/federated_token', '{}') IS NOT NULL AS rotated;
SELECT count(*) FROM cred_accounts;
-- an empty or missing file
COPY (SELECT '') TO '/tmp/azb-credentials-empty-token';
ALTER USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (SET federated_token_file '/tmp/azb-credentials-empty-token');
SELECT * FROM tryc('SELECT count(*) FROM cred_accounts');
ALTER USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (SET federated_token_file '/nonexistent/token');
SELECT * FROM tryc('SELECT count(*) FROM cred_accounts');

-- 8. options: one kind of credential, complete, set by whom may
SELECT * FROM tryc($$ALTER USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (ADD client_secret 'x')$$);
SELECT * FROM tryc(format('ALTER USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (ADD client_certificate_file %L)', :'client_pem'));
SELECT * FROM tryc($$ALTER USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (ADD certificate_algorithm 'PS256')$$);
SELECT * FROM tryc($$ALTER USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (ADD access_token 'x')$$);
SELECT * FROM tryc($$ALTER USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (DROP tenant_id)$$);
SELECT * FROM tryc($$ALTER USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (SET federated_token_file 'relative/token')$$);
DROP USER MAPPING FOR CURRENT_USER SERVER cred;
SELECT * FROM tryc(format('CREATE USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (tenant_id %L, client_id %L, client_certificate_file %L, certificate_algorithm %L)', 't', 'c', :'client_pem', 'ES256'));
SELECT * FROM tryc(format('CREATE USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (tenant_id %L, client_id %L, client_certificate_file %L, client_certificate %L)', 't', 'c', :'client_pem', pg_read_file(:'client_pem')));
SELECT * FROM tryc($$CREATE USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (client_id 'c', federated_token_file '/x')$$);
SELECT * FROM tryc($$CREATE USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (tenant_id 't', client_id 'c', no_such_option 'x')$$);
-- no credential at all: the error names every kind
CREATE USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (tenant_id 't', client_id 'c');
SELECT * FROM tryc('SELECT count(*) FROM cred_accounts');
DROP USER MAPPING FOR CURRENT_USER SERVER cred;
-- file options are superuser-only; client_certificate text is not
CREATE ROLE azb_cred_user;
CREATE ROLE azb_cred_other;
GRANT USAGE ON FOREIGN SERVER cred TO azb_cred_user, azb_cred_other;
GRANT SELECT ON cred_accounts, acct TO azb_cred_user;
SET ROLE azb_cred_user;
SELECT * FROM tryc($$CREATE USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (tenant_id 't', client_id 'c', client_certificate_file '/etc/ssl/private/x.pem')$$);
SELECT * FROM tryc($$CREATE USER MAPPING FOR CURRENT_USER SERVER cred OPTIONS (tenant_id 't', client_id 'c', federated_token_file '/var/run/secrets/token')$$);
RESET ROLE;
CREATE TABLE pem_text AS SELECT pg_read_file(:'client_pem') AS pem;
GRANT SELECT ON pem_text TO azb_cred_user;
SET ROLE azb_cred_user;
SELECT map_pem((SELECT pem FROM pem_text));
SELECT count(*) FROM cred_accounts;
RESET ROLE;
-- the owner reads its options; another role does not see the PEM
SET ROLE azb_cred_other;
SELECT count(*) AS mappings, count(umoptions) AS visible_options FROM pg_user_mappings
  WHERE srvname = 'cred';
RESET ROLE;
SET ROLE azb_cred_user;
SELECT array_to_string(umoptions, ',') LIKE '%PRIVATE KEY%' AS owner_sees_it FROM pg_user_mappings
  WHERE srvname = 'cred';

-- 9. EXPLAIN shows no credential
SELECT e LIKE '%Azure Request%' AS explained, e LIKE '%PRIVATE%' OR e LIKE '%CERTIFICATE%' OR e LIKE '%eyJ%' AS leaks
FROM explain_text('SELECT * FROM cred_accounts') e;
RESET ROLE;
DROP TABLE pem_text, fed_jti;
DROP SERVER cred CASCADE;
REVOKE SELECT ON acct FROM azb_cred_user;
DROP ROLE azb_cred_user, azb_cred_other;
SELECT emu_reset();
