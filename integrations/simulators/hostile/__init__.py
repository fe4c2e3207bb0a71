"""A hostile HTTP proxy in front of any simulator: it can change any answer, header or timing.

Real stores break in ways a well-behaved simulator never does: a clock in the future, an id far
above the others, a 10 MB value, an endless or dripping answer, a cut connection, a redirect to
another host. The proxy forwards every request to its upstream (a simulator) and applies the
rules set through `POST /_hostile/rules`; see `rules.py` for what a rule can do.
"""

from integrations.simulators.hostile.control import HostileControl
from integrations.simulators.hostile.proxy import HostileProxy, start_proxy
from integrations.simulators.hostile.rules import Rule

__all__ = ["HostileControl", "HostileProxy", "Rule", "start_proxy"]
