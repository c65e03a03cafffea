from django.apps import AppConfig


class EngineAppConfig(AppConfig):
    name = "tests.engine_app"
    label = "engine_app"

    def ready(self) -> None:
        from tests.engine_app import paper

        paper.register()
