"""winlab: a WinRM endpoint emulator with a Windows Server 2003/2008 host model.

This package is a **test fixture**, not part of the toolkit: the roles' tests, Molecule scenarios
and the demo use it in place of real Windows hosts, which the project's CI does not have. It speaks
the WS-Management shell protocol as pywinrm uses it (NTLM with message encryption, Basic over HTTP
and HTTPS) and answers cmd.exe commands from a per-host model that persists between runs.

Start it with `python -m winlab serve --config lab.json`, `invoke lab`, or the `Lab` class in tests.
"""
