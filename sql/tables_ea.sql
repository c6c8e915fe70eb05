--
-- tables_ea: the tables of EA enrollments, both api-versions (departments,
-- enrollment accounts)
--
SET TimeZone = 'UTC';
SELECT emu_reset();
--
-- departments: the FDW lists the accounts and asks only the EA one
--
SELECT left(billing_account_name, 8) AS acct, name, display_name, cost_center, status
FROM billing.departments ORDER BY 2;
-- 2019 names the display name departmentName
SELECT left(billing_account_name, 8) AS acct, name, department_name, cost_center, status
FROM billing19.departments ORDER BY 2;
SELECT * FROM emu_requests();
SELECT emu_reset();
SELECT name, display_name, cost_center FROM billing.departments
WHERE billing_account_name = acct('ea') AND name = '234567';
SELECT name, department_name, cost_center FROM billing19.departments
WHERE billing_account_name = acct('ea') AND name = '234567';
SELECT * FROM emu_requests();
-- other agreement types (Azure answers 400)
SELECT * FROM try_count('billing.departments',
  $$billing_account_name = acct('mpa')$$,
  $$billing_account_name = acct('mca2') AND name = '123456'$$) \gx
SELECT * FROM try_count('billing19.departments',
  $$billing_account_name = acct('mosp')$$,
  $$billing_account_name = acct('mca1') AND name = '123456'$$) \gx
--
-- enrollment accounts: by account, and (2024) by department
--
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, name, display_name, department_display_name,
       department_id, account_owner, is_dev_test_enabled, auth_type, start_date, end_date
FROM billing.enrollment_accounts ORDER BY 2;
SELECT left(billing_account_name, 8) AS acct, name, account_name, account_owner, cost_center, status,
       start_date, end_date
FROM billing19.enrollment_accounts ORDER BY 2;
SELECT * FROM emu_requests();
-- listed by account, an enrollment account still names its department:
-- 2024-04-01's departmentId is the bare department name
SELECT name, department_name, department_name = department_id AS from_department_id
FROM billing.enrollment_accounts ORDER BY 1;
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, department_name, name, display_name, emu_short(id) AS id
FROM billing.enrollment_accounts
WHERE billing_account_name = acct('ea') AND department_name IN ('123456', '234567') ORDER BY 3;
SELECT * FROM emu_requests();
-- point lookups: by account, by department (2024), by account (2019)
SELECT emu_reset();
SELECT name, display_name, cost_center FROM billing.enrollment_accounts
WHERE billing_account_name = acct('ea') AND name = '5678901';
SELECT department_name, name, display_name FROM billing.enrollment_accounts
WHERE billing_account_name = acct('ea') AND department_name = '234567' AND name = '5678901';
SELECT name, account_name, account_owner FROM billing19.enrollment_accounts
WHERE billing_account_name = acct('ea') AND name = '4567890';
SELECT * FROM emu_requests();
-- other agreement types (Azure answers an empty list or 400)
SELECT * FROM try_count('billing.enrollment_accounts',
  $$billing_account_name = acct('mca2')$$,
  $$billing_account_name = acct('mosp') AND department_name = '123456'$$,
  $$billing_account_name = acct('mpa') AND name = '4567890'$$) \gx
SELECT * FROM try_count('billing19.enrollment_accounts',
  $$billing_account_name = acct('mpa')$$,
  $$billing_account_name = acct('mca1') AND name = '4567890'$$) \gx
-- a subscription's policies exist for MCA, MPA and MOSP, not EA: asking for an
-- EA subscription's is the same 0A000 as for an account (the type comes from
-- the subscription's billing property), never Azure's bare 400
SELECT emu_reset();
SELECT * FROM try(format($$SELECT count(*) FROM billing.policies WHERE subscription_id = %L$$,
                         (SELECT subscription_id FROM billing.billing_subscriptions
                          WHERE billing_account_name = acct('ea') ORDER BY 1 LIMIT 1)));
SELECT path FROM emu_requests() WHERE path LIKE '/subscriptions/%';
