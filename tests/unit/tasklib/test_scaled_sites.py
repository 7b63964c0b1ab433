"""Synthetic fleets for the benchmarks (tasklib/sites.py): N times the departments, written into a
folder of their own from the frozen inventory, which is only read."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from tasklib.sites import build_inventory, load_site_data, plugin_paths, scaled_site_data, write_scaled_sites


def _digest(folder) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_scaled_copies_keep_the_sites_and_get_their_own_department_and_pool(frozen_inventory):
    loaded = [
        yaml.safe_load((frozen_inventory / "data" / name).read_text(encoding="utf-8"))
        for name in ("sites.yml", "base_servers.yml", "address_pools.yml")
    ]
    sites, base_servers, pools = scaled_site_data(*loaded, factor=3)
    originals = loaded[0]["departments"]
    assert len(sites["departments"]) == 3 * len(originals)
    first = originals[0]
    copies = [item for item in sites["departments"] if item["slug"].startswith(f"{first['slug']}_s")]
    assert [item["slug"] for item in copies] == [f"{first['slug']}_s2", f"{first['slug']}_s3"]
    assert all(item["sites"] == first["sites"] for item in copies)
    numbers = [item["number"] for item in sites["departments"]]
    assert len(set(numbers)) == len(numbers)
    # Each copy is in its original's region, with a pool of its own outside the real ones.
    region = next(
        region
        for region in base_servers["regions"]
        if any(row["department"] == first["slug"] for row in region["rows"])
    )
    assert {f"{first['slug']}_s2", f"{first['slug']}_s3"} <= {row["department"] for row in region["rows"]}
    assert pools["pools"][f"{first['slug']}_s2"] != pools["pools"][f"{first['slug']}_s3"]
    copied = [slug for slug in pools["pools"] if slug not in loaded[2]["pools"]]
    assert len(copied) == 2 * len(originals)
    assert all(pool.startswith("100.") for slug in copied for pool in pools["pools"][slug])
    # The input is not changed.
    assert len(loaded[0]["departments"]) == len(originals)


def test_write_scaled_sites_builds_a_valid_inventory_and_reads_the_real_files_only(
    frozen_inventory, tmp_path
):
    before = _digest(frozen_inventory)
    config = write_scaled_sites(4, tmp_path / "fleet", frozen_inventory)
    assert _digest(frozen_inventory) == before
    real = build_inventory(load_site_data(plugin_paths(frozen_inventory / "vnaccs.sites.yml")))
    scaled = build_inventory(load_site_data(plugin_paths(config)))
    assert len(scaled.groups["dhcp_servers"]) == 4 * len(real.groups["dhcp_servers"])
    assert scaled.groups["base_servers"] == real.groups["base_servers"]
    subnets = [scaled.hosts[host]["site_subnet"] for host in scaled.groups["dhcp_servers"]]
    assert len(set(subnets)) == len(subnets)
    assert (tmp_path / "fleet" / "group_vars").resolve() == (frozen_inventory / "group_vars").resolve()


@pytest.mark.parametrize("factor", [0, 65])
def test_the_factor_is_bounded(frozen_inventory, factor):
    with pytest.raises(ValueError, match="1 to 64"):
        scaled_site_data({"departments": []}, {"regions": []}, {"pools": {}}, factor)
