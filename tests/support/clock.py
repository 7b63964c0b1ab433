"""A clock for tests of code that waits: it moves only when that code sleeps.

clock = FakeClock()
thing = Waiter(clock=clock, sleep=clock.sleep)
...
assert clock.sleeps == [1, 1]
"""

from __future__ import annotations


class FakeClock:
    """Returns `now` when called; `sleep(seconds)` records the sleep and moves `now` on."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
