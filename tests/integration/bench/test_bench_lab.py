"""The benchmarks' lab (benchmarks/lab.py): FTP stand-ins on the base servers only, and with
`switches` the switch lab for the inventory's switches, pointed at by the lab inventory."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import yaml

from benchmarks.lab import BenchLab, LabFleet
from benchmarks.run import Options, Runner
from winlab.inventory import LabHost

SWITCHES = {
    "sw-branch": {
        "site_vlans": [{"id": 10, "gateway": "198.18.10.1", "subnet": "198.18.10.0/24"}],
        "site_stale_helpers": ["198.18.99.5"],
        "switch_transport": "ssh",
    },
    # No VLAN: nothing to simulate, as `./run lab` does.
    "sw-empty": {},
}


def banner(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.settimeout(5)
        return sock.recv(64)


def test_the_bench_lab_starts_the_switches_and_gives_ftp_to_base_servers_only(tmp_path: Path):
    hosts = [LabHost("base-a", "base_servers", "2008"), LabHost("dhcp-a", "dhcp_servers", "2003")]
    fleet = LabFleet(None, None, hosts, {h.name: h.group for h in hosts}, {}, SWITCHES)  # type: ignore[arg-type]
    bench = BenchLab(fleet, hosts, tmp_path / "lab", switches=True)
    with bench as lab:
        described = lab.describe()["hosts"]
        assert described["base-a"]["ftp_port"] > 0
        assert described["dhcp-a"]["ftp_port"] == 0
        assert bench.switch_names == ["sw-branch"]
        overlay = yaml.safe_load((bench.inventory / "switches.yml").read_text(encoding="utf-8"))
        settings = overlay["all"]["hosts"]["sw-branch"]
        assert set(overlay["all"]["hosts"]) == {"sw-branch"}
        assert settings["ansible_host"] == "127.0.0.1"
        assert oct(os.stat(bench.inventory / "switches.yml").st_mode & 0o777) == "0o600"
        assert banner(settings["ansible_port"]).startswith(b"SSH-2.0-")
    assert bench.switch_names == []
    with pytest.raises(OSError):  # the switch lab stopped with the bench lab
        banner(settings["ansible_port"])


def test_without_switches_no_switch_lab_is_started(tmp_path: Path):
    hosts = [LabHost("base-a", "base_servers", "2008")]
    fleet = LabFleet(None, None, hosts, {"base-a": "base_servers"}, {}, SWITCHES)  # type: ignore[arg-type]
    bench = BenchLab(fleet, hosts, tmp_path / "lab")
    with bench:
        assert bench.switch_names == []
        assert not (bench.inventory / "switches.yml").exists()
        assert not bench.switch_state.exists()


def test_a_lab_whose_switches_fail_to_start_is_stopped(tmp_path: Path, monkeypatch):
    from switchlab import lab as switch_lab

    def fails(specs, state_file):
        raise RuntimeError("the switch lab exited")

    monkeypatch.setattr(switch_lab, "start", fails)
    hosts = [LabHost("base-a", "base_servers", "2008")]
    fleet = LabFleet(None, None, hosts, {"base-a": "base_servers"}, {}, SWITCHES)  # type: ignore[arg-type]
    bench = BenchLab(fleet, hosts, tmp_path / "lab", switches=True)
    with pytest.raises(RuntimeError, match="exited"):
        bench.__enter__()
    assert bench.lab is None  # winlab stopped too: `with` would not have called __exit__


def test_a_fresh_lab_forgets_the_remembered_windows_families(tmp_path: Path):
    from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import FamilyMemory

    runner = Runner(Options(work=tmp_path / "bench", log=lambda text: None))
    memory = FamilyMemory(runner.state)
    memory.remember("base-a", "http://127.0.0.1:10001/wsman", "2008", "6.0.6002")
    hosts = [LabHost("base-a", "base_servers", "2008")]
    fleet = LabFleet(None, None, hosts, {"base-a": "base_servers"}, {}, {})  # type: ignore[arg-type]
    with runner.fresh_lab(fleet, hosts, tmp_path / "lab"):
        assert memory.recall("base-a", "http://127.0.0.1:10001/wsman") is None
