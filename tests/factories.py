"""Named fixtures for tests: readable objects, not magic numbers."""

from integrations.models import Integration
from integrations.services import integration_create


def magento_integration(
    name: str = "Ann's store", url: str = "http://127.0.0.1:9/api/v2_soap/?wsdl=1", **options
) -> Integration:
    options.setdefault("api_user", "demo")
    options.setdefault("api_key", "demo-key-123")
    options.setdefault("sync_start_date", "2000-01-01")
    return integration_create(name=name, api_url=url, **options)
