"""What the integration tests share: the lab account, a host's connection variables, and a way to
run an action plugin against a winlab host as Ansible would."""

from __future__ import annotations

from unittest.mock import MagicMock

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

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


def run_action(
    action_class, action_name: str, lab: Lab, name: str, args: dict, check_mode=False, diff=True, **extra
):
    """Run a Windows action plugin for host `name` of `lab`, with the task settings Ansible passes."""
    task = MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = check_mode
    task.diff = diff
    task.action = action_name
    loader = DataLoader()
    action = action_class(
        task=task,
        connection=MagicMock(),
        play_context=MagicMock(),
        loader=loader,
        templar=Templar(loader=loader),
        shared_loader_obj=None,
    )
    return action.run(task_vars={"inventory_hostname": name, **host_vars(lab, name, **extra)})
