"""ARM routes of Microsoft.Billing for both api-versions, as data.

The route table lists every GET operation of 2019-10-01-preview and
2024-04-01 (plus the download POSTs, address validation and the
create-subscription-permission list), with the agreement-type support table
and the Result an answer is built as.  The handler (emu_billing.py) is
generic: the path parameters of a route bind canonical scope keys, and a list
is the set of entities of the route's kind whose scope matches all bound keys.
"""

from emu_render_base import V19, V24

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
