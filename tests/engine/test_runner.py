"""The run's own bookkeeping."""

import pytest

from integrations.engine.run import LOG_LIMIT, run_log
from integrations.models import SyncRun
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db


def test_a_run_log_keeps_its_newest_lines_within_bounds():
    run = SyncRun.objects.create(integration=magento_integration())
    for i in range(LOG_LIMIT // 50):
        run_log(run.pk, f"retry number {i:06d} " + "x" * 30)
    run.refresh_from_db()
    assert len(run.log) <= LOG_LIMIT + 100
    assert run.log.startswith("(earlier lines dropped)")
    assert f"retry number {LOG_LIMIT // 50 - 1:06d}" in run.log.splitlines()[-1]
