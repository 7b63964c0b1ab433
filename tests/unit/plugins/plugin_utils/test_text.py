"""The text rules shared by the site data and the Windows plugins (plugin_utils/text.py)."""

from __future__ import annotations

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.text import (
    SCOPE_TEXT_MAX_LENGTH,
    domain_name_problem,
    is_ascii,
    is_domain_name,
    netbios_name_problem,
    scope_text_problem,
)


@pytest.mark.parametrize(
    "name",
    ["customs.gov.vn", "laocai.customs.gov.vn", "a", "x-1.y-2", ".".join(["a" * 63] * 3 + ["b" * 61])],
)
def test_dns_domain_names_are_accepted(name):
    assert domain_name_problem(name) is None and is_domain_name(name)


@pytest.mark.fault
@pytest.mark.parametrize(
    "name",
    [
        "",
        "bad domain",
        "a..b",
        "customs.gov.vn.",
        "-a.vn",
        "a-.vn",
        "hải.vn",
        "a" * 64 + ".vn",
        ".".join(["a" * 63] * 4),
        None,
        7,
    ],
)
def test_names_dns_cannot_hold_are_refused(name):
    assert domain_name_problem(name) is not None and not is_domain_name(name)


@pytest.mark.parametrize("name", ["PC01", "TS-HQ01", "A", "X" * 15, "pc_01", "PC.01"])
def test_netbios_computer_names_are_accepted(name):
    assert netbios_name_problem(name) is None


@pytest.mark.fault
@pytest.mark.parametrize(
    "name",
    [
        "",
        "X" * 16,
        "Máy01",
        *(f"PC{char}01" for char in '\\/:*?"<>|[]+=;,'),
        "PC\t01",
        " PC01",
        "PC01 ",
        ".PC01",
        "2024",
        None,
    ],
)
def test_names_windows_cannot_take_as_a_computer_name_are_refused(name):
    assert netbios_name_problem(name) is not None


def test_is_ascii():
    assert is_ascii("1BTS001") and not is_ascii("1BTSƯ01") and not is_ascii(1001)


@pytest.mark.fault
@pytest.mark.parametrize("text", ['CC "HQ"', "50%", "a\nb", "Chi cục", "x" * (SCOPE_TEXT_MAX_LENGTH + 1)])
def test_scope_texts_netsh_cannot_take_are_refused(text):
    assert scope_text_problem(text) is not None


def test_a_scope_text_of_the_longest_length_is_accepted():
    assert scope_text_problem("x" * SCOPE_TEXT_MAX_LENGTH) is None
