"""Fill the dashboard's rollup of decided route steps: the missing steps (what the worker does
every minute, without its batch limit), or ``--rebuild`` to empty it and fill it from scratch;
then take the dashboard's snapshots."""

from django.core.management.base import BaseCommand
from django.db import connection

from control.rollup import BATCH, step_facts_rebuild, step_facts_refresh
from control.snapshots import snapshots_refresh


class Command(BaseCommand):
    help = "Fill the control dashboard's rollup of decided route steps."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="empty it and fill it again")
        parser.add_argument("--batch", type=int, default=BATCH, help="steps per transaction")

    def handle(self, *args, rebuild=False, batch=BATCH, **options):
        def progress(total):
            self.stdout.write(f"{total} steps", ending="\r")
            self.stdout.flush()

        if rebuild:
            total = step_facts_rebuild(batch=batch, progress=progress)
        else:
            total = 0
            while added := step_facts_refresh(batch=batch):
                total += added
                progress(total)
        # the figures read the rollup by index-only scans: mark its pages all-visible now
        if not connection.in_atomic_block:  # VACUUM cannot run in a transaction
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE control_stepfact")
        scopes = snapshots_refresh()
        self.stdout.write(f"\ncontrol rollup: {total} steps added, {scopes} dashboard snapshots")
