"""winlab's stand-in for an emulated host's FTP port 21 (winlab/ftp.py): it greets as IIS does only
while the host would answer on port 21, refuses while the host is down, and its port reaches the lab
inventory of a base server. What it serves is in test_winlab_ftp_files.py."""

from __future__ import annotations

import socket

import pytest

from tests.support.credentials import PASSWORD, USER
from tests.support.lab import Client, control
from winlab import inventory
from winlab.lab import HostConfig, Lab, LabConfig

FIREWALL_RULE = 'name="VNACCS base server FTP" dir=in action=allow protocol=TCP localport=21'
BASE_2008 = [
    "servermanagercmd -install Web-Ftp-Server",
    r"mkdir C:\VNACCS\Base",
    f"netsh advfirewall firewall add rule {FIREWALL_RULE}",
]
BASE_2003 = [
    r"echo [Components]> C:\ftp.txt",
    r"echo iis_common = On>> C:\ftp.txt",
    r"echo iis_ftp = On>> C:\ftp.txt",
    r"start /wait sysocmgr /i:%windir%\inf\sysoc.inf /u:C:\ftp.txt /q /r",
    "netsh firewall add portopening protocol=TCP port=21 name=FTP mode=ENABLE",
]


def converse(port: int) -> bytes | str:
    """Connect, read the greeting, say QUIT; what came back, or the connection error's name."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.settimeout(5)
            data = sock.recv(200)
            if data:
                sock.sendall(b"NOOP\r\nQUIT\r\n")
                while chunk := sock.recv(200):
                    data += chunk
            return data
    except OSError as error:
        return type(error).__name__


@pytest.fixture
def base_lab(winlab_factory):
    lab = winlab_factory({"base-2008": "2008", "base-2003": "2003"}, service_start_delay=0)
    for name, setup in (("base-2008", BASE_2008), ("base-2003", BASE_2003)):
        client = Client(lab, name)
        for command in setup:
            client.ok(command)
    return lab


def port_of(lab, name: str) -> int:
    return lab.describe()["hosts"][name]["ftp_port"]


@pytest.mark.parametrize("name", ["base-2008", "base-2003"])
def test_a_started_ftp_site_behind_an_open_firewall_greets(base_lab, name):
    assert converse(port_of(base_lab, name)) == (
        b"220 Microsoft FTP Service\r\n200 NOOP command successful.\r\n221 Goodbye.\r\n"
    )


@pytest.mark.assumption
@pytest.mark.parametrize(
    "breaks",
    [
        "sc stop MSFTPSVC",
        'netsh advfirewall firewall delete rule name="VNACCS base server FTP"',
        r'cscript //nologo %SystemRoot%\system32\iisftp.vbs /stop "Default FTP Site"',
    ],
    ids=["service-stopped", "firewall-closed", "site-stopped"],
)
def test_no_greeting_when_the_host_would_not_answer(base_lab, breaks):
    # winlab accepts and closes where Windows refuses or drops [U]: no greeting either way.
    Client(base_lab, "base-2008").ok(breaks)
    assert converse(port_of(base_lab, "base-2008")) == b""


def test_a_host_that_is_down_refuses_and_comes_back(base_lab):
    port = port_of(base_lab, "base-2003")
    control(base_lab, "POST", "/hosts/base-2003/faults", {"down": True})
    assert converse(port) == "ConnectionRefusedError"
    control(base_lab, "DELETE", "/hosts/base-2003/faults")
    assert converse(port).startswith(b"220 Microsoft FTP Service")


def test_a_host_without_ftp_says_nothing(winlab_factory):
    lab = winlab_factory({"dhcp": "2003"})
    assert converse(port_of(lab, "dhcp")) == b""


def test_the_lab_inventory_points_a_base_server_health_check_at_the_stand_in(base_lab):
    runtime = base_lab.describe()
    runtime["hosts"]["base-2008"]["group"] = "base_servers"
    runtime["hosts"]["base-2003"]["group"] = "dhcp_servers"
    variables = inventory.overlay(runtime, "pw")
    assert variables["base-2008"]["health_check_ftp_port"] == port_of(base_lab, "base-2008")
    assert "health_check_ftp_port" not in variables["base-2003"]


def test_a_host_given_no_stand_in_refuses_port_21_even_with_a_site(tmp_path):
    # `ftp_port: None` (the benchmarks' labs, for every host but the base servers): no listener, so
    # one socket fewer per host, and port 21 refuses even once an FTP site is made (the stricter side).
    config = LabConfig(
        tmp_path / "state",
        [
            HostConfig("base-2008", "2008"),
            HostConfig("dhcp-2008", "2008", ftp_port=None),
            HostConfig("ws-7", "7"),
        ],
        {USER: PASSWORD},
        https=False,
        service_start_delay=0,
    )
    lab = Lab(config).start()
    try:
        for name in ("base-2008", "dhcp-2008"):
            for command in BASE_2008:
                Client(lab, name).ok(command)
        hosts = lab.describe()["hosts"]
        assert hosts["dhcp-2008"]["ftp_port"] == 0
        assert hosts["base-2008"]["ftp_port"] > 0
        assert len(lab.listeners.selector.get_map()) == 5  # 3 WinRM listeners, 2 FTP stand-ins
        station = Client(lab, "ws-7")
        transcripts = {}
        for name in ("base-2008", "dhcp-2008"):
            station.ok(rf"echo open {name}> C:\ftp.txt & echo bye>> C:\ftp.txt")
            transcripts[name] = station.ok(r"ftp -n -s:C:\ftp.txt")
        assert "220 Microsoft FTP Service" in transcripts["base-2008"]
        assert "> ftp: connect :Connection refused" in transcripts["dhcp-2008"]
        assert "220" not in transcripts["dhcp-2008"]
        # Down and up again, it still has none.
        control(lab, "POST", "/hosts/dhcp-2008/faults", {"down": True})
        control(lab, "DELETE", "/hosts/dhcp-2008/faults")
        assert lab.describe()["hosts"]["dhcp-2008"]["ftp_port"] == 0
        assert "dhcp-2008" not in lab.ftp
    finally:
        lab.stop()
