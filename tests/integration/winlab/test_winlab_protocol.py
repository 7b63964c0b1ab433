"""The WS-Management shell protocol as unmodified pywinrm (and testinfra) use it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import requests
import testinfra
import winrm
import xmltodict
from winrm.exceptions import WSManFaultError
from winrm.protocol import Protocol

from tests.support.credentials import PASSWORD, USER
from tests.support.lab import Client
from winlab.server import encode_console

NS = {"s": "http://www.w3.org/2003/05/soap-envelope", "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing"}


def endpoint(fixture_lab, name, scheme="http"):
    runtime = fixture_lab.runtime(name)
    port = runtime.http_port if scheme == "http" else runtime.https_port
    return f"{scheme}://127.0.0.1:{port}/wsman"


def test_ntlm_over_http_encrypts_every_message(fixture_lab):
    runtime = fixture_lab.runtime("srv2003")
    before = runtime.counters()["operations"].get("encrypted", 0)
    session = winrm.Session(
        endpoint(fixture_lab, "srv2003"),
        auth=(USER, PASSWORD),
        transport="ntlm",
        server_cert_validation="ignore",
    )
    response = session.run_cmd("hostname")
    assert response.std_out == b"SRV2003\r\n"
    # Create, Command, Receive, Signal, Delete: all five arrive as multipart/encrypted.
    assert runtime.counters()["operations"]["encrypted"] - before == 5


def test_basic_over_http(fixture_lab):
    response = winrm.Session(
        endpoint(fixture_lab, "srv2008"), auth=(USER, PASSWORD), transport="basic"
    ).run_cmd("ver")
    assert response.std_out == b"\r\nMicrosoft Windows [Version 6.0.6002]\r\n"


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_https_with_the_generated_certificate(fixture_lab, transport):
    session = winrm.Session(
        endpoint(fixture_lab, "srv2003", "https"),
        auth=(USER, PASSWORD),
        transport=transport,
        server_cert_validation="validate",
        ca_trust_path=str(fixture_lab.cert_path),
    )
    assert session.run_cmd("hostname").std_out == b"SRV2003\r\n"


def test_testinfra_winrm_backend(fixture_lab):
    port = fixture_lab.runtime("srv2008").http_port
    host = testinfra.get_host(f"winrm://{USER}:{PASSWORD}@127.0.0.1:{port}?no_ssl=true")
    result = host.run("sc query LanmanServer")
    assert result.rc == 0
    assert "RUNNING" in result.stdout


def test_unauthenticated_request_is_challenged(fixture_lab):
    reply = requests.post(endpoint(fixture_lab, "srv2003"), data=b"<x/>", timeout=5)
    assert reply.status_code == 401
    offered = reply.headers["WWW-Authenticate"]
    assert "Negotiate" in offered
    assert 'Basic realm="WSMAN"' in offered


@pytest.mark.parametrize(
    ("text", "codepage", "expected"),
    [
        ("Cục Hải quan Đồng Nai", 437, b"Cuc Hai quan Dong Nai"),
        ("Chi cục Lưu Xá", 437, b"Chi cuc Luu X\xa0"),  # cp437 has á itself (0xA0)
        ("Mã số €", 437, b"Ma so ?"),
        ("Hải quan", 65001, "Hải quan".encode()),
    ],
)
def test_console_encoding_best_fit(text, codepage, expected):
    assert encode_console(text, codepage) == expected


def test_codepage_follows_the_shell_option(fixture_lab):
    protocol = Protocol(endpoint(fixture_lab, "srv2008"), transport="basic", username=USER, password=PASSWORD)
    outputs = {}
    for codepage in (437, 65001):
        shell = protocol.open_shell(codepage=codepage)
        command = protocol.run_command(shell, "echo Hải quan")
        outputs[codepage] = protocol.get_command_output(shell, command)[0]
        protocol.cleanup_command(shell, command)
        protocol.close_shell(shell)
    assert outputs[65001] == "Hải quan\r\n".encode()
    assert outputs[437] == b"Hai quan\r\n"  # cp437 has no ả: its best-fit letter stands in


def test_unknown_codepage_is_a_fault(fixture_lab):
    protocol = Protocol(endpoint(fixture_lab, "srv2008"), transport="basic", username=USER, password=PASSWORD)
    with pytest.raises(WSManFaultError) as raised:
        protocol.open_shell(codepage=99999)
    assert raised.value.fault_subcode == "w:InvalidOptions"
    # Vietnamese Windows' ANSI code page is a valid choice.
    shell = protocol.open_shell(codepage=1258)
    command = protocol.run_command(shell, "echo đư")
    assert protocol.get_command_output(shell, command)[0] == b"\xf0\xfd\r\n"
    protocol.cleanup_command(shell, command)
    protocol.close_shell(shell)


class RecordingProtocol(Protocol):
    """Keeps every request and raw reply, to check what pywinrm itself does not."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.exchanges: list[tuple[str, bytes]] = []

    def send_message(self, message):
        reply = super().send_message(message)
        self.exchanges.append((message, reply))
        return reply


def _action_and_ids(message: str | bytes) -> tuple[str, str, str]:
    root = ET.fromstring(message)
    action = root.findtext(".//a:Action", namespaces=NS) or ""
    return (
        action.rsplit("/", 1)[-1],
        root.findtext(".//a:MessageID", namespaces=NS) or "",
        root.findtext(".//a:RelatesTo", namespaces=NS) or "",
    )


def test_replies_relate_to_requests_and_done_carries_exit_code(fixture_lab):
    protocol = RecordingProtocol(
        endpoint(fixture_lab, "srv2003"), transport="basic", username=USER, password=PASSWORD
    )
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "sc", ["query", "NoSuchService"])
    assert protocol.get_command_output(shell, command)[2] == 1060
    protocol.cleanup_command(shell, command)
    protocol.close_shell(shell)
    seen = {}
    for request, reply in protocol.exchanges:
        request_action, message_id, _ = _action_and_ids(request)
        reply_action, _, relates_to = _action_and_ids(reply)
        assert reply_action == request_action + "Response"
        assert relates_to == message_id
        seen[request_action] = reply
    assert set(seen) == {"Create", "Command", "Receive", "Signal", "Delete"}
    done = re.search(rb'State="[^"]+/CommandState/Done"><rsp:ExitCode>(\d+)</rsp:ExitCode>', seen["Receive"])
    assert done is not None and done.group(1) == b"1060"


def test_unknown_shell_is_a_soap_fault(fixture_lab):
    protocol = Protocol(endpoint(fixture_lab, "srv2003"), transport="basic", username=USER, password=PASSWORD)
    with pytest.raises(WSManFaultError) as raised:
        protocol.run_command("6D1D4C58-0000-0000-0000-000000000000", "ver")
    assert raised.value.code == 500
    assert raised.value.wsman_fault_code == 2150858843
    assert raised.value.fault_subcode == "w:InvalidSelectors"


def test_other_resource_uri_is_a_soap_fault(fixture_lab):
    protocol = Protocol(endpoint(fixture_lab, "srv2003"), transport="basic", username=USER, password=PASSWORD)
    # A PowerShell remoting shell: WinRM serves it on newer hosts, winlab only serves cmd.
    message = protocol.build_wsman_header(
        "http://schemas.microsoft.com/powershell/Microsoft.PowerShell",
        "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create",
    )
    with pytest.raises(WSManFaultError) as raised:
        protocol.send_message(xmltodict.unparse({"env:Envelope": message}))
    assert raised.value.fault_subcode == "w:DestinationUnreachable"


def test_a_wrong_password_is_refused(fixture_lab):
    client = Client(fixture_lab, "wsxp", password="not-the-password")
    with pytest.raises(winrm.exceptions.InvalidCredentialsError):
        client.run("ver")
    fixture_lab.reset_lockout("wsxp")


def test_tampered_encrypted_body_is_refused(fixture_lab):
    session = winrm.Session(
        endpoint(fixture_lab, "srv2008"),
        auth=(USER, PASSWORD),
        transport="ntlm",
        server_cert_validation="ignore",
    )
    protocol = session.protocol
    shell = protocol.open_shell()
    transport = protocol.transport
    original = transport.encryption._build_message

    def tamper(message, host):
        sealed = bytearray(original(message, host))
        sealed[-1] ^= 0xFF  # flip bits in the sealed payload: the signature no longer matches
        return bytes(sealed)

    transport.encryption._build_message = tamper
    with pytest.raises(winrm.exceptions.WinRMTransportError) as raised:
        protocol.run_command(shell, "ver")
    assert raised.value.code == 400
