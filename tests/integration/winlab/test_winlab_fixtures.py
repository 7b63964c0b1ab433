"""winlab prints, byte for byte over pywinrm, the fixture outputs written in the reference's layouts."""

from __future__ import annotations

import pytest

from tests.support.fixture_files import WINDOWS_FIXTURES, windows_fixture_index

ENTRIES = windows_fixture_index()["fixtures"]


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry["file"] for entry in ENTRIES])
def test_output_matches_fixture(fixture_lab_clients, entry):
    response = fixture_lab_clients[entry["host"]].run(entry["command"])
    stream = entry.get("stream", "stdout")
    produced = response.std_out if stream == "stdout" else response.std_err
    other = response.std_err if stream == "stdout" else response.std_out
    expected = (WINDOWS_FIXTURES / entry["file"]).read_bytes()
    assert produced.decode("cp437") == expected.decode("cp437")
    assert other == b""
    assert response.status_code == entry.get("exit_code", 0)


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry["file"] for entry in ENTRIES])
def test_fixture_files_use_crlf(entry):
    data = (WINDOWS_FIXTURES / entry["file"]).read_bytes()
    assert b"\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")
