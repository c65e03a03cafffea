"""How text is normalised for the index and for a query, the same way on both sides: lower case,
ё as е, every quote, «», hyphen, slash and other punctuation turned into a space. Numbers and
codes (``Вх-0004/БЦ/2026``, an INN, a phone) are also kept whole in a separate list that is
matched exactly."""

from __future__ import annotations

import re
from collections.abc import Iterable

_NOT_WORD = re.compile(r"[^\w@.]+|_+")
_SPACES = re.compile(r"\s+")
_DOTS = re.compile(r"(?<!\w)\.|\.(?!\w)")
_HAS_DIGIT = re.compile(r"\d")
_CODE_EDGES = re.compile(r"^[^\w]+|[^\w]+$")


def fold(text: str) -> str:
    """Lower case with ё as е."""
    return (text or "").lower().replace("ё", "е")


def clean(text: str) -> str:
    """Words only: what the full-text parser sees on both sides."""
    text = _NOT_WORD.sub(" ", fold(text))
    text = _DOTS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def digits(text: str) -> str:
    """The digits of a phone or number; a Russian 8 prefix is written as 7."""
    only = re.sub(r"\D", "", text or "")
    if len(only) == 11 and only[0] == "8":
        only = "7" + only[1:]
    return only


def code_key(text: str) -> str:
    """A number or code as it is matched exactly: folded, spaces removed, edge punctuation cut."""
    return _CODE_EDGES.sub("", fold(text).replace(" ", ""))


def codes(values: Iterable[str]) -> list[str]:
    """The exact keys of a document's numbers, INN, phones and emails: the folded code itself and
    its digits (for phones, at least five)."""
    keys: set[str] = set()
    for value in values:
        if not value:
            continue
        key = code_key(str(value))
        if key:
            keys.add(key)
        number = digits(str(value))
        if len(number) >= 5:
            keys.add(number)
    return sorted(keys)


def query_codes(query: str) -> list[str]:
    """The keys a query may match exactly: the whole query and each token when they hold a digit
    or @, and the query's digits when it looks like a phone or INN."""
    keys = set()
    whole = code_key(query)
    if whole and (_HAS_DIGIT.search(whole) or "@" in whole):
        keys.add(whole)
    for token in (query or "").split():
        if _HAS_DIGIT.search(token) or "@" in token:
            key = code_key(token)
            if key:
                keys.add(key)
    if re.fullmatch(r"[\d\s()+\-.]+", query or "x"):
        number = digits(query)
        if len(number) >= 5:
            keys.add(number)
    return sorted(keys)
