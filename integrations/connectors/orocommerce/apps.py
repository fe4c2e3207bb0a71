from django.apps import AppConfig


class OroCommerceConfig(AppConfig):
    name = "integrations.connectors.orocommerce"
    label = "orocommerce"
    verbose_name = "OroCommerce"
    default_auto_field = "django.db.models.BigAutoField"
