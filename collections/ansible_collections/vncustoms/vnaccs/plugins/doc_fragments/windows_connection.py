# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the Windows action plugins reach their host (the host's WinRM connection variables), what
they all return, and their check and diff mode (the one apply engine's).

Used by every plugin built on plugin_utils/windows_action.py, in its doc stub under
plugins/modules/: `extends_documentation_fragment: [vncustoms.vnaccs.windows_connection]`.
"""

from __future__ import annotations


class ModuleDocFragment:
    # Options with `vars` are host variables (inventory, group_vars, Vault), never task arguments.
    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Reports the plan and the commands it would run; changes nothing (only the probe runs).
    support: full
  diff_mode:
    description: Shows the state before and after and the exact commands it runs (or would run).
    support: full
options:
  ansible_host:
    description: Address of the host's WinRM listener; the inventory host name when unset.
    type: str
    vars:
      - name: ansible_host
  ansible_port:
    description: Port of the WinRM listener; 5985 for C(http), 5986 for C(https).
    type: int
    vars:
      - name: ansible_port
  ansible_user:
    description:
      - The account to log on with, an administrator of the host (C(Administrator) or C(DOMAIN\user)).
      - Taken from the environment variable C(VNACCS_WINRM_USER) when the host has none.
    type: str
    vars:
      - name: ansible_user
    env:
      - name: VNACCS_WINRM_USER
  ansible_password:
    description:
      - The account's password; keep it in Ansible Vault. It never appears in a result or a message.
      - Taken from the environment variable C(VNACCS_WINRM_PASSWORD) when the host has none or an empty one.
      - A refused password is never tried again (five failed logons lock a customs account, Decision 833
        Article 18).
    type: str
    vars:
      - name: ansible_password
    env:
      - name: VNACCS_WINRM_PASSWORD
  ansible_winrm_transport:
    description: The WinRM authentication; C(ntlm) encrypts every message, also over C(http).
    type: str
    choices: [ntlm, basic, plaintext, ssl, kerberos, credssp, certificate]
    default: ntlm
    vars:
      - name: ansible_winrm_transport
  ansible_winrm_scheme:
    description: C(http) or C(https); unset, C(https) when O(ansible_port=5986), otherwise C(http).
    type: str
    choices: [http, https]
    vars:
      - name: ansible_winrm_scheme
  ansible_winrm_server_cert_validation:
    description:
      - C(validate) (or true) refuses an C(https) listener whose certificate is not trusted; C(ignore) (or
        false) accepts any.
    type: str
    default: validate
    vars:
      - name: ansible_winrm_server_cert_validation
  ansible_winrm_ca_trust_path:
    description: A CA bundle that signed the listener's certificate; unset, the system's trusted CAs.
    type: path
    vars:
      - name: ansible_winrm_ca_trust_path
  ansible_winrm_operation_timeout_sec:
    description: Seconds the host may take to answer one WS-Management operation.
    type: int
    default: 20
    vars:
      - name: ansible_winrm_operation_timeout_sec
  ansible_winrm_read_timeout_sec:
    description: Seconds to wait for a reply; longer than O(ansible_winrm_operation_timeout_sec).
    type: int
    default: 30
    vars:
      - name: ansible_winrm_read_timeout_sec
  vnaccs_winrm_command_timeout_sec:
    description:
      - Seconds one command may run (the probe, a netsh script, C(sc start)) before the host counts as not
        answering; the task then fails naming the command, sends the host nothing more, and says that the
        host may have changed (the next run's probe shows what it did).
      - An installer has a deadline of its own, set per job (C(install_timeout) of the plugin).
      - Checked between replies, so a hung command fails at most O(ansible_winrm_operation_timeout_sec)
        later.
    type: int
    default: 300
    vars:
      - name: vnaccs_winrm_command_timeout_sec
  windows_version:
    description:
      - The host's Windows version as the inventory knows it (C(2003), C(2008), C(xp), C(7)).
      - Checked against C(ver), which cannot tell a 2008 server from a Windows 7 workstation; unset, the
        plugin asks C(systeminfo) there. A version that contradicts C(ver) fails the host.
      - Set, the host's first command carries C(ver) in front of it, so it costs no round trip of its own.
      - Unset, the version found is remembered on the controller (C(windows-families/) in the state
        folder, C($VNACCS_STATE_DIR) or C(~/.local/state/vncustoms)), and later runs take it as if the
        inventory gave it; a host that runs another version since is read again and the task done
        over, since its first command is a probe, which changes nothing.
    type: str
    vars:
      - name: windows_version
notes:
  - The host needs a WinRM 2.0 listener (5985/5986) and an administrator account; see the README.
  - Runs on the controller and reaches the host over WinRM with pywinrm, in one cmd.exe shell per task (no
    PowerShell on the host, no Ansible connection plugin).
  - The options set through C(vars) (O(ansible_host), O(ansible_port), O(ansible_user), O(ansible_password),
    the C(ansible_winrm_*) ones, O(vnaccs_winrm_command_timeout_sec) and O(windows_version)) are host
    variables, set in the inventory, group_vars or Ansible Vault, never task arguments.
  - A refused logon fails the host at once with C(authentication_failed) and is never retried; an
    unreachable host is reported unreachable. The other hosts carry on.
  - "Every Windows plugin of the collection returns these values besides its own (they are listed
    here once, as Ansible lists its common return values once):
    C(commands) (always; list of str: the command lines that change the host, in the order it ran
    them, or would in check mode, file writes included; not the read-only probes or the per-host lock),
    C(steps) (on success; list of str: what each part of the plan changes, in order: the headers of
    the --diff commands),
    C(reboot_required) (on success; bool: whether a command asked for a restart, exit code 3010;
    the host is never restarted),
    C(windows_version) (on success; str: the host's Windows version as the host reports it,
    C(2003), C(2008), C(xp) or C(7)),
    C(authentication_failed) (on failure; bool: the host refused the credentials; never retried),
    C(account_held) (on failure; bool: the logon was not attempted because the same account failed
    with the same password recently, on this host or another, and five failures lock a customs
    account, Article 18; C(./run accounts) lists the held accounts, C(./run accounts --clear NAME)
    releases one),
    C(account_locked) (on failure; bool: the account is locked, known because it refused a password
    that had logged on to it within the hold, here or on the host where that happened, then with
    C(account_held); have it unlocked, then C(./run accounts --clear NAME))."
"""
