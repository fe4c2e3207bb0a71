"""The project's settings plus the connector that exists only in the tests."""

from oroint.settings import *  # noqa: F403
from oroint.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.fakeconnector"]
