"""Command line of the switch lab (test fixture): `python -m switchlab serve ...`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from switchlab import lab
from switchlab.server import SviSpec, SwitchSpec, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m switchlab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run simulated Cisco IOS switches on 127.0.0.1")
    run.add_argument("--spec", type=Path, help="JSON file: {'switches': [SwitchSpec fields...]}")
    run.add_argument("--port", type=int, help="SSH port of a single switch")
    run.add_argument("--telnet-port", type=int, help="Telnet port of a single switch")
    run.add_argument("--hostname", default="branch-sw")
    run.add_argument("--username", default="admin")
    run.add_argument("--password", default="admin")
    run.add_argument("--enable-password", default="enable")
    run.add_argument(
        "--vlan",
        action="append",
        default=[],
        metavar="ID:ADDRESS/PREFIX[:HELPER,...]",
        help="a VLAN interface to start with (repeatable), e.g. 10:10.20.10.1/24:10.20.0.5",
    )
    run.add_argument("--model", default="cisco_generic", help="fake-switches Cisco model (port layout)")
    run.add_argument("--verbose", action="store_true", help="log every command the switches receive")

    begin = commands.add_parser("start", help="run the switches of --spec in the background")
    begin.add_argument("--spec", type=Path, required=True, help="JSON: {'switches': [...]}, ports optional")
    begin.add_argument("--state", type=Path, required=True, help="state file to write (JSON)")
    end = commands.add_parser("stop", help="stop the switches started with `start`")
    end.add_argument("--state", type=Path, required=True)
    args = parser.parse_args(argv)

    if args.command == "start":
        data = json.loads(args.spec.read_text(encoding="utf-8"))
        state = lab.start([SwitchSpec.from_dict(item) for item in data["switches"]], args.state)
        print(json.dumps(state))
        return 0
    if args.command == "stop":
        print("stopped" if lab.stop(args.state) else "not running")
        return 0

    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr)
    specs: list[SwitchSpec] = []
    if args.spec:
        data = json.loads(args.spec.read_text(encoding="utf-8"))
        specs += [SwitchSpec.from_dict(item) for item in data["switches"]]
    if args.port:
        specs.append(
            SwitchSpec(
                hostname=args.hostname,
                ssh_port=args.port,
                telnet_port=args.telnet_port,
                username=args.username,
                password=args.password,
                enable_password=args.enable_password,
                model=args.model,
                svis=[SviSpec.parse(text) for text in args.vlan],
            )
        )
    if not specs:
        parser.error("give --port (one switch) or --spec (several)")
    serve(specs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
