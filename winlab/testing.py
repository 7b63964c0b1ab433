"""Helpers for tests that drive emulated hosts (the fixtures themselves are in winlab.pytest_plugin)."""

from __future__ import annotations

from winlab.lab import Lab

USER = "Administrator"
PASSWORD = "Winlab-Test-Pa55"


def winlab_session(lab: Lab, name: str, transport: str = "ntlm"):
    """A pywinrm session to one emulated host, as the roles open them (NTLM, encrypted, over HTTP)."""
    import winrm

    url = f"http://127.0.0.1:{lab.runtime(name).http_port}/wsman"
    # Validation is off only so pywinrm does not read CA settings from the environment: this is HTTP.
    return winrm.Session(url, auth=(USER, PASSWORD), transport=transport, server_cert_validation="ignore")
