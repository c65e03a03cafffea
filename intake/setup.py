"""A mailbox described by environment variables, so a demo or a container can be pointed at a
mailbox without the admin: ARGO_INTAKE_IMAP_HOST (required), _PORT, _SECURITY (ssl, starttls,
none), _USER, _PASSWORD (read by the worker at each poll, never stored), _FOLDER, _NAME, and
ARGO_INTAKE_LEGAL_ENTITY (the code of the default addressee)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

from intake.models import DEFAULT_PORTS, Mailbox, Security
from workflow.models import LegalEntity

PREFIX = "ARGO_INTAKE_IMAP_"
PASSWORD_VARIABLE = f"{PREFIX}PASSWORD"


def mailbox_from_env(environ: Mapping[str, str] | None = None) -> Mailbox | None:
    """Create or update the mailbox the environment describes; None when it describes none."""
    env = os.environ if environ is None else environ
    host = env.get(f"{PREFIX}HOST", "").strip()
    if not host:
        return None
    security = env.get(f"{PREFIX}SECURITY", Security.SSL).strip().lower()
    if security not in Security.values:
        raise ImproperlyConfigured(f"{PREFIX}SECURITY must be ssl, starttls or none")
    port_text = env.get(f"{PREFIX}PORT", "").strip()
    if port_text and not port_text.isdigit():
        raise ImproperlyConfigured(f"{PREFIX}PORT must be a number, got {port_text!r}")
    entity_code = env.get("ARGO_INTAKE_LEGAL_ENTITY", "").strip()
    entity = LegalEntity.objects.filter(code=entity_code).first() if entity_code else None
    mailbox, _created = Mailbox.objects.update_or_create(
        name=env.get(f"{PREFIX}NAME", "").strip() or "Канцелярия",
        defaults={
            "host": host,
            "port": int(port_text) if port_text else DEFAULT_PORTS[security],
            "security": security,
            "username": env.get(f"{PREFIX}USER", "").strip(),
            "password_env": PASSWORD_VARIABLE,
            "password_encrypted": "",
            "folder": env.get(f"{PREFIX}FOLDER", "").strip() or "INBOX",
            "default_legal_entity": entity,
            "is_active": True,
        },
    )
    mailbox.full_clean()
    return mailbox
