"""qlearn.config: fast mode, pick, devices, dtypes and the simulator's memory limit."""

from __future__ import annotations

import re

import pytest
import torch

from qlearn import config


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("QLEARN_FAST", "QLEARN_DEVICE", "QLEARN_MEMORY_LIMIT"):
        monkeypatch.delenv(name, raising=False)
    config.set_memory_limit(None)
    yield
    config.set_memory_limit(None)


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", " on ", "Yes"])
def test_fast_mode_on(monkeypatch, value):
    """QLEARN_FAST=1/true/yes/on (any case, spaces) switches fast mode on."""
    monkeypatch.setenv("QLEARN_FAST", value)
    assert config.fast() is True
    assert config.pick(fast=10, full=1000) == 10


@pytest.mark.parametrize("value", ["0", "", "false", "no", "off", "2"])
def test_fast_mode_off(monkeypatch, value):
    """Other values of QLEARN_FAST leave fast mode off."""
    monkeypatch.setenv("QLEARN_FAST", value)
    assert config.fast() is False
    assert config.pick(fast=10, full=1000) == 1000


def test_fast_mode_unset():
    """Without QLEARN_FAST, pick returns the full value (any type)."""
    assert config.fast() is False
    assert config.pick(fast=(1, 2), full=(3, 4)) == (3, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1000", 1000),
        ("512K", 512 * 2**10),
        ("512k", 512 * 2**10),
        ("2M", 2 * 2**20),
        ("1.5G", int(1.5 * 2**30)),
        (" 3G ", 3 * 2**30),
    ],
)
def test_memory_limit_from_env(monkeypatch, text, expected):
    """QLEARN_MEMORY_LIMIT takes bytes or a K/M/G suffix."""
    monkeypatch.setenv("QLEARN_MEMORY_LIMIT", text)
    assert config.memory_limit() == expected


def test_set_memory_limit_overrides_env(monkeypatch):
    """set_memory_limit wins over the environment; None restores the environment's value."""
    monkeypatch.setenv("QLEARN_MEMORY_LIMIT", "2M")
    config.set_memory_limit(12345)
    assert config.memory_limit() == 12345
    config.set_memory_limit(None)
    assert config.memory_limit() == 2 * 2**20


def test_default_memory_limit_is_a_share_of_free_memory():
    """Without settings the limit is positive and below the free memory."""
    free = config.available_memory(torch.device("cpu"))
    limit = config.memory_limit(torch.device("cpu"))
    assert 0 < limit <= free


@pytest.mark.parametrize("text", ["lots", "12X", "-5M"])
def test_bad_memory_limit_env(monkeypatch, text):
    """A malformed QLEARN_MEMORY_LIMIT names the variable and its value."""
    monkeypatch.setenv("QLEARN_MEMORY_LIMIT", text)
    with pytest.raises(ValueError, match=rf"(?i)QLEARN_MEMORY_LIMIT.*{re.escape(text)}"):
        config.memory_limit()


@pytest.mark.skipif(torch.cuda.is_available(), reason="default is cuda on this machine")
def test_default_device_is_cpu_without_cuda():
    """Without CUDA and QLEARN_DEVICE the default device is the CPU."""
    assert config.default_device() == torch.device("cpu")
    assert config.resolve_device(None) == torch.device("cpu")


def test_device_from_env(monkeypatch):
    """QLEARN_DEVICE sets the default device, and a bad value is reported."""
    monkeypatch.setenv("QLEARN_DEVICE", "cpu")
    assert config.resolve_device(None) == torch.device("cpu")
    monkeypatch.setenv("QLEARN_DEVICE", "tpu")
    with pytest.raises(ValueError, match=r"device='tpu'"):
        config.default_device()


def test_resolve_device_accepts_names_and_devices():
    """A name or a torch.device resolves to a torch.device."""
    assert config.resolve_device("cpu") == torch.device("cpu")
    assert config.resolve_device(torch.device("cpu")) == torch.device("cpu")


@pytest.mark.parametrize(
    ("dtype", "real", "complex_"),
    [
        (None, torch.float32, torch.complex64),
        (torch.float32, torch.float32, torch.complex64),
        (torch.float64, torch.float64, torch.complex128),
        (torch.complex64, torch.float32, torch.complex64),
        (torch.complex128, torch.float64, torch.complex128),
    ],
)
def test_dtypes(dtype, real, complex_):
    """resolve_dtype maps None/real/complex dtypes to the real one; complex_dtype back."""
    assert config.resolve_dtype(dtype) == real
    assert config.complex_dtype(real) == complex_


def test_default_dtype_is_float32():
    """Training precision defaults to float32."""
    assert config.default_dtype() == torch.float32
