"""Helpers the tests share, imported one way: `from tests.support.<module> import ...`.

- `action`: run an action plugin as Ansible's task executor does, with a fake pywinrm Protocol;
- `ansible_cli`: run ansible-playbook, ansible-inventory or ansible-doc as an admin does;
- `credentials`: the accounts the test labs accept;
- `fixture_files`: the repository root and the captured outputs under tests/fixtures;
- `lab`: winlab for tests (a pywinrm client, the control interface, the shared lab fixtures);
- `msi`: the client's test MSI packages (`client_packages`) and putting one on an emulated host;
- `switches`: switchlab for tests (a switch spec with the lab login, running switches).

The fixtures defined here, and winlab's own (`winlab.pytest_plugin`), are registered once for the
whole suite by tests/conftest.py.
"""
