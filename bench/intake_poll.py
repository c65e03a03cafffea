"""Mail intake polling cost: messages per second from a real Dovecot into intake items.

Starts Dovecot (needs root and dovecot-imapd, as the tests do), appends N messages by IMAP
APPEND (half plain text, half with a PDF attachment and a Cyrillic name, a few cp1251), then
polls the mailbox in one process, as the worker does, and prints the rate; a second poll shows
the cost of finding nothing new. Usage: bench/intake_poll.py [N=500]. Asserts nothing.
"""

import sys
import tempfile
import time

from _setup import setup_database

total = int(sys.argv[1]) if len(sys.argv) > 1 else 500
teardown = setup_database()
try:
    from django.conf import settings

    from intake.models import IntakeAttachment, IntakeItem, Mailbox, Security
    from intake.polling import mailbox_poll
    from intake.services import mailbox_password_set
    from intake.testing import DovecotServer, legacy_letter, letter
    from storage.testing import pdf_bytes

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="argo-bench-media-")
    pdf = pdf_bytes("Bench letter")
    messages = []
    for n in range(total):
        if n % 10 == 9:
            messages.append(
                legacy_letter(subject=f"Акт сверки {n}", body="Просим подписать акт сверки.")
            )
        elif n % 2:
            messages.append(
                letter(
                    subject=f"Письмо № {n}/2026 о графике",
                    files=[(f"График {n}.pdf", pdf, "application/pdf")],
                )
            )
        else:
            messages.append(letter(subject=f"Уведомление {n}", body="Текст уведомления. " * 20))
    with DovecotServer() as server:
        server.add_user("bench@argo.test", "bench")
        started = time.perf_counter()
        server.append("bench@argo.test", messages)
        append_s = time.perf_counter() - started
        mailbox = Mailbox(
            name="bench",
            host="127.0.0.1",
            port=server.port,
            security=Security.NONE,
            username="bench@argo.test",
        )
        mailbox_password_set(mailbox=mailbox, password="bench")
        mailbox.save()
        started = time.perf_counter()
        polled = 0
        while True:  # a poll stops at its limits; the worker would go on a minute later
            result = mailbox_poll(mailbox_id=mailbox.pk, max_messages=total, time_budget=3600)
            polled += result.created
            if not result.remaining:
                break
        poll_s = time.perf_counter() - started
        started = time.perf_counter()
        idle = mailbox_poll(mailbox_id=mailbox.pk)
        idle_s = time.perf_counter() - started
    items = IntakeItem.objects.count()
    files = IntakeAttachment.objects.exclude(stored_file=None).count()
    print(f"messages appended: {total} in {append_s:.1f} s")
    print(f"polled into items: {items} ({files} stored files) in {poll_s:.1f} s")
    print(f"rate: {items / poll_s:.1f} messages/s ({1000 * poll_s / items:.1f} ms per message)")
    print(f"a poll that finds nothing new: {1000 * idle_s:.0f} ms (created {idle.created})")
finally:
    teardown()
