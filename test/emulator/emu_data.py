"""Deterministic data set of the azbilling_fdw test emulator.

Everything here is generated from fixed rules (no randomness), so every run
of the emulator serves byte-identical data.  The world is built once at
start-up; the optional bulk transactions are never materialised: they are
computed from their index on demand (see BulkTx).

The entities are version-neutral.  emu_render.py turns them into the item
shapes of api-version 2019-10-01-preview or 2024-04-01.
"""

import datetime as _dt
import hashlib
import uuid

PFX = "/providers/Microsoft.Billing"

AGREEMENT = {
    "MCA": "MicrosoftCustomerAgreement",
    "EA": "EnterpriseAgreement",
    "MPA": "MicrosoftPartnerAgreement",
    "MOSP": "MicrosoftOnlineServicesProgram",
}

MCA1 = "11111111-1111-1111-1111-111111111111:11111111-1111-1111-1111-111111111111_2019-05-31"
MCA2 = "22222222-2222-2222-2222-222222222222:22222222-2222-2222-2222-222222222222_2020-01-15"
EA = "8608480"
MPA = "33333333-3333-3333-3333-333333333333:33333333-3333-3333-3333-333333333333_2018-09-30"
MOSP = "44444444-4444-4444-4444-444444444444:44444444-4444-4444-4444-444444444444_2016-01-01"

BULK_ACCOUNT = MCA2
BULK_PROFILE = "BBBB-1111-BP1-PRF"
BULK_SECTION = "BBBB-1111-IS1-SEC"

# Invoice months: invoiceDate is the 1st of each month 2023-01 .. 2026-10.
INVOICE_FIRST = (2023, 1)
INVOICE_MONTHS = 46
# Transaction months: 2022-12 .. 2026-11.  Month t is billed on the invoice
# dated the 1st of month t+1 (invoice month index t); months 2026-10 and
# 2026-11 have no invoice yet and are Unbilled.
TX_FIRST = (2022, 12)
TX_MONTHS = 48
UNBILLED_FROM = 46

NS = uuid.UUID("6b1f6c2e-8a55-4d0c-9a39-5e1d2a7c0b11")
UTC = _dt.timezone.utc
EPOCH_2025 = _dt.datetime(2025, 1, 1, tzinfo=UTC)
YEAR_2025_SECONDS = 365 * 86400


def h(*parts):
    """A stable 64-bit hash of the parts (deterministic across runs)."""
    data = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def guid(*parts):
    return str(uuid.uuid5(NS, "|".join(str(p) for p in parts)))


def ym_add(ym, k):
    y, m = ym
    n = y * 12 + (m - 1) + k
    return (n // 12, n % 12 + 1)


def month_last_day(y, m):
    ny, nm = ym_add((y, m), 1)
    return (_dt.date(ny, nm, 1) - _dt.timedelta(days=1)).day


def money(v):
    return round(v + 0.0, 2)


# --------------------------------------------------------------------------
# Entities

class E:
    """One entity.  scope maps canonical scope keys (account, profile,
    section, customer, department, enrollment, subscription, invoice,
    resorder, sporder, name) to values (str or frozenset)."""

    __slots__ = ("kind", "name", "scope", "d", "level")

    def __init__(self, kind, name, scope, level=None, **d):
        self.kind = kind
        self.name = name
        self.scope = dict(scope)
        self.scope.setdefault("name", name)
        self.level = level
        self.d = d

    def __getattr__(self, item):
        try:
            return self.d[item]
        except KeyError:
            raise AttributeError(item)


CATALOG = [
    # family, productType, description, unitOfMeasure, unitType, productTypeId, partNumber, price
    ("Compute", "Virtual Machines", "Virtual Machines Dv3 Series - D2 v3 - US West 2", "1 Hour", "1 Hour", "DZH318Z0BQ4S", "AAA-00001", 0.096),
    ("Storage", "Storage", "Blob Storage - Hot LRS - Data Stored", "1 GB/Month", "1 GB/Month", "DZH318Z0BNVX", "AAA-00002", 0.0184),
    ("Networking", "Bandwidth", "Bandwidth - Data Transfer Out - Zone 1", "1 GB", "1 GB", "DZH318Z0BP0K", "AAA-00003", 0.087),
    ("Databases", "SQL Database", "SQL Database Single vCore - General Purpose - Gen5", "1 Hour", "1 vCore Hour", "DZH318Z0BQPS", "AAA-00004", 0.5044),
    ("Microsoft Azure Support", "Azure Support", "Developer Support", "1/Month", "1 Month", "DZH318Z0BP99", "AAA-00005", 29.0),
    ("Analytics", "Log Analytics", "Log Analytics - Pay-as-you-go - Data Ingestion", "1 GB", "1 GB", "DZH318Z0BP5W", "AAA-00006", 2.76),
]
RESERVATION_ITEM = ("Compute", "Reserved VM Instance", "Reserved VM Instance, Standard_D2s_v3, US West 2, 1 Year",
                    "1 Hour", "1 Hour", "DZH318Z0BQ8B", "AAA-00100", 612.0)
CREDIT_ITEM = ("Microsoft Azure", "Azure Credit", "Service interruption credit",
               "1/Month", "1 Month", "DZH318Z0BXXC", "AAA-00900", 1.0)
EXCHANGE = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79}
SLOT_DAY = (5, 14, 23)
SLOT_TIME = ((8, 15, 30), (14, 8, 43), (19, 45, 10))


class TxRec:
    """One transaction, regular or bulk (version-neutral)."""

    __slots__ = ("name", "account", "profile", "section", "customer", "sub",
                 "dt", "t", "slot", "status", "invoice", "item", "units",
                 "discount", "credit", "bulk", "seq", "currency", "qty", "kind")

    def key_date(self):
        return self.dt.date()


def tx_totals(txs):
    """Sub-total, tax and credit of a list of transactions, rounded as money."""
    sub = sum(_tx_amounts(tx)[0] for tx in txs)
    tax = sum(_tx_amounts(tx)[1] for tx in txs)
    return money(sub), money(tax), money(sum(tx.credit for tx in txs))


def _tx_amounts(tx):
    """subTotal, tax, total, effectivePrice, marketPrice (all rounded)."""
    price = tx.item[7]
    eff = round(price * (1.0 - tx.discount), 4)
    sub = money(tx.units * eff * tx.qty)
    if tx.status == "Other":
        sub = -sub
    tax = 0.0 if tx.status == "Unbilled" else money(sub * 0.08)
    return sub, tax, money(sub + tax), eff, price


class World:
    def __init__(self):
        self.kinds = {}
        self.accounts = {}
        self.tx_regular = []            # TxRec list sorted by (account, date)
        self.tx_by_invoice = {}         # invoice name -> [TxRec]
        self.invoices_by_name = {}
        self.invoice_month_lookup = {}  # (account, profile, (y, m)) -> invoice E
        self.bulk_n = 0
        self.bulk_years = 1
        self.bulk_epoch, self.bulk_seconds = EPOCH_2025, YEAR_2025_SECONDS
        self._memo = {}
        self._build()
        self._memo = {}

    # -- helpers ---------------------------------------------------------
    def add(self, e):
        self.kinds.setdefault(e.kind, []).append(e)
        return e

    def all(self, kind):
        return self.kinds.get(kind, [])

    def account(self, name):
        return self.accounts.get(name.lower()) if name else None

    def profile(self, acct, prof):
        key = ("profile", acct, prof)
        hit = self._memo.get(key)
        if hit is None:
            for e in self.all("profile"):
                if e.account == acct and e.name == prof:
                    hit = self._memo[key] = e
                    break
        return hit

    def find(self, kind, **scope):
        key = (kind,) + tuple(sorted(scope.items()))
        hit = self._memo.get(key)
        if hit is None:
            for e in self.all(kind):
                if all(e.scope.get(k) == v for k, v in scope.items()):
                    hit = self._memo[key] = e
                    break
        return hit

    # -- build -------------------------------------------------------------
    def _build(self):
        addr = lambda company, line1, city, region, country, postal, first="Alex", last="Doe": {
            "firstName": first, "lastName": last, "companyName": company, "addressLine1": line1,
            "city": city, "region": region, "country": country, "postalCode": postal}
        accts = [
            (MCA1, "Contoso", "MCA", "USD", "Enterprise", "Enterprise", addr("Contoso Ltd", "1 Contoso Way", "Redmond", "WA", "US", "98052"), "aaaa0000", "2019-05-31"),
            (MCA2, "Fabrikam", "MCA", "EUR", "Business", "Professional", addr("Fabrikam GmbH", "Fabrikamstrasse 2", "Berlin", "BE", "DE", "10115", "Jonas", "Weber"), "bbbb0000", "2020-01-15"),
            (EA, "Woodgrove Enrollment", "EA", "USD", "Enterprise", "Enterprise", addr("Woodgrove Bank", "3 Woodgrove Plaza", "New York", "NY", "US", "10001", "Dana", "Reyes"), "eeee0000", "2017-07-01"),
            (MPA, "Northwind Partners", "MPA", "GBP", "Partner", "Enterprise", addr("Northwind Traders Ltd", "4 Northwind Road", "London", "", "GB", "EC1A 1BB", "Sam", "Hughes"), "cccc0000", "2018-09-30"),
            (MOSP, "Litware (pay-as-you-go)", "MOSP", "USD", "Individual", "None", addr("Litware Inc", "5 Litware Street", "Austin", "TX", "US", "73301", "Kim", "Lee"), "dddd0000", "2016-01-01"),
        ]
        for name, disp, ag, cur, atype, sub_type, address, pfx, created in accts:
            e = self.add(E("account", name, {"account": name}, display=disp, agreement=ag,
                           currency=cur, account_type=atype, sub_type=sub_type, address=address,
                           pfx=pfx, created=created,
                           tenant=guid("tenant", name)))
            self.accounts[name.lower()] = e

        # Billing profiles and invoice sections (MCA), profile + customers (MPA)
        profiles = [
            (MCA1, "AAAA-1111-BP1-PRF", "Contoso Operations", 5, "PO-1111",
             [("AAAA-1111-IS1-SEC", "Contoso Operations - Platform"),
              ("AAAA-1111-IS2-SEC", "Contoso Operations - Data")]),
            (MCA1, "AAAA-2222-BP2-PRF", "Contoso Research", 5, "",
             [("AAAA-2222-IS1-SEC", "Contoso Research - Lab")]),
            (MCA2, "BBBB-1111-BP1-PRF", "Fabrikam Billing", 1, "FAB-0001",
             [("BBBB-1111-IS1-SEC", "Fabrikam Default")]),
            (MPA, "CCCC-1111-BP1-PRF", "Northwind Partners Billing", 1, "", []),
        ]
        for acct, pname, disp, day, po, sections in profiles:
            a = self.account(acct)
            self.add(E("profile", pname, {"account": acct, "profile": pname}, account=acct,
                       display=disp, invoice_day=day, po=po, currency=a.currency,
                       agreement=a.agreement))
            for sname, sdisp in sections:
                self.add(E("section", sname, {"account": acct, "profile": pname, "section": sname},
                           account=acct, profile=pname, display=sdisp))
        for cname, cdisp in (("c1000000-0000-0000-0000-000000000001", "Tailspin Toys"),
                             ("c2000000-0000-0000-0000-000000000002", "Wide World Importers")):
            self.add(E("customer", cname, {"account": MPA, "profile": "CCCC-1111-BP1-PRF", "customer": cname},
                       account=MPA, profile="CCCC-1111-BP1-PRF", display=cdisp,
                       tenant=guid("customer-tenant", cname)))

        # EA departments and enrollment accounts
        for dname, ddisp, cc in (("123456", "Finance", "CC-100"), ("234567", "Engineering", "CC-200")):
            self.add(E("department", dname, {"account": EA, "department": dname}, account=EA,
                       display=ddisp, cost_center=cc))
        for ename, dname, edisp, owner in (
                ("4567890", "123456", "Finance Enrollment Account", "finance.owner@woodgrove.example"),
                ("5678901", "234567", "Engineering Enrollment Account", "eng.owner@woodgrove.example")):
            self.add(E("enrollment", ename, {"account": EA, "department": dname, "enrollment": ename},
                       account=EA, department=dname, display=edisp, owner=owner,
                       cost_center="CC-" + ename[:3]))

        self._build_subscriptions()
        self._build_products()
        self._build_transactions()
        self._build_invoices()
        self._build_misc()

    def _build_subscriptions(self):
        counters = {}

        def sub(acct, display, profile=None, section=None, customer=None, department=None,
                enrollment=None, sku=("0001", "Microsoft Azure Plan")):
            a = self.account(acct)
            counters[acct] = counters.get(acct, 0) + 1
            sid = "%s-0000-4000-8000-%012d" % (a.pfx, counters[acct])
            scope = {"account": acct, "subscription": sid}
            for k, v in (("profile", profile), ("section", section), ("customer", customer),
                         ("department", department), ("enrollment", enrollment)):
                if v:
                    scope[k] = v
            n = len(self.all("subscription"))
            return self.add(E("subscription", sid, scope, account=acct, display=display,
                              profile=profile, section=section, customer=customer,
                              department=department, enrollment=enrollment, sku=sku,
                              currency=a.currency, n=n,
                              last_month=money((h("lm", sid) % 500000) / 100.0),
                              mtd=money((h("mtd", sid) % 200000) / 100.0)))

        sub(MCA1, "Contoso Platform Prod", "AAAA-1111-BP1-PRF", "AAAA-1111-IS1-SEC")
        sub(MCA1, "Contoso Platform Dev", "AAAA-1111-BP1-PRF", "AAAA-1111-IS1-SEC",
            sku=("0002", "Microsoft Azure Plan for DevTest"))
        sub(MCA1, "Contoso Data Lake", "AAAA-1111-BP1-PRF", "AAAA-1111-IS2-SEC")
        sub(MCA1, "Contoso Data Science", "AAAA-1111-BP1-PRF", "AAAA-1111-IS2-SEC")
        sub(MCA1, "Contoso Research Sandbox", "AAAA-2222-BP2-PRF", "AAAA-2222-IS1-SEC")
        sub(MCA2, "Fabrikam Production", "BBBB-1111-BP1-PRF", "BBBB-1111-IS1-SEC")
        sub(MCA2, "Fabrikam Test", "BBBB-1111-BP1-PRF", "BBBB-1111-IS1-SEC",
            sku=("0002", "Microsoft Azure Plan for DevTest"))
        sub(MPA, "Tailspin Toys - Web", "CCCC-1111-BP1-PRF", customer="c1000000-0000-0000-0000-000000000001")
        sub(MPA, "Tailspin Toys - Analytics", "CCCC-1111-BP1-PRF", customer="c1000000-0000-0000-0000-000000000001")
        sub(MPA, "Wide World Importers - ERP", "CCCC-1111-BP1-PRF", customer="c2000000-0000-0000-0000-000000000002")
        sub(EA, "Woodgrove Finance Prod", department="123456", enrollment="4567890",
            sku=("MS-AZR-0017P", "Microsoft Azure Enterprise"))
        sub(EA, "Woodgrove Finance Reporting", department="123456", enrollment="4567890",
            sku=("MS-AZR-0017P", "Microsoft Azure Enterprise"))
        sub(EA, "Woodgrove Engineering Dev/Test", department="234567", enrollment="5678901",
            sku=("MS-AZR-0148P", "Microsoft Azure Enterprise Dev/Test"))
        sub(MOSP, "Litware Pay-As-You-Go", sku=("MS-AZR-0003P", "Pay-As-You-Go"))
        sub(MOSP, "Litware Visual Studio", sku=("MS-AZR-0063P", "Visual Studio Enterprise"))

    def _build_products(self):
        specs = [
            ("Azure Reservation", "DZH318Z0BQ8B", "Reserved VM Instance, Standard_D2s_v3, US West 2, 1 Year",
             "OneTime", 612.0),
            ("Azure Support", "DZH318Z0BP99", "Developer Support", "Monthly", 29.0),
            ("SaaS", "DZH318Z0BXWC", "Mailjet Email Service - 6K emails", "Monthly", 0.0),
        ]
        counters = {}
        for sec in self.all("section") + self.all("customer"):
            acct = sec.account
            a = self.account(acct)
            nprod = 1 if sec.kind == "customer" else 2
            for i in range(nprod):
                counters[acct] = counters.get(acct, 0) + 1
                pid = "%s-00f0-4000-8000-%012d" % (a.pfx[:4] + "f0f0", counters[acct])
                ptype, ptid, sku_desc, freq, charge = specs[(counters[acct] + i) % len(specs)]
                scope = {"account": acct, "profile": sec.profile}
                if sec.kind == "section":
                    scope["section"] = sec.name
                else:
                    scope["customer"] = sec.name
                k = counters[acct]
                purchase = _dt.date(2022 + k % 3, 1 + (k * 5) % 12, 1 + (k * 7) % 27)
                self.add(E("product", pid, scope, account=acct, profile=sec.profile,
                           section=sec.name if sec.kind == "section" else None,
                           customer=sec.name if sec.kind == "customer" else None,
                           ptype=ptype, ptid=ptid, sku_desc=sku_desc, freq=freq,
                           charge=charge, currency=a.currency, purchase=purchase,
                           end=_dt.date(purchase.year + 1, purchase.month, purchase.day),
                           status=("Active", "AutoRenew")[k % 2], qty=1 + k % 4, k=k))

    def _tx_sources(self):
        src = []
        for sec in self.all("section"):
            src.append((sec.account, sec.profile, sec.name, None))
        for cu in self.all("customer"):
            src.append((cu.account, cu.profile, None, cu.name))
        return src

    def _subs_of(self, section, customer):
        out = []
        for s in self.all("subscription"):
            if (section and s.section == section) or (customer and s.customer == customer):
                out.append(s)
        return out

    def _build_transactions(self):
        seq = 0
        for si, (acct, prof, section, customer) in enumerate(self._tx_sources()):
            a = self.account(acct)
            subs = self._subs_of(section, customer)
            for t in range(TX_MONTHS):
                y, m = ym_add(TX_FIRST, t)
                for slot in range(3):
                    tx = TxRec()
                    tx.name = guid("tx", acct, prof, section or customer, t, slot)
                    tx.account, tx.profile, tx.section, tx.customer = acct, prof, section, customer
                    tx.sub = subs[(t + slot) % len(subs)].name if subs else None
                    hh, mm, ss = SLOT_TIME[slot]
                    tx.dt = _dt.datetime(y, m, SLOT_DAY[slot], hh, mm, ss, tzinfo=UTC)
                    tx.t, tx.slot = t, slot
                    if t >= UNBILLED_FROM:
                        tx.status = "Unbilled"
                    elif t % 6 == 4 and slot == 2:
                        tx.status = "Other"
                    else:
                        tx.status = "Billed"
                    tx.invoice = None  # filled by _build_invoices
                    x = h("txamt", tx.name)
                    if tx.status == "Other":
                        tx.item, tx.kind, tx.qty = CREDIT_ITEM, "Other", 1
                        tx.units = money(5 + (x % 5000) / 100.0)
                    elif slot == 1 and t % 3 == 0:
                        tx.item, tx.kind, tx.qty = RESERVATION_ITEM, "Reservation", 1
                        tx.units = 1.0
                    else:
                        tx.item = CATALOG[(t * 3 + slot + si) % len(CATALOG)]
                        tx.kind, tx.qty = "All", 1
                        tx.units = money(((x % 90000) + 1000) / 100.0)
                        if tx.item[4] == "1 Month":
                            tx.units = 1.0
                    tx.discount = 0.1 if x % 5 == 0 else 0.0
                    tx.credit = 0.0
                    tx.bulk = False
                    tx.seq = seq
                    tx.currency = a.currency
                    seq += 1
                    sub_total = _tx_amounts(tx)[0]
                    if slot == 0 and t % 4 == 0 and tx.status != "Other":
                        tx.credit = money(sub_total * 0.25)
                    self.tx_regular.append(tx)
        self.tx_regular.sort(key=lambda r: (r.account, r.dt, r.seq))

    def _build_invoices(self):
        scopes = [(MCA1, "AAAA-1111-BP1-PRF"), (MCA1, "AAAA-2222-BP2-PRF"),
                  (MCA2, "BBBB-1111-BP1-PRF"), (MPA, "CCCC-1111-BP1-PRF"), (EA, None), (MOSP, None)]
        self.invoice_scopes = scopes
        for mi in range(INVOICE_MONTHS):
            y, m = ym_add(INVOICE_FIRST, mi)
            for s, (acct, prof) in enumerate(scopes):
                a = self.account(acct)
                name = "G%09d" % (mi * len(scopes) + s + 1)
                subs = [x.name for x in self.all("subscription")
                        if x.account == acct and (prof is None or x.profile == prof)]
                if a.agreement == "MOSP" and subs:
                    subs = [subs[mi % len(subs)]]     # pay-as-you-go: one invoice per subscription
                scope = {"account": acct, "invoice": name, "subscription": frozenset(subs)}
                if prof:
                    scope["profile"] = prof
                if mi == INVOICE_MONTHS - 1:
                    status = "Due"
                elif mi == INVOICE_MONTHS - 2:
                    status = "OverDue"
                else:
                    status = "Paid"
                inv = self.add(E("invoice", name, scope, account=acct, profile=prof, mi=mi,
                                 date=_dt.date(y, m, 1), status=status, currency=a.currency,
                                 agreement=a.agreement, subs=subs, s=s))
                self.invoices_by_name[name.lower()] = inv
                self.invoice_month_lookup[(acct, prof, (y, m))] = inv
        # bind regular transactions to invoices
        for tx in self.tx_regular:
            if tx.status == "Unbilled":
                continue
            inv = self.invoice_month_lookup[(tx.account, tx.profile, ym_add(TX_FIRST, tx.t + 1))]
            tx.invoice = inv.name
            self.tx_by_invoice.setdefault(inv.name, []).append(tx)
        # invoice amounts: sums of their regular transactions (bulk excluded)
        for inv in self.all("invoice"):
            txs = self.tx_by_invoice.get(inv.name, [])
            if txs:
                sub, tax, credit = tx_totals(txs)
            else:
                x = h("inv", inv.name)
                sub = money(1000 + (x % 4000000) / 100.0)
                tax = money(sub * 0.08)
                credit = 0.0
            total = money(sub + tax)
            inv.d.update(sub_total=sub, tax=tax, total=total, credit=credit,
                         billed=total, due=money(total - credit) if inv.status != "Paid" else 0.0)

    def _build_misc(self):
        # agreements
        for acct, items in ((MCA1, [("ABC123", "Microsoft Customer Agreement", "MicrosoftCustomerAgreement",
                                      "ClickToAccept", _dt.date(2019, 5, 31)),
                                     ("DEF456", "Affiliate Purchase Terms", "AffiliatePurchaseTerms",
                                      "ESignEmbedded", _dt.date(2020, 3, 1))]),
                            (MCA2, [("ABC789", "Microsoft Customer Agreement", "MicrosoftCustomerAgreement",
                                     "ClickToAccept", _dt.date(2020, 1, 15))]),
                            (MPA, [("FED001", "Microsoft Partner Agreement", "MicrosoftPartnerAgreement",
                                    "ESignOffline", _dt.date(2018, 9, 30))])):
            for name, disp, cat, mode, eff in items:
                self.add(E("agreement", name, {"account": acct}, account=acct, display=disp,
                           category=cat, mode=mode, effective=eff))

        # scopes that carry permissions / role assignments / role definitions
        scope_entities = []
        for a in self.all("account"):
            scope_entities.append(("account", {"account": a.name}, a))
        for p in self.all("profile"):
            scope_entities.append(("profile", dict(p.scope, name=None), p))
        for s in self.all("section"):
            scope_entities.append(("section", dict(s.scope, name=None), s))
        for c in self.all("customer"):
            scope_entities.append(("customer", dict(c.scope, name=None), c))
        for d in self.all("department"):
            scope_entities.append(("department", dict(d.scope, name=None), d))
        for en in self.all("enrollment"):
            scope_entities.append(("enrollment", dict(en.scope, name=None), en))
        self.scope_entities = scope_entities
        role_prefix = {"account": "1", "profile": "4", "section": "3", "customer": "5",
                       "department": "6", "enrollment": "7"}
        roles = [("Owner", "100000000000"), ("Contributor", "100000000001"), ("Reader", "100000000002")]
        for level, scope, ent in scope_entities:
            scope = {k: v for k, v in scope.items() if v is not None and k != "name"}
            acct = scope["account"]
            ag = self.account(acct).agreement
            pf = "9" if (level == "account" and ag == "EA") else role_prefix[level]
            # billing permissions: two items per scope
            actions = ["Microsoft.Billing/%s/read" % x for x in
                       ("billingAccounts", "billingProfiles", "invoiceSections", "invoices",
                        "transactions", "billingSubscriptions", "products")[: 3 + len(scope)]]
            self.add(E("permission", "perm-%s-0" % level, scope, level=level,
                       actions=actions, not_actions=[]))
            self.add(E("permission", "perm-%s-1" % level, scope, level=level,
                       actions=["Microsoft.Billing/billingAccounts/invoices/download/action",
                                "%s0000000-aaaa-bbbb-cccc-200000000001" % pf],
                       not_actions=["Microsoft.Billing/billingAccounts/write"]))
            for rname, suffix in roles:
                rid = "%s0000000-aaaa-bbbb-cccc-%s" % (pf, suffix)
                self.add(E("roledef", rid, scope, level=level, role=rname, ent=ent, scope_level=level))
            for i in range(2 if level == "account" else 1):
                rid = "%s0000000-aaaa-bbbb-cccc-%s" % (pf, roles[i][1])
                principal = guid("principal", acct, level, ent.name, i)
                name = "%s_%s" % (rid, principal)
                self.add(E("roleassign", name, scope, level=level, role_id=rid, principal=principal,
                           ent=ent, i=i, email="user%d.%s@%s.example" % (
                               i + 1, level, self.account(acct).display.split()[0].lower())))
            if level in ("profile", "section", "customer", "account"):
                # billing requests (2024)
                if ag in ("MCA", "MPA") and level != "account" or (level == "account" and acct == MCA1):
                    bname = guid("breq", level, ent.name)
                    self.add(E("breq", bname, scope, level=level, ent=ent, acct=acct,
                               status=("Pending", "Approved")[len(self.all("breq")) % 2]))
        # available balances
        for a in self.all("account"):
            if a.agreement in ("MCA", "MOSP"):
                self.add(E("balance", "default", {"account": a.name}, level="account", acct=a,
                           amount=money((h("bal", a.name) % 100000) / 100.0)))
        for p in self.all("profile"):
            self.add(E("balance", "default", {"account": p.account, "profile": p.name}, level="profile",
                       acct=self.account(p.account), prof=p,
                       amount=money((h("bal", p.name) % 100000) / 100.0)))
        # payment methods (account scope + user scope) and payment method links (profile)
        for a in self.all("account"):
            if a.agreement != "MCA":
                continue
            profs = [p for p in self.all("profile") if p.account == a.name]
            for i, (family, ptype, disp, last4, exp) in enumerate(
                    (("CreditCard", "visa", "Visa", "4242", "12/2027"),
                     ("Credits", "credits", "Azure credits", "", ""))):
                name = guid("pm", a.name, i)
                self.add(E("paymethod", name, {"account": a.name}, level="account", acct=a,
                           family=family, ptype=ptype, disp=disp, last4=last4, exp=exp,
                           prof=profs[i % len(profs)]))
            for p in profs:
                name = guid("pml", p.name)
                self.add(E("paylink", name, {"account": a.name, "profile": p.name}, level="profile",
                           acct=a, prof=p, pm=guid("pm", a.name, 0)))
        for i, (family, ptype, disp, last4, exp) in enumerate(
                (("CreditCard", "mc", "Mastercard", "5454", "03/2028"),
                 ("DirectDebit", "sepa", "SEPA direct debit", "0321", ""))):
            self.add(E("paymethod", guid("pm-user", i), {}, level="user", acct=None, family=family,
                       ptype=ptype, disp=disp, last4=last4, exp=exp, prof=None))
        # policies
        for p in self.all("profile"):
            self.add(E("policy", "default", {"account": p.account, "profile": p.name}, level="profile", ent=p))
        for c in self.all("customer"):
            self.add(E("policy", "default", dict(c.scope, name="default"), level="customer", ent=c))
        for a in self.all("account"):
            self.add(E("policy", "default", {"account": a.name}, level="account", ent=a))
        for s in self.all("subscription"):
            self.add(E("policy", "default", {"account": s.account, "subscription": s.name},
                       level="subscription", ent=s))
        # billing property per subscription
        for s in self.all("subscription"):
            self.add(E("property", "default", {"account": s.account, "subscription": s.name}, ent=s))
        # transfers
        self.add(E("transfer", "aaaa7777000040008000000000000001",
                   {"account": MCA1, "profile": "AAAA-1111-BP1-PRF", "section": "AAAA-1111-IS1-SEC"},
                   recipient="recipient@fabrikam.example", initiator="owner@contoso.example",
                   status="Pending", created=_dt.datetime(2026, 11, 2, 10, 0, 0, tzinfo=UTC)))
        self.add(E("transfer", "aaaa7777000040008000000000000002",
                   {"account": MCA1, "profile": "AAAA-1111-BP1-PRF", "section": "AAAA-1111-IS1-SEC"},
                   recipient="finance@tailspin.example", initiator="owner@contoso.example",
                   status="Completed", created=_dt.datetime(2026, 6, 12, 9, 30, 0, tzinfo=UTC)))
        self.add(E("ptransfer", "cccc1111222240008000000000000001",
                   {"account": MPA, "profile": "CCCC-1111-BP1-PRF",
                    "customer": "c1000000-0000-0000-0000-000000000001"},
                   recipient="admin@tailspin.example", initiator="partner@northwind.example",
                   status="InProgress", created=_dt.datetime(2026, 10, 20, 16, 0, 0, tzinfo=UTC)))
        for i, st in enumerate(("Pending", "Declined")):
            self.add(E("rtransfer", "dddd222233334000800%013d" % (i + 1), {}, level="user",
                       recipient="me@litware.example", initiator="owner%d@contoso.example" % (i + 1),
                       status=st, created=_dt.datetime(2026, 9 + i, 3, 12, 0, 0, tzinfo=UTC)))
        # instructions (2019, per MCA billing profile)
        for p in self.all("profile"):
            if p.agreement != "MCA":
                continue
            for i in range(2):
                self.add(E("instruction", "instr-%d" % (i + 1), {"account": p.account, "profile": p.name},
                           amount=5000.0 * (i + 1), start=_dt.date(2025, 1 + 6 * i, 1),
                           end=_dt.date(2025, 6 + 6 * i, month_last_day(2025, 6 + 6 * i)),
                           created=_dt.date(2024, 12, 1 + i)))
        # associated tenants (2024, MCA accounts)
        for a in self.all("account"):
            if a.agreement != "MCA":
                continue
            for i, st in enumerate(("Active", "Revoked")):
                tid = guid("assoc-tenant", a.name, i)
                self.add(E("tenant", tid, {"account": a.name}, display="%s partner tenant %d" % (a.display, i + 1),
                           state=st))
        # reservations / savings plans (2024)
        for acct, n_orders in ((MCA1, 2), (EA, 1)):
            a = self.account(acct)
            prof = "AAAA-1111-BP1-PRF" if acct == MCA1 else None
            for oi in range(n_orders):
                oid = "%s-0e0e-4000-8000-%012d" % (a.pfx, oi + 1)
                scope = {"account": acct, "resorder": oid}
                if prof:
                    scope["profile"] = prof
                start = _dt.datetime(2024 + oi, 3, 1, 0, 0, 0, tzinfo=UTC)
                order = self.add(E("resorder", oid, scope, acct=a, prof=prof, start=start, n=oi + 1))
                for ri in range(oi + 1):
                    rid = "%s-0e1e-4000-8000-%012d" % (a.pfx, oi * 10 + ri + 1)
                    self.add(E("reservation", rid, dict(scope), acct=a, prof=prof, order=order,
                               start=start, qty=1 + ri, ri=ri))
        for acct in (MCA1, EA):
            a = self.account(acct)
            oid = "%s-05a0-4000-8000-000000000001" % a.pfx
            scope = {"account": acct, "sporder": oid}
            start = _dt.datetime(2025, 2, 1, 0, 0, 0, tzinfo=UTC)
            order = self.add(E("sporder", oid, scope, acct=a, start=start))
            sid = "%s-05a1-4000-8000-000000000001" % a.pfx
            self.add(E("splan", sid, dict(scope), acct=a, order=order, start=start))
        # billing subscription aliases (2024, MCA1)
        for i, s in enumerate([x for x in self.all("subscription") if x.account == MCA1][:2]):
            self.add(E("alias", "alias-%d" % (i + 1), {"account": MCA1}, sub=s))
        # operations (no ids; one duplicate as seen in real traffic)
        ops = []
        resources = [("billingAccounts", "Billing Accounts"), ("billingProfiles", "Billing Profiles"),
                     ("invoiceSections", "Invoice Sections"), ("invoices", "Invoices"),
                     ("transactions", "Transactions"), ("billingSubscriptions", "Billing Subscriptions"),
                     ("products", "Products"), ("customers", "Customers"), ("departments", "Departments"),
                     ("enrollmentAccounts", "Enrollment Accounts"), ("agreements", "Agreements"),
                     ("billingPermissions", "Billing Permissions"),
                     ("billingRoleAssignments", "Billing Role Assignments"),
                     ("billingRoleDefinitions", "Billing Role Definitions"),
                     ("paymentMethods", "Payment Methods"), ("policies", "Policies"),
                     ("transfers", "Transfers"), ("reservations", "Reservations"),
                     ("savingsPlans", "Savings Plans"), ("associatedTenants", "Associated Tenants")]
        for res, disp in resources:
            ops.append(("Microsoft.Billing/billingAccounts/%s/read" % res if res != "billingAccounts"
                        else "Microsoft.Billing/billingAccounts/read", disp, "List/Get %s" % disp))
            ops.append(("Microsoft.Billing/billingAccounts/%s/write" % res if res != "billingAccounts"
                        else "Microsoft.Billing/billingAccounts/write", disp, "Create/Update %s" % disp))
        for extra in (("Microsoft.Billing/invoices/download/action", "Invoices", "Download Invoice"),
                      ("Microsoft.Billing/invoices/download/action", "Invoices", "Download Invoice"),
                      ("Microsoft.Billing/validateAddress/action", "Address", "Validate Address"),
                      ("Microsoft.Billing/billingProperty/read", "Billing Property", "Get Billing Property"),
                      ("Microsoft.Billing/operations/read", "Operations", "List Operations"),
                      ("Microsoft.Billing/billingAccounts/billingProfiles/write", "Billing Profiles",
                       "Create/Update Billing Profiles"),
                      ("Microsoft.Billing/billingAccounts/billingProfiles/write", "Billing Profiles",
                       "Create/Update Billing Profiles"),
                      ("Microsoft.Billing/billingAccounts/invoices/transactionsDownload/action", "Invoices",
                       "Download Transactions"),
                      ("Microsoft.Billing/billingAccounts/billingProfiles/pricesheet/download/action",
                       "Price Sheet", "Download Price Sheet"),
                      ("Microsoft.Billing/billingAccounts/invoices/downloadSummary/action", "Invoices",
                       "Download Invoice Summary"),
                      ("Microsoft.Billing/billingAccounts/downloadDocuments/action", "Invoices",
                       "Download Invoice Documents"),
                      ("Microsoft.Billing/billingAccounts/invoices/amend/action", "Invoices", "Amend Invoice"),
                      ("Microsoft.Billing/billingAccounts/billingSubscriptions/move/action", "Billing Subscriptions",
                       "Move Billing Subscription"),
                      ("Microsoft.Billing/billingAccounts/products/move/action", "Products", "Move Product"),
                      ("Microsoft.Billing/billingAccounts/listInvoiceSectionsWithCreateSubscriptionPermission/action",
                       "Invoice Sections", "List Invoice Sections with create subscription permission")):
            ops.append(extra)
        for i, (name, res, op) in enumerate(ops):
            self.add(E("operation", "%s#%d" % (name, i), {}, level="user", opname=name, res=res, op=op))

    # -- transactions ------------------------------------------------------
    def set_bulk_years(self, years):
        """Spread the bulk transactions over 2025 (1, the default), or over
        the given number of 365-day years ending at today's midnight (UTC), so
        that a daily sync finds recent rows (the benchmark's five years)."""
        years = max(1, int(years or 1))
        if years == self.bulk_years:
            return
        if years == 1:
            span = (EPOCH_2025, YEAR_2025_SECONDS)
        else:
            today = _dt.datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            span = (today - _dt.timedelta(days=365 * years), 365 * years * 86400)
        self.bulk_epoch, self.bulk_seconds = span
        self.bulk_years = years

    def bulk_tx(self, i, n):
        """Bulk transaction number i of n (profile BBBB-1111-BP1-PRF, 2025 or
        the span set_bulk_years chose)."""
        tx = TxRec()
        tx.name = "b0000000-0000-4000-8000-%012d" % i
        tx.account, tx.profile, tx.section, tx.customer = BULK_ACCOUNT, BULK_PROFILE, BULK_SECTION, None
        tx.sub = "bbbb0000-0000-4000-8000-000000000001"
        tx.dt = self.bulk_epoch + _dt.timedelta(seconds=(i * self.bulk_seconds) // n)
        tx.t = None
        tx.slot = i % 3
        tx.status = "Billed"
        billed_on = ym_add((tx.dt.year, tx.dt.month), 1)
        inv = self.invoice_month_lookup.get((BULK_ACCOUNT, BULK_PROFILE, billed_on))
        # months beyond the invoiced ones (several years of bulk): an invoice name of their own
        tx.invoice = inv.name if inv else "G%04d%02d-BULK" % billed_on
        tx.item = CATALOG[i % len(CATALOG)]
        tx.kind = "All"
        tx.qty = 1
        tx.units = money(((i * 7919) % 90000 + 1000) / 100.0)
        if tx.item[4] == "1 Month":
            tx.units = 1.0
        tx.discount = 0.1 if i % 5 == 0 else 0.0
        tx.credit = 0.0
        tx.bulk = True
        tx.seq = 10 ** 7 + i
        tx.currency = "EUR"
        return tx

    def bulk_index_at(self, n, when):
        """First bulk index whose timestamp is >= when (datetime, UTC)."""
        secs = int((when - self.bulk_epoch).total_seconds())
        if secs <= 0:
            return 0
        if secs > self.bulk_seconds:
            return n
        # t_i = floor(i*Y/n) >= secs  <=>  i*Y >= secs*n
        i = -(-(secs * n) // self.bulk_seconds)
        return min(max(i, 0), n)

    def bulk_range(self, n, start=None, end=None):
        """[lo, hi) of bulk indexes with start <= date <= end (dates, inclusive)."""
        if n <= 0:
            return (0, 0)
        lo = 0 if start is None else self.bulk_index_at(
            n, _dt.datetime(start.year, start.month, start.day, tzinfo=UTC))
        if end is None:
            hi = n
        else:
            nxt = end + _dt.timedelta(days=1)
            hi = self.bulk_index_at(n, _dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=UTC))
        return (lo, max(lo, hi))


TX_AMOUNTS = _tx_amounts
