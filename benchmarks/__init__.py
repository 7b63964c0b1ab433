"""Fleet benchmarks: what the daily check, a no-change and a first DHCP run and a client rollout cost
per host and for the whole country, against a straightforward baseline, and how that grows
(`./run bench`; not part of `./run test`). See benchmarks/README.md."""
