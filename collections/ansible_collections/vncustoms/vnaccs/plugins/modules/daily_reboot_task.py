"""Documentation of the vncustoms.vnaccs.daily_reboot_task action plugin (code: plugins/action/)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: daily_reboot_task
short_description: Keep a scheduled task that restarts a Windows workstation daily, outside the quiet periods
description:
  - Decision 833, Article 23 has every workstation restarted daily, so that the customs client checks its base
    server at start-up and updates itself.
  - Keeps one scheduled task on the host, run as C(SYSTEM) every day at the host's restart time, that runs
    C(shutdown) to restart it after warning the logged-on user (O(warning_seconds), O(message)), with a
    planned reason code for the event log (O(reason)).
  - The host's restart time is O(time) plus a stable offset of 0 to O(spread_minutes) - 1 minutes computed
    from its inventory name, so a site's workstations do not all restart, and fetch the client update from
    their base server, in the same minute.
  - Before any host is contacted, refuses a window (O(time) to O(time) + O(spread_minutes) + the warning +
    O(settle_minutes)) that overlaps the peak hours (09:00-12:00, 14:00-17:00, Article 22) or the Sunday
    03:00-06:00 VNACCS maintenance (Article 20), in Asia/Ho_Chi_Minh time, and a warning that does not fit the
    limits of C(shutdown) and C(schtasks) on the host's version (the inventory's C(windows_version); every
    version's when it is not set).
  - Reads the task back (C(schtasks /query /fo csv /v)) and changes it only when it differs in its time,
    command, account, schedule or state; the command forms are those of the host's version, from the
    plugin's data (C(plugin_utils/restart_task_forms/*.yml)). Windows XP cannot replace a task in place (no
    C(/F)), so a task that differs is deleted, then created.
  - Reads the host's last start (C(net statistics workstation)), for the daily check "restarted within the
    last 26 hours"; O(check_only=true) only reads.
  - A host a change left needing a restart (exit code 3010 or 1641), recorded in the controller's
    restart-pending list, is reported (RV(restart_pending)) and never restarted by this plugin; it is taken
    off the list once it has started since.
version_added: 0.1.0
author:
  - Vietnam Customs IT
extends_documentation_fragment:
  - vncustoms.vnaccs.windows_connection
options:
  state:
    description: Whether the task is there (V(present)) or not (V(absent)).
    type: str
    choices: [present, absent]
    default: present
  name:
    description: Name of the scheduled task (letters, digits, C(_ . -)), in the root task folder.
    type: str
    default: VNACCS-DailyRestart
  time:
    description:
      - The first restart time of the day, C(HH:MM) in 24-hour Asia/Ho_Chi_Minh time. Required with
        O(state=present).
      - Each host restarts at this time plus its own offset (O(spread_minutes)).
    type: str
  spread_minutes:
    description: How many minutes the hosts' restart times are spread over (0 restarts every host at O(time)).
    type: int
    default: 0
  warning_seconds:
    description:
      - How long the logged-on user is warned before the restart (C(shutdown /t)).
      - At most 600 on Windows XP, 2003 and 2008; 315360000 on Windows 7.
    type: int
    default: 300
  settle_minutes:
    description: Minutes a restart and the client's update at start-up take; the end of the window that must
      lie outside the quiet periods.
    type: int
    default: 10
  message:
    description:
      - The warning shown to the logged-on user and kept as the comment of the restart in the event log.
      - Empty for the default, in Vietnamese, that says the workstation restarts in N minutes to update the
        customs software and asks the user to save their work.
      - "At most 127 characters on Windows XP and 2003 (after O(fold_text)); letters, digits, spaces and
        C(. , : ; ! ? ' / -) only."
    type: str
    default: ""
  fold_text:
    description:
      - Write O(message) without Vietnamese diacritics. The WinRM shell uses code page 437, which has no
        Vietnamese letters; with false, such a message is refused before anything is sent.
    type: bool
    default: true
  reason:
    description: The planned reason code of the restart, C(p:MAJOR:MINOR) (C(p:4:1) is "Application -
      Maintenance (Planned)").
    type: str
    default: p:4:1
  force:
    description: Accept a window that overlaps a quiet period (reported in RV(window_conflicts)) instead of
      refusing it.
    type: bool
    default: false
  check_only:
    description: Read the task and the last start only, change nothing (the daily check).
    type: bool
    default: false
  max_hours_since_boot:
    description: RV(restarted_recently) is true when the host started at most this many hours ago.
    type: int
    default: 26
  reference_time:
    description: The time RV(hours_since_boot) is counted to, ISO 8601 (taken in Asia/Ho_Chi_Minh time without
      an offset); empty for now.
    type: str
    default: ""
  pending_file:
    description: The controller's restart-pending list (JSON); empty for C(restart_pending.json) in the state
      folder (C($VNACCS_STATE_DIR), else C(~/.local/state/vncustoms)).
    type: path
    default: ""
attributes:
  check_mode:
    description: Reports the commands it would run; changes nothing (the restart-pending list neither).
    support: full
  diff_mode:
    description: Shows the task before and after and the exact commands.
    support: full
  platform:
    description: Windows XP SP3 and 7 workstations, Windows Server 2003 SP2 and 2008, over WinRM 2.0.
    platforms: windows
notes:
  - The host's clock is taken to be in Asia/Ho_Chi_Minh time, as the branches' are; RV(hours_since_boot)
    compares its last start with the controller's clock in that zone.
  - The last start is read in the en-US layout of C(net statistics workstation); on another locale
    RV(last_boot) is empty and RV(last_boot_text) holds the line as printed.
  - A daily task runs on Sunday too, so Sunday's 03:00-06:00 maintenance window is refused for every day.
"""

EXAMPLES = r"""
- name: Restart the workstations daily between 12:15 and 12:44, after a five-minute warning
  vncustoms.vnaccs.daily_reboot_task:
    time: "12:15"
    spread_minutes: 30
    warning_seconds: 300

- name: Read the task and the last start for the daily check
  vncustoms.vnaccs.daily_reboot_task:
    time: "12:15"
    spread_minutes: 30
    check_only: true
  register: daily_reboot_check

- name: Remove the task
  vncustoms.vnaccs.daily_reboot_task:
    state: absent
"""

RETURN = r"""
forms:
  description: The version whose command forms were used (C(restart_task_forms/FORMS.yml)).
  returned: success
  type: str
task_name:
  description: Name of the task.
  returned: success
  type: str
restart_time:
  description: This host's restart time, C(HH:MM) (O(time) plus RV(spread_offset_minutes)); empty when absent.
  returned: success
  type: str
spread_offset_minutes:
  description: This host's offset within O(spread_minutes), from its inventory name.
  returned: success
  type: int
time_zone:
  description: The time zone of the times, C(Asia/Ho_Chi_Minh).
  returned: success
  type: str
task:
  description:
    - The task as the plugin found it on the host, before any change.
    - C(present), C(as_wanted), C(drift) (what differs), C(start_time), C(command), C(run_as), C(enabled),
      C(status), C(last_result) (the exit code of its last run; 0 is success), C(last_run) (empty before its
      first run), C(next_run).
  returned: success
  type: dict
last_boot:
  description: When the host last started, ISO 8601 in its local time; empty when it could not be read.
  returned: success
  type: str
last_boot_text:
  description: The C(Statistics since) value as the host printed it.
  returned: success
  type: str
hours_since_boot:
  description: Hours since RV(last_boot), to RV(time_zone) now (or O(reference_time)); null when unknown.
  returned: success
  type: float
restarted_recently:
  description: Whether RV(hours_since_boot) is at most O(max_hours_since_boot).
  returned: success
  type: bool
window_conflicts:
  description: The quiet periods the window overlaps (only with O(force=true); otherwise it is refused).
  returned: success
  type: list
  elements: str
restart_pending:
  description:
    - The host's entry in the restart-pending list (C(since), C(exit_code), C(reason), C(by)), or null.
    - The host is not restarted for it; a warning says when the daily restart will do it.
  returned: success
  type: dict
restart_completed:
  description: The entry taken off the restart-pending list, because the host has started since its record.
  returned: when a pending restart was completed
  type: dict
"""
