"""The allocator's index of claimed address space answers as the pairwise overlap test does."""

from __future__ import annotations

import random

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.sitedata.allocation import TakenSpace
from netaddr import IPNetwork


def _naive(candidate: IPNetwork, claimed: list[IPNetwork]) -> bool:
    return any(candidate in taken or taken in candidate for taken in claimed)


def test_overlaps_agrees_with_the_pairwise_test():
    chooser = random.Random(833)
    claimed = [
        IPNetwork(f"198.18.{chooser.randrange(256)}.{chooser.randrange(256)}/{prefix}").cidr
        for prefix in [chooser.choice((16, 20, 21, 23, 24, 24, 24, 25, 28)) for _ in range(60)]
    ]
    space = TakenSpace()
    for network in claimed:
        space.add(network)
    candidates = [IPNetwork(f"198.{18 + chooser.randrange(2)}.{third}.0/24") for third in range(256)]
    answers = [space.overlaps(candidate) for candidate in candidates]
    assert answers == [_naive(candidate, claimed) for candidate in candidates]
    assert True in answers and False in answers


def test_edges_of_a_claimed_network():
    space = TakenSpace()
    space.add(IPNetwork("10.20.0.0/23"))
    space.add(IPNetwork("10.30.5.128/25"))
    assert space.overlaps(IPNetwork("10.20.1.0/24"))
    assert not space.overlaps(IPNetwork("10.20.2.0/24"))
    assert not space.overlaps(IPNetwork("10.19.255.0/24"))
    assert space.overlaps(IPNetwork("10.30.5.0/24"))  # holds the /25
    assert not space.overlaps(IPNetwork("10.30.6.0/24"))
    # IPv6 never overlaps an IPv4 candidate, as netaddr's containment says.
    space.add(IPNetwork("2001:db8::/32"))
    assert not space.overlaps(IPNetwork("10.40.0.0/24"))
