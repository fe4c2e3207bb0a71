from django.core.management.base import CommandError

from integrations.models import Integration


def get_integration(integration_id: int) -> Integration:
    try:
        return Integration.objects.select_related("channel").get(pk=integration_id)
    except Integration.DoesNotExist:
        raise CommandError(f"No integration with id {integration_id}") from None
