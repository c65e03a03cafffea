"""Who may do what in the CRM (django-rules).

Every employee sees the company base; a company is worked on and its card edited by its
responsible manager (or any manager while it has none), and by supervisors: the general
director, directors and the heads over departments where managers work (a head of the legal
department is not a supervisor of the client base). The registrar also edits counterparties
nobody is responsible for (government bodies, suppliers). Only supervisors change a company's
manager.
Importing is for managers and supervisors. The distribution page is for the head of sales (a
head over a department with managers), the general director and administrators.
"""

import rules

from crm import roles
from workflow.rules import is_employee, is_general_director
from workflow.selectors import has_role, subordinate_department_ids, users_with_role


@rules.predicate
def is_manager(user) -> bool:
    return has_role(user, roles.MANAGER)


@rules.predicate
def is_responsible(user, company) -> bool:
    return company is not None and company.responsible_id == user.pk


@rules.predicate
def is_unassigned(user, company) -> bool:
    return company is not None and company.responsible_id is None


@rules.predicate
def is_registrar(user) -> bool:
    return has_role(user, roles.REGISTRAR)


@rules.predicate
def is_sales_head(user) -> bool:
    """Heads a department (directly or above) where an active manager works."""
    if not is_employee(user):
        return False
    department_ids = subordinate_department_ids(user)
    return bool(department_ids) and (
        users_with_role(roles.MANAGER).filter(employee__department_id__in=department_ids).exists()
    )


@rules.predicate
def is_supervisor(user) -> bool:
    """The general director, directors, and heads over the managers' departments."""
    if has_role(user, roles.GENERAL_DIRECTOR) or has_role(user, roles.DIRECTOR):
        return True
    return is_sales_head(user)


@rules.predicate
def is_admin(user) -> bool:
    return user.is_superuser


@rules.predicate
def owns_call_list(user, call_list) -> bool:
    return call_list is not None and call_list.manager_id == user.pk


can_view = rules.is_authenticated & is_employee
rules.add_perm("crm.view_company", can_view)
rules.add_perm(
    "crm.work_company",
    can_view & (is_responsible | (is_manager & is_unassigned) | is_supervisor),
)
rules.add_perm(
    "crm.edit_company",
    can_view & (is_responsible | ((is_manager | is_registrar) & is_unassigned) | is_supervisor),
)
rules.add_perm("crm.assign_company", can_view & is_supervisor)
rules.add_perm("crm.import_companies", can_view & (is_manager | is_supervisor))
rules.add_perm(
    "crm.view_distribution",
    rules.is_authenticated & (is_admin | (is_employee & (is_general_director | is_sales_head))),
)
rules.add_perm("crm.make_calls", can_view & is_manager)
rules.add_perm("crm.view_call_list", can_view & (owns_call_list | is_supervisor))
rules.add_perm("crm.use_calendar", can_view)
