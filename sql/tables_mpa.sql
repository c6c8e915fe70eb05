--
-- tables_mpa: the tables of MPA partner accounts, both api-versions
-- (customers, partner transfers)
--
SET TimeZone = 'UTC';
SELECT emu_reset();
--
-- customers: the FDW lists the accounts and asks only the MPA one; 2024
-- items name their billing profile
--
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name, display_name, system_id,
       status, billing_profile_display_name, resellers->0->>'resellerId' AS reseller
FROM billing.customers ORDER BY 3;
SELECT left(billing_account_name, 8) AS acct, name, display_name,
       resellers->0->>'resellerId' AS reseller, jsonb_array_length(enabled_azure_plans) AS plans
FROM billing19.customers ORDER BY 2;
SELECT * FROM emu_requests();
-- by billing profile: the profile is bound in the request
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name, display_name
FROM billing.customers
WHERE billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF' ORDER BY 3;
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name, display_name
FROM billing19.customers
WHERE billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF' ORDER BY 3;
SELECT * FROM emu_requests();
-- point lookups: by profile and by account (2024), by account (2019)
SELECT emu_reset();
SELECT billing_profile_name, name, display_name FROM billing.customers
WHERE billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
  AND name = 'c2000000-0000-0000-0000-000000000002';
SELECT billing_profile_name, name, display_name FROM billing.customers
WHERE billing_account_name = acct('mpa') AND name = 'c1000000-0000-0000-0000-000000000001';
SELECT name, display_name FROM billing19.customers
WHERE billing_account_name = acct('mpa') AND name = 'c2000000-0000-0000-0000-000000000002';
SELECT * FROM emu_requests();
-- other agreement types (Azure answers an empty list or 400)
SELECT * FROM try_count('billing.customers',
  $$billing_account_name = acct('mca2')$$,
  $$billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'$$,
  $$billing_account_name = acct('ea') AND name = 'c1000000-0000-0000-0000-000000000001'$$) \gx
SELECT * FROM try_count('billing19.customers',
  $$billing_account_name = acct('ea')$$,
  $$billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'$$,
  $$billing_account_name = acct('mosp') AND name = 'c1000000-0000-0000-0000-000000000001'$$) \gx
--
-- partner transfers: per customer; the customers come from a join (2024
-- customers name their profile) or from the conditions
--
SELECT emu_reset();
SELECT left(t.billing_account_name, 8) AS acct, t.billing_profile_name, t.customer_name, t.name,
       t.transfer_status, t.initiator_email_id, t.recipient_email_id, t.initiator_customer_type,
       t.reseller_id, t.expiration_time
FROM billing.customers c
JOIN billing.partner_transfers t ON t.billing_account_name = c.billing_account_name
                                AND t.billing_profile_name = c.billing_profile_name
                                AND t.customer_name = c.name
ORDER BY 3, 4;
SELECT * FROM emu_requests();
-- 2019 transfer items carry only properties: the scope columns come from the request
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, customer_name, name IS NULL AS no_name,
       transfer_status, initiator_customer_type, reseller_name, creation_time, last_modified_time
FROM billing19.partner_transfers
WHERE billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
  AND customer_name IN ('c1000000-0000-0000-0000-000000000001', 'c2000000-0000-0000-0000-000000000002')
ORDER BY 3;
SELECT * FROM emu_requests();
SELECT emu_reset();
SELECT name, transfer_status, detailed_transfer_status->0->>'transferStatus' AS detail
FROM billing.partner_transfers
WHERE billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
  AND customer_name = 'c1000000-0000-0000-0000-000000000001' AND name = 'cccc1111222240008000000000000001';
SELECT transfer_status, reseller_id, creation_time FROM billing19.partner_transfers
WHERE billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
  AND customer_name = 'c1000000-0000-0000-0000-000000000001' AND name = 'cccc1111222240008000000000000001';
SELECT * FROM emu_requests();
-- other agreement types (Azure answers an empty list or 400)
SELECT * FROM try_count('billing.partner_transfers',
  $$billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
    AND customer_name = 'c1000000-0000-0000-0000-000000000001'$$,
  $$billing_account_name = acct('ea') AND billing_profile_name = 'X' AND customer_name = 'Y'
    AND name = 'cccc1111222240008000000000000001'$$) \gx
SELECT * FROM try_count('billing19.partner_transfers',
  $$billing_account_name = acct('mca2') AND billing_profile_name = 'BBBB-1111-BP1-PRF'
    AND customer_name = 'c1000000-0000-0000-0000-000000000001'$$,
  $$billing_account_name = acct('mosp') AND billing_profile_name = 'X' AND customer_name = 'Y'
    AND name = 'cccc1111222240008000000000000001'$$) \gx
