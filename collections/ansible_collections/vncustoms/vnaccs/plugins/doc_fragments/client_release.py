# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options naming a customs client release, shared by the client plugins."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  version:
    description:
      - The client version, a subfolder of O(release_dir) holding the MSI and its C(manifest.yml) (product,
        version, file, size, sha256, product_code, upgrade_code).
      - The installer is refused, before anything is copied or any host contacted, unless its size and
        SHA-256 are the manifest's.
    type: str
    required: true
  release_dir:
    description:
      - The controller's release folder (one subfolder per version, each with the MSI and its manifest).
    type: path
    required: true
"""
