"""The demo OroCommerce channel of script/server: an integration on the simulator, and a catalog to push."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from channels.models import InventoryLevel, PriceList, Product, ProductPrice, Warehouse
from integrations.connectors.orocommerce.auth import WsseAuth
from integrations.connectors.orocommerce.models import STORE_CHOICES, OroCommerceSettings
from integrations.models import Integration
from integrations.services import integration_check_connection, integration_ensure
from integrations.transports.jsonapi import JsonApiClient, attribute, related_id

DEMO_NAME = "Demo OroCommerce store"
DEMO_CURRENCY = "USD"


class Command(BaseCommand):
    help = (
        "Create (once) the demo OroCommerce channel on the simulator: checks the connection, picks the store's "
        "first owner, product family, unit, price list and warehouse, and fills the local catalog with the "
        "store's SKUs (so that its orders' lines are known products) with a USD price list and stock. Prints "
        "the integration's admin page."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", required=True, help="the store's back-office URL, e.g. http://127.0.0.1:8090/admin"
        )
        parser.add_argument("--api-user", required=True)
        parser.add_argument("--api-key", required=True)
        parser.add_argument("--owner", default="admin", help="Username of the channel's owner")

    def handle(self, *args, **options):
        owner = get_user_model().objects.filter(username=options["owner"]).first()
        integration, created = integration_ensure(
            name=DEMO_NAME,
            integration_type="orocommerce",
            settings_values={
                "admin_url": options["url"],
                "api_user": options["api_user"],
                "api_key": options["api_key"],
            },
            owner=owner,
        )
        if created:
            self.stdout.write(f"Created the demo OroCommerce channel (integration {integration.pk}).")
        else:
            self.stdout.write(
                f"The demo OroCommerce channel exists (integration {integration.pk}); settings refreshed."
            )
        result = integration_check_connection(integration=integration)
        if not result.ok:
            raise CommandError(f"Check Connection failed: {result.message}")
        self._catalog(integration, options)
        self.stdout.write(reverse("admin:integrations_integration_change", args=[integration.pk]))

    def _catalog(self, integration: Integration, options) -> None:
        """The store's SKUs as the local catalog (once), and the settings pushes need (first choices found)."""
        found = OroCommerceSettings.objects.get(integration=integration)
        price_list, _ = PriceList.objects.get_or_create(name="Demo retail", defaults={"currency": DEMO_CURRENCY})
        warehouse, _ = Warehouse.objects.get_or_create(code="main", defaults={"name": "Main warehouse"})
        for field in STORE_CHOICES:
            choices = found.choices_for(field)
            if choices and not getattr(found, field):
                setattr(found, field, choices[0][0])
                setattr(found, f"{field}_label", choices[0][1])
        found.currency = found.currency or DEMO_CURRENCY
        found.local_price_list, found.local_warehouse = price_list, warehouse
        found.save()
        if Product.objects.exists():
            return
        api = JsonApiClient(found.api_url, WsseAuth(options["api_user"], options["api_key"]))
        document = api.get("products", {"include": "names,primaryUnitPrecision", "page[size]": -1, "sort": "id"})
        with transaction.atomic():
            for index, resource in enumerate(document.resources):
                names = document.included_many(resource, "names")
                precision = document.included_related(resource, "primaryUnitPrecision")
                product = Product.objects.create(
                    sku=attribute(resource, "sku"),
                    name=(attribute(names[0], "string") if names else "") or attribute(resource, "sku"),
                    status=attribute(resource, "status") or Product.Status.ENABLED,
                    unit=related_id(precision, "unit") or "item",
                    unit_precision=attribute(precision, "precision") or 0,
                )
                value = Decimal(500 + (index * 137) % 9500) / 100
                ProductPrice.objects.create(
                    price_list=price_list, product=product, unit=product.unit, currency=DEMO_CURRENCY, value=value
                )
                InventoryLevel.objects.create(product=product, warehouse=warehouse, quantity=(index * 37) % 250)
        self.stdout.write(f"Demo catalog: {len(document.resources)} products with USD prices and stock.")
