"""Every plugin's documentation against its code, the plugins found by listing the collection's folders.

- An action plugin's doc stub (plugins/modules/NAME.py, its fragments merged as ansible-doc merges
  them) documents exactly the argument spec the plugin validates its task arguments against.
- A Windows action plugin documents, through the windows_connection fragment, exactly the host
  variables it connects with; the return values every Windows plugin shares are listed once, in
  that fragment, and no doc stub repeats them.
- The inventory plugin reads every option it documents, and documents every option it reads.

ansible-doc itself renders them in tests/integration/plugins/test_ansible_doc.py.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
import yaml
from ansible import constants
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.utils.plugin_docs import get_docstring
from ansible_collections.vncustoms.vnaccs.plugins.doc_fragments import windows_connection
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_action import (
    CONNECTION_VARS,
    WindowsAction,
)

from tests.support.action import common_returns_named_in, make_action
from tests.support.fixture_files import ROOT

COLLECTION = "vncustoms.vnaccs"
PLUGINS = ROOT / "collections" / "ansible_collections" / "vncustoms" / "vnaccs" / "plugins"


def plugin_names(kind: str) -> list[str]:
    return sorted(path.stem for path in (PLUGINS / kind).glob("*.py") if path.stem != "__init__")


def plugin_module(kind: str, name: str):
    return importlib.import_module(f"ansible_collections.vncustoms.vnaccs.plugins.{kind}.{name}")


ACTIONS = plugin_names("action")
WINDOWS_ACTIONS = [
    name for name in ACTIONS if issubclass(plugin_module("action", name).ActionModule, WindowsAction)
]
INVENTORIES = plugin_names("inventory")
FRAGMENTS = plugin_names("doc_fragments")


class FragmentLoader:
    """ansible-doc's doc_fragments lookup, for this collection's fragments and ansible-core's."""

    def get(self, name: str):
        namespace, _, short = name.rpartition(".")
        if namespace in ("", "ansible.builtin"):
            module, full_name = f"ansible.plugins.doc_fragments.{short}", f"ansible.builtin.{short}"
        else:
            module, full_name = f"ansible_collections.{namespace}.plugins.doc_fragments.{short}", name
        try:
            fragment = importlib.import_module(module).ModuleDocFragment
        except ModuleNotFoundError:
            return None  # ansible-doc then tries NAME as FRAGMENT.VARIABLE
        return type(fragment.__name__, (fragment,), {"ansible_name": full_name})


def documentation(kind: str, name: str) -> tuple[dict, dict]:
    """(DOCUMENTATION with its fragments merged, RETURN) of a plugin, read as ansible-doc reads them."""
    path = PLUGINS / kind / f"{name}.py"
    plugin_type = "module" if kind == "modules" else kind
    doc, _examples, returns, _metadata = get_docstring(
        str(path), FragmentLoader(), collection_name=COLLECTION, plugin_type=plugin_type
    )
    return doc, returns or {}


def own_documentation(kind: str, name: str) -> dict:
    """The plugin's own DOCUMENTATION, without its fragments."""
    return yaml.safe_load(plugin_module(kind, name).DOCUMENTATION)


def task_options(options: dict) -> dict:
    """The options a task sets; those set through `vars` are host variables."""
    return {name: option for name, option in options.items() if "vars" not in option}


class SpecSeen(Exception):
    pass


def argument_spec(name: str) -> dict[str, Any]:
    """The argument spec the plugin validates a task's arguments against, caught as it passes it."""
    action = make_action(plugin_module("action", name).ActionModule, {})
    seen: dict[str, Any] = {}

    def validate_argument_spec(argument_spec=None, **rules):
        seen.update(argument_spec)
        raise SpecSeen

    action.validate_argument_spec = validate_argument_spec
    with pytest.raises(SpecSeen):
        action.run(task_vars={"inventory_hostname": "docs"})
    return seen


# What each side means when it leaves a key out.
UNSET = {
    "type": "str",
    "required": False,
    "default": None,
    "choices": None,
    "elements": None,
    "aliases": None,
}


def differences(documented: dict, spec: dict, where: str = "") -> list[str]:
    """Where the documented options and the argument spec disagree, one line each."""
    problems = []
    for name in sorted(set(documented) | set(spec)):
        path = f"{where}{name}"
        if name not in spec:
            problems.append(f"{path}: documented, but not in the argument spec")
            continue
        if name not in documented:
            problems.append(f"{path}: in the argument spec, but not documented")
            continue
        for key, unset in UNSET.items():
            said, taken = documented[name].get(key, unset), spec[name].get(key, unset)
            if said != taken:
                problems.append(f"{path}: {key} is {said!r} in the documentation, {taken!r} in the spec")
        problems += differences(
            documented[name].get("suboptions", {}), spec[name].get("options", {}), f"{path}."
        )
    return problems


def test_the_plugin_folders_are_found():
    assert {"dhcp_server", "base_server", "ios_helper_address"} <= set(ACTIONS)
    assert {"dhcp_server", "base_server"} <= set(WINDOWS_ACTIONS)
    assert INVENTORIES == ["sites"]


def test_every_action_plugin_has_a_doc_stub_and_every_doc_stub_a_plugin():
    assert plugin_names("modules") == ACTIONS


@pytest.mark.parametrize("name", ACTIONS)
def test_the_documented_options_are_the_argument_spec(name):
    doc, _ = documentation("modules", name)
    assert doc["module"] == name
    assert differences(task_options(doc["options"]), argument_spec(name)) == []


@pytest.mark.parametrize("name", WINDOWS_ACTIONS)
def test_a_windows_action_documents_the_host_variables_it_connects_with(name):
    extends = own_documentation("modules", name).get("extends_documentation_fragment", [])
    assert f"{COLLECTION}.windows_connection" in extends
    doc, _ = documentation("modules", name)
    host_variables = {
        variable["name"] for option in doc["options"].values() for variable in option.get("vars", [])
    }
    assert host_variables == set(CONNECTION_VARS)


def common_return_values() -> set[str]:
    """The return values the windows_connection fragment lists once for every Windows plugin."""
    return common_returns_named_in(windows_connection.ModuleDocFragment.DOCUMENTATION)


def test_the_fragment_lists_the_common_return_values_once():
    assert common_return_values() == {
        "commands",
        "steps",
        "reboot_required",
        "windows_version",
        "authentication_failed",
        "account_held",
        "account_locked",
    }


@pytest.mark.parametrize("name", WINDOWS_ACTIONS)
def test_a_windows_action_documents_only_its_own_return_values(name):
    # The common ones are the fragment's (one place); a doc stub repeating one would drift from it.
    _, returns = documentation("modules", name)
    assert returns, f"{name} documents no return values of its own"
    assert not set(returns) & common_return_values()


@pytest.mark.parametrize("name", FRAGMENTS)
def test_every_fragment_is_used(name):
    users = [
        plugin
        for kind in ("modules", "inventory")
        for plugin in plugin_names(kind)
        if f"{COLLECTION}.{name}" in own_documentation(kind, plugin).get("extends_documentation_fragment", [])
    ]
    assert users, f"no plugin extends {COLLECTION}.{name}"


@pytest.mark.parametrize("name", INVENTORIES)
def test_the_inventory_plugin_reads_the_options_it_documents(name, monkeypatch):
    doc, _ = documentation("inventory", name)
    plugin = plugin_module("inventory", name).InventoryModule()
    # What Ansible's plugin loader does: name the plugin and register its documented options.
    plugin._load_name = plugin.NAME
    constants.config.initialize_plugin_configuration_definitions("inventory", plugin.NAME, doc["options"])
    read = set()
    get_option = plugin.get_option

    def recording_get_option(option, hostvars=None):
        read.add(option)
        return get_option(option, hostvars)

    monkeypatch.setattr(plugin, "get_option", recording_get_option)
    config = ROOT / "inventory" / f"vnaccs.{name}.yml"
    plugin.parse(InventoryData(), DataLoader(), str(config))

    # `plugin` only names the plugin in its configuration file; Ansible reads it, not the plugin.
    own = set(own_documentation("inventory", name)["options"]) - {"plugin"}
    assert own - read == set(), "documented, never read"
    assert read - set(doc["options"]) == set(), "read, never documented"


def test_differences_name_each_disagreement():
    documented = {
        "a": {"type": "int", "default": 1},
        "b": {"type": "list", "elements": "dict", "suboptions": {"c": {"required": True}}},
        "d": {},
    }
    spec = {"a": {"type": "int", "default": 2}, "b": {"type": "list", "elements": "dict", "options": {}}}
    assert differences(documented, spec) == [
        "a: default is 1 in the documentation, 2 in the spec",
        "b.c: documented, but not in the argument spec",
        "d: documented, but not in the argument spec",
    ]
    assert differences({"x": {"type": "str"}}, {"x": {}}) == []
