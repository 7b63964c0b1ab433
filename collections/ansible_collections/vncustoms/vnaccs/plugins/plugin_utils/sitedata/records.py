# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the loading steps hand each other: the input files, departments, regions, sites."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netaddr import IPNetwork

from .problems import Problem


@dataclass
class Paths:
    """The input files; every path is absolute or relative to the current directory."""

    sites: Path
    base_servers: Path
    pools: Path
    ledger: Path
    overrides: Path

    @classmethod
    def from_data_dir(cls, data_dir: Path | str, overrides: Path | str) -> Paths:
        """The standard file names inside `data_dir`, and the overrides file."""
        data = Path(data_dir)
        return cls(
            sites=data / "sites.yml",
            base_servers=data / "base_servers.yml",
            pools=data / "address_pools.yml",
            ledger=data / "address_ledger.yml",
            overrides=Path(overrides),
        )

    @classmethod
    def in_inventory_dir(cls, inventory_dir: Path | str) -> Paths:
        """The repository layout: `inventory/data/*.yml` and `inventory/site_overrides.yml`."""
        base = Path(inventory_dir)
        return cls.from_data_dir(base / "data", base / "site_overrides.yml")


@dataclass
class Department:
    number: int
    name_vi: str
    slug: str
    truncated_in_source: bool
    region: str | None = None
    appendix_iii_name_vi: str | None = None

    @property
    def group(self) -> str:
        return f"cuc_{self.slug}"


@dataclass
class Region:
    slug: str
    data_centre_vi: str
    departments: list[str]

    @property
    def group(self) -> str:
        return f"region_{self.slug}"

    @property
    def host(self) -> str:
        return f"base-{self.slug.replace('_', '-')}"


@dataclass
class Site:
    host: str
    name_vi: str
    department: Department
    index: int
    settings: dict[str, Any] = field(default_factory=dict)
    subnet: IPNetwork | None = None
    subnet_source: str = ""


@dataclass
class SiteData:
    departments: list[Department]
    regions: list[Region]
    sites: list[Site]
    base_server_settings: dict[str, dict[str, Any]]
    ledger: dict[str, str]
    new_allocations: dict[str, str]
    orphaned_allocations: dict[str, str]
    paths: Paths
    # What can be right but deserves a look (each names file, site and field); stops nothing.
    warnings: list[Problem] = field(default_factory=list)

    def ledger_after_allocation(self) -> dict[str, str]:
        """The ledger to write: every recorded allocation kept, new ones added."""
        merged = dict(self.ledger)
        merged.update(self.new_allocations)
        return merged
