from django.apps import AppConfig


class Magento1Config(AppConfig):
    name = "integrations.connectors.magento1"
    label = "magento1"
    verbose_name = "Magento 1"
    default_auto_field = "django.db.models.BigAutoField"
