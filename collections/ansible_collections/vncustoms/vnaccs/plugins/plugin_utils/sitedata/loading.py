# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the YAML files; the transcriptions: departments and sites (Appendix IV), regions (III).

Every data file is read by one loader, :class:`SiteDataLoader` (through :func:`read_yaml`), which
refuses what plain YAML would accept silently:

* a key written twice in one mapping (YAML keeps the last copy and drops the first without a
  word): each copy is reported with its line;
* aliases (``*name``) and merge keys (``<<``): the data files need neither, and an alias is what a
  "billion laughs" file multiplies. They are found by a scan of the parse events before any node
  is built, so such a file is refused in the time it takes to read it, and nothing reads an
  expanded value (an error message printing one would be the blow-up);
* an empty file, a top level that is not a mapping, and top-level keys the file does not have.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from .fields import (
    BASE_SERVERS_FILE_FIELDS,
    DEPARTMENT_FIELDS,
    REGION_FIELDS,
    REGION_ROW_FIELDS,
    SECTION_LABELS,
    SITE_ENTRY_FIELDS,
    SITES_FILE_FIELDS,
    check_fields,
    type_name,
)
from .problems import ProblemCollector
from .records import Department, Paths, Region, Site
from .slugs import slugify

# libyaml's parser when PyYAML has it (ten times faster); the checks below are the same either way.
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_SLUG = re.compile(r"[a-z][a-z0-9_]*")


class SiteDataLoader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """The safe loader, refusing duplicate keys and merge keys as it constructs each mapping.

    `findings` collects (path of keys, message) for each; the data it returns is not to be used
    when there is any. Aliases are refused before this loader composes anything: see
    :func:`load_yaml_text`.
    """

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.findings: list[tuple[tuple[Any, ...], str]] = []
        self._paths: dict[int, tuple[Any, ...]] = {}

    def construct_document(self, node):
        self._paths = _mapping_paths(node)
        return super().construct_document(node)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            path = self._paths.get(id(node), ())
            first_copies: dict[Any, yaml.Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    self.findings.append(
                        (
                            path,
                            f"line {line_of(key_node)}: merge keys (<<) are not accepted in the site data; "
                            "write the values out",
                        )
                    )
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    continue  # a mapping or list as a key: the constructor refuses it itself
                key = self.construct_object(key_node)
                try:
                    first = first_copies.setdefault(key, key_node)
                except TypeError:
                    continue
                if first is not key_node:
                    lines = (
                        f"on line {line_of(first)}"
                        if line_of(first) == line_of(key_node)
                        else f"on line {line_of(first)} and line {line_of(key_node)}"
                    )
                    self.findings.append(
                        (
                            (*path, key_node.value),
                            f"key {key_node.value!r} is written twice, {lines}; YAML would keep only "
                            "the second, so remove or merge one",
                        )
                    )
        return super().construct_mapping(node, deep=deep)


def line_of(node_or_event) -> int:
    """The 1-based line where a node or event starts."""
    return node_or_event.start_mark.line + 1


def field_path(path: tuple[Any, ...]) -> str:
    """('sites', 'x', 'vlans', 0, 'id') -> 'sites.x.vlans[0].id'."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _mapping_paths(root) -> dict[int, tuple[Any, ...]]:
    """The path of every mapping node below `root`, by node id (walked without recursion)."""
    paths: dict[int, tuple[Any, ...]] = {}
    pending: list[tuple[Any, tuple[Any, ...]]] = [(root, ())]
    while pending:
        node, path = pending.pop()
        if isinstance(node, yaml.MappingNode):
            paths[id(node)] = path
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                pending.append((value_node, (*path, key)))
        elif isinstance(node, yaml.SequenceNode):
            pending.extend((item, (*path, position)) for position, item in enumerate(node.value))
    return paths


def locate(path: tuple[Any, ...]) -> tuple[str | None, str | None]:
    """(site, field) of a path of keys, as the other messages name them.

    An entry of a section keyed by site, department, pool or region is the "site" of the message
    (`sites.<host>.switch.ip` -> site <host>, field switch.ip); anything else is a field path.
    """
    if path and path[0] == "defaults":
        return "defaults", field_path(path[1:]) or None
    if len(path) >= 2 and path[0] in SECTION_LABELS and isinstance(path[1], str):
        return SECTION_LABELS[path[0]].format(key=path[1]), field_path(path[2:]) or None
    return None, field_path(path) or None


def _alias_findings(text: str) -> list[tuple[tuple[Any, ...], str]]:
    """One finding for the aliases of `text`, from its parse events (no node is built)."""
    anchors: dict[str, int] = {}
    aliases = []
    for event in yaml.parse(text, Loader=_BASE_LOADER):
        if isinstance(event, yaml.AliasEvent):
            aliases.append(event)
        elif getattr(event, "anchor", None):
            anchors.setdefault(event.anchor, line_of(event))
    if not aliases:
        return []
    first = aliases[0]
    where = f" (anchored on line {anchors[first.anchor]})" if first.anchor in anchors else ""
    return [
        (
            (),
            f"line {line_of(first)}: the alias *{first.anchor} repeats a value{where}; aliases are not "
            f"accepted in the site data ({len(aliases)} in this file): write each value out",
        )
    ]


def load_yaml_text(text: str) -> tuple[Any, list[tuple[tuple[Any, ...], str]]]:
    """(data, findings) of one YAML document; the data is None when there are findings.

    Raises yaml.YAMLError for text that is not YAML.
    """
    findings = _alias_findings(text)
    if findings:
        return None, findings
    loader = SiteDataLoader(text)
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    return (None, loader.findings) if loader.findings else (data, [])


def read_yaml(
    path: Path,
    problems: ProblemCollector,
    known: Collection[str] | None = None,
    required: bool = True,
    needed: Collection[str] = (),
    empty_ok: bool = False,
) -> dict[str, Any]:
    """The top-level mapping of a YAML file; {} after recording why there is none.

    `known`: the top-level keys the file may have (None: any); `needed`: those it must have. A
    missing file is a problem when `required`; an empty one unless `empty_ok`.
    """
    if not path.exists():
        if required:
            problems.add(path, None, None, "file not found")
        return {}
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(path, None, None, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")
        return {}
    except OSError as exc:
        problems.add(path, None, None, f"cannot be read: {exc.strerror or exc}")
        return {}
    try:
        data, findings = load_yaml_text(text)
    except yaml.YAMLError as exc:
        problems.add(path, None, None, f"not valid YAML: {exc}")
        return {}
    except RecursionError:
        problems.add(path, None, None, "nested too deeply to be site data")
        return {}
    for where, message in findings:
        problems.add(path, *locate(where), message)
    if findings:
        return {}
    if data is None:
        if not empty_ok:
            problems.add(
                path,
                None,
                None,
                "the file is empty; nothing in it can be read (was it cut short or cleared?)",
            )
        return {}
    if not isinstance(data, dict):
        problems.add(path, None, None, f"must be a YAML mapping at the top level, not {type_name(data)}")
        return {}
    if known is not None:
        check_fields(data, known, path, None, "", problems)
    for key in needed:
        if key not in data:
            problems.add(path, None, key, "missing: the file must have this key")
    return data


def read_section(raw: dict[str, Any], key: str, path: Path, problems: ProblemCollector) -> dict[str, Any]:
    """The mapping under `key` of a file's top level; {} when absent or empty, or after recording why not."""
    section = raw.get(key)
    if section is None:
        return {}
    if not isinstance(section, dict):
        problems.add(path, None, key, f"must be a mapping, not {type_name(section)}")
        return {}
    return section


def read_list(raw: dict[str, Any], key: str, path: Path, problems: ProblemCollector, site=None) -> list:
    """The list under `key` of a mapping; [] when absent, or after recording why it is no list."""
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(path, site, key, f"must be a list, not {type_name(value)}")
        return []
    return value


def load_departments(paths: Paths, problems: ProblemCollector) -> list[Department]:
    raw = read_yaml(paths.sites, problems, SITES_FILE_FIELDS, needed=("departments",))
    departments: list[Department] = []
    seen_slugs: dict[str, str] = {}
    for position, entry in enumerate(read_list(raw, "departments", paths.sites, problems), 1):
        label = f"department #{position}"
        if not isinstance(entry, dict):
            problems.add(
                paths.sites, label, None, f"each department must be a mapping, not {type_name(entry)}"
            )
            continue
        name = entry.get("name_vi")
        slug = entry.get("slug")
        if not isinstance(name, str) or not name.strip():
            problems.add(paths.sites, label, "name_vi", "missing department name")
            continue
        check_fields(entry, DEPARTMENT_FIELDS, paths.sites, name, "", problems)
        if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
            problems.add(paths.sites, name, "slug", f"{slug!r} must be lower-case ASCII with underscores")
            continue
        if slug in seen_slugs:
            problems.add(paths.sites, name, "slug", f"duplicate slug {slug!r} (also {seen_slugs[slug]})")
            continue
        seen_slugs[slug] = name
        if not isinstance(entry.get("sites"), list) or not entry["sites"]:
            problems.add(paths.sites, name, "sites", "a department needs a non-empty list of sites")
        number = entry.get("number", position)
        if not isinstance(number, int) or isinstance(number, bool):
            problems.add(paths.sites, name, "number", f"{number!r} is not a row number")
        truncated = entry.get("truncated_in_source", False)
        if not isinstance(truncated, bool):
            problems.add(paths.sites, name, "truncated_in_source", f"{truncated!r} is not true or false")
        departments.append(
            Department(
                number=number,
                name_vi=name,
                slug=slug,
                truncated_in_source=truncated is True,
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
    entries = raw.get("departments")
    for entry in entries if isinstance(entries, list) else []:
        slug = entry.get("slug") if isinstance(entry, dict) else None
        department = by_slug.get(slug) if isinstance(slug, str) else None
        if department is None or not isinstance(entry.get("sites"), list):
            continue
        for index, site_entry in enumerate(entry["sites"], 1):
            if isinstance(site_entry, str) and site_entry.strip():
                name, host_slug = site_entry, slugify(site_entry)
            elif isinstance(site_entry, dict) and isinstance(site_entry.get("name_vi"), str):
                # A site may pin its host name explicitly: {name_vi: ..., slug: ...}
                name, host_slug = (
                    site_entry["name_vi"],
                    site_entry.get("slug") or slugify(site_entry["name_vi"]),
                )
                check_fields(site_entry, SITE_ENTRY_FIELDS, paths.sites, name, "", problems)
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
    raw = read_yaml(paths.base_servers, problems, BASE_SERVERS_FILE_FIELDS, needed=("regions",))
    by_slug = {department.slug: department for department in departments}
    regions: list[Region] = []
    for position, entry in enumerate(read_list(raw, "regions", paths.base_servers, problems), 1):
        label = f"region #{position}"
        if not isinstance(entry, dict):
            problems.add(paths.base_servers, label, None, f"must be a mapping, not {type_name(entry)}")
            continue
        slug = entry.get("slug")
        if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
            problems.add(
                paths.base_servers,
                label,
                "slug",
                f"{slug!r} is not a region slug (lower-case ASCII with underscores)",
            )
            continue
        label = f"region {slug}"
        check_fields(entry, REGION_FIELDS, paths.base_servers, label, "", problems)
        if any(region.slug == slug for region in regions):
            problems.add(paths.base_servers, None, "slug", f"duplicate region slug {slug!r}")
            continue
        data_centre = entry.get("data_centre_vi", "")
        if not isinstance(data_centre, str):
            problems.add(paths.base_servers, label, "data_centre_vi", f"{data_centre!r} is not a name")
            data_centre = ""
        region = Region(slug=slug, data_centre_vi=data_centre, departments=[])
        for row_position, row in enumerate(read_list(entry, "rows", paths.base_servers, problems, label)):
            if not isinstance(row, dict):
                problems.add(
                    paths.base_servers,
                    label,
                    f"rows[{row_position}]",
                    f"must be a mapping, not {type_name(row)}",
                )
                continue
            row_name = row.get("name_vi")
            if not isinstance(row_name, str) or not row_name.strip():
                problems.add(
                    paths.base_servers, label, f"rows[{row_position}].name_vi", "missing department name"
                )
                continue
            check_fields(row, REGION_ROW_FIELDS, paths.base_servers, row_name, "", problems)
            if "number" in row and (not isinstance(row["number"], int) or isinstance(row["number"], bool)):
                problems.add(paths.base_servers, row_name, "number", f"{row['number']!r} is not a row number")
            if not isinstance(row.get("alias", False), bool):
                problems.add(paths.base_servers, row_name, "alias", f"{row['alias']!r} is not true or false")
            target = row.get("department")
            if target is None or not departments:
                # A department that already has DHCP servers: nothing to place (or sites.yml could
                # not be read, and was reported: nothing to place against).
                continue
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
    for department in departments if raw else []:  # an unreadable file was reported
        if department.region is None:
            problems.add(
                paths.base_servers,
                department.name_vi,
                "department",
                f"cannot place department {department.slug!r} in any base-server region: "
                "add its Appendix III row (with an alias if Appendix III names it differently)",
            )
    return regions
