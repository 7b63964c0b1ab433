"""The Windows host model: state, profiles and the commands it answers."""

from winlab.model import files, net, netsh, services, system  # noqa: F401  (these register their commands)
from winlab.model.host import Host, Result

__all__ = ["Host", "Result"]
