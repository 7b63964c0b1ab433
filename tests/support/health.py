"""A small lab for the health check: one branch site and its base server, configured by the toolkit's
own plugins, and an inventory for playbooks/daily_check.yml and audit.yml.

    with HealthLab(tmp_path) as lab:
        lab.configure()
        report = lab.run("daily_check.yml")      # the report.json the run wrote, as a dict

Two sites: Chi cục Hải quan Tiên Sơn (Cục Hải quan Bắc Ninh) has a Server 2003 DHCP server serving
its own subnet and a VLAN reached through the switch's relay, a Windows 7 workstation on that VLAN
and one on the site subnet; Chi cục Hải quan cửa khẩu Bát Xát (Cục Hải quan Lào Cai) has a Server
2008 DHCP server. Two base servers: Tổng cục Hải quan's (2008) and Hải Phòng's (2003). The Windows
hosts are winlab hosts (in this process), the switch a switchlab switch (its own process). The two
DHCP servers answer relayed DHCPDISCOVERs on a loopback port (winlab/dhcp.py), and each scope's
router is reached at a loopback address of its own (`RELAY_AGENTS`): the daily check's relay probe
binds it (`health_check_dhcp_probe_bind`), so its checks run here as they would on a router.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from switchlab.server import SviSpec
from tests.support.ansible_cli import run_ansible_playbook
from tests.support.credentials import PASSWORD, SWITCH_ENABLE_SECRET, SWITCH_PASSWORD, SWITCH_USER, USER
from tests.support.lab import Client, control, run_on_lab
from tests.support.switches import running_switches, switch_spec
from winlab.lab import HostConfig, Lab, LabConfig

DEPARTMENT = "Cục Hải quan Bắc Ninh"
SITE = "Chi cục Hải quan Tiên Sơn"
BASE_DEPARTMENT = "TỔNG CỤC HẢI QUAN"
DHCP, BASE, SWITCH = "tien-son", "base-tong-cuc", "tien-son-sw"
DHCP_2, BASE_2 = "bat-xat", "base-hai-phong"
DEPARTMENT_2, SITE_2, BASE_DEPARTMENT_2 = (
    "Cục Hải quan Lào Cai",
    "Chi cục Hải quan cửa khẩu Bát Xát",
    "Cục HQ Hải phòng",
)
SERVER_IP_2 = "198.18.20.10"
STATION, STATION_2 = "tien-son-ts-hq01", "tien-son-ts-hq02"
SERVER_IP = "198.18.5.10"
SITE_SCOPE = {
    "address": "198.18.5.0",
    "mask": "255.255.255.0",
    "name": SITE,
    "comment": DEPARTMENT,
    "range_start": "198.18.5.50",
    "range_end": "198.18.5.254",
    "exclusions": [{"start": "198.18.5.50", "end": "198.18.5.59"}],
    "router": "198.18.5.1",
    "dns_servers": ["198.19.48.53"],
    "domain_name": "",
}
VLAN_SCOPE = {
    **SITE_SCOPE,
    "address": "198.18.6.0",
    "name": f"{SITE} VLAN 10",
    "range_start": "198.18.6.50",
    "range_end": "198.18.6.254",
    "exclusions": [],
    "router": "198.18.6.1",
}
SITE_SCOPE_2 = {
    **SITE_SCOPE,
    "address": "198.18.20.0",
    "name": SITE_2,
    "comment": DEPARTMENT_2,
    "range_start": "198.18.20.50",
    "range_end": "198.18.20.254",
    "exclusions": [],
    "router": "198.18.20.1",
}
VLANS = [{"id": 10, "interface": "Vlan10", "subnet": "198.18.6.0/24", "gateway": "198.18.6.1"}]
SHARES = [
    {"name": "VNACCS_CLIENT", "folder": "ClientUpgrades", "remark": "VNACCS client upgrades"},
    {"name": "VNACCS_EUC", "folder": "EUCReports", "remark": "VCIS-EUC reports"},
]
# Where the lab reaches each scope's router: winlab sends its offers there, the probe listens there.
RELAY_AGENTS = {"198.18.5.1": "127.18.5.1", "198.18.6.1": "127.18.6.1", "198.18.20.1": "127.18.20.1"}
COMMON = {
    "department_name_vi": DEPARTMENT,
    "department_slug": "bac_ninh",
    "site_name_vi": SITE,
    "site_host": DHCP,
    "base_server_region": "tong_cuc",
    "base_server_host": BASE,
    # The base server's modeled address, where the site's workstations reach its FTP port.
    "base_server_address": "198.19.48.6",
}


# The daily_reboot role's defaults, which the health_check role compares the task with.
RESTART = {"time": "12:15", "spread_minutes": 30, "warning_seconds": 300, "settle_minutes": 10}


class HealthLab:
    """The site's winlab hosts and switch; `run` a health-check playbook over them."""

    def __init__(self, directory: Path, terminal_ids: tuple[str, str] = ("1BTS001", "1BTS002")) -> None:
        self.directory = directory
        self.reports = directory / "reports"
        self.terminal_ids = terminal_ids
        self._stack = contextlib.ExitStack()
        hosts = [
            HostConfig(DHCP, "2003", address=SERVER_IP, dhcp_port=0),
            HostConfig(DHCP_2, "2008", address=SERVER_IP_2, dhcp_port=0),
            HostConfig(BASE, "2008", address="198.19.48.6"),
            HostConfig(BASE_2, "2003", address="198.19.48.3"),
            HostConfig(STATION, "7", address="198.18.6.60"),
            HostConfig(STATION_2, "7", address="198.18.5.61"),
        ]
        config = LabConfig(
            directory / "winlab",
            hosts,
            accounts={USER: PASSWORD},
            https=False,
            service_start_delay=0,
            dhcp_relay_agents=RELAY_AGENTS,
        )
        self.winlab = Lab(config)
        self.switch_helpers = [SERVER_IP]
        self.switch_state: dict[str, Any] = {}

    def __enter__(self) -> HealthLab:
        self._stack.enter_context(self.winlab)
        self.start_switch(self.switch_helpers)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def start_switch(self, helpers: list[str]) -> None:
        """(Re)start the site's switch with these helper addresses on Vlan10."""
        if self.switch_state:
            self._switch.close()
        self._switch = contextlib.ExitStack()
        spec = switch_spec(SWITCH, [SviSpec(id=10, address="198.18.6.1/24", helpers=list(helpers))])
        self.switch_state = self._switch.enter_context(
            running_switches([spec], self.directory / "switchlab" / "state.json")
        )
        self._stack.callback(self._switch.close)

    # -- setting the lab up with the toolkit's own plugins ----------------------------------------------
    def configure(self) -> None:
        from ansible_collections.vncustoms.vnaccs.plugins.action.base_server import ActionModule as BaseServer
        from ansible_collections.vncustoms.vnaccs.plugins.action.daily_reboot_task import (
            ActionModule as DailyReboot,
        )
        from ansible_collections.vncustoms.vnaccs.plugins.action.dhcp_server import ActionModule as DhcpServer

        for name, version, scopes in (
            (DHCP, "2003", [SITE_SCOPE, VLAN_SCOPE]),
            (DHCP_2, "2008", [SITE_SCOPE_2]),
        ):
            result = run_on_lab(DhcpServer, self.winlab, name, {"scopes": scopes}, windows_version=version)
            assert not result.get("failed"), result
        args = {"root": "C:\\VNACCS\\Base", "folders": ["ClientUpgrades", "EUCReports"], "shares": SHARES}
        for name, version in ((BASE, "2008"), (BASE_2, "2003")):
            result = run_on_lab(BaseServer, self.winlab, name, args, windows_version=version)
            assert not result.get("failed"), result
        # The daily restart task, as the daily_reboot role makes it with its defaults.
        for name in (STATION, STATION_2):
            result = run_on_lab(DailyReboot, self.winlab, name, RESTART, windows_version="7")
            assert not result.get("failed"), result

    def boot_time(self, name: str, when: str) -> None:
        """Make the host's last start `when` (ISO, host time), as if it had not restarted since."""
        host = self.winlab.host(name)
        with host.lock:
            host.state["boot_time"] = when

    # -- faults ---------------------------------------------------------------------------------------------
    def fault(self, name: str, **faults: Any) -> None:
        control(self.winlab, "POST", f"/hosts/{name}/faults", faults)

    def clear(self, name: str) -> None:
        control(self.winlab, "DELETE", f"/hosts/{name}/faults")

    def states(self) -> dict[str, dict]:
        """Every emulated host's model state, to compare before and after a run (nothing changed)."""
        return {
            name: json.loads(json.dumps(self.winlab.host(name).snapshot())) for name in self.winlab.runtimes
        }

    def command(self, name: str, line: str) -> str:
        return Client(self.winlab, name).ok(line)

    def lease(self, name: str, scope: str, addresses: list[str]) -> None:
        for number, address in enumerate(addresses):
            lease = {
                "scope": scope,
                "ip": address,
                "mac": f"00-0c-29-00-{number // 256:02x}-{number % 256:02x}",
            }
            control(self.winlab, "POST", f"/hosts/{name}/dhcp/leases", {**lease, "client": f"ws{number}"})

    # -- the inventory and the runs -------------------------------------------------------------------------
    def _windows(self, name: str, version: str, **extra: Any) -> dict[str, Any]:
        runtime = self.winlab.runtime(name)
        return {
            "ansible_host": "127.0.0.1",
            "ansible_port": runtime.http_port,
            "ansible_user": USER,
            "ansible_password": PASSWORD,
            "windows_version": version,
            **extra,
        }

    def _relay_probe(self, name: str) -> dict[str, Any]:
        """The relay probe's settings for a lab DHCP server: its loopback port, the routers' stand-ins."""
        return {
            "health_check_dhcp_probe_port": self.winlab.describe()["hosts"][name]["dhcp_port"],
            "health_check_dhcp_probe_bind": dict(RELAY_AGENTS),
            "health_check_dhcp_probe_allow": ["127.0.0.0/8"],
        }

    def inventory(self) -> dict[str, Any]:
        switch = self.switch_state["switches"][0]
        ftp_ports = {name: host["ftp_port"] for name, host in self.winlab.describe()["hosts"].items()}
        return {
            "all": {
                "children": {
                    "dhcp_servers": {
                        "hosts": {
                            DHCP: self._windows(
                                DHCP,
                                "2003",
                                **COMMON,
                                dhcp_server_ip=SERVER_IP,
                                dhcp_scopes=[SITE_SCOPE, VLAN_SCOPE],
                                **self._relay_probe(DHCP),
                            ),
                            DHCP_2: self._windows(
                                DHCP_2,
                                "2008",
                                department_name_vi=DEPARTMENT_2,
                                department_slug="lao_cai",
                                site_name_vi=SITE_2,
                                site_host=DHCP_2,
                                base_server_region="tong_cuc",
                                base_server_host=BASE,
                                dhcp_server_ip=SERVER_IP_2,
                                dhcp_scopes=[SITE_SCOPE_2],
                                **self._relay_probe(DHCP_2),
                            ),
                        }
                    },
                    "base_servers": {
                        "hosts": {
                            name: self._windows(
                                name,
                                version,
                                base_server_region=region,
                                base_server_name_vi=department,
                                health_check_ftp_port=ftp_ports[name],
                            )
                            for name, version, region, department in (
                                (BASE, "2008", "tong_cuc", BASE_DEPARTMENT),
                                (BASE_2, "2003", "hai_phong", BASE_DEPARTMENT_2),
                            )
                        }
                    },
                    "workstations": {
                        # The lab's emulated Ecus6 portal (winlab/portal.py), for ecus6.reachable.
                        "vars": {"ecus6_officer_url": self.winlab.portal.url},
                        "hosts": {
                            name: self._windows(
                                name, "7", **COMMON, workstation_name=f"TS-HQ0{number}", terminal_id=terminal
                            )
                            for number, (name, terminal) in enumerate(
                                zip((STATION, STATION_2), self.terminal_ids, strict=True), 1
                            )
                        },
                    },
                    # The site group, as the inventory plugin makes it: the site's hosts.
                    "sites": {
                        "children": {"site_tien_son": {"hosts": {DHCP: {}, STATION: {}, STATION_2: {}}}}
                    },
                    "switches": {
                        "hosts": {
                            SWITCH: {
                                **COMMON,
                                "ansible_host": "127.0.0.1",
                                "ansible_port": switch["ssh_port"],
                                "ansible_user": SWITCH_USER,
                                "ansible_password": SWITCH_PASSWORD,
                                "ansible_become_password": SWITCH_ENABLE_SECRET,
                                "switch_transport": "ssh",
                                "dhcp_server_ip": SERVER_IP,
                                "site_vlans": VLANS,
                                "site_vlans_exclusive": False,
                                "site_stale_helpers": [],
                            }
                        },
                        "vars": {
                            "ansible_network_os": "cisco.ios.ios",
                            "ansible_connection": "ansible.netcommon.network_cli",
                        },
                    },
                }
            }
        }

    def run(self, playbook: str, *args: str, inventory: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run the playbook over the lab; return the report it wrote (and keep the run as `self.last`)."""
        env = {"VNACCS_REPORT_DIR": str(self.reports)}
        before = set(self.reports.glob("*/*/report.json"))
        self.last = run_ansible_playbook(
            playbook, inventory or self.inventory(), self.directory, *args, env=env
        )
        assert self.last.returncode == 0, self.last.stdout[-6000:] + self.last.stderr[-3000:]
        written = sorted(set(self.reports.glob("*/*/report.json")) - before)
        assert len(written) == 1, (written, self.last.stdout[-3000:])
        self.report_path = written[0]
        return json.loads(written[0].read_text(encoding="utf-8"))


def configured_lab(directory: Path) -> Iterator[HealthLab]:
    """A running lab set up by the toolkit's own plugins, for a fixture: `yield from configured_lab(dir)`."""
    with HealthLab(directory) as lab:
        lab.configure()
        yield lab


def checks_of(report: dict[str, Any], host: str) -> dict[tuple[str, str], dict[str, Any]]:
    """A host's checks in a report, by (check id, item)."""
    entry = next(item for item in report["hosts"] if item["name"] == host)
    return {(check["id"], check["item"]): check for check in entry["checks"]}


def findings_of(report: dict[str, Any], check: str, host: str | None = None) -> list[dict[str, Any]]:
    return [
        item
        for item in report["findings"]
        if item["check"] == check and (host is None or item["host"] == host)
    ]
