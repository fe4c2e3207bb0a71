"""The change lists' paginator: pages found by id keep the list's order and contents."""

import datetime

import pytest

from channels.admin.pagination import EstimatedCountPaginator
from channels.models import Order
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db


def test_each_page_holds_the_rows_the_offset_would_give_in_the_same_order():
    integration = magento_integration()
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    for i in range(8):
        Order.objects.create(
            integration=integration,
            remote_id=i,
            increment_id=f"10000000{i}",
            remote_created_at=start + datetime.timedelta(days=i % 3),
        )
    queryset = Order.objects.select_related("integration__channel").order_by("-remote_created_at", "-id")
    paginator = EstimatedCountPaginator(queryset, per_page=3)
    pages = [[o.increment_id for o in paginator.page(n).object_list] for n in paginator.page_range]
    expected = list(queryset.values_list("increment_id", flat=True))
    assert pages == [expected[0:3], expected[3:6], expected[6:8]]
    assert paginator.page(2).object_list[0].integration.channel.name == integration.channel.name
