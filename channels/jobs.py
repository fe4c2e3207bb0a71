"""RQ entry points of the channels app: thin wrappers that call services with ids (jobs are serialised)."""

from channels import deletion


def channel_delete_job(channel_id: int) -> dict[str, int]:
    return deletion.channel_delete_execute(channel_id=channel_id)


def resume_channel_deletions() -> int:
    """The scheduler's check for deletions that no job carries on any more (see oroint/cron.py)."""
    return deletion.channel_delete_resume()
