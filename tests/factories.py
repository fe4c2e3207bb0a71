"""Named fixtures for tests: readable objects, not magic numbers."""

from integrations.models import Integration
from integrations.services import integration_create

GENERIC = {"default_owner", "sync_interval_minutes", "two_way_sync", "sync_priority", "enabled"}
CREATE = {"owner", "channel_name", "channel_active"}


def magento_integration(
    name: str = "Ann's store", url: str = "http://127.0.0.1:9/api/v2_soap/?wsdl=1", **options
) -> Integration:
    """A Magento 1 integration; options are its settings (api_user, mode...) or generic fields."""
    options.setdefault("api_user", "demo")
    options.setdefault("api_key", "demo-key-123")
    options.setdefault("sync_start_date", "2000-01-01")
    generic = {k: options.pop(k) for k in list(options) if k in GENERIC | CREATE}
    return integration_create(
        name=name, integration_type="magento1", settings_values={"api_url": url, **options}, **generic
    )
