"""Run cmd.exe commands on a winlab host with plain pywinrm and print the results as JSON.

The Windows scenarios' independent probe: it shares no code with the role or its plugin (no WinRM
layer, no output parsers), so the verify step's regexes judge the host on their own.

    python winrm_probe.py HOST PORT 'net share' 'sc query MSFTPSVC'
The user and password come from WINRM_PROBE_USER and WINRM_PROBE_PASSWORD.
"""

from __future__ import annotations

import json
import os
import sys

import winrm


def main(argv: list[str]) -> int:
    host, port, commands = argv[0], argv[1], argv[2:]
    session = winrm.Session(
        f"http://{host}:{port}/wsman",
        auth=(os.environ["WINRM_PROBE_USER"], os.environ["WINRM_PROBE_PASSWORD"]),
        transport="ntlm",
        server_cert_validation="ignore",
    )
    results = []
    for command in commands:
        response = session.run_cmd(command)
        results.append(
            {
                "command": command,
                "rc": response.status_code,
                "stdout": response.std_out.decode("cp437"),
                "stderr": response.std_err.decode("cp437"),
            }
        )
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
