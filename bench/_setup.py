"""Boots Django on a throw-away database for a benchmark."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "argo_docs.settings.test")


def setup_database():
    """Create and migrate a fresh database; returns a callable that drops it."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    creation.create_test_db(verbosity=0, autoclobber=True)
    call_command("migrate", verbosity=0)

    def teardown():
        creation.destroy_test_db(old_name, verbosity=0)

    return teardown
