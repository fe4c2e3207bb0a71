"""A client of the OroCommerce simulator's control endpoints (not Oro's API)."""

from typing import Any

from integrations.simulators.common.control import SimulatorControl


class OroCommerceControl(SimulatorControl):
    """`/_sim/*` of an OroCommerce simulator: stats, touch, delete, faults, and what it holds."""

    def records(self, type_: str) -> list[dict[str, Any]]:
        """Every stored resource of a JSON:API type (what was pushed), as resource objects."""
        return self._get("/_sim/records", type=type_)
