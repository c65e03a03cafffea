"""Static URLs are remembered per process: they must stay the manifest's hashed names, and a
file missing from the manifest must keep failing loudly rather than be remembered."""

import json

import pytest
from django.test import override_settings

from argo_docs.static_storage import StaticFilesStorage


@pytest.fixture
def storage(tmp_path):
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "paths": {"css/argo.css": "css/argo.0123456789ab.css"}})
    )
    with override_settings(DEBUG=False, STATIC_URL="/static/"):
        yield StaticFilesStorage(location=str(tmp_path), base_url="/static/")


def test_the_hashed_name_from_the_manifest_every_time(storage):
    assert storage.url("css/argo.css") == "/static/css/argo.0123456789ab.css"
    assert storage.url("css/argo.css") == "/static/css/argo.0123456789ab.css"


def test_a_file_missing_from_the_manifest_fails_every_time(storage):
    for _attempt in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")
