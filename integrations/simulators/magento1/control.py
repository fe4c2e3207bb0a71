"""The control client of the Magento simulator is the simulators' common one."""

from integrations.simulators.common.control import SimulatorControl

__all__ = ["SimulatorControl"]
