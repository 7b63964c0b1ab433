"""The repository root and the captured command outputs under tests/fixtures."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WINDOWS_FIXTURES = ROOT / "tests" / "fixtures" / "windows"
IOS_FIXTURES = ROOT / "tests" / "fixtures" / "ios"
# Consoles captured on real hosts, taken from public repositories (their sources in index.yml).
REAL_CAPTURES = WINDOWS_FIXTURES / "real"


def windows_output(name: str) -> str:
    """A captured Windows output, decoded as the WinRM shell sends it (code page 437)."""
    return (WINDOWS_FIXTURES / name).read_bytes().decode("cp437")


def windows_fixture_index() -> dict:
    """tests/fixtures/windows/index.yml: the emulated hosts and the command behind each output."""
    return yaml.safe_load((WINDOWS_FIXTURES / "index.yml").read_text(encoding="utf-8"))


def real_capture(name: str) -> str:
    """A console captured on a real Windows host, decoded from code page 437."""
    return (REAL_CAPTURES / name).read_bytes().decode("cp437")


def real_capture_index() -> list[dict]:
    """tests/fixtures/windows/real/index.yml: each capture's command, Windows version and source."""
    return yaml.safe_load((REAL_CAPTURES / "index.yml").read_text(encoding="utf-8"))["captures"]


def ios_output(name: str) -> str:
    """A captured Cisco IOS output."""
    return (IOS_FIXTURES / name).read_text(encoding="utf-8")


DHCP_FIXTURES = ROOT / "tests" / "fixtures" / "dhcp"


def dhcp_packet(name: str) -> bytes:
    """A captured DHCP datagram, stored as hexadecimal text (see tests/fixtures/dhcp/README.md)."""
    return bytes.fromhex("".join((DHCP_FIXTURES / name).read_text(encoding="ascii").split()))
