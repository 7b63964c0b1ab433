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
