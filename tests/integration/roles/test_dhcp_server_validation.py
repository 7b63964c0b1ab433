"""dhcp_server refuses bad scopes before it contacts the host, naming the host and the field.

Each case runs playbooks/dhcp.yml in check mode on a one-host inventory whose WinRM address is a
closed loopback port: a run that got past the checks would end `unreachable` instead.
"""

from __future__ import annotations

import pytest

from tests.support.ansible_cli import NEVER_SENT, closed_port, run_ansible_playbook, unreachable_windows_host

pytestmark = pytest.mark.slow

HOST = "lab-dhcp"
SCOPE = {
    "address": "10.40.10.0",
    "mask": "255.255.255.0",
    "name": "Chi cục Hải quan Lab",
    "comment": "Cục Hải quan Lab",
    "range_start": "10.40.10.50",
    "range_end": "10.40.10.254",
    "exclusions": [],
    "router": "10.40.10.1",
    "dns_servers": ["10.40.1.10"],
    "domain_name": "",
}


def run_playbook(tmp_path, hostvars: dict):
    host = unreachable_windows_host(**{"dhcp_scopes": [SCOPE], **hostvars})
    inventory = {"all": {"children": {"dhcp_servers": {"hosts": {HOST: host}}}}}
    return run_ansible_playbook("dhcp.yml", inventory, tmp_path, "--check")


def test_good_scopes_get_as_far_as_the_host(tmp_path):
    result = run_playbook(tmp_path, {})
    assert "unreachable=1" in result.stdout, result.stdout
    assert "WinRM is unreachable" in result.stdout


@pytest.mark.fault
@pytest.mark.parametrize(
    ("scope", "named"),
    [
        ({"address": "10.40.10.7"}, "scopes[0].address"),
        ({"mask": "255.255.0.0"}, "scopes[0].mask"),
        ({"range_start": "10.40.11.50"}, "scopes[0].range_start"),
        ({"range_end": "10.40.10"}, "scopes[0].range_end"),
        ({"router": "10.40.99.1"}, "scopes[0].router"),
        ({"exclusions": [{"start": "10.40.10.90", "end": "10.40.10.80"}]}, "scopes[0].exclusions[0]"),
        ({"dns_servers": ["dns.local"]}, "scopes[0].dns_servers"),
        ({"domain_name": "bad domain"}, "scopes[0].domain_name"),
        ({"name": 'Say "hi"'}, "scopes[0].name"),
    ],
)
def test_bad_scopes_fail_before_the_host_is_contacted(tmp_path, scope, named):
    result = run_playbook(tmp_path, {"dhcp_scopes": [{**SCOPE, **scope}]})
    assert "unreachable=0" in result.stdout and "failed=1" in result.stdout, result.stdout
    assert f"fatal: [{HOST}]" in result.stdout
    assert f"{HOST}: {named}" in result.stdout, result.stdout
    assert NEVER_SENT not in result.stdout + result.stderr


@pytest.mark.fault
def test_a_server_without_scopes_fails_before_the_host_is_contacted(tmp_path):
    result = run_playbook(tmp_path, {"dhcp_scopes": []})
    assert "unreachable=0" in result.stdout and "failed=1" in result.stdout, result.stdout
    assert f"{HOST}: scopes: no scope given" in result.stdout


def kea_host(**hostvars) -> dict:
    """A Debian host for the kea backend at a closed loopback port (SSH): past the checks is unreachable."""
    return {
        "ansible_host": "127.0.0.1",
        "ansible_port": closed_port(),
        "ansible_connection": "ansible.builtin.ssh",
        "dhcp_backend": "kea",
        "dhcp_scopes": [SCOPE],
        **hostvars,
    }


def run_kea_playbook(tmp_path, **hostvars):
    inventory = {"all": {"children": {"dhcp_servers": {"hosts": {HOST: kea_host(**hostvars)}}}}}
    return run_ansible_playbook("dhcp.yml", inventory, tmp_path, "--check")


def test_kea_good_scopes_get_as_far_as_the_host(tmp_path):
    result = run_kea_playbook(tmp_path)
    assert "unreachable=1" in result.stdout, result.stdout


@pytest.mark.fault
@pytest.mark.parametrize(
    ("scope", "named"),
    [
        ({"mask": "255.255.0.0"}, "scopes[0].mask"),
        ({"router": "10.40.99.1"}, "scopes[0].router"),
        ({"exclusions": [{"start": "10.40.10.20", "end": "10.40.10.30"}]}, "scopes[0].exclusions[0]"),
    ],
)
def test_kea_bad_scopes_fail_as_on_windows_before_the_host_is_contacted(tmp_path, scope, named):
    result = run_kea_playbook(tmp_path, dhcp_scopes=[{**SCOPE, **scope}])
    assert "unreachable=0" in result.stdout and "failed=1" in result.stdout, result.stdout
    assert f"fatal: [{HOST}]" in result.stdout
    assert f"dhcp_server_scopes: {named}" in result.stdout, result.stdout


@pytest.mark.fault
def test_an_unknown_backend_fails_naming_the_variable(tmp_path):
    result = run_kea_playbook(tmp_path, dhcp_backend="dnsmasq")
    assert "unreachable=0" in result.stdout and "failed=1" in result.stdout, result.stdout
    # The argument spec refuses it first, naming the variable and the choices.
    assert "dhcp_server_backend must be one of: windows, kea, got: dnsmasq" in result.stdout, result.stdout
