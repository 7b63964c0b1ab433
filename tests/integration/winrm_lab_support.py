"""What the integration tests share: the lab account and a host's connection variables."""

from __future__ import annotations

from winlab.lab import Lab

USER, PASSWORD = "Administrator", "Lab-Test-Pa55"


def host_vars(lab: Lab, name: str, **extra) -> dict:
    return {
        "ansible_host": "127.0.0.1",
        "ansible_port": lab.runtime(name).http_port,
        "ansible_user": USER,
        "ansible_password": PASSWORD,
        **extra,
    }
