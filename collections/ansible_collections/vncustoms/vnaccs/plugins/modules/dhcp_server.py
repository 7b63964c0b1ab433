"""Documentation of the vncustoms.vnaccs.dhcp_server action plugin (code: plugins/action/dhcp_server.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: dhcp_server
short_description: Install the Windows DHCP Server and make its scopes match the wanted state, over WinRM
description:
  - Reads the host's state in one round trip (C(sc qc), C(sc query) and C(netsh dhcp server dump) in one
    command line), computes a plan and applies it in one batch (a netsh script written with C(echo) and
    run by C(netsh exec)), then reads the state again and fails if the host still differs.
  - Installs the DHCP Server component when it is missing, with C(sysocmgr) and an answer file on 2003 or
    C(servermanagercmd -install DHCP) on 2008, never restarting the host; a restart the installer asks for
    is reported in RV(reboot_required).
  - Authorizes the server in Active Directory (C(netsh dhcp add server)) when O(ad_domain) is set;
    a server in a workgroup is not authorized.
  - Creates each scope of O(scopes) or corrects whatever differs (name, comment, range, exclusions, options
    003, 006 and 015, state). A scope with the wrong mask is deleted and created again; C(DHCPNOFORCE) makes
    that fail rather than drop leases in use. Scopes not listed, and options other than 003, 006 and 015,
    are left alone.
  - Sets the C(DHCPServer) service to start automatically and starts it (the daily check of Appendix III
    wants it Running and Automatic; netsh can read and change the scopes only while it runs). With the
    service stopped, check mode reports the service change and says the scopes are read once it runs.
  - Scope names and comments are written without Vietnamese diacritics when O(fold_names) is true, since the
    WinRM shell runs in code page 437 and C(netsh exec) reads its script in that code page, which has no
    Vietnamese letters, on both Windows Server 2003 and 2008.
version_added: 0.1.0
author: VNACCS/VCIS site-infrastructure team
extends_documentation_fragment:
  - vncustoms.vnaccs.windows_connection
options:
  scopes:
    description: The scopes this server must have.
    type: list
    elements: dict
    required: true
    suboptions:
      address:
        description: Network address of the /24.
        type: str
        required: true
      mask:
        description: Subnet mask; only 255.255.255.0 is accepted (Appendix IV, section II).
        type: str
        default: 255.255.255.0
      name:
        description: Scope name.
        type: str
        required: true
      comment:
        description: Scope comment.
        type: str
        default: ""
      range_start:
        description: First address handed out; inside the subnet.
        type: str
        required: true
      range_end:
        description: Last address handed out; inside the subnet.
        type: str
        required: true
      exclusions:
        description: Ranges never handed out.
        type: list
        elements: dict
        default: []
        suboptions:
          start:
            description: First excluded address.
            type: str
            required: true
          end:
            description: Last excluded address.
            type: str
            required: true
      router:
        description: Option 003; inside the subnet. Empty removes the option.
        type: str
        default: ""
      dns_servers:
        description: Option 006. Empty removes the option.
        type: list
        elements: str
        default: []
      domain_name:
        description: Option 015. Empty removes the option.
        type: str
        default: ""
      state:
        description: Whether the scope hands out addresses.
        type: str
        choices: [active, inactive]
        default: active
  install:
    description: Install the DHCP Server component when it is missing; with false, such a host fails.
    type: bool
    default: true
  install_timeout:
    description:
      - Seconds the DHCP Server's installer may run (C(sysocmgr) on 2003, copying from the i386 source;
        C(servermanagercmd -install DHCP) on 2008) before the host counts as not answering and the task
        fails naming it. Every other command has O(vnaccs_winrm_command_timeout_sec).
    type: int
    default: 1800
  ad_domain:
    description: Active Directory domain to authorize the server in; empty skips authorization (workgroup).
    type: str
    default: ""
  server_ip:
    description: Address to authorize the server under; required with O(ad_domain).
    type: str
    default: ""
  fold_names:
    description: Write scope names and comments without Vietnamese diacritics (see the description).
    type: bool
    default: true
  work_dir:
    description: Folder on the host for the answer file and the netsh script (deleted after use).
    type: str
    default: '%SystemRoot%\Temp'
attributes:
  platform:
    description: Windows Server 2003 (SP2, WinRM 2.0 from KB968930) and 2008, reached over WinRM.
    platforms: windows
notes:
  - netsh's exit code is not used; each netsh command must print C(Command completed successfully.).
  - In check mode on a host without the DHCP Server component, the service commands are always shown, since
    the state the installer leaves the service in cannot be read before it runs; the real run reads it again
    after installing and runs only what is needed.
  - The 2003 installer needs the i386 source files (a CD or a share named in the registry's
    SourcePath); without them sysocmgr waits for a CD and the task reports that the service is
    still missing.
"""

EXAMPLES = r"""
- name: Create the branch scope
  vncustoms.vnaccs.dhcp_server:
    scopes:
      - address: 10.27.10.0
        name: Chi cục Hải quan Tiên Sơn
        comment: Cục Hải quan Bắc Ninh
        range_start: 10.27.10.50
        range_end: 10.27.10.254
        exclusions:
          - {start: 10.27.10.50, end: 10.27.10.59}
        router: 10.27.10.1
        dns_servers: [10.27.1.10]
        domain_name: bacninh.customs.gov.vn

- name: Preview the change with the exact netsh commands (ansible-playbook --check --diff)
  vncustoms.vnaccs.dhcp_server:
    scopes: "{{ wanted_scopes }}"
    ad_domain: customs.local
    server_ip: 10.27.10.5
  check_mode: true
  diff: true
"""

RETURN = r"""
scopes:
  description: Addresses of the scopes it manages.
  returned: success
  type: list
  elements: str
scope_names:
  description: Scope address to the name as written on the host (after folding).
  returned: success
  type: dict
authorization:
  description: What happened about Active Directory authorization.
  returned: success
  type: str
  sample: 'skipped: no Active Directory domain (workgroup)'
scopes_read:
  description:
    - Whether netsh could read the scopes. False in a preview of a host whose DHCP Server service is
      stopped; the real run starts it, waits until it runs, and plans the scopes then.
  returned: success
  type: bool
"""
