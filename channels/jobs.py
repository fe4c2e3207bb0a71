"""RQ entry points of the channels app: thin wrappers that call services with ids (jobs are serialised)."""

from channels import deletion


def channel_delete_job(channel_id: int) -> dict[str, int]:
    return deletion.channel_delete_execute(channel_id=channel_id)
