# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the YAML files; the transcriptions: departments and sites (Appendix IV), regions (III)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .problems import ProblemCollector
from .records import Department, Paths, Region, Site
from .slugs import slugify


def read_yaml(path: Path, problems: ProblemCollector, required: bool = True) -> dict[str, Any]:
    """The top-level mapping of a YAML file; {} after recording why there is none."""
    if not path.exists():
        if required:
            problems.add(path, None, None, "file not found")
        return {}
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        problems.add(path, None, None, f"not valid YAML: {exc}")
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.add(path, None, None, "must be a YAML mapping at the top level")
        return {}
    return data


def read_section(raw: dict[str, Any], key: str, path: Path, problems: ProblemCollector) -> dict[str, Any]:
    """The mapping under `key` of a file's top level; {} when absent, or after recording why not."""
    section = raw.get(key)
    if not section:
        return {}
    if not isinstance(section, dict):
        problems.add(path, None, key, f"must be a mapping, not {type(section).__name__}")
        return {}
    return section


def load_departments(paths: Paths, problems: ProblemCollector) -> list[Department]:
    raw = read_yaml(paths.sites, problems)
    departments: list[Department] = []
    seen_slugs: dict[str, str] = {}
    for position, entry in enumerate(raw.get("departments") or [], 1):
        label = f"department #{position}"
        if not isinstance(entry, dict):
            problems.add(paths.sites, label, None, "each department must be a mapping")
            continue
        name = entry.get("name_vi")
        slug = entry.get("slug")
        if not isinstance(name, str) or not name.strip():
            problems.add(paths.sites, label, "name_vi", "missing department name")
            continue
        if not isinstance(slug, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", slug):
            problems.add(paths.sites, name, "slug", f"{slug!r} must be lower-case ASCII with underscores")
            continue
        if slug in seen_slugs:
            problems.add(paths.sites, name, "slug", f"duplicate slug {slug!r} (also {seen_slugs[slug]})")
            continue
        seen_slugs[slug] = name
        if not isinstance(entry.get("sites"), list) or not entry["sites"]:
            problems.add(paths.sites, name, "sites", "a department needs a non-empty list of sites")
        departments.append(
            Department(
                number=entry.get("number", position),
                name_vi=name,
                slug=slug,
                truncated_in_source=bool(entry.get("truncated_in_source", False)),
            )
        )
    if not departments and not problems.problems:
        problems.add(paths.sites, None, "departments", "no departments found")
    return departments


def load_sites(paths: Paths, departments: list[Department], problems: ProblemCollector) -> list[Site]:
    raw = read_yaml(paths.sites, ProblemCollector())  # read errors were reported by load_departments
    by_slug = {department.slug: department for department in departments}
    sites: list[Site] = []
    hosts: dict[str, str] = {}
    for entry in raw.get("departments") or []:
        department = by_slug.get(entry.get("slug")) if isinstance(entry, dict) else None
        if department is None or not isinstance(entry.get("sites"), list):
            continue
        for index, site_entry in enumerate(entry["sites"], 1):
            if isinstance(site_entry, str):
                name, host_slug = site_entry, slugify(site_entry)
            elif isinstance(site_entry, dict) and isinstance(site_entry.get("name_vi"), str):
                # A site may pin its host name explicitly: {name_vi: ..., slug: ...}
                name, host_slug = (
                    site_entry["name_vi"],
                    site_entry.get("slug") or slugify(site_entry["name_vi"]),
                )
                if not isinstance(host_slug, str):
                    problems.add(paths.sites, name, "slug", f"{host_slug!r} is not a lower-case ASCII slug")
                    continue
            else:
                problems.add(paths.sites, f"{department.name_vi} #{index}", "name_vi", "missing site name")
                continue
            host = f"{department.slug.replace('_', '-')}-{host_slug}"
            if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", host):
                problems.add(paths.sites, name, "slug", f"host name {host!r} is not a lower-case ASCII slug")
                continue
            if host in hosts:
                problems.add(
                    paths.sites,
                    f"{host} ({name})",
                    "slug",
                    f"duplicate host name {host!r}: also used by {hosts[host]!r}; "
                    "give one of them an explicit slug",
                )
                continue
            hosts[host] = name
            sites.append(Site(host=host, name_vi=name, department=department, index=index))
    return sites


def load_regions(paths: Paths, departments: list[Department], problems: ProblemCollector) -> list[Region]:
    raw = read_yaml(paths.base_servers, problems)
    by_slug = {department.slug: department for department in departments}
    regions: list[Region] = []
    for entry in raw.get("regions") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("slug"), str):
            problems.add(paths.base_servers, None, "slug", f"region without a slug: {entry!r}")
            continue
        if any(region.slug == entry["slug"] for region in regions):
            problems.add(paths.base_servers, None, "slug", f"duplicate region slug {entry['slug']!r}")
            continue
        region = Region(slug=entry["slug"], data_centre_vi=entry.get("data_centre_vi", ""), departments=[])
        for row in entry.get("rows") or []:
            row_name = row.get("name_vi") if isinstance(row, dict) else None
            target = row.get("department") if isinstance(row, dict) else None
            if target is None:
                continue  # a department that already has DHCP servers: nothing to place
            if not isinstance(target, str):
                problems.add(
                    paths.base_servers, row_name, "department", f"{target!r} is not a department slug"
                )
                continue
            department = by_slug.get(target)
            if department is None:
                problems.add(
                    paths.base_servers,
                    row_name,
                    "department",
                    f"unknown department {target!r}: no Appendix IV department has this slug",
                )
                continue
            if department.region is not None:
                problems.add(
                    paths.base_servers,
                    row_name,
                    "department",
                    f"{department.name_vi} is already served by region {department.region!r}",
                )
                continue
            department.region = region.slug
            department.appendix_iii_name_vi = row_name
            region.departments.append(department.slug)
        regions.append(region)
    for department in departments:
        if department.region is None:
            problems.add(
                paths.base_servers,
                department.name_vi,
                "department",
                f"cannot place department {department.slug!r} in any base-server region: "
                "add its Appendix III row (with an alias if Appendix III names it differently)",
            )
    return regions
