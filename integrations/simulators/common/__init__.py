"""What every simulator here shares: the threaded keep-alive HTTP server, seeded fault injection,
the `/_sim/*` control routes and their client."""

from .control import SimulatorControl
from .faults import FaultInjector, FaultSettings
from .server import RunningSimulator, SimulatorApp, serve

__all__ = ["FaultInjector", "FaultSettings", "RunningSimulator", "SimulatorApp", "SimulatorControl", "serve"]
