"""What the audit reads, over pywinrm on every profile: `wmic useraccount`, `secedit /export` typed and
deleted, `reg query` of the Uninstall keys with `/s`, systeminfo's Hotfix(s), cmd's `<nul`; and the
setting faults of the control interface that change them (winlab/model/security.py)."""

from __future__ import annotations

import pytest
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_output as wo

from tests.support.lab import Client, control

PROFILES = ["2003", "2008", "xp", "7"]
SECEDIT = (
    r"secedit /export /areas SECURITYPOLICY /cfg %SystemRoot%\Temp\a.inf >nul"
    r"&type %SystemRoot%\Temp\a.inf&del %SystemRoot%\Temp\a.inf"
)
WMIC = 'wmic useraccount where "LocalAccount=TRUE" get SID,Name,Disabled /format:csv <nul'
UNINSTALL = r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"


@pytest.fixture
def host(winlab_factory, request):
    profile = request.param
    lab = winlab_factory({f"audit-{profile}": profile}, service_start_delay=0)
    return lab, Client(lab, f"audit-{profile}"), profile


@pytest.mark.assumption
@pytest.mark.parametrize("host", PROFILES, indirect=True)
def test_wmic_lists_the_local_accounts_in_csv(host):
    lab, client, _ = host
    response = client.run(WMIC)
    assert response.status_code == 0
    text = response.std_out.decode("cp437")
    # The properties in alphabetical order after Node, whatever order `get` named them in; CR CR LF.
    assert text.startswith("\r\r\nNode,Disabled,Name,SID\r\r\n")
    rows = wo.parse_wmic_csv(text)
    assert [(row["name"], row["disabled"], row["sid"].rpartition("-")[2]) for row in rows] == [
        ("qtv", "FALSE", "500"),
        ("Guest", "TRUE", "501"),
    ]
    assert {row["node"] for row in rows} == {lab.host(f"audit-{host[2]}").computer_name}


@pytest.mark.assumption
@pytest.mark.parametrize("host", ["2003"], indirect=True)
def test_wmic_refuses_what_it_does_not_model(host):
    _, client, _ = host
    assert client.run("wmic nosuchalias get Name").status_code != 0
    assert client.run("wmic useraccount get Name /format:htable").status_code != 0
    assert client.run("wmic useraccount get Password").status_code != 0


@pytest.mark.parametrize("host", PROFILES, indirect=True)
def test_secedit_export_typed_and_deleted_leaves_nothing_behind(host):
    lab, client, profile = host
    before = lab.host(f"audit-{profile}").snapshot()["fs"]
    text = client.ok(SECEDIT)
    events = wo.parse_security_template(text)["event audit"]
    assert events["auditlogonevents"] == "3" and events["auditobjectaccess"] == "0"
    assert len(events) == 9
    assert lab.host(f"audit-{profile}").snapshot()["fs"] == before
    assert (
        "The system cannot find the file specified."
        in client.run(r"type %SystemRoot%\Temp\a.inf").std_err.decode()
    )


@pytest.mark.parametrize("host", ["7"], indirect=True)
def test_secedit_into_a_missing_folder_fails_and_type_finds_nothing(host):
    _, client, _ = host
    response = client.run(r"secedit /export /areas SECURITYPOLICY /cfg C:\nowhere\a.inf")
    assert response.status_code != 0
    assert wo.parse_security_template(client.run(r"type C:\nowhere\a.inf").std_out.decode()) == {}


@pytest.mark.parametrize("host", PROFILES, indirect=True)
def test_systeminfo_lists_the_hotfixes_and_a_removed_one_is_gone(host):
    lab, client, profile = host
    count, ids = wo.parse_hotfixes(client.ok("systeminfo"))
    assert count == len(ids) == 1
    control(lab, "POST", f"/hosts/audit-{profile}/faults", {"hotfix_removed": ids[0]})
    assert wo.parse_hotfixes(client.ok("systeminfo")) == (0, ())
    control(lab, "DELETE", f"/hosts/audit-{profile}/faults")
    assert wo.parse_hotfixes(client.ok("systeminfo")) == (0, ()), "a setting fault stays, as a change would"


@pytest.mark.parametrize("host", PROFILES, indirect=True)
def test_the_uninstall_key_exists_empty_and_lists_an_installed_program(host):
    lab, client, profile = host
    assert wo.parse_installed_programs(client.ok(f"reg query {UNINSTALL} /s")) == []
    # 32-bit profiles have no Wow6432Node view.
    assert (
        client.run(
            r"reg query HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall /s"
        ).status_code
        == 1
    )
    fault = {"program_installed": {"name": "uTorrent", "version": "3.5.5", "publisher": "BitTorrent Inc."}}
    control(lab, "POST", f"/hosts/audit-{profile}/faults", fault)
    client.ok(f'reg add "{UNINSTALL}\\7-Zip" /v DisplayName /d "7-Zip 9.20" /f')
    programs = wo.parse_installed_programs(client.ok(f'reg query "{UNINSTALL}" /s'))
    assert [(item.key, item.name, item.version) for item in programs] == [
        ("7-Zip", "7-Zip 9.20", ""),
        ("uTorrent", "uTorrent", "3.5.5"),
    ]
    # Without /s, the subkeys only.
    assert wo.parse_installed_programs(client.ok(f'reg query "{UNINSTALL}"')) == []


@pytest.mark.parametrize("host", ["xp"], indirect=True)
def test_the_account_and_audit_policy_faults(host):
    lab, client, profile = host
    path = f"/hosts/audit-{profile}/faults"
    control(
        lab,
        "POST",
        path,
        {"local_account": [{"rid": 501, "disabled": False}, {"rid": 500, "name": "Administrator"}]},
    )
    rows = {row["sid"].rpartition("-")[2]: row for row in wo.parse_wmic_csv(client.ok(WMIC))}
    assert (rows["500"]["name"], rows["501"]["disabled"]) == ("Administrator", "FALSE")
    control(lab, "POST", path, {"audit_policy": {"AuditLogonEvents": 0, "auditpolicychange": 2}})
    events = wo.parse_security_template(client.ok(SECEDIT))["event audit"]
    assert (events["auditlogonevents"], events["auditpolicychange"], events["auditsystemevents"]) == (
        "0",
        "2",
        "3",
    )


@pytest.mark.parametrize("host", ["2008"], indirect=True)
def test_input_from_nul_and_from_a_file(host):
    _, client, _ = host
    client.ok(r"echo hello> C:\in.txt")
    assert client.ok("wmic useraccount get Name /format:csv < nul").count("Guest") == 1
    assert client.run(r"wmic useraccount get Name /format:csv <C:\missing.txt").status_code == 1
    # A caret before < or > makes it text (windowsserverdocs echo.md: "use a caret (^) immediately before
    # the pipe or redirection character").
    assert client.ok(r"echo a ^< b ^> c") == "a < b > c\r\n"
