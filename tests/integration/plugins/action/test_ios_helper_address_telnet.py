"""The Telnet transport of vncustoms.vnaccs.ios_helper_address against a simulated switch."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.action.ios_helper_address import TelnetSession
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.ios_helper import (
    InterfaceRequest,
    RelayError,
    converge,
)
from netmiko.exceptions import NetmikoAuthenticationException

from switchlab.server import SviSpec
from tests.support.credentials import SWITCH_ENABLE_SECRET, SWITCH_PASSWORD, SWITCH_USER
from tests.support.switches import switch_spec

pytestmark = pytest.mark.slow


@pytest.fixture
def switch(switch_lab):
    return switch_lab(
        switch_spec("old-sw", [SviSpec(id=30, address="10.40.30.1/24", helpers=["10.40.0.99"])])
    )


def session(state, password=SWITCH_PASSWORD, secret=SWITCH_ENABLE_SECRET):
    switch = state["switches"][0]
    return TelnetSession("127.0.0.1", switch["telnet_port"], SWITCH_USER, password, secret, timeout=10)


def refusals(state) -> int:
    return Path(state["log"]).read_text(encoding="utf-8").count("telnet login refused")


@pytest.mark.fault
def test_a_refused_password_is_sent_once_only(switch):
    with pytest.raises(NetmikoAuthenticationException, match="not retried"):
        session(switch, password="wrong-pw")
    assert refusals(switch) == 1


@pytest.mark.fault
def test_a_wrong_enable_secret_fails_without_retry(switch):
    with pytest.raises(RelayError, match="refused the enable secret; not retried"):
        session(switch, secret="wrong-secret")


def test_converges_over_telnet_and_then_reports_no_change(switch):
    telnet = session(switch)
    try:
        first = converge(
            telnet, [InterfaceRequest("Vlan30", "10.40.30.1")], ["10.40.0.10"], ["10.40.0.99"], False, False
        )
        second = converge(
            telnet, [InterfaceRequest("Vlan30", "10.40.30.1")], ["10.40.0.10"], ["10.40.0.99"], False, False
        )
        after = telnet.show("show running-config interface Vlan30")
    finally:
        telnet.close()
    assert first.changed and first.saved
    assert not second.changed and not second.saved
    assert " ip helper-address 10.40.0.10" in after and "10.40.0.99" not in after
