"""winlab as the container of the platform runs it (winlab/README.md, "In a container"): the image's
python3 with only the repository and the mounted site-packages on PYTHONPATH, no virtual
environment. The scenario's settings are checked in tests/unit/containers/test_winlab_container.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time

import pytest
import winrm

from tests.support.fixture_files import ROOT


@pytest.mark.slow
def test_winlab_runs_from_the_repository_and_site_packages_alone(tmp_path, monkeypatch):
    """What the container's service does: no virtual environment, no site directory, only
    PYTHONPATH; then an NTLM command over pywinrm."""
    # Plain HTTP: pywinrm needs no CA bundle (and warns when it finds one in the environment).
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(variable, raising=False)
    config = {
        "state_dir": str(tmp_path / "state"),
        "address": "127.0.0.1",
        "accounts": {"Administrator": "Unit-Lab-Pa55"},
        "hosts": [
            {"name": "bac-ninh-dhcp", "profile": "2003"},
            {"name": "hai-phong-dhcp", "profile": "2008"},
        ],
    }
    (tmp_path / "lab.json").write_text(json.dumps(config), encoding="utf-8")
    runtime = tmp_path / "runtime.json"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": f"{ROOT}:{sysconfig.get_paths()['purelib']}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [sys.executable, "-S", "-m", "winlab", "serve", "--config", str(tmp_path / "lab.json")]
    process = subprocess.Popen([*command, "--runtime", str(runtime)], cwd=tmp_path, env=env)
    try:
        deadline = time.monotonic() + 30
        while not runtime.exists():
            assert process.poll() is None, "winlab exited"
            assert time.monotonic() < deadline, "winlab did not start"
            time.sleep(0.1)
        hosts = json.loads(runtime.read_text(encoding="utf-8"))["hosts"]
        for name, version in (("bac-ninh-dhcp", "5.2.3790"), ("hai-phong-dhcp", "6.0.6002")):
            session = winrm.Session(
                f"http://127.0.0.1:{hosts[name]['http_port']}/wsman",
                auth=("Administrator", "Unit-Lab-Pa55"),
                transport="ntlm",
            )
            result = session.run_cmd("ver")
            assert result.status_code == 0
            assert f"[Version {version}]" in result.std_out.decode("cp437")
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0
