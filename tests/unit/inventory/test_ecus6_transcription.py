"""The Ecus6 addresses of the inventory are the letter's (docs/sources/497_chq_cntt_ecus6.txt)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.ecus6 import url_problem

ROOT = Path(__file__).resolve().parents[3]
LETTER = (ROOT / "docs" / "sources" / "497_chq_cntt_ecus6.txt").read_text(encoding="utf-8")
DATA = yaml.safe_load((ROOT / "inventory" / "group_vars" / "all.yml").read_text(encoding="utf-8"))


def address_after(label: str) -> str:
    match = re.search(re.escape(label) + r"\s*(\S+)", LETTER)
    assert match, label
    return match.group(1)


def test_the_officer_and_administrator_portals_are_the_letters():
    assert DATA["ecus6_officer_url"] == address_after(
        "Địa chỉ truy cập hệ thống Ecus6 dành cho cán bộ hải quan:"
    )
    assert DATA["ecus6_admin_url"] == address_after(
        "Địa chỉ truy cập hệ thống Ecus6 dành cho cán bộ quản trị:"
    )
    assert "Số: 497/CHQ-CNTT" in LETTER and "497/CHQ-CNTT" in DATA["ecus6_source"]["document"]


def test_the_addresses_are_ones_the_toolkit_can_write():
    for key in ("ecus6_officer_url", "ecus6_admin_url"):
        assert url_problem(DATA[key]) is None, key


def test_every_department_must_reach_it_unless_overridden():
    # Section 2 lists "Các Chi cục Hải quan khu vực" among the users: every regional branch.
    assert "- Các Chi cục Hải quan khu vực;" in LETTER
    assert DATA["ecus6_branch_check"] is True
