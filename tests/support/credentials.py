"""The accounts the test labs accept.

The WinRM account is winlab's test account (`winlab.testing`), so a lab from the
`winlab_factory` fixture and a lab started by these helpers take the same login.
"""

from __future__ import annotations

from winlab.testing import PASSWORD, USER

# The login and enable secret every simulated switch of the tests is given.
SWITCH_USER = "netops"
SWITCH_PASSWORD = "login-pw"
SWITCH_ENABLE_SECRET = "enable-pw"

__all__ = ["PASSWORD", "SWITCH_ENABLE_SECRET", "SWITCH_PASSWORD", "SWITCH_USER", "USER"]
