"""Russian mail in its historic shapes becomes readable text, names and ids."""

import base64

import pytest

from intake.parsing import decode_bytes, header_text, normalize_message_id, parse_message
from intake.testing import legacy_letter, letter

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_modern_letter_with_cyrillic_subject_and_file_name():
    """GIVEN a UTF-8 message with an RFC 2047 subject and an RFC 2231 Cyrillic file name
    THEN subject, sender, text and the file name come out as written."""
    raw = letter(
        subject="Уведомление о проверке № 77-12/2026 от 30.11.2026",
        body="Просим предоставить документы.",
        sender="Пётр Иванов <Petr@Romashka.RU>",
        message_id="<abc-1@romashka.ru>",
        files=[("Предписание МЧС №5.pdf", PDF, "application/pdf")],
    )
    parsed = parse_message(raw)
    assert parsed.subject == "Уведомление о проверке № 77-12/2026 от 30.11.2026"
    assert parsed.sender_email == "petr@romashka.ru"
    assert parsed.sender_domain == "romashka.ru"
    assert parsed.sender_name == "Пётр Иванов"
    assert parsed.message_id == "abc-1@romashka.ru"
    assert parsed.body_text == "Просим предоставить документы."
    assert [(a.filename, a.data) for a in parsed.attachments] == [("Предписание МЧС №5.pdf", PDF)]
    assert parsed.sent_at is not None


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r"])
@pytest.mark.parametrize("declared", [True, False])
def test_eight_bit_cyrillic_body_declared_or_not(charset, declared):
    """GIVEN an 8-bit body in cp1251 or koi8-r, with or without a declared charset
    THEN the text is readable Russian."""
    body = "Уважаемые коллеги! Направляем акт сверки за ноябрь, просим подписать."
    raw = legacy_letter(subject="Акт сверки", body=body, charset=charset, declare_charset=declared)
    parsed = parse_message(raw)
    assert parsed.body_text == body
    assert parsed.subject == "Акт сверки"


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r"])
def test_raw_eight_bit_subject_is_guessed(charset):
    raw = legacy_letter(
        subject="Счёт на оплату за декабрь", body="текст", charset=charset, raw_subject=True
    )
    assert parse_message(raw).subject == "Счёт на оплату за декабрь"


@pytest.mark.parametrize("style", ["rfc2231", "rfc2047-in-quotes"])
def test_cyrillic_attachment_names_in_both_styles(style):
    raw = legacy_letter(
        subject="Договор",
        body="см. вложение",
        attachment=("Договор аренды № 15 (проект).pdf", PDF),
        attachment_name_style=style,
    )
    (attachment,) = parse_message(raw).attachments
    assert attachment.filename == "Договор аренды № 15 (проект).pdf"
    assert attachment.data == PDF


def test_html_only_letter_becomes_text_without_markup():
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>Добрый день!</p>"
        "<p>Просим <b>срочно</b> ответить &laquo;до пятницы&raquo;.</p>"
        "<script>alert(1)</script></body></html>"
    )
    parsed = parse_message(letter(subject="HTML", body="", html=html))
    assert parsed.body_from_html
    assert "Добрый день!" in parsed.body_text
    assert "Просим срочно ответить «до пятницы»." in parsed.body_text
    assert "<" not in parsed.body_text and "alert" not in parsed.body_text
    assert "color" not in parsed.body_text


def test_plain_alternative_is_preferred_to_html():
    parsed = parse_message(letter(subject="Alt", body="Простой текст", html="<p>Разметка</p>"))
    assert parsed.body_text == "Простой текст"
    assert not parsed.body_from_html


def test_inline_logo_of_an_html_signature_is_not_a_letter_file():
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "a@b.ru"
    message["Subject"] = "Логотип"
    message.set_content("текст")
    message.add_alternative('<p>текст</p><img src="cid:logo123@b.ru">', subtype="html")
    message.get_payload()[1].add_related(
        b"\x89PNG\r\n\x1a\n", maintype="image", subtype="png", cid="<logo123@b.ru>"
    )
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="акт.pdf")
    names = [a.filename for a in parse_message(message.as_bytes()).attachments]
    assert names == ["акт.pdf"]


def test_reply_headers_and_missing_message_id():
    raw = letter(subject="Re: ответ", in_reply_to="<our-42@argo.test>")
    parsed = parse_message(raw)
    assert parsed.in_reply_to == "our-42@argo.test"
    assert parsed.references == ["our-42@argo.test"]
    without_id = raw.replace(b"Message-ID:", b"X-Old-ID:")
    first, second = parse_message(without_id), parse_message(without_id)
    assert first.message_id == second.message_id  # stable: the content's hash
    assert first.message_id.endswith("@no-message-id.invalid")


def test_garbage_never_raises():
    parsed = parse_message(b"\xff\xfe\x00garbage without headers\r\n\r\n\x80\x81")
    assert parsed.message_id
    assert parsed.sender_email == ""


def test_helpers():
    assert normalize_message_id(" <A@B> ") == "A@B"
    assert normalize_message_id("A@B") == "A@B"
    assert decode_bytes("привет".encode("koi8_r")) == "привет"
    assert decode_bytes("привет".encode("cp1251")) == "привет"
    encoded = base64.b64encode("Тема".encode()).decode()
    assert header_text(f"=?utf-8?B?{encoded}?= письма") == "Тема письма"


def test_html_becomes_readable_plain_text():
    from intake.html_text import html_to_text

    html = (
        "<html><head><title>Заголовок окна</title><style>p{color:red}</style></head><body>"
        "<h2>Семинар</h2><p>Добрый&nbsp;день!</p><p>Просим <b>срочно</b> ответить.<br>Вторая"
        " строка</p><table><tr><td>Дата</td><td>01.12</td></tr><tr><td>Место</td><td>СПб</td>"
        "</tr></table><ul><li>раз</li><li>два</li></ul><a href='https://gosuslugi.ru/d'>скачать"
        "</a><script>alert(1)</script></body></html>"
    )
    assert html_to_text(html) == (
        "Семинар\n\nДобрый день!\n\nПросим срочно ответить.\nВторая строка\n\n"
        "Дата   01.12\nМесто   СПб\n\n• раз\n• два\n\nскачать (https://gosuslugi.ru/d)"
    )
