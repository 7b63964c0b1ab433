# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The address ledger (data/address_ledger.yml): the committed record of the /24 given to each site."""

from __future__ import annotations

import re
from pathlib import Path

from .addresses import parse_subnet
from .fields import LEDGER_FILE_FIELDS
from .loading import read_section, read_yaml
from .problems import ProblemCollector
from .records import Paths, SiteData

_HOST = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def load_ledger(paths: Paths, problems: ProblemCollector) -> dict[str, str]:
    """Recorded allocations, host name to CIDR; a missing ledger is an empty one."""
    raw = read_yaml(paths.ledger, problems, LEDGER_FILE_FIELDS, required=False, needed=("allocations",))
    ledger: dict[str, str] = {}
    for host, cidr in read_section(raw, "allocations", paths.ledger, problems).items():
        if not isinstance(host, str) or not _HOST.fullmatch(host):
            problems.add(paths.ledger, str(host), "allocations", f"{host!r} is not a site host name")
        elif parse_subnet(cidr, paths.ledger, host, "allocations", problems) is not None:
            ledger[host] = cidr
    return ledger


def write_ledger(data: SiteData, path: Path | None = None) -> bool:
    """Write the ledger with new allocations added; return whether the file changed."""
    path = path or data.paths.ledger
    order = {site.host: position for position, site in enumerate(data.sites)}
    merged = data.ledger_after_allocation()
    hosts = sorted(merged, key=lambda host: (order.get(host, len(order)), host))
    lines = [
        "---",
        "# Address ledger: the /24 given to each site that has no subnet in site_overrides.yml.",
        "# Written by `./run inventory`; commit it. An entry is never moved or reused by the",
        "# allocator; delete one by hand only when that site's subnet is really given back.",
        "allocations:",
    ]
    lines += [f"  {host}: {merged[host]}" for host in hosts] if hosts else ["  {}"]
    text = "\n".join(lines) + "\n"
    if hosts == []:
        text = text.replace("allocations:\n  {}", "allocations: {}")
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if old == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
