#!/bin/sh
# Finishes the debootstrapped root filesystem; runs inside it (chroot) before `podman import`.
set -eu

# Package sources for the scenarios that install what they test (Kea, isc-dhcp-relay, Samba,
# vsftpd): the release plus its updates and security suites.
rm -f /etc/apt/sources.list
cat >/etc/apt/sources.list.d/debian.sources <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES

# Unattended apt runs would take the dpkg lock in the middle of a scenario's install.
for unit in apt-daily.timer apt-daily-upgrade.timer; do
    ln -sf /dev/null "/etc/systemd/system/$unit"
done

# Every container gets its own machine id at boot; podman provides hostname and resolv.conf.
: >/etc/machine-id
rm -f /var/lib/dbus/machine-id /etc/hostname /etc/resolv.conf

apt-get clean
rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log /var/cache/debconf/*-old
# No package lists: a scenario runs `apt-get update` (ansible.builtin.apt with update_cache) first.
# Dated 1970 so that cache_valid_time never takes the empty lists for a fresh update.
touch -d @0 /var/lib/apt/lists
