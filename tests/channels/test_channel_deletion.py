"""Deleting a channel: the admin asks, a background job deletes its records in batches, accounts stay."""

import datetime
from decimal import Decimal

import pytest
from django.db.models.signals import pre_delete
from django.urls import reverse
from django.utils import timezone

from channels import deletion
from channels.models import (
    Account,
    Cart,
    CartItem,
    Channel,
    Contact,
    CreditMemo,
    Customer,
    NewsletterSubscriber,
    Order,
    OrderItem,
    OrderNote,
)
from integrations import services
from integrations.models import Checkpoint, Integration, SyncRun
from tests.channels.shops import Shop

WHEN = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def fill(shop: Shop, *, customers: int, orders: int) -> None:
    """Thousands of synced rows, written straight into the tables as a long-running channel holds them."""
    integration = shop.integration
    accounts = Account.objects.bulk_create(Account(name=f"{shop.channel.name} {n}") for n in range(customers))
    contacts = Contact.objects.bulk_create(
        Contact(account=account, email=f"{account.pk}@example.test", match_key=str(account.pk)) for account in accounts
    )
    people = Customer.objects.bulk_create(
        Customer(
            integration=integration,
            remote_id=str(n),
            email=f"c{n}@example.test",
            account=accounts[n],
            contact=contacts[n],
        )
        for n in range(customers)
    )
    created = Order.objects.bulk_create(
        Order(
            integration=integration,
            remote_id=str(n),
            increment_id=f"{integration.pk}-{n:08d}",
            customer=people[n % customers],
            remote_created_at=WHEN,
        )
        for n in range(orders)
    )
    OrderItem.objects.bulk_create(OrderItem(order=order, remote_id="1", sku="TEA", qty=Decimal(1)) for order in created)
    OrderNote.objects.bulk_create(OrderNote(order=order, remote_id="1", message="Shipped") for order in created[:500])
    CreditMemo.objects.bulk_create(
        CreditMemo(integration=integration, remote_id=order.remote_id, increment_id=order.remote_id, order=order)
        for order in created[:300]
    )
    carts = Cart.objects.bulk_create(
        Cart(integration=integration, remote_id=str(n), customer=people[n % customers]) for n in range(customers)
    )
    CartItem.objects.bulk_create(CartItem(cart=cart, remote_id="1", sku="CUP") for cart in carts)
    NewsletterSubscriber.objects.bulk_create(
        NewsletterSubscriber(integration=integration, remote_id=str(n), email=f"c{n}@example.test")
        for n in range(customers)
    )
    SyncRun.objects.create(integration=integration, status=SyncRun.Status.SUCCEEDED)
    Checkpoint.objects.create(integration=integration, entity="orders", state={"after_id": "2"})


def delete_url(channel: Channel) -> str:
    return reverse("admin:channels_channel_delete", args=[channel.pk])


@pytest.mark.django_db(transaction=True)
def test_a_channel_with_thousands_of_orders_is_deleted_by_a_worker_and_its_people_stay(admin_client, run_worker):
    doomed, kept = Shop("Doomed shop"), Shop("Kept shop")
    fill(doomed, customers=400, orders=5000)
    fill(kept, customers=5, orders=10)

    confirm = admin_client.get(delete_url(doomed.channel))
    counts = dict(confirm.context["model_count"])
    assert "deleted by a background job" in confirm.content.decode()
    assert (counts["Orders"], counts["Order items"], counts["Customers"], counts["Carts"]) == (5000, 5000, 400, 400)

    assert admin_client.post(delete_url(doomed.channel), {"post": "yes"}).status_code == 302
    doomed.channel.refresh_from_db()
    assert doomed.channel.deleting_since is not None
    listing = admin_client.get(reverse("admin:channels_channel_changelist")).content.decode()
    assert "Deleting..." in listing
    assert "being deleted in the background" in listing  # the message after the confirmation
    assert Order.objects.filter(integration=doomed.integration).count() == 5000  # nothing went in the request

    run_worker()

    assert not Channel.objects.filter(pk=doomed.channel.pk).exists()
    assert not Integration.objects.filter(pk=doomed.integration.pk).exists()
    # What is left is the kept shop's, untouched.
    assert OrderNote.objects.count() == 10 and NewsletterSubscriber.objects.count() == 5
    assert Order.objects.count() == 10 and OrderItem.objects.count() == 10 and Customer.objects.count() == 5
    assert Cart.objects.count() == 5 and CartItem.objects.count() == 5 and CreditMemo.objects.count() == 10
    assert Account.objects.count() == 405 and Contact.objects.count() == 405  # every person stays
    assert Customer.objects.filter(account__isnull=False).count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_job_that_died_part_way_is_asked_again_and_finishes(admin_client, run_worker):
    shop = Shop("Crashing shop")
    fill(shop, customers=50, orders=5000)
    batches = []

    def die_on_the_second_batch(sender, instance, **kwargs):
        if instance.pk not in batches:
            batches.append(instance.pk)
        if len(batches) > deletion.BATCH_SIZE:
            raise RuntimeError("the worker went away")

    pre_delete.connect(die_on_the_second_batch, sender=Order)
    try:
        with pytest.raises(RuntimeError):
            deletion.channel_delete_execute(channel_id=shop.channel.pk)
    finally:
        pre_delete.disconnect(die_on_the_second_batch, sender=Order)

    left = Order.objects.filter(integration=shop.integration).count()
    assert left == 5000 - deletion.BATCH_SIZE  # the first batch was committed, the second rolled back
    assert not Cart.objects.exists() and Channel.objects.filter(pk=shop.channel.pk).exists()
    shop.channel.refresh_from_db()
    assert shop.channel.deleting_since is not None  # still "Deleting...": nothing syncs it meanwhile

    # Deleting it again from the admin queues the job again; it deletes what is left.
    assert admin_client.post(delete_url(shop.channel), {"post": "yes"}).status_code == 302
    run_worker()

    assert not Channel.objects.filter(pk=shop.channel.pk).exists() and not Order.objects.exists()
    assert Account.objects.count() == 50


@pytest.mark.django_db(transaction=True)
def test_a_deletion_no_job_carries_on_is_queued_again_by_the_scheduler(run_worker):
    shop = Shop("Forgotten shop")
    fill(shop, customers=5, orders=30)
    # Marked long ago, and its job is gone (Redis flushed, the worker killed before it ran).
    Channel.objects.filter(pk=shop.channel.pk).update(deleting_since=timezone.now() - datetime.timedelta(hours=1))
    assert deletion.channel_delete_resume() == 1
    assert deletion.channel_delete_resume() == 0, "its job is queued now: not twice"
    run_worker()
    assert not Channel.objects.filter(pk=shop.channel.pk).exists() and not Order.objects.exists()
    assert Account.objects.count() == 5


@pytest.mark.django_db
def test_a_deletion_just_asked_for_is_left_to_its_job(rq):
    shop = Shop("Busy shop")
    Channel.objects.filter(pk=shop.channel.pk).update(deleting_since=timezone.now())
    assert deletion.channel_delete_resume() == 0


@pytest.mark.django_db
def test_while_deleting_syncs_and_checks_are_refused_and_the_scheduler_skips_it(rq):
    doomed, kept = Shop("Doomed shop"), Shop("Kept shop")
    deletion.channel_delete_request(channel=doomed.channel)

    for request in (services.sync_schedule, services.connection_check_request):
        with pytest.raises(services.ChannelBeingDeleted, match="is being deleted"):
            request(integration=doomed.integration)
    result = services.integration_check_connection(integration=doomed.integration)
    assert not result.ok and "being deleted" in result.message

    queued = services.sync_dispatch_due()
    assert [run.integration_id for run in queued] == [kept.integration.pk]


@pytest.mark.django_db
def test_a_staff_user_is_told_why_the_sync_button_does_nothing(admin_client, rq):
    shop = Shop("Doomed shop")
    deletion.channel_delete_request(channel=shop.channel)

    response = admin_client.post(
        reverse("admin:integrations_integration_sync", args=[shop.integration.pk]), follow=True
    )

    assert "is being deleted; it no longer syncs or checks" in response.content.decode()
    assert not SyncRun.objects.filter(integration=shop.integration).exists()


@pytest.mark.django_db
def test_the_list_action_asks_with_counts_then_queues_each_channel(admin_client, rq):
    first, second = Shop("First shop"), Shop("Second shop")
    fill(first, customers=3, orders=7)
    changelist = reverse("admin:channels_channel_changelist")
    selected = {"action": "delete_selected", "_selected_action": [first.channel.pk, second.channel.pk]}

    confirm = admin_client.post(changelist, selected)
    assert confirm.status_code == 200 and dict(confirm.context["model_count"])["Orders"] == 7
    assert "deleted by a background job" in confirm.content.decode()

    done = admin_client.post(changelist, {**selected, "post": "yes"}, follow=True)
    assert "2 channel(s) are being deleted in the background." in done.content.decode()
    assert Channel.objects.filter(deleting_since__isnull=False).count() == 2
    assert Order.objects.count() == 7  # the job deletes them, not the request
