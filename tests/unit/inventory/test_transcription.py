"""The Appendix III and IV transcriptions match the source text, row for row."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "inventory" / "data"
SOURCES = ROOT / "docs" / "sources"
SEED = ROOT.parent / "shared" / "seeds" / "001_42d591e49c0d4b0f.txt"


def load(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def flatten_appendix_iv(data: dict) -> str:
    """Rebuild the source's flattened table: 'Stt Địa điểm triển khai 1 <Cục> 1 <site> 2 <site> ...'."""
    parts = []
    for department in data["departments"]:
        parts.append(f"{department['number']} {department['name_vi']}")
        parts += [f"{index} {site}" for index, site in enumerate(department["sites"], 1)]
    return " Stt Địa điểm triển khai " + " ".join(parts) + " - \n"


def flatten_appendix_iii(data: dict) -> str:
    parts = []
    for region in data["regions"]:
        for position, row in enumerate(region["rows"]):
            lead = f"{region['data_centre_vi']} " if position == 0 else ""
            parts.append(f"{row['number']}. {lead}{row['name_vi']}")
    return "STT Tên TTDL vùng Phạm vi quản lý " + " ".join(parts) + " \n"


def test_appendix_iv_rebuilds_the_source_line_exactly():
    source = (SOURCES / "833_appendix_iv_site_list.txt").read_text(encoding="utf-8")
    assert flatten_appendix_iv(load("sites.yml")) == source


def test_appendix_iii_rebuilds_the_source_table_exactly():
    source = (SOURCES / "833_appendix_iii_base_servers.txt").read_text(encoding="utf-8")
    assert flatten_appendix_iii(load("base_servers.yml")) == source


@pytest.mark.skipif(not SEED.exists(), reason="the source documents are not beside this checkout")
def test_source_excerpts_are_verbatim_lines_of_decision_833():
    lines = SEED.read_text(encoding="utf-8").splitlines(keepends=True)
    assert (SOURCES / "833_appendix_iv_site_list.txt").read_text(encoding="utf-8") in lines
    table = (SOURCES / "833_appendix_iii_base_servers.txt").read_text(encoding="utf-8")
    assert any(
        line.endswith(table) and line.startswith("Địa điểm cài đặt các máy chủ vùng") for line in lines
    )


def test_department_and_site_counts():
    departments = load("sites.yml")["departments"]
    assert len(departments) == 34
    assert sum(len(department["sites"]) for department in departments) == 152
    counts = {department["slug"]: len(department["sites"]) for department in departments}
    assert counts["cao_bang"] == 9
    assert counts["an_giang"] == 11
    assert counts["ba_ria_vung_tau"] == 8
    assert counts["lang_son"] == 1
    assert counts["ho_chi_minh"] == 4
    assert [department["number"] for department in departments] == list(range(1, 35))


@pytest.mark.parametrize(
    ("slug", "position", "name"),
    [
        ("lao_cai", 3, "Trạm KS Km6 Bản Phiệt (Kim Thành cũ)"),
        ("cao_bang", 2, "Chi cục Hải quan cửa khẩu Tà lùng - Đội nghiệp vụ số 2"),
        ("cao_bang", 6, "Chi cục Hải quan Bí Hà 2 (Lý Vạn)"),
        ("nghe_an", 2, "Đội Kiểm soát Hải quan số 1"),
        ("ha_noi", 3, "Doi thu tuc 26 Pham Van Dong"),
        ("quang_ninh", 3, "Trạm KS Liên hợp Km15 - Dân Tiến"),
        ("tay_ninh", 4, "Chi cục Hải quan Linh Trung 3"),
        ("an_giang", 11, "Đội Kiểm soát Hải quan số 2"),
        ("ho_chi_minh", 1, "Chi cục HQ cảng CSG KV4-ICD Phước Long 3"),
        ("ho_chi_minh", 4, "Chi cục HQ Hiệp Phước"),
    ],
)
def test_tricky_names_are_whole(slug, position, name):
    department = next(d for d in load("sites.yml")["departments"] if d["slug"] == slug)
    assert department["sites"][position - 1] == name


def test_only_the_last_department_is_marked_cut_off():
    departments = load("sites.yml")["departments"]
    assert [d["slug"] for d in departments if d.get("truncated_in_source")] == ["ho_chi_minh"]


def test_appendix_iii_has_ten_data_centres_and_places_every_department_once():
    regions = load("base_servers.yml")["regions"]
    assert len(regions) == 10
    placed = [row["department"] for region in regions for row in region["rows"]]
    slugs = [department["slug"] for department in load("sites.yml")["departments"]]
    assert sorted(placed) == sorted(slugs)
    tong_cuc = next(region for region in regions if region["slug"] == "tong_cuc")
    assert len(tong_cuc["rows"]) == 8


def test_lai_chau_is_an_explicit_alias_of_dien_bien():
    rows = [row for region in load("base_servers.yml")["regions"] for row in region["rows"]]
    aliased = [row for row in rows if row.get("alias")]
    assert aliased == [{"number": 10, "name_vi": "Cục HQ Lai Châu", "department": "dien_bien", "alias": True}]
