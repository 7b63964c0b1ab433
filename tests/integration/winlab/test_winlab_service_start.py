"""A started service is START_PENDING for a moment before it runs, over pywinrm.

`sc start` returns at once; the service runs `service_start_delay` seconds later, and until then
everything that talks to it finds it not running. `net start` waits for it. A fault makes a start
fail: START_PENDING, then STOPPED with WIN32_EXIT_CODE 1067.
"""

from __future__ import annotations

import json
import time

import pytest
import requests
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils import windows_output as wo

from tasklib import lab as lab_task
from tests.support.credentials import PASSWORD, USER
from tests.support.lab import Client, control
from winlab import inventory
from winlab.lab import HostConfig, Lab, LabConfig
from winlab.model import Host, defaults

SERVERS = ["2003", "2008"]
# Long enough that the commands right after a start run well inside it on a loaded machine.
DELAY = 3.0
ANSWER_FILE = [
    "echo [NetOptionalComponents]> C:\\oc.txt",
    "echo DHCPServer = 1 >> C:\\oc.txt",
]


def install_dhcp(client: Client, profile: str) -> None:
    if profile == "2003":
        for line in ANSWER_FILE:
            client.ok(line)
        client.ok("start /wait sysocmgr /i:%windir%\\inf\\sysoc.inf /u:C:\\oc.txt /q /r")
    else:
        client.ok("servermanagercmd -install DHCP")


@pytest.fixture
def host(tmp_path, request):
    """One host of the profile the test is parametrized with, with a start delay of DELAY seconds
    (its own setting, over a lab default of 0)."""
    profile = request.param
    hosts = [HostConfig(f"srv{profile}", profile, service_start_delay=DELAY)]
    config = LabConfig(tmp_path, hosts, {USER: PASSWORD}, https=False, service_start_delay=0)
    with Lab(config) as lab:
        yield lab, Client(lab, f"srv{profile}"), profile


def output(response) -> tuple[str, str, int]:
    return response.std_out.decode("cp437"), response.std_err.decode("cp437"), response.status_code


def status(client: Client, name: str) -> wo.ServiceStatus:
    [found] = wo.parse_sc_query(client.ok(f"sc query {name}"))
    return found


def wait_until(client: Client, name: str, state: str, timeout: float = DELAY + 10) -> float:
    """Poll `sc query` as the toolkit does; the seconds it took."""
    started = time.monotonic()
    while status(client, name).state != state:
        assert time.monotonic() - started < timeout, f"{name} never reached {state}"
        time.sleep(0.2)
    return time.monotonic() - started


def stop(client: Client, name: str) -> None:
    client.ok(f"sc stop {name}")
    assert status(client, name).state == "STOPPED"


@pytest.mark.parametrize("host", SERVERS, indirect=True)
def test_sc_start_answers_start_pending_and_the_service_runs_after_the_delay(host):
    _, client, profile = host
    stop(client, "Spooler")
    started = time.monotonic()
    stdout = client.ok("sc start Spooler")
    # What StartService leaves: START_PENDING, no controls accepted, checkpoint 0, a 2 s wait hint.
    assert "STATE              : 2  START_PENDING" in stdout
    joiner = ", " if profile == "2008" else ","
    flags = "(" + joiner.join(["NOT_STOPPABLE", "NOT_PAUSABLE", "IGNORES_SHUTDOWN"]) + ")"
    assert flags in stdout
    assert "CHECKPOINT         : 0x0\r\n        WAIT_HINT          : 0x7d0\r\n" in stdout
    assert "PID                :" in stdout
    # Right after, sc query still sees it starting, with a checkpoint that says it is progressing.
    query = client.ok("sc query Spooler")
    [pending] = wo.parse_sc_query(query)
    assert (pending.state_code, pending.state, pending.running) == (2, "START_PENDING", False)
    assert "WAIT_HINT          : 0x7d0" in query
    assert "CHECKPOINT         : 0x0" not in query
    # sc query without a name lists active services, a starting one among them (state= active).
    listed = {entry.name: entry.state for entry in wo.parse_sc_query(client.ok("sc query"))}
    assert listed["Spooler"] == "START_PENDING"
    assert "Spooler" not in {entry.name for entry in wo.parse_sc_query(client.ok("sc query state= inactive"))}
    # net start lists it only once it runs.
    assert "Print Spooler" not in client.ok("net start")
    wait_until(client, "Spooler", "RUNNING")
    assert time.monotonic() - started >= DELAY
    assert "   Print Spooler\r\n" in client.ok("net start")
    running = client.ok("sc query Spooler")
    assert "CHECKPOINT         : 0x0\r\n        WAIT_HINT          : 0x0\r\n" in running


@pytest.mark.parametrize("host", SERVERS, indirect=True)
def test_a_starting_service_accepts_neither_start_nor_stop(host):
    _, client, _ = host
    stop(client, "Spooler")
    client.ok("sc start Spooler")
    stdout, _, code = output(client.run("sc start Spooler"))
    assert code == 1056 and wo.classify_error(stdout, "", code) is wo.ErrorKind.SERVICE_ALREADY_RUNNING
    stdout, _, code = output(client.run("sc stop Spooler"))
    assert (code, stdout) == (
        1061,
        "[SC] ControlService FAILED 1061:\r\n\r\n"
        "The service cannot accept control messages at this time.\r\n\r\n",
    )
    stdout, stderr, code = output(client.run("net start Spooler"))
    assert (code, wo.classify_error(stdout, stderr, code)) == (2, wo.ErrorKind.SERVICE_ALREADY_RUNNING)
    _, stderr, code = output(client.run("net stop Spooler"))
    assert code == 2
    assert stderr.startswith("The service could not be controlled in its present state.\r\n")
    assert "NET HELPMSG 2189." in stderr
    assert status(client, "Spooler").state == "START_PENDING"
    wait_until(client, "Spooler", "RUNNING")
    client.ok("sc stop Spooler")


@pytest.mark.parametrize("host", SERVERS, indirect=True)
def test_netsh_dhcp_cannot_reach_a_starting_dhcp_server(host):
    _, client, profile = host
    install_dhcp(client, profile)
    client.ok("netsh dhcp server add scope 10.27.70.0 255.255.255.0 LangSon")
    dump = client.ok("netsh dhcp server dump")
    stop(client, "DHCPServer")
    client.ok("sc start DHCPServer")
    # While it starts, netsh answers exactly as for a stopped service.
    stdout, stderr, code = output(client.run("netsh dhcp server dump"))
    assert code == 1
    assert wo.classify_error(stdout, stderr, code) is wo.ErrorKind.DHCP_SERVER_UNAVAILABLE
    assert stdout.lstrip().startswith("Unable to determine the DHCP Server version for the Server ")
    wait_until(client, "DHCPServer", "RUNNING")
    assert client.ok("netsh dhcp server dump") == dump


@pytest.mark.parametrize("host", SERVERS, indirect=True)
def test_net_start_waits_until_the_service_runs(host):
    lab, client, _ = host
    client.ok("net stop Spooler")
    started = time.monotonic()
    # net.exe polls until the service runs, so the next command on the line finds it RUNNING.
    stdout = client.ok("net start Spooler & sc query Spooler")
    assert time.monotonic() - started >= DELAY
    # A dot for each second net.exe waited past the first.
    assert stdout.startswith("The Print Spooler service is starting...\r\n")
    assert "The Print Spooler service was started successfully.\r\n" in stdout
    assert [entry.state for entry in wo.parse_sc_query(stdout)] == ["RUNNING"]
    # The host's own model has it running at once: the wait is the command's.
    assert lab.host(client_name(lab)).snapshot()["services"]["Spooler"]["state"] == 4


def client_name(lab: Lab) -> str:
    [name] = lab.runtimes
    return name


@pytest.mark.parametrize("profile", SERVERS)
def test_delay_zero_keeps_services_running_at_once(tmp_path, profile):
    config = LabConfig(
        tmp_path, [HostConfig("srv", profile)], {USER: PASSWORD}, https=False, service_start_delay=0
    )
    with Lab(config) as lab:
        client = Client(lab, "srv")
        install_dhcp(client, profile)
        stop(client, "DHCPServer")
        # sc still prints the status StartService returns with; the service runs already.
        assert "2  START_PENDING" in client.ok("sc start DHCPServer")
        assert status(client, "DHCPServer").running
        assert wo.netsh_succeeded(client.ok("netsh dhcp server show scope"))
        assert client.ok("net stop DHCPServer & net start DHCPServer").endswith(
            "The DHCP Server service is starting.\r\n"
            "The DHCP Server service was started successfully.\r\n\r\n"
        )


@pytest.mark.parametrize("host", SERVERS, indirect=True)
def test_a_service_that_never_comes_up(host):
    lab, client, profile = host
    name = client_name(lab)
    install_dhcp(client, profile)
    stop(client, "DHCPServer")
    control(lab, "POST", f"/hosts/{name}/faults", {"service_start_fails": {"DHCPServer": 1067}})
    assert control(lab, "GET", "/hosts")["hosts"][name]["faults"]["service_start_fails"] == {
        "DHCPServer": 1067
    }
    assert "2  START_PENDING" in client.ok("sc start DHCPServer")
    assert status(client, "DHCPServer").state == "START_PENDING"
    wait_until(client, "DHCPServer", "STOPPED")
    failed = status(client, "DHCPServer")
    assert (failed.state_code, failed.win32_exit_code) == (1, 1067)
    assert "WIN32_EXIT_CODE    : 1067" in client.ok("sc query DHCPServer")
    stdout, stderr, code = output(client.run("netsh dhcp server show scope"))
    assert wo.classify_error(stdout, stderr, code) is wo.ErrorKind.DHCP_SERVER_UNAVAILABLE
    # net start waits for it, and reports the failure.
    stdout, stderr, code = output(client.run("net start DHCPServer"))
    assert code == 2
    assert stdout.startswith("The DHCP Server service is starting.")
    assert "The DHCP Server service could not be started." in stderr
    assert "System error 1067 has occurred.\r\n\r\nThe process terminated unexpectedly.\r\n" in stderr
    # Clearing the faults lets it start again.
    control(lab, "DELETE", f"/hosts/{name}/faults")
    assert "service_start_fails" not in control(lab, "GET", "/hosts")["hosts"][name]["faults"]
    client.ok("sc start DHCPServer")
    wait_until(client, "DHCPServer", "RUNNING")


def test_the_delay_is_set_per_host_and_by_the_control_interface(tmp_path):
    data = {
        "state_dir": "state",
        "accounts": {USER: PASSWORD},
        "https": False,
        "service_start_delay": 0.5,
        "hosts": [
            {"name": "dhcp-lang-son", "profile": "2003"},
            {"name": "dhcp-lao-cai", "profile": "2008", "service_start_delay": 0},
        ],
    }
    config = LabConfig.from_dict(json.loads(json.dumps(data)), tmp_path)
    with Lab(config) as lab:
        described = control(lab, "GET", "/hosts")["hosts"]
        assert described["dhcp-lang-son"]["service_start_delay"] == 0.5
        assert described["dhcp-lao-cai"]["service_start_delay"] == 0.0
        client = Client(lab, "dhcp-lao-cai")
        stop(client, "Spooler")
        client.ok("sc start Spooler")
        assert status(client, "Spooler").running
        control(lab, "POST", "/hosts/dhcp-lao-cai/faults", {"service_start_delay": DELAY})
        assert control(lab, "GET", "/hosts")["hosts"]["dhcp-lao-cai"]["service_start_delay"] == DELAY
        stop(client, "Spooler")
        client.ok("sc start Spooler")
        assert status(client, "Spooler").state == "START_PENDING"
        # Clearing the faults brings back the configured delay; the pending start keeps its deadline.
        control(lab, "DELETE", "/hosts/dhcp-lao-cai/faults")
        assert control(lab, "GET", "/hosts")["hosts"]["dhcp-lao-cai"]["service_start_delay"] == 0.0
        assert status(client, "Spooler").state == "START_PENDING"
        wait_until(client, "Spooler", "RUNNING")
        for bad in ({"service_start_delay": -1}, {"service_start_fails": {"Spooler": 5}}):
            response = requests.post(lab.control_url + "/hosts/dhcp-lao-cai/faults", json=bad, timeout=5)
            assert response.status_code == 400, bad
    with pytest.raises(ValueError, match="service_start_delay"):
        LabConfig(tmp_path, [HostConfig("x", "2003", service_start_delay="soon")])


def test_a_pending_start_is_kept_in_the_state_file_and_settles_on_the_next_read(tmp_path):
    state_file = tmp_path / "srv.json"
    host = Host("srv", "2008", state_file, service_start_delay=1.0)
    host.run("sc stop Spooler")
    host.run("sc start Spooler")
    assert json.loads(state_file.read_text())["services"]["Spooler"]["state"] == 2
    # Another process (a restarted lab) reads the same pending start, with its deadline.
    again = Host("srv", "2008", state_file, service_start_delay=0)
    assert "2  START_PENDING" in again.run("sc query Spooler").stdout
    time.sleep(1.1)
    # A verify step reading the state through the control interface sees it settled, and so does the file.
    assert again.snapshot()["services"]["Spooler"]["state"] == 4
    assert "start_pending" not in json.loads(state_file.read_text())["services"]["Spooler"]


def test_winlab_and_the_lab_task_default_to_a_start_delay(tmp_path):
    assert defaults.SERVICE_START_DELAY > 0
    assert LabConfig.from_dict({"hosts": []}, tmp_path).service_start_delay == defaults.SERVICE_START_DELAY
    # `./run lab` writes its delay into the lab configuration.
    assert lab_task.SERVICE_START_DELAY > 0
    config = inventory.lab_config(inventory.sample_hosts(), tmp_path, "pw", lab_task.SERVICE_START_DELAY)
    assert config["service_start_delay"] == lab_task.SERVICE_START_DELAY
    assert LabConfig.from_dict(config, tmp_path).service_start_delay == lab_task.SERVICE_START_DELAY
