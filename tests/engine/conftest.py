"""The fake connector's remote system and an integration of it, for the engine's tests."""

import pytest

from integrations import services
from tests.fakeconnector.remote import FakeRemote


@pytest.fixture
def remote(tmp_path) -> FakeRemote:
    return FakeRemote(tmp_path / "remote.json")


@pytest.fixture
def fake(remote):
    return services.integration_create(
        name="Fake shop", integration_type="fake", settings_values={"remote_path": str(remote.path), "page_size": 3}
    )
