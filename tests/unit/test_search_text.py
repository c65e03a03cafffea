"""Normalisation shared by the index and the query (no database)."""

import pytest

from search.text import clean, code_key, codes, digits, query_codes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ООО «Жилкомсервис-2»", "ооо жилкомсервис 2"),
        ('"Ёлкина" / Мария', "елкина мария"),
        ("Вх-0004/БЦ/2026", "вх 0004 бц 2026"),
        ("a & b | !c (d) :* 'e'", "a b c d e"),
        ("info@lift.example.", "info@lift.example"),
        ("«»—/-", ""),
    ],
)
def test_clean_keeps_words_only(raw, expected):
    assert clean(raw) == expected


def test_codes_keep_numbers_whole_and_phone_digits():
    assert code_key(" Вх-0004/БЦ/2026. ") == "вх-0004/бц/2026"
    assert digits("8 (812) 555-12-34") == "78125551234"
    assert codes(["Вх-0004/БЦ/2026", "+7 (812) 555-12-34", "", "7801234567"]) == sorted(
        {"вх-0004/бц/2026", "00042026", "7(812)555-12-34", "78125551234", "7801234567"}
    )


def test_query_codes():
    assert "вх-0004/бц/2026" in query_codes("письмо Вх-0004/БЦ/2026")
    assert "78125551234" in query_codes("8 812 555 12 34")
    assert query_codes("договор аренды") == []
