"""``{% url %}`` as Django's, with a link that takes no arguments reversed once (see
``argo_docs.reversing``). Loaded as a template builtin (settings: TEMPLATES), so every template
gets it without ``{% load %}``; the navigation bar alone has 18 such links on every page."""

from __future__ import annotations

from django import template
from django.template import defaulttags
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from argo_docs.reversing import fixed_url

register = template.Library()


class FixedURLNode(template.Node):
    child_nodelists = ()

    def __init__(self, node: defaulttags.URLNode):
        self.view_name = node.view_name
        self.asvar = node.asvar

    def render(self, context):
        view_name = self.view_name.resolve(context)
        # the instance namespace, found as Django's own tag finds it
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        try:
            url = fixed_url(view_name, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    if node.args or node.kwargs:
        return node
    return FixedURLNode(node)
