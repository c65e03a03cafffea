"""Every URL of the product that names an object by id, tried by an employee of another
department (404: we don't even confirm the object exists) and by an anonymous visitor (sent to
log in). The list of URLs comes from the URL configuration itself: a new URL with an id fails
here until it has an object below in OBJECTS, and then it is checked like the others.

One demo organisation (plus a company import, a weekly call list and a calendar feed) is built
once for the module and rolled back at the end; each test runs in a savepoint inside it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.factories import DepartmentFactory, employee


@dataclass(frozen=True)
class Route:
    name: str  # namespace:name
    route: str  # the pattern, for messages
    params: tuple[str, ...]


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            route = prefix + str(entry.pattern)
            params = tuple(re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route))
            names = tuple(a or b for a, b in params)
            if names:
                yield Route(f"{namespace}{entry.name}", route, names)


ROUTES = sorted(set(_walk(get_resolver().url_patterns)), key=lambda r: r.name)
ADMIN_ROUTES = [r for r in ROUTES if r.name.startswith("admin:")]
APP_ROUTES = [r for r in ROUTES if not r.name.startswith("admin:")]

# URLs with an id that every employee may open, each with the reason. Keep this short: anything
# added here is visible across departments.
PUBLIC_TO_EVERY_EMPLOYEE = {
    # the company base (counterparties) is shared by design: crm/rules.py «crm.view_company»;
    # work on a company is refused by the CRM services with a message
    "crm:company-detail": "the shared company base",
    "crm:company-take": "the shared company base; taking it is refused to non-managers",
    "crm:company-communication": "the shared company base; logging is refused to outsiders",
    "crm:company-communications": "the shared company base: its communications log",
    # the dossier of a shared company or project lists only the documents the viewer may open
    # (empty for a stranger); its export is refused when nothing is visible
    "search:dossier-counterparty": "the shared company base; only visible documents listed",
    "search:dossier-counterparty-export": "refused with a message when nothing is visible",
    "search:dossier-project": "projects are shared names; only visible documents listed",
    "search:dossier-project-export": "refused with a message when nothing is visible",
    # the secret token in the URL is the credential calendar apps use without a session
    "crm:calendar-feed": "the token is the credential",
}


def _first(queryset, what: str):
    found = queryset.first()
    assert found is not None, f"the test data has no {what}: build one in world()"
    return found


def _build(tmp_media) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from argo_docs.demo import load_demo
    from contracts.models import Contract
    from correspondence.models import IncomingLetter, LetterFile, OutgoingLetter
    from crm.models import CallAssignment, CallList, ContactPerson, EventKind
    from crm.services.calendar import event_create, feed_token_for
    from crm.services.distribution import distribution_run
    from crm.services.importing import import_upload
    from intake.models import IntakeItem
    from memos.models import Memo
    from storage.models import FolderEntry
    from workflow.models import LegalEntity, Notification, Task, TaskStatus

    load_demo()
    users = {u.username: u for u in get_user_model().objects.all()}
    # an employee of a department of their own with no role: the stranger of every test
    security = DepartmentFactory(
        legal_entity=LegalEntity.objects.order_by("pk").first(), name="Служба безопасности"
    )
    outsider = employee("outsider", security)
    manager = users["manager1"]
    company_import = import_upload(
        user=manager,
        uploaded_file=SimpleUploadedFile(
            "companies.csv", "Название;ИНН\nООО «Пример»;7701234567\n".encode()
        ),
    )
    distribution_run()
    contact = _first(
        ContactPerson.objects.filter(company__responsible=manager).order_by("pk"),
        "contact person of a company of manager1",
    )
    event = event_create(
        owner=manager,
        title="Планёрка",
        kind=EventKind.MEETING,
        starts_at=timezone.now() + dt.timedelta(days=1),
        manual=True,
    )
    call_list = _first(CallList.objects.filter(manager=manager), "call list of manager1")
    assignment = _first(CallAssignment.objects.filter(call_list=call_list), "call assignment")
    incoming = _first(IncomingLetter.objects.order_by("pk"), "incoming letter")
    outgoing = _first(OutgoingLetter.objects.order_by("pk"), "outgoing letter")
    contract_type = ContentType.objects.get_for_model(Contract)
    contract_task = _first(
        Task.objects.filter(content_type=contract_type, status=TaskStatus.OPEN).order_by("pk"),
        "open task on a contract",
    )
    contract = Contract.objects.get(pk=contract_task.object_id)
    task = _first(Task.objects.filter(content_type__isnull=True).order_by("pk"), "instruction")
    notification = _first(Notification.objects.order_by("pk"), "notification")
    letter_file = _first(
        LetterFile.objects.filter(incoming__isnull=False).select_related("stored_file"),
        "file of an incoming letter",
    )
    entry = _first(FolderEntry.objects.select_related("folder"), "filed file")
    memo = _first(Memo.objects.order_by("pk"), "memo")
    mail_item = _first(IntakeItem.objects.order_by("pk"), "message in «Входящая почта»")
    gendir = users["gendir"]  # sees all correspondence: the owner for the folder check
    from correspondence.models import Project
    from search.dossier_export import dossier_export_request

    project = _first(Project.objects.order_by("pk"), "project")
    export = dossier_export_request(user=gendir, code="counterparty", pk=incoming.counterparty_id)
    return {
        "outsider": outsider,
        # URL name -> (kwargs, the user who may open it)
        "objects": {
            "workflow:task-detail": ({"pk": task.pk}, task.assignee),
            "workflow:task-snooze": ({"pk": task.pk}, task.assignee),
            "control:follow-up": ({"task_pk": task.pk}, task.assignee),
            "workflow:notification-open": ({"pk": notification.pk}, notification.recipient),
            "control:follow-up-document": (
                {"code": "correspondence.incoming", "pk": incoming.pk},
                incoming.registered_by,
            ),
            "correspondence:incoming-detail": ({"pk": incoming.pk}, incoming.registered_by),
            "correspondence:incoming-comment": ({"pk": incoming.pk}, incoming.registered_by),
            "correspondence:thread-detail": ({"pk": incoming.thread_id}, incoming.registered_by),
            "correspondence:outgoing-detail": ({"pk": outgoing.pk}, outgoing.author),
            "correspondence:outgoing-edit": ({"pk": outgoing.pk}, outgoing.author),
            "correspondence:outgoing-submit": ({"pk": outgoing.pk}, outgoing.author),
            "correspondence:outgoing-withdraw": ({"pk": outgoing.pk}, outgoing.author),
            "correspondence:outgoing-send": ({"pk": outgoing.pk}, gendir),
            "correspondence:outgoing-email-retry": ({"pk": outgoing.pk}, outgoing.author),
            "correspondence:mail-item": ({"pk": mail_item.pk}, users["office"]),
            "correspondence:mail-item-dismiss": ({"pk": mail_item.pk}, users["office"]),
            "correspondence:mail-item-restore": ({"pk": mail_item.pk}, users["office"]),
            "contracts:contract-detail": ({"pk": contract.pk}, contract.initiator),
            "contracts:contract-edit": ({"pk": contract.pk}, contract.initiator),
            "contracts:contract-submit": ({"pk": contract.pk}, contract.initiator),
            "contracts:contract-withdraw": ({"pk": contract.pk}, contract.initiator),
            "contracts:files-add": ({"pk": contract.pk}, contract.initiator),
            "contracts:comment-add": ({"pk": contract.pk}, contract.initiator),
            "contracts:approval-sheet-pdf": ({"pk": contract.pk}, contract.initiator),
            "contracts:task-decide": (
                {"pk": contract.pk, "task_id": contract_task.pk},
                contract_task.assignee,
            ),
            "crm:company-detail": ({"pk": incoming.counterparty_id}, manager),
            "crm:company-take": ({"pk": incoming.counterparty_id}, manager),
            "crm:company-communication": ({"pk": incoming.counterparty_id}, manager),
            "crm:company-communications": ({"pk": incoming.counterparty_id}, manager),
            "crm:company-edit": ({"pk": contact.company_id}, manager),
            "crm:contact-new": ({"pk": contact.company_id}, manager),
            "crm:contact-edit": ({"pk": contact.company_id, "contact_id": contact.pk}, manager),
            "crm:contact-delete": ({"pk": contact.company_id, "contact_id": contact.pk}, manager),
            "crm:event-edit": ({"pk": event.pk}, manager),
            "crm:event-delete": ({"pk": event.pk}, manager),
            "crm:import-detail": ({"pk": company_import.pk}, manager),
            "crm:import-mapping": ({"pk": company_import.pk}, manager),
            "crm:import-sheet": ({"pk": company_import.pk}, manager),
            "crm:import-confirm": ({"pk": company_import.pk}, manager),
            "crm:import-back": ({"pk": company_import.pk}, manager),
            "crm:import-errors": ({"pk": company_import.pk}, manager),
            "crm:call-list": ({"pk": call_list.pk}, manager),
            "crm:call-done": (
                {"pk": call_list.pk, "assignment_id": assignment.pk},
                manager,
            ),
            "crm:calendar-feed": ({"token": feed_token_for(manager).token}, manager),
            "storage:download": (
                {"pk": letter_file.stored_file_id},
                letter_file.stored_file.uploaded_by,
            ),
            "storage:folder": ({"pk": entry.folder_id}, gendir),
            "memos:detail": ({"pk": memo.pk}, memo.author),
            "memos:edit": ({"pk": memo.pk}, memo.author),
            "memos:submit": ({"pk": memo.pk}, memo.author),
            "memos:withdraw": ({"pk": memo.pk}, memo.author),
            "search:dossier-counterparty": ({"pk": incoming.counterparty_id}, gendir),
            "search:dossier-counterparty-export": ({"pk": incoming.counterparty_id}, gendir),
            "search:dossier-project": ({"pk": project.pk}, gendir),
            "search:dossier-project-export": ({"pk": project.pk}, gendir),
            "search:dossier-thread": ({"pk": incoming.thread_id}, incoming.registered_by),
            "search:dossier-thread-export": ({"pk": incoming.thread_id}, incoming.registered_by),
            "search:export-detail": ({"pk": export.pk}, gendir),
            "search:export-download": ({"pk": export.pk}, gendir),
        },
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(DEBUG=True):  # the demo loads only in development
                data = _build(media)
            yield data
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _request(client, url):
    """GET, or POST when the view accepts only POST (405 on GET)."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    return response


def test_every_url_with_an_id_has_test_data(world):
    """GIVEN the URL configuration WHEN its URLs with an id are listed THEN each has an object
    in the test data: a new URL cannot slip past this matrix."""
    missing = [r.name + " " + r.route for r in APP_ROUTES if r.name not in world["objects"]]
    assert not missing, f"add these URLs to OBJECTS in world(): {missing}"
    assert len(APP_ROUTES) >= 25


@pytest.mark.parametrize("route", APP_ROUTES, ids=lambda r: r.name)
def test_another_department_gets_404_and_anonymous_must_log_in(client, world, route, db):
    """GIVEN an object of the demo organisation WHEN an employee of another department opens
    its URL (GET, or POST for actions) THEN the answer is 404, nothing about it; an anonymous
    visitor is sent to log in; the person it belongs to does reach it (so the 404 is not just a
    wrong id). URLs open to every employee by design are listed in PUBLIC_TO_EVERY_EMPLOYEE."""
    kwargs, owner = world["objects"][route.name]
    url = reverse(route.name, kwargs=kwargs)

    anonymous = _request(client, url)
    if route.name != "crm:calendar-feed":
        assert anonymous.status_code == 302, (url, anonymous.status_code)
        assert anonymous["Location"].startswith("/login/")

    client.force_login(world["outsider"])
    response = _request(client, url)
    if route.name in PUBLIC_TO_EVERY_EMPLOYEE:
        assert response.status_code in (200, 302, 400), (url, response.status_code)
    else:
        assert response.status_code == 404, (url, response.status_code)

    client.force_login(owner)
    allowed = _request(client, url)
    assert allowed.status_code not in (403, 404, 500), (url, owner, allowed.status_code)


def test_admin_urls_with_an_id_are_closed_to_employees(client, world):
    """GIVEN every admin URL with an object id WHEN an employee without staff rights opens it
    THEN they are sent to the admin login, whatever the id."""
    client.force_login(world["outsider"])
    checked = 0
    for route in ADMIN_ROUTES:
        kwargs = dict.fromkeys(route.params, "1")
        try:
            url = reverse(route.name, kwargs=kwargs)
        except Exception:  # noqa: BLE001 - a pattern that takes no such value (e.g. app_label)
            continue
        response = client.get(url)
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith(reverse("admin:login")), url
        checked += 1
    assert checked > 40
