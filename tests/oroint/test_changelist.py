"""Every change list of oroint drills down to the last year a date can hold, without a 500."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from integrations.models import SyncRun
from oroint.changelist import BoundedDateHierarchyChangeList
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db

OURS = ("channels", "integrations")


def our_admins():
    return [a for m, a in admin.site._registry.items() if m._meta.app_label in OURS]


def test_every_change_list_of_ours_bounds_its_date_drill_down():
    for model_admin in our_admins():
        assert issubclass(model_admin.get_changelist(None), BoundedDateHierarchyChangeList), model_admin


@pytest.mark.parametrize(
    "query",
    [
        {"year": "9999"},
        {"year": "9999", "month": "12"},
        {"year": "9999", "month": "12", "day": "31"},
        {"year": "2024", "month": "12", "day": "31"},
    ],
)
def test_a_drill_down_to_the_last_year_month_or_day_answers(admin_client, query):
    hierarchies = [a for a in our_admins() if a.date_hierarchy]
    assert hierarchies, "some change list has a date drill-down"
    for model_admin in hierarchies:
        opts = model_admin.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        params = {f"{model_admin.date_hierarchy}__{part}": value for part, value in query.items()}
        response = admin_client.get(url, params)
        assert response.status_code == 200, (url, params)


def test_the_last_year_lists_what_lies_in_it(admin_client):
    integration = magento_integration()
    last = SyncRun.objects.create(integration=integration, status=SyncRun.Status.SUCCEEDED)
    earlier = SyncRun.objects.create(integration=integration, status=SyncRun.Status.FAILED)
    SyncRun.objects.filter(pk=last.pk).update(created_at=datetime.datetime(9999, 12, 31, 12, tzinfo=datetime.UTC))

    for query in ({"created_at__year": 9999}, {"created_at__year": 9999, "created_at__month": 12}):
        response = admin_client.get(reverse("admin:integrations_syncrun_changelist"), query)
        assert [r.pk for r in response.context["cl"].result_list] == [last.pk]
    this_year = {"created_at__year": earlier.created_at.year}
    response = admin_client.get(reverse("admin:integrations_syncrun_changelist"), this_year)
    assert [r.pk for r in response.context["cl"].result_list] == [earlier.pk]


def test_a_year_that_is_not_one_is_an_invalid_filter_not_a_500(admin_client):
    response = admin_client.get(reverse("admin:integrations_syncrun_changelist"), {"created_at__year": "10000"})
    assert response.status_code == 302 and response["Location"].endswith("?e=1")
