"""Static files as WhiteNoise serves them (compressed, names hashed by the manifest), with each
file's URL looked up once per process: every page asks for seven of them (28 µs each through
the manifest), and the manifest is read once when the process starts, so a URL cannot change
while it runs."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            # a name missing from the manifest raises here every time: never remembered
            url = self._urls[name] = super().url(name)
            return url
