"""«Напомнить мне…» on any document, from its card: a letter, a contract, a memo. Only someone
who may open the document gets the form; the reminder comes back as a notification linking to
the card."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from contracts.testing import new_contract, theatre
from correspondence.testing import build_world, register
from tests.memo_world import memo_world, write
from workflow.jobs import timers_sweep
from workflow.models import Notification, Timer


def _moment(hours: int) -> str:
    return (timezone.localtime() + dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def test_a_reminder_about_an_incoming_letter(client, org):
    w = build_world(org)
    letter = register(
        w["office"], entity=w["entity"], counterparty=w["tenant"], subject="О ремонте кровли"
    )
    card = letter.get_absolute_url()
    client.force_login(w["office"])
    html = client.get(card).content.decode()
    url = f"/control/remind/correspondence.incoming/{letter.pk}/"
    assert f'href="{url}"' in html
    # a moment in the past: a Russian message, the note kept
    response = client.post(url, {"remind_at": _moment(-1), "note": "позвонить в МЧС"})
    page = response.content.decode()
    assert "Укажите момент в будущем." in page and 'value="позвонить в МЧС"' in page
    assert not Timer.objects.filter(kind="control.follow_up").exists()

    response = client.post(url, {"remind_at": _moment(3), "note": "позвонить в МЧС"})
    assert response.status_code == 302 and response["Location"] == card
    timer = Timer.objects.get(kind="control.follow_up")
    assert timer.subject == letter
    with time_machine.travel(timezone.now() + dt.timedelta(hours=4)):
        assert timers_sweep() == 1
    note = Notification.objects.get(recipient=w["office"], text__contains="позвонить в МЧС")
    assert note.url == card and "О ремонте кровли" in note.text


def test_only_people_who_see_the_document_may_set_one(client, org):
    w = build_world(org)
    letter = register(w["office"], entity=w["entity"], counterparty=w["tenant"])
    url = f"/control/remind/correspondence.incoming/{letter.pk}/"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(w["outsider"])  # another department
    assert client.get(url).status_code == 404
    assert client.post(url, {"remind_at": _moment(2)}).status_code == 404
    assert client.get(f"/control/remind/no.such/{letter.pk}/").status_code == 404
    assert not Timer.objects.filter(kind="control.follow_up").exists()


@pytest.mark.parametrize("kind", ["contract", "memo"])
def test_contract_and_memo_cards_offer_it(client, db, kind):
    if kind == "contract":
        from tests.factories import small_org

        t = theatre(small_org())
        document, user, code = new_contract(t), t["seller"], "contracts.contract"
    else:
        world = memo_world()
        document, user, code = write(world), world["clerk"], "memos.memo"
    client.force_login(user)
    url = f"/control/remind/{code}/{document.pk}/"
    assert f'href="{url}"' in client.get(document.get_absolute_url()).content.decode()
    response = client.post(url, {"remind_at": _moment(5)})
    assert response.status_code == 302
    assert Timer.objects.get(kind="control.follow_up").subject == document
