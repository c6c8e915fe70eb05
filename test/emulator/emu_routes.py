"""ARM routes of Microsoft.Billing for both api-versions, and their handlers.

The route table lists every GET operation of 2019-10-01-preview and
2024-04-01 (plus the download POSTs, address validation and the
create-subscription-permission list).  Handlers are generic: the path
parameters of a route bind canonical scope keys, and a list is the set of
entities of the route's kind whose scope matches all bound keys.
"""

import base64
import datetime as _dt
import hashlib
import json
import re
import threading
import urllib.parse
import uuid

import emu_data
from emu_data import AGREEMENT, BULK_ACCOUNT, BULK_PROFILE, BULK_SECTION, ym_add
from emu_render import RENDER, V19, V24, Ctx, r_tx, r_tx_summary, r_detach, r_createsub

VERSIONS = (V19, V24)

A = "/providers/Microsoft.Billing/billingAccounts/{billingAccountName}"
P = A + "/billingProfiles/{billingProfileName}"
S = P + "/invoiceSections/{invoiceSectionName}"
C19 = A + "/customers/{customerName}"
C24 = P + "/customers/{customerName}"
D = A + "/departments/{departmentName}"
EN = A + "/enrollmentAccounts/{enrollmentAccountName}"
DEF = "/providers/Microsoft.Billing/billingAccounts/default"
B = "/providers/Microsoft.Billing"

DATES = ("periodStartDate", "periodEndDate")
TXREQ24 = ("periodStartDate", "periodEndDate", "type")

# (versions, method, template, operationId, kind, mode, required query parameters)
ROUTES_RAW = [
    # billing accounts
    ("*", "GET", B + "/billingAccounts", "BillingAccounts_List", "account", "list", ()),
    ("*", "GET", A, "BillingAccounts_Get", "account", "get", ()),
    ("*", "POST", A + "/listInvoiceSectionsWithCreateSubscriptionPermission",
     "BillingAccounts_ListInvoiceSectionsByCreateSubscriptionPermission", "section", "createsub", ()),
    # billing profiles
    ("*", "GET", A + "/billingProfiles", "BillingProfiles_ListByBillingAccount", "profile", "list", ()),
    ("*", "GET", P, "BillingProfiles_Get", "profile", "get", ()),
    ("19", "GET", P + "/validateDetachPaymentMethodEligibility",
     "BillingProfiles_GetEligibilityToDetachPaymentMethod", "profile", "detach", ()),
    # invoice sections
    ("*", "GET", P + "/invoiceSections", "InvoiceSections_ListByBillingProfile", "section", "list", ()),
    ("*", "GET", S, "InvoiceSections_Get", "section", "get", ()),
    # customers
    ("*", "GET", P + "/customers", "Customers_ListByBillingProfile", "customer", "list", ()),
    ("*", "GET", A + "/customers", "Customers_ListByBillingAccount", "customer", "list", ()),
    ("19", "GET", C19, "Customers_Get", "customer", "get", ()),
    ("24", "GET", C19, "Customers_GetByBillingAccount", "customer", "get", ()),
    ("24", "GET", C24, "Customers_Get", "customer", "get", ()),
    # departments / enrollment accounts (EA)
    ("19", "GET", A + "/departments", "Departments_ListByBillingAccountName", "department", "list", ()),
    ("24", "GET", A + "/departments", "Departments_ListByBillingAccount", "department", "list", ()),
    ("*", "GET", D, "Departments_Get", "department", "get", ()),
    ("19", "GET", A + "/enrollmentAccounts", "EnrollmentAccounts_ListByBillingAccountName", "enrollment", "list", ()),
    ("24", "GET", A + "/enrollmentAccounts", "EnrollmentAccounts_ListByBillingAccount", "enrollment", "list", ()),
    ("19", "GET", EN, "EnrollmentAccounts_GetByEnrollmentAccountId", "enrollment", "get", ()),
    ("24", "GET", EN, "EnrollmentAccounts_Get", "enrollment", "get", ()),
    ("24", "GET", D + "/enrollmentAccounts", "EnrollmentAccounts_ListByDepartment", "enrollment", "list", ()),
    ("24", "GET", D + "/enrollmentAccounts/{enrollmentAccountName}", "EnrollmentAccounts_GetByDepartment",
     "enrollment", "get", ()),
    # invoices
    ("19", "GET", A + "/invoices", "Invoices_ListByBillingAccount", "invoice", "list", DATES),
    ("24", "GET", A + "/invoices", "Invoices_ListByBillingAccount", "invoice", "list", ()),
    ("19", "GET", A + "/invoices/{invoiceName}", "Invoices_GetBillingAccountInvoice", "invoice", "get", ()),
    ("24", "GET", A + "/invoices/{invoiceName}", "Invoices_GetByBillingAccount", "invoice", "get", ()),
    ("19", "GET", P + "/invoices", "Invoices_ListByBillingProfile", "invoice", "list", DATES),
    ("24", "GET", P + "/invoices", "Invoices_ListByBillingProfile", "invoice", "list", ()),
    ("19", "GET", P + "/invoices/{invoiceName}", "Invoices_Get", "invoice", "get", ()),
    ("19", "GET", A + "/billingSubscriptions/{billingSubscriptionName}/invoices",
     "Invoices_ListByBillingSubscription", "invoice", "list", DATES),
    ("19", "GET", A + "/billingSubscriptions/{billingSubscriptionName}/invoices/{invoiceName}",
     "Invoices_GetById", "invoice", "get", ()),
    ("24", "GET", DEF + "/billingSubscriptions/{subscriptionId}/invoices", "Invoices_ListByBillingSubscription",
     "invoice", "list", ()),
    ("24", "GET", DEF + "/billingSubscriptions/{subscriptionId}/invoices/{invoiceName}",
     "Invoices_GetByBillingSubscription", "invoice", "get", ()),
    ("24", "GET", DEF + "/invoices/{invoiceName}", "Invoices_Get", "invoice", "get", ()),
    # transactions
    ("19", "GET", A + "/transactions", "Transactions_ListByBillingAccount", "tx", "txlist", DATES),
    ("19", "GET", P + "/transactions", "Transactions_ListByBillingProfile", "tx", "txlist", DATES),
    ("24", "GET", P + "/transactions", "Transactions_ListByBillingProfile", "tx", "txlist", TXREQ24),
    ("19", "GET", S + "/transactions", "Transactions_ListByInvoiceSection", "tx", "txlist", DATES),
    ("24", "GET", S + "/transactions", "Transactions_ListByInvoiceSection", "tx", "txlist", TXREQ24),
    ("19", "GET", C19 + "/transactions", "Transactions_ListByCustomer", "tx", "txlist", DATES),
    ("24", "GET", C24 + "/transactions", "Transactions_ListByCustomer", "tx", "txlist", TXREQ24),
    ("19", "GET", P + "/invoices/{invoiceName}/transactions", "Transactions_ListByInvoice", "tx", "txlist", ()),
    ("24", "GET", A + "/invoices/{invoiceName}/transactions", "Transactions_ListByInvoice", "tx", "txlist", ()),
    ("19", "GET", P + "/transactions/{transactionName}", "Transactions_Get", "tx", "txget", DATES),
    ("24", "GET", A + "/invoices/{invoiceName}/transactionSummary", "Transactions_GetTransactionSummaryByInvoice",
     "invoice", "txsummary", ()),
    # billing subscriptions
    ("*", "GET", A + "/billingSubscriptions", "BillingSubscriptions_ListByBillingAccount", "subscription", "list", ()),
    ("*", "GET", P + "/billingSubscriptions", "BillingSubscriptions_ListByBillingProfile", "subscription", "list", ()),
    ("*", "GET", S + "/billingSubscriptions", "BillingSubscriptions_ListByInvoiceSection", "subscription", "list", ()),
    ("19", "GET", S + "/billingSubscriptions/{billingSubscriptionName}", "BillingSubscriptions_Get",
     "subscription", "get", ()),
    ("24", "GET", A + "/billingSubscriptions/{billingSubscriptionName}", "BillingSubscriptions_Get",
     "subscription", "get", ()),
    ("24", "GET", P + "/billingSubscriptions/{billingSubscriptionName}", "BillingSubscriptions_GetByBillingProfile",
     "subscription", "get", ()),
    ("19", "GET", C19 + "/billingSubscriptions", "BillingSubscriptions_ListByCustomer", "subscription", "list", ()),
    ("24", "GET", C19 + "/billingSubscriptions", "BillingSubscriptions_ListByCustomerAtBillingAccount",
     "subscription", "list", ()),
    ("24", "GET", C24 + "/billingSubscriptions", "BillingSubscriptions_ListByCustomer", "subscription", "list", ()),
    ("19", "GET", C19 + "/billingSubscriptions/{billingSubscriptionName}", "BillingSubscriptions_GetByCustomer",
     "subscription", "get", ()),
    ("24", "GET", EN + "/billingSubscriptions", "BillingSubscriptions_ListByEnrollmentAccount",
     "subscription", "list", ()),
    ("24", "GET", A + "/billingSubscriptionAliases", "BillingSubscriptionsAliases_ListByBillingAccount",
     "alias", "list", ()),
    ("24", "GET", A + "/billingSubscriptionAliases/{aliasName}", "BillingSubscriptionsAliases_Get",
     "alias", "get", ()),
    # products
    ("*", "GET", A + "/products", "Products_ListByBillingAccount", "product", "list", ()),
    ("24", "GET", P + "/products", "Products_ListByBillingProfile", "product", "list", ()),
    ("*", "GET", S + "/products", "Products_ListByInvoiceSection", "product", "list", ()),
    ("*", "GET", C19 + "/products", "Products_ListByCustomer", "product", "list", ()),
    ("19", "GET", S + "/products/{productName}", "Products_Get", "product", "get", ()),
    ("19", "GET", C19 + "/products/{productName}", "Products_GetByCustomer", "product", "get", ()),
    ("24", "GET", A + "/products/{productName}", "Products_Get", "product", "get", ()),
    # agreements
    ("*", "GET", A + "/agreements", "Agreements_ListByBillingAccount", "agreement", "list", ()),
    ("*", "GET", A + "/agreements/{agreementName}", "Agreements_Get", "agreement", "get", ()),
    # available balance
    ("*", "GET", P + "/availableBalance/default", "AvailableBalances_GetByBillingProfile", "balance", "one", ()),
    ("24", "GET", A + "/availableBalance/default", "AvailableBalances_GetByBillingAccount", "balance", "one", ()),
    # billing permissions
    ("*", "GET", A + "/billingPermissions", "BillingPermissions_ListByBillingAccount", "permission", "list", ()),
    ("*", "GET", P + "/billingPermissions", "BillingPermissions_ListByBillingProfile", "permission", "list", ()),
    ("19", "GET", S + "/billingPermissions", "BillingPermissions_ListByInvoiceSections", "permission", "list", ()),
    ("24", "GET", S + "/billingPermissions", "BillingPermissions_ListByInvoiceSection", "permission", "list", ()),
    ("19", "GET", C19 + "/billingPermissions", "BillingPermissions_ListByCustomer", "permission", "list", ()),
    ("24", "GET", C19 + "/billingPermissions", "BillingPermissions_ListByCustomerAtBillingAccount",
     "permission", "list", ()),
    ("24", "GET", C24 + "/billingPermissions", "BillingPermissions_ListByCustomer", "permission", "list", ()),
    ("*", "GET", D + "/billingPermissions", "BillingPermissions_ListByDepartment", "permission", "list", ()),
    ("*", "GET", EN + "/billingPermissions", "BillingPermissions_ListByEnrollmentAccount", "permission", "list", ()),
    # billing property
    ("*", "GET", "/subscriptions/{subscriptionId}/providers/Microsoft.Billing/billingProperty/default",
     "BillingProperty_Get", "property", "one", ()),
    # billing role assignments
    ("*", "GET", A + "/billingRoleAssignments", "BillingRoleAssignments_ListByBillingAccount", "roleassign", "list", ()),
    ("*", "GET", A + "/billingRoleAssignments/{billingRoleAssignmentName}",
     "BillingRoleAssignments_GetByBillingAccount", "roleassign", "get", ()),
    ("*", "GET", P + "/billingRoleAssignments", "BillingRoleAssignments_ListByBillingProfile", "roleassign", "list", ()),
    ("*", "GET", P + "/billingRoleAssignments/{billingRoleAssignmentName}",
     "BillingRoleAssignments_GetByBillingProfile", "roleassign", "get", ()),
    ("*", "GET", S + "/billingRoleAssignments", "BillingRoleAssignments_ListByInvoiceSection", "roleassign", "list", ()),
    ("*", "GET", S + "/billingRoleAssignments/{billingRoleAssignmentName}",
     "BillingRoleAssignments_GetByInvoiceSection", "roleassign", "get", ()),
    ("24", "GET", C24 + "/billingRoleAssignments", "BillingRoleAssignments_ListByCustomer", "roleassign", "list", ()),
    ("24", "GET", C24 + "/billingRoleAssignments/{billingRoleAssignmentName}",
     "BillingRoleAssignments_GetByCustomer", "roleassign", "get", ()),
    ("*", "GET", D + "/billingRoleAssignments", "BillingRoleAssignments_ListByDepartment", "roleassign", "list", ()),
    ("*", "GET", D + "/billingRoleAssignments/{billingRoleAssignmentName}",
     "BillingRoleAssignments_GetByDepartment", "roleassign", "get", ()),
    ("*", "GET", EN + "/billingRoleAssignments", "BillingRoleAssignments_ListByEnrollmentAccount",
     "roleassign", "list", ()),
    ("*", "GET", EN + "/billingRoleAssignments/{billingRoleAssignmentName}",
     "BillingRoleAssignments_GetByEnrollmentAccount", "roleassign", "get", ()),
    # billing role definitions
    ("19", "GET", A + "/billingRoleDefinitions", "BillingRoleDefinitions_ListByBillingAccount", "roledef", "list", ()),
    ("24", "GET", A + "/billingRoleDefinitions", "BillingRoleDefinition_ListByBillingAccount", "roledef", "list", ()),
    ("19", "GET", A + "/billingRoleDefinitions/{billingRoleDefinitionName}",
     "BillingRoleDefinitions_GetByBillingAccount", "roledef", "get", ()),
    ("24", "GET", A + "/billingRoleDefinitions/{roleDefinitionName}",
     "BillingRoleDefinition_GetByBillingAccount", "roledef", "get", ()),
    ("19", "GET", P + "/billingRoleDefinitions", "BillingRoleDefinitions_ListByBillingProfile", "roledef", "list", ()),
    ("24", "GET", P + "/billingRoleDefinitions", "BillingRoleDefinition_ListByBillingProfile", "roledef", "list", ()),
    ("19", "GET", P + "/billingRoleDefinitions/{billingRoleDefinitionName}",
     "BillingRoleDefinitions_GetByBillingProfile", "roledef", "get", ()),
    ("24", "GET", P + "/billingRoleDefinitions/{roleDefinitionName}",
     "BillingRoleDefinition_GetByBillingProfile", "roledef", "get", ()),
    ("19", "GET", S + "/billingRoleDefinitions", "BillingRoleDefinitions_ListByInvoiceSection", "roledef", "list", ()),
    ("24", "GET", S + "/billingRoleDefinitions", "BillingRoleDefinition_ListByInvoiceSection", "roledef", "list", ()),
    ("19", "GET", S + "/billingRoleDefinitions/{billingRoleDefinitionName}",
     "BillingRoleDefinitions_GetByInvoiceSection", "roledef", "get", ()),
    ("24", "GET", S + "/billingRoleDefinitions/{roleDefinitionName}",
     "BillingRoleDefinition_GetByInvoiceSection", "roledef", "get", ()),
    ("24", "GET", C24 + "/billingRoleDefinitions", "BillingRoleDefinition_ListByCustomer", "roledef", "list", ()),
    ("24", "GET", C24 + "/billingRoleDefinitions/{roleDefinitionName}",
     "BillingRoleDefinition_GetByCustomer", "roledef", "get", ()),
    ("19", "GET", D + "/billingRoleDefinitions", "BillingRoleDefinitions_ListByDepartment", "roledef", "list", ()),
    ("24", "GET", D + "/billingRoleDefinitions", "BillingRoleDefinition_ListByDepartment", "roledef", "list", ()),
    ("19", "GET", D + "/billingRoleDefinitions/{billingRoleDefinitionName}",
     "BillingRoleDefinitions_GetByDepartment", "roledef", "get", ()),
    ("24", "GET", D + "/billingRoleDefinitions/{roleDefinitionName}",
     "BillingRoleDefinition_GetByDepartment", "roledef", "get", ()),
    ("19", "GET", EN + "/billingRoleDefinitions", "BillingRoleDefinitions_ListByEnrollmentAccount",
     "roledef", "list", ()),
    ("24", "GET", EN + "/billingRoleDefinitions", "BillingRoleDefinition_ListByEnrollmentAccount",
     "roledef", "list", ()),
    ("19", "GET", EN + "/billingRoleDefinitions/{billingRoleDefinitionName}",
     "BillingRoleDefinitions_GetByEnrollmentAccount", "roledef", "get", ()),
    ("24", "GET", EN + "/billingRoleDefinitions/{roleDefinitionName}",
     "BillingRoleDefinition_GetByEnrollmentAccount", "roledef", "get", ()),
    # payment methods
    ("*", "GET", A + "/paymentMethods", "PaymentMethods_ListByBillingAccount", "paymethod", "list", ()),
    ("24", "GET", A + "/paymentMethods/{paymentMethodName}", "PaymentMethods_GetByBillingAccount",
     "paymethod", "get", ()),
    ("19", "GET", P + "/paymentMethods", "PaymentMethods_ListByBillingProfile", "paylink", "list", ()),
    ("24", "GET", P + "/paymentMethodLinks", "PaymentMethods_ListByBillingProfile", "paylink", "list", ()),
    ("24", "GET", P + "/paymentMethodLinks/{paymentMethodName}", "PaymentMethods_GetByBillingProfile",
     "paylink", "get", ()),
    ("24", "GET", B + "/paymentMethods", "PaymentMethods_ListByUser", "paymethod", "list", ()),
    ("24", "GET", B + "/paymentMethods/{paymentMethodName}", "PaymentMethods_GetByUser", "paymethod", "get", ()),
    # policies
    ("*", "GET", P + "/policies/default", "Policies_GetByBillingProfile", "policy", "one", ()),
    ("19", "GET", C19 + "/policies/default", "Policies_GetByCustomer", "policy", "one", ()),
    ("24", "GET", C19 + "/policies/default", "Policies_GetByCustomerAtBillingAccount", "policy", "one", ()),
    ("24", "GET", C24 + "/policies/{policyName}", "Policies_GetByCustomer", "policy", "one", ()),
    ("24", "GET", A + "/policies/default", "Policies_GetByBillingAccount", "policy", "one", ()),
    ("24", "GET", "/subscriptions/{subscriptionId}/providers/Microsoft.Billing/policies/default",
     "Policies_GetBySubscription", "policy", "one", ()),
    # transfers
    ("*", "GET", S + "/transfers", "Transfers_List", "transfer", "list", ()),
    ("*", "GET", S + "/transfers/{transferName}", "Transfers_Get", "transfer", "get", ()),
    ("*", "GET", C24 + "/transfers", "PartnerTransfers_List", "ptransfer", "list", ()),
    ("*", "GET", C24 + "/transfers/{transferName}", "PartnerTransfers_Get", "ptransfer", "get", ()),
    ("*", "GET", B + "/transfers", "RecipientTransfers_List", "rtransfer", "list", ()),
    ("*", "GET", B + "/transfers/{transferName}", "RecipientTransfers_Get", "rtransfer", "get", ()),
    # operations
    ("*", "GET", B + "/operations", "Operations_List", "operation", "list", ()),
    # instructions (2019 only)
    ("19", "GET", P + "/instructions", "Instructions_ListByBillingProfile", "instruction", "list", ()),
    ("19", "GET", P + "/instructions/{instructionName}", "Instructions_Get", "instruction", "get", ()),
    # associated tenants, billing requests (2024)
    ("24", "GET", A + "/associatedTenants", "AssociatedTenants_ListByBillingAccount", "tenant", "list", ()),
    ("24", "GET", A + "/associatedTenants/{associatedTenantName}", "AssociatedTenants_Get", "tenant", "get", ()),
    ("24", "GET", A + "/billingRequests", "BillingRequests_ListByBillingAccount", "breq", "list", ()),
    ("24", "GET", P + "/billingRequests", "BillingRequests_ListByBillingProfile", "breq", "list", ()),
    ("24", "GET", S + "/billingRequests", "BillingRequests_ListByInvoiceSection", "breq", "list", ()),
    ("24", "GET", C24 + "/billingRequests", "BillingRequests_ListByCustomer", "breq", "list", ()),
    ("24", "GET", B + "/billingRequests", "BillingRequests_ListByUser", "breq", "list", ()),
    ("24", "GET", B + "/billingRequests/{billingRequestName}", "BillingRequests_Get", "breq", "get", ()),
    # reservations and savings plans (2024)
    ("24", "GET", A + "/reservations", "Reservations_ListByBillingAccount", "reservation", "list", ()),
    ("24", "GET", P + "/reservations", "Reservations_ListByBillingProfile", "reservation", "list", ()),
    ("24", "GET", A + "/reservationOrders", "ReservationOrders_ListByBillingAccount", "resorder", "list", ()),
    ("24", "GET", A + "/reservationOrders/{reservationOrderId}", "ReservationOrders_GetByBillingAccount",
     "resorder", "get", ()),
    ("24", "GET", A + "/reservationOrders/{reservationOrderId}/reservations", "Reservations_ListByReservationOrder",
     "reservation", "list", ()),
    ("24", "GET", A + "/reservationOrders/{reservationOrderId}/reservations/{reservationId}",
     "Reservations_GetByReservationOrder", "reservation", "get", ()),
    ("24", "GET", A + "/savingsPlanOrders", "SavingsPlanOrders_ListByBillingAccount", "sporder", "list", ()),
    ("24", "GET", A + "/savingsPlanOrders/{savingsPlanOrderId}", "SavingsPlanOrders_GetByBillingAccount",
     "sporder", "get", ()),
    ("24", "GET", A + "/savingsPlanOrders/{savingsPlanOrderId}/savingsPlans", "SavingsPlans_ListBySavingsPlanOrder",
     "splan", "list", ()),
    ("24", "GET", A + "/savingsPlanOrders/{savingsPlanOrderId}/savingsPlans/{savingsPlanId}",
     "SavingsPlans_GetByBillingAccount", "splan", "get", ()),
    ("24", "GET", A + "/savingsPlans", "SavingsPlans_ListByBillingAccount", "splan", "list", ()),
    # address validation
    ("*", "POST", B + "/validateAddress", "Address_Validate", None, "address", ()),
    # long-running downloads
    ("24", "POST", A + "/invoices/{invoiceName}/download", "Invoices_DownloadByBillingAccount", "invoice", "lro", ()),
    ("24", "POST", DEF + "/billingSubscriptions/{subscriptionId}/invoices/{invoiceName}/download",
     "Invoices_DownloadByBillingSubscription", "invoice", "lro", ()),
    ("24", "POST", A + "/invoices/{invoiceName}/downloadSummary", "Invoices_DownloadSummaryByBillingAccount",
     "invoice", "lro", ()),
    ("24", "POST", A + "/invoices/{invoiceName}/transactionsDownload",
     "Transactions_TransactionsDownloadByInvoice", "invoice", "lro", ()),
    ("24", "POST", A + "/downloadDocuments", "Invoices_DownloadDocumentsByBillingAccount", "account", "lro", ()),
    ("24", "POST", DEF + "/billingSubscriptions/{subscriptionId}/downloadDocuments",
     "Invoices_DownloadDocumentsByBillingSubscription", "subscription", "lro", ()),
    ("19", "POST", P + "/invoices/{invoiceName}/download", "Invoices_DownloadByBillingProfile", "invoice", "lro", ()),
    ("19", "POST", A + "/downloadDocuments", "Invoices_DownloadMultipleEAInvoices", "account", "lro", ()),
    ("19", "POST", DEF + "/billingSubscriptions/{subscriptionId}/downloadDocuments",
     "Invoices_DownloadMultipleBillingSubscriptionInvoices", "subscription", "lro", ()),
    ("19", "POST", P + "/downloadDocuments", "Invoices_DownloadMultipleBillingProfileInvoices", "profile", "lro", ()),
    ("19", "POST", P + "/invoices/{invoiceName}/pricesheet/default/download", "PriceSheet_Download",
     "invoice", "lro", ()),
    ("19", "POST", P + "/pricesheet/default/download", "PriceSheet_DownloadByBillingProfile", "profile", "lro", ()),
]

# Agreement types per operation, from the spec descriptions ("The operation is
# supported only for billing accounts with agreement type ...").  The second
# field says how an unsupported account is answered:
#   empty   -> 200 {"value": []}
#   type400 -> 400 InvalidBillingAccountType
#   bad400  -> 400 BadRequest
SUPPORT = {
    V19: {
        "PaymentMethods_ListByBillingAccount": ("MCA", "empty"),
        "PaymentMethods_ListByBillingProfile": ("MCA", "empty"),
        "AvailableBalances_GetByBillingProfile": ("MCA", "bad400"),
        "BillingProfiles_GetEligibilityToDetachPaymentMethod": ("MCA", "bad400"),
        "BillingProfiles_ListByBillingAccount": ("MCA,MPA", "type400"),
        "BillingProfiles_Get": ("MCA,MPA", "bad400"),
        "InvoiceSections_ListByBillingProfile": ("MCA", "type400"),
        "InvoiceSections_Get": ("MCA", "bad400"),
        "Customers_ListByBillingProfile": ("MPA", "empty"),
        "Customers_ListByBillingAccount": ("MPA", "type400"),
        "Customers_Get": ("MPA", "bad400"),
        "BillingSubscriptions_ListByCustomer": ("MPA", "empty"),
        "BillingSubscriptions_GetByCustomer": ("MPA", "bad400"),
        "Products_ListByCustomer": ("MPA", "empty"),
        "Products_GetByCustomer": ("MPA", "bad400"),
        "Departments_ListByBillingAccountName": ("EA", "type400"),
        "Departments_Get": ("EA", "bad400"),
        "EnrollmentAccounts_ListByBillingAccountName": ("EA", "empty"),
        "EnrollmentAccounts_GetByEnrollmentAccountId": ("EA", "bad400"),
        "Invoices_ListByBillingAccount": ("MCA,MPA,EA", "type400"),
        "Invoices_GetBillingAccountInvoice": ("MCA,MPA,EA", "bad400"),
        "Invoices_ListByBillingProfile": ("MCA,MPA", "type400"),
        "Invoices_Get": ("MCA,MPA", "bad400"),
        "BillingSubscriptions_ListByBillingAccount": ("MCA,MPA", "empty"),
        "BillingSubscriptions_ListByBillingProfile": ("MCA,MPA", "empty"),
        "BillingSubscriptions_ListByInvoiceSection": ("MCA", "empty"),
        "BillingSubscriptions_Get": ("MCA", "bad400"),
        "Products_ListByBillingAccount": ("MCA,MPA", "empty"),
        "Products_ListByInvoiceSection": ("MCA", "empty"),
        "Products_Get": ("MCA", "bad400"),
        "Transactions_Get": ("MCA,MPA", "bad400"),
        "Policies_GetByBillingProfile": ("MCA", "bad400"),
        "Policies_GetByCustomer": ("MPA", "bad400"),
        "BillingProperty_Get": ("MCA,MPA,MOSP", "bad400"),
        "Transfers_Get": ("MCA", "bad400"),
        "Transfers_List": ("MCA", "empty"),
        "PartnerTransfers_Get": ("MPA", "bad400"),
        "PartnerTransfers_List": ("MPA", "empty"),
        "BillingRoleDefinitions_GetByBillingAccount": ("MCA,MPA", "bad400"),
        "BillingRoleDefinitions_GetByInvoiceSection": ("MCA", "bad400"),
        "BillingRoleDefinitions_GetByBillingProfile": ("MCA,MPA", "bad400"),
        "BillingRoleDefinitions_GetByDepartment": ("EA", "bad400"),
        "BillingRoleDefinitions_GetByEnrollmentAccount": ("EA", "bad400"),
        "BillingRoleDefinitions_ListByBillingAccount": ("MCA,MPA,EA", "type400"),
        "BillingRoleDefinitions_ListByInvoiceSection": ("MCA,MPA", "empty"),
        "BillingRoleDefinitions_ListByBillingProfile": ("MCA,MPA", "empty"),
        "BillingRoleDefinitions_ListByDepartment": ("EA", "empty"),
        "BillingRoleDefinitions_ListByEnrollmentAccount": ("EA", "empty"),
        "BillingRoleAssignments_GetByBillingAccount": ("MCA,MPA,EA", "bad400"),
        "BillingRoleAssignments_GetByInvoiceSection": ("MCA", "bad400"),
        "BillingRoleAssignments_GetByBillingProfile": ("MCA,MPA", "bad400"),
        "BillingRoleAssignments_GetByDepartment": ("EA", "bad400"),
        "BillingRoleAssignments_GetByEnrollmentAccount": ("EA", "bad400"),
        "BillingRoleAssignments_ListByBillingAccount": ("MCA,MPA,EA", "type400"),
        "BillingRoleAssignments_ListByInvoiceSection": ("MCA", "empty"),
        "BillingRoleAssignments_ListByBillingProfile": ("MCA", "empty"),
        "BillingRoleAssignments_ListByDepartment": ("EA", "empty"),
        "BillingRoleAssignments_ListByEnrollmentAccount": ("EA", "empty"),
        "Invoices_DownloadMultipleEAInvoices": ("EA", "bad400"),
        "Invoices_DownloadMultipleBillingProfileInvoices": ("MCA,MPA", "bad400"),
        "PriceSheet_Download": ("MCA", "bad400"),
        "PriceSheet_DownloadByBillingProfile": ("MCA", "bad400"),
        "BillingAccounts_ListInvoiceSectionsByCreateSubscriptionPermission": ("MCA", "empty"),
    },
    V24: {
        "PaymentMethods_ListByBillingProfile": ("MCA", "empty"),
        "PaymentMethods_GetByBillingProfile": ("MCA", "bad400"),
        "PaymentMethods_ListByBillingAccount": ("MCA", "empty"),
        "PaymentMethods_GetByBillingAccount": ("MCA", "bad400"),
        "AvailableBalances_GetByBillingAccount": ("MCA,MOSP", "bad400"),
        "AvailableBalances_GetByBillingProfile": ("MCA", "bad400"),
        "BillingProfiles_Get": ("MCA,MPA", "bad400"),
        "BillingProfiles_ListByBillingAccount": ("MCA,MPA", "type400"),
        "BillingRoleAssignments_GetByBillingProfile": ("MCA,MPA", "bad400"),
        "BillingRoleAssignments_ListByBillingProfile": ("MCA,MPA", "empty"),
        "BillingRoleAssignments_GetByCustomer": ("MPA", "bad400"),
        "BillingRoleAssignments_ListByCustomer": ("MPA", "empty"),
        "BillingRoleAssignments_GetByInvoiceSection": ("MCA", "bad400"),
        "BillingRoleAssignments_ListByInvoiceSection": ("MCA", "empty"),
        "BillingRoleAssignments_GetByBillingAccount": ("MCA,MPA,EA", "bad400"),
        "BillingRoleAssignments_ListByBillingAccount": ("MCA,MPA,EA", "type400"),
        "BillingRoleAssignments_GetByDepartment": ("EA", "bad400"),
        "BillingRoleAssignments_ListByDepartment": ("EA", "empty"),
        "BillingRoleAssignments_GetByEnrollmentAccount": ("EA", "bad400"),
        "BillingRoleAssignments_ListByEnrollmentAccount": ("EA", "empty"),
        "BillingRoleDefinition_GetByBillingProfile": ("MCA,MPA", "bad400"),
        "BillingRoleDefinition_ListByBillingProfile": ("MCA,MPA,EA", "empty"),
        "BillingRoleDefinition_GetByCustomer": ("MPA", "bad400"),
        "BillingRoleDefinition_ListByCustomer": ("MPA", "empty"),
        "BillingRoleDefinition_GetByInvoiceSection": ("MCA", "bad400"),
        "BillingRoleDefinition_ListByInvoiceSection": ("MCA,MPA", "empty"),
        "BillingRoleDefinition_GetByBillingAccount": ("MCA,MPA,EA", "bad400"),
        "BillingRoleDefinition_ListByBillingAccount": ("MCA,MPA,EA", "type400"),
        "BillingRoleDefinition_GetByDepartment": ("EA", "bad400"),
        "BillingRoleDefinition_ListByDepartment": ("EA", "empty"),
        "BillingRoleDefinition_GetByEnrollmentAccount": ("EA", "bad400"),
        "BillingRoleDefinition_ListByEnrollmentAccount": ("EA", "empty"),
        "BillingSubscriptions_ListByBillingProfile": ("MCA,MPA", "empty"),
        "BillingSubscriptions_ListByCustomer": ("MPA", "empty"),
        "BillingSubscriptions_ListByInvoiceSection": ("MCA", "empty"),
        "BillingSubscriptions_Get": ("MCA,MPA,EA", "bad400"),
        "BillingSubscriptions_ListByCustomerAtBillingAccount": ("MPA", "empty"),
        "BillingSubscriptions_ListByEnrollmentAccount": ("EA", "empty"),
        "Customers_Get": ("MPA", "bad400"),
        "Customers_ListByBillingProfile": ("MPA", "empty"),
        "Customers_GetByBillingAccount": ("MPA", "bad400"),
        "Customers_ListByBillingAccount": ("MPA", "type400"),
        "Departments_Get": ("EA", "bad400"),
        "Departments_ListByBillingAccount": ("EA", "type400"),
        "EnrollmentAccounts_GetByDepartment": ("EA", "bad400"),
        "EnrollmentAccounts_ListByDepartment": ("EA", "empty"),
        "EnrollmentAccounts_Get": ("EA", "bad400"),
        "EnrollmentAccounts_ListByBillingAccount": ("EA", "empty"),
        "Invoices_ListByBillingProfile": ("MCA,MPA", "type400"),
        "InvoiceSections_Get": ("MCA", "bad400"),
        "InvoiceSections_ListByBillingProfile": ("MCA", "type400"),
        "Policies_GetByCustomer": ("MPA", "bad400"),
        "Policies_GetByBillingProfile": ("MCA", "bad400"),
        "Policies_GetByCustomerAtBillingAccount": ("MPA", "bad400"),
        "Policies_GetByBillingAccount": ("EA", "bad400"),
        "Policies_GetBySubscription": ("MCA,MPA,MOSP", "bad400"),
        "Products_ListByInvoiceSection": ("MCA", "empty"),
        "Products_ListByBillingProfile": ("MCA,MPA", "empty"),
        "Products_ListByCustomer": ("MPA", "empty"),
        "Products_Get": ("MCA", "bad400"),
        "Products_ListByBillingAccount": ("MCA,MPA", "empty"),
        "Transfers_Get": ("MCA", "bad400"),
        "Transfers_List": ("MCA", "empty"),
        "PartnerTransfers_Get": ("MPA", "bad400"),
        "PartnerTransfers_List": ("MPA", "empty"),
        "Invoices_DownloadSummaryByBillingAccount": ("EA", "bad400"),
        "Invoices_DownloadDocumentsByBillingAccount": ("MCA,MPA", "bad400"),
        "Invoices_DownloadByBillingAccount": ("MCA,MPA,EA", "bad400"),
        "BillingAccounts_ListInvoiceSectionsByCreateSubscriptionPermission": ("MCA", "empty"),
    },
}

# path parameter -> canonical scope key
PARAM_KEY = {
    "billingAccountName": "account", "billingProfileName": "profile", "invoiceSectionName": "section",
    "customerName": "customer", "departmentName": "department", "enrollmentAccountName": "enrollment",
    "invoiceName": "invoice", "billingSubscriptionName": "subscription", "subscriptionId": "subscription",
    "reservationOrderId": "resorder", "savingsPlanOrderId": "sporder",
}
CONTAINERS = ("account", "profile", "section", "customer", "department", "enrollment",
              "subscription", "invoice", "resorder", "sporder")
CONTAINER_LABEL = {"account": "Billing account", "profile": "Billing profile", "section": "Invoice section",
                   "customer": "Customer", "department": "Department", "enrollment": "Enrollment account",
                   "subscription": "Subscription", "invoice": "Invoice", "resorder": "Reservation order",
                   "sporder": "Savings plan order"}
# kinds whose entities exist at several scope levels: match the level exactly
EXACT_KINDS = {"permission", "roledef", "roleassign", "policy", "balance", "breq", "paymethod",
               "operation", "rtransfer"}


class Route:
    __slots__ = ("versions", "method", "template", "op", "kind", "mode", "required", "segs",
                 "params", "deepest", "nlit")

    def __init__(self, versions, method, template, op, kind, mode, required):
        self.versions = VERSIONS if versions == "*" else ((V19,) if versions == "19" else (V24,))
        self.method = method
        self.template = template
        self.op = op
        self.kind = kind
        self.mode = mode
        self.required = required
        self.segs = []
        self.params = []
        for s in template.strip("/").split("/"):
            if s.startswith("{"):
                self.segs.append((True, s[1:-1]))
                self.params.append(s[1:-1])
            else:
                self.segs.append((False, s.lower()))
        self.nlit = sum(1 for is_p, _ in self.segs if not is_p)
        keys = [PARAM_KEY.get(p, "name") for p in self.params]
        if mode in ("get",) and keys and keys[-1] != "name":
            keys = keys[:-1]        # the item's own key is not its container
        cont = [k for k in keys if k in CONTAINERS]
        self.deepest = cont[-1] if cont else "user"

    def match(self, segs):
        if len(segs) != len(self.segs):
            return None
        out = {}
        for (is_p, val), seg in zip(self.segs, segs):
            if is_p:
                if seg == "":
                    return None
                out[val] = seg
            elif seg.lower() != val:
                return None
        return out


ROUTES = [Route(*r) for r in ROUTES_RAW]
# literal 'default' routes before the parameterised ones of the same shape
ROUTES.sort(key=lambda r: -r.nlit)


# ---------------------------------------------------------------------------
# results

class Result:
    """A response before serialisation.  obj is the JSON value (None = empty
    body); page=True marks list pages (subject to paging faults)."""

    __slots__ = ("status", "obj", "headers", "page", "cacheable", "raw", "content_type", "next_state")

    def __init__(self, status, obj=None, headers=None, page=False, cacheable=False, raw=None,
                 content_type="application/json; charset=utf-8"):
        self.status = status
        self.obj = obj
        self.headers = headers or {}
        self.page = page
        self.cacheable = cacheable
        self.raw = raw
        self.content_type = content_type
        self.next_state = None


def arm_error(status, code, message, target=None):
    return Result(status, {"error": {"code": code, "message": message, "target": target, "details": []}})


# ---------------------------------------------------------------------------
# dates, OData

DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


def parse_iso_date(s):
    m = DATE_RE.match(s.strip()) if isinstance(s, str) else None
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


class ODataError(Exception):
    pass


_TOKEN_RE = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<word>[A-Za-z_$@][\w/.$@-]*)|"
                       r"(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w-]))|(?P<date>\d{4}-\d{2}-\d{2}[\w:.+-]*)|(?P<other>\S))")
OPS = {"eq", "ne", "gt", "ge", "lt", "le"}


def parse_filter(text):
    """'properties/a eq 'x' and properties/b gt 5' -> [(path, op, value)]."""
    toks = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        if m.group("str") is not None:
            toks.append(("val", m.group("str")[1:-1].replace("''", "'")))
        elif m.group("num") is not None:
            n = m.group("num")
            toks.append(("val", float(n) if any(c in n for c in ".eE") else int(n)))
        elif m.group("date") is not None:
            toks.append(("val", m.group("date")))
        elif m.group("word") is not None:
            w = m.group("word")
            lw = w.lower()
            if lw in ("true", "false"):
                toks.append(("val", lw == "true"))
            elif lw == "null":
                toks.append(("val", None))
            else:
                toks.append(("word", w))
        else:
            raise ODataError("unexpected character %r" % m.group("other"))
    conds = []
    i = 0
    while i < len(toks):
        if i + 2 >= len(toks) or toks[i][0] != "word" or toks[i + 1][0] != "word" or toks[i + 2][0] != "val":
            raise ODataError("expected '<property> <operator> <value>'")
        path, op, val = toks[i][1], toks[i + 1][1].lower(), toks[i + 2][1]
        if op not in OPS:
            raise ODataError("unsupported operator '%s'" % toks[i + 1][1])
        if path.lower() in OPS or path.lower() in ("and", "or", "not"):
            raise ODataError("unexpected keyword '%s'" % path)
        conds.append((path, op, val))
        i += 3
        if i < len(toks):
            if toks[i] != ("word", toks[i][1]) or toks[i][1].lower() != "and":
                raise ODataError("only 'and' may join conditions")
            i += 1
            if i >= len(toks):
                raise ODataError("dangling 'and'")
    if not conds:
        raise ODataError("empty filter")
    return conds


def get_path(item, path):
    cur = item
    for part in path.split("/"):
        if not isinstance(cur, dict):
            return None
        if part in cur:
            cur = cur[part]
        else:
            low = part.lower()
            for k in cur:
                if k.lower() == low:
                    cur = cur[k]
                    break
            else:
                return None
    if isinstance(cur, dict) and "value" in cur and "currency" in cur:
        return cur["value"]
    return cur


def _cmp_values(a, b):
    """Comparable pair (a, b) or None."""
    if a is None or b is None:
        return None
    if isinstance(a, bool) or isinstance(b, bool):
        return (a, b) if isinstance(a, bool) and isinstance(b, bool) else None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return (a, b)
    if isinstance(a, (int, float)) and isinstance(b, str):
        try:
            return (a, float(b))
        except ValueError:
            return None
    if isinstance(a, str) and isinstance(b, (int, float)):
        try:
            return (float(a), b)
        except ValueError:
            return None
    if isinstance(a, str) and isinstance(b, str):
        da, db = _as_dt(a), _as_dt(b)
        if da is not None and db is not None:
            return (da, db)
        return (a.lower(), b.lower())
    return None


def _as_dt(s):
    m = DATE_RE.match(s.strip())
    if not m:
        return None
    try:
        d = _dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)),
                         int(m.group(4) or 0), int(m.group(5) or 0), int(m.group(6) or 0))
    except ValueError:
        return None
    tz = m.group(7)
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        d = d - sign * _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))
    return d


def make_predicate(conds):
    def pred(item):
        for path, op, val in conds:
            got = get_path(item, path) if isinstance(item, dict) else None
            pair = _cmp_values(got, val)
            if pair is None:
                if op == "ne" and not (got is None and val is None):
                    continue
                if op == "eq" and got is None and val is None:
                    continue
                return False
            a, b = pair
            if op == "eq" and not a == b:
                return False
            if op == "ne" and not a != b:
                return False
            try:
                if op == "gt" and not a > b:
                    return False
                if op == "ge" and not a >= b:
                    return False
                if op == "lt" and not a < b:
                    return False
                if op == "le" and not a <= b:
                    return False
            except TypeError:
                return False
        return True
    return pred


def parse_orderby(text):
    keys = []
    for part in text.split(","):
        bits = part.strip().split()
        if not bits:
            raise ODataError("empty $orderby term")
        if len(bits) > 2 or (len(bits) == 2 and bits[1].lower() not in ("asc", "desc")):
            raise ODataError("bad $orderby term '%s'" % part.strip())
        keys.append((bits[0], len(bits) == 2 and bits[1].lower() == "desc"))
    return keys


# ---------------------------------------------------------------------------
# sequences (lazy for bulk transactions)

class Seq:
    """Concatenation of materialised lists and bulk index ranges."""

    def __init__(self, world, n_bulk):
        self.parts = []     # (start, length, list or (lo,))
        self.total = 0
        self.world = world
        self.n_bulk = n_bulk

    def add_list(self, items):
        if items:
            self.parts.append((self.total, len(items), items))
            self.total += len(items)

    def add_bulk(self, lo, hi):
        if hi > lo:
            self.parts.append((self.total, hi - lo, lo))
            self.total += hi - lo

    def __len__(self):
        return self.total

    def get(self, i):
        for start, length, src in self.parts:
            if start <= i < start + length:
                if isinstance(src, list):
                    return src[i - start]
                return self.world.bulk_tx(src + (i - start), self.n_bulk)
        raise IndexError(i)


# ---------------------------------------------------------------------------
# long-running operations

class LroStore:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops = {}

    def create(self, prefix, blob, polls):
        op_id = "%s_%s" % (prefix, uuid.uuid4())
        with self.lock:
            self.ops[op_id.lower()] = {"remaining": polls, "blob": blob, "created": _dt.datetime.utcnow()}
            if len(self.ops) > 10000:
                for k in list(self.ops)[:1000]:
                    del self.ops[k]
        return op_id

    def poll(self, op_id):
        with self.lock:
            op = self.ops.get(op_id.lower())
            if op is None:
                return None
            if op["remaining"] > 0:
                op["remaining"] -= 1
                return ("running", op)
            return ("done", op)


# ---------------------------------------------------------------------------
# the billing application

def _qget(query, *names):
    for n in names:
        v = query.get(n.lower())
        if v is not None:
            return v
    return None


def encode_token(pos, emitted, salt=0):
    raw = ("%d:%d:%d" % (pos, emitted, salt)).encode()
    return base64.b64encode(b"az-emu1?" + raw).decode()


def decode_token(tok):
    try:
        tok = tok.replace(" ", "+")
        raw = base64.b64decode(tok + "=" * (-len(tok) % 4)).decode()
        if not raw.startswith("az-emu1?"):
            return None
        pos, emitted, _salt = raw[8:].split(":")
        return int(pos), int(emitted)
    except Exception:
        return None


class Billing:
    def __init__(self, world):
        self.world = world
        self.lro = LroStore()
        self._tx_memo = {}
        self._memo_lock = threading.Lock()

    # -- entry point --------------------------------------------------------
    def handle(self, req, cfg):
        """req: object with method, segs (decoded path segments), raw_path,
        raw_query, query (lower-cased key -> value), body, base_url,
        other_base.  Returns a Result."""
        q = req.query
        ver = q.get("api-version")
        if ver is None or ver == "":
            return arm_error(400, "MissingApiVersionParameter",
                             "The api-version query parameter (?api-version=) is required for all requests.")
        if ver not in VERSIONS:
            return arm_error(400, "InvalidApiVersionParameter",
                             "The api-version '%s' is invalid. The supported versions are '%s'." %
                             (ver, ",".join(VERSIONS)))
        segs = req.segs
        # long-running operation results
        if (len(segs) >= 3 and segs[-2].lower() == "operationresults" and req.method == "GET"
                and "/".join(segs[:2]).lower() in ("providers/microsoft.billing",)):
            return self.lro_poll(req, cfg, ver, segs[-1])
        route = None
        params = None
        method_mismatch = False
        for r in ROUTES:
            if ver not in r.versions:
                continue
            m = r.match(segs)
            if m is None:
                continue
            if r.method != req.method:
                method_mismatch = True
                continue
            route, params = r, m
            break
        if route is None:
            if method_mismatch:
                return arm_error(405, "HttpMethodNotSupported",
                                 "The requested resource does not support http method '%s'." % req.method,
                                 req.raw_path)
            other = [r for r in ROUTES if ver not in r.versions and r.match(segs) is not None]
            if other:
                return arm_error(404, "InvalidResourceType",
                                 "The resource type could not be found in the namespace 'Microsoft.Billing' "
                                 "for api version '%s'." % ver, req.raw_path)
            return arm_error(404, "NotFound", "No HTTP resource was found that matches the request URI '%s'."
                             % req.raw_path, req.raw_path)
        try:
            return self.dispatch(route, params, ver, req, cfg)
        except ODataError as e:
            return arm_error(400, "BadRequest", "Invalid OData query option: %s." % e, req.raw_path)

    # -- scope checks ---------------------------------------------------------
    def bind(self, route, params):
        cap = {}
        for p, val in params.items():
            cap[PARAM_KEY.get(p, "name")] = val
        if cap.get("account", "").lower() == "default":
            del cap["account"]
        return cap

    def scope_match(self, e, cap, keys=None):
        sc = e.scope
        for k in (keys if keys is not None else cap):
            want = cap[k]
            have = sc.get(k)
            if have is None:
                return False
            if isinstance(have, frozenset):
                wl = want.lower()
                if not any(x.lower() == wl for x in have):
                    return False
            elif have.lower() != want.lower():
                return False
        return True

    def check_containers(self, route, cap):
        """404 for a bound container scope that does not exist."""
        w = self.world
        for key in CONTAINERS:
            if key not in cap:
                continue
            kind = "subscription" if key == "subscription" else key
            ents = w.all(kind)
            if not ents:
                return key
            sample_keys = set()
            for e in ents:
                sample_keys.update(e.scope.keys())
            keys = [k for k in cap if k in sample_keys and k != "name"]
            if not any(self.scope_match(e, cap, keys) for e in ents):
                return key
        return None

    def account_of(self, cap):
        w = self.world
        if "account" in cap:
            return w.account(cap["account"])
        if "subscription" in cap:
            for s in w.all("subscription"):
                if s.name.lower() == cap["subscription"].lower():
                    return w.account(s.account)
        return None

    # -- dispatch -------------------------------------------------------------
    def dispatch(self, route, params, ver, req, cfg):
        w = self.world
        q = req.query
        cap = self.bind(route, params)
        target = req.raw_path
        # billing account must exist
        if "account" in cap and w.account(cap["account"]) is None:
            return arm_error(404, "NotFound", "Billing account '%s' was not found." % cap["account"], target)
        # agreement type support
        acct = self.account_of(cap)
        sup = SUPPORT[ver].get(route.op)
        if sup and acct is not None:
            allowed, how = sup
            if acct.agreement not in allowed.split(","):
                msg = ("The operation is not supported for billing accounts with agreement type %s."
                       % AGREEMENT[acct.agreement])
                if how == "empty" and route.mode in ("list", "txlist", "createsub"):
                    return Result(200, {"value": []}, page=True, cacheable=True)
                if how == "type400":
                    return arm_error(400, "InvalidBillingAccountType", msg, target)
                return arm_error(400, "BadRequest", msg, target)
        missing = self.check_containers(route, cap)
        if missing:
            if missing == "subscription" and route.op in ("BillingProperty_Get", "Policies_GetBySubscription"):
                return arm_error(404, "SubscriptionNotFound",
                                 "The subscription '%s' could not be found." % cap["subscription"], target)
            return arm_error(404, "NotFound", "%s '%s' was not found." % (CONTAINER_LABEL[missing], cap[missing]),
                             target)
        # required query parameters
        for name in route.required:
            if not q.get(name.lower()):
                return arm_error(400, "BadRequest",
                                 "The query parameter '%s' is required for this request." % name, target)
        start = end = None
        for name in DATES:
            raw = q.get(name.lower())
            if raw:
                d = parse_iso_date(raw)
                if d is None:
                    return arm_error(400, "InvalidInput",
                                     "The value '%s' of query parameter '%s' is not a valid date; "
                                     "expected format YYYY-MM-DD." % (raw, name), target)
                if name == "periodStartDate":
                    start = d
                else:
                    end = d
        if start and end and start > end:
            return arm_error(400, "InvalidInput", "periodStartDate must not be later than periodEndDate.", target)
        ttype = None
        if route.kind == "tx" and "type" in route.required:
            ttype = q.get("type")
            norm = {"billed": "Billed", "unbilled": "Unbilled", "other": "Other"}.get(ttype.lower())
            if norm is None:
                return arm_error(400, "InvalidInput",
                                 "The value '%s' of query parameter 'type' is invalid; allowed values are "
                                 "Billed, Unbilled, Other." % ttype, target)
            ttype = norm
        ctx = Ctx(w, ver, route.op, cap, q)
        mode = route.mode
        if mode in ("list", "txlist"):
            return self.do_list(route, cap, ctx, req, cfg, start, end, ttype)
        if mode in ("get", "one"):
            ents = self.collect(route, cap, ctx, start, end)
            if not ents:
                name = params[route.params[-1]] if route.params else route.template.rsplit("/", 1)[-1]
                return arm_error(404, "NotFound",
                                 "The resource '%s' was not found or one of its dependencies could not be found."
                                 % name, target)
            return Result(200, RENDER[route.kind](ents[0], ctx), cacheable=True)
        if mode == "txget":
            name = cap.get("name", "").lower()
            for tx in w.tx_regular:
                if tx.name == name and self.tx_in_scope(tx, cap):
                    return Result(200, r_tx(tx, ctx), cacheable=True)
            n = int(cfg.get("bulk_transactions") or 0)
            if name.startswith("b0000000-0000-4000-8000-") and cap.get("profile", "").lower() == BULK_PROFILE.lower():
                try:
                    i = int(name.rsplit("-", 1)[1])
                except ValueError:
                    i = -1
                if 0 <= i < n:
                    return Result(200, r_tx(w.bulk_tx(i, n), ctx), cacheable=True)
            return arm_error(404, "NotFound", "Transaction '%s' was not found." % cap.get("name"), target)
        if mode == "txsummary":
            inv = self.collect(route, cap, ctx, None, None)
            if not inv:
                return arm_error(404, "NotFound", "Invoice '%s' was not found." % cap.get("invoice"), target)
            return Result(200, r_tx_summary(inv[0], ctx), cacheable=True)
        if mode == "detach":
            pe = [p for p in w.all("profile") if self.scope_match(p, cap)][0]
            return Result(200, r_detach(pe, ctx), cacheable=True)
        if mode == "createsub":
            secs = [s for s in w.all("section") if self.scope_match(s, cap)]
            seq = Seq(w, 0)
            seq.add_list(secs)
            return self.page_of(seq, lambda e: r_createsub(e, ctx), req, cfg, ver, q)
        if mode == "address":
            return self.validate_address(req, ver)
        if mode == "lro":
            return self.lro_start(route, cap, ctx, req, cfg, ver)
        return arm_error(500, "InternalServerError", "Unhandled route mode.", target)

    # -- collections ------------------------------------------------------------
    def collect(self, route, cap, ctx, start, end):
        w = self.world
        kind = route.kind
        out = []
        exact = kind in EXACT_KINDS
        for e in w.all(kind):
            if exact and e.level != route.deepest and not (kind == "breq" and route.deepest == "user"):
                continue
            if not self.scope_match(e, cap):
                continue
            out.append(e)
        if kind == "invoice" and (start or end):
            out = [e for e in out if (start is None or e.date >= start) and (end is None or e.date <= end)]
        if kind == "tenant" and ctx.v == V24 and route.mode == "list":
            if str(ctx.query.get("includerevoked", "")).lower() != "true":
                out = [e for e in out if e.state != "Revoked"]
        return out

    @staticmethod
    def tx_in_scope(tx, cap):
        for key, val in (("account", tx.account), ("profile", tx.profile), ("section", tx.section),
                         ("customer", tx.customer)):
            if key in cap and (val is None or val.lower() != cap[key].lower()):
                return False
        return True

    def collect_tx(self, cap, start, end, ttype, cfg):
        w = self.world
        n = int(cfg.get("bulk_transactions") or 0)

        def eq(a, b):
            return a is not None and b is not None and a.lower() == b.lower()

        inv = None
        if "invoice" in cap:
            inv = w.invoices_by_name.get(cap["invoice"].lower())
            if inv is None:
                return Seq(w, n)
        mkey = (tuple(sorted(cap.items())), start, end, ttype)
        regular = self._tx_memo.get(mkey)
        if regular is None:
            regular = self._regular_tx(cap, inv, start, end, ttype)
            with self._memo_lock:
                if len(self._tx_memo) > 4096:
                    self._tx_memo.clear()
                self._tx_memo[mkey] = regular
        seq = Seq(w, n)
        seq.add_list(regular)
        return self._add_bulk(seq, cap, inv, start, end, ttype, n)

    def _regular_tx(self, cap, inv, start, end, ttype):
        def eq(a, b):
            return a is not None and b is not None and a.lower() == b.lower()

        regular = []
        for tx in self.world.tx_regular:
            if "account" in cap and not eq(tx.account, cap["account"]):
                continue
            if "profile" in cap and not eq(tx.profile, cap["profile"]):
                continue
            if "section" in cap and not eq(tx.section, cap["section"]):
                continue
            if "customer" in cap and not eq(tx.customer, cap["customer"]):
                continue
            if inv is not None and tx.invoice != inv.name:
                continue
            d = tx.dt.date()
            if start and d < start or end and d > end:
                continue
            if ttype and tx.status != ttype:
                continue
            regular.append(tx)
        return regular

    def _add_bulk(self, seq, cap, inv, start, end, ttype, n):
        w = self.world

        def eq(a, b):
            return a is not None and b is not None and a.lower() == b.lower()

        if n > 0 and ttype in (None, "Billed") and "customer" not in cap:
            ok = (("account" not in cap or eq(cap["account"], BULK_ACCOUNT)) and
                  ("profile" not in cap or eq(cap["profile"], BULK_PROFILE)) and
                  ("section" not in cap or eq(cap["section"], BULK_SECTION)))
            if ok:
                s, e = start, end
                if inv is not None:
                    if inv.account != BULK_ACCOUNT or inv.profile != BULK_PROFILE:
                        ok = False
                    else:
                        py, pm = ym_add((inv.date.year, inv.date.month), -1)
                        ms = _dt.date(py, pm, 1)
                        me = _dt.date(py, pm, emu_data.month_last_day(py, pm))
                        s = ms if s is None or ms > s else s
                        e = me if e is None or me < e else e
                if ok and (s is None or e is None or s <= e):
                    lo, hi = w.bulk_range(n, s, e)
                    seq.add_bulk(lo, hi)
        return seq

    def do_list(self, route, cap, ctx, req, cfg, start, end, ttype):
        w = self.world
        if route.mode == "txlist":
            seq = self.collect_tx(cap, start, end, ttype, cfg)
            render = lambda tx: r_tx(tx, ctx)
        else:
            ents = self.collect(route, cap, ctx, start, end)
            seq = Seq(w, 0)
            seq.add_list(ents)
            fn = RENDER[route.kind]
            render = lambda e: fn(e, ctx)
        extras = {}
        if route.kind == "customer":
            extras["totalCount"] = len(seq)
        if route.kind == "subscription" and ctx.v == V24:
            extras["totalCount"] = len(seq)
        if route.kind == "reservation" and route.op != "Reservations_ListByReservationOrder":
            extras["summary"] = {"succeededCount": float(len(seq)), "failedCount": 0.0, "expiringCount": 0.0,
                                 "expiredCount": 0.0, "pendingCount": 0.0, "cancelledCount": 0.0,
                                 "processingCount": 0.0, "warningCount": 0.0, "noBenefitCount": 0.0}
        return self.page_of(seq, render, req, cfg, ctx.v, ctx.query, extras)

    def page_of(self, seq, render, req, cfg, ver, q, extras=None):
        page_size = max(1, int(cfg.get("page_size") or 50))
        filt = orderby = top = skip = None
        if ver == V24:
            ftxt = _qget(q, "$filter", "filter")
            if ftxt:
                filt = make_predicate(parse_filter(ftxt))
            otxt = _qget(q, "$orderby", "orderby")
            if otxt:
                orderby = parse_orderby(otxt)
            ttxt = _qget(q, "$top", "top")
            if ttxt is not None and ttxt != "":
                try:
                    top = int(ttxt)
                    if top < 0:
                        raise ValueError
                except ValueError:
                    raise ODataError("$top must be a non-negative integer")
            stxt = _qget(q, "$skip", "skip")
            if stxt:
                try:
                    skip = int(stxt)
                    if skip < 0:
                        raise ValueError
                except ValueError:
                    raise ODataError("$skip must be a non-negative integer")
        tok = q.get("$skiptoken")
        pos, emitted = 0, 0
        if tok:
            st = decode_token(tok)
            if st is None:
                return arm_error(400, "InvalidSkipToken", "The skip token is invalid or has expired.", req.raw_path)
            pos, emitted = st
        items = []
        limit = page_size if top is None else max(0, min(page_size, top - emitted))
        if orderby is not None and len(seq) <= 200000:
            allitems = [render(seq.get(i)) for i in range(len(seq))]
            if filt:
                allitems = [x for x in allitems if filt(x)]
            for path, desc in reversed(orderby):
                def key(x, path=path):
                    v = get_path(x, path) if isinstance(x, dict) else None
                    if isinstance(v, str):
                        d = _as_dt(v)
                        v = d if d is not None else v.lower()
                    return (v is None, (type(v).__name__, v) if v is not None else ("", 0))
                try:
                    allitems.sort(key=key, reverse=desc)
                except TypeError:
                    pass
            if skip and not tok:
                pos = min(skip, len(allitems))
            start_state = (pos, emitted)
            items = allitems[pos:pos + limit]
            npos = pos + len(items)
            more = npos < len(allitems)
        else:
            i = pos
            n = len(seq)
            if skip and not tok:
                skipped = 0
                while i < n and skipped < skip:
                    x = render(seq.get(i))
                    i += 1
                    if filt is None or filt(x):
                        skipped += 1
            start_state = (i, emitted)
            scanned = 0
            scan_cap = max(20000, page_size * 4)
            while i < n and len(items) < limit and scanned < scan_cap:
                x = render(seq.get(i))
                i += 1
                scanned += 1
                if filt is None or filt(x):
                    items.append(x)
            npos = i
            more = npos < n
        emitted_after = emitted + len(items)
        if top is not None and emitted_after >= top:
            more = False
        body = {"value": items}
        if extras:
            for k, v in extras.items():
                body[k] = v
        res = Result(200, body, page=True, cacheable=True)
        res.next_state = start_state
        if more:
            body["nextLink"] = next_link(req, encode_token(npos, emitted_after))
        return res

    # -- POST actions --------------------------------------------------------
    def validate_address(self, req, ver):
        try:
            body = json.loads(req.body.decode("utf-8") or "{}") if req.body else {}
        except (ValueError, UnicodeDecodeError):
            return arm_error(400, "InvalidRequestContent", "The request content was invalid and could not be "
                             "deserialized.", req.raw_path)
        if not isinstance(body, dict):
            return arm_error(400, "InvalidRequestContent", "The request body must be a JSON object.", req.raw_path)
        line1 = str(body.get("addressLine1", ""))
        if ver == V24 and (not line1 or not body.get("country")):
            return arm_error(400, "InvalidInput", "addressLine1 and country are required.", req.raw_path)
        if not line1 or "invalid" in line1.lower():
            sugg = dict((k, v) for k, v in body.items() if isinstance(v, str))
            sugg["addressLine1"] = re.sub(r"\s+", " ", re.sub("(?i)invalid", " ", line1)).strip() or "1 Main Street"
            if ver == V24:
                sugg["isValidAddress"] = True
            return Result(200, {"status": "Invalid", "suggestedAddresses": [sugg],
                                "validationMessage": "Invalid address: the street could not be found."})
        return Result(200, {"status": "Valid", "suggestedAddresses": [], "validationMessage": ""})

    def lro_start(self, route, cap, ctx, req, cfg, ver):
        w = self.world
        op = route.op
        inv = None
        if "invoice" in cap:
            ents = [e for e in w.all("invoice") if self.scope_match(e, cap)]
            if not ents:
                return arm_error(404, "NotFound", "Invoice '%s' was not found." % cap["invoice"], req.raw_path)
            inv = ents[0]
        if op in ("Invoices_DownloadDocumentsByBillingAccount", "Invoices_DownloadMultipleEAInvoices",
                  "Invoices_DownloadDocumentsByBillingSubscription",
                  "Invoices_DownloadMultipleBillingSubscriptionInvoices",
                  "Invoices_DownloadMultipleBillingProfileInvoices"):
            try:
                body = json.loads(req.body.decode("utf-8")) if req.body else None
            except (ValueError, UnicodeDecodeError):
                body = None
            if not isinstance(body, list) or not body:
                return arm_error(400, "InvalidRequestContent",
                                 "The request body must be a non-empty array of invoice documents.", req.raw_path)
            prefix, blob = "documentsDownload", "documents-%s.zip" % hashlib.sha1(
                json.dumps(body, sort_keys=True).encode()).hexdigest()[:12]
        elif op == "Invoices_DownloadSummaryByBillingAccount":
            prefix, blob = "summaryDownload", "%s-summary.pdf" % inv.name
        elif op == "Transactions_TransactionsDownloadByInvoice":
            prefix, blob = "transactionsDownload", "%s-transactions.csv" % inv.name
        elif op == "PriceSheet_Download":
            prefix, blob = "pricesheetDownload", "pricesheet-%s.csv" % inv.name
        elif op == "PriceSheet_DownloadByBillingProfile":
            prefix, blob = "pricesheetDownload", "pricesheet-%s.csv" % cap["profile"]
        else:
            doc = req.query.get("documentname")
            prefix, blob = "invoiceDownload", "%s%s.pdf" % (inv.name, "-" + doc if doc else "")
        op_id = self.lro.create(prefix, blob, int(cfg.get("lro_polls", 1)))
        # the Location is on the resource the action was invoked on
        raw_segs = req.raw_path.split("?")[0].rstrip("/").split("/")
        tail = {"download": 1, "downloadsummary": 1, "transactionsdownload": 1, "downloaddocuments": 1}
        if raw_segs[-1].lower() in tail:
            raw_segs = raw_segs[:-1]
        if len(raw_segs) >= 2 and raw_segs[-2].lower() == "pricesheet":
            raw_segs = raw_segs[:-2]
        base = urllib.parse.unquote("/".join(raw_segs))
        loc = "%s%s/operationResults/%s?api-version=%s" % (req.base_url, base, op_id, ver)
        headers = {"Location": loc, "Retry-After": str(int(cfg.get("lro_retry_after", 1)))}
        if op.startswith("PriceSheet"):
            headers["OData-EntityId"] = op_id
        return Result(202, None, headers)

    def lro_poll(self, req, cfg, ver, op_id):
        st = self.lro.poll(op_id)
        if st is None:
            return arm_error(404, "NotFound", "The operation '%s' was not found." % op_id, req.raw_path)
        state, op = st
        if state == "running":
            loc = "%s%s?api-version=%s" % (req.base_url, urllib.parse.unquote(req.raw_path.split("?")[0]), ver)
            return Result(202, None, {"Location": loc, "Retry-After": str(int(cfg.get("lro_retry_after", 1)))})
        expiry = (_dt.datetime.utcnow() + _dt.timedelta(hours=1)).replace(microsecond=0)
        exp_s = expiry.strftime("%Y-%m-%dT%H:%M:%SZ")
        sig = base64.b64encode(hashlib.sha256((op["blob"] + exp_s).encode()).digest()).decode()
        url = "%s/blob/%s?sv=2019-02-02&sr=b&sig=%s&se=%s&sp=r" % (
            req.other_base, urllib.parse.quote(op["blob"]), urllib.parse.quote(sig, safe=""),
            urllib.parse.quote(exp_s, safe=""))
        if cfg.get("lro_bare_string"):
            return Result(200, url)
        return Result(200, {"expiryTime": exp_s, "url": url})


def next_link(req, token):
    parts = []
    for part in req.raw_query.split("&") if req.raw_query else []:
        if not part:
            continue
        key = urllib.parse.unquote_plus(part.split("=", 1)[0])
        if key.lower() == "$skiptoken":
            continue
        parts.append(part)
    parts.append("$skiptoken=" + urllib.parse.quote(token, safe=""))
    return "%s%s?%s" % (req.base_url, req.raw_path.split("?")[0], "&".join(parts))


def blob_bytes(name):
    """Deterministic content for an emulated blob download."""
    low = name.lower()
    if low.endswith(".pdf"):
        body = ("%%PDF-1.4\n%% azbilling emulator document %s\n1 0 obj << /Type /Catalog >> endobj\n"
                "trailer << /Root 1 0 R >>\n%%%%EOF\n" % name).encode()
        return body, "application/pdf"
    if low.endswith(".csv"):
        lines = ["Date,Product,Quantity,Cost"]
        for i in range(20):
            lines.append("2026-10-%02d,Virtual Machines D2 v3,%d,%.2f" % (i + 1, i + 1, (i + 1) * 2.3))
        return ("\r\n".join(lines) + "\r\n").encode(), "text/csv"
    if low.endswith(".zip"):
        import io
        import zipfile
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zi = zipfile.ZipInfo("invoice.pdf", date_time=(2026, 10, 1, 0, 0, 0))
            zf.writestr(zi, blob_bytes("invoice.pdf")[0])
        return buf.getvalue(), "application/zip"
    return ("emulated blob %s\n" % name).encode(), "application/octet-stream"
