"""Who may do what in the CRM (django-rules).

Every employee sees the company base; a company is worked on by its responsible manager (or any
manager while it has none), and by supervisors: the general director, directors and heads of
departments. Importing is for managers and supervisors; the distribution report for supervisors.
"""

import rules

from crm import roles
from workflow.rules import is_employee
from workflow.selectors import has_role, subordinate_department_ids


@rules.predicate
def is_manager(user) -> bool:
    return has_role(user, roles.MANAGER)


@rules.predicate
def is_supervisor(user) -> bool:
    if has_role(user, roles.GENERAL_DIRECTOR) or has_role(user, roles.DIRECTOR):
        return True
    return bool(is_employee(user) and subordinate_department_ids(user))


@rules.predicate
def is_responsible(user, company) -> bool:
    return company is not None and company.responsible_id == user.pk


@rules.predicate
def is_unassigned(user, company) -> bool:
    return company is not None and company.responsible_id is None


@rules.predicate
def owns_call_list(user, call_list) -> bool:
    return call_list is not None and call_list.manager_id == user.pk


can_view = rules.is_authenticated & is_employee
rules.add_perm("crm.view_company", can_view)
rules.add_perm(
    "crm.work_company",
    can_view & (is_responsible | (is_manager & is_unassigned) | is_supervisor),
)
rules.add_perm("crm.import_companies", can_view & (is_manager | is_supervisor))
rules.add_perm("crm.view_distribution", can_view & is_supervisor)
rules.add_perm("crm.make_calls", can_view & is_manager)
rules.add_perm("crm.view_call_list", can_view & (owns_call_list | is_supervisor))
rules.add_perm("crm.use_calendar", can_view)
