"""Switch lab: simulated Cisco IOS switches for tests and demos. A test fixture, not product code.

The simulator is the third-party `fake-switches` package (installed without its old pins, see
`requirements-nodeps.txt`). `switchlab.adapter` fills the few gaps between it and what the
`cisco.ios` collection and netmiko send to a real IOS switch; `switchlab.server` starts one or more
switches on 127.0.0.1, each with its own SSH and Telnet port and a preloaded configuration.

    python -m switchlab serve --port 2201 --telnet-port 2301 --vlan 10:10.20.10.1/24
    python -m switchlab serve --spec build/lab/switches.json

Nothing here is imported by the roles or plugins: the product talks to switches only through
Ansible's connection plugins and netmiko, as it does with real hardware.
"""
