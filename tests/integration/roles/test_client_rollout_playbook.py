"""playbooks/client_rollout.yml on winlab, as an admin runs it: the release checked before anything
is copied, the base servers of the rollout's regions staged, one canary per region, batches with a
failure threshold that stops the rollout, a re-run that resumes, and the result's adoption."""

from __future__ import annotations

import json

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_rollout import (
    RolloutState,
    rollout_result,
)

from tests.support.ansible_cli import run_ansible, run_ansible_playbook
from tests.support.credentials import PASSWORD, USER
from tests.support.fixture_files import ROOT
from tests.support.lab import base_server_lab
from tests.support.lab_runs import recap
from winlab.lab import Lab

pytestmark = pytest.mark.slow

REGIONS = {"north": ("base-north", "2003", "198.19.48.3"), "south": ("base-south", "2008", "198.19.48.1")}
# Four workstations per region, XP and 7.
STATIONS = {
    f"ws-{region}-{number}": (region, "xp" if number % 2 else "7", f"198.18.{6 + index}.{60 + number}")
    for index, region in enumerate(REGIONS)
    for number in range(1, 5)
}
BASE_ARGS = {
    "root": "C:\\VNACCS\\Base",
    "folders": ["ClientUpgrades"],
    "shares": [{"name": "VNACCS_CLIENT", "folder": "ClientUpgrades", "remark": "VNACCS client upgrades"}],
    "ftp": {"site_name": "VNACCS Base Server", "port": 21},
}


@pytest.fixture
def lab(tmp_path):
    hosts = {name: (profile, address) for name, profile, address in REGIONS.values()}
    hosts |= {name: (profile, address) for name, (_, profile, address) in STATIONS.items()}
    bases = [name for name, _, _ in REGIONS.values()]
    with base_server_lab(tmp_path / "lab", hosts, bases, BASE_ARGS) as running:
        yield running


@pytest.fixture
def releases(client_releases):
    return client_releases


def inventory(lab: Lab) -> dict:
    def connection(name: str, profile: str) -> dict:
        return {
            "ansible_host": "127.0.0.1",
            "ansible_port": lab.runtime(name).http_port,
            "ansible_user": USER,
            "ansible_password": PASSWORD,
            "windows_version": profile,
        }

    bases = {
        name: {
            **connection(name, profile),
            "base_server_region": region,
            "health_check_ftp_port": lab.describe()["hosts"][name]["ftp_port"],
        }
        for region, (name, profile, _) in REGIONS.items()
    }
    stations = {
        name: {
            **connection(name, profile),
            "base_server_region": region,
            "base_server_host": REGIONS[region][0],
            "base_server_address": REGIONS[region][2],
            "site_host": f"site-{region}",
            "department_slug": f"cuc_{region}",
            "terminal_id": f"T{region[0].upper()}{number:03d}",
        }
        for number, (name, (region, profile, _)) in enumerate(STATIONS.items(), 1)
    }
    return {"all": {"children": {"base_servers": {"hosts": bases}, "workstations": {"hosts": stations}}}}


def rollout(lab, tmp_path, releases, version, *extra):
    return run_ansible_playbook(
        "client_rollout.yml",
        inventory(lab),
        tmp_path,
        "-e",
        f"client_software_version={version}",
        "-e",
        f"client_software_release_dir={releases}",
        "-e",
        f"client_software_report_dir={tmp_path / 'reports'}",
        "-e",
        "client_software_reference_time=2026-12-01T12:30:00",
        "-e",
        '{"client_software_busy_pauses": [0.1, 0.2], "client_rollout_batches": [3]}',
        "-e",
        "client_rollout_max_fail_percentage=40",
        "-e",
        f"client_software_state_dir={tmp_path / 'state'}",
        *extra,
        timeout=600,
    )


def changed_tasks(stdout: str) -> str:
    """The tasks that reported a change, with the hosts (for a failure message)."""
    task, lines = "", []
    for line in stdout.splitlines():
        if line.startswith(("TASK [", "PLAY [")):
            task = line
        elif line.startswith("changed:"):
            lines.append(f"{task} {line}")
    return "\n".join(lines)


def versions(lab) -> dict[str, list[str]]:
    return {
        name: sorted(p["version"] for p in lab.host(name).snapshot()["products"].values())
        for name in STATIONS
    }


def latest(tmp_path) -> dict:
    return json.loads((tmp_path / "reports" / "client-rollout-latest.json").read_text())


def test_a_rollout_in_waves_with_one_failure_per_wave_then_a_rerun_changes_nothing(lab, tmp_path, releases):
    # One workstation of a batch fails with 1603, one answers 1618 first: neither is a canary.
    lab.set_fault("ws-north-3", msi_fail=1)
    lab.set_fault("ws-south-4", msi_busy=1)
    preview = rollout(lab, tmp_path, releases, "4.3.0", "--check", "--diff")
    assert preview.returncode == 0, preview.stdout[-3000:]
    assert all(not v for v in versions(lab).values()), "check mode installed something"
    assert all(lab.transfers(base)["count"] == 0 for base, _, _ in REGIONS.values()), "check mode staged"

    run = rollout(lab, tmp_path, releases, "4.3.0")
    stats = recap(run)
    assert stats.hosts_with("failed") == ["ws-north-3"], run.stdout[-4000:]
    # The canaries are the first workstation of each region, installed first.
    assert run.stdout.index("PLAY [Install on the canary workstations") < run.stdout.index(
        "PLAY [Install on the other"
    )
    assert {name: v for name, v in versions(lab).items() if name != "ws-north-3"} == {
        name: ["4.3.0"] for name in STATIONS if name != "ws-north-3"
    }
    result = latest(tmp_path)
    assert result["summary"]["adopted"] == 7 and result["summary"]["failed"] == 1
    assert result["failures"][0]["host"] == "ws-north-3" and result["failures"][0]["exit_code"] == 1603
    regions = {row["region"]: row["adopted"] for row in result["regions"]}
    assert regions == {"north": 3, "south": 4}
    # Each base server got the installer once, and each of its workstations fetched it from there.
    for base, _, _ in REGIONS.values():
        assert lab.transfers(base)["count"] >= 5

    again = rollout(lab, tmp_path, releases, "4.3.0")
    stats = recap(again)
    assert stats.hosts_with("failed") == [], again.stdout[-3000:]
    assert stats.hosts_with("changed") == ["ws-north-3"], changed_tasks(again.stdout)
    assert latest(tmp_path)["summary"]["adopted"] == 8


def test_a_batch_failing_past_the_threshold_stops_the_rollout(lab, tmp_path, releases):
    """Batches of three, 40%: two failures of the first batch stop the rollout there."""
    for name in ("ws-north-2", "ws-north-3"):
        lab.set_fault(name, msi_fail=1)
    run = rollout(lab, tmp_path, releases, "4.3.0")
    assert run.returncode != 0
    stats = recap(run)
    assert set(stats.hosts_with("failed")) == {"ws-north-2", "ws-north-3"}
    reached = [name for name, v in versions(lab).items() if v]
    # The canaries, the failed batch's third workstation, and nothing after that batch.
    assert sorted(reached) == ["ws-north-1", "ws-north-4", "ws-south-1"], run.stdout[-3000:]
    # Ansible ends the play at once, before that batch's report: the records hold every outcome, and
    # the result written from them (what `./run rollout` does when the playbook ends) counts them.
    where = {
        name: {"site": f"site-{r}", "department": f"cuc_{r}", "region": r}
        for name, (r, _, _) in STATIONS.items()
    }
    summary = rollout_result("4.3.0", RolloutState(tmp_path / "state").records(), where, "now")["summary"]
    assert (summary["adopted"], summary["failed"], summary["not_reached"]) == (3, 2, 3), summary


@pytest.mark.fault
def test_a_bad_checksum_stops_everything_before_any_host_is_contacted(
    lab, tmp_path, releases, client_packages
):
    installer = releases / "4.3.0" / client_packages["4.3.0"]["file"]
    installer.write_bytes(installer.read_bytes() + b"x")
    run = rollout(lab, tmp_path, releases, "4.3.0")
    assert run.returncode != 0
    assert "refused, nothing was copied" in run.stdout
    assert all(lab.transfers(base)["count"] == 0 for base, _, _ in REGIONS.values())
    assert all(not v for v in versions(lab).values())


@pytest.mark.fault
def test_duplicate_terminal_ids_stop_the_rollout_before_any_host_is_contacted(inventory_copy):
    """The site inventory refuses a Terminal ID used twice, naming both workstations and both sites;
    the rollout has no host to contact (the addresses are the lab's, nothing listens there)."""
    overrides = inventory_copy / "site_overrides.yml"
    text = overrides.read_text(encoding="utf-8")
    text = text.replace(
        "      - {id: 30, subnet: 198.19.7.0/24, gateway: 198.19.7.1}\n",
        "      - {id: 30, subnet: 198.19.7.0/24, gateway: 198.19.7.1}\n"
        '    workstations:\n      - {name: DT-01, ip: 198.19.7.60, terminal_id: "1BTS001", os: xp}\n',
        1,
    )
    overrides.write_text(text, encoding="utf-8")
    run = run_ansible(
        "ansible-playbook",
        "-i",
        str(inventory_copy / "vnaccs.sites.yml"),
        "-e",
        "client_software_version=4.3.0",
        str(ROOT / "playbooks" / "client_rollout.yml"),
        "--check",
    )
    assert run.returncode != 0
    output = run.stdout + run.stderr
    assert "Terminal ID '1BTS001' of workstation 'DT-01' of site dong-thap-cchq-ck-so-thuong" in output
    assert "already used by workstation 'TS-HQ01' of site bac-ninh-cchq-tien-son" in output
    assert "PLAY RECAP" not in run.stdout, "a play ran"
