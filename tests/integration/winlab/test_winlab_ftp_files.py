"""The files an emulated base server serves over FTP (winlab/ftp.py), and the Windows `ftp` client of
a workstation that fetches them (winlab/model/ftpclient.py): byte-exact transfers, logons and their
lockout, read-only accounts, the byte counts, and the failures a rollout must notice."""

from __future__ import annotations

import base64
import ftplib
import hashlib
import io
import os
import re

import pytest
import winrm

from tests.support.credentials import PASSWORD, USER
from tests.support.lab import Client, control
from winlab.lab import LabConfig
from winlab.server import LOCKOUT_THRESHOLD

READER, READER_PASSWORD = "vnaccs-ftp", "Reader-Pa55"
BASE = "base-2008"
FIREWALL_RULE = 'name="VNACCS base server FTP" dir=in action=allow protocol=TCP localport=21'
SETUP = [
    "servermanagercmd -install Web-Ftp-Server",
    f"netsh advfirewall firewall add rule {FIREWALL_RULE}",
]
# Bytes that ASCII mode would change (bare LF, CR LF, NUL, high bytes): binary mode must not.
INSTALLER = os.urandom(300_000) + b"\n\r\n\x00\xff\n"
SCRIPT = r"C:\ftp-get.txt"


@pytest.fixture
def lab(winlab_factory):
    lab = winlab_factory(
        {BASE: "2008", "ws-xp": "xp", "ws-7": "7"},
        service_start_delay=0,
        accounts={READER: READER_PASSWORD},
        read_only_accounts=[READER.upper()],
    )
    client = Client(lab, BASE)
    for command in SETUP:
        client.ok(command)
    return lab


def ftp_to(lab, name: str = BASE) -> ftplib.FTP:
    ftp = ftplib.FTP(timeout=10)
    ftp.connect("127.0.0.1", lab.describe()["hosts"][name]["ftp_port"])
    return ftp


def upload(lab, path: str = "Client/setup.msi", data: bytes = INSTALLER) -> None:
    """Stage a file as the rollout does: ftplib from the controller, an account that may write."""
    ftp = ftp_to(lab)
    ftp.login(USER, PASSWORD)
    folder = path.rpartition("/")[0]
    if folder:
        ftp.mkd(folder)
    ftp.storbinary(f"STOR {path}", io.BytesIO(data))
    ftp.quit()


def download(ftp: ftplib.FTP, path: str) -> bytes:
    out = io.BytesIO()
    ftp.retrbinary(f"RETR {path}", out.write)
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_an_upload_lands_on_the_disk_and_downloads_byte_for_byte(lab):
    lab.set_clock(BASE, "2026-11-30T10:15:00")
    upload(lab)
    state = control(lab, "GET", f"/hosts/{BASE}/state")
    entry = state["fs"]["files"][r"c:\inetpub\ftproot\client\setup.msi"]
    assert entry["mtime"] == "2026-11-30T10:15:00"
    assert r"C:\Inetpub\ftproot\Client" in state["fs"]["dirs"]
    ftp = ftp_to(lab)
    ftp.login(READER, READER_PASSWORD)
    assert sha256(download(ftp, "Client/setup.msi")) == sha256(INSTALLER)
    ftp.set_pasv(False)  # active mode, as the Windows client uses it
    assert sha256(download(ftp, "/Client/setup.msi")) == sha256(INSTALLER)
    ftp.quit()


def test_size_and_listings(lab):
    lab.set_clock(BASE, "2026-11-30T14:05:00")
    upload(lab)
    ftp = ftp_to(lab)
    ftp.login(READER, READER_PASSWORD)
    assert ftp.size("Client/setup.msi") == len(INSTALLER)
    root: list[str] = []
    ftp.retrlines("LIST", root.append)
    assert root == ["01-01-26  12:00AM       <DIR>          Client"]
    inside: list[str] = []
    ftp.cwd("Client")
    assert ftp.pwd() == "/Client"
    ftp.retrlines("LIST", inside.append)
    assert inside == [f"11-30-26  02:05PM {len(INSTALLER):>20} setup.msi"]
    assert ftp.nlst() == ["setup.msi"]
    with pytest.raises(ftplib.error_perm, match=r"^550"):
        ftp.size("missing.msi")
    ftp.quit()


def test_ascii_mode_turns_bare_line_feeds_into_cr_lf(lab):
    upload(lab, "notes.txt", b"one\ntwo\r\n")
    ftp = ftp_to(lab)
    ftp.login(READER, READER_PASSWORD)
    ftp.voidcmd("TYPE A")
    with ftp.transfercmd("RETR notes.txt") as data:
        received = data.makefile("rb").read()
    ftp.voidresp()
    assert received == b"one\r\ntwo\r\n"
    ftp.quit()


@pytest.mark.assumption
@pytest.mark.parametrize(
    "command",
    ["STOR new.bin", "DELE Client/setup.msi", "MKD Other", "RMD Client", "RNFR Client/setup.msi"],
)
def test_a_read_only_account_is_refused_every_change(lab, command):
    upload(lab)
    before = control(lab, "GET", f"/hosts/{BASE}/state")["fs"]
    ftp = ftp_to(lab)
    ftp.login(READER.lower(), READER_PASSWORD)
    verb = command.partition(" ")[0]
    if verb == "STOR":
        with pytest.raises(ftplib.error_perm, match=r"^550 Access is denied\.$"):
            ftp.storbinary(command, io.BytesIO(b"not allowed"))
    else:
        assert ftp.sendcmd("NOOP").startswith("200")
        with pytest.raises(ftplib.error_perm, match=r"^550 Access is denied\.$"):
            ftp.sendcmd(command)
    ftp.quit()
    assert control(lab, "GET", f"/hosts/{BASE}/state")["fs"] == before
    assert lab.transfers(BASE)["bytes_received"] == len(INSTALLER)  # the staging upload only


@pytest.mark.fault
def test_wrong_passwords_lock_the_account_for_ftp_and_winrm_alike(lab):
    ftp = ftp_to(lab)
    ftp.sendcmd(f"USER {USER}")
    for _ in range(LOCKOUT_THRESHOLD):
        with pytest.raises(ftplib.error_perm, match=r"^530 User cannot log in\.$"):
            ftp.sendcmd("PASS wrong-password")
        ftp.sendcmd(f"USER {USER}")
    # Locked: the right password no longer logs on, over FTP or WinRM.
    with pytest.raises(ftplib.error_perm, match=r"^530 User cannot log in\.$"):
        ftp.sendcmd(f"PASS {PASSWORD}")
    with pytest.raises(ftplib.error_perm, match=r"^530"):
        ftp.sendcmd("PWD")
    ftp.close()
    assert USER.lower() in control(lab, "GET", "/hosts")["hosts"][BASE]["locked"]
    with pytest.raises(winrm.exceptions.InvalidCredentialsError):
        Client(lab, BASE).run("hostname")
    # The other hosts keep their own count, as for WinRM.
    assert Client(lab, "ws-xp").run("hostname").status_code == 0


def test_transfers_are_counted_per_host_in_the_api_and_the_control_interface(lab):
    upload(lab)
    ftp = ftp_to(lab)
    ftp.login(READER, READER_PASSWORD)
    download(ftp, "Client/setup.msi")
    ftp.quit()
    counted = lab.transfers(BASE)
    assert counted["bytes_received"] == len(INSTALLER)
    assert counted["bytes_sent"] == len(INSTALLER)
    assert [(t["direction"], t["path"], t["bytes"], t["account"]) for t in counted["transfers"]] == [
        ("received", "/Client/setup.msi", len(INSTALLER), USER),
        ("sent", "/Client/setup.msi", len(INSTALLER), READER),
    ]
    assert control(lab, "GET", f"/hosts/{BASE}/transfers") == counted
    assert lab.transfers("ws-xp")["count"] == 0
    control(lab, "DELETE", f"/hosts/{BASE}/transfers")
    assert lab.transfers(BASE) == {"bytes_sent": 0, "bytes_received": 0, "count": 0, "transfers": []}
    lab.reset_transfers(BASE)
    with pytest.raises(KeyError):
        lab.transfers("no-such-host")


def write_script(lab, workstation: str, *lines: str) -> None:
    client = Client(lab, workstation)
    client.ok(f"echo {lines[0]}>{SCRIPT}")
    for line in lines[1:]:
        client.ok(f"echo {line}>>{SCRIPT}")


@pytest.mark.parametrize("workstation", ["ws-xp", "ws-7"])
def test_a_workstation_fetches_its_installer_with_an_ftp_script(lab, workstation):
    upload(lab)
    address = lab.host(BASE).state["network"]["address"]
    write_script(
        lab,
        workstation,
        f"open {address}",
        f"user {READER} {READER_PASSWORD}",
        "binary",
        "cd Client",
        r"get setup.msi C:\setup.msi",
        "bye",
    )
    response = Client(lab, workstation).run(f"ftp -n -s:{SCRIPT}")
    assert response.status_code == 0
    transcript = response.std_out.decode("cp437").split("\r\n")
    assert transcript[:3] == [f"ftp> open {address}", f"Connected to {address}.", "220 Microsoft FTP Service"]
    assert "200 PORT command successful." in transcript
    assert "226 Transfer complete." in transcript
    stats = [line for line in transcript if "bytes received in" in line]
    assert len(stats) == 1
    assert re.fullmatch(
        rf"ftp: {len(INSTALLER)} bytes received in \d+\.\d\dSeconds \d+\.\d\dKbytes/sec\.", stats[0]
    )
    assert transcript[-2:] == ["221 Goodbye.", ""]
    copied = control(lab, "GET", f"/hosts/{workstation}/state")["fs"]["files"][r"c:\setup.msi"]
    assert sha256(base64.b64decode(copied["data"])) == sha256(INSTALLER)
    assert lab.transfers(BASE)["transfers"][-1]["account"] == READER


@pytest.mark.assumption
def test_the_ftp_client_exits_0_when_a_get_or_the_logon_fails(lab):
    upload(lab)
    write_script(
        lab,
        "ws-7",
        f"open {BASE}",
        f"user {READER} wrong-password",
        "binary",
        r"get Client/setup.msi C:\setup.msi",
        "bye",
    )
    response = Client(lab, "ws-7").run(f"ftp -n -s:{SCRIPT}")
    transcript = response.std_out.decode("cp437")
    assert response.status_code == 0
    assert "530 User cannot log in.\r\nLogin failed.\r\n" in transcript
    assert "bytes received" not in transcript
    write_script(
        lab, "ws-7", f"open {BASE}", f"user {READER} {READER_PASSWORD}", "get Client/nothere.msi", "bye"
    )
    response = Client(lab, "ws-7").run(f"ftp -n -s:{SCRIPT}")
    assert response.status_code == 0
    assert "550 Client/nothere.msi: The system cannot find the file specified." in response.std_out.decode()
    files = control(lab, "GET", "/hosts/ws-7/state")["fs"]["files"]
    assert r"c:\setup.msi" not in files
    assert not any(key.endswith("nothere.msi") for key in files)


@pytest.mark.assumption
def test_the_ftp_client_names_a_host_it_cannot_resolve_and_exits_0(lab):
    write_script(lab, "ws-xp", "open base-nowhere", f"user {READER} {READER_PASSWORD}", "bye")
    response = Client(lab, "ws-xp").run(f"ftp -n -s:{SCRIPT}")
    assert response.status_code == 0
    lines = response.std_out.decode().split("\r\n")
    assert lines[:4] == [
        "ftp> open base-nowhere",
        "Unknown host base-nowhere.",
        f"ftp> user {READER} {READER_PASSWORD}",
        "Not connected.",
    ]


def test_the_double_hop_still_needs_net_use_credentials(lab):
    upload(lab)
    source = rf"\\{BASE}\C$\Inetpub\ftproot\Client\setup.msi"
    refused = Client(lab, "ws-7").run(rf"copy {source} C:\setup.msi")
    assert refused.status_code == 1
    assert b"Access is denied." in refused.std_out
    assert r"c:\setup.msi" not in control(lab, "GET", "/hosts/ws-7/state")["fs"]["files"]


@pytest.mark.fault
def test_a_host_that_is_down_refuses_ftp(lab):
    upload(lab)
    control(lab, "POST", f"/hosts/{BASE}/faults", {"down": True})
    with pytest.raises(ConnectionRefusedError):
        ftp_to(lab)
    write_script(
        lab, "ws-xp", f"open {BASE}", f"user {READER} {READER_PASSWORD}", "get Client/setup.msi", "bye"
    )
    response = Client(lab, "ws-xp").run(f"ftp -n -s:{SCRIPT}")
    assert response.status_code == 0
    assert "> ftp: connect :Connection refused" in response.std_out.decode()
    control(lab, "DELETE", f"/hosts/{BASE}/faults")
    ftp = ftp_to(lab)
    ftp.login(READER, READER_PASSWORD)
    assert sha256(download(ftp, "Client/setup.msi")) == sha256(INSTALLER)
    ftp.quit()


@pytest.mark.assumption
def test_the_ftp_client_logs_on_from_the_next_lines_and_puts_from_its_local_folder(lab):
    Client(lab, "ws-xp").ok(r"mkdir C:\Reports")
    Client(lab, "ws-xp").ok(r"echo ws-xp done>C:\Reports\status.txt")
    # Without -n the two lines after `open` answer the user name and password prompts.
    write_script(lab, "ws-xp", f"open {BASE}", USER, PASSWORD, r"lcd C:\Reports", "put status.txt", "quit")
    response = Client(lab, "ws-xp").run(f"ftp -s:{SCRIPT}")
    transcript = response.std_out.decode("cp437").split("\r\n")
    assert response.status_code == 0
    assert transcript[3:7] == [
        f"User ({BASE}:(none)): ",
        f"331 Password required for {USER}.",
        "Password:",
        f"230 User {USER} logged in.",
    ]
    assert PASSWORD not in response.std_out.decode("cp437")
    assert r"Local directory now C:\Reports." in transcript
    assert any(
        re.fullmatch(r"ftp: \d+ bytes sent in \d+\.\d\dSeconds \d+\.\d\dKbytes/sec\.", line)
        for line in transcript
    )
    stored = control(lab, "GET", f"/hosts/{BASE}/state")["fs"]["files"][r"c:\inetpub\ftproot\status.txt"]
    assert base64.b64decode(stored["data"]) == b"ws-xp done\r\n"
    assert lab.transfers(BASE)["transfers"][-1] == {
        **lab.transfers(BASE)["transfers"][-1],
        "direction": "received",
        "path": "/status.txt",
        "bytes": len(b"ws-xp done\r\n"),
        "account": USER,
    }


def test_read_only_accounts_come_from_the_lab_configuration(tmp_path):
    data = {"hosts": [], "read_only_accounts": ["CUSTOMS\\vnaccs-ftp"]}
    assert LabConfig.from_dict(data, tmp_path).read_only_accounts == ["CUSTOMS\\vnaccs-ftp"]
    assert LabConfig.from_dict({"hosts": []}, tmp_path).read_only_accounts == []
    with pytest.raises(ValueError, match="read_only_accounts must be a list"):
        LabConfig.from_dict({"hosts": [], "read_only_accounts": "vnaccs-ftp"}, tmp_path)


@pytest.mark.assumption
def test_port_points_only_back_at_the_client(lab):
    upload(lab)
    ftp = ftp_to(lab)
    ftp.login(READER, READER_PASSWORD)
    with pytest.raises(ftplib.error_perm, match=r"^504"):
        ftp.sendcmd("PORT 127,0,0,2,4,1")
    with pytest.raises(ftplib.error_perm, match=r"^504"):
        ftp.sendcmd("PORT 10,27,10,5,4,1")
    with pytest.raises(ftplib.error_temp, match=r"^425"):
        ftp.sendcmd("RETR Client/setup.msi")
    ftp.quit()
    assert lab.transfers(BASE)["bytes_sent"] == 0


@pytest.mark.assumption
def test_an_anonymous_logon_reads_but_never_writes_and_never_counts_toward_a_lockout(lab):
    upload(lab)
    for _ in range(LOCKOUT_THRESHOLD + 1):
        ftp = ftp_to(lab)
        ftp.login("anonymous", "vnaccs@")
        assert download(ftp, "Client/setup.msi") == INSTALLER
        with pytest.raises(ftplib.error_perm, match=r"^550"):
            ftp.storbinary("STOR Client/other.msi", io.BytesIO(b"x"))
        ftp.quit()
    assert control(lab, "GET", "/hosts")["hosts"][BASE]["locked"] == []
    # A site that does not allow anonymous connections refuses them.
    for site in lab.host(BASE).state["ftp_sites"].values():
        site["allow_anonymous"] = False
    ftp = ftp_to(lab)
    with pytest.raises(ftplib.error_perm, match=r"^530 User cannot log in\.$"):
        ftp.login("anonymous", "vnaccs@")
    ftp.close()
