"""Poll intake mailboxes now, in this process (the worker does it every minute)."""

from django.core.management.base import BaseCommand, CommandError

from intake.models import Mailbox
from intake.polling import mailbox_poll


class Command(BaseCommand):
    help = "Poll the given intake mailboxes (all active ones by default) and print what came in."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--mailbox", type=int, action="append", help="mailbox id (repeatable)")

    def handle(self, *args, **options) -> None:
        ids = options["mailbox"] or list(
            Mailbox.objects.filter(is_active=True).values_list("pk", flat=True)
        )
        if not ids:
            raise CommandError("no active intake mailbox is configured")
        for mailbox_id in ids:
            result = mailbox_poll(mailbox_id=mailbox_id)
            if result.busy:
                self.stdout.write(f"mailbox {mailbox_id}: another poll is running")
            elif result.error:
                self.stdout.write(f"mailbox {mailbox_id}: {result.error}")
            else:
                self.stdout.write(
                    f"mailbox {mailbox_id}: {result.created} new, {result.duplicates} duplicate, "
                    f"{result.failed} failed, {result.remaining} left"
                )
