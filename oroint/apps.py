from django.apps import AppConfig


class OrointConfig(AppConfig):
    name = "oroint"

    def ready(self) -> None:
        from oroint import checks  # noqa: F401  (registers the system checks)
