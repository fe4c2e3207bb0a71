"""The periodic jobs, run by `manage.py rqcron oroint.cron` (one process; RQ workers execute them)."""

from rq import cron

from channels.jobs import resume_channel_deletions
from integrations.jobs import dispatch_due_syncs, dispatch_housekeeping, prune_history

# One tick a minute queues the syncs that are due; each integration says how often it wants one.
cron.register(dispatch_due_syncs, queue_name="default", interval=60, job_timeout=120)
# Old run logs and resolved quarantine records go once an hour (OROINT_PRUNE_AFTER_DAYS).
cron.register(prune_history, queue_name="default", interval=3600, job_timeout=1800)
# Each integration's daily upkeep (Magento: expire the carts the store dropped, mark abandoned ones lost).
cron.register(dispatch_housekeeping, queue_name="default", interval=86400, job_timeout=120)
# A channel deletion whose job died (its worker was killed, Redis was flushed) is queued again.
cron.register(resume_channel_deletions, queue_name="default", interval=600, job_timeout=120)
