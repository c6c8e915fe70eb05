--
-- tables_mca: tables of billing profiles, invoice sections and subscriptions,
-- both api-versions (available balances, payment methods, policies, billing
-- property, transfers, instructions), with the single-object routes
--
SET TimeZone = 'UTC';
SELECT emu_reset();
--
-- available balances: one object per scope
--
-- 2024-04-01: per account (MCA and MOSP; EA and MPA are skipped); the MOSP
-- balance comes without id and with empty properties
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name, amount, amount_currency,
       total_payments_on_account, jsonb_array_length(payments_on_account) AS payments, id IS NULL AS no_id
FROM billing.available_balances ORDER BY 1, 2;
SELECT * FROM emu_requests();
-- ... and per billing profile (MCA only), one row each
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name, amount, amount_currency
FROM billing.available_balances
WHERE billing_account_name = acct('mca1') AND billing_profile_name IN ('AAAA-1111-BP1-PRF', 'AAAA-2222-BP2-PRF')
ORDER BY 1, 2;
SELECT * FROM emu_requests();
-- 2019-10-01-preview: per billing profile only; one id carries a query string
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name, amount, amount_currency,
       id LIKE '%/availableBalance/default?balanceName=%' AS id_with_query
FROM billing19.available_balances ORDER BY 1, 2;
SELECT * FROM emu_requests() WHERE path LIKE '%/availableBalance/default';
-- agreement types the routes do not serve
SELECT * FROM try_count('billing.available_balances',
  $$billing_account_name = acct('ea')$$,
  $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'$$) \gx
SELECT * FROM try_count('billing19.available_balances',
  $$billing_account_name = acct('mpa')$$) \gx
--
-- payment methods
--
-- 2024-04-01: without a scope, the caller's own (one request)
SELECT emu_reset();
SELECT name, display_name, family, payment_method_type, last_four_digits, expiration, status
FROM billing.payment_methods ORDER BY 1;
SELECT * FROM emu_requests();
-- ... of an MCA account, and the links of a billing profile
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name, display_name, family,
       payment_method_type, last_four_digits, expiration
FROM billing.payment_methods WHERE billing_account_name = acct('mca1') ORDER BY 3;
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name, display_name, family,
       last_four_digits, emu_short(payment_method_id) AS payment_method_id
FROM billing.payment_methods
WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-2222-BP2-PRF' ORDER BY 3;
SELECT * FROM emu_requests();
-- 2019-10-01-preview: MCA accounts listed by the FDW; ids name the profile
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name, payment_method_type, details,
       expiration, currency
FROM billing19.payment_methods ORDER BY 1, 2, 3;
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name, payment_method_type, details,
       expiration, currency
FROM billing19.payment_methods
WHERE billing_account_name = acct('mca2') AND billing_profile_name = 'BBBB-1111-BP1-PRF' ORDER BY 3;
SELECT * FROM emu_requests();
-- point lookups (2024-04-01 only): account, profile link, the caller's
SELECT emu_reset();
SELECT name, display_name, family FROM billing.payment_methods
WHERE billing_account_name = acct('mca1') AND name = '49e8f65f-955c-5e76-852e-d90b6c8bcfb1';
SELECT billing_profile_name, name, display_name, family FROM billing.payment_methods
WHERE billing_account_name = acct('mca2') AND billing_profile_name = 'BBBB-1111-BP1-PRF'
  AND name = '597b1164-9591-5d6f-9720-7a80cd17d29a';
SELECT name, display_name, family FROM billing.payment_methods
WHERE name = 'c6785f60-a7bb-5b3e-abbd-bc074f1c7634';
SELECT * FROM emu_requests();
-- agreement types the routes do not serve (Azure answers an empty list or 400)
SELECT * FROM try_count('billing.payment_methods',
  $$billing_account_name = acct('ea')$$,
  $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'$$,
  $$billing_account_name = acct('mosp') AND name = '49e8f65f-955c-5e76-852e-d90b6c8bcfb1'$$) \gx
SELECT * FROM try_count('billing19.payment_methods',
  $$billing_account_name = acct('mosp')$$,
  $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'$$) \gx
--
-- policies: one object per scope
--
-- 2024-04-01 without a scope: the route of fewest requests, the EA account's
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, customer_name, subscription_id,
       name, marketplace_purchases, reservation_purchases, savings_plan_purchases,
       enterprise_agreement_policies->>'authenticationType' AS ea_auth
FROM billing.policies ORDER BY 1;
SELECT * FROM emu_requests();
-- ... per billing profile, per customer, per subscription, one row each
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name, marketplace_purchases,
       view_charges, invoice_section_label_management, policies->0->>'name' AS policy
FROM billing.policies
WHERE billing_account_name = acct('mca1') AND billing_profile_name IN ('AAAA-1111-BP1-PRF', 'AAAA-2222-BP2-PRF')
ORDER BY 2;
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, customer_name, name, view_charges
FROM billing.policies
WHERE billing_account_name = acct('mpa')
  AND customer_name IN ('c1000000-0000-0000-0000-000000000001', 'c2000000-0000-0000-0000-000000000002')
ORDER BY 3;
SELECT subscription_id, name, policies->0->>'policyType' AS policy_type
FROM billing.policies
WHERE subscription_id IN ('aaaa0000-0000-4000-8000-000000000001', 'cccc0000-0000-4000-8000-000000000003',
                          'dddd0000-0000-4000-8000-000000000002')
ORDER BY 1;
SELECT * FROM emu_requests();
-- a customer's policy through its billing profile is a point route (policyName)
SELECT emu_reset();
SELECT billing_profile_name, customer_name, name, view_charges FROM billing.policies
WHERE billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
  AND customer_name = 'c2000000-0000-0000-0000-000000000002' AND name = 'default';
SELECT * FROM emu_requests();
-- 2019-10-01-preview: per MCA billing profile (listed by the FDW), per MPA customer
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name, marketplace_purchases,
       reservation_purchases, view_charges
FROM billing19.policies ORDER BY 1, 2;
SELECT left(billing_account_name, 8) AS acct, customer_name, name, view_charges
FROM billing19.policies
WHERE billing_account_name = acct('mpa')
  AND customer_name IN ('c1000000-0000-0000-0000-000000000001', 'c2000000-0000-0000-0000-000000000002')
ORDER BY 2;
SELECT * FROM emu_requests() WHERE path LIKE '%/policies/default';
-- agreement types the routes do not serve
SELECT * FROM try_count('billing.policies',
  $$billing_account_name = acct('ea') AND billing_profile_name = 'AAAA-1111-BP1-PRF'$$,
  $$billing_account_name = acct('mca2') AND customer_name = 'c1000000-0000-0000-0000-000000000001'$$) \gx
SELECT * FROM try_count('billing19.policies',
  $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'$$,
  $$billing_account_name = acct('mca1') AND customer_name = 'c1000000-0000-0000-0000-000000000001'$$) \gx
--
-- billing property: one object per subscription; the FDW lists the
-- subscriptions of every account itself
--
SELECT emu_reset();
SELECT subscription_id, name, billing_account_agreement_type, billing_profile_display_name,
       invoice_section_display_name, customer_display_name, sku_id, subscription_workload_type,
       enrollment_details->>'departmentId' AS department
FROM billing.billing_property ORDER BY 1;
SELECT count(*) AS requests FROM emu_requests() WHERE path LIKE '/subscriptions/%/billingProperty/default';
SELECT * FROM emu_requests() WHERE path NOT LIKE '/subscriptions/%';
-- 2019-10-01-preview: MCA, MPA and MOSP subscriptions (2019 lists no MOSP
-- subscriptions by account, so name them)
SELECT emu_reset();
SELECT subscription_id, name, billing_account_display_name, billing_profile_display_name,
       invoice_section_display_name, cost_center, sku_id, billing_profile_spending_limit
FROM billing19.billing_property ORDER BY 1;
SELECT count(*) AS requests FROM emu_requests() WHERE path LIKE '/subscriptions/%/billingProperty/default';
SELECT * FROM emu_requests() WHERE path NOT LIKE '/subscriptions/%';
SELECT emu_reset();
SELECT subscription_id, name, billing_account_display_name, sku_description
FROM billing19.billing_property
WHERE subscription_id IN ('dddd0000-0000-4000-8000-000000000001', 'dddd0000-0000-4000-8000-000000000002')
ORDER BY 1;
SELECT subscription_id, billing_account_agreement_type, sku_description
FROM billing.billing_property WHERE subscription_id = 'eeee0000-0000-4000-8000-000000000003';
SELECT * FROM emu_requests();
--
-- transfers: MCA invoice sections, listed by the FDW
--
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, invoice_section_name, name,
       transfer_status, recipient_email_id, expiration_time,
       detailed_transfer_status->0->>'transferStatus' AS detail
FROM billing.transfers ORDER BY 4;
-- 2019 transfer items carry only properties: the scope columns come from the request
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, invoice_section_name,
       name IS NULL AS no_name, transfer_status, recipient_email_id, creation_time, last_modified_time
FROM billing19.transfers ORDER BY 7;
SELECT emu_reset();
SELECT name, transfer_status FROM billing.transfers
WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
  AND invoice_section_name = 'AAAA-1111-IS1-SEC' AND name = 'aaaa7777000040008000000000000002';
SELECT transfer_status, creation_time FROM billing19.transfers
WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
  AND invoice_section_name = 'AAAA-1111-IS1-SEC' AND name = 'aaaa7777000040008000000000000002';
SELECT * FROM emu_requests();
-- agreement types the routes do not serve
SELECT * FROM try_count('billing.transfers',
  $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
    AND invoice_section_name = 'CCCC-1111-IS1-SEC'$$,
  $$billing_account_name = acct('ea') AND billing_profile_name = 'X' AND invoice_section_name = 'Y'
    AND name = 'aaaa7777000040008000000000000002'$$) \gx
SELECT * FROM try_count('billing19.transfers',
  $$billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
    AND invoice_section_name = 'CCCC-1111-IS1-SEC'$$) \gx
--
-- instructions (2019-10-01-preview only): two per MCA billing profile
--
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name, amount, start_date,
       end_date, creation_date
FROM billing19.instructions ORDER BY 1, 2, 3;
SELECT * FROM emu_requests();
SELECT emu_reset();
SELECT billing_profile_name, name, amount, start_date, end_date FROM billing19.instructions
WHERE billing_account_name = acct('mca2') AND billing_profile_name = 'BBBB-1111-BP1-PRF' AND name = 'instr-2';
SELECT * FROM emu_requests();
-- an EA account has no billing profiles to hold them
SELECT * FROM try($$SELECT count(*) FROM billing19.instructions WHERE billing_account_name = acct('ea')$$);
