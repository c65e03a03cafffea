"""The English catalogue is complete and compiled: no Russian string leaks into the English UI."""

import ast
import gettext
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"


def _po_entries() -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for every entry of django.po except the header."""
    entries: list[tuple[str, str, bool]] = []
    msgid: list[str] = []
    msgstr: list[str] = []
    target = None
    fuzzy = False

    def flush() -> None:
        if target is not None:
            entries.append(("".join(msgid), "".join(msgstr), fuzzy))

    for line in (LOCALE / "django.po").read_text(encoding="utf-8").splitlines():
        if line.startswith("#,"):
            flush()
            msgid, msgstr, target = [], [], None
            fuzzy = "fuzzy" in line
        elif line.startswith("msgid "):
            if target == "msgstr":
                flush()
                fuzzy = False
            msgid, msgstr, target = [ast.literal_eval(line[6:])], [], "msgid"
        elif line.startswith("msgstr "):
            msgstr, target = [ast.literal_eval(line[7:])], "msgstr"
        elif line.startswith('"') and target:
            (msgid if target == "msgid" else msgstr).append(ast.literal_eval(line))
    flush()
    return [e for e in entries if e[0]]


def test_every_message_has_an_english_translation():
    entries = _po_entries()
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr, _ in entries if not msgstr]
    fuzzy = [msgid for msgid, _, is_fuzzy in entries if is_fuzzy]
    assert untranslated == [] and fuzzy == []


def test_compiled_catalogue_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstr, _ in _po_entries() if compiled.gettext(msgid) != msgstr]
    assert stale == [], "run: django-admin compilemessages"
