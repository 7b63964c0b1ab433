"""winlab's msiexec installing the client's real MSI packages, as the rollout runs it over pywinrm.

The rollout's command is `start "" /wait msiexec /i FILE /qn /norestart /l*v LOG` and the version is
read back from the Uninstall key with `reg query` (reference 8). The packages are the ones
tasklib/msi.py builds with wixl (fixture `client_packages`).
"""

from __future__ import annotations

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_output as wo

from tests.support.lab import Client, control
from tests.support.msi import deliver
from winlab.model import files

UNINSTALL = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
SESSION_MANAGER = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager"
OLD, NEW = "C:\\VNACCS\\vnaccs-client-4.2.0.msi", "C:\\VNACCS\\vnaccs-client-4.3.0.msi"
LOG = "C:\\VNACCS\\install.log"


def install(path: str, log: str = LOG, extra: str = "") -> str:
    return f'start "" /wait msiexec /i {path} /qn /norestart /l*v {log}{extra}'


@pytest.fixture(params=["xp", "7"])
def workstation(request, winlab_factory, client_packages):
    """A fresh XP or 7 workstation with both client packages copied to C:\\VNACCS."""
    name = f"ws-{request.param}"
    lab = winlab_factory({name: request.param})
    deliver(lab, name, client_packages["4.2.0"]["path"], OLD)
    deliver(lab, name, client_packages["4.3.0"]["path"], NEW)
    return lab, name, Client(lab, name)


def uninstall_values(client: Client, code: str) -> dict[str, str] | None:
    response = client.run(f"reg query {UNINSTALL}\\{code}")
    if response.status_code != 0:
        return None
    [values] = wo.parse_reg_query(response.std_out.decode("cp437")).values()
    return {value.name: value.data for value in values.values()}


def log_lines(lab, name: str, path: str = LOG) -> list[str]:
    data = files.read_bytes(lab.host(name), path)
    assert data is not None, f"no log at {path}"
    assert data.startswith(b"\xff\xfe")
    return data[2:].decode("utf-16-le").splitlines()


def test_install_shows_the_real_properties_in_the_uninstall_key(workstation, client_packages):
    lab, name, client = workstation
    package = client_packages["4.2.0"]
    assert client.run(install(OLD)).status_code == 0
    assert uninstall_values(client, package["product_code"]) == {
        "DisplayName": "VNACCS Client",
        "DisplayVersion": "4.2.0",
        "Publisher": "Tong cuc Hai quan",
        "UninstallString": f"MsiExec.exe /X{package['product_code']}",
    }
    response = client.run(f"reg query {UNINSTALL}\\{package['product_code']} /v DisplayVersion")
    [values] = wo.parse_reg_query(response.std_out.decode("cp437")).values()
    assert values["displayversion"].data == "4.2.0"
    tail = log_lines(lab, name)[-4:]
    assert tail[0].endswith("Product: VNACCS Client -- Installation completed successfully.")
    assert tail[1].endswith(
        "Windows Installer installed the product. Product Name: VNACCS Client. Product Version: 4.2.0. "
        "Product Language: 1033. Manufacturer: Tong cuc Hai quan. Installation success or error status: 0."
    )
    assert tail[-1].startswith("=== Verbose logging stopped: ")


def installed_versions(client: Client, packages: dict[str, dict]) -> dict[str, str | None]:
    """Each package's DisplayVersion in its Uninstall key, None where the key is absent."""
    return {
        version: (uninstall_values(client, package["product_code"]) or {}).get("DisplayVersion")
        for version, package in packages.items()
    }


def test_the_newer_version_removes_the_older(workstation, client_packages):
    lab, name, client = workstation
    old = client_packages["4.2.0"]
    assert [client.run(install(path)).status_code for path in (OLD, NEW)] == [0, 0]
    assert installed_versions(client, client_packages) == {"4.2.0": None, "4.3.0": "4.3.0"}
    lines = log_lines(lab, name)
    assert any(
        f"Adding WIX_UPGRADE_DETECTED property. Its value is '{old['product_code']}'." in line
        for line in lines
    )
    assert any(
        "Windows Installer removed the product. Product Name: VNACCS Client. Product Version: 4.2.0." in line
        for line in lines
    )


def test_the_older_version_is_refused_over_the_newer(workstation, client_packages):
    lab, name, client = workstation
    assert [client.run(install(path)).status_code for path in (NEW, OLD)] == [0, 1603]
    assert installed_versions(client, client_packages) == {"4.2.0": None, "4.3.0": "4.3.0"}
    lines = log_lines(lab, name)
    assert any("A newer version of VNACCS Client is already installed." in line for line in lines)
    assert any(line.endswith("LaunchConditions. Return value 3.") for line in lines)
    assert lines[-5].endswith("INSTALL. Return value 3.")
    assert lines[-4].endswith("Product: VNACCS Client -- Installation failed.")
    assert lines[-3].endswith(
        "Product Version: 4.2.0. Product Language: 1033. Manufacturer: Tong cuc Hai quan. "
        "Installation success or error status: 1603."
    )


@pytest.mark.assumption
def test_the_same_version_again_changes_nothing(workstation, client_packages):
    lab, name, client = workstation
    assert client.run(install(OLD)).status_code == 0
    before = lab.host(name).snapshot()["products"]
    assert client.run(install(OLD)).status_code == 0
    assert lab.host(name).snapshot()["products"] == before
    assert log_lines(lab, name)[-3].endswith("Reconfiguration success or error status: 0.")


def test_uninstall_by_product_code(workstation, client_packages):
    _, _, client = workstation
    code = client_packages["4.2.0"]["product_code"]
    assert client.run(install(OLD)).status_code == 0
    assert client.run(f'start "" /wait msiexec /x {code} /qn /norestart').status_code == 0
    assert uninstall_values(client, code) is None
    assert client.run(f'start "" /wait msiexec /x {code} /qn /norestart').status_code == 1605
    # By package, too.
    assert client.run(install(NEW)).status_code == 0
    assert client.run(f'start "" /wait msiexec /x {NEW} /qn').status_code == 0
    assert uninstall_values(client, client_packages["4.3.0"]["product_code"]) is None


@pytest.mark.fault
def test_msi_fail_fails_the_next_installs_and_leaves_nothing(workstation, client_packages):
    lab, name, client = workstation
    control(lab, "POST", f"/hosts/{name}/faults", {"msi_fail": 1})
    assert client.run(install(OLD)).status_code == 1603
    assert uninstall_values(client, client_packages["4.2.0"]["product_code"]) is None
    tail = log_lines(lab, name)[-5:]
    assert tail[0].endswith("INSTALL. Return value 3.")
    assert tail[1].endswith("Product: VNACCS Client -- Installation failed.")
    assert tail[2].endswith("Installation success or error status: 1603.")
    assert tail[3].endswith("MainEngineThread is returning 1603")
    # What the rollout shows of it: `type LOG` prints the Unicode log's text.
    shown = client.ok(f"type {LOG}").splitlines()
    assert shown[-3].endswith("Installation success or error status: 1603.")
    assert client.run(install(OLD)).status_code == 0


@pytest.mark.fault
def test_msi_busy_answers_1618_n_times_then_installs(workstation, client_packages):
    lab, name, client = workstation
    control(lab, "POST", f"/hosts/{name}/faults", {"msi_busy": 2})
    assert control(lab, "GET", "/hosts")["hosts"][name]["faults"]["msi_busy"] == 2
    assert [client.run(install(OLD)).status_code for _ in range(3)] == [1618, 1618, 0]
    assert "msi_busy" not in control(lab, "GET", "/hosts")["hosts"][name]["faults"]
    assert uninstall_values(client, client_packages["4.2.0"]["product_code"])["DisplayVersion"] == "4.2.0"


def test_msi_restart_3010_leaves_a_restart_pending(workstation, client_packages):
    lab, name, client = workstation
    control(lab, "POST", f"/hosts/{name}/faults", {"msi_restart": 3010})
    assert client.run(f'reg query "{SESSION_MANAGER}" /v PendingFileRenameOperations').status_code == 1
    assert client.run(install(OLD)).status_code == 3010
    assert uninstall_values(client, client_packages["4.2.0"]["product_code"])["DisplayVersion"] == "4.2.0"
    assert client.run(f'reg query "{SESSION_MANAGER}" /v PendingFileRenameOperations').status_code == 0
    # The restart carries the queued renames out.
    from winlab.model import tasks

    host = lab.host(name)
    with host.lock:
        tasks.complete_reboot(host)
        host.save()
    assert client.run(f'reg query "{SESSION_MANAGER}" /v PendingFileRenameOperations').status_code == 1


@pytest.mark.assumption
def test_msi_restart_1641_is_3010_with_norestart(workstation):
    lab, name, client = workstation
    control(lab, "POST", f"/hosts/{name}/faults", {"msi_restart": 1641})
    assert client.run(install(OLD)).status_code == 3010
    assert not [entry for entry in lab.host(name).snapshot()["reboots"] if not entry.get("done")]


def test_msi_restart_1641_restarts_the_host(workstation):
    lab, name, client = workstation
    control(lab, "POST", f"/hosts/{name}/faults", {"msi_restart": 1641})
    assert client.run(f'start "" /wait msiexec /i {OLD} /qn').status_code == 1641
    [entry] = lab.host(name).snapshot()["reboots"]
    assert entry["restart"]


def test_bad_fault_values_are_refused(workstation):
    lab, name, _ = workstation
    with pytest.raises(ValueError, match="msi_restart takes 3010 or 1641"):
        lab.set_fault(name, msi_restart=1603)
    with pytest.raises(ValueError, match="msi_fail takes"):
        lab.set_fault(name, msi_fail="two")


@pytest.mark.fault
def test_a_file_that_is_no_package_is_1620(workstation):
    lab, name, client = workstation
    host = lab.host(name)
    with host.lock:
        files.put_file(host, "C:\\VNACCS\\random.msi", bytes(range(256)) * 4)
        # The compound file signature, then nothing a package has.
        files.put_file(host, "C:\\VNACCS\\truncated.msi", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504)
        host.save()
    assert client.run(install("C:\\VNACCS\\random.msi")).status_code == 1620
    assert client.run(install("C:\\VNACCS\\truncated.msi")).status_code == 1620
    assert client.run(install("C:\\VNACCS\\missing.msi")).status_code == 1619
    assert client.run(install(OLD, log="C:\\NoSuchFolder\\install.log")).status_code == 1622


def test_only_start_wait_gives_msiexec_s_exit_code(workstation, client_packages):
    _, _, client = workstation
    assert client.run('start "" /wait msiexec /i C:\\VNACCS\\missing.msi /qn').status_code == 1619
    assert client.run('cmd /c start "" /wait msiexec /i C:\\VNACCS\\missing.msi /qn').status_code == 1619
    # Without /wait, start returns at once: the install runs, its exit code is lost.
    assert client.run(f'start "" msiexec /i {NEW} /qn /norestart').status_code == 0
    assert uninstall_values(client, client_packages["4.3.0"]["product_code"])["DisplayVersion"] == "4.3.0"
    # The downgrade fails, and `||` sees it.
    response = client.run(f'start "" /wait msiexec /i {OLD} /qn || echo refused')
    assert response.std_out.decode("cp437").strip() == "refused"


@pytest.mark.assumption
def test_plain_msiexec_does_not_give_its_exit_code(workstation):
    _, _, client = workstation
    # cmd does not wait for a GUI program (reference 8.1); winlab's stricter reading of `cmd /c msiexec`.
    assert client.run("msiexec /i C:\\VNACCS\\missing.msi /qn").status_code == 0
    assert client.run("cmd /c msiexec /i C:\\VNACCS\\missing.msi /qn").status_code == 0
