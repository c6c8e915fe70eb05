--
-- pushdown: scopes, dates, types and joins become request paths and queries
--
SET TimeZone = 'UTC';
SELECT emu_reset();
-- the README's example: exactly one request, dates pushed
EXPLAIN (VERBOSE, COSTS OFF)
SELECT invoice_date, amount_due, amount_due_currency, status FROM billing.invoices
WHERE billing_account_name = '11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31'
  AND invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01';
SELECT invoice_date, amount_due, amount_due_currency, status FROM billing.invoices
WHERE billing_account_name = '11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31'
  AND invoice_date >= '2026-01-01' AND invoice_date < '2026-02-01' ORDER BY 1, 2;
SELECT * FROM emu_requests();
SELECT emu_reset();
-- BETWEEN, =, and a session time zone other than UTC: windows are UTC days, widened
SET TimeZone = 'America/Los_Angeles';
SELECT count(*) FROM billing.invoices
WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca2')
  AND invoice_date BETWEEN '2025-03-01' AND '2025-05-31';
SELECT count(*) FROM billing.invoices
WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca2') AND invoice_date = '2025-04-01 00:00+00';
SET TimeZone = 'UTC';
SELECT count(*) FROM billing.invoices
WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca2') AND invoice_date > '2026-12-01' AND invoice_date < '2026-01-01';
SELECT * FROM emu_requests();
SELECT emu_reset();
-- IN and = ANY: one request per value; parameters work as constants do
SELECT left(billing_account_name, 8), count(*) FROM billing.billing_profiles
WHERE billing_account_name IN ((SELECT name FROM acct WHERE alias = 'mca1'), (SELECT name FROM acct WHERE alias = 'mpa'))
GROUP BY 1 ORDER BY 1;
PREPARE by_profiles(text[]) AS
  SELECT billing_profile_name, count(*) FROM billing.invoices
  WHERE billing_account_name = '11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31'
    AND billing_profile_name = ANY ($1) AND invoice_date >= '2026-01-01' GROUP BY 1 ORDER BY 1;
EXECUTE by_profiles(ARRAY['AAAA-1111-BP1-PRF', 'AAAA-2222-BP2-PRF']);
SELECT * FROM emu_requests();
SELECT emu_reset();
-- transactions: billed_status pushes "type"; without it all three are fetched
SELECT count(*) FROM billing.transactions
WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca2')
  AND billing_profile_name = 'BBBB-1111-BP1-PRF' AND billed_status = 'Unbilled';
SELECT billed_status, count(*) FROM billing.transactions
WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca2')
  AND billing_profile_name = 'BBBB-1111-BP1-PRF' AND date >= '2026-10-01'
GROUP BY 1 ORDER BY 1;
SELECT * FROM emu_requests();
SELECT emu_reset();
-- without a scope the FDW enumerates parents, skipping agreement types the route lacks
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM billing.invoice_sections;
SELECT count(*) FROM billing.invoice_sections;
SELECT * FROM emu_requests();
SELECT emu_reset();
-- a pinned table: its scope comes from a table option
CREATE FOREIGN TABLE contoso_invoices (name text, invoice_date timestamptz, billing_account_name text)
  SERVER emu OPTIONS (resource 'invoices',
    billing_account_name '11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31');
SELECT count(*) FROM contoso_invoices WHERE invoice_date >= '2026-10-01';
SELECT * FROM emu_requests();
SELECT emu_reset();
DROP FOREIGN TABLE contoso_invoices;
-- joins drive scoped requests through parameterized paths
SET enable_hashjoin = off;
SET enable_mergejoin = off;
PREPARE profile_invoices AS
SELECT p.name, count(i.name)
FROM billing.billing_profiles p
JOIN billing.invoices i ON i.billing_profile_name = p.name AND i.billing_account_name = p.billing_account_name
WHERE p.billing_account_name = '11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31'
  AND i.invoice_date >= '2026-07-01' AND i.invoice_date < '2026-11-01'
GROUP BY 1 ORDER BY 1;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE profile_invoices;
EXECUTE profile_invoices;
DEALLOCATE profile_invoices;
SELECT * FROM emu_requests();
SELECT emu_reset();
-- a local table drives the scopes, as in a cost-centre report
CREATE TABLE owners (profile text, owner text);
INSERT INTO owners VALUES ('AAAA-1111-BP1-PRF', 'ops'), ('AAAA-2222-BP2-PRF', 'research');
SELECT o.owner, count(*) FROM owners o
JOIN billing.invoices i ON i.billing_profile_name = o.profile
WHERE i.billing_account_name = '11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31'
  AND i.invoice_date >= '2026-01-01'
GROUP BY 1 ORDER BY 1;
SELECT * FROM emu_requests();
SELECT emu_reset();
-- a join supplies scopes of every agreement type: an account whose type the
-- inner route lacks has no rows there (no error, unlike a named account)
SET enable_material = off;
EXPLAIN (COSTS OFF)
SELECT p.name, count(s.name) FROM billing.billing_profiles p
LEFT JOIN billing.invoice_sections s
  ON s.billing_account_name = p.billing_account_name AND s.billing_profile_name = p.name
GROUP BY 1 ORDER BY 1;
SELECT p.name, count(s.name) FROM billing.billing_profiles p
LEFT JOIN billing.invoice_sections s
  ON s.billing_account_name = p.billing_account_name AND s.billing_profile_name = p.name
GROUP BY 1 ORDER BY 1;
RESET enable_material;
SELECT * FROM try($$SELECT count(*) FROM billing.invoice_sections
                    WHERE billing_account_name = acct('mpa') AND billing_profile_name = 'CCCC-1111-BP1-PRF'$$);
SELECT emu_reset();
RESET enable_hashjoin;
RESET enable_mergejoin;
DROP TABLE owners;
-- 2024-04-01 routes take OData: text property conditions become the filter
-- parameter, under the name the operation declares ("filter", not "$filter"),
-- values quoted with '' (a quote inside doubled)
EXPLAIN (VERBOSE, COSTS OFF)
SELECT name, status FROM billing.invoices
WHERE billing_account_name = acct('mca1') AND status = 'Due'
  AND invoice_date >= '2026-01-01' AND invoice_date < '2026-11-01';
SELECT name, status FROM billing.invoices
WHERE billing_account_name = acct('mca1') AND status = 'Due'
  AND invoice_date >= '2026-01-01' AND invoice_date < '2026-11-01' ORDER BY 1;
SELECT count(*) FROM billing.invoices
WHERE billing_account_name = acct('mca1') AND purchase_order_number = 'O''Brien #7'
  AND document_type = 'Invoice' AND invoice_date >= '2026-01-01' AND invoice_date < '2026-11-01';
SELECT e->'query'->>'filter' AS filter, e->'query' ? '$filter' AS dollar FROM jsonb_array_elements(emu_call('GET', '/_admin/log')) e
WHERE e->>'method' = 'GET' ORDER BY (e->>'seq')::int;
SELECT emu_reset();
-- Azure refusing the filter (400) costs one request: it is asked again without
SELECT emu_fault('{"match": "/invoices", "fault": "status", "status": 400, "query": "filter"}');
SELECT name, status FROM billing.invoices
WHERE billing_account_name = acct('mca1') AND status = 'Due'
  AND invoice_date >= '2026-01-01' AND invoice_date < '2026-11-01' ORDER BY 1;
SELECT e->'query'->>'filter' AS filter, e->>'status' AS status
FROM jsonb_array_elements(emu_call('GET', '/_admin/log')) e
WHERE e->>'method' = 'GET' ORDER BY (e->>'seq')::int;
SELECT emu_reset();
-- filter_pushdown 'false' sends none; 2019-10-01-preview routes take none
ALTER SERVER emu OPTIONS (ADD filter_pushdown 'false');
SELECT count(*) FROM billing.invoices
WHERE billing_account_name = acct('mca1') AND status = 'Due' AND invoice_date >= '2026-01-01' AND invoice_date < '2026-11-01';
ALTER SERVER emu OPTIONS (DROP filter_pushdown);
SELECT count(*) FROM billing19.invoices
WHERE billing_account_name = acct('mca1') AND status = 'Due' AND invoice_date >= '2026-01-01' AND invoice_date < '2026-11-01';
SELECT count(*) FILTER (WHERE e->'query' ?| array['filter', '$filter']) AS with_filter, count(*) AS requests
FROM jsonb_array_elements(emu_call('GET', '/_admin/log')) e WHERE e->>'method' = 'GET';
SELECT emu_reset();
-- every qual is rechecked locally: conditions Azure cannot take still apply
SELECT count(*) FROM billing.invoices
WHERE billing_account_name = (SELECT name FROM acct WHERE alias = 'mca1')
  AND invoice_date >= '2026-01-01' AND status = 'Due' AND amount_due > 0;
-- NULL and contradictory conditions need no request
SELECT count(*) FROM billing.invoices WHERE billing_account_name = NULL;
SELECT count(*) FROM billing.invoices WHERE billing_account_name IN (NULL);
SELECT * FROM emu_requests();
SELECT emu_reset();
-- an OR of equalities on one scope column is pushed like IN: one request per
-- value, no enumeration of billing accounts
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM billing.billing_profiles
WHERE billing_account_name = '11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31'
   OR billing_account_name = '33333333-3333-3333-3333-333333333333:33333333-3333-3333-3333-333333333333_2018-09-30';
SELECT left(billing_account_name, 8), count(*) FROM billing.billing_profiles
WHERE billing_account_name = acct('mca1') OR billing_account_name = acct('mpa')
   OR billing_account_name IN (acct('mca1')) GROUP BY 1 ORDER BY 1;
SELECT * FROM emu_requests();
SELECT emu_reset();
-- an OR across two columns is no scope: the accounts are enumerated
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM billing.billing_profiles
WHERE billing_account_name = 'x' OR display_name = 'y';
-- date bounds known only at run time are pushed at execution; EXPLAIN shows
-- them as expressions, with a constant bound of the same side beside them
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM billing.invoices
WHERE billing_account_name = '11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31'
  AND invoice_date >= now() - interval '30 days' AND invoice_date < '2027-01-01';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM billing.invoices
WHERE billing_account_name = '11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31'
  AND invoice_date >= '2026-01-01' AND invoice_date >= current_date - 7 AND invoice_date < current_date;
SELECT count(*) >= 0 AS ran FROM billing.invoices
WHERE billing_account_name = acct('mca1') AND invoice_date >= now() - interval '30 days';
SELECT query = format('api-version=2024-04-01&periodStartDate=%s&periodEndDate=TODAY',
                      to_char(now() - interval '30 days', 'YYYY-MM-DD')) AS window_pushed
FROM emu_requests();
SELECT emu_reset();
