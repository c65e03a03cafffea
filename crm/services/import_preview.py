"""The checked import plan as the user sees it and as it is kept for the run: the preview summary
(counts, changes per field, the first changes and errors), the plan stored as JSON, and the check
that the base has not moved under a stored plan."""

from __future__ import annotations

import json
from collections import Counter

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext as _

from crm.models import Counterparty, CounterpartyCategory, Industry, name_key
from crm.services.import_plan import FIELDS, LABELS, Plan, sql_rows
from workflow.pickers import person_label

User = get_user_model()


def _display(key: str, value, names: dict) -> str:
    if value in (None, ""):
        return "—"
    if key == "industry":
        if isinstance(value, tuple | list):
            return _("%(name)s (новая)") % {"name": names["new_industries"].get(value[1], "")}
        return names["industries"].get(value, str(value))
    if key == "responsible":
        return names["people"].get(value, str(value))
    if key == "category":
        return str(CounterpartyCategory(value).label)
    return str(value)


def summary(plan: Plan, *, sample: int = 30, error_sample: int = 50) -> dict:
    """The preview the user confirms: counts, changes per field, the first changes and errors
    (JSON-safe, stored on the import)."""
    shown = plan.updates[:sample]
    person_ids = set()
    for update in shown:
        if "responsible" in update["changes"]:
            person_ids |= {
                update["changes"]["responsible"],
                plan.current[update["id"]]["responsible"],
            }
    names = {
        "industries": dict(Industry.objects.values_list("pk", "name")),
        "people": {
            u.pk: person_label(u)
            for u in User.objects.filter(pk__in=person_ids - {None}).select_related("employee")
        },
        "new_industries": plan.new_industries,
    }
    changes = []
    for update in shown:
        before = plan.current[update["id"]]
        fields = [
            {
                "field": str(LABELS[k]),
                "old": _display(k, before[k], names),
                "new": _display(k, v, names),
            }
            for k, v in update["changes"].items()
        ]
        if update["contact"]:
            fields.append(
                {"field": str(LABELS["contact_person"]), "old": "", "new": update["contact"]}
            )
        changes.append(
            {"row": update["row"], "id": update["id"], "name": before["name"], "fields": fields}
        )
    return {
        "rows": plan.rows,
        "create": len(plan.creates),
        "update": len(plan.updates),
        "unchanged": plan.unchanged,
        "duplicates": plan.duplicates,
        "errors": len(plan.errors),
        "fields": [
            {"field": str(LABELS[k]), "count": plan.field_counts[k]}
            for k, _label in FIELDS
            if plan.field_counts.get(k)
        ],
        "new_industries": sorted(plan.new_industries.values()),
        "changes": changes,
        "error_sample": [
            {"row": e["row"], "reason": e["reason"]} for e in plan.errors[:error_sample]
        ],
    }


# --- the checked plan, kept for the run -----------------------------------------------------------


def plan_dump(plan: Plan) -> bytes:
    """The plan as JSON, so the confirmed run writes exactly what the preview showed without
    reading and matching the file again."""
    data = {
        "creates": plan.creates,
        "updates": plan.updates,
        "unchanged": plan.unchanged,
        "duplicates": plan.duplicates,
        "errors": plan.errors,
        "field_counts": dict(plan.field_counts),
        "new_industries": plan.new_industries,
        "rows": plan.rows,
        "current": {str(k): v for k, v in plan.current.items()},
    }
    return json.dumps(data, ensure_ascii=False).encode()


def plan_load(raw: bytes) -> Plan:
    data = json.loads(raw)
    return Plan(
        creates=data["creates"],
        updates=data["updates"],
        unchanged=data["unchanged"],
        duplicates=data["duplicates"],
        errors=data["errors"],
        field_counts=Counter(data["field_counts"]),
        new_industries=data["new_industries"],
        rows=data["rows"],
        current={int(k): v for k, v in data["current"].items()},
    )


def plan_still_valid(plan: Plan) -> bool:
    """True when the base has not moved under the plan since the check: no company it would
    create has appeared (by INN or name) and no company it would change has been edited (every
    edit of a card bumps its version). Otherwise the run plans again."""
    table = Counterparty._meta.db_table
    inns = sorted({c["inn"] for c in plan.creates if c.get("inn")})
    keys = sorted({name_key(c["name"]) for c in plan.creates})
    if inns or keys:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {table} WHERE inn = ANY(%s) OR name_key = ANY(%s) LIMIT 1",  # noqa: S608
                [inns, keys],
            )
            if cursor.fetchone():
                return False
    ids = [u["id"] for u in plan.updates]
    versions = dict(sql_rows(f"SELECT id, version FROM {table} WHERE id = ANY(%s)", ids))  # noqa: S608
    return all(versions.get(i) == plan.current[i]["version"] for i in ids)
