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
    (letter 497/CHQ-CNTT). Returns the first workstation by name of each site (its C(site_host)), among the
    workstations whose C(ecus6_branch_check) is not false (a department whose branches need not reach Ecus6
    sets it false).
  - Pass every workstation of the inventory (C(groups['workstations'])), not the play's hosts, so that the
    choice does not change with a limit.
options:
  _input:
    description: The workstations (inventory names).
    type: list
    elements: str
    required: true
  hostvars:
    description: Ansible's C(hostvars).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Say whether this workstation checks Ecus6 for its branch
  ansible.builtin.set_fact:
    ecus6_probe: "{{ inventory_hostname in (groups['workstations']
      | vncustoms.vnaccs.branch_probes(hostvars)) }}"
"""

RETURN = r"""
_value:
  description: One workstation per site, sorted by name.
  type: list
  elements: str
"""


def _enabled(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "no", "0", "off")
    return value is None or bool(value)


def branch_probes(hosts: list[str], hostvars: Mapping[str, Any]) -> list[str]:
    picked: dict[str, str] = {}
    for host in sorted({str(host) for host in hosts}):
        variables = hostvars.get(host) or {}
        if not _enabled(variables.get("ecus6_branch_check", True)):
            continue
        site = str(variables.get("site_host") or host)
        picked.setdefault(site, host)
    return sorted(picked.values())


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"branch_probes": branch_probes}
