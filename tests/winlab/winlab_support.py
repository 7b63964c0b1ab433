"""Helpers for the winlab tests: the fixture index, a pywinrm client, the control interface."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import winrm
import yaml

from winlab.lab import Lab

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "windows"
USER, PASSWORD = "Administrator", "Lab-Test-Pa55"
# Fresh hosts of every profile for the command tests (the fixture hosts come from index.yml).
FRESH_HOSTS = {"srv2003": "2003", "srv2008": "2008", "wsxp": "xp", "ws7": "7"}


def load_index() -> dict:
    return yaml.safe_load((FIXTURES / "index.yml").read_text(encoding="utf-8"))


class Client:
    """pywinrm as the roles use it, bound to one emulated host."""

    def __init__(self, lab: Lab, name: str, transport: str = "ntlm", password: str = PASSWORD) -> None:
        self.lab = lab
        runtime = lab.runtime(name)
        self.url = f"http://127.0.0.1:{runtime.http_port}/wsman"
        # Certificate validation is off only to keep pywinrm from reading CA settings from the
        # environment; these sessions are plain HTTP.
        self.session = winrm.Session(
            self.url, auth=(USER, password), transport=transport, server_cert_validation="ignore"
        )

    def run(self, command: str) -> winrm.Response:
        return self.session.run_cmd(command)

    def ok(self, command: str) -> str:
        response = self.run(command)
        assert response.status_code == 0, (command, response.std_out, response.std_err)
        return response.std_out.decode("cp437")


def control(lab: Lab, method: str, path: str, payload: dict | None = None) -> dict:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(lab.control_url + path, data=data, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())
