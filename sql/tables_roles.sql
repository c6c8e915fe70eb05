--
-- tables_roles: billing permissions, role assignments and role definitions
-- at every scope level, both api-versions
--
SET TimeZone = 'UTC';
SELECT emu_reset();
--
-- billing permissions: items are bare {actions, notActions}; the scope
-- columns come from the request. Without a scope: every account
--
SELECT left(billing_account_name, 8) AS acct, count(*) AS items,
       sum(jsonb_array_length(actions)) AS actions, sum(jsonb_array_length(not_actions)) AS not_actions,
       min(actions->>-1) AS last_action
FROM billing.billing_permissions GROUP BY 1 ORDER BY 1;
SELECT left(billing_account_name, 8) AS acct, count(*) AS items,
       sum(jsonb_array_length(actions)) AS actions, count(id) AS ids
FROM billing19.billing_permissions GROUP BY 1 ORDER BY 1;
SELECT * FROM emu_requests();
-- one scope of each kind: 2024-04-01, then 2019-10-01-preview
SELECT emu_reset();
SELECT v.schema, r.* FROM (VALUES
  ('billing', $$billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'$$),
  ('billing', $$billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
     AND invoice_section_name IN ('AAAA-1111-IS1-SEC', 'AAAA-1111-IS2-SEC')$$),
  ('billing', $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
     AND customer_name = 'c1000000-0000-0000-0000-000000000001'$$),
  ('billing', $$billing_account_name = acct('mpa') AND customer_name = 'c2000000-0000-0000-0000-000000000002'$$),
  ('billing', $$billing_account_name = acct('ea') AND department_name = '123456'$$),
  ('billing', $$billing_account_name = acct('ea') AND enrollment_account_name = '5678901'$$),
  ('billing19', $$billing_account_name = acct('mca2') AND billing_profile_name = 'BBBB-1111-BP1-PRF'$$),
  ('billing19', $$billing_account_name = acct('mca2') AND billing_profile_name = 'BBBB-1111-BP1-PRF'
     AND invoice_section_name = 'BBBB-1111-IS1-SEC'$$),
  ('billing19', $$billing_account_name = acct('mpa') AND customer_name = 'c1000000-0000-0000-0000-000000000001'$$),
  ('billing19', $$billing_account_name = acct('ea') AND department_name = '234567'$$),
  ('billing19', $$billing_account_name = acct('ea') AND enrollment_account_name = '4567890'$$)
) v(schema, cond)
CROSS JOIN LATERAL rows_of(format(
  'SELECT left(billing_account_name, 8), billing_profile_name, invoice_section_name, left(customer_name, 8),
          department_name, enrollment_account_name, jsonb_array_length(actions), actions->>-1
   FROM %s.billing_permissions WHERE %s ORDER BY 2, 3, 4, 5, 6, 7, 8', v.schema, v.cond))
  AS r(acct text, profile text, section text, customer text, dept text, enr text, n int, last_action text);
SELECT * FROM emu_requests();
--
-- billing role assignments: without a scope, every MCA, EA and MPA account
-- (MOSP is skipped)
--
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, left(name, 8) AS role, principal_type, user_email_address,
       created_on, split_part(role_definition_id, '/billingRoleDefinitions/', 2) AS role_definition
FROM billing.billing_role_assignments ORDER BY 1, 4;
SELECT left(billing_account_name, 8) AS acct, left(name, 8) AS role, user_email_address,
       created_on, property_name = name AS same_name
FROM billing19.billing_role_assignments ORDER BY 1, 3;
SELECT * FROM emu_requests();
-- 2024-04-01, one scope of each kind
SELECT emu_reset();
SELECT * FROM rows_where(
  'SELECT left(billing_account_name, 8), billing_profile_name, invoice_section_name, left(customer_name, 8),
          department_name, enrollment_account_name, left(name, 8), user_email_address,
          billing_profile_display_name, invoice_section_display_name, customer_display_name
   FROM billing.billing_role_assignments WHERE %s ORDER BY 2, 3, 4, 5, 6, 7, 8',
  $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'$$,
  $$billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
    AND invoice_section_name IN ('AAAA-1111-IS1-SEC', 'AAAA-1111-IS2-SEC')$$,
  $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
    AND customer_name IN ('c1000000-0000-0000-0000-000000000001', 'c2000000-0000-0000-0000-000000000002')$$,
  $$billing_account_name = acct('ea') AND department_name IN ('123456', '234567')$$,
  $$billing_account_name = acct('ea') AND enrollment_account_name IN ('4567890', '5678901')$$)
  AS r(acct text, profile text, section text, customer text, dept text, enr text, role text, user_email_address text,
       billing_profile_display_name text, invoice_section_display_name text, customer_display_name text);
SELECT * FROM emu_requests();
-- 2019-10-01-preview, one scope of each kind (its items name no customer)
SELECT emu_reset();
SELECT * FROM rows_where(
  'SELECT left(billing_account_name, 8), billing_profile_name, invoice_section_name, department_name,
          enrollment_account_name, left(name, 8), user_email_address
   FROM billing19.billing_role_assignments WHERE %s ORDER BY 2, 3, 4, 5, 6, 7',
  $$billing_account_name = acct('mca1') AND billing_profile_name IN ('AAAA-1111-BP1-PRF', 'AAAA-2222-BP2-PRF')$$,
  $$billing_account_name = acct('mca2') AND billing_profile_name = 'BBBB-1111-BP1-PRF'
    AND invoice_section_name = 'BBBB-1111-IS1-SEC'$$,
  $$billing_account_name = acct('ea') AND department_name = '123456'$$,
  $$billing_account_name = acct('ea') AND enrollment_account_name = '5678901'$$)
  AS r(acct text, profile text, section text, dept text, enr text, role text, user_email_address text);
SELECT * FROM emu_requests();
-- point lookups of each scope, the same condition on both api-versions where
-- the data allows (2019-10-01-preview has no customer scope)
SELECT emu_reset();
SELECT v.scope, s.schema, r.* FROM (VALUES
  ('account', '{billing}', $$billing_account_name = acct('mca1')
     AND name = '10000000-aaaa-bbbb-cccc-100000000001_377ce687-2806-5c56-8754-996ed68a42d1'$$),
  ('account', '{billing19}', $$billing_account_name = acct('ea')
     AND name = '90000000-aaaa-bbbb-cccc-100000000000_f7856d83-94d8-59c6-9c2c-fae7bae082ae'$$),
  ('profile', '{billing}', $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
     AND name = '40000000-aaaa-bbbb-cccc-100000000000_590ed0aa-88c2-5a9f-99b7-a8da27eb8ac9'$$),
  ('profile', '{billing19}', $$billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-2222-BP2-PRF'
     AND name = '40000000-aaaa-bbbb-cccc-100000000000_569aa77d-0dcb-53bf-ab2a-6ffc3927ffea'$$),
  ('section', '{billing,billing19}', $$billing_account_name = acct('mca1')
     AND billing_profile_name = 'AAAA-1111-BP1-PRF' AND invoice_section_name = 'AAAA-1111-IS2-SEC'
     AND name = '30000000-aaaa-bbbb-cccc-100000000000_46bfa5a7-b6b7-5317-8821-eefa8f7a6f06'$$),
  ('customer', '{billing}', $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
     AND customer_name = 'c2000000-0000-0000-0000-000000000002'
     AND name = '50000000-aaaa-bbbb-cccc-100000000000_a0428b93-b6e3-5dda-9d7b-d6e5efdf4585'$$),
  ('department', '{billing,billing19}', $$billing_account_name = acct('ea') AND department_name = '234567'
     AND name = '60000000-aaaa-bbbb-cccc-100000000000_1c6a6f4f-9f7e-59ea-bde1-ed3ecd41737b'$$),
  ('enrollment account', '{billing,billing19}', $$billing_account_name = acct('ea')
     AND enrollment_account_name = '4567890'
     AND name = '70000000-aaaa-bbbb-cccc-100000000000_e26642f0-042a-5e42-8b23-9842431b4cbd'$$)
) v(scope, schemas, cond)
CROSS JOIN LATERAL unnest(v.schemas::text[]) s(schema)
CROSS JOIN LATERAL rows_of(format('SELECT left(name, 8), user_email_address FROM %s.billing_role_assignments WHERE %s',
                                  s.schema, v.cond)) AS r(role text, user_email_address text);
SELECT * FROM emu_requests();
-- agreement types the routes do not serve (Azure answers 400 or an empty list)
SELECT * FROM try_count('billing.billing_role_assignments',
  $$billing_account_name = acct('mosp')$$,
  $$billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
    AND customer_name = 'c1000000-0000-0000-0000-000000000001'$$,
  $$billing_account_name = acct('mpa') AND department_name = '123456'$$) \gx
SELECT * FROM try_count('billing19.billing_role_assignments',
  $$billing_account_name = acct('mosp')$$,
  $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'$$,
  $$billing_account_name = acct('mca2') AND enrollment_account_name = '4567890'
    AND name = '70000000-aaaa-bbbb-cccc-100000000000_e26642f0-042a-5e42-8b23-9842431b4cbd'$$) \gx
--
-- billing role definitions: Owner, Contributor and Reader per scope
--
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, name, role_name,
       permissions->0->'actions'->>0 AS first_action, left(description, 20) AS description
FROM billing.billing_role_definitions ORDER BY 1, 2;
SELECT left(billing_account_name, 8) AS acct, count(*), min(name), max(role_name)
FROM billing19.billing_role_definitions GROUP BY 1 ORDER BY 1;
SELECT * FROM emu_requests();
-- 2024-04-01, one scope of each kind
SELECT emu_reset();
SELECT * FROM rows_where(
  'SELECT left(billing_account_name, 8), billing_profile_name, invoice_section_name, left(customer_name, 8),
          department_name, enrollment_account_name, name, role_name
   FROM billing.billing_role_definitions WHERE %s ORDER BY 2, 3, 4, 5, 6, 7',
  $$billing_account_name = acct('mca2') AND billing_profile_name = 'BBBB-1111-BP1-PRF'$$,
  $$billing_account_name = acct('mca2') AND billing_profile_name = 'BBBB-1111-BP1-PRF'
    AND invoice_section_name = 'BBBB-1111-IS1-SEC'$$,
  $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
    AND customer_name = 'c1000000-0000-0000-0000-000000000001'$$,
  $$billing_account_name = acct('ea') AND department_name = '123456'$$,
  $$billing_account_name = acct('ea') AND enrollment_account_name = '5678901'$$)
  AS r(acct text, profile text, section text, customer text, dept text, enr text, name text, role_name text);
SELECT * FROM emu_requests();
-- 2019-10-01-preview, one scope of each kind (its items name no customer)
SELECT emu_reset();
SELECT * FROM rows_where(
  'SELECT left(billing_account_name, 8), billing_profile_name, invoice_section_name, department_name,
          enrollment_account_name, name, role_name
   FROM billing19.billing_role_definitions WHERE %s ORDER BY 2, 3, 4, 5, 6',
  $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'$$,
  $$billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-2222-BP2-PRF'
    AND invoice_section_name = 'AAAA-2222-IS1-SEC'$$,
  $$billing_account_name = acct('ea') AND department_name = '234567'$$,
  $$billing_account_name = acct('ea') AND enrollment_account_name = '4567890'$$)
  AS r(acct text, profile text, section text, dept text, enr text, name text, role_name text);
SELECT * FROM emu_requests();
-- point lookups: account, profile, section, customer, department (2024-04-01);
-- account, profile, enrollment account (2019-10-01-preview)
SELECT emu_reset();
SELECT v.schema, r.* FROM (VALUES
  ('billing', $$billing_account_name = acct('ea') AND name = '90000000-aaaa-bbbb-cccc-100000000002'$$),
  ('billing', $$billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
     AND name = '40000000-aaaa-bbbb-cccc-100000000000'$$),
  ('billing', $$billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
     AND invoice_section_name = 'AAAA-1111-IS1-SEC' AND name = '30000000-aaaa-bbbb-cccc-100000000001'$$),
  ('billing', $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
     AND customer_name = 'c2000000-0000-0000-0000-000000000002' AND name = '50000000-aaaa-bbbb-cccc-100000000001'$$),
  ('billing', $$billing_account_name = acct('ea') AND department_name = '234567'
     AND name = '60000000-aaaa-bbbb-cccc-100000000002'$$),
  ('billing19', $$billing_account_name = acct('mca2') AND name = '10000000-aaaa-bbbb-cccc-100000000002'$$),
  ('billing19', $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
     AND name = '40000000-aaaa-bbbb-cccc-100000000001'$$),
  ('billing19', $$billing_account_name = acct('ea') AND enrollment_account_name = '5678901'
     AND name = '70000000-aaaa-bbbb-cccc-100000000000'$$)
) v(schema, cond)
CROSS JOIN LATERAL rows_of(format('SELECT name, role_name FROM %s.billing_role_definitions WHERE %s',
                                  v.schema, v.cond)) AS r(name text, role_name text);
SELECT * FROM emu_requests();
-- agreement types the routes do not serve (Azure answers 400 or an empty list)
SELECT * FROM try_count('billing.billing_role_definitions',
  $$billing_account_name = acct('mosp')$$,
  $$billing_account_name = acct('mca1') AND department_name = '123456'$$,
  $$billing_account_name = acct('mca2') AND billing_profile_name = 'BBBB-1111-BP1-PRF'
    AND customer_name = 'c1000000-0000-0000-0000-000000000001'$$) \gx
SELECT * FROM try_count('billing19.billing_role_definitions',
  $$billing_account_name = acct('mosp')$$,
  $$billing_account_name = acct('mpa') AND enrollment_account_name = '4567890'$$,
  $$billing_account_name = acct('ea') AND name = '90000000-aaaa-bbbb-cccc-100000000002'$$) \gx
