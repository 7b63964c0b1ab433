# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The layers of site_overrides.yml: `defaults` < `departments.<slug>` < `sites.<host>`, and the base servers.

A more specific layer replaces a whole value; lists are not merged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .addresses import parse_address
from .fields import (
    BASE_SERVER_FIELDS,
    LAYER_FIELDS,
    OVERRIDES_SECTIONS,
    SITE_FIELDS,
    SITE_LIST_FIELDS,
    WINDOWS_SERVER_VERSIONS,
    check_fields,
    type_name,
)
from .loading import read_section, read_yaml
from .problems import ProblemCollector
from .records import Department, Paths, Region, Site
from .validation import check_layer


def merge_layers(*layers: dict[str, Any]) -> dict[str, Any]:
    """One mapping from `layers`, later layers replacing whole values of earlier ones."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer or {})
    return merged


def load_overrides(
    paths: Paths,
    departments: list[Department],
    sites: list[Site],
    regions: list[Region],
    problems: ProblemCollector,
    value_problems: ProblemCollector,
) -> dict[str, dict[str, Any]]:
    """Set each site's merged settings; return the base servers' settings by region slug.

    The shape of the file goes to `problems`; what the layers' values are (DNS servers, domain,
    ...) to `value_problems`, since the address allocation does not depend on them.
    """
    # Required, and never empty: without it every site would silently lose its settings, and
    # `./run inventory` would record pool subnets for sites that have their own.
    raw = read_yaml(paths.overrides, problems, OVERRIDES_SECTIONS)
    defaults = read_section(raw, "defaults", paths.overrides, problems)
    if check_fields(defaults, LAYER_FIELDS, paths.overrides, "defaults", "", problems):
        check_layer(defaults, paths.overrides, "defaults", value_problems)
    department_layers = read_section(raw, "departments", paths.overrides, problems)
    known = {department.slug for department in departments}
    entries = _known_entries(
        department_layers, known, "department {}", "unknown department slug", LAYER_FIELDS
    )
    for label, layer in entries(paths, problems):
        check_layer(layer, paths.overrides, label, value_problems)
    site_layers = read_section(raw, "sites", paths.overrides, problems)
    unknown = "unknown site host name (see `./run inventory`)"
    entries = _known_entries(site_layers, {site.host for site in sites}, "{}", unknown, SITE_FIELDS)
    for host, layer in entries(paths, problems):
        check_layer(layer, paths.overrides, host, value_problems)
        # Checked before allocation, which reads the VLANs; the entries are checked later.
        for name in SITE_LIST_FIELDS:
            if layer.get(name) is not None and not isinstance(layer[name], list):
                problems.add(paths.overrides, host, name, f"must be a list, not {type_name(layer[name])}")
    for site in sites:
        site.settings = merge_layers(
            *(
                layer if isinstance(layer, dict) else {}  # a layer that is no mapping was reported above
                for layer in (
                    defaults,
                    department_layers.get(site.department.slug),
                    site_layers.get(site.host),
                )
            )
        )
    base_servers = read_section(raw, "base_servers", paths.overrides, problems)
    known = {region.slug for region in regions}
    entries = _known_entries(
        base_servers, known, "base server {}", "unknown base-server region", BASE_SERVER_FIELDS
    )
    for label, settings in entries(paths, problems):
        if "ip" in settings:
            parse_address(settings["ip"], paths.overrides, label, "ip", problems)
        version = settings.get("windows_version")
        if version is not None and str(version) not in WINDOWS_SERVER_VERSIONS:
            problems.add(paths.overrides, label, "windows_version", f"{version!r} is not 2003 or 2008")
    return {slug: settings for slug, settings in base_servers.items() if isinstance(settings, dict)}


def _known_entries(
    section: dict[str, Any], known: set[str], label_form: str, unknown: str, fields: Any
) -> Callable[[Paths, ProblemCollector], Iterator[tuple[str, dict[str, Any]]]]:
    """The (label, entry) pairs of an overrides section whose key is known and whose fields check.

    An unknown key is reported, unless nothing is known (the transcription it is checked against
    could not be read, and was reported).
    """

    def entries(paths: Paths, problems: ProblemCollector) -> Iterator[tuple[str, dict[str, Any]]]:
        for key, entry in section.items():
            label = label_form.format(key)
            if key not in known:
                if known:
                    problems.add(paths.overrides, label, None, unknown)
            elif check_fields(entry, fields, paths.overrides, label, "", problems):
                yield label, entry

    return entries
