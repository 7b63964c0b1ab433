"""Documentation of the vncustoms.vnaccs.windows_health action plugin (plugins/action/windows_health.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: windows_health
short_description: Read a Windows host's daily-check state (Decision 833, Appendix III) in one WinRM command
description:
  - Never changes the host. Reads everything the checks of one host need in one WinRM command line, parses
    it with the collection's one parser module, and returns a list of O(checks), each C(pass), C(warn),
    C(fail) or C(not_checked) with what it saw and what is wanted. The C(health_check) role turns them into
    the report's findings (rule, severity, impact, owner, due date).
  - O(kind=dhcp_server) C(sc qc) and C(sc query DHCPServer), C(netsh dhcp server dump) and
    C(netsh dhcp server show mibinfo) give the service (Running, Automatic), each scope of O(dhcp.scopes)
    (present, active, range, mask, exclusions, router and DNS servers) and how full it is
    (in use and offered, of its leasable addresses, against O(dhcp.warning_percent) and
    O(dhcp.critical_percent)). With the service stopped, netsh cannot read the scopes; they are not checked.
  - With O(dhcp.relay_probe), from the controller and whether or not WinRM answered, C(dhcp.relay_offer)
    for each scope - a DHCPDISCOVER sent as the branch's relay sends it (giaddr = the scope's router,
    to the server's port 67) must get an OFFER from the scope's range, with its mask and router. Where
    the probe cannot run (the controller does not have the local address or may not bind port 67, the
    server is outside the scopes' networks, the lab range and O(dhcp.relay_probe.allow), the probe is
    off) the check is C(not_checked) with the reason, and nothing is sent.
  - O(dhcp.backend=kea) (ISC Kea on Debian, no WinRM) sends no WinRM request at all; the checks are
    C(dhcp.relay_offer) of each scope and C(host.reachable) (whether any DISCOVER was answered).
  - O(kind=base_server) C(net share), C(sc qc) and C(sc query MSFTPSVC) and C(dir) of the root's drive give
    each share with its path, the FTP Publishing Service (Running, Automatic) and the free space. From the
    controller, the FTP greeting (C(220)) at O(base.ftp_address):O(base.ftp_port); this runs also when
    WinRM does not answer.
  - O(kind=workstation) C(ipconfig /all) gives a DHCP lease inside one of O(workstation.scopes). With
    O(workstation.ftp_address), the workstation's own C(ftp.exe) connects to its base server and quits (a
    two-line script written to C(%SystemRoot%\Temp) and deleted in the same command; C(-n), so no logon is
    tried), and the C(220) greeting must come back (Appendix III's check from a workstation; Windows 7 has
    no telnet client by default).
  - With O(audit), in the same command line, C(systeminfo) for the service pack against O(os_baseline) and
    its Hotfix(s) list against O(hotfix_baseline); C(wmic useraccount) for the built-in accounts (RID 500
    renamed or disabled, RID 501 disabled); C(secedit /export /areas SECURITYPOLICY) to a file under
    C(%SystemRoot%\Temp), typed and deleted at once, for the audit policy against O(audit_policy); and on a
    workstation C(reg query) of both Uninstall views for the programs against O(approved_software)
    (Windows' components and updates left out).
  - With O(reboot.time) (a workstation), the daily restart task as the C(daily_reboot_task) plugin makes it
    from the same settings (C(schtasks /query), in the host version's form) and the last start (C(net
    statistics workstation)) within O(reboot.max_hours_since_boot); in an audit, the host's restart window
    against the peak hours and the Sunday maintenance window.
  - The checks whose job has given nothing to compare with (no client release, no restart settings) are
    returned as C(not_checked) with the reason.
version_added: 0.1.0
author: VNACCS/VCIS site-infrastructure team
extends_documentation_fragment:
  - vncustoms.vnaccs.windows_connection
options:
  kind:
    description: What the host is, and so which checks it gets.
    type: str
    required: true
    choices: [dhcp_server, base_server, workstation]
  record:
    description:
      - The host as the health-check report names it. Given, the task also sets the host's fact
        C(health_check_result) (C(name), these fields and C(result), what the task returned) unless it
        failed, so that no task of its own is needed to keep it for the report.
    type: dict
    suboptions:
      kind:
        description: The host's kind in the report.
        type: str
        default: ''
      department:
        description: The department that owns the host.
        type: str
        default: ''
      site:
        description: The site the host is at.
        type: str
        default: ''
      region:
        description: The base server's region.
        type: str
        default: ''
      address:
        description: The address the host is reached at.
        type: str
        default: ''
      helper:
        description: The DHCP server address a switch relays to (switches only).
        type: str
        default: ''
  dhcp:
    description: The DHCP server's wanted scopes and thresholds (O(kind=dhcp_server)).
    type: dict
    suboptions:
      scopes:
        description: The scopes it serves, as the inventory's C(dhcp_scopes) (the dhcp_server plugin's keys).
        type: list
        elements: dict
        default: []
      warning_percent:
        description: How full a scope may be (percent in use or offered) before it is a warning.
        type: float
        default: 80.0
      critical_percent:
        description: How full a scope may be before it fails.
        type: float
        default: 95.0
      backend:
        description: What serves the scopes; V(kea) is checked with the relay probe only, never over WinRM.
        type: str
        default: windows
        choices: [windows, kea]
      relay_probe:
        description: The relayed DHCP probe from the controller (C(dhcp.relay_offer)); omitted, no probe.
        type: dict
        suboptions:
          enabled:
            description: Probe; V(false) reports each scope's C(dhcp.relay_offer) as C(not_checked).
            type: bool
            default: true
          server:
            description: Where the controller sends the DISCOVER; empty is the host's C(ansible_host).
            type: str
            default: ""
          port:
            description: The server's UDP port, and the one the probe listens on (a relay's is 67 too).
            type: int
            default: 67
          bind:
            description:
              - The local address that stands for each router (C(giaddr) -> address) on the controller;
                a router not named is bound itself, as a relay on the router would. Binding port 67
                needs root.
            type: dict
            default: {}
          timeout:
            description: Seconds to wait for each offer.
            type: float
            default: 3.0
          allow:
            description: Networks the server may be in besides the scopes' own and the lab range.
            type: list
            elements: str
            default: []
  base:
    description: The base server's wanted shares, thresholds and FTP address (O(kind=base_server)).
    type: dict
    suboptions:
      root:
        description: The layout's root (the base_server role's); the shares' folders are below it, and its
          drive's free space is checked.
        type: str
        default: 'C:\VNACCS\Base'
      shares:
        description: The shares C(net share) must list, as the base_server role takes them.
        type: list
        elements: dict
        default: []
        suboptions:
          name:
            description: Share name.
            type: str
            required: true
          folder:
            description: Its folder below O(base.root); empty for the root.
            type: str
            default: ""
          remark:
            description: Not checked; accepted so that the base_server role's list can be passed as it is.
            type: str
            default: ""
      warning_free_bytes:
        description: Free bytes below which the drive is a warning.
        type: int
        default: 2147483648
      critical_free_bytes:
        description: Free bytes below which it fails.
        type: int
        default: 536870912
      ftp_address:
        description: Where the controller reaches the FTP port; empty does not check it.
        type: str
        default: ""
      ftp_port:
        description: The FTP port at O(base.ftp_address).
        type: int
        default: 21
      ftp_timeout:
        description: Seconds to wait for the greeting.
        type: float
        default: 5.0
  workstation:
    description: The workstation's site (O(kind=workstation)).
    type: dict
    suboptions:
      scopes:
        description: Its site's C(dhcp_scopes) (C(range_start), C(range_end), C(exclusions) are read).
        type: list
        elements: dict
        default: []
      ftp_address:
        description: The base server's address as the workstation reaches it; empty checks no FTP port from
          this workstation (the C(health_check) role sets it on the first workstation of each site).
        type: str
        default: ""
      ftp_port:
        description: The base server's FTP port.
        type: int
        default: 21
  ecus6:
    description:
      - With O(kind=workstation), the Ecus6 contingency's checks (letter 497/CHQ-CNTT) C(ecus6.mode) (the
        switch-over marker) and, on the branch's probe workstation, C(ecus6.reachable) (the officers' portal
        answers over HTTP from it, through a VBScript run with C(cscript)).
    type: dict
    suboptions:
      enabled:
        description: Make the checks.
        type: bool
        default: true
      url:
        description: The officers' portal address. Required with O(ecus6.probe=true).
        type: str
        default: ""
      probe:
        description: This workstation checks the portal for its branch (the C(health_check) role sets it on
          the first workstation of each site).
        type: bool
        default: false
      branch:
        description: The branch's name, which a finding names.
        type: str
        default: ""
      expected_mode:
        description: The mode of the last switch-over recorded (C(ecus6) or C(vnaccs)); empty when none is.
        type: str
        default: ""
  audit:
    description: Also read C(systeminfo) and check the service pack (the audit, Article 24).
    type: bool
    default: false
  os_baseline:
    description: The lowest service pack per Windows version (C(2003), C(2008), C(xp), C(7)).
    type: dict
    default: {}
  approved_software:
    description:
      - The DisplayName patterns (C(*) and C(?), compared without case) of the programs a workstation may
        have (O(kind=workstation), O(audit)); one failed C(audit.approved_software) item per other program.
        Empty reports the check C(not_checked).
    type: list
    elements: str
    default: []
  audit_policy:
    description:
      - The audit log settings the host must have, category (C(system_events), C(logon_events),
        C(object_access), C(privilege_use), C(policy_change), C(account_management), C(process_tracking),
        C(ds_access), C(account_logon)) -> C(none), C(success), C(failure) or C(success_and_failure).
        Empty reports C(audit.audit_policy) C(not_checked).
    type: dict
    default: {}
  hotfix_baseline:
    description:
      - The KB numbers (C(KB958644)) each Windows version (C(2003), C(2008), C(xp), C(7)) must list in
        systeminfo's Hotfix(s); a version without any is reported C(not_checked). An id missing from a list
        that systeminfo cut short of its count is C(not_checked) too.
    type: dict
    default: {}
  client:
    description:
      - The released customs client to compare with (C(workstation.client_version),
        C(workstation.terminal_id), C(base.client_staged)), read in the same probe. Without a known release
        those checks are reported C(not_checked), with the reason.
    type: dict
    suboptions:
      version:
        description: The released version; empty takes the latest rollout result's (O(client.result_file)).
        type: str
        default: ""
      release_dir:
        description: The controller's release folder holding the version's C(manifest.yml).
        type: path
        default: ""
      result_file:
        description: The latest rollout result (C(client-rollout-latest.json)).
        type: path
        default: ""
      terminal_id:
        description: The workstation's Terminal ID in the inventory.
        type: str
        default: ""
      config_key:
        description: The client's settings key (as the client_software role writes it).
        type: str
        default: HKLM\SOFTWARE\TCHQ\VNACCS Client
      terminal_value:
        description: The value name of the Terminal ID under O(client.config_key).
        type: str
        default: TerminalID
      local_folder:
        description: The base server's upgrades folder (as a local path).
        type: str
        default: C:\VNACCS\Base\ClientUpgrades
  reboot:
    description:
      - The daily restart task a workstation must have, in the terms of the C(daily_reboot_task) plugin
        (the C(health_check) role passes the C(daily_reboot) role's settings). Without O(reboot.time), the
        restart checks are reported C(not_checked).
      - A window in the quiet periods is not refused here; the audit reports it.
    type: dict
    suboptions:
      name:
        description: Name of the scheduled task.
        type: str
        default: VNACCS-DailyRestart
      time:
        description: The first restart time of the day, C(HH:MM) in Asia/Ho_Chi_Minh time.
        type: str
      spread_minutes:
        description: How many minutes the hosts' restart times are spread over.
        type: int
        default: 0
      warning_seconds:
        description: How long the logged-on user is warned before the restart.
        type: int
        default: 300
      settle_minutes:
        description: Minutes a restart and the client's update at start-up take.
        type: int
        default: 10
      message:
        description: The restart warning; empty for the plugin's default.
        type: str
        default: ""
      fold_text:
        description: The message is written without Vietnamese diacritics.
        type: bool
        default: true
      reason:
        description: The planned reason code of the restart.
        type: str
        default: p:4:1
      max_hours_since_boot:
        description: The last start must be at most this many hours ago.
        type: int
        default: 26
attributes:
  check_mode:
    description: The same in check mode; it only reads.
    support: full
  diff_mode:
    description: Nothing to show; it changes nothing.
    support: none
  platform:
    description: Windows Server 2003 and 2008, Windows XP and 7, reached over WinRM.
    platforms: windows
notes:
  - Unlike the collection's other Windows plugins, a host that cannot be reached or refuses the login does not
    fail the task; it returns RV(reachable=false) with the reason in C(msg) and a failed C(host.reachable)
    check, so that a run over many hosts reports it and carries on. A refused login is still never retried.
"""

EXAMPLES = r"""
- name: Read a DHCP server's service, scopes and their usage
  vncustoms.vnaccs.windows_health:
    kind: dhcp_server
    dhcp:
      scopes: "{{ dhcp_scopes }}"
  register: dhcp_check

- name: Read a DHCP server and probe each scope's relay path from the controller
  vncustoms.vnaccs.windows_health:
    kind: dhcp_server
    dhcp:
      scopes: "{{ dhcp_scopes }}"
      relay_probe:
        server: "{{ dhcp_server_ip }}"

- name: Read a base server, and its FTP port from the controller
  vncustoms.vnaccs.windows_health:
    kind: base_server
    base:
      shares:
        - {name: VNACCS_CLIENT, folder: ClientUpgrades}
      ftp_address: "{{ ansible_host }}"
"""

RETURN = r"""
reachable:
  description: Whether the host was read; false when it could not be reached or refused the login.
  returned: always
  type: bool
checks:
  description:
    - One entry per check, C(id) (e.g. C(dhcp.service_running)), C(item) (the scope, share or address it is
      about), C(status) (C(pass), C(warn), C(fail), C(not_checked)), C(observed), C(expected), C(detail).
  returned: always
  type: list
  elements: dict
computer_name:
  description: The host's computer name (C(hostname)).
  returned: when reachable
  type: str
ansible_facts:
  description: C(health_check_result), the host's entry for the report (with O(record), unless it failed).
  returned: when O(record) is given
  type: dict
"""
