from django.apps import AppConfig


class FakeConnectorConfig(AppConfig):
    name = "tests.fakeconnector"
    label = "fakeconnector"
    default_auto_field = "django.db.models.BigAutoField"
