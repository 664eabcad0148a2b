"""Global settings: fast mode, default device, default dtype and the simulator's memory limit.

This module is the one place that reads the environment:

* ``QLEARN_FAST=1`` shrinks epochs, grids and data sets so that every notebook runs in seconds
  (CI sets it). Read it with :func:`fast` and choose sizes with :func:`pick`.
* ``QLEARN_DEVICE`` overrides the default device (``cuda`` when available, else ``cpu``).
* ``QLEARN_MEMORY_LIMIT`` (bytes, or with a ``K``/``M``/``G`` suffix) overrides the simulator's
  memory limit, which otherwise defaults to 80% of the memory available on the device.

Example:
    >>> from qlearn import config
    >>> config.pick(fast=10, full=1000) in (10, 1000)
    True
    >>> config.default_dtype()
    torch.float32
"""

from __future__ import annotations

import os
from typing import TypeVar

import torch

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_memory_limit_override: int | None = None


def fast() -> bool:
    """Whether fast mode is on (environment variable ``QLEARN_FAST`` set to 1/true/yes/on)."""
    return os.environ.get("QLEARN_FAST", "").strip().lower() in _TRUE


def pick(fast: T, full: T) -> T:  # noqa: A002 - the names read well at call sites
    """Return ``fast`` in fast mode and ``full`` otherwise, e.g. ``epochs = pick(20, 500)``."""
    return fast if globals()["fast"]() else full


def default_device() -> torch.device:
    """The device new tensors and modules go to: ``QLEARN_DEVICE``, else cuda if available."""
    name = os.environ.get("QLEARN_DEVICE", "").strip()
    if name:
        return resolve_device(name)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def resolve_device(device: str | torch.device | None) -> torch.device:
    """Turn ``None``, a name or a device into a :class:`torch.device` (clear error if unusable)."""
    if device is None:
        return default_device()
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'cpu', 'cuda' or 'cuda:0'."
        ) from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} asks for CUDA but no CUDA GPU is available here; "
            "use device='cpu' (or leave device unset to pick automatically)."
        )
    return dev


def default_dtype() -> torch.dtype:
    """Real dtype for training: float32 (parity tests and benchmarks pass float64 explicitly)."""
    return torch.float32


def resolve_dtype(dtype: torch.dtype | None) -> torch.dtype:
    """Real dtype from ``None``, a real dtype or a complex one (mapped to its real part)."""
    if dtype is None:
        return default_dtype()
    if dtype in (torch.complex64, torch.complex128):
        return torch.float32 if dtype == torch.complex64 else torch.float64
    if dtype not in (torch.float32, torch.float64):
        raise ValueError(
            f"dtype={dtype!r} is not supported; use torch.float32 or torch.float64 "
            "(or their complex counterparts)."
        )
    return dtype


def complex_dtype(real: torch.dtype) -> torch.dtype:
    """The complex dtype matching a real one: float32 -> complex64, float64 -> complex128."""
    return torch.complex128 if real == torch.float64 else torch.complex64


def _parse_bytes(text: str, name: str) -> int:
    """Bytes from ``"512M"``, ``"2G"``, ``"1e9"``...; a clear error naming ``name`` otherwise."""
    clean = text.strip().upper()
    scale = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    factor = scale.get(clean[-1:], 1)
    number = clean[:-1] if clean[-1:] in scale else clean
    try:
        value = int(float(number) * factor)
    except ValueError:
        value = 0
    if value <= 0:
        raise ValueError(
            f"{name}={text!r} is not a positive size in bytes; write e.g. {name}=4G, 512M or "
            "1000000000."
        )
    return value


def set_memory_limit(n_bytes: int | None) -> None:
    """Set the simulator's memory limit in bytes (``None`` restores the automatic default)."""
    global _memory_limit_override
    if n_bytes is not None and n_bytes <= 0:
        raise ValueError(f"n_bytes={n_bytes} must be positive (or None for the default).")
    _memory_limit_override = n_bytes


def available_memory(device: torch.device) -> int:
    """Bytes free on ``device`` now (GPU memory for cuda, physical memory otherwise)."""
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # not on Linux: assume 8 GiB
        return 8 * 2**30


def memory_limit(device: torch.device | None = None) -> int:
    """The most bytes one simulation may use: set value, ``QLEARN_MEMORY_LIMIT``, or 80% free."""
    if _memory_limit_override is not None:
        return _memory_limit_override
    env = os.environ.get("QLEARN_MEMORY_LIMIT", "").strip()
    if env:
        return _parse_bytes(env, "QLEARN_MEMORY_LIMIT")
    return int(0.8 * available_memory(device or default_device()))
