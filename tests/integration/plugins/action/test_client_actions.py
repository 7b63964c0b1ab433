"""The customs client plugins against winlab, as Ansible calls them: staging a release on the base
servers over FTP (client_stage), and installing, upgrading and rolling it back on XP and 7
workstations that fetch it from their base server (client_software).

Every result is checked through winlab itself (the emulated disks, the FTP byte counts, the
installed products and registry), not through the plugins' parsers.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.vncustoms.vnaccs.plugins.action.client_software import ActionModule as ClientSoftware
from ansible_collections.vncustoms.vnaccs.plugins.action.client_stage import ActionModule as ClientStage
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_rollout import RolloutState

from tests.support.lab import Client, base_server_lab, control, run_on_lab
from winlab.model import files

pytestmark = pytest.mark.slow

BASES = {"base2003": ("2003", "198.19.48.3"), "base2008": ("2008", "198.19.48.1")}
STATIONS = {"ws-xp": ("xp", "198.18.6.60"), "ws-7": ("7", "198.18.6.61")}
ROOT = "C:\\VNACCS\\Base"
UPGRADES = ROOT + "\\ClientUpgrades"
BASE_ARGS = {
    "root": ROOT,
    "folders": ["ClientUpgrades", "EUCReports"],
    "shares": [{"name": "VNACCS_CLIENT", "folder": "ClientUpgrades", "remark": "VNACCS client upgrades"}],
    "ftp": {"site_name": "VNACCS Base Server", "port": 21},
}
LUNCH = "2026-12-01T12:30:00"  # a Tuesday, outside the quiet periods
PEAK = "2026-12-01T10:15:00"
SETTINGS_KEY = r"HKLM\SOFTWARE\TCHQ\VNACCS Client"


@pytest.fixture
def lab(tmp_path):
    with base_server_lab(tmp_path / "lab", {**BASES, **STATIONS}, list(BASES), BASE_ARGS) as running:
        yield running


@pytest.fixture
def releases(client_releases):
    return client_releases


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("VNACCS_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def stage(lab, name, releases, version, check_mode=False, **args):
    ftp_port = lab.describe()["hosts"][name]["ftp_port"]
    return run_on_lab(
        ClientStage,
        lab,
        name,
        {"version": version, "release_dir": str(releases), "ftp_port": ftp_port, **args},
        check_mode=check_mode,
        windows_version=BASES[name][0],
    )


def install(lab, name, releases, version, base="base2008", check_mode=False, **args):
    values = {
        "version": version,
        "release_dir": str(releases),
        "base_server": BASES[base][1],
        "terminal_id": f"1BTS{name[-1:].upper()}0",
        "reference_time": LUNCH,
        "busy_pauses": [0.1, 0.2],
        **args,
    }
    return run_on_lab(
        ClientSoftware, lab, name, values, check_mode=check_mode, windows_version=STATIONS[name][0]
    )


def disk_file(lab, name, path) -> bytes | None:
    host = lab.host(name)
    with host.lock:
        return files.read_bytes(host, path)


def installed(lab, name) -> dict[str, str]:
    """ProductName/version of every product winlab has installed (its state, not the plugin's probe)."""
    return {code: product["version"] for code, product in lab.host(name).snapshot()["products"].items()}


def registry_value(lab, name, value) -> str:
    """The client's setting read with reg.exe over a plain pywinrm session."""
    out = Client(lab, name).ok(f'reg query "{SETTINGS_KEY}" /v {value}')
    return out.split("REG_SZ")[-1].strip()


def sent_bytes(lab, name) -> int:
    return lab.transfers(name)["bytes_received"]


# -- staging -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(BASES))
def test_stage_preview_then_stage_then_again_moves_no_bytes(lab, releases, client_packages, name):
    manifest = client_packages["4.3.0"]
    preview = stage(lab, name, releases, "4.3.0", check_mode=True)
    assert preview["changed"] and not preview["staged_before"], preview
    assert lab.transfers(name)["count"] == 0, "check mode moved bytes"

    staged = stage(lab, name, releases, "4.3.0")
    assert staged["changed"] and not staged.get("failed"), staged.get("msg")
    data = disk_file(lab, name, f"{UPGRADES}\\4.3.0\\{manifest['file']}")
    assert data is not None and hashlib.sha256(data).hexdigest() == manifest["sha256"]
    assert disk_file(lab, name, f"{UPGRADES}\\4.3.0\\manifest.yml") is not None
    # The bytes crossed by FTP: the installer (and its small manifest), never through WinRM.
    assert manifest["size"] <= sent_bytes(lab, name) < manifest["size"] + 1024
    assert staged["bytes_sent"] == sent_bytes(lab, name)
    if name == "base2003":  # no SHA-2 tool: read back over the server's FTP
        assert staged["bytes_read_back"] == manifest["size"]
    else:
        assert staged["bytes_read_back"] == 0 and "certutil" in staged["check"]

    before = lab.transfers(name)["count"]
    again = stage(lab, name, releases, "4.3.0")
    assert not again["changed"] and again["staged_before"], again
    assert lab.transfers(name)["count"] == before, "a staged version was moved again"


def test_a_copy_that_is_not_whole_is_staged_again(lab, releases, client_packages):
    stage(lab, "base2008", releases, "4.3.0")
    host = lab.host("base2008")
    with host.lock:
        files.put_file(host, f"{UPGRADES}\\4.3.0\\{client_packages['4.3.0']['file']}", b"truncated")
    again = stage(lab, "base2008", releases, "4.3.0")
    assert again["changed"] and "SHA-256" in again["check"], again
    data = disk_file(lab, "base2008", f"{UPGRADES}\\4.3.0\\{client_packages['4.3.0']['file']}")
    assert hashlib.sha256(data).hexdigest() == client_packages["4.3.0"]["sha256"]


@pytest.mark.fault
def test_a_bad_checksum_is_refused_before_anything_is_copied(lab, releases, client_packages):
    installer = releases / "4.3.0" / client_packages["4.3.0"]["file"]
    installer.write_bytes(installer.read_bytes()[:-1] + b"\x00")
    before = control(lab, "GET", "/hosts/base2008/counters")
    with pytest.raises(AnsibleActionFail, match=r"is not the manifest's .*refused, nothing was copied"):
        stage(lab, "base2008", releases, "4.3.0")
    assert lab.transfers("base2008")["count"] == 0
    assert control(lab, "GET", "/hosts/base2008/counters") == before, "the server was contacted"


@pytest.mark.fault
def test_a_region_being_staged_by_another_run_is_refused_with_nothing_copied(lab, releases, state):
    from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.region_slots import RegionSlots

    with RegionSlots().hold("stage_tong_cuc", 1):  # another run is uploading to the region
        refused = stage(lab, "base2008", releases, "4.3.0", region="tong_cuc", stage_slot_timeout=0.5)
    assert refused["failed"] and "region tong_cuc: another run kept staging" in refused["msg"]
    assert "nothing was copied" in refused["msg"]
    assert lab.transfers("base2008")["count"] == 0
    staged = stage(lab, "base2008", releases, "4.3.0", region="tong_cuc")  # the slot is free again
    assert staged["changed"] and not staged.get("failed")


def test_a_regions_own_pace_overrides_the_default_and_a_bad_one_names_the_region():
    from ansible_collections.vncustoms.vnaccs.plugins.action.client_stage import region_pace
    from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import PlanError

    args = {"max_bytes_per_minute": 600_000, "max_bytes_per_minute_by_region": {"ha_noi": 6_000_000}}
    assert region_pace({**args, "region": "ha_noi"}) == 6_000_000
    assert region_pace({**args, "region": "da_nang"}) == 600_000
    with pytest.raises(PlanError, match=r"max_bytes_per_minute_by_region\.hue: -1 must be 0"):
        region_pace({**args, "max_bytes_per_minute_by_region": {"hue": -1}, "region": "hue"})
    with pytest.raises(PlanError, match=r"^max_bytes_per_minute: 'fast' is not a number"):
        region_pace({"max_bytes_per_minute": "fast", "region": ""})


def test_the_previous_version_is_kept_and_older_ones_pruned(lab, releases):
    stage(lab, "base2008", releases, "4.2.0")
    kept = stage(lab, "base2008", releases, "4.3.0")
    assert kept["versions"] == ["4.2.0", "4.3.0"] and kept["pruned"] == []
    pruned = stage(lab, "base2008", releases, "4.3.0", keep=1)
    assert pruned["pruned"] == ["4.2.0"] and pruned["versions"] == ["4.3.0"]
    host = lab.host("base2008")
    with host.lock:
        assert not files.is_dir(host, f"{UPGRADES}\\4.2.0")


# -- installing ----------------------------------------------------------------------------------
@pytest.fixture
def staged(lab, releases):
    for version in ("4.2.0", "4.3.0"):
        result = stage(lab, "base2008", releases, version)
        assert not result.get("failed"), result.get("msg")
    return releases


@pytest.mark.parametrize("name", list(STATIONS))
def test_install_then_nothing_then_upgrade_then_rollback(lab, staged, client_packages, state, name):
    old, new = client_packages["4.2.0"], client_packages["4.3.0"]
    preview = install(lab, name, staged, "4.2.0", check_mode=True)
    assert preview["changed"] and installed(lab, name) == {}, preview
    assert any(line.startswith("ftp -n -i -s:") for line in preview["commands"])

    first = install(lab, name, staged, "4.2.0")
    assert first["changed"] and not first.get("failed"), first.get("msg")
    assert installed(lab, name) == {old["product_code"]: "4.2.0"}
    assert registry_value(lab, name, "TerminalID") == f"1BTS{name[-1:].upper()}0"
    assert registry_value(lab, name, "BaseServer") == BASES["base2008"][1]
    # The installer came from the base server's FTP, and the downloaded copy was removed.
    assert lab.transfers("base2008")["bytes_sent"] == old["size"]
    assert disk_file(lab, name, f"C:\\VNACCS\\ClientSetup\\{old['file']}") is None

    again = install(lab, name, staged, "4.2.0")
    assert not again["changed"] and again["commands"] == [], again

    upgrade = install(lab, name, staged, "4.3.0")
    assert upgrade["changed"] and not upgrade.get("failed"), upgrade.get("msg")
    assert installed(lab, name) == {new["product_code"]: "4.3.0"}, "the major upgrade must remove 4.2.0"

    kept = install(lab, name, staged, "4.2.0")
    assert not kept["changed"] and kept["newer_kept"], kept
    back = install(lab, name, staged, "4.2.0", rollback=True)
    assert back["changed"] and not back.get("failed"), back.get("msg")
    assert installed(lab, name) == {old["product_code"]: "4.2.0"}
    record = {r.host: r for r in RolloutState(state).records()}[name]
    assert (record.status, record.version, record.before) == ("changed", "4.2.0", "4.3.0")


@pytest.mark.fault
def test_1603_fails_with_the_code_and_the_logs_tail_and_a_rerun_finishes(lab, staged, state):
    lab.set_fault("ws-7", msi_fail=1)
    failed = install(lab, "ws-7", staged, "4.3.0")
    assert failed.get("failed"), failed
    assert "1603 (ERROR_INSTALL_FAILURE" in failed["msg"] and "the log ends:" in failed["msg"]
    assert "Return value 3" in failed["msg"]
    assert installed(lab, "ws-7") == {}
    record = RolloutState(state).records(["ws-7"])[0]
    assert (record.status, record.exit_code) == ("failed", 1603)
    resumed = install(lab, "ws-7", staged, "4.3.0")
    assert resumed["changed"] and not resumed.get("failed"), resumed.get("msg")


@pytest.mark.fault
def test_1618_is_waited_out_then_the_install_succeeds(lab, staged):
    lab.set_fault("ws-xp", msi_busy=1)
    result = install(lab, "ws-xp", staged, "4.3.0")
    assert not result.get("failed"), result.get("msg")
    assert result["busy_retries"] == 1
    assert any("1618 (busy)" in warning for warning in result["warnings"])
    assert list(installed(lab, "ws-xp").values()) == ["4.3.0"]


def test_3010_is_recorded_for_the_daily_restart_never_restarted(lab, staged, tmp_path):
    lab.set_fault("ws-7", msi_restart=3010)
    pending = tmp_path / "pending.json"
    result = install(lab, "ws-7", staged, "4.3.0", pending_file=str(pending))
    assert result["reboot_required"] and not result.get("failed"), result.get("msg")
    assert "ws-7" in json.loads(pending.read_text())["hosts"]
    assert control(lab, "GET", "/hosts")["hosts"]["ws-7"].get("down") in (None, False)


def test_inside_peak_hours_a_real_run_is_refused_and_a_forced_one_installs(lab, staged, state):
    refused = install(lab, "ws-7", staged, "4.3.0", reference_time=PEAK)
    assert refused.get("failed") and "refused: it is now Tue 10:15" in refused["msg"], refused
    assert installed(lab, "ws-7") == {}
    assert RolloutState(state).records(["ws-7"])[0].status == "refused"
    preview = install(lab, "ws-7", staged, "4.3.0", reference_time=PEAK, check_mode=True)
    assert preview["changed"] and not preview.get("failed")
    forced = install(lab, "ws-7", staged, "4.3.0", reference_time=PEAK, force=True)
    assert forced["changed"] and not forced.get("failed"), forced.get("msg")


def test_the_naive_copy_from_the_share_is_refused_by_the_double_hop(lab, staged, client_packages):
    """What the plugin must not do: a WinRM session cannot reach the base server's share."""
    out = Client(lab, "ws-7").run(
        f"copy \\\\{BASES['base2008'][1]}\\VNACCS_CLIENT\\4.3.0\\{client_packages['4.3.0']['file']} C:\\"
    )
    assert out.status_code != 0 and b"Access is denied" in out.std_out + out.std_err


@pytest.mark.fault
def test_an_explicit_fetch_account_is_used_and_its_password_never_shown(lab, staged):
    secret = "Fetch-Pa55-9"
    result = install(lab, "ws-7", staged, "4.3.0", fetch_user="clientfetch", fetch_password=secret)
    # The lab has no such account: the base server refuses the logon, named in the message.
    assert result.get("failed") and "530" in result["msg"], result
    assert secret not in json.dumps(result)


def test_a_workstation_whose_base_server_lacks_the_version_fails_naming_it(lab, releases):
    result = install(lab, "ws-xp", releases, "4.3.0")
    assert result.get("failed") and "550" in result["msg"], result
    assert installed(lab, "ws-xp") == {}
