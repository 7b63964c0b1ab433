"""Account lockout, fault injection, request counters and persistence, through the control interface."""

from __future__ import annotations

import concurrent.futures
import socket
import time

import pytest
import requests
import winrm
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_output as wo
from winrm.protocol import Protocol

from tests.support.credentials import PASSWORD, USER
from tests.support.lab import Client, control
from winlab.lab import HostConfig, Lab, LabConfig
from winlab.model import files


@pytest.fixture
def small_lab(tmp_path):
    config = LabConfig(
        state_dir=tmp_path / "state",
        hosts=[HostConfig("dhcp-lang-son", "2003"), HostConfig("dhcp-lao-cai", "2008")],
        accounts={USER: PASSWORD},
        https=False,
    )
    with Lab(config) as lab:
        yield lab


@pytest.mark.parametrize("transport", ["ntlm", "basic"])
def test_five_bad_logons_lock_the_account_until_reset(small_lab, transport):
    bad = Client(small_lab, "dhcp-lang-son", transport=transport, password="wrong")
    for _ in range(5):
        with pytest.raises(winrm.exceptions.InvalidCredentialsError):
            bad.run("ver")
    good = Client(small_lab, "dhcp-lang-son", transport=transport)
    with pytest.raises(winrm.exceptions.InvalidCredentialsError):
        good.run("ver")  # locked: the right password is refused too
    assert control(small_lab, "GET", "/hosts")["hosts"]["dhcp-lang-son"]["locked"] == ["administrator"]
    # Lockout is per host, as for the local accounts the lab models.
    assert Client(small_lab, "dhcp-lao-cai", transport=transport).ok("hostname") == "DHCP-LAO-CAI\r\n"
    control(small_lab, "POST", "/hosts/dhcp-lang-son/lockout/reset", {})
    assert Client(small_lab, "dhcp-lang-son", transport=transport).ok("hostname") == "DHCP-LANG-SON\r\n"


def test_four_bad_logons_then_a_good_one_reset_the_count(small_lab):
    bad = Client(small_lab, "dhcp-lang-son", password="wrong")
    for _ in range(4):
        with pytest.raises(winrm.exceptions.InvalidCredentialsError):
            bad.run("ver")
    Client(small_lab, "dhcp-lang-son").ok("ver")
    for _ in range(4):
        with pytest.raises(winrm.exceptions.InvalidCredentialsError):
            bad.run("ver")
    assert Client(small_lab, "dhcp-lang-son").ok("hostname") == "DHCP-LANG-SON\r\n"


def test_an_open_ntlm_connection_is_cut_off_when_the_account_locks(small_lab):
    good = Client(small_lab, "dhcp-lang-son")
    good.ok("ver")
    bad = Client(small_lab, "dhcp-lang-son", transport="basic", password="wrong")
    for _ in range(5):
        with pytest.raises(winrm.exceptions.InvalidCredentialsError):
            bad.run("ver")
    with pytest.raises(winrm.exceptions.InvalidCredentialsError):
        good.run("ver")


def test_host_down_refuses_connections_and_comes_back(small_lab):
    client = Client(small_lab, "dhcp-lao-cai")
    client.ok("ver")
    control(small_lab, "POST", "/hosts/dhcp-lao-cai/faults", {"down": True})
    with pytest.raises(requests.exceptions.ConnectionError) as raised:
        Client(small_lab, "dhcp-lao-cai").run("ver")
    assert "refused" in str(raised.value).lower()
    control(small_lab, "DELETE", "/hosts/dhcp-lao-cai/faults")
    assert Client(small_lab, "dhcp-lao-cai").ok("hostname") == "DHCP-LAO-CAI\r\n"


def test_a_host_that_is_down_keeps_its_ports_from_anyone_else(small_lab):
    port = small_lab.runtime("dhcp-lao-cai").http_port
    control(small_lab, "POST", "/hosts/dhcp-lao-cai/faults", {"down": True})
    # The port stays bound meanwhile: another program asking for it is refused it (and the kernel
    # gives it to no one who asks for any free port, such as another lab in a parallel test).
    with socket.socket() as other, pytest.raises(OSError, match="in use"):
        other.bind((small_lab.config.address, port))
    control(small_lab, "DELETE", "/hosts/dhcp-lao-cai/faults")
    assert small_lab.runtime("dhcp-lao-cai").http_port == port
    assert Client(small_lab, "dhcp-lao-cai").ok("hostname") == "DHCP-LAO-CAI\r\n"


def test_slow_responses(small_lab):
    client = Client(small_lab, "dhcp-lao-cai")
    client.ok("ver")
    started = time.monotonic()
    client.ok("ver")
    normal = time.monotonic() - started
    control(small_lab, "POST", "/hosts/dhcp-lao-cai/faults", {"slow": 0.3})
    started = time.monotonic()
    client.ok("ver")
    slowed = time.monotonic() - started
    # Five requests (create, command, receive, signal, delete), each delayed.
    assert slowed >= 1.5 + normal / 2
    control(small_lab, "DELETE", "/hosts/dhcp-lao-cai/faults")
    started = time.monotonic()
    client.ok("ver")
    # Without the fault the same command loses the 1.5 s of delays (compared with the slowed
    # run rather than a fixed bound, so that a loaded machine does not fail the test).
    assert time.monotonic() - started < slowed - 0.75


def test_connection_dropped_mid_command(small_lab):
    client = Client(small_lab, "dhcp-lao-cai")
    control(small_lab, "POST", "/hosts/dhcp-lao-cai/faults", {"drop": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        client.run("sc config LanmanServer start= demand")
    # The command ran before the connection dropped: the change is there, as on a real host.
    after = Client(small_lab, "dhcp-lao-cai").ok("sc qc LanmanServer")
    assert "3   DEMAND_START" in after
    assert "drop" not in control(small_lab, "GET", "/hosts")["hosts"]["dhcp-lao-cai"]["faults"]


def test_service_stopped(small_lab):
    client = Client(small_lab, "dhcp-lang-son")
    control(small_lab, "POST", "/hosts/dhcp-lang-son/faults", {"service_stopped": "LanmanServer"})
    assert "STATE              : 1  STOPPED" in client.ok("sc query LanmanServer")
    assert client.ok("net start LanmanServer").endswith(
        "The Server service was started successfully.\r\n\r\n"
    )


def test_unknown_fault_is_refused(small_lab):
    with pytest.raises(requests.exceptions.HTTPError) as raised:
        response = requests.post(
            small_lab.control_url + "/hosts/dhcp-lang-son/faults", json={"fire": 1}, timeout=5
        )
        response.raise_for_status()
    assert raised.value.response.status_code == 400


def test_msi_busy(small_lab):
    client = Client(small_lab, "dhcp-lao-cai")
    client.ok("echo ProductVersion=1.0> C:\\agent.msi")
    control(small_lab, "POST", "/hosts/dhcp-lao-cai/faults", {"msi_busy": True})
    # `true`: busy until the faults are cleared (a number N: the next N runs).
    for _ in range(2):
        assert client.run('start "" /wait msiexec /i C:\\agent.msi /qn').status_code == 1618
    control(small_lab, "DELETE", "/hosts/dhcp-lao-cai/faults")
    assert client.run('start "" /wait msiexec /i C:\\agent.msi /qn').status_code == 0


def test_request_counter(small_lab):
    control(small_lab, "POST", "/hosts/dhcp-lao-cai/counters/reset", {})
    client = Client(small_lab, "dhcp-lao-cai", transport="basic")
    client.ok("ver")
    client.ok("hostname")
    counters = control(small_lab, "GET", "/hosts/dhcp-lao-cai/counters")
    assert counters["operations"] == {"Create": 2, "Command": 2, "Receive": 2, "Signal": 2, "Delete": 2}
    assert counters["requests"] == 10


def test_state_persists_across_restarts(tmp_path):
    hosts = [HostConfig("dhcp-cao-bang", "2008")]
    config = LabConfig(state_dir=tmp_path / "state", hosts=hosts, accounts={USER: PASSWORD}, https=False)
    with Lab(config) as lab:
        client = Client(lab, "dhcp-cao-bang")
        client.ok("servermanagercmd -install DHCP")
        client.ok('netsh dhcp server add scope 10.40.10.0 255.255.255.0 "CC HQ Cao Bang"')
        client.ok("sc config DHCPServer start= demand")
    assert (tmp_path / "state" / "dhcp-cao-bang.json").exists()
    with Lab(config) as lab:
        client = Client(lab, "dhcp-cao-bang")
        assert "10.40.10.0" in client.ok("netsh dhcp server show scope")
        assert "DEMAND_START" in client.ok("sc qc DHCPServer")
        # The role's repeat run sees the component installed.
        assert client.run("servermanagercmd -install DHCP").status_code == 1003


def test_a_state_file_of_another_profile_is_not_reused(tmp_path):
    state = tmp_path / "state"
    with Lab(LabConfig(state, [HostConfig("ws-1", "xp")], {USER: PASSWORD}, https=False)) as lab:
        Client(lab, "ws-1").ok("mkdir C:\\VNACCS")
    with Lab(LabConfig(state, [HostConfig("ws-1", "7")], {USER: PASSWORD}, https=False)) as lab:
        client = Client(lab, "ws-1")
        assert client.ok("ver") == "\r\nMicrosoft Windows [Version 6.1.7601]\r\n"
        assert client.run("dir C:\\VNACCS").status_code == 1


@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.10", "10.27.10.5"])
def test_listens_only_on_lab_addresses(tmp_path, address):
    with pytest.raises(ValueError, match="loopback"):
        Lab(LabConfig(tmp_path, [HostConfig("x", "2003")], address=address))


@pytest.mark.slow
def test_a_fleet_of_hundreds_of_hosts(tmp_path):
    hosts = [HostConfig(f"ws-{index:03d}", "xp" if index % 2 else "7") for index in range(250)]
    with Lab(LabConfig(tmp_path, hosts, {USER: PASSWORD}, https=False)) as lab:
        names = [host.name for host in hosts]
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            outputs = list(pool.map(lambda name: Client(lab, name).ok("hostname"), names))
    assert outputs == [f"{name.upper()}\r\n" for name in names]


def test_long_running_command_answers_operation_timeouts(small_lab):
    runtime = small_lab.runtime("dhcp-lao-cai")
    protocol = Protocol(
        f"http://127.0.0.1:{runtime.http_port}/wsman",
        transport="basic",
        username=USER,
        password=PASSWORD,
        operation_timeout_sec=1,
        read_timeout_sec=3,
    )
    control(small_lab, "POST", "/hosts/dhcp-lao-cai/faults", {"command_delay": 2.5})
    control(small_lab, "POST", "/hosts/dhcp-lao-cai/counters/reset", {})
    started = time.monotonic()
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "hostname")
    assert protocol.get_command_output(shell, command) == (b"DHCP-LAO-CAI\r\n", b"", 0)
    assert time.monotonic() - started >= 2.5
    # Receives time out (pywinrm retries them silently) until the command is done: three when the
    # first Receive comes at once, two on a machine slow enough to delay it by half a second.
    assert control(small_lab, "GET", "/hosts/dhcp-lao-cai/counters")["operations"]["Receive"] in (2, 3)
    control(small_lab, "DELETE", "/hosts/dhcp-lao-cai/faults")


def test_large_output_arrives_in_several_receives(small_lab):
    host = small_lab.host("dhcp-lao-cai")
    payload = b"".join(
        b"10.27.%d.%d,ws-%05d\r\n" % (index // 250, index % 250, index) for index in range(5000)
    )
    with host.lock:
        files.put_file(host, "C:\\leases.csv", payload)
    control(small_lab, "POST", "/hosts/dhcp-lao-cai/counters/reset", {})
    response = Client(small_lab, "dhcp-lao-cai", transport="basic").run("type C:\\leases.csv")
    assert response.std_out == payload
    assert control(small_lab, "GET", "/hosts/dhcp-lao-cai/counters")["operations"]["Receive"] == -(
        -len(payload) // 32768
    )


@pytest.mark.parametrize("user", ["CUSTOMS\\svc-ansible", "svc-ansible"])
def test_domain_account_over_ntlm_without_encryption(tmp_path, user):
    accounts = {"CUSTOMS\\svc-ansible": "Svc-Pa55"}
    with Lab(LabConfig(tmp_path, [HostConfig("dhcp-ha-giang", "2008")], accounts, https=False)) as lab:
        url = f"http://127.0.0.1:{lab.runtime('dhcp-ha-giang').http_port}/wsman"
        session = winrm.Session(
            url,
            auth=(user, "Svc-Pa55"),
            transport="ntlm",
            message_encryption="never",
            server_cert_validation="ignore",
        )
        assert session.run_cmd("hostname").std_out == b"DHCP-HA-GIANG\r\n"
        assert "encrypted" not in lab.runtime("dhcp-ha-giang").counters()["operations"]


def test_shutdown_restarts_the_host(tmp_path):
    hosts = [HostConfig("ws-bac-ninh-07", "7")]
    # Long enough a restart that a probe sees the host down even on a loaded machine.
    config = LabConfig(tmp_path, hosts, {USER: PASSWORD}, https=False, reboot_seconds=4.0)
    with Lab(config) as lab:
        client = Client(lab, "ws-bac-ninh-07")
        client.ok("sc config Spooler start= demand")
        client.ok("sc stop LanmanServer")
        went_down = False
        try:
            assert client.run("shutdown -r -f -t 0").status_code == 0
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError):
            # The restart landed before the reply was out: the host went down, as asked.
            went_down = True
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline and not went_down:
            try:
                Client(lab, "ws-bac-ninh-07").run("ver")
            # Refused, or cut off mid-reply when the restart lands during a request.
            except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError):
                went_down = True
            time.sleep(0.05)
        assert went_down
        deadline = time.monotonic() + 20
        while lab.runtime("ws-bac-ninh-07").faults.get("down") and time.monotonic() < deadline:
            time.sleep(0.05)
        client = Client(lab, "ws-bac-ninh-07")
        running = {status.name for status in wo.parse_sc_query(client.ok("sc query"))}
        # After the restart: automatic services run again, demand-start ones do not.
        assert "LanmanServer" in running
        assert "Spooler" not in running
        assert client.run("shutdown -a").status_code == 1116


def test_copy_from_another_hosts_share_needs_credentials_over_ntlm(tmp_path):
    hosts = [HostConfig("base-ha-noi", "2003", address="10.1.1.10"), HostConfig("ws-ha-noi-01", "7")]
    with Lab(LabConfig(tmp_path, hosts, {USER: PASSWORD}, https=False)) as lab:
        base = Client(lab, "base-ha-noi")
        base.ok("mkdir C:\\VNACCS\\4.2.1")
        base.ok("echo ProductVersion=4.2.1> C:\\VNACCS\\4.2.1\\client.msi")
        base.ok("net share VNACCS=C:\\VNACCS")
        workstation = Client(lab, "ws-ha-noi-01")
        workstation.ok("mkdir C:\\Temp")
        copy = "copy /y \\\\BASE-HA-NOI\\VNACCS\\4.2.1\\client.msi C:\\Temp"
        # NTLM: the server cannot pass the logon on to the share (the double hop).
        denied = workstation.run(copy)
        assert (denied.status_code, denied.std_out) == (
            1,
            b"Access is denied.\r\n        0 file(s) copied.\r\n",
        )
        wrong = workstation.run(f"net use \\\\10.1.1.10\\VNACCS wrong /user:{USER}")
        assert wrong.status_code == 2 and b"System error 86" in wrong.std_err
        connect = f"net use \\\\BASE-HA-NOI\\VNACCS {PASSWORD} /user:{USER}"
        assert workstation.ok(f"{connect} && {copy}").endswith("        1 file(s) copied.\r\n")
        assert workstation.ok("type C:\\Temp\\client.msi") == "ProductVersion=4.2.1\r\n"
        # Basic logons hold the password, so they reach the share directly.
        assert Client(lab, "ws-ha-noi-01", transport="basic").ok(copy) == "        1 file(s) copied.\r\n"
        missing = Client(lab, "ws-ha-noi-01", transport="basic").run("type \\\\base-ha-noi\\NOSHARE\\x.txt")
        assert missing.std_err == b"The network name cannot be found.\r\n"
        control(lab, "POST", "/hosts/base-ha-noi/faults", {"down": True})
        gone = Client(lab, "ws-ha-noi-01", transport="basic").run(copy)
        assert gone.std_out.startswith(b"The network path was not found.")


def test_command_line_length_limit(small_lab):
    client = Client(small_lab, "dhcp-lao-cai")
    assert client.run("echo " + "A" * 8000).status_code == 0
    too_long = client.run("echo " + "A" * 8200)
    assert (too_long.status_code, too_long.std_err) == (1, b"The command line is too long.\r\n")


def test_dir_of_another_hosts_share(tmp_path):
    hosts = [HostConfig("base-da-nang", "2008"), HostConfig("ws-da-nang-01", "xp")]
    with Lab(LabConfig(tmp_path, hosts, {USER: PASSWORD}, https=False)) as lab:
        base = Client(lab, "base-da-nang")
        base.ok("mkdir C:\\EUC\\2026")
        base.ok("net share EUC=C:\\EUC /GRANT:Everyone,READ")
        listing = Client(lab, "ws-da-nang-01", transport="basic").ok("dir /b \\\\base-da-nang\\EUC")
        assert listing == "2026\r\n"


def test_basic_takes_local_accounts_only(tmp_path):
    accounts = {"Administrator": PASSWORD, "CUSTOMS\\svc-ansible": "Svc-Pa55"}
    with Lab(LabConfig(tmp_path, [HostConfig("dhcp-dien-bien", "2003")], accounts, https=False)) as lab:
        url = f"http://127.0.0.1:{lab.runtime('dhcp-dien-bien').http_port}/wsman"
        for user in ("CUSTOMS\\svc-ansible", "svc-ansible"):
            session = winrm.Session(
                url, auth=(user, "Svc-Pa55"), transport="basic", server_cert_validation="ignore"
            )
            with pytest.raises(winrm.exceptions.InvalidCredentialsError):
                session.run_cmd("ver")
        local = winrm.Session(url, auth=(USER, PASSWORD), transport="basic", server_cert_validation="ignore")
        assert local.run_cmd("hostname").std_out == b"DHCP-DIEN-BIEN\r\n"
        assert lab.runtime("dhcp-dien-bien").bad_logons.get("svc-ansible", 0) == 0


def test_the_start_pauses_the_garbage_collector_and_restores_it(tmp_path, monkeypatch):
    import gc

    seen = []
    real_open = Lab._open

    def spy(self, *args):
        seen.append(gc.isenabled())
        return real_open(self, *args)

    monkeypatch.setattr(Lab, "_open", spy)
    with Lab(LabConfig(tmp_path / "a", [HostConfig("ws-1", "xp")], {USER: PASSWORD}, https=False)):
        assert gc.isenabled()
    assert seen == [False]
    # A start that fails leaves the collector as it found it.
    monkeypatch.setattr(Lab, "_open", lambda self, *args: (_ for _ in ()).throw(OSError("port taken")))
    with pytest.raises(OSError, match="port taken"):
        Lab(LabConfig(tmp_path / "b", [HostConfig("ws-1", "xp")], {USER: PASSWORD}, https=False)).start()
    assert gc.isenabled()
