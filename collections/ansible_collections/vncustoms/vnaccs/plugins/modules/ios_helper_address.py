#!/usr/bin/python
# Copyright: VNACCS/VCIS site-infrastructure team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done on the controller by the action plugin of the same name; this file holds
# its documentation (ansible-doc vncustoms.vnaccs.ios_helper_address).

DOCUMENTATION = r"""
module: ios_helper_address
short_description: Set the DHCP relay (ip helper-address) on Cisco IOS VLAN interfaces, over SSH or Telnet
description:
  - Reads each interface with C(show running-config interface NAME), plans the C(ip helper-address)
    lines it needs, backs up the running configuration, sends the lines, reads the interfaces again
    to confirm, and saves with C(write memory). Nothing is sent, backed up or saved when no
    interface needs a change.
  - Helpers the task does not manage are left alone unless O(exclusive=true). Helpers in O(stale)
    are removed.
  - Checks every argument before the switch is contacted (the helpers are IPv4 host addresses, not
    stale too; each VLAN's id, interface, subnet and gateway agree; no VLAN listed twice) and names
    every problem. A VLAN whose O(vlans[].subnet) holds the DHCP server needs no relay and is left
    alone (RV(local_interfaces)); when no VLAN needs the relay, the switch is not contacted.
  - Refuses to change anything when an interface is missing on the switch or its primary address
    differs from O(vlans[].gateway).
  - Check mode reports the change without making it; C(--diff) shows the helper lines before and
    after and the exact commands that would be sent (C(prepared)).
  - O(transport=network_cli) uses the task's C(ansible.netcommon.network_cli) connection (SSH, with
    the C(cisco.ios) terminal and cliconf plugins, C(become_method=ansible.netcommon.enable)).
  - O(transport=telnet) opens a Telnet session with netmiko (device type C(cisco_ios_telnet)) to
    C(ansible_host):C(ansible_port) (default 23), logging in with C(ansible_user)/C(ansible_password)
    and entering privileged mode with C(ansible_become_password). Run such a task with
    C(ansible_connection=ansible.builtin.local).
  - A refused login is never retried, on either transport (five failed logins lock a customs
    account, Decision 833 Article 18).
version_added: 0.1.0
author: VNACCS/VCIS site-infrastructure team
options:
  vlans:
    description: The VLANs whose interfaces (SVIs) relay DHCP, as the site inventory lists them.
    type: list
    elements: dict
    required: true
    suboptions:
      interface:
        description: Interface name as IOS spells it, e.g. C(Vlan10).
        type: str
        required: true
      gateway:
        description: The address the interface must have (the VLAN's gateway); checked before any change.
        type: str
      id:
        description: VLAN id (1-4094); the interface must then be C(Vlan<id>).
        type: int
      subnet:
        description:
          - VLAN subnet in CIDR form. The gateway must be a usable address inside it; when it holds
            the DHCP server, the VLAN needs no relay.
        type: str
  helpers:
    description: Helper addresses (DHCP servers) every interface must carry.
    type: list
    elements: str
    required: true
  stale:
    description: Helper addresses to remove wherever they are found.
    type: list
    elements: str
    default: []
  exclusive:
    description: Remove every helper that is not in O(helpers).
    type: bool
    default: false
  save:
    description: Save the running configuration (C(write memory)) after a change.
    type: bool
    default: true
  backup_dir:
    description:
      - Directory on the controller for the backup of the running configuration taken before a change,
        written as C(<backup_dir>/<inventory_hostname>_<UTC date and time>.cfg). No backup when omitted.
    type: path
  transport:
    description: How to reach the switch.
    type: str
    choices: [network_cli, telnet]
    default: network_cli
  timeout:
    description: Seconds to wait for the switch (Telnet transport).
    type: int
    default: 30
  site:
    description: The site's name, shown after the host name in messages.
    type: str
  labels:
    description:
      - How messages name O(vlans), O(helpers) and O(stale), for a caller that sets them from
        variables of its own (the C(dhcp_relay) role names its variables and the inventory's).
    type: dict
    default: {}
    suboptions:
      vlans:
        description: The name for O(vlans).
        type: str
      helpers:
        description: The name for O(helpers).
        type: str
      stale:
        description: The name for O(stale).
        type: str
notes:
  - Supports check mode and diff mode.
  - Credentials are never returned or logged; authentication is attempted once (no retries).
"""

EXAMPLES = r"""
- name: Relay DHCP on the branch VLANs to the site's DHCP server
  vncustoms.vnaccs.ios_helper_address:
    vlans:
      - interface: Vlan10
        gateway: 10.20.10.1
    helpers: [10.20.0.5]
    stale: [10.20.0.9]
    backup_dir: backups/switches
"""

RETURN = r"""
commands:
  description: The lines sent (or, in check mode, that would be sent), C(write memory) included.
  returned: always
  type: list
  elements: str
  sample: ["interface Vlan10", " ip helper-address 10.20.0.5", "write memory"]
interfaces:
  description: Per interface, the helpers before and after and the lines planned under it.
  returned: always
  type: dict
backup_path:
  description: The backup file written before the change.
  returned: when a change was made and O(backup_dir) was given
  type: str
saved:
  description: Whether the configuration was saved.
  returned: always
  type: bool
local_interfaces:
  description: The interfaces left alone because their subnet holds the DHCP server.
  returned: when the arguments are valid
  type: list
  elements: str
"""
