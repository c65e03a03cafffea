"""Admin input never breaks pages: hostile values saved through the admin change forms of every
configuration model are refused with a Russian message, or saved values keep every flow that
uses them working (no 500): registration of letters, outgoing approval, contract creation and
submission, the mailbox, CRM settings."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import ApprovalRule, ContractType
from contracts.testing import new_contract, theatre
from correspondence.models import OutgoingApprovalSettings, RegistrationJournal, RouteRule
from correspondence.testing import build_world, control_in, pdf_upload
from crm.models import CounterpartyCategory
from tests.helpers import admin_form_data
from workflow.models import Department

pytestmark = pytest.mark.django_db

HUGE = "32767"
LONG = "Я" * 5000


@pytest.fixture
def world(org, django_user_model):
    world = build_world(org)
    world.update(theatre(org))
    world["root"] = django_user_model.objects.create_superuser("root", password="x-123456789")
    return world


def _change(client, model, obj, **overrides):
    """Post the change form of ``obj`` with ``overrides``; returns (response, refused errors)."""
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, admin_form_data(page, **overrides))
    return response, _errors(response)


def _add(client, model, **overrides):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, admin_form_data(page, **overrides))
    return response, _errors(response)


def _errors(response) -> str:
    """The refusal's messages, or "" when saved. A refusal must be Russian and never name a
    database constraint."""
    if response.status_code == 302:
        return ""
    assert response.status_code == 200
    page = response.content.decode()
    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", f) for f in found)
    assert text.strip(), "the form was refused without a message"
    assert re.search("[а-яА-Я]", text), text
    assert "_" not in text.replace("__", ""), f"a raw name in {text!r}"
    return text


def _register_incoming(client, world, counterparty):
    client.force_login(world["office"])
    response = client.post(
        reverse("correspondence:incoming-register"),
        {
            "legal_entity": world["entity"].pk,
            "counterparty": counterparty.pk,
            "subject": "Проверка после настройки",
            "received_on": timezone.localdate().isoformat(),
            "control_date": control_in(5).isoformat(),
            "files": [pdf_upload()],
        },
    )
    assert response.status_code in (200, 302)
    client.get(reverse("correspondence:counterparty-pick"), {"id": counterparty.pk})
    client.get(reverse("correspondence:incoming-register"))
    return response


def _submit_outgoing(client, world):
    from correspondence.services.outgoing import outgoing_create

    letter = outgoing_create(
        user=world["seller"],
        legal_entity=world["entity"],
        counterparty=world["tenant"],
        subject="Проверка",
        text="Текст",
    )
    client.force_login(world["seller"])
    response = client.post(reverse("correspondence:outgoing-submit", args=[letter.pk]))
    assert response.status_code == 302
    assert client.get(letter.get_absolute_url()).status_code == 200


def _contract_flow(client, world, contract_type):
    client.force_login(world["seller"])
    page = client.get(reverse("contracts:contract-create"), {"type": contract_type.pk})
    assert page.status_code == 200
    contract = new_contract(world, contract_type=contract_type, fund=None)
    response = client.post(reverse("contracts:contract-submit", args=[contract.pk]))
    assert response.status_code in (200, 302)
    assert client.get(contract.get_absolute_url()).status_code == 200
    assert client.get(reverse("contracts:kanban")).status_code == 200


@pytest.mark.parametrize(
    "overrides",
    [
        {"number_format": "{seq}" + "Ж" * 95},
        {"sequence_width": HUGE},
        {"number_format": "{seq:>99999}"},
        {"number_format": "{seq.__class__}"},
        {"number_format": "{seq}{"},
        {"index": LONG},
    ],
)
def test_a_hostile_journal_is_refused_or_numbers_letters(client, world, overrides):
    journal = RegistrationJournal.objects.filter(direction="incoming", is_active=True).first()
    client.force_login(world["root"])
    _change(client, RegistrationJournal, journal, **overrides)
    _register_incoming(client, world, world["government"])


@pytest.mark.parametrize(
    "overrides",
    [
        {"reminder_working_days": HUGE},
        {"control_working_days": HUGE},
        {"control_working_days": "0"},
        {"name": LONG},
    ],
)
def test_a_hostile_route_rule_is_refused_or_routes_letters(client, world, overrides):
    rule = RouteRule.objects.get(category=CounterpartyCategory.GOVERNMENT)
    client.force_login(world["root"])
    _change(client, RouteRule, rule, **overrides)
    _register_incoming(client, world, world["government"])


@pytest.mark.parametrize(
    "overrides",
    [
        {"depth": HUGE},
        {"approval_working_days": HUGE},
        {"reminder_working_days": HUGE},
        {"reaction_check_working_days": HUGE},
        {"counterparty_number_working_days": HUGE},
    ],
)
def test_hostile_outgoing_settings_are_refused_or_letters_go_to_approval(client, world, overrides):
    settings_row, _created = OutgoingApprovalSettings.objects.get_or_create(
        legal_entity=world["entity"]
    )
    client.force_login(world["root"])
    _change(client, OutgoingApprovalSettings, settings_row, **overrides)
    _submit_outgoing(client, world)


@pytest.mark.parametrize(
    "overrides",
    [
        {"document_type": "correspondence.outgoing", "participant_cap": "0"},
        {"document_type": "correspondence.outgoing", "revision_working_days": HUGE},
        {"document_type": "contracts.contract", "participant_cap": "0"},
    ],
)
def test_hostile_route_settings_are_refused_or_documents_still_route(client, world, overrides):
    from workflow.models import RouteSettings

    client.force_login(world["root"])
    _add(client, RouteSettings, **overrides)
    _submit_outgoing(client, world)
    _contract_flow(client, world, world["income"])


@pytest.mark.parametrize(
    "template",
    ["{type} № {nonexistent}", "{", "{number:>99999}", "{number.__class__}", "Д" * 255],
)
def test_a_hostile_name_template_is_refused_or_contracts_are_created(client, world, template):
    client.force_login(world["root"])
    contract_type = ContractType.objects.get(pk=world["income"].pk)
    _change(client, ContractType, contract_type, name_template=template)
    _contract_flow(client, world, world["income"])


@pytest.mark.parametrize(
    "overrides",
    [
        {"approver_kind": "user", "approver_user": ""},
        {"approver_kind": "role", "approver_role": ""},
        {"amount_min": "1000", "amount_max": "10"},
        {"deadline_days": HUGE},
        {"group": HUGE},
        {"amount_min": "-99999999999999"},
    ],
)
def test_a_hostile_approval_rule_is_refused_or_contracts_are_submitted(client, world, overrides):
    client.force_login(world["root"])
    base = {
        "name": "Проверка",
        "contract_type": str(world["income"].pk),
        "approver_kind": "user",
        "approver_user": str(world["lawyer"].pk),
        "group": "1",
        "deadline_days": "2",
        "is_active": "on",
    }
    _add(client, ApprovalRule, **{**base, **overrides})
    _contract_flow(client, world, world["income"])


def test_a_department_inside_itself_is_refused_in_russian(client, world):
    department = Department.objects.exclude(parent=None).first()
    client.force_login(world["root"])
    response, errors = _change(client, Department, department, parent=str(department.pk))
    assert errors


@pytest.mark.parametrize("port", ["0", "70000", "-1"])
def test_a_mailbox_with_a_bad_port_is_refused_in_russian(client, world, port):
    from intake.models import Mailbox

    client.force_login(world["root"])
    response, errors = _add(
        client,
        Mailbox,
        name="Канцелярия",
        host="imap.example.ru",
        port=port,
        username="office",
        password="secret",
    )
    assert errors
    assert not Mailbox.objects.exists()


def _hostile(form) -> dict:
    """Every text field too long or formula-like, every number far too big, every date
    impossible: what a careless or hostile administrator could type."""
    from django import forms as f

    values = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if isinstance(field, f.BooleanField | f.ModelChoiceField | f.ChoiceField | f.FileField):
            continue
        if isinstance(field, f.IntegerField | f.DecimalField | f.FloatField):
            values[key] = "99999999999999999999"
        elif isinstance(field, f.DateField | f.DateTimeField | f.TimeField):
            values[key] = "31.02.2026"
        elif isinstance(field, f.CharField):
            values[key] = '=HYPERLINK("x")<script>{' + LONG
    return values


def test_every_admin_add_form_refuses_hostile_values_in_russian(client, world):
    """GIVEN every model the administrator may add WHEN its add form is posted with text too
    long, numbers too big and impossible dates THEN each answers with a Russian refusal (never
    a 500), and the flows of letters and contracts still work."""
    from django.contrib import admin

    client.force_login(world["root"])
    checked = []
    for model in list(admin.site._registry):
        opts = model._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        except Exception:  # noqa: BLE001 (an admin without an add page)
            continue
        page = client.get(url)
        if page.status_code != 200 or "adminform" not in (page.context or {}):
            continue
        hostile = _hostile(page.context["adminform"].form)
        if not hostile:
            continue
        response = client.post(url, admin_form_data(page, **hostile))
        assert response.status_code in (200, 302), opts.label
        if response.status_code == 200:
            _errors(response)
        checked.append(opts.label)
    assert {"contracts.ContractType", "correspondence.RegistrationJournal"} <= set(checked)
    _register_incoming(client, world, world["government"])
    _submit_outgoing(client, world)
    _contract_flow(client, world, world["income"])
