# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: sites
short_description: Branch sites of Vietnam Customs (Decision 833/QĐ-TCHQ, Appendix III and IV)
version_added: 0.1.0
description:
  - Builds hosts and groups from the site list of Decision 833/QĐ-TCHQ Appendix IV, the base-server
    regions of Appendix III, the department address pools, the committed address ledger and the
    per-site overrides an admin fills in.
  - "One DHCP-server host per Appendix IV site (group C(dhcp_servers)), one switch host per site
    that names a switch (C(switches)), one base-server host per Appendix III region
    (C(base_servers)), one host per listed workstation (C(workstations)); C(windows) holds the
    Windows ones."
  - "Groups per department (C(cuc_<slug>), children of C(departments)) and per base-server region
    (C(region_<slug>), children of C(regions))."
  - "Each DHCP-server host gets C(dhcp_scopes), every scope its server serves: the site's own,
    then one per VLAN on another subnet (.50 to .254 of the VLAN's /24, the VLAN's gateway as
    router), in the order of C(site_vlans)."
  - Every input is validated first; on any problem the plugin fails with a list that names the
    file, the site and the field, and builds nothing. What can be right but deserves a look (a
    switch address outside the site's subnets) is shown as a warning. inventory/README.md lists
    every rule.
  - A site that has neither a subnet override nor a ledger entry gets the next free /24 of its
    department's pool in memory, with a warning; C(./run inventory) records it in the ledger.
  - The configuration file name must end in C(.sites.yml) or C(.sites.yaml).
extends_documentation_fragment:
  - constructed
options:
  plugin:
    description: Marks this file as a configuration of this plugin.
    required: true
    choices: [vncustoms.vnaccs.sites]
    type: str
  data_dir:
    description:
      - Folder of the transcribed data (C(sites.yml), C(base_servers.yml)), C(address_pools.yml)
        and C(address_ledger.yml). Relative paths are relative to this configuration file.
    type: str
    default: data
  overrides_file:
    description: The per-site overrides; relative to this configuration file.
    type: str
    default: site_overrides.yml
  host_vars_overlay:
    description:
      - Optional YAML mapping of host name to extra host variables merged over the generated ones
        (the lab uses it to point hosts at its emulators). Relative to this configuration file.
      - A host name the inventory does not have is an error.
    type: str
"""

EXAMPLES = r"""
# inventory/vnaccs.sites.yml
plugin: vncustoms.vnaccs.sites

---
# A lab inventory elsewhere, reading the repository's data and adding connection variables:
plugin: vncustoms.vnaccs.sites
data_dir: /srv/vnaccs-toolkit/inventory/data
overrides_file: /srv/vnaccs-toolkit/inventory/site_overrides.yml
host_vars_overlay: host_vars_overlay.yml
keyed_groups:
  - key: windows_version | default('unknown')
    prefix: windows
"""

import os  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

from ansible.errors import AnsibleParserError  # noqa: E402
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable  # noqa: E402
from ansible.template import trust_as_template  # noqa: E402
from ansible.utils.display import Display  # noqa: E402
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.sitedata import (  # noqa: E402
    Paths,
    ProblemCollector,
    SiteDataError,
    build_inventory,
    load_site_data,
    read_yaml,
)

display = Display()

# Every template (expression, statement, comment) contains a brace: a string without one is the same
# string whether it is templated or not.
_TEMPLATE_CHARACTERS = re.compile(r"[{}]")


def plain(value):
    """VALUE with each string that cannot be a template marked trusted, so that it is shown as a plain value.

    ansible-core 2.19 treats a string an inventory plugin sets as untrusted (never templated), and
    `ansible-inventory --list` writes each one as `{"__ansible_unsafe": ...}`, which AWX stores as it
    is instead of unwrapping (community.general issue 8212; the same fix as community.docker PR 835:
    protect only the strings that could be templates). A string holding a brace stays untrusted: a
    `{{ ... }}` in the site data is never run.
    """
    if isinstance(value, str):
        return value if _TEMPLATE_CHARACTERS.search(value) else trust_as_template(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


class InventoryModule(BaseInventoryPlugin, Constructable):
    NAME = "vncustoms.vnaccs.sites"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith((".sites.yml", ".sites.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        base = os.path.dirname(os.path.abspath(path))

        def resolve(option):
            value = self.get_option(option)
            return value if value is None or os.path.isabs(value) else os.path.join(base, value)

        paths = Paths.from_data_dir(resolve("data_dir"), resolve("overrides_file"))
        try:
            data = load_site_data(paths)
        except SiteDataError as exc:
            raise AnsibleParserError(str(exc)) from exc
        for warning in data.warnings:
            display.warning(str(warning))
        if data.new_allocations:
            display.warning(
                f"{len(data.new_allocations)} site(s) have no recorded subnet and were given one in "
                "memory (for example "
                + ", ".join(f"{host} {cidr}" for host, cidr in list(data.new_allocations.items())[:3])
                + "); run `./run inventory` to record them in the ledger and commit it"
            )
        model = build_inventory(data)
        overlay = self._load_overlay(resolve("host_vars_overlay"), model.hosts)
        strict = self.get_option("strict")
        for group, children in model.children.items():
            self.inventory.add_group(group)
            for child in children:
                self.inventory.add_group(child)
                self.inventory.add_child(group, child)
        for group, hosts in model.groups.items():
            self.inventory.add_group(group)
            for host in hosts:
                self.inventory.add_host(host, group=group)
        for host, host_vars in model.hosts.items():
            merged = {**host_vars, **overlay.get(host, {})}
            for key, value in merged.items():
                self.inventory.set_variable(host, key, plain(value))
            self._set_composite_vars(self.get_option("compose"), merged, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), merged, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), merged, host, strict=strict)

    @staticmethod
    def _load_overlay(path, hosts):
        if not path:
            return {}
        # The same loader as the site data: duplicate keys and aliases are refused here too.
        problems = ProblemCollector()
        overlay = read_yaml(Path(path), problems, empty_ok=True)
        if problems.problems:
            raise AnsibleParserError(
                "cannot read the host variables overlay:\n" + "\n".join(f"  - {p}" for p in problems.problems)
            )
        if not all(isinstance(v, dict) for v in overlay.values()):
            raise AnsibleParserError(f"{path}: must map host names to mappings of variables")
        unknown = sorted(str(host) for host in set(overlay) - set(hosts))
        if unknown:
            raise AnsibleParserError(f"{path}: unknown host(s) {', '.join(unknown)}")
        return overlay
