# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""load_site_data: every step in order, and nothing returned unless the whole data is clean."""

from __future__ import annotations

from .allocation import allocate, load_pools
from .layering import load_overrides
from .ledger import load_ledger
from .loading import load_departments, load_regions, load_sites
from .problems import ProblemCollector
from .records import Paths, SiteData
from .validation import check_fleet, check_site


def load_site_data(paths: Paths) -> SiteData:
    """Load and validate everything; raise SiteDataError listing every problem found."""
    problems = ProblemCollector()
    departments = load_departments(paths, problems)
    sites = load_sites(paths, departments, problems)
    regions = load_regions(paths, departments, problems)
    layer_values = ProblemCollector()
    base_server_settings = load_overrides(paths, departments, sites, regions, problems, layer_values)
    pools = load_pools(paths, departments, problems)
    ledger = load_ledger(paths, problems)
    if problems.problems:  # allocation needs clean input
        problems.absorb(layer_values)
        problems.raise_if_any()
    new, orphaned = allocate(sites, pools, ledger, paths, problems)
    problems.absorb(layer_values)
    for site in sites:
        check_site(site, paths, problems)
    check_fleet(departments, regions, sites, paths, problems)
    problems.raise_if_any()
    return SiteData(
        departments=departments,
        regions=regions,
        sites=sites,
        base_server_settings=base_server_settings,
        ledger=ledger,
        new_allocations=new,
        orphaned_allocations=orphaned,
        paths=paths,
        warnings=problems.warnings,
    )
