"""`./run fleet` on the lab: slices of whole regions run by ansible-runner in parallel merge into the
same report as one slice; a failed slice is named and its regions re-run alone.

The DHCP job runs in check mode against six emulated DHCP servers of three regions of the tests'
inventory, so every run sees the same fresh hosts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tasklib.fleet import FleetError, run_fleet
from tasklib.lab import region_sample
from tasklib.playbooks import parse_inventory_json
from tests.support.ansible_cli import run_ansible
from tests.support.credentials import PASSWORD
from winlab.inventory import running_lab
from winlab.lab import Lab

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site_lab(frozen_inventory, tmp_path_factory) -> Iterator[tuple[Lab, Path, list[str]]]:
    """Two DHCP servers of each of three regions, emulated; the lab inventory; their names."""
    config = frozen_inventory / "vnaccs.sites.yml"
    listed = run_ansible("ansible-inventory", "-i", str(config), "--list")
    assert listed.returncode == 0, listed.stderr
    hosts = region_sample(parse_inventory_json(listed.stdout), "dhcp_servers", regions=3, per_region=2)
    with running_lab(tmp_path_factory.mktemp("fleet-lab"), hosts, PASSWORD, config) as (lab, inventory):
        yield lab, inventory, sorted(host.name for host in hosts)


def fleet(site_lab, base: Path, job: str = "dhcp", **options) -> tuple[dict, Path, list[str]]:
    """`./run fleet JOB --check` on the lab's hosts, reports under `base`: the report, its path and
    the lines printed."""
    _lab, inventory, names = site_lab
    lines: list[str] = []
    options.setdefault("limit", ",".join(names))
    report, path = run_fleet(job, check=True, inventories=[inventory], base=base, say=lines.append, **options)
    return report, path, lines


@pytest.fixture(scope="module")
def one_slice(site_lab, tmp_path_factory) -> tuple[dict, Path]:
    """The job in one slice: the report every other run is compared with, and its path."""
    report, path, _ = fleet(site_lab, tmp_path_factory.mktemp("one-slice"), slices=1)
    return report, path


def test_two_slices_merge_into_the_report_of_one(site_lab, one_slice, tmp_path):
    one, one_path = one_slice
    two, two_path, lines = fleet(site_lab, tmp_path, slices=2)
    names = site_lab[2]

    assert two["results"] == one["results"]
    results = two["results"]
    assert len(results["regions"]) == 3
    hosts = {
        host: counts for region in results["regions"].values() for host, counts in region["hosts"].items()
    }
    assert sorted(hosts) == names
    # A fresh server has no scope: check mode reports the change on every host and fails none.
    assert all(
        counts["changed"] and not counts["failed"] and not counts["unreachable"] for counts in hosts.values()
    )
    assert results["totals"] == {"hosts": 6, "changed": 6, "failed": 0, "unreachable": 0, "no_result": 0}
    assert two["failed_regions"] == [] == one["failed_regions"]
    assert len(one["slices"]) == 1

    # Two slices of whole regions, both run; a line as each started and ended.
    assert [len(piece["regions"]) for piece in two["slices"]] in ([1, 2], [2, 1])
    assert sorted(r for piece in two["slices"] for r in piece["regions"]) == sorted(results["regions"])
    assert all(piece["status"] == "successful" and piece["rc"] == 0 for piece in two["slices"])
    assert {piece["program"] for piece in two["slices"]} == {"ansible-playbook"}
    assert sum("started" in line for line in lines) == 2
    assert sum("successful (rc 0)" in line for line in lines) == 2

    # The report is where it says, in a folder of the day; the slices' folders hold no
    # environment, so no password.
    assert two_path.parent.parent == tmp_path
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", two_path.parent.name)
    assert re.fullmatch(r"dhcp-\d{6}\.json", two_path.name)
    assert json.loads(two_path.read_text(encoding="utf-8")) == two
    assert json.loads(one_path.read_text(encoding="utf-8")) == one
    for piece in two["slices"]:
        artifacts = Path(piece["artifacts"])
        assert (artifacts / "stdout").is_file()
        assert not (artifacts / "command").exists()
    for written in tmp_path.rglob("*"):
        if written.is_file():
            assert PASSWORD not in written.read_text(encoding="utf-8", errors="replace"), written


@pytest.mark.fault
def test_a_failed_slice_is_reported_and_its_regions_run_again_alone(site_lab, one_slice, tmp_path):
    lab, _inventory, _names = site_lab
    whole = one_slice[0]
    first_region = sorted(whole["results"]["regions"])[0]
    down = sorted(whole["results"]["regions"][first_region]["hosts"])[0]
    lab.set_fault(down, down=True)
    try:
        report, _, lines = fleet(site_lab, tmp_path, slices=2)
    finally:
        lab.clear_faults(down)

    failed = [piece for piece in report["slices"] if piece["failed"]]
    assert len(failed) == 1
    assert first_region in failed[0]["regions"]
    assert report["failed_regions"] == failed[0]["regions"]
    assert report["results"]["regions"][first_region]["hosts"][down]["unreachable"]
    # The other slice is unaffected.
    others = [piece for piece in report["slices"] if not piece["failed"]]
    assert len(others) == 1 and others[0]["status"] == "successful"
    regions = ",".join(failed[0]["regions"])
    assert any(f"--regions {regions}" in line and "--check" in line for line in lines), lines

    again, _, _ = fleet(site_lab, tmp_path, regions=regions)
    assert again["failed_regions"] == []
    assert [piece["regions"] for piece in again["slices"]] == [failed[0]["regions"]]
    assert again["results"]["regions"] == {
        region: whole["results"]["regions"][region] for region in failed[0]["regions"]
    }


def test_an_unknown_job_stops_before_anything_runs(site_lab, tmp_path):
    with pytest.raises(FleetError, match=r"no job 'dhcpp': playbooks/ has .*dhcp"):
        fleet(site_lab, tmp_path, job="dhcpp")
    assert list(tmp_path.iterdir()) == []


def test_the_daily_check_in_two_slices_merges_into_the_health_report_of_one(site_lab, tmp_path):
    names = site_lab[2]
    one, _, _ = fleet(site_lab, tmp_path / "one", job="daily_check", slices=1, reports=tmp_path / "r1")
    two, _, lines = fleet(site_lab, tmp_path / "two", job="daily_check", slices=2, reports=tmp_path / "r2")
    assert len(two["slices"]) == 2 and two["failed_regions"] == []
    whole, merged = (json.loads(Path(run["health_report"]).read_text(encoding="utf-8")) for run in (one, two))
    assert Path(two["health_report"]).parent.parent.parent == tmp_path / "r2"
    assert sorted(item["name"] for item in merged["hosts"]) == names
    # Fresh servers without the DHCP Server service: the same findings, whatever the slicing.
    keys = sorted(item["key"] for item in merged["findings"])
    assert keys and keys == sorted(item["key"] for item in whole["findings"])
    assert merged["summary"]["checks"] == whole["summary"]["checks"]
    assert any(line.startswith("==> HTML report: ") for line in lines)
