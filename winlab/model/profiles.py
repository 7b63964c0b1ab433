"""The Windows versions winlab can stand in for, and what differs between them.

Version banners and build numbers are general knowledge of these releases, not sourced in the
reference [U]: 5.2.3790 (Server 2003 SP2), 6.0.6002 (Server 2008 SP2), 5.1.2600 (XP SP3), 6.1.7601 (7 SP1).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    key: str
    os_name: str
    version: str
    build: str
    service_pack: str
    server: bool
    # NT 5.x (2003, XP) and NT 6.x (2008, 7) differ in most of the command layouts modeled here.
    nt6: bool
    system_root: str
    ver_banner: str

    @property
    def family(self) -> str:
        return "nt6" if self.nt6 else "nt5"


PROFILES: dict[str, Profile] = {
    "2003": Profile(
        key="2003",
        os_name="Microsoft(R) Windows(R) Server 2003, Standard Edition",
        version="5.2.3790",
        build="3790",
        service_pack="Service Pack 2",
        server=True,
        nt6=False,
        system_root="C:\\WINDOWS",
        ver_banner="Microsoft Windows [Version 5.2.3790]",
    ),
    "2008": Profile(
        key="2008",
        os_name="Microsoft® Windows Server® 2008 Standard",
        version="6.0.6002",
        build="6002",
        service_pack="Service Pack 2",
        server=True,
        nt6=True,
        system_root="C:\\Windows",
        ver_banner="Microsoft Windows [Version 6.0.6002]",
    ),
    "xp": Profile(
        key="xp",
        os_name="Microsoft Windows XP Professional",
        version="5.1.2600",
        build="2600",
        service_pack="Service Pack 3",
        server=False,
        nt6=False,
        system_root="C:\\WINDOWS",
        ver_banner="Microsoft Windows XP [Version 5.1.2600]",
    ),
    "7": Profile(
        key="7",
        os_name="Microsoft Windows 7 Professional",
        version="6.1.7601",
        build="7601",
        service_pack="Service Pack 1",
        server=False,
        nt6=True,
        system_root="C:\\Windows",
        ver_banner="Microsoft Windows [Version 6.1.7601]",
    ),
}


def get_profile(key: str) -> Profile:
    try:
        return PROFILES[str(key).lower()]
    except KeyError:
        raise ValueError(f"unknown winlab profile {key!r}; choose one of {', '.join(PROFILES)}") from None
