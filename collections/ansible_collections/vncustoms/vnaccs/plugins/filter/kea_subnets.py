# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: the branch DHCP scopes as ISC Kea DHCPv4 subnets."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.kea_config import kea_subnets
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import PlanError

DOCUMENTATION = r"""
name: kea_subnets
short_description: The branch DHCP scopes as ISC Kea DHCPv4 C(subnet4) entries
version_added: "1.0.0"
author: VNACCS/VCIS site-infrastructure team
description:
  - Checks the scopes by the rules the Windows backend of the C(dhcp_server) role uses (a /24 with
    mask 255.255.255.0, the range, router and exclusions inside it, no scope listed twice) and fails
    naming the scope and field of the first bad value.
  - Turns each active scope into a Kea C(subnet4) entry. Kea has no exclusion ranges, so the range is
    split into pools around the exclusions. The subnet id is the /24's first three octets taken as a
    number, so that it does not change when scopes are added, removed or reordered (Kea ties each lease
    to its subnet id). Options 003, 006 and 015 become C(routers), C(domain-name-servers) and
    C(domain-name); the scope's name and comment go in its C(user-context).
  - An C(inactive) scope gets no subnet: it hands out no address.
options:
  _input:
    description: The scopes, as the inventory's C(dhcp_scopes) host variable gives them.
    type: list
    elements: dict
    required: true
  fold_names:
    description: Write names and comments without Vietnamese diacritics (the Windows backend's rule).
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Build the Kea subnets from the inventory's scopes
  ansible.builtin.set_fact:
    kea_subnet4: "{{ dhcp_scopes | vncustoms.vnaccs.kea_subnets }}"
"""

RETURN = r"""
_value:
  description:
    - One Kea C(subnet4) entry per active scope, in the scopes' order, with keys C(id), C(subnet),
      C(pools) (a list of C({pool: "first - last"})), C(option-data) and C(user-context).
  type: list
  elements: dict
"""


def kea_subnets_filter(scopes, fold_names=True):
    """The scopes as Kea subnets; a bad scope fails the task with the field named."""
    if not isinstance(scopes, list):
        raise AnsibleFilterError(f"kea_subnets: the scopes must be a list, not {type(scopes).__name__}")
    try:
        return kea_subnets(scopes, fold_names=bool(fold_names))
    except PlanError as error:
        raise AnsibleFilterError(f"dhcp_server_scopes: {error}") from None
    except (KeyError, TypeError) as error:
        raise AnsibleFilterError(f"dhcp_server_scopes: a scope lacks or mistypes a field ({error})") from None


class FilterModule:
    """The collection's Kea filters."""

    def filters(self):
        return {"kea_subnets": kea_subnets_filter}
