"""Documentation of the vncustoms.vnaccs.client_rollout_report action plugin (code: plugins/action/)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: client_rollout_report
short_description: Write the result of a customs client rollout, with adoption per site, department and region
description:
  - Reads the workstations' records that M(vncustoms.vnaccs.client_software) wrote to the rollout state folder
    and writes one JSON document (schema C(vnaccs.client_rollout/1)) - the version of each workstation,
    adoption of O(version) per site, department and region, the failures with their codes - to O(directory),
    as C(client-rollout-VERSION-TIME.json) and C(client-rollout-latest.json) (what the daily check reads).
  - A workstation of O(workstations) with no record (a later batch, or a rollout that stopped) counts as not
    reached.
  - Runs on the controller and changes no host.
version_added: 0.1.0
author:
  - Vietnam Customs IT
options:
  version:
    description: The version whose adoption is counted.
    type: str
    required: true
  workstations:
    description: The workstations in the rollout's scope (inventory names).
    type: list
    elements: str
    required: true
  directory:
    description: The folder the result is written to.
    type: path
    required: true
  state_dir:
    description: The controller's state folder holding the records (default C($VNACCS_STATE_DIR)).
    type: path
    default: ""
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Write the rollout result
  vncustoms.vnaccs.client_rollout_report:
    version: "4.3.0"
    workstations: "{{ groups['workstations'] }}"
    directory: reports/rollout
"""

RETURN = r"""
path:
  description: The JSON document written.
  returned: success
  type: str
summary:
  description: Workstations, adopted, failed, not reached, waiting for a restart, percent adopted.
  returned: success
  type: dict
regions:
  description: Adoption per region.
  returned: success
  type: list
  elements: dict
failures:
  description: The workstations that failed, with status, exit code and reason.
  returned: success
  type: list
  elements: dict
summary_lines:
  description: The summary as printed.
  returned: success
  type: list
  elements: str
"""
