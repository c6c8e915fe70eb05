--
-- tables: the tables of a billing account or of the caller, both api-versions
-- (agreements, associated tenants, subscription aliases, reservations,
-- savings plans, billing requests, recipient transfers, operations).
-- tables_mca, tables_ea, tables_mpa and tables_roles cover the others.
--
SET TimeZone = 'UTC';
SELECT emu_reset();
--
-- agreements: the FDW lists the accounts itself; EA and MOSP have none
--
SELECT left(billing_account_name, 8) AS acct, name, display_name, category, acceptance_mode,
       effective_date, expiration_date, jsonb_array_length(billing_profile_info) AS profiles
FROM billing.agreements ORDER BY 1, 2;
SELECT left(billing_account_name, 8) AS acct, name, category, acceptance_mode, effective_date,
       status, participants->0->>'email' AS signer
FROM billing19.agreements ORDER BY 1, 2;
SELECT count(*) FROM billing.agreements WHERE billing_account_name = acct('ea');
-- point lookups: one request each, by name; a name Azure does not know is no row
SELECT emu_reset();
SELECT name, display_name, category, effective_date FROM billing.agreements
WHERE billing_account_name = acct('mca1') AND name = 'DEF456';
SELECT name, category, effective_date FROM billing19.agreements
WHERE billing_account_name = acct('mca2') AND name = 'ABC789';
SELECT count(*) FROM billing.agreements WHERE billing_account_name = acct('mpa') AND name = 'NOPE01';
SELECT * FROM emu_requests();
--
-- associated tenants (2024-04-01 only): lists leave out Revoked tenants
--
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, name, display_name, tenant_id = name AS tenant_is_name,
       billing_management_state, provisioning_management_state
FROM billing.associated_tenants ORDER BY 1, 2;
SELECT * FROM emu_requests();
-- ... a point lookup finds the revoked one
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, display_name, billing_management_state
FROM billing.associated_tenants
WHERE billing_account_name = acct('mca1') AND name = '9734af28-dde3-5c55-b485-a440e62fe65a';
SELECT * FROM emu_requests();
--
-- billing subscription aliases (2024-04-01 only): MCA1 has two
--
SELECT left(billing_account_name, 8) AS acct, name, subscription_id, display_name,
       billing_profile_name, invoice_section_name, sku_id, quantity, product_category, status
FROM billing.billing_subscription_aliases ORDER BY 1, 2;
SELECT emu_reset();
SELECT name, subscription_id, display_name FROM billing.billing_subscription_aliases
WHERE billing_account_name = acct('mca1') AND name = 'alias-2';
SELECT * FROM emu_requests();
--
-- reservation orders and reservations (2024-04-01 only): MCA1 and EA
--
SELECT left(billing_account_name, 8) AS acct, name, display_name, original_quantity, term,
       billing_plan, benefit_start_time, expiry_date, expiry_date_time,
       billing_profile_id IS NOT NULL AS has_profile, enrollment_id,
       jsonb_array_length(reservations) AS reservations
FROM billing.reservation_orders ORDER BY 1, 2;
SELECT left(billing_account_name, 8) AS acct, name, display_name, quantity, renew, purchase_date,
       expiry_date_time, applied_scope_type, user_friendly_renew_state
FROM billing.reservations ORDER BY 1, 2;
-- by reservation order, and by billing profile
SELECT left(billing_account_name, 8) AS acct, reservation_order_id, name, quantity
FROM billing.reservations
WHERE billing_account_name = acct('mca1') AND reservation_order_id = 'aaaa0000-0e0e-4000-8000-000000000002'
ORDER BY 3;
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name, quantity
FROM billing.reservations
WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
ORDER BY 3;
SELECT emu_reset();
SELECT name, display_name, original_quantity FROM billing.reservation_orders
WHERE billing_account_name = acct('ea') AND name = 'eeee0000-0e0e-4000-8000-000000000001';
SELECT reservation_order_id, name, display_name, quantity FROM billing.reservations
WHERE billing_account_name = acct('mca1') AND reservation_order_id = 'aaaa0000-0e0e-4000-8000-000000000002'
  AND name = 'aaaa0000-0e1e-4000-8000-000000000012';
SELECT * FROM emu_requests();
--
-- savings plan orders and savings plans (2024-04-01 only): MCA1 and EA
--
SELECT left(billing_account_name, 8) AS acct, name, display_name, term, billing_plan,
       benefit_start_time, expiry_date_time, split_part(savings_plans->>0, '/savingsPlans/', 2) AS plan
FROM billing.savings_plan_orders ORDER BY 1, 2;
SELECT left(billing_account_name, 8) AS acct, name, display_name, term, billing_plan, renew,
       commitment->>'amount' AS hourly, commitment->>'grain' AS grain, benefit_start_time,
       expiry_date_time
FROM billing.savings_plans ORDER BY 1, 2;
SELECT left(billing_account_name, 8) AS acct, savings_plan_order_id, name
FROM billing.savings_plans
WHERE billing_account_name = acct('mca1') AND savings_plan_order_id = 'aaaa0000-05a0-4000-8000-000000000001';
SELECT emu_reset();
SELECT name, display_name FROM billing.savings_plan_orders
WHERE billing_account_name = acct('mca1') AND name = 'aaaa0000-05a0-4000-8000-000000000001';
SELECT savings_plan_order_id, name, display_name FROM billing.savings_plans
WHERE billing_account_name = acct('ea') AND savings_plan_order_id = 'eeee0000-05a0-4000-8000-000000000001'
  AND name = 'eeee0000-05a1-4000-8000-000000000001';
SELECT * FROM emu_requests();
--
-- billing requests (2024-04-01 only): without a scope, the caller's list
-- (one request); scope columns come from the items' properties
--
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, invoice_section_name,
       left(customer_name, 8) AS customer, status, property_type, creation_date, reviewal_date
FROM billing.billing_requests ORDER BY 1, 2 NULLS FIRST, 3 NULLS FIRST, 4 NULLS FIRST;
SELECT * FROM emu_requests();
-- each scope lists the requests made on it
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, invoice_section_name, status,
       emu_short(billing_scope) AS billing_scope
FROM billing.billing_requests WHERE billing_account_name = acct('mca1') ORDER BY 2, 3;
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, invoice_section_name, status
FROM billing.billing_requests
WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF' ORDER BY 3;
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, invoice_section_name, status
FROM billing.billing_requests
WHERE billing_account_name = acct('mca1') AND billing_profile_name = 'AAAA-1111-BP1-PRF'
  AND invoice_section_name = 'AAAA-1111-IS2-SEC';
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, customer_name, status
FROM billing.billing_requests
WHERE billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'
  AND customer_name = 'c2000000-0000-0000-0000-000000000002';
SELECT * FROM emu_requests();
-- point lookup by name alone; a scope condition is checked on the row
SELECT emu_reset();
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, invoice_section_name, status,
       justification, created_by->>'upn' AS created_by
FROM billing.billing_requests WHERE name = '428dde9c-d9eb-5c8c-9654-2a7f70d0ffa2';
SELECT count(*) FROM billing.billing_requests
WHERE billing_account_name = acct('mca2') AND name = '428dde9c-d9eb-5c8c-9654-2a7f70d0ffa2';
SELECT * FROM emu_requests();
--
-- recipient transfers: the caller's; 2019 items carry no id or name
--
SELECT emu_reset();
SELECT name, transfer_status, initiator_email_id, recipient_email_id, canceled_by, expiration_time,
       initiator_customer_type, detailed_transfer_status->0->>'transferStatus' AS detail
FROM billing.recipient_transfers ORDER BY 1;
SELECT id IS NULL AS no_id, name IS NULL AS no_name, transfer_status, initiator_email_id, canceled_by,
       creation_time, expiration_time, initiator_customer_type
FROM billing19.recipient_transfers ORDER BY 4;
SELECT * FROM emu_requests();
SELECT emu_reset();
SELECT name, transfer_status, canceled_by FROM billing.recipient_transfers
WHERE name = 'dddd2222333340008000000000000002';
SELECT transfer_status, canceled_by, creation_time FROM billing19.recipient_transfers
WHERE name = 'dddd2222333340008000000000000002';
SELECT * FROM emu_requests();
--
-- operations: two pages, items without ids, duplicates kept as Azure sends them
--
SELECT emu_reset();
SELECT count(*), count(DISTINCT name) AS names, count(id) AS ids,
       count(*) FILTER (WHERE is_data_action) AS data_actions
FROM billing.operations;
SELECT count(*), count(DISTINCT name) AS names, count(id) AS ids FROM billing19.operations;
SELECT * FROM emu_requests();
SELECT name, count(*) FROM billing.operations GROUP BY 1 HAVING count(*) > 1 ORDER BY 1;
SELECT name, display->>'resource' AS resource, display->>'operation' AS operation,
       display->>'description' AS description
FROM billing.operations WHERE name LIKE '%/invoices/%' ORDER BY 1, 2, 3;
SELECT name, display->>'resource' AS resource, display->>'operation' AS operation,
       display->>'description' AS description
FROM billing19.operations WHERE name LIKE '%/invoices/%' ORDER BY 1, 2, 3;
