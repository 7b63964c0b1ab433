"""What `ansible-inventory --list` prints for the site inventory: what AWX stores as its inventory.

The site data comes out as plain values (no `{"__ansible_unsafe": ...}` wrapper, which AWX keeps as
it is), while a string that could be a template stays protected: it is never run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.support.ansible_cli import run_ansible

pytestmark = pytest.mark.slow

TEMPLATE = "{{ lookup('ansible.builtin.pipe', 'echo templated-by-ansible') }}"


def wrapped_values(value, path="") -> list[str]:
    """The paths of every value written as {"__ansible_unsafe": ...}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return [path]
        return [found for key, item in value.items() for found in wrapped_values(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [
            found for index, item in enumerate(value) for found in wrapped_values(item, f"{path}[{index}]")
        ]
    return []


@pytest.fixture
def inventory_with_a_template(inventory_copy: Path) -> tuple[Path, str]:
    """The tests' inventory with one host carrying a variable that holds a template."""
    config = inventory_copy / "vnaccs.sites.yml"
    listed = json.loads(run_ansible("ansible-inventory", "-i", str(config), "--list").stdout)
    host = sorted(listed["_meta"]["hostvars"])[0]
    (inventory_copy / "overlay.yml").write_text(
        yaml.safe_dump({host: {"site_note": TEMPLATE}}), encoding="utf-8"
    )
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["host_vars_overlay"] = "overlay.yml"
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return config, host


def test_the_site_data_is_listed_as_plain_values(inventory_with_a_template):
    config, host = inventory_with_a_template
    listed = run_ansible("ansible-inventory", "-i", str(config), "--list")
    assert listed.returncode == 0, listed.stderr
    hostvars = json.loads(listed.stdout)["_meta"]["hostvars"]
    assert len(hostvars) > 100
    wrapped = wrapped_values(hostvars)
    # Only the string that could be a template is protected.
    assert wrapped == [f".{host}.site_note"]
    assert hostvars[host]["site_note"] == {"__ansible_unsafe": TEMPLATE}
    some_site = next(values for values in hostvars.values() if "dhcp_scopes" in values)
    assert isinstance(some_site["dhcp_scopes"][0]["address"], str)


def test_a_template_in_the_data_is_never_run(inventory_with_a_template):
    config, host = inventory_with_a_template
    shown = run_ansible(
        "ansible",
        "-i",
        str(config),
        host,
        "-c",
        "local",
        "-m",
        "ansible.builtin.debug",
        "-a",
        "var=site_note",
    )
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "templated-by-ansible" not in shown.stdout.replace("echo templated-by-ansible", "")
    assert "site_note: '{{ lookup(" in shown.stdout  # shown as written
