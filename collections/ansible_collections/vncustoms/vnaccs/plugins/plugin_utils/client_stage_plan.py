# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a base server holds of the client releases, read in one probe (Decision 833, Article 9).

The base_server role lays out `<root>\\ClientUpgrades\\<version>\\` (served by FTP and the
VNACCS_CLIENT share); a staged version is its installer and its manifest. Whether the installer
is whole is checked on the server with a tool that version has:

* Server 2008 (NT 6): `certutil -hashfile FILE SHA256`;
* Server 2003 has no SHA-2 tool (SHA-2 came to 2003 SP2 only as hotfix KB938397/KB968730, and
  certutil's -hashfile verb is not there [U]): `dir` gives the size, and right after an upload
  the controller reads the file back over the server's own FTP service and hashes it.

So on a re-run a 2008 server's copy is hashed again; a 2003 server's copy is judged by its size
and the manifest written beside it after a verified upload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_release import (
    MANIFEST,
    Release,
    ReleaseError,
    parse_manifest_text,
    version_key,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import PlanError, ReadOnlyPlan
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_output import (
    parse_certutil_hash,
    parse_dir_file_size,
    probe_head,
    probe_section,
    split_sections,
)

DEFAULT_LOCAL_FOLDER = r"C:\VNACCS\Base\ClientUpgrades"
DEFAULT_FTP_FOLDER = "/ClientUpgrades"
_LOCAL = re.compile(r"^[A-Za-z]:\\[A-Za-z0-9_.$\\-]*$")
_FTP = re.compile(r"^/[A-Za-z0-9_./$-]*$")


@dataclass(frozen=True)
class StageWanted:
    release: Release
    local_folder: str = DEFAULT_LOCAL_FOLDER
    ftp_folder: str = DEFAULT_FTP_FOLDER
    keep: int = 2

    @property
    def local_file(self) -> str:
        return f"{self.local_folder}\\{self.release.version}\\{self.release.file}"

    def ftp_path(self, version: str, name: str = "") -> str:
        base = f"{self.ftp_folder.rstrip('/')}/{version}"
        return f"{base}/{name}" if name else base


def check_stage(wanted: StageWanted) -> StageWanted:
    if not _LOCAL.match(wanted.local_folder):
        raise PlanError(f"local_folder: {wanted.local_folder!r} must be a local path without spaces")
    if not _FTP.match(wanted.ftp_folder) or ".." in wanted.ftp_folder:
        raise PlanError(f"ftp_folder: {wanted.ftp_folder!r} must be an FTP path such as /ClientUpgrades")
    if wanted.keep < 1:
        raise PlanError(f"keep: {wanted.keep} must be at least 1 (the version being staged)")
    return wanted


@dataclass
class Staged:
    computer: str = ""
    versions: list[str] = field(default_factory=list)
    # The target version's manifest on the server, if it is there and reads as one.
    manifest: Release | None = None
    manifest_problem: str = ""
    sha256: str | None = None
    size: int | None = None


class StagedPlan(ReadOnlyPlan):
    """The versions on a base server, and whether the target version is there whole."""

    def __init__(self, wanted: StageWanted, family: str) -> None:
        self.wanted = wanted
        self.nt6 = family in ("2008", "7")

    def sections(self) -> list[tuple[str, str]]:
        """The probe's sections (name, command): the version folders, the target's manifest, and
        its installer's SHA-256 (2008) or size (2003). The daily check runs them too."""
        wanted, version = self.wanted, self.wanted.release.version
        check = f"certutil -hashfile {wanted.local_file} SHA256" if self.nt6 else f"dir {wanted.local_file}"
        return [
            ("folders", f"dir /b {wanted.local_folder} 2>nul"),
            ("manifest", f"type {wanted.local_folder}\\{version}\\{MANIFEST} 2>nul"),
            ("file", f"{check} 2>nul"),
        ]

    def probe_command(self) -> str:
        parts = ["hostname"]
        for name, command in self.sections():
            parts += probe_section(name, command)
        return "&".join(parts)

    def parse_probe(self, stdout: str) -> Staged:
        sections = split_sections(stdout)
        return self.state_from(sections, probe_head(sections))

    def state_from(self, sections: dict[str, str], computer: str = "") -> Staged:
        """The state from the sections' outputs (by the names of `sections()`)."""
        state = Staged(computer=computer)
        names = {line.strip() for line in sections.get("folders", "").splitlines()}
        state.versions = sorted((name for name in names if version_key(name) > (-1,)), key=version_key)
        text = sections.get("manifest", "").strip()
        if text:
            try:
                state.manifest = parse_manifest_text(text, MANIFEST)
            except ReleaseError as error:
                state.manifest_problem = str(error)
        if self.nt6:
            state.sha256 = parse_certutil_hash(sections.get("file", ""))
        else:
            state.size = parse_dir_file_size(sections.get("file", ""), self.wanted.release.file)
        return state

    def whole(self, state: Staged) -> tuple[bool, str]:
        """Whether the target version is staged whole, and how that was judged (or why not)."""
        release = self.wanted.release
        if release.version not in state.versions:
            return False, "not staged"
        if state.manifest is None:
            return False, state.manifest_problem or "its manifest is missing"
        if state.manifest.as_dict() != release.as_dict():
            return False, "its manifest differs from the release's"
        if self.nt6:
            if state.sha256 is None:
                return False, "the installer is missing"
            if state.sha256 != release.sha256:
                return False, f"the installer's SHA-256 is {state.sha256}, not the manifest's"
            return True, "SHA-256 checked on the server (certutil)"
        if state.size is None:
            return False, "the installer is missing"
        if state.size != release.size:
            return False, f"the installer has {state.size} bytes, not the manifest's {release.size}"
        return True, "size checked on the server (dir), SHA-256 checked when it was staged"

    def result(self, state: Staged, steps: list) -> dict[str, Any]:
        whole, how = self.whole(state)
        return {"versions": state.versions, "staged": whole, "check": how}
