"""A staff user with object permissions only sees nothing of the integrations they were not granted.

Not in a filter's choices, not in the order status choices (cached or not), not in an owner drop-down.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from channels.models import Order
from integrations import permissions
from integrations.models import QuarantinedRecord, SyncRun
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db


@pytest.fixture
def stores():
    return magento_integration("Ann's store"), magento_integration("Bob's secret store")


@pytest.fixture
def people(django_user_model, stores):
    mine, theirs = stores
    make = django_user_model.objects.create_user
    people = {
        "ann": make("ann", password="pw", is_staff=True),
        "carol": make("carol", is_staff=True),  # shares Ann's store, through a group
        "bob": make("bob", is_staff=True),  # Bob's store only
        "dave": make("dave", is_staff=True),  # nothing
        "gone": make("gone", is_active=False),
        "root": make("root", is_staff=True, is_superuser=True),
    }
    permissions.grant(people["ann"], mine)
    people["ann"].user_permissions.add(*Permission.objects.filter(codename__in=["view_order", "change_channel"]))
    team = Group.objects.create(name="Ann's team")
    permissions.grant(team, mine, actions=("view",))
    people["carol"].groups.add(team)
    permissions.grant(people["bob"], theirs)
    return people


def as_ann(client, people):
    client.force_login(people["ann"])
    return client


def test_run_and_quarantine_filters_offer_only_visible_integrations(client, people, stores):
    second = magento_integration("Ann's second store")
    permissions.grant(people["ann"], second, actions=("view",))
    for integration in (*stores, second):
        SyncRun.objects.create(integration=integration, status=SyncRun.Status.SUCCEEDED)
        QuarantinedRecord.objects.create(integration=integration, entity="customers", remote_id="1", reason="x")
    client = as_ann(client, people)

    for name in ("syncrun", "quarantinedrecord"):
        page = client.get(reverse(f"admin:integrations_{name}_changelist")).content.decode()
        assert "By integration" in page and "Ann&#x27;s second store" in page, name
        assert "Bob&#x27;s secret store" not in page, name


def test_order_status_choices_are_those_of_visible_orders_even_when_cached(client, admin_client, people, stores):
    mine, theirs = stores
    Order.objects.create(integration=mine, remote_id="1", increment_id="100000001", status="processing")
    Order.objects.create(integration=theirs, remote_id="1", increment_id="200000001", status="bobs_private_status")
    everything = admin_client.get(reverse("admin:channels_order_changelist")).content.decode()
    assert "bobs_private_status" in everything  # the superuser fills the cache with every status

    page = as_ann(client, people).get(reverse("admin:channels_order_changelist")).content.decode()

    assert "processing" in page and "bobs_private_status" not in page


def owner_options(response, field: str) -> set[str]:
    form = response.context["adminform"].form
    return {str(user) for user in form.fields[field].queryset}


def test_owner_drop_downs_offer_staff_only_the_people_who_share_the_integration(client, people, stores):
    mine, _ = stores
    people["ann"].user_permissions.add(Permission.objects.get(codename="add_integration"))
    client = as_ann(client, people)

    page = client.get(reverse("admin:integrations_integration_change", args=[mine.pk]))
    add = client.get(reverse("admin:integrations_integration_add") + "?type=magento1")
    channel = client.get(reverse("admin:channels_channel_change", args=[mine.channel.pk]))

    assert owner_options(page, "default_owner") == owner_options(page, "channel_owner") == {"ann", "carol"}
    assert owner_options(channel, "owner") == {"ann", "carol"}
    assert owner_options(add, "default_owner") == {"ann"}
    text = page.content.decode() + channel.content.decode()
    assert ">bob<" not in text and ">dave<" not in text and ">root<" not in text


def test_a_staff_user_cannot_post_an_owner_they_were_not_offered(client, people, stores):
    mine, _ = stores
    client = as_ann(client, people)
    response = client.post(
        reverse("admin:channels_channel_change", args=[mine.channel.pk]),
        {"name": mine.channel.name, "is_active": "on", "owner": people["bob"].pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    mine.channel.refresh_from_db()
    assert mine.channel.owner is None


def test_the_current_owner_stays_choosable(client, people, stores):
    mine, _ = stores
    mine.default_owner = people["root"]
    mine.save()
    page = as_ann(client, people).get(reverse("admin:integrations_integration_change", args=[mine.pk]))
    assert owner_options(page, "default_owner") == {"ann", "carol", "root"}


def test_a_superuser_chooses_among_every_active_user(client, people, stores):
    mine, _ = stores
    client.force_login(people["root"])
    page = client.get(reverse("admin:integrations_integration_change", args=[mine.pk]))
    assert owner_options(page, "default_owner") == {"ann", "carol", "bob", "dave", "root"}
