"""A small organisation for memo tests, with two levels of heads under the general director.

Дирекция (gendir; office)
  ├─ Продажи (sales_head; seller, seller2)
  │    └─ Аренда (rent_head; clerk)
  └─ Юридический отдел (lawyer; jurist)
"""

import datetime as dt

from django.utils import timezone

from memos import services
from storage.testing import pdf_bytes
from tests.factories import DepartmentFactory, employee, small_org
from workflow.selectors import tasks_of


def memo_world() -> dict:
    org = small_org()
    departments = org["departments"]
    rent = DepartmentFactory(
        legal_entity=departments["sales"].legal_entity, name="Аренда", parent=departments["sales"]
    )
    org["rent_head"] = employee("rent_head", head_of=rent)
    org["clerk"] = employee("clerk", rent)
    org["jurist"] = employee("jurist", departments["legal"])
    departments["rent"] = rent
    return org


def write(world, author="clerk", to="gendir", subject="О ремонте кондиционера", **kwargs):
    data = {"addressee": world[to], "subject": subject, "text": "Кондиционер в 305 не работает."}
    return services.memo_create(user=world[author], data=data, **kwargs)


def stored_pdf(user, name="smeta.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from storage.services import stored_file_create

    upload = SimpleUploadedFile(name, pdf_bytes("smeta"), "application/pdf")
    return stored_file_create(upload=upload, uploaded_by=user)


def open_task(memo, user):
    return tasks_of(memo).get(assignee=user, status="open")


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def decision(decision="approve", *, resolution="", comment="", executors=(), acknowledgers=()):
    return {
        "decision": decision,
        "resolution": resolution,
        "comment": comment,
        "executors": list(executors),
        "acknowledgers": list(acknowledgers),
    }
