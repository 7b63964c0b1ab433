"""Documentation of the vncustoms.vnaccs.client_stage action plugin (code: plugins/action/)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: client_stage
short_description: Stage a customs client release on a regional base server, over FTP
description:
  - Decision 833, Article 9 - the base servers hold the client release that the workstations of their region
    fetch. Puts O(version) (the installer and its manifest) in the base server's upgrades folder, keeps the
    previous O(keep) - 1 versions for a rollback and removes older ones.
  - Refuses the release before anything is copied anywhere when the installer's size or SHA-256 is not its
    manifest's.
  - Reads the server first over WinRM (one command) and skips a server that already holds the version whole
    (checked on the server - C(certutil -hashfile SHA256) on Server 2008; the size by C(dir) on Server 2003,
    which has no SHA-2 tool, its copy having been read back and hashed when it was staged).
  - Moves the bytes over FTP with Python's ftplib, never through WinRM; uploads to C(NAME.part) and renames it
    once whole; verifies on the server (certutil on 2008, read back over FTP on 2003) and removes a copy that
    is not whole. The FTP logon goes through the controller's account guard as the WinRM logon does (a
    refused password is never tried again).
version_added: 0.1.0
author:
  - Vietnam Customs IT
extends_documentation_fragment:
  - vncustoms.vnaccs.windows_connection
  - vncustoms.vnaccs.client_release
options:
  local_folder:
    description: The upgrades folder on the base server, as a local path (for the checks over WinRM).
    type: str
    default: C:\VNACCS\Base\ClientUpgrades
  ftp_folder:
    description: The same folder as an FTP path.
    type: str
    default: /ClientUpgrades
  ftp_port:
    description: The base server's FTP port.
    type: int
    default: 21
  ftp_user:
    description: The account that writes over FTP (default the WinRM account).
    type: str
    default: ""
  ftp_password:
    description: Its password (default the WinRM password); never shown.
    type: str
    default: ""
  keep:
    description:
      - How many versions the server keeps, O(version) included (2 keeps the previous one for a
        rollback).
    type: int
    default: 2
  max_bytes_per_minute:
    description:
      - Pace the upload to at most this many bytes a minute (0, no limit), so a staging run cannot fill
        a WAN link.
    type: int
    default: 0
  max_bytes_per_minute_by_region:
    description:
      - Region name to bytes a minute, for the regions whose links differ; O(region)'s entry overrides
        O(max_bytes_per_minute).
    type: dict
    default: {}
  region:
    description:
      - The base server's region (C(base_server_region)). With it, the upload holds the region's one staging
        slot (a lock file in the controller's state folder), so two runs never stage to one region at once
        and the pace is the region's.
    type: str
    default: ""
  stage_slot_timeout:
    description: Seconds to wait for the region's staging slot before the task fails (nothing copied).
    type: float
    default: 3600.0
  ftp_timeout:
    description: Seconds an FTP reply may take.
    type: int
    default: 120
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

EXAMPLES = r"""
- name: Stage client 4.3.0 on the base server
  vncustoms.vnaccs.client_stage:
    version: "4.3.0"
    release_dir: /srv/vnaccs/releases
"""

RETURN = r"""
version:
  description: O(version).
  returned: always
  type: str
staged_before:
  description: Whether the server already held the version whole.
  returned: when the server was read
  type: bool
check:
  description: How the server's copy was judged (or why it is not whole).
  returned: when the server was read
  type: str
versions_before:
  description: The versions on the server before the run.
  returned: when the server was read
  type: list
  elements: str
versions:
  description: The versions on the server after the run (in check mode, what they would be).
  returned: when the server was read
  type: list
  elements: str
pruned:
  description: The versions removed (in check mode, to remove).
  returned: when the server was read
  type: list
  elements: str
bytes_sent:
  description: Bytes uploaded over FTP.
  returned: when the server was read
  type: int
bytes_read_back:
  description: Bytes read back over FTP to verify the copy (Server 2003).
  returned: when the server was read
  type: int
transfers:
  description: The FTP transfers made, with their sizes.
  returned: when the server was read
  type: list
  elements: str
"""
