"""WS-Management (MS-WSMV) shell messages: parse the requests pywinrm sends, build the replies.

Layouts follow the reference's section 10 (pywinrm 0.5.0 `winrm/protocol.py` and the reply fixtures of
`winrm/tests/conftest.py`). Only the cmd shell resource is served, as on a WinRM 2.0 listener.
"""

from __future__ import annotations

import base64
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}

SHELL_CMD_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
ACTION_CREATE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
ACTION_DELETE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
ACTION_COMMAND = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command"
ACTION_RECEIVE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive"
ACTION_SIGNAL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal"
ACTION_SEND = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send"
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
STATE_DONE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"
STATE_RUNNING = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"
SIGNAL_TERMINATE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate"
FAULT_ACTION = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"

# WSManFault codes (MS-WSMV error codes as Windows reports them in WSManFault/@Code).
# 2150858793 is the Receive operation timeout pywinrm retries on (reference 10.5, [V]); the others
# are Windows' codes for the same conditions as remembered, not verified [U].
CODE_OPERATION_TIMEOUT = 2150858793
CODE_SHELL_NOT_FOUND = 2150858843  # [U]
CODE_ACTION_NOT_SUPPORTED = 2150858753  # [U]
CODE_RESOURCE_NOT_FOUND = 2150858752  # [U]


class WsmanError(Exception):
    """A request the service answers with a SOAP fault (HTTP 500)."""

    def __init__(self, subcode: str, reason: str, wsman_code: int, value: str = "s:Sender") -> None:
        super().__init__(reason)
        self.subcode = subcode
        self.reason = reason
        self.wsman_code = wsman_code
        self.value = value


@dataclass
class Request:
    """The parts of a WS-Management request the shell service acts on."""

    action: str
    message_id: str
    resource_uri: str
    shell_id: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    body: ET.Element | None = None
    timeout: str = ""


def parse_request(data: bytes) -> Request:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise WsmanError(
            "w:InvalidMessageInformationHeader", f"The request is not valid XML: {exc}", 0
        ) from exc
    header = root.find("s:Header", NS)
    body = root.find("s:Body", NS)
    if header is None:
        raise WsmanError("w:InvalidMessageInformationHeader", "The SOAP header is missing.", 0)

    def text(path: str) -> str:
        node = header.find(path, NS)
        return (node.text or "").strip() if node is not None else ""

    shell_id = None
    for selector in header.findall("w:SelectorSet/w:Selector", NS):
        if selector.get("Name") == "ShellId":
            shell_id = (selector.text or "").strip()
    options = {
        option.get("Name", ""): (option.text or "").strip()
        for option in header.findall("w:OptionSet/w:Option", NS)
    }
    return Request(
        action=text("a:Action"),
        message_id=text("a:MessageID"),
        resource_uri=text("w:ResourceURI"),
        shell_id=shell_id,
        options=options,
        body=body,
        timeout=text("w:OperationTimeout"),
    )


def new_id() -> str:
    # Windows hands out upper-case GUIDs for shells and commands [U].
    return str(uuid.uuid4()).upper()


def _envelope(action: str, relates_to: str, body: str) -> bytes:
    ns = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NS.items() if prefix != "f")
    text = (
        f'<s:Envelope xml:lang="en-US" {ns}>'
        "<s:Header>"
        f"<a:Action>{action}</a:Action>"
        f"<a:MessageID>uuid:{new_id()}</a:MessageID>"
        f"<a:To>{ANONYMOUS}</a:To>"
        f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo>"
        "</s:Header>"
        f"<s:Body>{body}</s:Body>"
        "</s:Envelope>"
    )
    return text.encode("utf-8")


def create_response(request: Request, address: str, shell_id: str) -> bytes:
    body = (
        "<x:ResourceCreated>"
        f"<a:Address>{escape(address)}</a:Address>"
        "<a:ReferenceParameters>"
        f"<w:ResourceURI>{SHELL_CMD_URI}</w:ResourceURI>"
        f'<w:SelectorSet><w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet>'
        "</a:ReferenceParameters>"
        "</x:ResourceCreated>"
    )
    return _envelope(ACTION_CREATE + "Response", request.message_id, body)


def command_response(request: Request, command_id: str) -> bytes:
    body = f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"
    return _envelope(ACTION_COMMAND + "Response", request.message_id, body)


def receive_response(
    request: Request, command_id: str, stdout: bytes, stderr: bytes, exit_code: int | None
) -> bytes:
    """A Receive reply. Done replies always carry ExitCode (pywinrm fails without it, reference 10.3)."""
    cid = quoteattr(command_id)
    parts = ["<rsp:ReceiveResponse>"]
    for name, data in (("stdout", stdout), ("stderr", stderr)):
        if data:
            encoded = base64.b64encode(data).decode("ascii")
            parts.append(f'<rsp:Stream Name="{name}" CommandId={cid}>{encoded}</rsp:Stream>')
    if exit_code is None:
        parts.append(f'<rsp:CommandState CommandId={cid} State="{STATE_RUNNING}"/>')
    else:
        for name in ("stdout", "stderr"):
            parts.append(f'<rsp:Stream Name="{name}" CommandId={cid} End="true"></rsp:Stream>')
        parts.append(
            f'<rsp:CommandState CommandId={cid} State="{STATE_DONE}"><rsp:ExitCode>{exit_code}</rsp:ExitCode>'
            "</rsp:CommandState>"
        )
    parts.append("</rsp:ReceiveResponse>")
    return _envelope(ACTION_RECEIVE + "Response", request.message_id, "".join(parts))


def signal_response(request: Request) -> bytes:
    return _envelope(ACTION_SIGNAL + "Response", request.message_id, "<rsp:SignalResponse/>")


def send_response(request: Request) -> bytes:
    return _envelope(ACTION_SEND + "Response", request.message_id, "<rsp:SendResponse/>")


def delete_response(request: Request) -> bytes:
    return _envelope(ACTION_DELETE + "Response", request.message_id, "")


def fault_response(relates_to: str, error: WsmanError, machine: str) -> bytes:
    body = (
        "<s:Fault>"
        f"<s:Code><s:Value>{error.value}</s:Value><s:Subcode><s:Value>{error.subcode}</s:Value></s:Subcode></s:Code>"
        f'<s:Reason><s:Text xml:lang="en-US">{escape(error.reason)}</s:Text></s:Reason>'
        "<s:Detail>"
        f'<f:WSManFault xmlns:f="{NS["f"]}" Code="{error.wsman_code}" Machine={quoteattr(machine)}>'
        f"<f:Message>{escape(error.reason)}</f:Message></f:WSManFault>"
        "</s:Detail>"
        "</s:Fault>"
    )
    return _envelope(FAULT_ACTION, relates_to, body)


def command_line(request: Request) -> tuple[str, list[str]]:
    """The command and its arguments from a Command request body."""
    if request.body is None:
        raise WsmanError("w:SchemaValidationError", "The Command body is missing.", 0)
    node = request.body.find("rsp:CommandLine", NS)
    if node is None:
        raise WsmanError("w:SchemaValidationError", "The CommandLine element is missing.", 0)
    command = node.findtext("rsp:Command", default="", namespaces=NS)
    arguments = [arg.text or "" for arg in node.findall("rsp:Arguments", NS)]
    return command.strip(), arguments


def operation_timeout(request: Request) -> float:
    """w:OperationTimeout of the request (ISO 8601 seconds, `PT20S` from pywinrm)."""
    text = request.timeout or "PT60S"
    try:
        return float(text.removeprefix("PT").removesuffix("S"))
    except ValueError:
        return 60.0


def receive_command_id(request: Request) -> str:
    node = request.body.find("rsp:Receive/rsp:DesiredStream", NS) if request.body is not None else None
    if node is None or not node.get("CommandId"):
        raise WsmanError("w:SchemaValidationError", "The Receive request names no CommandId.", 0)
    return node.get("CommandId", "")


def signal_command_id(request: Request) -> tuple[str, str]:
    node = request.body.find("rsp:Signal", NS) if request.body is not None else None
    if node is None:
        raise WsmanError("w:SchemaValidationError", "The Signal request has no Signal element.", 0)
    return node.get("CommandId", ""), node.findtext("rsp:Code", default="", namespaces=NS).strip()
