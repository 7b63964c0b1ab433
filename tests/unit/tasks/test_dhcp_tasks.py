"""The DHCP invoke tasks' reading of ansible-playbook's recap."""

from __future__ import annotations

from tasklib.playbooks import Recap

OUTPUT = """
TASK [dhcp_server : Install the DHCP Server ...] ****
ok: [bac-ninh-cchq-tien-son]

PLAY RECAP *********************************************************************
bac-ninh-cchq-tien-son     : ok=9    changed=0    unreachable=0    failed=0    skipped=2
dong-thap-cchq-ck-so-thuong : ok=9    changed=1    unreachable=0    failed=0    skipped=2
lao-cai-cchq-ck-bat-xat    : ok=2    changed=0    unreachable=1    failed=0    skipped=0
"""


def test_recap_is_read_host_by_host():
    recap = Recap.parse(OUTPUT)
    assert sorted(recap.hosts) == [
        "bac-ninh-cchq-tien-son",
        "dong-thap-cchq-ck-so-thuong",
        "lao-cai-cchq-ck-bat-xat",
    ]
    assert recap.total("changed") == 1
    assert recap.hosts_with("unreachable") == ["lao-cai-cchq-ck-bat-xat"]
    assert recap.summary() == "3 host(s): changed on 1, failed on 0, unreachable 1"
    assert recap.text.startswith("PLAY RECAP")


def test_no_recap_means_no_hosts():
    assert Recap.parse("ERROR! the playbook could not be read").hosts == {}
