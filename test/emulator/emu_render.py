"""The renderer of each route kind: which item shape a list or get answers with.

The shapes themselves are in emu_render_scopes.py (the billing hierarchy),
emu_render_money.py (invoices, transactions, balances, roles, payment
methods) and emu_render_access.py (policies, transfers, requests,
reservations, savings plans), on the helpers of emu_render_base.py.
"""

from emu_render_scopes import r_account, r_customer, r_department, r_enrollment, r_product, r_profile, r_section, r_subscription
from emu_render_money import r_agreement, r_balance, r_invoice, r_paylink, r_paymethod, r_permission, r_property, r_roleassign, r_roledef, r_tx
from emu_render_access import r_alias, r_breq, r_instruction, r_operation, r_policy, r_ptransfer, r_reservation, r_resorder, r_rtransfer, r_splan, r_sporder, r_tenant, r_transfer


RENDER = {
    "account": r_account, "profile": r_profile, "section": r_section, "customer": r_customer,
    "department": r_department, "enrollment": r_enrollment, "subscription": r_subscription,
    "product": r_product, "invoice": r_invoice, "tx": r_tx, "agreement": r_agreement,
    "balance": r_balance, "permission": r_permission, "property": r_property, "roledef": r_roledef,
    "roleassign": r_roleassign, "paymethod": r_paymethod, "paylink": r_paylink, "policy": r_policy,
    "transfer": r_transfer, "ptransfer": r_ptransfer, "rtransfer": r_rtransfer, "operation": r_operation,
    "instruction": r_instruction, "tenant": r_tenant, "breq": r_breq, "reservation": r_reservation,
    "resorder": r_resorder, "splan": r_splan, "sporder": r_sporder, "alias": r_alias,
}
