"""Documentation of the vncustoms.vnaccs.client_software action plugin (code: plugins/action/)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: client_software
short_description: Install, upgrade or roll back the customs client on a Windows XP or 7 workstation
description:
  - Decision 833, Articles 9, 10 and 15 have every workstation run the client version head office released,
    fetched from its own regional base server, and carry its own Terminal ID and the base server's address.
  - Reads, in one command, the registry Uninstall key of every release in O(release_dir) (by the MSI
    ProductCode of each manifest) and the client's settings key; does nothing where the wanted version and
    settings are already there.
  - Otherwise fetches the installer from the base server with the built-in C(ftp -s:) client (never over a
    UNC path, which a WinRM session cannot reach with its own logon, the double hop), judging ftp.exe's
    transcript (its exit code says nothing) against the manifest's size; installs it with
    C(start "" /wait msiexec /i ... /qn /norestart /l*v LOG); writes the Terminal ID and base server address.
  - msiexec exit codes - 0 success; 3010 and 1641 success that asks for a restart, recorded in the
    controller's restart-pending list for the daily restart (the host is never restarted here); 1618
    (another installation in progress) is run again after each pause of O(busy_pauses); anything else fails
    the host with the code's name and the last lines of the installer's log.
  - A version newer than O(version) is left in place unless O(rollback=true), which removes it first.
  - A real run that has something to change refuses inside the peak hours (09:00-12:00, 14:00-17:00,
    Article 22) and the Sunday 03:00-06:00 VNACCS maintenance (Article 20), Asia/Ho_Chi_Minh time, unless
    O(force=true). Check mode shows the plan at any time.
  - Each run writes the workstation's outcome to the rollout state folder (O(state_dir)), which
    M(vncustoms.vnaccs.client_rollout_report) reads.
version_added: 0.1.0
author:
  - Vietnam Customs IT
extends_documentation_fragment:
  - vncustoms.vnaccs.windows_connection
  - vncustoms.vnaccs.client_release
options:
  base_server:
    description: Address of the workstation's base server, as the workstation reaches it.
    type: str
    required: true
  ftp_folder:
    description: FTP path of the base server's upgrades folder (the version subfolders are below it).
    type: str
    default: /ClientUpgrades
  ftp_port:
    description: The base server's FTP port.
    type: int
    default: 21
  fetch_user:
    description:
      - The account the workstation logs on to the base server's FTP with (read-only; anonymous by
        default).
    type: str
    default: anonymous
  fetch_password:
    description:
      - Its password; never shown in the result (the script file holding it is deleted after the fetch).
    type: str
    default: ""
  terminal_id:
    description: The workstation's Terminal ID (from the inventory). Required with O(configure=true).
    type: str
    default: ""
  configure:
    description: Whether to write the Terminal ID and base server address into the client's settings key.
    type: bool
    default: true
  config_key:
    description:
      - The registry key of the client's settings.
      - Where the real client keeps them is not in the source documents; the default is an assumption
        to confirm.
    type: str
    default: HKLM\SOFTWARE\TCHQ\VNACCS Client
  terminal_value:
    description: The value name of the Terminal ID under O(config_key).
    type: str
    default: TerminalID
  server_value:
    description: The value name of the base server's address under O(config_key).
    type: str
    default: BaseServer
  rollback:
    description: Remove a newer installed version (C(msiexec /x)) and install O(version).
    type: bool
    default: false
  download_dir:
    description: Local folder on the workstation for the fetched installer, its logs and the FTP script.
    type: str
    default: C:\VNACCS\ClientSetup
  busy_pauses:
    description:
      - Seconds to wait before each new attempt while msiexec answers 1618; their number bounds the
        attempts.
    type: list
    elements: float
    default: [30.0, 60.0, 120.0]
  install_timeout:
    description: Seconds the fetch and each msiexec run may take (default 1800).
    type: int
  force:
    description: Install inside the quiet periods (peak hours, Sunday maintenance).
    type: bool
    default: false
  reference_time:
    description: The time the change window is judged at (ISO 8601; default now). For tests and planning.
    type: str
    default: ""
  pending_file:
    description: The controller's restart-pending list (default in the controller's state folder).
    type: path
    default: ""
  state_dir:
    description: The controller's state folder holding the rollout records (default C($VNACCS_STATE_DIR)).
    type: path
    default: ""
  region:
    description:
      - The workstation's base-server region (the inventory's C(base_server_region)).
      - With a region, the fetch holds one of the region's O(fetch_slots) on the controller, so that no more
        than that many workstations of a region fetch from its base server at once (across forks, plays and
        runs on one controller).
    type: str
    default: ""
  fetch_slots:
    description: How many workstations of a region may fetch at once.
    type: int
    default: 4
  fetch_slots_by_region:
    description: Region name to fetch slots, for the regions whose links differ from O(fetch_slots).
    type: dict
    default: {}
  fetch_slot_timeout:
    description: Seconds to wait for a free slot; past it the workstation fails, nothing fetched.
    type: int
    default: 600
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

EXAMPLES = r"""
- name: Upgrade the customs client from the base server
  vncustoms.vnaccs.client_software:
    version: "4.3.0"
    release_dir: /srv/vnaccs/releases
    base_server: "{{ base_server_address }}"
    terminal_id: "{{ terminal_id }}"
"""

RETURN = r"""
installed_version:
  description: The newest known client version the probe found installed (before the run).
  returned: when the host was read
  type: str
installed_versions:
  description: Every known client version found installed (before the run).
  returned: when the host was read
  type: list
  elements: str
wanted_version:
  description: O(version).
  returned: when the host was read
  type: str
terminal_id:
  description: The Terminal ID in the client's settings (before the run).
  returned: when the host was read
  type: str
newer_kept:
  description: A newer version was found and left in place (no O(rollback)).
  returned: when the host was read
  type: bool
busy_retries:
  description: How many times msiexec answered 1618 and was run again.
  returned: when msiexec answered 1618
  type: int
"""
