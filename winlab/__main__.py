"""Command line: `python -m winlab serve --config lab.json` (what a container runs), `start`,
`stop` and `ctl`.

`serve` runs the lab in the foreground until SIGTERM or SIGINT and writes the runtime file (ports,
control URL) next to the configuration, or where `--runtime` says. `start --config lab.json --dir D`
runs `serve` in the background with its pid file, log and runtime file in D, and prints the
runtime file once every host listens; `stop --dir D` stops it.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import urllib.request
from pathlib import Path

from winlab.daemon import start_daemon, stop_daemon
from winlab.lab import Lab, LabConfig


def load_config(path: Path) -> LabConfig:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yml", ".yaml"):
        import yaml

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    return LabConfig.from_dict(data, path.parent)


def serve(config_path: Path, runtime_path: Path | None) -> int:
    lab = Lab(load_config(config_path)).start()
    runtime_path = runtime_path or config_path.with_name("runtime.json")
    temporary = runtime_path.with_suffix(".tmp")
    temporary.write_text(json.dumps(lab.describe(), indent=2, sort_keys=True), encoding="utf-8")
    temporary.replace(runtime_path)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(f"winlab: {len(lab.runtimes)} host(s) up; control at {lab.control_url}", flush=True)
    stop.wait()
    lab.stop()
    return 0


def control(url: str, method: str, path: str, payload: str | None) -> int:
    data = payload.encode("utf-8") if payload else None
    request = urllib.request.Request(url.rstrip("/") + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            print(response.read().decode("utf-8"))
            return 0
    except urllib.error.HTTPError as error:
        print(error.read().decode("utf-8"), file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="winlab", description="WinRM endpoint emulator (a test fixture)")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run the lab in the foreground")
    serve_parser.add_argument("--config", required=True, type=Path, help="lab configuration (JSON or YAML)")
    serve_parser.add_argument("--runtime", type=Path, help="where to write ports and the control URL")
    start_parser = commands.add_parser("start", help="run the lab in the background")
    start_parser.add_argument("--config", required=True, type=Path, help="lab configuration (JSON or YAML)")
    start_parser.add_argument("--dir", required=True, type=Path, help="folder for pid file, log and runtime")
    stop_parser = commands.add_parser("stop", help="stop a lab started with `start`")
    stop_parser.add_argument("--dir", required=True, type=Path, help="the folder given to `start`")
    ctl_parser = commands.add_parser("ctl", help="call the control interface")
    ctl_parser.add_argument("--url", required=True, help="control URL from the runtime file")
    ctl_parser.add_argument("method", choices=["GET", "POST", "DELETE"])
    ctl_parser.add_argument("path", help="e.g. /hosts or /hosts/NAME/faults")
    ctl_parser.add_argument("payload", nargs="?", help="JSON body")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args.config, args.runtime)
    if args.command == "start":
        print(json.dumps(start_daemon(args.config.resolve(), args.dir.resolve()), indent=2, sort_keys=True))
        return 0
    if args.command == "stop":
        stop_daemon(args.dir.resolve())
        return 0
    return control(args.url, args.method, args.path, args.payload)


if __name__ == "__main__":
    sys.exit(main())
