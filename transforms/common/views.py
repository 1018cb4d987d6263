"""A side input turned into the structure a step looks things up in, once per bundle.

`beam.FlatMap(per_side_input(fn, make), *args, beam.pvalue.AsList(pcoll))` calls
`fn(element, *args, make(side))`. Beam hands every element of a bundle the same side input
object (the SDK's state cache is off: it is read again for the next bundle), so `make` runs
once per bundle and side input. A step that read `AsSingleton` of `ToList | Map(make)` got the
same value through two more stages of the local runner (the grouping and its default).
"""

from __future__ import annotations

from collections.abc import Callable


class PerSideInput:
    """fn(element, *args, make(*sides)): the last `sides` arguments are side inputs; the view
    is made again whenever one of them is a different object (a new bundle)."""

    def __init__(self, fn: Callable, make: Callable, sides: int = 1):
        self.fn, self.make, self.sides = fn, make, sides
        self._held: tuple = ()
        self._view = None

    def __getstate__(self):
        return {"fn": self.fn, "make": self.make, "sides": self.sides}

    def __setstate__(self, state):
        self.__init__(state["fn"], state["make"], state["sides"])

    def __call__(self, element, *args):
        args, sides = args[:len(args) - self.sides], args[len(args) - self.sides:]
        if len(sides) != len(self._held) or any(a is not b for a, b in zip(sides, self._held, strict=True)):
            self._held, self._view = sides, self.make(*sides)
        return self.fn(element, *args, self._view)


def per_side_input(fn: Callable, make: Callable, sides: int = 1) -> Callable:
    """PerSideInput's call as a bound method: Beam's Map/FlatMap pass side inputs to functions and
    methods only (another callable gets the element alone)."""
    return PerSideInput(fn, make, sides).__call__
