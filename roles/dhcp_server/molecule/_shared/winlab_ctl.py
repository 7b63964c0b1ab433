"""Start, steer and stop the winlab hosts of a dhcp_server Molecule scenario.

    winlab_ctl.py start --ephemeral DIR --platforms JSON --instance-config FILE
    winlab_ctl.py run   --ephemeral DIR --host NAME --command C... (each must exit 0)
    winlab_ctl.py probe --ephemeral DIR --host NAME                (JSON of raw outputs)
    winlab_ctl.py stop  --ephemeral DIR

The lab runs in the background through `winlab.daemon` (as `./run lab` does), on free loopback
ports; its state, configuration, runtime file and pid live in the scenario's ephemeral directory.
The account is VNACCS_WINRM_USER / VNACCS_WINRM_PASSWORD from the environment, the same
variables the role's WinRM layer falls back to, so the password is in no file Molecule writes.
`run` and `probe` talk to the hosts over WinRM with pywinrm directly: they share no code with
the role.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import winrm
import yaml

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT))
from winlab.daemon import start_daemon, stop_daemon  # noqa: E402

PROBES = {
    "dump": "netsh dhcp server dump",
    "qc": "sc qc DHCPServer",
    "query": "sc query DHCPServer",
    "scopes": "netsh dhcp server show scope",
}


def account() -> tuple[str, str]:
    return os.environ["VNACCS_WINRM_USER"], os.environ["VNACCS_WINRM_PASSWORD"]


def lab_dir(ephemeral: str) -> Path:
    return Path(ephemeral) / "winlab"


def start(ephemeral: str, platforms: list[dict], instance_config: str) -> int:
    directory = lab_dir(ephemeral)
    directory.mkdir(parents=True, exist_ok=True)
    user, password = account()
    config = {
        "state_dir": str(directory / "state"),
        "address": "127.0.0.1",
        "https": False,
        "accounts": {user: password},
        "hosts": [{"name": item["name"], "profile": str(item["winlab_profile"])} for item in platforms],
    }
    (directory / "lab.json").write_text(json.dumps(config), encoding="utf-8")
    try:
        hosts = start_daemon(directory / "lab.json", directory, timeout=30)["hosts"]
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    instances = [
        {"instance": name, "address": "127.0.0.1", "port": host["http_port"], "user": user}
        for name, host in sorted(hosts.items())
    ]
    Path(instance_config).write_text(yaml.safe_dump(instances), encoding="utf-8")
    print(json.dumps({name: host["http_port"] for name, host in hosts.items()}))
    return 0


def session(ephemeral: str, name: str) -> winrm.Session:
    runtime = json.loads((lab_dir(ephemeral) / "runtime.json").read_text(encoding="utf-8"))
    port = runtime["hosts"][name]["http_port"]
    return winrm.Session(f"http://127.0.0.1:{port}/wsman", auth=account(), transport="ntlm")


def run(ephemeral: str, name: str, commands: list[str]) -> int:
    windows = session(ephemeral, name)
    for command in commands:
        response = windows.run_cmd(command)
        output = (response.std_out + response.std_err).decode("cp437")
        print(f"> {command}\n{output}")
        if response.status_code != 0:
            print(f"exit code {response.status_code}", file=sys.stderr)
            return 1
    return 0


def probe(ephemeral: str, name: str) -> int:
    windows = session(ephemeral, name)
    outputs = {key: windows.run_cmd(command).std_out.decode("cp437") for key, command in PROBES.items()}
    print(json.dumps(outputs, sort_keys=True))
    return 0


def stop(ephemeral: str) -> int:
    stop_daemon(lab_dir(ephemeral))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["start", "run", "probe", "stop"])
    parser.add_argument("--ephemeral", required=True)
    parser.add_argument("--platforms", default="[]")
    parser.add_argument("--instance-config")
    parser.add_argument("--host")
    parser.add_argument("--command", dest="commands", action="append", default=[])
    args = parser.parse_args()
    if args.action == "start":
        return start(args.ephemeral, json.loads(args.platforms), args.instance_config)
    if args.action == "run":
        return run(args.ephemeral, args.host, args.commands)
    if args.action == "probe":
        return probe(args.ephemeral, args.host)
    return stop(args.ephemeral)


if __name__ == "__main__":
    sys.exit(main())
