import rules
from django import template

register = template.Library()


@register.filter
def crm_can(user, perm: str) -> bool:
    return rules.has_perm(perm, user)
