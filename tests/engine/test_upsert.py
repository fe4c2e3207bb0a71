"""Batch upserts: created, updated or skipped by fingerprint; children kept in place; idempotent."""

import pytest

from channels.models import Customer, CustomerAddress, Website
from integrations.engine.contracts import Mapped, Ref
from integrations.engine.upsert import ChildSpec, upsert_batch
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db

ADDRESSES = {"addresses": ChildSpec(CustomerAddress, "customer")}


def customer(
    remote_id: int, last_name: str = "Lee", streets=("1 Main St",), website: int | None = 1, ids=None
) -> Mapped:
    ids = ids or range(len(streets))
    return Mapped(
        key=str(remote_id),
        fields={"email": f"c{remote_id}@example.com", "first_name": "Ann", "last_name": last_name},
        refs={"website": Ref(Website, None if website is None else str(website))},
        children={"addresses": [{"remote_id": str(i), "street": s} for i, s in zip(ids, streets, strict=True)]},
    )


def write(integration, records):
    return upsert_batch(model=Customer, integration_id=integration.pk, records=records, children=ADDRESSES)


def test_create_then_skip_then_update():
    integration = magento_integration()
    Website.objects.create(integration=integration, remote_id=1, code="base", name="Main")
    first = write(integration, [customer(1), customer(2)])
    assert (first.created, first.updated, first.skipped) == (2, 0, 0)
    again = write(integration, [customer(1), customer(2)])
    assert (again.created, again.updated, again.skipped) == (0, 0, 2)
    changed = write(integration, [customer(1, last_name="Ng", streets=("2 Side St", "3 Back St")), customer(2)])
    assert (changed.created, changed.updated, changed.skipped) == (0, 1, 1)
    ann = Customer.objects.get(integration=integration, remote_id="1")
    assert ann.last_name == "Ng"
    assert ann.website.code == "base"
    assert sorted(ann.addresses.values_list("street", flat=True)) == ["2 Side St", "3 Back St"]
    assert Customer.objects.count() == 2 and CustomerAddress.objects.count() == 3


def test_same_remote_id_in_two_integrations_is_two_records():
    one, two = magento_integration("One"), magento_integration("Two")
    write(one, [customer(1)])
    write(two, [customer(1)])
    assert Customer.objects.filter(remote_id="1").count() == 2


def test_duplicate_in_one_batch_is_written_once():
    integration = magento_integration()
    result = write(integration, [customer(1, last_name="Old"), customer(1, last_name="New")])
    assert result.created == 1
    assert Customer.objects.get().last_name == "New"


def test_unknown_reference_is_left_empty():
    integration = magento_integration()
    write(integration, [customer(1, website=99)])
    assert Customer.objects.get().website is None


def test_an_update_keeps_child_rows_in_place_and_deletes_only_what_vanished():
    integration = magento_integration()
    write(integration, [customer(1, streets=("1 Main St", "2 Side St", "3 Back St"), ids=(10, 11, 12))])
    before = dict(CustomerAddress.objects.values_list("remote_id", "pk"))
    # 11 changes its street, 12 vanishes, 13 is new.
    write(integration, [customer(1, streets=("1 Main St", "22 Side St", "4 New St"), ids=(10, 11, 13))])
    after = dict(CustomerAddress.objects.values_list("remote_id", "pk"))
    assert set(after) == {"10", "11", "13"}
    assert after["10"] == before["10"] and after["11"] == before["11"]
    assert after["13"] not in before.values()
    assert CustomerAddress.objects.get(remote_id="11").street == "22 Side St"


def test_children_without_ids_are_matched_in_order():
    integration = magento_integration()
    record = customer(1, streets=("1 Main St", "2 Side St"))
    for row in record.children["addresses"]:
        row["remote_id"] = None
    write(integration, [record])
    before = list(CustomerAddress.objects.order_by("pk").values_list("pk", flat=True))
    record.children["addresses"][1]["street"] = "9 Other St"
    write(integration, [record])
    assert list(CustomerAddress.objects.order_by("pk").values_list("pk", "street")) == [
        (before[0], "1 Main St"),
        (before[1], "9 Other St"),
    ]


def test_string_ids_sort_as_numbers_in_the_admin_order():
    integration = magento_integration()
    for remote_id in ("10", "9", "100"):
        Website.objects.create(integration=integration, remote_id=remote_id, code=f"w{remote_id}", name=remote_id)
    assert list(Website.objects.filter(integration=integration).values_list("remote_id", flat=True)) == [
        "9",
        "10",
        "100",
    ]
