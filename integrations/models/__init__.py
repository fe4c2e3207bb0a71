from integrations.models.integration import ConnectionCheck, Integration
from integrations.models.runs import Checkpoint, QuarantinedRecord, SyncRun, SyncRunEntity

__all__ = ["Checkpoint", "ConnectionCheck", "Integration", "QuarantinedRecord", "SyncRun", "SyncRunEntity"]
