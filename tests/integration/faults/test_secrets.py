"""Secrets never printed: a run at -vvv with --diff, one host refusing its password, prints no
password anywhere, and writes none to any file (Ansible's log and temporary folder, the
controller's record of failed logons)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.ansible_cli import run_ansible_playbook
from tests.support.credentials import PASSWORD, USER
from tests.support.lab_runs import DOMAIN_USER, dhcp_inventory, recap, running_lab

pytestmark = [pytest.mark.slow, pytest.mark.fault]

DOMAIN_PASSWORD = "Domain-Secret-7q"
WRONG = "Refused-Secret-3x"


def files_under(*folders: Path) -> list[Path]:
    return [path for folder in folders for path in folder.rglob("*") if path.is_file()]


def test_no_password_appears_in_a_very_verbose_run_or_in_any_file_it_writes(
    tmp_path, private_controller_state
):
    hosts = {"dhcp-a": "2003", "dhcp-b": "2008", "dhcp-refused": "2003"}
    accounts = {USER: PASSWORD, DOMAIN_USER: DOMAIN_PASSWORD}
    with running_lab(tmp_path / "lab", hosts, accounts) as lab:
        inventory = dhcp_inventory(lab, ["dhcp-a"], USER, PASSWORD)
        servers = inventory["all"]["children"]["dhcp_servers"]["hosts"]
        servers.update(
            dhcp_inventory(lab, ["dhcp-b"], DOMAIN_USER, DOMAIN_PASSWORD)["all"]["children"]["dhcp_servers"][
                "hosts"
            ]
        )
        servers.update(
            dhcp_inventory(lab, ["dhcp-refused"], USER, WRONG)["all"]["children"]["dhcp_servers"]["hosts"]
        )
        run_dir = tmp_path / "run"
        run_dir.mkdir()
        env = {"ANSIBLE_LOG_PATH": str(run_dir / "ansible.log"), "ANSIBLE_LOCAL_TEMP": str(run_dir / "tmp")}
        run = run_ansible_playbook("dhcp.yml", inventory, run_dir, "-vvv", "--diff", env=env)

    counts = recap(run).hosts
    assert counts["dhcp-a"]["changed"] == counts["dhcp-b"]["changed"] == 1, run.stdout
    assert counts["dhcp-refused"]["failed"] == 1
    assert "netsh exec" in run.stdout and "authentication failed" in run.stdout  # it did say things
    written = [
        path for path in files_under(run_dir, private_controller_state) if path.name != "inventory.yml"
    ]
    assert run_dir / "ansible.log" in written and any(path.suffix == ".failed" for path in written)
    for secret in (PASSWORD, DOMAIN_PASSWORD, WRONG):
        assert secret not in run.stdout and secret not in run.stderr
        for path in written:
            assert secret.encode() not in path.read_bytes(), path
