"""The Windows host model: state, profiles and the commands it answers."""

from winlab.model import (  # noqa: F401  (these register their commands)
    files,
    ftpclient,
    iis,
    installers,
    msi,
    net,
    netsh,
    network,
    registry,
    security,
    services,
    tasks,
)
from winlab.model.host import Host, Result

__all__ = ["Host", "Result"]
