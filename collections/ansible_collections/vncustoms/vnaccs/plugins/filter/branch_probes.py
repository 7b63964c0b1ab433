# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter vncustoms.vnaccs.branch_probes: the one workstation of each branch that checks Ecus6."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DOCUMENTATION = r"""
---
name: branch_probes
short_description: The workstation of each branch (site) that runs the daily Ecus6 reachability check
version_added: 0.1.0
author:
  - Vietnam Customs IT
description:
  - The daily check asks, from one workstation of each branch, whether the Ecus6 officers' portal answers
    (letter 497/CHQ-CNTT). Returns the first workstation by name of each site group (the inventory's
    C(site_*) groups hold a site's DHCP server, switch and workstations); a workstation in no site group is
    a branch of its own.
  - Reads only C(groups), never C(hostvars), so that it costs little when every workstation of a large
    inventory evaluates it. Pass every workstation of the inventory (C(groups['workstations'])), not the
    play's hosts, so that the choice does not change with a limit.
options:
  _input:
    description: The workstations (inventory names).
    type: list
    elements: str
    required: true
  groups:
    description: Ansible's C(groups).
    type: dict
    required: true
  prefix:
    description: The prefix of the site groups' names.
    type: str
    default: site_
"""

EXAMPLES = r"""
- name: Say whether this workstation checks Ecus6 for its branch
  ansible.builtin.set_fact:
    ecus6_probe: "{{ inventory_hostname in (groups['workstations']
      | vncustoms.vnaccs.branch_probes(groups)) }}"
"""

RETURN = r"""
_value:
  description: One workstation per site, sorted by name.
  type: list
  elements: str
"""


def branch_probes(hosts: list[str], groups: Mapping[str, Any], prefix: str = "site_") -> list[str]:
    stations = {str(host) for host in hosts}
    picked: set[str] = set()
    placed: set[str] = set()
    for name, members in groups.items():
        if not str(name).startswith(prefix):
            continue
        inside = sorted(stations & {str(member) for member in members or []})
        placed.update(inside)
        if inside:
            picked.add(inside[0])
    return sorted(picked | (stations - placed))


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"branch_probes": branch_probes}
