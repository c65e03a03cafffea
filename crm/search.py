"""Finding a company in the list: by name (quotes, «», ё/е, case and spacing do not count), INN,
phone, email or a contact person's name; an exact INN or name comes first.

Every condition is a LIKE on a normalised column with a trigram GIN index on that very column
(``name_key``, ``contact_keys``) or an INN prefix on a ``varchar_pattern_ops`` index, so a search
over 100,000 companies reads only the matching rows. The search is one function registered with
``crm.registry``: a full-text search can replace it without touching the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from crm.models import name_key

# legal forms an exact-name match may omit: «Ромашка» is exactly «ООО «Ромашка»»
LEGAL_FORMS = ("ооо", "ао", "пао", "зао", "оао", "ип", "нко", "ано", "гуп", "муп", "фгуп", "тсж")
_INN = re.compile(r"^\d{10}$|^\d{12}$")
_PHONE_CHARS = re.compile(r"^[\d\s()+\-.]+$")


def phone_key(phone: str) -> str:
    """Digits only; a Russian number written with a leading 8 is stored with 7."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    return digits


def contact_keys(*, phone: str = "", email: str = "", contacts: Iterable = ()) -> str:
    """The ``contact_keys`` column: the company's phone and email and every contact person's
    name, phones and emails, normalised the way the search normalises its query."""
    keys = [phone_key(phone) if phone else "", email.lower()]
    for contact in contacts:
        keys.append(name_key(contact.name))
        keys.extend(phone_key(p) for p in contact.phones)
        keys.extend(e.lower() for e in contact.emails)
    return " ".join(k for k in keys if k)


@dataclass(frozen=True)
class Query:
    text: str  # as typed, spacing collapsed
    key: str  # normalised like name_key
    digits: str  # the digits when the query is a number (INN, phone), else ""
    email: str  # lower-cased when the query looks like an address, else ""

    @property
    def is_inn(self) -> bool:
        return bool(_INN.match(self.digits))


def parse(text: str) -> Query:
    text = " ".join(text.split())
    digits = phone_key(text) if _PHONE_CHARS.match(text or "x") else ""
    email = text.lower() if "@" in text and " " not in text else ""
    return Query(text=text, key=name_key(text), digits=digits, email=email)


def trigram_search(qs: QuerySet, text: str) -> QuerySet:
    """``qs`` narrowed to the companies matching ``text``, annotated with ``search_rank``
    (0 exact INN, 1 exact name, 2 name starting with the query, 3 the rest)."""
    query = parse(text)
    if not query.key and not query.digits and not query.email:
        # only quotes and punctuation («», "", —): nothing to look for, the whole list (ranked
        # alike, since the list orders a search by its rank first)
        return qs.annotate(search_rank=Value(3, output_field=IntegerField()))
    condition = Q()
    # a number is one word (a phone typed with spaces is still one number); words shorter than
    # three letters are left out when longer ones exist, since a trigram index cannot use them
    words = [query.digits] if query.digits else query.key.split()
    words = [w for w in words if len(w) >= 3] or words
    if words:
        every_word = Q()
        for word in words:
            every_word &= Q(name_key__contains=word) | Q(contact_keys__contains=word)
        condition |= every_word
    if query.digits:
        condition |= Q(inn__startswith=query.digits)
        if len(query.digits) >= 5:
            condition |= Q(contact_keys__contains=query.digits)
    if query.email:
        condition |= Q(contact_keys__contains=query.email)
    exact_name = Q(name_key=query.key) if query.key else Q(pk__in=[])
    if query.key:
        core = query.key
        exact_name |= Q(name_key__in=[f"{form} {core}" for form in LEGAL_FORMS])
    rank = Case(
        When(Q(inn=query.digits) if query.is_inn else Q(pk__in=[]), then=Value(0)),
        When(exact_name, then=Value(1)),
        When(
            Q(name_key__startswith=query.key) if query.key else Q(pk__in=[]),
            then=Value(2),
        ),
        default=Value(3),
        output_field=IntegerField(),
    )
    return qs.filter(condition).annotate(search_rank=rank)
