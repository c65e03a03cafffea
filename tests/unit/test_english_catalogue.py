"""The English catalogue is complete and compiled: no Russian string leaks into the English UI."""

import ast
import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$")


def _po_entries() -> list[dict]:
    """Every entry of django.po (blocks separated by blank lines) as {keyword: text, "fuzzy": bool},
    without the header and obsolete entries."""
    entries = []
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        entry: dict = {"fuzzy": False}
        current = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["fuzzy"] = "fuzzy" in line
            elif line.startswith("#"):
                continue
            elif match := KEYWORD.match(line):
                current = match.group(1)
                entry[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                entry[current] += ast.literal_eval(line)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def _translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def test_every_message_has_an_english_translation():
    entries = _po_entries()
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not all(_translations(e))]
    fuzzy = [e["msgid"] for e in entries if e["fuzzy"]]
    plurals_incomplete = [
        e["msgid"] for e in entries if "msgid_plural" in e and len(_translations(e)) != 2
    ]
    assert untranslated == [] and fuzzy == [] and plurals_incomplete == []


def test_compiled_catalogue_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in _po_entries():
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            forms = [
                compiled.npgettext(context, entry["msgid"], entry["msgid_plural"], n)
                if context
                else compiled.ngettext(entry["msgid"], entry["msgid_plural"], n)
                for n in (1, 2)
            ]
            ok = forms == [entry["msgstr[0]"], entry["msgstr[1]"]]
        elif context:
            ok = compiled.pgettext(context, entry["msgid"]) == entry["msgstr"]
        else:
            ok = compiled.gettext(entry["msgid"]) == entry["msgstr"]
        if not ok:
            stale.append(entry["msgid"])
    assert stale == [], "run: python manage.py compilemessages"


def test_every_plural_has_its_three_russian_forms():
    """Russian needs three plural forms (1 этап, 2 этапа, 5 этапов) where gettext's source strings
    give two: every plural message of the English catalogue has a Russian entry with all three."""
    russian = (LOCALE.parents[1] / "ru" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    ru_entries = {}
    for block in russian.split("\n\n"):
        forms = re.findall(r'^msgstr\[\d\] "(.+)"$', block, re.M)
        msgid = re.search(r'^msgid "(.+)"$', block, re.M)
        if msgid:
            ru_entries[ast.literal_eval(f'"{msgid.group(1)}"')] = forms
    plurals = [e["msgid"] for e in _po_entries() if "msgid_plural" in e]
    missing = [m for m in plurals if len(ru_entries.get(m, [])) != 3]
    assert plurals and missing == []


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    """A string added to the code or a template and never extracted would show in Russian to
    English users: extract the messages afresh in a scratch copy of the project and find no
    message the committed catalogue lacks."""
    import shutil
    import subprocess
    import sys

    root = LOCALE.parents[2]
    copy = tmp_path / "project"
    shutil.copytree(
        root,
        copy,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "*.pyc"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-location", "-v", "0"]
        + ["--ignore=tests", "--ignore=var", "--ignore=.venv"],
        cwd=copy,
        check=True,
    )
    fresh = (copy / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    committed = (LOCALE / "django.po").read_text(encoding="utf-8")
    pattern = re.compile(r'^msgid "(.+)"$', re.M)
    missing = sorted(set(pattern.findall(fresh)) - set(pattern.findall(committed)))
    assert missing == [], "run makemessages and translate these"
