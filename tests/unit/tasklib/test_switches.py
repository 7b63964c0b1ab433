"""`invoke switches`: which switches the lab starts, and the overlay inventory it writes."""

from __future__ import annotations

from tasklib.switches import lab_specs, overlay

HOSTS = {
    "tien-son-sw": {
        "switch_transport": "ssh",
        "site_vlans": [
            {"id": 10, "interface": "Vlan10", "subnet": "198.18.6.0/24", "gateway": "198.18.6.1"},
            {"id": 20, "interface": "Vlan20", "subnet": "198.18.7.0/25", "gateway": "198.18.7.126"},
        ],
        "site_stale_helpers": ["198.18.5.99"],
    },
    "so-thuong-sw": {
        "switch_transport": "telnet",
        "site_vlans": [{"id": 30, "interface": "Vlan30", "subnet": "198.19.7.0/24", "gateway": "198.19.7.1"}],
    },
    "no-vlan-sw": {"site_vlans": []},
}


def test_one_switch_per_host_with_vlans_preloaded_with_svis_and_stale_helpers():
    specs = {spec.hostname: spec for spec in lab_specs(HOSTS)}

    assert set(specs) == {"tien-son-sw", "so-thuong-sw"}
    svis = specs["tien-son-sw"].svis
    assert [(svi.id, svi.address, svi.helpers) for svi in svis] == [
        (10, "198.18.6.1/24", ["198.18.5.99"]),
        (20, "198.18.7.126/25", ["198.18.5.99"]),
    ]
    assert specs["so-thuong-sw"].svis[0].helpers == []
    assert specs["tien-son-sw"].password != specs["so-thuong-sw"].password  # made up per switch


def test_overlay_points_each_host_at_the_port_of_its_transport():
    state = {
        "switches": [
            {"hostname": name, "ssh_port": 1000 + i, "telnet_port": 2000 + i, "username": "netops",
             "password": f"pw{i}", "enable_password": f"en{i}"}
            for i, name in enumerate(["tien-son-sw", "so-thuong-sw"])
        ]
    }  # fmt: skip

    hosts = overlay(state, HOSTS)["all"]["hosts"]

    assert hosts["tien-son-sw"] == {
        "ansible_host": "127.0.0.1",
        "ansible_port": 1000,
        "ansible_user": "netops",
        "ansible_password": "pw0",
        "ansible_become_password": "en0",
        "switch_transport": "ssh",
    }
    assert hosts["so-thuong-sw"]["ansible_port"] == 2001
    assert hosts["so-thuong-sw"]["switch_transport"] == "telnet"
