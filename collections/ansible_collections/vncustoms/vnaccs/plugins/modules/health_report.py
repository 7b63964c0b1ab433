"""Documentation of the vncustoms.vnaccs.health_report action plugin (plugins/action/health_report.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: health_report
short_description: Write the health-check report (JSON, HTML, CSV, JUnit XML) on the controller
description:
  - Builds one JSON document from what the C(health_check) role gathered on each host (schema
    C(vnaccs-health-report) version 1, C(roles/health_check/files/health_report.schema.json)), checks it
    against that schema, and writes it with C(report.html) (one offline file, Vietnamese with an English
    switch, per department then per site, failures first), C(checks.csv), C(findings.csv) and C(junit.xml)
    into a new folder C(<directory>/<YYYY-MM-DD>/<kind>-<HHMMSS>/).
  - Every failed or warning check is a finding with the rule of Decision 833 it comes from, a severity,
    its impact in Vietnamese and English, the owning department and a due date from the severity
    (Article 24).
  - For O(kind=audit), the Terminal IDs of O(stations) must be unique (Article 15), and the report is
    compared with the previous audit (O(previous), or the newest in O(directory)); a finding seen before
    keeps its first day and due date.
  - Runs on the controller only; it contacts no host. It writes files in check mode too (the report is the
    run's purpose) and reports C(changed=false).
version_added: 0.1.0
author: VNACCS/VCIS site-infrastructure team
options:
  kind:
    description: The daily check (Appendix III) or the audit (Article 24).
    type: str
    required: true
    choices: [daily_check, audit]
  hosts:
    description:
      - One entry per host checked, C(name), C(kind) (C(dhcp_server), C(base_server), C(workstation),
        C(switch)), C(department), C(site), C(region), C(address), and C(result) (the windows_health result,
        or for a switch the ios_helper_address check-mode result with the wanted C(helper)).
    type: list
    elements: dict
    required: true
  stations:
    description: Every workstation of the inventory (C(name), C(terminal_id), C(department), C(site)).
    type: list
    elements: dict
    default: []
  directory:
    description: Where the dated report folders go.
    type: path
    required: true
  previous:
    description: The previous audit's C(report.json); unset, the newest audit in O(directory).
    type: path
  compare:
    description: Compare an audit with the previous one.
    type: bool
    default: true
  due_days:
    description: Days from a finding's first day to its due date per severity (C(critical), C(high), ...).
    type: dict
    default: {}
  templates:
    description: The folder of C(report.html.j2).
    type: path
    required: true
  schema:
    description: The report's JSON Schema.
    type: path
    required: true
  run:
    description: What to record of the run (C(limit), C(check_mode)).
    type: dict
    default: {}
attributes:
  check_mode:
    description: Writes the report in check mode too; no host is contacted either way.
    support: full
  diff_mode:
    description: Nothing to show.
    support: none
  platform:
    description: The controller.
    platforms: posix
"""

EXAMPLES = r"""
- name: Write the report from every host's health_check_result
  vncustoms.vnaccs.health_report:
    kind: daily_check
    hosts: "{{ groups['all'] | map('extract', hostvars) | selectattr('health_check_result', 'defined')
               | map(attribute='health_check_result') | list }}"
    directory: "{{ playbook_dir }}/../build/reports"
    templates: "{{ role_path }}/templates"
    schema: "{{ role_path }}/files/health_report.schema.json"
"""

RETURN = r"""
paths:
  description: The files written (C(json), C(html), C(checks_csv), C(findings_csv), C(junit)), C(folder).
  returned: success
  type: dict
summary:
  description: The report's summary (hosts, unreachable, checks by status, findings by severity, past due).
  returned: success
  type: dict
summary_lines:
  description: The summary as an admin reads it, one line per department.
  returned: success
  type: list
  elements: str
previous:
  description: The previous audit it was compared with; empty when none.
  returned: success
  type: str
"""
