"""The Kea backend's subnets: the same checks as the Windows scopes, pools split around exclusions."""

from __future__ import annotations

import inspect
import re

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.vncustoms.vnaccs.plugins.filter.kea_subnets import FilterModule
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.dhcp_plan import PlanError
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.kea_config import (
    kea_subnets,
    pools,
    subnet_id,
)

from tests.support.fixture_files import ROOT

FILTERS = ROOT / "collections" / "ansible_collections" / "vncustoms" / "vnaccs" / "plugins" / "filter"

SCOPE = {
    "address": "10.44.20.0",
    "mask": "255.255.255.0",
    "name": "Chi cục Hải quan cửa khẩu Tà Lùng",
    "comment": "Cục Hải quan Cao Bằng",
    "range_start": "10.44.20.50",
    "range_end": "10.44.20.254",
    "exclusions": [],
    "router": "10.44.20.1",
    "dns_servers": ["10.44.0.53", "10.44.0.54"],
    "domain_name": "caobang.customs.gov.vn",
}


def scope(**changes):
    return {**SCOPE, **changes}


@pytest.mark.parametrize(
    ("exclusions", "expected"),
    [
        ([], ["10.0.0.50 - 10.0.0.254"]),
        ([("10.0.0.50", "10.0.0.59")], ["10.0.0.60 - 10.0.0.254"]),
        ([("10.0.0.240", "10.0.0.254")], ["10.0.0.50 - 10.0.0.239"]),
        ([("10.0.0.100", "10.0.0.100")], ["10.0.0.50 - 10.0.0.99", "10.0.0.101 - 10.0.0.254"]),
        (
            [("10.0.0.200", "10.0.0.209"), ("10.0.0.60", "10.0.0.69")],
            ["10.0.0.50 - 10.0.0.59", "10.0.0.70 - 10.0.0.199", "10.0.0.210 - 10.0.0.254"],
        ),
        ([("10.0.0.50", "10.0.0.254")], []),
        ([("10.0.0.50", "10.0.0.60"), ("10.0.0.61", "10.0.0.70")], ["10.0.0.71 - 10.0.0.254"]),
    ],
)
def test_the_range_is_split_into_pools_around_the_exclusions(exclusions, expected):
    assert pools("10.0.0.50", "10.0.0.254", tuple(exclusions)) == expected


def test_a_scope_becomes_a_subnet_with_its_options_and_names():
    (subnet,) = kea_subnets([scope(exclusions=[{"start": "10.44.20.50", "end": "10.44.20.59"}])])
    assert subnet == {
        "id": (10 << 16) | (44 << 8) | 20,
        "subnet": "10.44.20.0/24",
        "pools": [{"pool": "10.44.20.60 - 10.44.20.254"}],
        "option-data": [
            {"name": "routers", "data": "10.44.20.1"},
            {"name": "domain-name-servers", "data": "10.44.0.53, 10.44.0.54"},
            {"name": "domain-name", "data": "caobang.customs.gov.vn"},
        ],
        "user-context": {"name": "Chi cuc Hai quan cua khau Ta Lung", "comment": "Cuc Hai quan Cao Bang"},
    }


def test_options_left_empty_are_not_written():
    (subnet,) = kea_subnets([scope(router="", dns_servers=[], domain_name="")])
    assert subnet["option-data"] == []


def test_subnet_ids_do_not_depend_on_the_order_of_the_scopes():
    second = scope(address="10.44.21.0", range_start="10.44.21.50", range_end="10.44.21.254", router="")
    forward = {item["subnet"]: item["id"] for item in kea_subnets([SCOPE, second])}
    backward = {item["subnet"]: item["id"] for item in kea_subnets([second, SCOPE])}
    assert forward == backward
    assert len(set(forward.values())) == 2
    assert subnet_id("10.44.21.0") == forward["10.44.21.0/24"]


def test_an_inactive_scope_gets_no_subnet():
    second = scope(address="10.44.21.0", range_start="10.44.21.50", range_end="10.44.21.254", router="")
    found = kea_subnets([SCOPE, {**second, "state": "inactive"}])
    assert [item["subnet"] for item in found] == ["10.44.20.0/24"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mask": "255.255.0.0"}, "scopes[0].mask"),
        ({"range_end": "10.44.21.20"}, "scopes[0].range_end"),
        ({"router": "10.44.19.1"}, "scopes[0].router"),
        ({"exclusions": [{"start": "10.44.20.20", "end": "10.44.20.30"}]}, "scopes[0].exclusions[0]"),
        ({"dns_servers": ["10.44.0"]}, "scopes[0].dns_servers"),
    ],
)
def test_bad_scopes_fail_as_on_windows_naming_the_field(changes, field):
    with pytest.raises(PlanError, match=rf"^{re.escape(field)}"):
        kea_subnets([scope(**changes)])


def test_a_scope_listed_twice_is_refused():
    with pytest.raises(PlanError, match=r"10\.44\.20\.0 listed more than once"):
        kea_subnets([SCOPE, SCOPE])


def test_the_filter_names_the_role_variable_in_its_error():
    kea = FilterModule().filters()["kea_subnets"]
    assert kea([SCOPE])[0]["subnet"] == "10.44.20.0/24"
    with pytest.raises(AnsibleFilterError, match=r"^dhcp_server_scopes: scopes\[0\]\.router"):
        kea([scope(router="192.0.2.1")])
    with pytest.raises(AnsibleFilterError, match="must be a list"):
        kea({"address": "10.44.20.0"})
    with pytest.raises(AnsibleFilterError, match="lacks or mistypes a field"):
        kea([{"address": "10.44.20.0"}])


def test_the_filter_documents_exactly_the_options_it_takes():
    docs = yaml.safe_load((FILTERS / "kea_subnets.yml").read_text(encoding="utf-8"))
    assert docs["DOCUMENTATION"]["name"] == "kea_subnets"
    documented = set(docs["DOCUMENTATION"]["options"]) - {"_input"}
    taken = set(inspect.signature(FilterModule().filters()["kea_subnets"]).parameters) - {"scopes"}
    assert documented == taken
    assert "vncustoms.vnaccs.kea_subnets" in docs["EXAMPLES"]
