# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: the branch DHCP scopes as ISC Kea DHCPv4 subnets (documentation in kea_subnets.yml)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.kea_config import kea_subnets
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import PlanError


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
