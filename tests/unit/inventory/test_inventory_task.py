"""`./run inventory`: nothing is written on bad input; --check catches a stale ledger or snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.sitedata import (
    Paths,
    build_inventory,
    load_site_data,
)

from tasklib.sites import refresh_inventory

ROOT = Path(__file__).resolve().parents[3]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_the_shipped_admin_files_are_valid():
    # The one test that reads inventory/: whatever values an admin has written there, they must
    # load. What they contain, and whether the ledger and snapshot are current, is not tested
    # here (`./run test` runs `./run inventory --check` for that).
    build_inventory(load_site_data(Paths.in_inventory_dir(ROOT / "inventory")))


def test_the_frozen_inventory_is_current(frozen_inventory):
    refresh_inventory(frozen_inventory, check=True)


@pytest.mark.parametrize("name", ["sites.yml", "base_servers.yml"])
def test_the_frozen_inventory_has_the_shipped_transcriptions(frozen_inventory, name):
    assert read(frozen_inventory / "data" / name) == read(ROOT / "inventory" / "data" / name)


@pytest.mark.fault
def test_bad_input_writes_nothing(inventory_copy, capsys):
    ledger = inventory_copy / "data" / "address_ledger.yml"
    snapshot = inventory_copy / "snapshot.yml"
    data = yaml.safe_load(read(ledger))
    del data["allocations"]["lao-cai-cchq-ck-bat-xat"]  # would be allocated again on a good run
    ledger.write_text(yaml.safe_dump(data), encoding="utf-8")
    overrides = inventory_copy / "site_overrides.yml"
    overrides.write_text(read(overrides).replace("198.19.48.53", "198.19.48.530"), encoding="utf-8")
    before = (read(ledger), read(snapshot))
    with pytest.raises(SystemExit) as exited:
        refresh_inventory(inventory_copy)
    assert exited.value.code == 1
    assert "field 'dns_servers[0]': '198.19.48.530' is not a valid IPv4 address" in capsys.readouterr().err
    assert (read(ledger), read(snapshot)) == before


def test_check_reports_a_missing_allocation_and_changes_nothing(inventory_copy, capsys):
    ledger = inventory_copy / "data" / "address_ledger.yml"
    data = yaml.safe_load(read(ledger))
    removed = data["allocations"].pop("lao-cai-cchq-ck-bat-xat")
    ledger.write_text(yaml.safe_dump(data), encoding="utf-8")
    before = read(ledger)
    with pytest.raises(SystemExit):
        refresh_inventory(inventory_copy, check=True)
    assert "1 site(s) without a recorded subnet" in capsys.readouterr().err
    assert read(ledger) == before
    refresh_inventory(inventory_copy)
    assert yaml.safe_load(read(ledger))["allocations"]["lao-cai-cchq-ck-bat-xat"] == removed
    refresh_inventory(inventory_copy, check=True)


def test_check_reports_a_stale_snapshot(inventory_copy, capsys):
    snapshot = inventory_copy / "snapshot.yml"
    snapshot.write_text(read(snapshot).replace("Linh Trung 3", "Linh Trung"), encoding="utf-8")
    with pytest.raises(SystemExit):
        refresh_inventory(inventory_copy, check=True)
    assert "snapshot.yml is not current" in capsys.readouterr().err
    refresh_inventory(inventory_copy)
    assert "Chi cục Hải quan Linh Trung 3" in read(snapshot)


def empty(text: str) -> str:
    return ""


def comments_only(text: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))


def misspelt_sites(text: str) -> str:
    return text.replace("\nsites:\n", "\nsite:\n")


def site_listed_twice(text: str) -> str:
    return text.replace(
        "\nbase_servers:", "  bac-ninh-cchq-tien-son:\n    subnet: 198.18.9.0/24\n\nbase_servers:"
    )


def sites_a_number(text: str) -> str:
    return text.replace("\nsites:\n", "\nsites: 5\nold_sites:\n")


def with_aliases(text: str) -> str:
    return text.replace(
        "  dns_servers: [198.19.48.53]", "  dns_servers: &dns [198.19.48.53]\n  domain_name: *dns"
    )


BROKEN_OVERRIDES = [
    (empty, "site_overrides.yml: the file is empty"),
    (comments_only, "site_overrides.yml: the file is empty"),
    (misspelt_sites, "site_overrides.yml: field 'site': unknown field"),
    (
        site_listed_twice,
        "site_overrides.yml: site bac-ninh-cchq-tien-son: key 'bac-ninh-cchq-tien-son' is written twice",
    ),
    (sites_a_number, "site_overrides.yml: field 'sites': must be a mapping, not a number"),
    (with_aliases, "site_overrides.yml: line 7: the alias *dns repeats a value (anchored on line 6)"),
]


@pytest.mark.fault
@pytest.mark.parametrize(
    ("breakage", "expected"), BROKEN_OVERRIDES, ids=[breakage.__name__ for breakage, _ in BROKEN_OVERRIDES]
)
def test_refused_overrides_write_no_allocation_that_outlives_them(inventory_copy, capsys, breakage, expected):
    # Without its overrides a site with its own subnet would take one from the pool, and the
    # ledger would keep that allocation after the file is put back.
    overrides = inventory_copy / "site_overrides.yml"
    ledger = inventory_copy / "data" / "address_ledger.yml"
    snapshot = inventory_copy / "snapshot.yml"
    original = read(overrides)
    before = (read(ledger), read(snapshot))
    overrides.write_text(breakage(original), encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        refresh_inventory(inventory_copy)
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert (read(ledger), read(snapshot)) == before
    overrides.write_text(original, encoding="utf-8")
    refresh_inventory(inventory_copy, check=True)
    assert (read(ledger), read(snapshot)) == before


@pytest.mark.fault
def test_a_missing_overrides_file_writes_nothing(inventory_copy, capsys):
    ledger = inventory_copy / "data" / "address_ledger.yml"
    before = read(ledger)
    (inventory_copy / "site_overrides.yml").unlink()
    with pytest.raises(SystemExit):
        refresh_inventory(inventory_copy)
    assert "site_overrides.yml: file not found" in capsys.readouterr().err
    assert read(ledger) == before


@pytest.mark.fault
def test_a_warning_is_printed_and_stops_nothing(inventory_copy, capsys):
    overrides = inventory_copy / "site_overrides.yml"
    overrides.write_text(read(overrides).replace("ip: 198.18.5.2,", "ip: 10.255.0.5,"), encoding="utf-8")
    refresh_inventory(inventory_copy)
    assert (
        "warning: site_overrides.yml: site bac-ninh-cchq-tien-son: field 'switch.ip': 10.255.0.5 is outside "
        "every subnet of the site"
    ) in capsys.readouterr().err
    assert "ansible_host: 10.255.0.5" in read(inventory_copy / "snapshot.yml")
