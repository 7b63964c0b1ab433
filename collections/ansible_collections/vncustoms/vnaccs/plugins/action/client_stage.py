"""Action plugin vncustoms.vnaccs.client_stage (documentation: plugins/modules/client_stage.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, ClassVar

from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.account_guard import account_name
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_release import (
    MANIFEST,
    ReleaseError,
    kept_versions,
    load_release,
    verify_installer,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.client_stage_plan import (
    DEFAULT_FTP_FOLDER,
    DEFAULT_LOCAL_FOLDER,
    StagedPlan,
    StageWanted,
    check_stage,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.ftp_transfer import (
    FtpError,
    FtpLogonError,
    Transfer,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.region_slots import RegionBusy, RegionSlots
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_action import (
    WindowsAction,
)
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.windows_engine import PlanError, inspect_host
from ansible_collections.vncustoms.vnaccs.plugins.plugin_utils.winrm_command import WindowsSession


class ActionModule(WindowsAction):
    ARGUMENT_SPEC: ClassVar[dict[str, Any]] = {
        "version": {"type": "str", "required": True},
        "release_dir": {"type": "path", "required": True},
        "local_folder": {"type": "str", "default": DEFAULT_LOCAL_FOLDER},
        "ftp_folder": {"type": "str", "default": DEFAULT_FTP_FOLDER},
        "ftp_port": {"type": "int", "default": 21},
        "ftp_user": {"type": "str", "default": ""},
        "ftp_password": {"type": "str", "default": "", "no_log": True},
        "keep": {"type": "int", "default": 2},
        "max_bytes_per_minute": {"type": "int", "default": 0},
        "max_bytes_per_minute_by_region": {"type": "dict", "default": {}},
        "region": {"type": "str", "default": ""},
        "stage_slot_timeout": {"type": "float", "default": 3600.0},
        "ftp_timeout": {"type": "int", "default": 120},
    }

    def wanted(self, args: dict[str, Any]) -> StageWanted:
        self._args = args
        try:
            release = load_release(args["release_dir"], args["version"])
            # Refused before anything is copied anywhere: the installer must be the manifest's.
            self._installer = verify_installer(args["release_dir"], release)
        except ReleaseError as error:
            raise PlanError(f"version: {error}") from None
        self._pace = region_pace(args)
        return check_stage(
            StageWanted(release, args["local_folder"], args["ftp_folder"].rstrip("/") or "/", args["keep"])
        )

    def secrets(self) -> list[str]:
        return [self._args["ftp_password"]] if getattr(self, "_args", {}).get("ftp_password") else []

    def act(self, session: WindowsSession, wanted: StageWanted, host: str, result: dict[str, Any]) -> None:
        plan = StagedPlan(wanted, session.windows_family())
        try:
            result.update(self._stage(session, plan, self.settings, host))
        except FtpLogonError as error:
            result.update(failed=True, msg=str(error), authentication_failed=True, account_held=error.held)
        except FtpError as error:
            result.update(failed=True, msg=str(error))

    def _stage(self, session, plan: StagedPlan, settings, host: str) -> dict[str, Any]:
        wanted, args = plan.wanted, self._args
        release = wanted.release
        before = inspect_host(session, plan)
        on_server = list(before["versions"])
        kept, pruned = kept_versions(sorted({*on_server, release.version}), release.version, wanted.keep)
        pruned = [version for version in pruned if version in on_server]
        to_stage = not before["staged"]
        out: dict[str, Any] = {
            "changed": to_stage or bool(pruned),
            "version": release.version,
            "staged_before": before["staged"],
            "check": before["check"],
            "versions_before": on_server,
            "versions": kept,
            "pruned": pruned,
            "bytes_sent": 0,
            "bytes_read_back": 0,
            "transfers": [],
        }
        lines = []
        if to_stage:
            lines.append(
                f"put {release.file} ({release.size} bytes) and {MANIFEST} in "
                f"{wanted.ftp_path(release.version)} ({before['check']})"
            )
        lines += [f"remove {wanted.ftp_path(version)} (keep {wanted.keep} versions)" for version in pruned]
        if self._task.diff:
            out["diff"] = {
                "before": "versions: " + (", ".join(on_server) or "none") + "\n",
                "after": "versions: " + ", ".join(kept) + "\n",
                "before_header": f"{host} (on the base server)",
                "after_header": f"{host} (wanted)",
                "prepared": "\n".join(f"# {line}" for line in lines),
            }
        out["steps"] = lines
        if self._task.check_mode or not out["changed"]:
            out["msg"] = (
                "would change"
                if out["changed"] and self._task.check_mode
                else (
                    "changed"
                    if out["changed"]
                    else f"version {release.version} is staged whole ({before['check']})"
                )
            )
            return out
        user = args["ftp_user"] or settings.user
        ftp_password = args["ftp_password"] or settings.password
        account = account_name(
            settings.user if not args["ftp_user"] else user, f"{settings.address}:{settings.port}"
        )
        transfer = Transfer(host, settings.address, args["ftp_port"], float(args["ftp_timeout"]), self._pace)
        with (
            _stage_slot(args["region"], args["stage_slot_timeout"]),
            transfer.open(user, ftp_password, account, self.guard_class()),
        ):
            try:
                if to_stage:
                    folder = wanted.ftp_path(release.version)
                    transfer.make_folders(folder)
                    with open(self._installer, "rb") as stream:
                        transfer.upload(stream, wanted.ftp_path(release.version, release.file))
                    problem = self._verify(session, plan, transfer)
                    if problem:
                        transfer.remove_folder(folder)
                        raise FtpError(f"{host}: {problem}; the copy was removed")
                    transfer.upload_bytes(
                        release.manifest_text().encode("utf-8"), wanted.ftp_path(release.version, MANIFEST)
                    )
                for version in pruned:
                    transfer.remove_folder(wanted.ftp_path(version))
            finally:
                out["bytes_sent"], out["bytes_read_back"] = transfer.sent, transfer.received
                out["transfers"] = list(transfer.log)
        after = inspect_host(session, plan)
        if not after["staged"]:
            raise FtpError(
                f"{host}: after staging, version {release.version} is not there whole: {after['check']}"
            )
        out["versions"] = after["versions"]
        out["check"] = after["check"]
        out["msg"] = "changed"
        return out

    def _verify(self, session, plan: StagedPlan, transfer: Transfer) -> str:
        """Why the uploaded installer is not whole on the server, or ""."""
        release = plan.wanted.release
        if plan.nt6:
            state = plan.parse_probe(session.run(plan.probe_command()).stdout)
            if state.sha256 != release.sha256:
                return f"certutil on the server gives SHA-256 {state.sha256}, not the manifest's"
            return ""
        digest, size = transfer.sha256(plan.wanted.ftp_path(release.version, release.file))
        if digest != release.sha256 or size != release.size:
            return (
                f"read back over FTP: {size} bytes, SHA-256 {digest}; the manifest says "
                f"{release.size} bytes, {release.sha256}"
            )
        return ""


def region_pace(args: dict[str, Any]) -> int:
    """The upload's bytes a minute: the region's entry of `max_bytes_per_minute_by_region`, else
    `max_bytes_per_minute` (0: no limit); a bad value is an error naming the variable and region."""
    region = args.get("region") or ""
    by_region = args.get("max_bytes_per_minute_by_region") or {}
    name = f"max_bytes_per_minute_by_region.{region}" if region in by_region else "max_bytes_per_minute"
    value = by_region.get(region, args.get("max_bytes_per_minute") or 0)
    try:
        pace = int(value)
    except (TypeError, ValueError):
        raise PlanError(f"{name}: {value!r} is not a number of bytes") from None
    if isinstance(value, bool) or pace < 0:
        raise PlanError(f"{name}: {value!r} must be 0 (no limit) or more")
    return pace


@contextlib.contextmanager
def _stage_slot(region: str, timeout: float) -> Iterator[None]:
    """The region's one staging slot, held while bytes move to its base server, so that the region's
    link carries one paced upload at a time across forks, plays and runs on this controller."""
    if not region:
        yield
        return
    try:
        with RegionSlots().hold(f"stage_{region}", 1, timeout=timeout):
            yield
    except RegionBusy:
        raise PlanError(
            f"region {region}: another run kept staging to this region for {timeout:g} s; nothing was "
            "copied. Run again when it has finished (stage_slot_timeout waits longer)"
        ) from None
