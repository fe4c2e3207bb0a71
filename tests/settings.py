"""The project's settings plus the connector that exists only in the tests."""

import os

# Small limits on remote calls, so that a test meeting a hostile store fails in seconds instead of
# hanging; set before the project's settings read them, and inherited by the worker processes.
os.environ.setdefault("OROINT_CALL_DEADLINE", "30")
os.environ.setdefault("OROINT_MAX_RESPONSE_MB", "16")

from oroint.settings import *  # noqa: F403
from oroint.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.fakeconnector"]
