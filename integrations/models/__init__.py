from integrations.models.bindings import Binding, PendingPush
from integrations.models.integration import ConnectionCheck, Integration
from integrations.models.runs import Checkpoint, QuarantinedRecord, SyncRun, SyncRunEntity

__all__ = [
    "Binding",
    "Checkpoint",
    "ConnectionCheck",
    "Integration",
    "PendingPush",
    "QuarantinedRecord",
    "SyncRun",
    "SyncRunEntity",
]
