"""An over-limit upload is refused by its declared size before the body is read: a Russian 413."""

import socket

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory


def test_the_limit_follows_the_upload_settings():
    """GIVEN the upload limits WHEN the request limit is derived THEN it admits every allowed
    file at its largest plus room for the form, and no more than 10 MB beyond that."""
    files = settings.ARGO_UPLOAD_MAX_MB * settings.ARGO_UPLOAD_MAX_FILES * 1024 * 1024
    assert files < settings.ARGO_REQUEST_MAX_BYTES <= files + 10 * 1024 * 1024


@pytest.mark.django_db
def test_an_over_limit_body_is_refused_without_reading_it(client):
    """GIVEN a signed-in registrar WHEN their browser announces a body one byte over the limit
    THEN the answer is a Russian 413 page, and the view never ran: the test client's input
    holds only a few bytes, so reading the announced body would have failed."""
    client.force_login(UserFactory())
    response = client.generic(
        "POST",
        reverse("correspondence:incoming-register"),
        b"x" * 10,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(settings.ARGO_REQUEST_MAX_BYTES + 1),
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "Слишком большой запрос" in html
    assert f"{settings.ARGO_UPLOAD_MAX_MB} МБ" in html


@pytest.mark.django_db
def test_a_body_within_the_limit_goes_through(client):
    """GIVEN a request within the limit WHEN posted THEN the view answers as usual."""
    client.force_login(UserFactory())
    response = client.post(reverse("language-set"), {"language": "ru", "next": "/tasks/"})
    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_real_server_answers_413_before_the_body_arrives(live_server):
    """GIVEN the running server WHEN a client announces an upload larger than every allowed
    file together and sends only the headers THEN the server answers 413 at once instead of
    waiting for the body."""
    host, port = live_server.thread.host, live_server.thread.port
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(
            (
                "POST /letters/incoming/new/ HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\n"
                "Content-Type: multipart/form-data; boundary=xyz\r\n"
                f"Content-Length: {settings.ARGO_REQUEST_MAX_BYTES + 1}\r\n"
                "\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
    assert head.startswith(b"HTTP/1.1 413"), head[:200]
