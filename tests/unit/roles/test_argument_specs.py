"""Every role's API agrees with itself: meta/argument_specs.yml against defaults/main.yml.

Runs for each `roles/*` that has an argument spec. The spec of the `main` entry point must list
exactly the variables of defaults/main.yml, with the same default value, every name must start
with the role's name, and every default must have a comment just above it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.fixture_files import ROOT

ROLES = ROOT / "roles"
ROLES_WITH_SPECS = sorted(p.parent.parent for p in ROLES.glob("*/meta/argument_specs.yml"))


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def main_options(role: Path) -> dict:
    return load(role / "meta" / "argument_specs.yml")["argument_specs"]["main"].get("options", {})


def defaults(role: Path) -> dict:
    path = role / "defaults" / "main.yml"
    return load(path) if path.exists() else {}


def test_there_is_a_role_to_check():
    assert ROLES_WITH_SPECS, "no role has meta/argument_specs.yml"


@pytest.mark.parametrize("role", ROLES_WITH_SPECS, ids=lambda p: p.name)
def test_spec_and_defaults_list_the_same_variables(role):
    spec, values = main_options(role), defaults(role)
    assert set(values) - set(spec) == set(), "in defaults/main.yml but not in the argument spec"
    optional = {name for name, option in spec.items() if not option.get("required", False)}
    assert optional - set(values) == set(), "optional in the argument spec but without a default"


@pytest.mark.parametrize("role", ROLES_WITH_SPECS, ids=lambda p: p.name)
def test_spec_defaults_equal_the_defaults_file(role):
    spec, values = main_options(role), defaults(role)
    mismatched = {
        name: (spec[name].get("default"), value)
        for name, value in values.items()
        if name in spec and spec[name].get("default") != value
    }
    assert mismatched == {}, "argument spec default != defaults/main.yml (spec, defaults)"


@pytest.mark.parametrize("role", ROLES_WITH_SPECS, ids=lambda p: p.name)
def test_variables_start_with_the_role_name(role):
    names = set(main_options(role)) | set(defaults(role))
    assert {n for n in names if not n.startswith(f"{role.name}_")} == set()


@pytest.mark.parametrize("role", ROLES_WITH_SPECS, ids=lambda p: p.name)
def test_every_default_has_a_comment_above_it(role):
    path = role / "defaults" / "main.yml"
    if not path.exists():
        pytest.skip("no defaults/main.yml")
    lines = path.read_text(encoding="utf-8").splitlines()
    top_level = [i for i, line in enumerate(lines) if line and line[0].isalpha() and ":" in line]
    uncommented = [lines[i].split(":")[0] for i in top_level if i == 0 or not lines[i - 1].startswith("#")]
    assert uncommented == []


@pytest.mark.parametrize("role", ROLES_WITH_SPECS, ids=lambda p: p.name)
def test_nested_options_are_typed(role):
    def untyped(options: dict, prefix: str) -> list[str]:
        found = []
        for name, option in options.items():
            if "type" not in option:
                found.append(prefix + name)
            found += untyped(option.get("options", {}), f"{prefix}{name}.")
        return found

    assert untyped(main_options(role), "") == []
