"""run_base_server_demo: two runs of playbooks/base_servers.yml, the second must change nothing."""

from __future__ import annotations

import pytest
from invoke import MockContext, Result

from tasklib.base import run_base_server_demo


def recap(changed: int, failed: int = 0) -> str:
    return (
        "PLAY RECAP *********************************************************************\n"
        f"base-ha-noi                : ok=7    changed={changed}    unreachable=0    failed={failed}\n"
        "base-tong-cuc              : ok=7    changed=0    unreachable=0    failed=0\n"
    )


def context(*outputs: str, exited: int = 0) -> MockContext:
    command = "ansible-playbook -i /lab/inventory playbooks/base_servers.yml"
    return MockContext(run={command: [Result(stdout=out, exited=exited) for out in outputs]}, repeat=False)


def test_demo_passes_when_the_second_run_changes_nothing(capsys):
    again = run_base_server_demo(context(recap(1), recap(0)), "/lab/inventory")
    assert again.total("changed") == 0
    assert sorted(again.hosts) == ["base-ha-noi", "base-tong-cuc"]
    assert "second run changed nothing" in capsys.readouterr().out


def test_demo_fails_when_the_second_run_changes_something():
    with pytest.raises(SystemExit, match="not idempotent: changed on base-ha-noi"):
        run_base_server_demo(context(recap(1), recap(1)), "/lab/inventory")


def test_demo_fails_when_the_first_run_fails():
    with pytest.raises(SystemExit, match="first run failed"):
        run_base_server_demo(context(recap(1, failed=1)), "/lab/inventory")
