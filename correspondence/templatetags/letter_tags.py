"""Status badges and register rows of letters, built in Python (``correspondence.register_html``):
a register shows each letter twice (the table and the phone cards), and the template's rows were
a third of the page's time."""

from django import template

from correspondence import register_html

register = template.Library()

register.simple_tag(register_html.incoming_status, name="incoming_status")
register.simple_tag(register_html.outgoing_status, name="outgoing_status")
register.simple_tag(register_html.incoming_cards, name="incoming_cards")
register.simple_tag(register_html.incoming_rows, name="incoming_rows")
register.simple_tag(register_html.outgoing_cards, name="outgoing_cards")
register.simple_tag(register_html.outgoing_rows, name="outgoing_rows")
