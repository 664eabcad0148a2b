"""Reusable state-sized buffers for the simulator on CPU.

A run of a compiled circuit needs a few state-sized temporaries (ping-pong buffers, the states kept
for the backward pass, the adjoint). Fresh CPU tensors of a few MiB come straight from the
operating system, which hands out zeroed pages one page fault at a time: on a 4 MiB state that
costs as much as several passes over the state. :class:`Workspace` keeps released buffers and
hands them out again, so a training loop pays for its pages once. CUDA tensors bypass it (torch's
caching allocator already reuses GPU memory).

Example:
    >>> import torch
    >>> ws = Workspace(max_bytes=2**20)
    >>> a = ws.take((4, 2), torch.complex128, torch.device("cpu"))
    >>> ws.give(a)
    >>> ws.take((4, 2), torch.complex128, torch.device("cpu")) is a
    True
"""

from __future__ import annotations

import threading
from collections import defaultdict

import torch

Tensor = torch.Tensor


class Workspace:
    """A pool of free tensors keyed by shape, dtype and device, holding at most ``max_bytes``.

    :meth:`take` returns an uninitialised tensor (a pooled one when a match is free);
    :meth:`give` returns it to the pool. A buffer that is never given back is simply freed by
    Python, so forgetting to give is a missed reuse, never a leak.
    """

    def __init__(self, max_bytes: int = 2**29):
        self.max_bytes = max_bytes
        self._free: dict[tuple, list[Tensor]] = defaultdict(list)
        self._bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def _key(shape, dtype, device) -> tuple:
        return (tuple(shape), dtype, torch.device(device))

    def take(self, shape, dtype: torch.dtype, device: torch.device) -> Tensor:
        """An uninitialised contiguous tensor of ``shape`` (reused when one is free)."""
        key = self._key(shape, dtype, device)
        if key[2].type == "cpu":
            with self._lock:
                free = self._free.get(key)
                if free:
                    t = free.pop()
                    self._bytes -= _nbytes(t)
                    return t
        return torch.empty(key[0], dtype=dtype, device=key[2])

    def give(self, *tensors: Tensor | None) -> None:
        """Return buffers to the pool (CPU only; dropped when the pool is full)."""
        for t in tensors:
            if t is None or t.device.type != "cpu" or not t.is_contiguous():
                continue
            size = _nbytes(t)
            with self._lock:
                if self._bytes + size > self.max_bytes:
                    continue
                self._free[self._key(t.shape, t.dtype, t.device)].append(t)
                self._bytes += size

    def clear(self) -> None:
        """Drop every pooled buffer."""
        with self._lock:
            self._free.clear()
            self._bytes = 0


def _nbytes(t: Tensor) -> int:
    return t.numel() * t.element_size()


#: The simulator's shared pool (at most 512 MiB kept; ``WORKSPACE.clear()`` frees it).
WORKSPACE = Workspace()
