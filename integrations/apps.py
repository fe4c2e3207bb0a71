from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from integrations import signals
        from integrations.engine import registry

        registry.autodiscover()  # every installed app's `connector` module registers its type
        signals.connect()
