#!/bin/sh
# Finishes the debootstrapped root filesystem of the DHCP client; runs inside it (chroot).
set -eu

# No DHCP client may start by itself at boot: the scenario runs dhclient when it wants a lease.
rm -f /etc/network/interfaces.d/* 2>/dev/null || true

# Every container gets its own machine id at boot; podman provides hostname and resolv.conf.
: >/etc/machine-id
rm -f /var/lib/dbus/machine-id /etc/hostname /etc/resolv.conf
# No lease of the build machine's: each run starts from none.
rm -f /var/lib/dhcp/*.leases

apt-get clean
rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log /var/cache/debconf/*-old
