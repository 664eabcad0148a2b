r"""Data sets of the book: generated with a seed, or loaded from packages that ship them.

Every generator takes ``seed`` and returns float64 tensors; the same seed gives the same data.

Example:
    >>> from qlearn.data import fourier_series
    >>> x, y, coeffs = fourier_series(degree=2, n_points=5, seed=0)
    >>> x.shape, y.shape, coeffs.shape
    (torch.Size([5]), torch.Size([5]), torch.Size([5]))
"""

from __future__ import annotations

import math

import torch

Tensor = torch.Tensor


def _generator(seed: int) -> torch.Generator:
    if not isinstance(seed, int):
        raise ValueError(f"seed={seed!r} must be an integer.")
    return torch.Generator().manual_seed(seed)


def random_fourier_coefficients(degree: int, seed: int = 0, scale: float = 1.0) -> Tensor:
    r"""Coefficients :math:`c_{-D}, \dots, c_D` of a real trigonometric polynomial.

    :math:`c_0` is real, :math:`c_{-k} = \overline{c_k}`, real and imaginary parts of
    :math:`c_k` are uniform in ``[-scale, scale]``. Returns a complex ``(2D + 1,)`` tensor,
    index ``D + k`` holding :math:`c_k`.
    """
    if not isinstance(degree, int) or degree < 0:
        raise ValueError(f"degree={degree!r} must be a non-negative integer.")
    gen = _generator(seed)
    pos = (torch.rand(degree, 2, generator=gen, dtype=torch.float64) * 2 - 1) * scale
    c0 = (torch.rand(1, generator=gen, dtype=torch.float64) * 2 - 1) * scale
    c_pos = torch.complex(pos[:, 0], pos[:, 1])
    return torch.cat([c_pos.conj().flip(0), c0.to(torch.complex128), c_pos])


def evaluate_fourier(x: Tensor, coeffs: Tensor) -> Tensor:
    r""":math:`f(x) = \sum_{k=-D}^{D} c_k e^{ikx}` (real part) at the points ``x``."""
    degree = (coeffs.shape[0] - 1) // 2
    k = torch.arange(-degree, degree + 1, dtype=torch.float64)
    phases = torch.exp(1j * x.to(torch.float64)[..., None] * k)
    return (phases * coeffs).sum(-1).real


def fourier_series(
    degree: int, n_points: int = 100, seed: int = 0, scale: float = 0.15
) -> tuple[Tensor, Tensor, Tensor]:
    """A random real Fourier series of the given degree, sampled on ``[0, 2π)``.

    Returns:
        ``(x, y, coeffs)``: ``n_points`` equispaced inputs, the values, the coefficients.
    """
    if not isinstance(n_points, int) or n_points < 1:
        raise ValueError(f"n_points={n_points!r} must be a positive integer.")
    coeffs = random_fourier_coefficients(degree, seed, scale)
    x = torch.arange(n_points, dtype=torch.float64) * (2 * math.pi / n_points)
    return x, evaluate_fourier(x, coeffs), coeffs


def circle(
    n_samples: int = 500, seed: int = 0, radius: float | None = None
) -> tuple[Tensor, Tensor]:
    r"""Points uniform in :math:`[-1, 1]^2`, label 1 inside a circle (Pérez-Salinas et al.).

    The default radius :math:`\sqrt{2/\pi}` makes the two classes equally likely.

    Returns:
        ``(x, y)``: ``(n, 2)`` float64 points and ``(n,)`` int64 labels.
    """
    if not isinstance(n_samples, int) or n_samples < 1:
        raise ValueError(f"n_samples={n_samples!r} must be a positive integer.")
    r = math.sqrt(2 / math.pi) if radius is None else radius
    x = torch.rand(n_samples, 2, generator=_generator(seed), dtype=torch.float64) * 2 - 1
    y = (x.pow(2).sum(1) < r**2).long()
    return x, y


def train_test_split(x: Tensor, y: Tensor, test_fraction: float = 0.25, seed: int = 0):
    """Shuffle with ``seed`` and split; returns ``x_train, x_test, y_train, y_test``."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction={test_fraction} must be between 0 and 1.")
    perm = torch.randperm(x.shape[0], generator=_generator(seed))
    n_test = max(1, int(round(test_fraction * x.shape[0])))
    test, train = perm[:n_test], perm[n_test:]
    return x[train], x[test], y[train], y[test]
