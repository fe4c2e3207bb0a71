"""Staff users see and act only on the integrations their object permissions allow (django-guardian)."""

import pytest
from django.urls import reverse

from integrations import permissions
from integrations.models import SyncRun
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db


def assert_hidden(response) -> None:
    """The admin answers as for an id that does not exist: back to the index, not a 403 or a 404.

    Outside the user's queryset, a record's page redirects to the admin index ("... doesn't exist.
    Perhaps it was deleted?"), so that the answer does not tell whether someone else's record exists.
    """
    assert (response.status_code, response["Location"]) == (302, reverse("admin:index"))


@pytest.fixture
def two_stores():
    return magento_integration("Ann's store"), magento_integration("Bob's store")


@pytest.fixture
def ann(client, django_user_model, two_stores):
    """A staff user granted Ann's store only."""
    user = django_user_model.objects.create_user("ann", password="pw", is_staff=True)
    permissions.grant(user, two_stores[0])
    client.force_login(user)
    return user


def test_list_shows_only_permitted_integrations(client, ann, two_stores):
    page = client.get("/admin/integrations/integration/").content.decode()
    assert "Ann&#x27;s store" in page and "Bob&#x27;s store" not in page


def test_other_integrations_pages_and_buttons_are_forbidden(client, ann, two_stores, rq):
    mine, theirs = two_stores
    assert client.get(reverse("admin:integrations_integration_change", args=[mine.pk])).status_code == 200
    assert_hidden(client.get(reverse("admin:integrations_integration_change", args=[theirs.pk])))
    assert client.post(reverse("admin:integrations_integration_sync", args=[theirs.pk])).status_code == 403
    assert client.post(reverse("admin:integrations_integration_check", args=[theirs.pk])).status_code == 403
    assert client.post(reverse("admin:integrations_integration_sync", args=[mine.pk])).status_code == 302
    assert SyncRun.objects.filter(integration=mine).count() == 1
    assert not SyncRun.objects.filter(integration=theirs).exists()


def test_runs_of_other_integrations_are_hidden(client, ann, two_stores):
    mine, theirs = two_stores
    my_run = SyncRun.objects.create(integration=mine)
    their_run = SyncRun.objects.create(integration=theirs)
    listing = client.get("/admin/integrations/syncrun/").content.decode()
    assert f"Run #{my_run.pk} " in listing and f"Run #{their_run.pk} " not in listing
    assert client.get(reverse("admin:integrations_syncrun_change", args=[their_run.pk])).status_code == 403
    assert client.get(reverse("admin:integrations_syncrun_status", args=[their_run.pk])).status_code == 403
    assert client.post(reverse("admin:integrations_syncrun_cancel", args=[their_run.pk])).status_code == 403
    assert client.get(reverse("admin:integrations_syncrun_status", args=[my_run.pk])).status_code == 200


def test_view_only_grant_cannot_press_buttons(client, django_user_model, two_stores, rq):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    permissions.grant(viewer, two_stores[0], actions=("view",))
    client.force_login(viewer)
    assert client.get(reverse("admin:integrations_integration_change", args=[two_stores[0].pk])).status_code == 200
    assert client.post(reverse("admin:integrations_integration_sync", args=[two_stores[0].pk])).status_code == 403


def test_model_permission_covers_every_integration(django_user_model, two_stores):
    from django.contrib.auth.models import Permission

    manager = django_user_model.objects.create_user("manager", is_staff=True)
    manager.user_permissions.add(Permission.objects.get(codename="change_integration"))
    manager = django_user_model.objects.get(pk=manager.pk)
    assert all(permissions.may(manager, "change", i) for i in two_stores)
    assert permissions.integrations_for(manager).count() == 2


def test_read_only_page_never_shows_the_key(client, django_user_model, two_stores):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    permissions.grant(viewer, two_stores[0], actions=("view",))
    client.force_login(viewer)
    page = client.get(reverse("admin:integrations_integration_change", args=[two_stores[0].pk]))
    assert page.status_code == 200
    assert two_stores[0].settings.api_key.encode() not in page.content
    # The other settings are shown, read-only, with their values.
    content = page.content.decode()
    assert "SOAP WSDL URL" in content and two_stores[0].settings.api_url in content
    assert "SOAP API user" in content and f">{two_stores[0].settings.api_user}<" in content


def test_records_of_other_integrations_are_hidden(client, django_user_model, two_stores):
    from django.contrib.auth.models import Permission

    from channels.models import Order

    mine, theirs = two_stores
    Order.objects.create(integration=mine, remote_id=1, increment_id="100000001")
    Order.objects.create(integration=theirs, remote_id=1, increment_id="200000001")
    clerk = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_order"))
    permissions.grant(clerk, mine, actions=("view",))
    client.force_login(clerk)
    listing = client.get("/admin/channels/order/").content.decode()
    assert "100000001" in listing and "200000001" not in listing
    theirs_order = Order.objects.get(increment_id="200000001")
    assert_hidden(client.get(reverse("admin:channels_order_change", args=[theirs_order.pk])))
