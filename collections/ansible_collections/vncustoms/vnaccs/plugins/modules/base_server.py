"""Documentation of the vncustoms.vnaccs.base_server action plugin (code: plugins/action/base_server.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: base_server
short_description: Make a Windows base server's folders, shares, FTP site and firewall match, over WinRM
description:
  - A base server (Decision 833, Article 9 and Appendix III) holds the client-software upgrade packages and
    the VCIS-EUC report output and serves them by file share and by FTP on port 21.
  - Reads the host's state in one round trip (C(sc qc), C(sc query), C(icacls), C(net share NAME),
    C(iisftp.vbs /query) and the firewall in one command line), computes a plan, applies it, then reads the
    state again and fails if the host still differs.
  - Installs IIS FTP when it is missing (2003 C(sysocmgr) with an answer file, 2008
    C(servermanagercmd -install Web-Ftp-Server)), never restarting the host.
  - Creates the missing folders of the layout (C(mkdir)); grants O(readers) exactly read-and-execute and
    O(writers) at least modify on O(root) with C(icacls), inherited by every folder below.
  - Creates each share of O(shares), or deletes and creates it again when its path, remark, user limit or
    (where C(net share) has C(/GRANT), see O(forms.share_grant)) its permissions differ. On 2003 the share
    keeps the default share permission and access is governed by the NTFS permissions.
  - Sets the services of O(services) and C(MSFTPSVC) Automatic and running.
  - Creates the FTP site O(ftp.site_name) over the layout on O(ftp.port) with C(iisftp.vbs) on both
    versions (2008 ships the IIS 6 FTP Publishing Service), stopping any other started site that holds the
    port (such as C(Default FTP Site)); starts it when stopped; recreates it when its port differs.
  - Opens TCP O(ftp.port) in the Windows Firewall with C(netsh firewall add portopening) (2003) or
    C(netsh advfirewall firewall add rule) (2008), replacing a wrong or doubled rule of the same name.
version_added: 0.1.0
author: VNACCS/VCIS site-infrastructure team
extends_documentation_fragment:
  - vncustoms.vnaccs.windows_connection
options:
  root:
    description:
      - Root folder of the layout, an absolute path below a drive.
      - Letters, digits and C(_ . $ -) only; the paths go through cmd.exe unquoted.
    type: str
    required: true
  folders:
    description: Folders below O(root) to create (C(/) or C(\\) between parts), e.g. C(ClientUpgrades/5.1.0).
    type: list
    elements: str
    default: []
  readers:
    description: Accounts or groups that get read-and-execute (C(RX)) on the layout and C(READ) on the shares.
    type: list
    elements: str
    default: [Everyone]
  writers:
    description: Accounts or groups that get modify (C(M); C(F) is kept) on the layout, C(CHANGE) on shares.
    type: list
    elements: str
    default: ['BUILTIN\Administrators']
  shares:
    description: The file shares over the layout.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Share name (letters, digits, C(_ . -)).
        type: str
        required: true
      folder:
        description: Folder below O(root) that the share exposes; empty for O(root) itself.
        type: str
        default: ""
      remark:
        description: Share remark (printable ASCII, no double quotes or C(%)).
        type: str
        default: ""
  ftp:
    description: The FTP site over the layout; unset manages it with the defaults below.
    type: dict
    suboptions:
      enabled:
        description: Whether to manage IIS FTP, its site and the firewall opening at all.
        type: bool
        default: true
      site_name:
        description: Name of the FTP site.
        type: str
        default: VNACCS Base Server
      port:
        description: TCP port of the site (21, as the daily check C(telnet <base server> 21) expects).
        type: int
        default: 21
      folder:
        description: Folder below O(root) that is the site's root; empty for O(root) itself.
        type: str
        default: ""
  firewall_rule:
    description: Name of the firewall port opening or rule for the FTP port.
    type: str
    default: VNACCS base server FTP
  services:
    description: Services to set Automatic and running besides C(MSFTPSVC); C(LanmanServer) serves the shares.
    type: list
    elements: str
    default: [LanmanServer]
  install:
    description: Install IIS FTP when it is missing; with false, such a host fails and nothing changes.
    type: bool
    default: true
  install_timeout:
    description:
      - How long IIS FTP's installer may take, in seconds (2003 C(sysocmgr), 2008
        C(servermanagercmd -install Web-Ftp-Server)); past it the host counts as not answering and the
        task fails naming the command. The other commands have O(vnaccs_winrm_command_timeout_sec).
    type: int
    default: 1800
  forms:
    description:
      - The command forms of the host's Windows version. The role sets them from its per-version vars files;
        C(auto) (or unset) takes them from the version the host reports.
    type: dict
    suboptions:
      share_grant:
        description: Whether C(net share) takes C(/GRANT) (2008) or not (2003). Unset is auto.
        type: bool
      firewall:
        description: C(netsh_firewall) (2003) or C(advfirewall) (2008).
        type: str
        choices: [auto, netsh_firewall, advfirewall]
        default: auto
      ftp_installer:
        description: C(sysocmgr) (2003) or C(servermanagercmd) (2008).
        type: str
        choices: [auto, sysocmgr, servermanagercmd]
        default: auto
  work_dir:
    description: Folder on the host for the sysocmgr answer file (deleted after use).
    type: str
    default: '%SystemRoot%\Temp'
attributes:
  platform:
    description: Windows Server 2003 (SP2, for icacls; WinRM 2.0 from KB968930) and 2008, over WinRM.
    platforms: windows
notes:
  - The root folder of an existing FTP site is not shown by C(iisftp.vbs /query), so a site whose root was
    changed by hand is not detected; delete it and the next run creates it again over O(root).
"""

EXAMPLES = r"""
- name: Make the base server hold and serve the client upgrades and EUC reports
  vncustoms.vnaccs.base_server:
    root: C:\VNACCS\Base
    folders: [ClientUpgrades, ClientUpgrades/5.1.0, EUCReports]
    readers: [Everyone]
    writers: ['BUILTIN\Administrators']
    shares:
      - {name: VNACCS_CLIENT, folder: ClientUpgrades, remark: VNACCS client upgrades}
      - {name: VNACCS_EUC, folder: EUCReports, remark: VCIS-EUC reports}
    ftp:
      site_name: VNACCS Base Server
      port: 21
"""

RETURN = r"""
forms:
  description: The command forms used (share_grant, firewall, ftp_installer).
  returned: success
  type: dict
folders:
  description: Every folder of the layout, O(root) first.
  returned: success
  type: list
  elements: str
shares:
  description: Share name to the folder it exposes.
  returned: success
  type: dict
ftp_site:
  description: Name of the FTP site (empty when O(ftp.enabled) is false).
  returned: success
  type: str
"""
