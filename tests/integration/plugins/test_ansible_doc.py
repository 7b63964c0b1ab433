"""ansible-doc renders every doc stub of plugins/modules, its fragments merged, as an admin reads it.

The stubs are found by listing the folder; what the documentation says is checked against the
code in tests/unit/plugins/test_plugin_documentation.py.
"""

from __future__ import annotations

import importlib
import json
import re

import pytest
import yaml
from ansible_collections.vncustoms.vnaccs.plugins.doc_fragments import windows_connection

from tests.support.ansible_cli import run_ansible
from tests.support.fixture_files import ROOT

MODULES = ROOT / "collections" / "ansible_collections" / "vncustoms" / "vnaccs" / "plugins" / "modules"
NAMES = sorted(path.stem for path in MODULES.glob("*.py") if path.stem != "__init__")
CONNECTION = yaml.safe_load(windows_connection.ModuleDocFragment.DOCUMENTATION)


def ansible_doc(*args: str) -> str:
    collections = {"ANSIBLE_COLLECTIONS_PATH": str(ROOT / "collections")}
    result = run_ansible("ansible-doc", "-t", "module", *args, env=collections)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr, result.stderr
    return result.stdout


def uses_the_connection_fragment(name: str) -> bool:
    module = importlib.import_module(f"ansible_collections.vncustoms.vnaccs.plugins.modules.{name}")
    extends = yaml.safe_load(module.DOCUMENTATION).get("extends_documentation_fragment", [])
    return "vncustoms.vnaccs.windows_connection" in extends


def documented_options(name: str) -> set[str]:
    """The options of the stub's own DOCUMENTATION and those its collection's fragments add."""
    module = importlib.import_module(f"ansible_collections.vncustoms.vnaccs.plugins.modules.{name}")
    doc = yaml.safe_load(module.DOCUMENTATION)
    options = set(doc["options"])
    for fragment in doc.get("extends_documentation_fragment", []):
        short = fragment.removeprefix("vncustoms.vnaccs.")
        if short != fragment:
            fragment_module = importlib.import_module(
                f"ansible_collections.vncustoms.vnaccs.plugins.doc_fragments.{short}"
            )
            options |= set(yaml.safe_load(fragment_module.ModuleDocFragment.DOCUMENTATION).get("options", {}))
    return options


def test_every_doc_stub_is_listed():
    listed = json.loads(ansible_doc("--list", "--json", "vncustoms.vnaccs"))
    assert sorted(name.removeprefix("vncustoms.vnaccs.") for name in listed) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_the_text_shows_every_option(name):
    text = ansible_doc(f"vncustoms.vnaccs.{name}")
    rendered = set(re.findall(r"^[-=] (\w+)", text, re.MULTILINE))  # `= ` marks a required option
    assert documented_options(name) <= rendered, documented_options(name) - rendered
    if uses_the_connection_fragment(name):
        assert "set_via:" in text and "authentication_failed" in text


@pytest.mark.parametrize("name", NAMES)
def test_the_json_carries_the_fragment(name):
    doc = json.loads(ansible_doc("--json", f"vncustoms.vnaccs.{name}"))[f"vncustoms.vnaccs.{name}"]["doc"]
    assert set(doc["options"]) == documented_options(name)
    if uses_the_connection_fragment(name):
        assert doc["options"]["ansible_password"]["vars"] == [{"name": "ansible_password"}]
        # ansible-doc appends the fragment's notes to the stub's own.
        assert doc["notes"][-len(CONNECTION["notes"]) :] == CONNECTION["notes"]
