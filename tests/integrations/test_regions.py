"""Regions end to end, bridge (oroRegionList in pages of 500) and native (per country), at most once a day."""

import datetime

import pytest

from channels.models import Region
from integrations.connectors.magento1.transport import MagentoSoapClient
from integrations.models import Checkpoint, SyncRun
from integrations.services import sync_schedule
from tests.factories import magento_integration


def sync(integration, run_worker) -> SyncRun:
    run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.message}\n{run.log}"
    return run


@pytest.mark.parametrize("mode", ["bridge", "native"])
def test_regions_are_read_at_most_once_a_day(mode, magento, run_worker):
    sim = magento(customers=10, orders=10, mode=mode)
    integration = magento_integration(url=sim.wsdl_url)
    first = sync(integration, run_worker)
    store = sim.stats()
    assert Region.objects.filter(integration=integration).count() == store["regions"] > 0
    assert first.entities.get(entity="regions").created == store["regions"]
    calls = store["calls"]
    if mode == "bridge":
        assert calls["oroRegionList"] == store["regions"] // 500 + 1  # pages of 500 until a short one
        assert "directoryRegionList" not in calls
    else:
        countries = len(store_countries(sim))
        assert (calls["directoryCountryList"], calls["directoryRegionList"]) == (1, countries)
        assert "oroRegionList" not in calls
    assert Region.objects.get(integration=integration, country_code="US", code="TX").name == "Texas"

    # Within 24 hours: nothing is asked for regions.
    before = region_calls(sim)
    second = sync(integration, run_worker)
    assert second.entities.get(entity="regions").read == 0
    assert region_calls(sim) == before

    # A day later they are read again (unchanged: skipped, nothing duplicated).
    checkpoint = Checkpoint.objects.get(integration=integration, entity="regions")
    read_at = datetime.datetime.fromisoformat(checkpoint.state["read_at"]) - datetime.timedelta(hours=25)
    checkpoint.state = {**checkpoint.state, "read_at": read_at.isoformat()}
    checkpoint.save()
    third = sync(integration, run_worker).entities.get(entity="regions")
    assert (third.read, third.skipped, third.created) == (store["regions"], store["regions"], 0)
    assert Region.objects.filter(integration=integration).count() == store["regions"]


def region_calls(sim) -> dict[str, int]:
    return {name: n for name, n in sim.stats()["calls"].items() if "Region" in name}


def store_countries(sim) -> list[dict]:
    client = MagentoSoapClient(wsdl_url=sim.wsdl_url, api_user=sim.api_user, api_key=sim.api_key)
    return client.call("directoryCountryList") or []
