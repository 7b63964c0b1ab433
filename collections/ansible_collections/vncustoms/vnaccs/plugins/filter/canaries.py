# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter vncustoms.vnaccs.canaries: the first workstations of each region, to install on first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DOCUMENTATION = r"""
---
name: canaries
short_description: The canary workstations of a rollout, the first ones of each base-server region
version_added: 0.1.0
author:
  - Vietnam Customs IT
description:
  - A client rollout installs on a few workstations of every region first (the canaries), then on the rest in
    batches; a region shares a base server and its WAN link, so each region gets its own canaries.
  - Returns the first O(per_region) hosts of each region by name, the region read from each host's
    C(base_server_region) (hosts without one form one region together).
options:
  _input:
    description: The rollout's workstations (inventory names).
    type: list
    elements: str
    required: true
  hostvars:
    description: Ansible's C(hostvars).
    type: dict
    required: true
  per_region:
    description: How many canaries each region gets.
    type: int
    default: 1
"""

EXAMPLES = r"""
- name: Put the canaries in their own group
  ansible.builtin.group_by:
    key: "client_canary_{{ inventory_hostname in (ansible_play_hosts_all
      | vncustoms.vnaccs.canaries(hostvars)) }}"
"""

RETURN = r"""
_value:
  description: The canary hosts, sorted by name.
  type: list
  elements: str
"""


def canaries(hosts: list[str], hostvars: Mapping[str, Any], per_region: int = 1) -> list[str]:
    if isinstance(per_region, bool) or int(per_region) < 1:
        raise ValueError(f"per_region: {per_region!r} must be 1 or more")
    picked: dict[str, list[str]] = {}
    for host in sorted({str(host) for host in hosts}):
        region = str((hostvars.get(host) or {}).get("base_server_region", ""))
        chosen = picked.setdefault(region, [])
        if len(chosen) < int(per_region):
            chosen.append(host)
    return sorted(host for chosen in picked.values() for host in chosen)


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"canaries": canaries}
