from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = "Channels and synced records"

    def ready(self) -> None:
        from channels import stats  # noqa: F401  (keeps the figures: connects to the engine's signals)
