"""Run cmd.exe commands on a Windows host with plain pywinrm and print the results as JSON.

The winlab scenarios' independent probe: it shares no code with the roles or the collection (no
plugin, WinRM layer or output parser), so the steps that judge a host with it (check mode changed
nothing, the drift took, verify) do not depend on the code they test.

    python winrm_probe.py HOST PORT 'net share' 'sc query MSFTPSVC' ...

prints one {"command", "rc", "stdout", "stderr"} per command, in order, and exits 0 once every
command has run, whatever their exit codes. The account is VNACCS_WINRM_USER /
VNACCS_WINRM_PASSWORD from the environment, as for the roles: no password on the command line.
"""

from __future__ import annotations

import json
import os
import sys

import winrm

# pywinrm opens its shells in OEM code page 437.
OUTPUT_ENCODING = "cp437"


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, commands = argv[0], argv[1], argv[2:]
    try:
        account = (os.environ["VNACCS_WINRM_USER"], os.environ["VNACCS_WINRM_PASSWORD"])
    except KeyError as missing:
        print(f"winrm_probe: {missing.args[0]} is not set", file=sys.stderr)
        return 2
    session = winrm.Session(f"http://{host}:{port}/wsman", auth=account, transport="ntlm")
    results = []
    for command in commands:
        response = session.run_cmd(command)
        results.append(
            {
                "command": command,
                "rc": response.status_code,
                "stdout": response.std_out.decode(OUTPUT_ENCODING),
                "stderr": response.std_err.decode(OUTPUT_ENCODING),
            }
        )
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
