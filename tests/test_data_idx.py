"""The IDX reader and the local MNIST loader, on small files the tests write."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
import torch

from qlearn import data


def _write_idx(path, array: np.ndarray, code: int = 0x08, gz: bool = False) -> None:
    header = bytes([0, 0, code, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    raw = header + array.tobytes()
    path.write_bytes(gzip.compress(raw) if gz else raw)


@pytest.fixture
def mnist_dir(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(12, 28, 28), dtype=np.uint8)
    labels = np.array([3, 5, 1, 3, 5, 0, 3, 5, 9, 3, 5, 7], dtype=np.uint8)
    _write_idx(tmp_path / "train-images-idx3-ubyte", images)
    _write_idx(tmp_path / "train-labels-idx1-ubyte", labels)
    _write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images[:4], gz=True)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", labels[:4], gz=True)
    return tmp_path, images, labels


def test_read_idx_types_and_gzip(tmp_path):
    a = np.arange(6, dtype=">i4").reshape(2, 3)
    _write_idx(tmp_path / "a", a, code=0x0C)
    assert data.read_idx(tmp_path / "a").tolist() == a.tolist()
    f = np.linspace(0, 1, 4).astype(">f8")
    _write_idx(tmp_path / "f.gz", f, code=0x0E, gz=True)
    assert torch.allclose(data.read_idx(tmp_path / "f.gz"), torch.from_numpy(f.astype("<f8")))


def test_read_idx_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such IDX"):
        data.read_idx(tmp_path / "missing")
    (tmp_path / "bad").write_bytes(b"PK\x03\x04")
    with pytest.raises(ValueError, match="magic"):
        data.read_idx(tmp_path / "bad")
    (tmp_path / "short").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]))
    with pytest.raises(ValueError, match="truncated"):
        data.read_idx(tmp_path / "short")


def test_load_mnist_values_filter_resize(mnist_dir):
    path, images, labels = mnist_dir
    x, y = data.load_mnist(path)
    assert x.shape == (12, 28, 28) and x.dtype == torch.float64 and y.dtype == torch.int64
    assert torch.allclose(x, torch.from_numpy(images / 255.0))
    assert y.tolist() == labels.tolist()
    x35, y35 = data.load_mnist(path, digits=(3, 5), limit=5)
    assert y35.tolist() == [3, 5, 3, 5, 3]
    small, _ = data.load_mnist(path, size=7)
    expected = images[0].reshape(7, 4, 7, 4).mean(axis=(1, 3)) / 255.0
    assert small.shape == (12, 7, 7) and np.allclose(small[0].numpy(), expected)
    xt, yt = data.load_mnist(path, split="t10k", size=8)
    assert xt.shape == (4, 8, 8) and yt.tolist() == labels[:4].tolist()


def test_load_mnist_errors(mnist_dir, tmp_path_factory):
    path, _, _ = mnist_dir
    with pytest.raises(ValueError, match="split='test'"):
        data.load_mnist(path, split="test")
    empty = tmp_path_factory.mktemp("empty")
    with pytest.raises(FileNotFoundError, match="never downloads"):
        data.load_mnist(empty)
    with pytest.raises(ValueError, match="size=0"):
        data.load_mnist(path, size=0)
