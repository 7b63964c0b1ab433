# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Site data: load, validate, allocate addresses, and build the inventory model.

The input files live under ``inventory/`` (see the README there):

* ``data/sites.yml``          Appendix IV: departments and their sites (transcription)
* ``data/base_servers.yml``   Appendix III: which regional base server serves each department
* ``data/address_pools.yml``  per-department address pools for automatic /24 allocation
* ``data/address_ledger.yml`` committed record of the /24 given to each site
* ``site_overrides.yml``      what an admin fills in per site (subnet, VLANs, switch, ...)

Everything is validated before anything is returned: :func:`load_site_data` raises
:class:`SiteDataError` listing every problem, each naming the file, the site and the field, so
that nothing is written from bad data. What can be right is returned in ``SiteData.warnings``.
Shared by the ``vncustoms.vnaccs.sites`` inventory plugin and ``tasks.py``; controller only.

One module per job, in the order :func:`load_site_data` runs them:

* ``loading``     the one YAML loader (duplicate keys, aliases, empty files and unknown top-level
                  keys refused); departments, sites and regions from the transcriptions
* ``slugs``       host names from the Vietnamese names
* ``layering``    the defaults < department < site layers of site_overrides.yml, base servers
* ``allocation``  the department pools and each site's /24
* ``ledger``      reading and writing the address ledger
* ``validation``  the checks of what an admin filled in: per layer, per site, across the fleet
* ``model``       hosts, host variables and groups (``build_inventory``)

with ``addresses`` (the Appendix IV offsets, reading addresses), ``fields`` (what an admin may
write), ``problems`` (``SiteDataError``), ``records`` (what the steps hand each other) and
``pipeline`` (``load_site_data``).
"""

from __future__ import annotations

from .addresses import (
    DEFAULT_DHCP_SERVER_OFFSET,
    DEFAULT_ROUTER_OFFSET,
    RANGE_END_OFFSET,
    RANGE_START_OFFSET,
    SUBNET_MASK,
    SUBNET_PREFIX,
)
from .ledger import write_ledger
from .loading import read_yaml
from .model import InventoryModel, build_inventory
from .pipeline import load_site_data
from .problems import Problem, ProblemCollector, SiteDataError
from .records import Department, Paths, Region, Site, SiteData
from .slugs import slugify

__all__ = [
    "DEFAULT_DHCP_SERVER_OFFSET",
    "DEFAULT_ROUTER_OFFSET",
    "RANGE_END_OFFSET",
    "RANGE_START_OFFSET",
    "SUBNET_MASK",
    "SUBNET_PREFIX",
    "Department",
    "InventoryModel",
    "Paths",
    "Problem",
    "ProblemCollector",
    "Region",
    "Site",
    "SiteData",
    "SiteDataError",
    "build_inventory",
    "load_site_data",
    "read_yaml",
    "slugify",
    "write_ledger",
]
