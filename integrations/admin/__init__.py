from integrations.admin.integration import IntegrationAdmin
from integrations.admin.runs import QuarantinedRecordAdmin, SyncRunAdmin

__all__ = ["IntegrationAdmin", "QuarantinedRecordAdmin", "SyncRunAdmin"]
