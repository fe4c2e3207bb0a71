"""A channel with its integration and the store records around it, for the channels admin tests."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import User

from channels import stats
from channels.models import (
    Cart,
    CreditMemo,
    Customer,
    CustomerGroup,
    NewsletterSubscriber,
    Order,
    Store,
    Website,
)
from tests.factories import magento_integration

JAN_1 = datetime.datetime(2024, 1, 1, 9, 0, tzinfo=datetime.UTC)


class Shop:
    """One channel with its integration, a website, a store view and a customer group."""

    def __init__(self, name: str, owner: User | None = None) -> None:
        self.integration = magento_integration(
            f"{name} Magento", url="http://example.test/api/v2_soap/?wsdl=1", channel_name=name, owner=owner
        )
        self.channel = self.integration.channel
        self.website = Website.objects.create(integration=self.integration, remote_id=1, code="base", name="Main")
        self.store = Store.objects.create(
            integration=self.integration, remote_id=1, code="default", name="Default Store View", website=self.website
        )
        self.group = CustomerGroup.objects.create(integration=self.integration, remote_id=1, name="General")
        self._next_id = 100

    def remote_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def customer(self, email: str, first_name: str = "", last_name: str = "", **fields) -> Customer:
        fields.setdefault("remote_created_at", JAN_1)
        return Customer.objects.create(
            integration=self.integration,
            remote_id=None if fields.get("is_guest") else self.remote_id(),
            guest_key=email if fields.get("is_guest") else None,
            email=email,
            first_name=first_name,
            last_name=last_name,
            website=self.website,
            store=self.store,
            group=self.group,
            **fields,
        )

    def order(self, increment_id: str, customer: Customer | None = None, **fields) -> Order:
        fields.setdefault("remote_created_at", JAN_1)
        fields.setdefault("status", "processing")
        fields.setdefault("grand_total", Decimal("42.5000"))
        fields.setdefault("currency", "EUR")
        return Order.objects.create(
            integration=self.integration,
            remote_id=self.remote_id(),
            increment_id=increment_id,
            customer=customer,
            customer_email=customer.email if customer else "guest@example.test",
            customer_first_name=customer.first_name if customer else "",
            customer_last_name=customer.last_name if customer else "",
            website=self.website,
            store=self.store,
            **fields,
        )

    def cart(self, remote_id: str, customer: Customer | None = None, **fields) -> Cart:
        fields.setdefault("remote_updated_at", JAN_1)
        fields.setdefault("grand_total", Decimal("19.9000"))
        fields.setdefault("currency", "EUR")
        fields.setdefault("email", customer.email if customer else "guest@example.test")
        return Cart.objects.create(
            integration=self.integration, remote_id=remote_id, customer=customer, store=self.store, **fields
        )

    def memo(self, increment_id: str, order: Order | None = None, **fields) -> CreditMemo:
        fields.setdefault("remote_created_at", JAN_1)
        fields.setdefault("state", "refunded")
        fields.setdefault("grand_total", Decimal("12.0000"))
        fields.setdefault("currency", "EUR")
        return CreditMemo.objects.create(
            integration=self.integration,
            remote_id=str(self.remote_id()),
            increment_id=increment_id,
            order=order,
            order_remote_id=order.remote_id if order else None,
            **fields,
        )

    def subscriber(self, email: str, customer: Customer | None = None, **fields) -> NewsletterSubscriber:
        fields.setdefault("status", "subscribed")
        return NewsletterSubscriber.objects.create(
            integration=self.integration,
            remote_id=str(self.remote_id()),
            email=email,
            customer=customer,
            store=self.store,
            **fields,
        )


def fill_order_days() -> None:
    """OrderDay as the sync keeps it (the shop's rows are written directly, not by a sync, so nothing kept
    it): channels.stats recounts every day of every integration's orders. The customers' figures are left
    as the test set them."""
    for integration_id in set(Order.objects.values_list("integration_id", flat=True)):
        orders = Order.objects.filter(integration_id=integration_id, remote_created_at__isnull=False)
        days = orders.annotate(day=stats.local_day("remote_created_at")).values_list("day", flat=True)
        stats.order_days_refresh(integration_id=integration_id, days=set(days))
