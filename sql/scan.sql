--
-- scan: the seven core tables end to end, both api-versions
--
SET TimeZone = 'UTC';
SELECT emu_reset();
-- billing accounts
SELECT a.alias, b.account_status, b.account_type, b.has_read_access, b.sold_to->>'country' AS country
FROM billing.billing_accounts b JOIN acct a ON a.name = b.name ORDER BY 1;
SELECT a.alias, b.display_name, b.agreement_type
FROM billing19.billing_accounts b JOIN acct a ON a.name = b.name ORDER BY 1;
-- billing profiles (MCA and MPA accounts only; the FDW lists accounts itself)
SELECT a.alias, p.name, p.display_name, p.currency, p.billing_account_name = a.name AS scope_ok
FROM billing.billing_profiles p JOIN acct a ON a.name = p.billing_account_name ORDER BY 1, 2;
-- invoice sections, scope columns from the request
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name, display_name
FROM billing.invoice_sections ORDER BY 1, 2, 3;
SELECT left(billing_account_name, 8) AS acct, billing_profile_name, name
FROM billing19.invoice_sections ORDER BY 1, 2, 3;
-- invoices: typed columns, amounts with their currency
SELECT name, invoice_date, due_date, status, amount_due, amount_due_currency, total_amount,
       is_monthly_invoice, billing_profile_name
FROM billing.invoices
WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca1')
  AND invoice_date >= '2026-08-01'
ORDER BY invoice_date, name;
SELECT count(*), count(DISTINCT billing_account_name) AS accounts, min(invoice_date), max(invoice_date),
       sum(total_amount) FILTER (WHERE total_amount_currency = 'USD') AS usd
FROM billing.invoices;
SELECT count(*), min(invoice_date), max(invoice_date) FROM billing19.invoices;
-- 2019-10-01-preview timestamps: 7 fractional digits truncated, naive times are UTC
SELECT name, invoice_period_start_date, invoice_period_end_date, due_date
FROM billing19.invoices
WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca1')
  AND invoice_date >= '2026-10-01' ORDER BY name;
-- transactions: billed status from the request, amounts, dates
SELECT billed_status, count(*), sum(transaction_amount), min(transaction_amount_currency),
       min(date), max(date)
FROM billing.transactions
WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca1')
GROUP BY 1 ORDER BY 1;
SELECT count(*), count(DISTINCT billing_profile_name) FROM billing19.transactions
WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca1');
-- billing subscriptions and products
SELECT left(billing_account_name, 8) AS acct, count(*), count(DISTINCT subscription_id)
FROM billing.billing_subscriptions GROUP BY 1 ORDER BY 1;
SELECT name, display_name, product_type, status, purchase_date, billing_frequency
FROM billing.products ORDER BY name;
-- 2019 product dates come as MM/DD/YYYY
SELECT name, purchase_date, end_date FROM billing19.products ORDER BY name LIMIT 3;
-- raw is the item as returned
SELECT raw->>'name' = name AS same_name, jsonb_typeof(raw->'properties') AS props
FROM billing.invoices WHERE name = 'G000000271';
-- point lookups: one request each
SELECT emu_reset();
SELECT name, display_name FROM billing.billing_accounts WHERE name = '8608480';
SELECT name, status FROM billing.invoices WHERE name = 'G000000271';
SELECT name, status FROM billing.invoices
WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca1') AND name = 'G000000271';
SELECT name FROM billing.invoices WHERE name = 'G999999999';
SELECT * FROM emu_requests();
