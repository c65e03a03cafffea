"""Full-text search: Russian morphology, ё/е, exact numbers first, punctuation, trigram
fallback, visibility per document type, the index kept in the write's transaction."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils.html import strip_tags

from correspondence.testing import build_world, register
from search.models import SearchEntry
from search.query import Filters, search
from tests.factories import CounterpartyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    return build_world(org)


def _titles(groups, kind=None):
    return [hit.title for g in groups if kind in (None, g.kind) for hit in g.hits]


def _ids(groups, kind):
    return [hit.object_id for g in groups if g.kind == kind for hit in g.hits]


def test_a_registered_letter_is_indexed_in_the_same_transaction(world):
    """GIVEN a registered letter WHEN nothing else runs THEN its entry exists with its number."""
    letter = register(world["office"], entity=world["entity"], counterparty=world["tenant"])
    entry = SearchEntry.objects.get(kind="incoming", object_id=letter.pk)
    assert letter.reg_number.lower() in entry.codes
    assert entry.counterparty_id == world["tenant"].pk


def test_morphology_finds_other_forms(world):
    """«договора» finds «договор», «письмом» finds «письмо»."""
    a = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        subject="Проект договор аренды",
        summary="Направляем письмо о продлении",
    )
    gendir = world["gendir"]
    assert _ids(search(gendir, "договора"), "incoming") == [a.pk]
    assert _ids(search(gendir, "письмом"), "incoming") == [a.pk]
    assert _ids(search(gendir, "кондиционер"), "incoming") == []


def test_yo_equals_ye_on_both_sides(world):
    elkina = CounterpartyFactory(name="ИП Ёлкина Мария")
    register(world["office"], entity=world["entity"], counterparty=elkina, subject="Счёт за свет")
    gendir = world["gendir"]
    assert _ids(search(gendir, "Елкина"), "company") == [elkina.pk]
    assert _ids(search(gendir, "ёлкина"), "company") == [elkina.pk]
    assert len(_ids(search(gendir, "счет"), "incoming")) == 1


def test_exact_number_ranks_first(world):
    first = register(world["office"], entity=world["entity"], counterparty=world["tenant"])
    others = [
        register(
            world["office"],
            entity=world["entity"],
            counterparty=world["tenant"],
            summary=f"Ссылка на письмо {first.reg_number} и ещё раз {first.reg_number}",
        )
        for _ in range(2)
    ]
    groups = search(world["gendir"], first.reg_number)
    ids = _ids(groups, "incoming")
    assert ids[0] == first.pk
    assert set(ids[1:]) == {o.pk for o in others}
    assert groups[0].hits[0].exact is True


def test_punctuation_never_breaks_a_query(world):
    company = CounterpartyFactory(
        name="ООО «Жилкомсервис-2»", inn="7801234567", phone="+7 (812) 555-12-34"
    )
    for query in (
        "ООО Жилкомсервис-2",
        "Жилкомсервис 2",
        "«Жилкомсервис-2»",
        '"Жилкомсервис"',
        "Жилкомсервис/2 & | ! ( ) : * ' \\",
        "7801234567",
        "8 812 555 12 34",
        "-Жилкомсервис",
    ):
        assert _ids(search(world["gendir"], query), "company") == [company.pk], query
    for query in ("&|!():*", "«»", "''", "/ - /"):
        assert search(world["gendir"], query) == []


def test_misspelt_name_found_by_trigrams(world):
    company = CounterpartyFactory(name="ООО «Жилкомсервис-2»")
    assert _ids(search(world["gendir"], "Жилкомсервс"), "company") == [company.pk]


def test_another_department_sees_no_hit_no_count_no_fragment(world):
    """GIVEN a letter only the sales side sees WHEN the lawyer's subordinate searches THEN no
    group for it, nothing counted; the registrar finds it with a fragment."""
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        subject="Секретная претензия",
        summary="Неустойка по договору хранения",
    )
    assert _ids(search(world["outsider"], "неустойка"), "incoming") == []
    assert [g for g in search(world["outsider"], "неустойка") if g.kind == "incoming"] == []
    groups = search(world["office"], "неустойка")
    (group,) = [g for g in groups if g.kind == "incoming"]
    assert group.count == 1 and group.hits[0].object_id == letter.pk
    assert "<mark>Неустойк" in group.hits[0].fragment


def test_fragments_are_escaped(world):
    register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        subject="<script>alert(1)</script> акт",
        summary="<img src=x onerror=alert(1)> акт сверки",
    )
    (group,) = [g for g in search(world["gendir"], "акт") if g.kind == "incoming"]
    hit = group.hits[0]
    assert "<script>" not in hit.title and "&lt;script&gt;" in hit.title
    assert "<img" not in hit.fragment and "<mark>" in hit.fragment


def test_filters_narrow_the_hits(world):
    a = register(
        world["office"], entity=world["entity"], counterparty=world["tenant"], subject="Акт осмотра"
    )
    register(
        world["office"],
        entity=world["entity"],
        counterparty=world["contractor"],
        subject="Акт осмотра",
    )
    groups = search(
        world["gendir"], "акт", Filters(counterparty_id=world["tenant"].pk, kinds=["incoming"])
    )
    assert _ids(groups, "incoming") == [a.pk]


def test_renaming_a_counterparty_refreshes_its_documents(world):
    letter = register(world["office"], entity=world["entity"], counterparty=world["tenant"])
    world["tenant"].name = "ООО «Южный бриз»"
    world["tenant"].save()
    assert _ids(search(world["gendir"], "бриз"), "incoming") == [letter.pk]


def test_rebuild_command_indexes_existing_data(world):
    from django.core.management import call_command

    letter = register(world["office"], entity=world["entity"], counterparty=world["tenant"])
    SearchEntry.objects.all().delete()
    call_command("rebuild_search_index")
    assert SearchEntry.objects.filter(kind="incoming", object_id=letter.pk).exists()
    assert SearchEntry.objects.filter(kind="company", object_id=world["tenant"].pk).exists()


def test_the_crm_import_indexes_what_it_creates_and_updates(org, client, settings, tmp_path):
    """GIVEN a CSV of companies WHEN imported (COPY, no save()) THEN each company is found by
    name without quotes, by its contact's name with ё as е, by INN and by phone digits; an
    update of the name by a second import is found too."""
    from tests.integration.test_crm_import import HEADER, ROWS, csv_bytes, run_wizard

    settings.MEDIA_ROOT = tmp_path
    client.force_login(org["seller"])
    run_wizard(client, "a.csv", csv_bytes([HEADER, *ROWS]))
    user = org["seller"]
    for query, name in (
        ("Теплосеть", "ООО «Теплосеть»"),
        ("семина", "ТСЖ «Южное»"),
        ("7801000003", "УК «Дом-Сервис»"),
        ("8 (812) 000-00-02", "ТСЖ «Южное»"),
        ("Дом Сервис", "УК «Дом-Сервис»"),
    ):
        hits = [
            strip_tags(h.title) for g in search(user, query) if g.kind == "company" for h in g.hits
        ]
        assert hits[:1] == [name], query
    renamed = [HEADER, ["ООО «Теплосеть Север»", "7801000001", "", "", ""]]
    run_wizard(client, "b.csv", csv_bytes(renamed), mode="update")
    hits = [
        strip_tags(h.title) for g in search(user, "север") if g.kind == "company" for h in g.hits
    ]
    assert hits == ["ООО «Теплосеть Север»"]


def test_a_viewer_who_sees_a_part_gets_only_that_part_counted(world):
    """GIVEN two letters with the same word, one with the seller responsible WHEN the seller
    searches THEN one hit, counted once; the general director finds both."""
    mine = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        subject="Протечка кровли",
        responsible=world["seller"],
    )
    register(
        world["office"], entity=world["entity"], counterparty=world["tenant"], subject="Кровля"
    )
    (group,) = [g for g in search(world["seller"], "кровля") if g.kind == "incoming"]
    assert group.count == 1 and [h.object_id for h in group.hits] == [mine.pk]
    (group,) = [g for g in search(world["gendir"], "кровля") if g.kind == "incoming"]
    assert group.count == 2


def test_a_stale_access_token_never_shows_a_hit(world):
    """The viewer's access tokens only pick candidates; the exact rule (the access table) still
    decides. GIVEN an entry that wrongly carries the outsider's token (as a bulk write that
    bypassed the triggers could leave it) WHEN the outsider searches THEN no hit and no count."""
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        subject="Претензия по неустойке",
    )
    outsider = world["outsider"]
    entry = SearchEntry.objects.filter(kind="incoming", object_id=letter.pk)
    with connection.cursor() as cursor:
        # the entries' trigger recomputes the tokens on every write: set one behind its back
        cursor.execute("SET session_replication_role = replica")
        try:
            entry.update(access=[*entry.get().access, f"u{outsider.pk}"])
        finally:
            cursor.execute("SET session_replication_role = origin")
    assert f"u{outsider.pk}" in entry.get().access
    assert [g for g in search(outsider, "неустойка") if g.kind == "incoming"] == []
    (group,) = [g for g in search(world["office"], "неустойка") if g.kind == "incoming"]
    assert group.count == 1


def test_a_page_past_the_end_still_says_how_many(world):
    letters = [
        register(world["office"], entity=world["entity"], counterparty=world["tenant"])
        for _ in range(2)
    ]
    groups = search(
        world["gendir"], "пожарной", Filters(kinds=["incoming"]), per_kind=20, offset=20
    )
    (group,) = groups
    assert group.count == len(letters) and group.hits == []


def _entries() -> dict:
    fields = [f.name for f in SearchEntry._meta.fields if f.name not in ("id", "updated_at")]
    rows = SearchEntry.objects.values(*fields)
    return {(row["kind"], row["object_id"]): row for row in rows}


def test_the_rebuild_gives_the_entries_the_writes_gave(world):
    """GIVEN entries written by the writes themselves (letters, companies) WHEN the index is
    rebuilt after losing one entry and keeping one of a deleted object THEN every entry equals
    the one the writes gave, and the stale one is gone."""
    from django.core.management import call_command

    register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        subject="Акт «сверки» №5 — ёмкость",
        summary="Просим подписать акт сверки",
        sender_number="12/34-А",
    )
    register(world["office"], entity=world["entity"], counterparty=world["government"])
    written = _entries()
    assert {kind for kind, _pk in written} >= {"incoming", "company"}
    SearchEntry.objects.filter(kind="incoming").first().delete()
    stale = SearchEntry.objects.filter(kind="company").first()
    stale.pk, stale.object_id = None, 10**9
    stale.save()
    call_command("rebuild_search_index")
    assert _entries() == written
