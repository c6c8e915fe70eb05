"""Item shapes of money: invoices, transactions, agreements, balances, permissions, properties, roles, payment methods and links."""

import datetime as _dt

from emu_data import PFX, AGREEMENT, TX_AMOUNTS, tx_totals, ym_add, month_last_day, money, guid, h
from emu_render_base import V19, V24, _acct, _cust_disp, _prof_disp, _sec_disp, aid, amt, cid, dz, pid, price, scope_id_type, sid, z, z7, with_props, prof_props, sec_props, cust_props


def invoice_period(inv):
    py, pm = ym_add((inv.date.year, inv.date.month), -1)
    return _dt.date(py, pm, 1), _dt.date(py, pm, month_last_day(py, pm))


def r_invoice(e, ctx):
    v = ctx.v
    a = e.account
    cur = e.currency
    start, end = invoice_period(e)
    due = e.date + _dt.timedelta(days=30)
    cap = ctx.cap
    via_sub = ctx.op in ("Invoices_ListByBillingSubscription", "Invoices_GetByBillingSubscription",
                         "Invoices_GetById")
    if v == V24:
        if via_sub and "subscription" in cap and "account" not in cap:
            iid = "%s/billingAccounts/default/billingSubscriptions/%s/invoices/%s" % (PFX, cap["subscription"], e.name)
        else:
            iid = aid(a) + "/invoices/" + e.name
        item = {"id": iid, "name": e.name, "type": "Microsoft.Billing/billingAccounts/invoices"}
        p = {"amountDue": amt(cur, e.due), "azurePrepaymentApplied": amt(cur, 0.0),
             "billedAmount": amt(cur, e.billed), "creditAmount": amt(cur, 0.0),
             "documents": [{"kind": "Invoice", "name": "%s-INV" % e.name, "source": "DRS",
                            "documentNumbers": [e.name]}],
             "documentType": "Invoice", "dueDate": dz(due),
             "freeAzureCreditApplied": amt(cur, e.credit), "invoiceDate": dz(e.date),
             "invoicePeriodEndDate": dz(end), "invoicePeriodStartDate": dz(start),
             "invoiceType": "AzureServices", "isMonthlyInvoice": True, "status": e.status,
             "subTotal": amt(cur, e.sub_total), "taxAmount": amt(cur, e.tax),
             "totalAmount": amt(cur, e.total), "specialTaxationType": "InvoiceLevel"}
        if e.agreement == "EA":
            p["documents"].append({"kind": "Summary", "name": "%s-SUM" % e.name, "source": "DRS"})
        if e.profile:
            prof_props(p, ctx, a, e.profile)
            if e.profile == "AAAA-1111-BP1-PRF":
                p["purchaseOrderNumber"] = "PO-1111"
        if e.agreement == "MOSP" and e.subs:
            s = ctx.world.find("subscription", subscription=e.subs[0])
            p["subscriptionId"] = s.name
            p["subscriptionDisplayName"] = s.display
        if e.status == "Paid":
            p["payments"] = [{"amount": amt(cur, e.total), "date": dz(e.date + _dt.timedelta(days=12)),
                              "paymentMethodFamily": "CreditCard", "paymentMethodType": "visa",
                              "paymentType": "Paid", "paymentMethodId": guid("pm", a, 0)}]
        else:
            p["payments"] = []
        item["properties"] = p
        return item
    # 2019-10-01-preview
    if via_sub and "subscription" in cap:
        iid = "%s/billingSubscriptions/%s/invoices/%s" % (aid(a), cap["subscription"], e.name)
    elif e.profile and ctx.op == "Invoices_ListByBillingProfile":
        iid = aid(a) + "/invoices/" + e.name        # untidy: account-level id under a profile list
    elif e.profile:
        iid = pid(a, e.profile) + "/invoices/" + e.name
    else:
        iid = aid(a) + "/invoices/" + e.name
    typ = ("Microsoft.Billing/billingAccounts/billingProfiles/invoices" if e.profile
           else "Microsoft.Billing/billingAccounts/invoices")
    item = {"id": iid, "name": e.name, "type": typ}
    frac = "%07d" % (h("frac", e.name) % 10000000)
    # .NET-style timestamps: 7 fractional digits, period end without offset
    inv_date = dz(e.date) if e.mi % 2 == 0 else "%04d-%02d-01T00:00:00.0000000Z" % (e.date.year, e.date.month)
    p = {"dueDate": "%sT17:32:28.%sZ" % (due.isoformat(), frac), "invoiceDate": inv_date,
         "status": e.status, "amountDue": amt(cur, e.due), "azurePrepaymentApplied": amt(cur, 0.0),
         "billedAmount": amt(cur, e.billed), "creditAmount": amt(cur, 0.0),
         "freeAzureCreditApplied": amt(cur, e.credit), "subTotal": amt(cur, e.sub_total),
         "taxAmount": amt(cur, e.tax), "totalAmount": amt(cur, e.total),
         "invoicePeriodStartDate": "%sT00:00:00Z" % start.isoformat(),
         "invoicePeriodEndDate": "%sT23:59:59.9999999" % end.isoformat(),
         "invoiceType": "AzureService", "isMonthlyInvoice": True,
         "documents": [{"kind": "Invoice",
                        "url": "https://invoices.emulator.invalid/%s/%s.pdf" % (a.split(":")[0], e.name)}]}
    if e.profile:
        prof_props(p, ctx, a, e.profile)
        if e.profile == "AAAA-1111-BP1-PRF":
            p["purchaseOrderNumber"] = "PO-1111"
    if e.agreement == "MOSP" and e.subs:
        p["subscriptionId"] = e.subs[0]
    if e.status == "Paid":
        p["payments"] = [{"paymentType": "Paid", "amount": amt(cur, e.total),
                          "date": "%sT10:12:44.%sZ" % ((e.date + _dt.timedelta(days=12)).isoformat(), frac),
                          "paymentMethodFamily": "CreditCard", "paymentMethodType": "visa"}]
    else:
        p["payments"] = []
    return with_props(item, p)


# -- transactions -------------------------------------------------------------

def _svc_period(tx):
    if tx.kind == "Reservation":
        s = tx.dt.date()
        return s, _dt.date(s.year + 1, s.month, s.day) - _dt.timedelta(days=1)
    y, m = tx.dt.year, tx.dt.month
    return _dt.date(y, m, 1), _dt.date(y, m, month_last_day(y, m))


def r_tx(tx, ctx):
    v = ctx.v
    w = ctx.world
    a = tx.account
    cur = tx.currency
    sub, tax, total, eff, market = TX_AMOUNTS(tx)
    fam, ptype, desc, uom, utype, ptid, part, _price = tx.item
    sp_start, sp_end = _svc_period(tx)
    prof_disp = _prof_disp(ctx, a, tx.profile)
    if v == V24:
        item = {"id": "%s/transactions/%s" % (pid(a, tx.profile), tx.name), "name": tx.name,
                "type": "Microsoft.Billing/billingAccounts/billingProfiles/transactions"}
        p = {"azureCreditApplied": amt(cur, tx.credit), "azurePlan": "Microsoft Azure Plan",
             "billingCurrency": cur, "billingProfileDisplayName": prof_disp,
             "billingProfileId": pid(a, tx.profile),
             "consumptionCommitmentDecremented": amt(cur, 0.0), "date": z(tx.dt),
             "discount": tx.discount, "effectivePrice": price("USD", eff),
             "exchangeRate": 1.0 if cur == "USD" else {"EUR": 0.92, "GBP": 0.79}.get(cur, 1.0),
             "invoice": tx.invoice if tx.invoice else "Pending", "isThirdParty": False,
             "kind": tx.kind, "marketPrice": price("USD", market), "partNumber": part,
             "pricingCurrency": "USD", "productDescription": desc, "productFamily": fam,
             "productTypeId": ptid, "productType": ptype, "quantity": tx.qty,
             "servicePeriodStartDate": dz(sp_start), "servicePeriodEndDate": dz(sp_end),
             "subTotal": amt(cur, sub), "tax": amt(cur, tax), "transactionAmount": amt(cur, total),
             "transactionType": ("Credit" if tx.status == "Other" else
                                 "Purchase" if tx.kind == "Reservation" else "Usage Charge"),
             "units": tx.units, "unitOfMeasure": uom, "unitType": utype}
        if tx.invoice:
            p["invoiceId"] = aid(a) + "/invoices/" + tx.invoice
        if tx.status == "Other":
            p["creditType"] = "ServiceInterruption"
            p["reasonCode"] = "SI-001"
        if tx.section:
            sec_props(p, ctx, a, tx.profile, tx.section)
        if tx.customer:
            cust_props(p, ctx, a, tx.customer, tx.profile)
        item["properties"] = p
        return item
    # 2019-10-01-preview; every fourth id spells BillingAccounts (as recorded)
    ba = "BillingAccounts" if tx.seq % 4 == 1 else "billingAccounts"
    item = {"id": "%s/%s/%s/billingProfiles/%s/transactions/%s" % (PFX, ba, a, tx.profile, tx.name),
            "name": tx.name, "type": "Microsoft.Billing/billingAccounts/billingProfiles/transactions"}
    frac = "%07d" % ((tx.seq * 2791103 + 1) % 10000000)
    if tx.seq % 3 == 0:
        local = tx.dt - _dt.timedelta(hours=7)
        date_s = local.strftime("%Y-%m-%dT%H:%M:%S.") + frac + "-07:00"
    else:
        date_s = z7(tx.dt, frac)
    p = {"kind": "reservation" if tx.kind == "Reservation" else "all", "date": date_s,
         "invoice": tx.invoice if tx.invoice else "pending",
         "productFamily": fam, "productTypeId": ptid, "productType": ptype,
         "productDescription": desc,
         "transactionType": "Purchase" if tx.kind == "Reservation" else "Usage Charge",
         "transactionAmount": amt(cur, total), "quantity": tx.qty,
         "billingProfileId": pid(a, tx.profile), "billingProfileDisplayName": prof_disp,
         "azureCreditApplied": amt(cur, tx.credit), "billingCurrency": cur, "discount": tx.discount,
         "effectivePrice": price("USD", eff),
         "exchangeRate": 1.0 if cur == "USD" else {"EUR": 0.92, "GBP": 0.79}.get(cur, 1.0),
         "marketPrice": price("USD", market), "pricingCurrency": "USD",
         "servicePeriodStartDate": "%sT00:00:00Z" % sp_start.isoformat(),
         "servicePeriodEndDate": "%sT23:59:59.9999999" % sp_end.isoformat(),
         "subTotal": amt(cur, sub), "tax": amt(cur, tax), "unitOfMeasure": uom, "units": tx.units,
         "unitType": utype}
    if tx.invoice:
        p["invoiceId"] = pid(a, tx.profile) + "/invoices/" + tx.invoice
    if tx.kind == "Reservation":
        p["orderId"] = guid("order", tx.name)
        p["orderName"] = "VM RI %s" % tx.dt.strftime("%Y-%m")
    if tx.section:
        sec_props(p, ctx, a, tx.profile, tx.section)
    if tx.customer:
        cust_props(p, ctx, a, tx.customer)
    if tx.sub:
        s = w.find("subscription", subscription=tx.sub)
        p["subscriptionId"] = tx.sub
        p["subscriptionName"] = s.display if s else tx.sub
    return with_props(item, p)


def r_tx_summary(inv, ctx):
    sub, tax, credit = tx_totals(ctx.world.tx_by_invoice.get(inv.name, []))
    return {"azureCreditApplied": money(credit), "billingCurrency": inv.currency,
            "consumptionCommitmentDecremented": 0.0, "subTotal": money(sub), "tax": money(tax),
            "total": money(sub + tax)}


# -- other groups -------------------------------------------------------------

def r_agreement(e, ctx):
    item = {"id": aid(e.account) + "/agreements/" + e.name, "name": e.name,
            "type": "Microsoft.Billing/billingAccounts/agreements"}
    eff = e.effective
    p = {"acceptanceMode": e.mode, "agreementLink": "https://agreements.emulator.invalid/%s.pdf" % e.name,
         "category": e.category, "effectiveDate": dz(eff),
         "expirationDate": dz(_dt.date(eff.year + 10, eff.month, eff.day)),
         "participants": [{"email": "signer@%s.example" % _acct(ctx, e.account).display.split()[0].lower(),
                           "status": "Accepted", "statusDate": dz(eff)}],
         "status": "Active"}
    if ctx.v == V24:
        p["displayName"] = e.display
        p["billingProfileInfo"] = [{"billingAccountId": aid(e.account), "billingProfileId": pid(e.account, pe.name),
                                    "billingProfileDisplayName": pe.display, "billingProfileSystemId": pe.name}
                                   for pe in ctx.world.all("profile") if pe.account == e.account]
    return with_props(item, p)


def r_balance(e, ctx):
    v = ctx.v
    a = e.acct
    cur = a.currency
    if e.level == "profile":
        bid = pid(a.name, e.prof.name) + "/availableBalance/default"
        typ = "Microsoft.Billing/billingAccounts/billingProfiles/availableBalance"
    else:
        bid = aid(a.name) + "/availableBalance/default"
        typ = "Microsoft.Billing/billingAccounts/availableBalance"
    if v == V19:
        if e.level == "profile" and e.prof.name == "AAAA-1111-BP1-PRF":
            bid += "?balanceName=" + guid("balance", e.prof.name)   # recorded: a query string in an id
        return {"id": bid, "name": "default", "type": typ, "properties": {"amount": amt(cur, e.amount)}}
    if a.agreement == "MOSP":
        # recorded: a balance without id and with empty properties
        return {"name": "default", "type": typ, "properties": {}}
    pays = []
    if e.level == "account":
        for pe in ctx.world.all("profile"):
            if pe.account == a.name:
                inv = ctx.world.invoice_month_lookup.get((a.name, pe.name, (2026, 10)))
                pays.append({"amount": amt(cur, 50.0), "billingProfileId": pid(a.name, pe.name),
                             "billingProfileDisplayName": pe.display,
                             "invoiceId": aid(a.name) + "/invoices/" + inv.name, "invoiceName": inv.name,
                             "date": "2026-10-15T00:00:00.0000000Z", "paymentMethodType": "CheckWire"})
    return {"id": bid, "name": "default", "type": typ,
            "properties": {"amount": amt(cur, e.amount), "paymentsOnAccount": pays,
                           "totalPaymentsOnAccount": amt(cur, 50.0 * len(pays))}}


def r_permission(e, ctx):
    return {"actions": list(e.actions), "notActions": list(e.not_actions)}


def r_property(e, ctx):
    s = e.ent
    a = _acct(ctx, s.account)
    p = {"billingTenantId": a.tenant, "billingAccountId": aid(a.name),
         "billingAccountDisplayName": a.display}
    if s.profile:
        pe = ctx.world.profile(s.account, s.profile)
        p.update({"billingProfileId": pid(a.name, s.profile), "billingProfileDisplayName": pe.display,
                  "billingProfileStatus": "Active", "billingProfileSpendingLimit": "Off"})
    if s.section:
        p.update({"invoiceSectionId": sid(a.name, s.profile, s.section),
                  "invoiceSectionDisplayName": _sec_disp(ctx, s.section)})
    p.update({"costCenter": "CC-%03d" % (100 + s.n), "skuId": s.sku[0], "skuDescription": s.sku[1],
              "productId": "DZH318Z0BPS6", "productName": s.sku[1]})
    if ctx.v == V24:
        p.update({"billingAccountAgreementType": AGREEMENT[a.agreement], "billingAccountStatus": "Active",
                  "billingAccountType": a.account_type, "billingAccountSubType": a.sub_type,
                  "billingAccountSoldToCountry": a.address["country"], "billingCurrency": a.currency,
                  "isAccountAdmin": True, "isTransitionedBillingAccount": False,
                  "subscriptionBillingStatus": "Active", "subscriptionBillingType": "Paid",
                  "subscriptionWorkloadType": "DevTest" if s.sku[0] in ("0002", "MS-AZR-0148P") else "Production",
                  "accountAdminNotificationEmailAddress": "admin@%s.example" % a.display.split()[0].lower()})
        if s.profile:
            p["billingProfilePaymentMethodFamily"] = "CreditCard"
            p["billingProfilePaymentMethodType"] = "visa"
        if s.section:
            p["invoiceSectionStatus"] = "Active"
        if s.customer:
            p.update({"customerId": cid(a.name, s.customer, s.profile),
                      "customerDisplayName": _cust_disp(ctx, s.customer), "customerStatus": "Active"})
        if s.enrollment:
            en = ctx.world.find("enrollment", enrollment=s.enrollment)
            dept = ctx.world.find("department", department=s.department)
            p["enrollmentDetails"] = {"departmentDisplayName": dept.display, "departmentId": s.department,
                                      "enrollmentAccountStatus": "Active",
                                      "enrollmentAccountDisplayName": en.display,
                                      "enrollmentAccountId": s.enrollment}
    else:
        # properties real 2019-10-01-preview traffic carries beyond the model
        p["spendingLimitDetails"] = {"type": "None", "startDate": "2019-10-16T00:00:00Z", "status": "None"}
        p["subscriptionBillingStatus"] = "Active"
    return {"id": "/subscriptions/%s/providers/Microsoft.Billing/billingProperty/default" % s.name,
            "name": "default", "type": "Microsoft.Billing/billingProperty", "properties": p}


ROLE_DESC = {"Owner": "The Owner role gives the user all permissions including access management rights.",
             "Contributor": "The Contributor role gives the user all permissions except access management rights.",
             "Reader": "The Reader role gives the user read-only access."}


def r_roledef(e, ctx):
    sc_id, sc_type = scope_id_type(e.scope, e.level, ctx.v)
    acts = {"Owner": ["Microsoft.Billing/*"],
            "Contributor": ["Microsoft.Billing/*/read", "Microsoft.Billing/*/write"],
            "Reader": ["Microsoft.Billing/*/read"]}[e.role]
    return {"id": sc_id + "/billingRoleDefinitions/" + e.name, "name": e.name,
            "type": sc_type + "/billingRoleDefinitions",
            "properties": {"description": ROLE_DESC[e.role],
                           "permissions": [{"actions": acts, "notActions": []}],
                           "roleName": "%s %s" % (
                               {"account": "Billing account", "profile": "Billing profile",
                                "section": "Invoice section", "customer": "Customer",
                                "department": "Department", "enrollment": "Enrollment account"}[e.level],
                               e.role.lower())}}


def r_roleassign(e, ctx):
    sc_id, sc_type = scope_id_type(e.scope, e.level, ctx.v)
    acct = e.scope["account"]
    a = _acct(ctx, acct)
    created = _dt.datetime(2021, 3, 1 + e.i, 10, 20, 30, tzinfo=_dt.timezone.utc)
    p = {"createdByPrincipalTenantId": a.tenant, "createdByPrincipalId": guid("creator", acct),
         "createdByUserEmailAddress": "owner@%s.example" % a.display.split()[0].lower(),
         "principalId": e.principal, "principalTenantId": a.tenant,
         "roleDefinitionId": sc_id + "/billingRoleDefinitions/" + e.role_id, "scope": sc_id,
         "userEmailAddress": e.email, "userAuthenticationType": "Organization"}
    if ctx.v == V24:
        p.update({"createdOn": z(created), "modifiedOn": z(created), "provisioningState": "Succeeded",
                  "principalType": "User", "principalDisplayName": e.email.split("@")[0],
                  "principalTenantName": a.display, "billingAccountId": aid(acct),
                  "billingAccountDisplayName": a.display})
        if "profile" in e.scope:
            prof_props(p, ctx, acct, e.scope["profile"])
        if "section" in e.scope:
            sec_props(p, ctx, acct, e.scope["profile"], e.scope["section"])
        if "customer" in e.scope:
            cust_props(p, ctx, acct, e.scope["customer"], e.scope.get("profile"))
    else:
        p["createdOn"] = created.strftime("%Y-%m-%dT%H:%M:%S.") + "5739865Z"
        p["name"] = e.name
    return {"id": sc_id + "/billingRoleAssignments/" + e.name, "name": e.name,
            "type": sc_type + "/billingRoleAssignments", "properties": p}


def r_paymethod(e, ctx):
    """Account- or user-level payment method (2024 PaymentMethod, 2019 PaymentMethod)."""
    v = ctx.v
    if v == V19:
        # recorded: payment methods listed by billing account carry profile-level ids
        prof = e.prof
        typ = "Credits" if e.family == "Credits" else "ChequeWire"
        return {"id": pid(prof.account, prof.name) + "/paymentMethods/" + e.name, "name": e.name,
                "type": "Microsoft.Billing/billingAccounts/billingProfiles/paymentMethods",
                "properties": {"paymentMethodType": typ, "details": e.disp,
                               "expiration": e.exp or "12/2099", "currency": prof.currency,
                               "billingProfileId": pid(prof.account, prof.name),
                               "billingProfileDisplayName": prof.display}}
    if e.level == "user":
        pm_id = PFX + "/paymentMethods/" + e.name
        typ = "Microsoft.Billing/paymentMethods"
    else:
        pm_id = aid(e.acct.name) + "/paymentMethods/" + e.name
        typ = "Microsoft.Billing/billingAccounts/paymentMethods"
    p = {"id": pm_id, "accountHolderName": "Alex Doe", "displayName": e.disp, "family": e.family,
         "logos": [{"mimeType": "image/png",
                    "url": "https://logos.emulator.invalid/%s.png" % e.ptype}],
         "paymentMethodType": e.ptype, "status": "active"}
    if e.last4:
        p["lastFourDigits"] = e.last4
    if e.exp:
        p["expiration"] = e.exp
    return {"id": pm_id, "name": e.name, "type": typ, "properties": p}


def r_paylink(e, ctx):
    prof = e.prof
    if ctx.v == V19:
        return {"id": pid(prof.account, prof.name) + "/paymentMethods/" + e.name, "name": e.name,
                "type": "Microsoft.Billing/billingAccounts/billingProfiles/paymentMethods",
                "properties": {"paymentMethodType": "Credits", "details": "Visa ending 4242",
                               "expiration": "12/2027", "currency": prof.currency}}
    pm_id = aid(prof.account) + "/paymentMethods/" + e.pm
    logo = [{"mimeType": "image/png", "url": "https://logos.emulator.invalid/visa.png"}]
    return {"id": pid(prof.account, prof.name) + "/paymentMethodLinks/" + e.name, "name": e.name,
            "type": "Microsoft.Billing/billingAccounts/billingProfiles/paymentMethodLinks",
            "properties": {"accountHolderName": "Alex Doe", "displayName": "Visa", "expiration": "12/2027",
                           "family": "CreditCard", "lastFourDigits": "4242", "logos": logo,
                           "paymentMethod": {"id": pm_id, "accountHolderName": "Alex Doe", "displayName": "Visa",
                                             "expiration": "12/2027", "family": "CreditCard",
                                             "lastFourDigits": "4242", "logos": logo,
                                             "paymentMethodType": "visa", "status": "active"},
                           "paymentMethodId": pm_id, "paymentMethodType": "visa", "status": "active"}}
