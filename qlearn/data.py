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


# --------------------------------------------------------------------------------------------
# Chapter 4 (Q-RUN): signals, images, a Gaussian mixture, digits and a time series


def _positive(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name}={value!r} must be an integer >= {minimum}.")
    return value


def audio_like_signal(n_points: int = 1000, seed: int = 0) -> tuple[Tensor, Tensor]:
    r"""A synthetic, high-frequency "audio clip" on :math:`t \in [-1, 1]` (stands in for the
    1000-point clip of the Q-RUN and SIREN papers, which we cannot download).

    .. math:: y(t) = e(t) \sum_{k=1}^{4} \frac{a_k}{k} \sin(2\pi k f_0 t + \phi_k)
              + 0.3\, e(t) \sin(2\pi f_1 t + \phi_5),

    a harmonic tone of fundamental :math:`f_0 \sim \mathcal U(4, 8)` cycles per unit with
    partials up to :math:`4 f_0`, an inharmonic partial :math:`f_1 \sim \mathcal U(20, 40)`,
    :math:`a_k \sim \mathcal U(0.5, 1)`, and a two-note envelope :math:`e(t)` (attack and
    exponential decay). Scaled so that :math:`\max |y| = 1`.

    Returns:
        ``(t, y)``: ``(n_points,)`` float64 each, ``t`` equispaced in :math:`[-1, 1]`.

    Example:
        >>> t, y = audio_like_signal(1000, seed=0)
        >>> t.shape, float(y.abs().max())
        (torch.Size([1000]), 1.0)
    """
    _positive("n_points", n_points, 2)
    gen = _generator(seed)
    u = torch.rand(12, generator=gen, dtype=torch.float64)
    f0, f1 = 4 + 4 * u[0], 20 + 20 * u[1]
    amps, phases = 0.5 + 0.5 * u[2:6], 2 * math.pi * u[6:11]
    t = torch.linspace(-1, 1, n_points, dtype=torch.float64)
    onset = -0.1 + 0.2 * u[11]  # second note
    env = torch.exp(-2.0 * (t + 1)) * (1 - torch.exp(-40 * (t + 1)))
    env = env + torch.where(t > onset, torch.exp(-3.0 * (t - onset)), torch.zeros_like(t)) * (
        1 - torch.exp(-40 * (t - onset).clamp(min=0))
    )
    tone = sum(
        amps[k] / (k + 1) * torch.sin(2 * math.pi * (k + 1) * f0 * t + phases[k]) for k in range(4)
    )
    y = env * (tone + 0.3 * torch.sin(2 * math.pi * f1 * t + phases[4]))
    return t, y / y.abs().max()


def camera_image(size: int = 32) -> Tensor:
    """scikit-image's ``camera`` photograph (512×512, shipped with the package, no network),
    resized with anti-aliasing to ``size × size``, grey values in :math:`[0, 1]` (float64).

    Example:
        >>> img = camera_image(32)
        >>> img.shape, 0 <= float(img.min()) <= float(img.max()) <= 1
        (torch.Size([32, 32]), True)
    """
    _positive("size", size, 2)
    from skimage import data as skdata
    from skimage.transform import resize

    image = skdata.camera().astype("float64") / 255.0
    if size != image.shape[0]:
        image = resize(image, (size, size), anti_aliasing=True, mode="reflect")
    return torch.from_numpy(image.clip(0, 1).copy())


def pixel_grid(height: int, width: int | None = None) -> Tensor:
    r"""Pixel-centre coordinates in :math:`[-1, 1]^2`, row-major: ``(height * width, 2)``
    float64, column 0 the row coordinate, column 1 the column coordinate."""
    width = height if width is None else width
    _positive("height", height)
    _positive("width", width)
    rows = torch.linspace(-1, 1, height, dtype=torch.float64)
    cols = torch.linspace(-1, 1, width, dtype=torch.float64)
    return torch.cartesian_prod(rows, cols)


class GaussianMixture:
    r"""A 1-D Gaussian mixture :math:`p(x) = \sum_k w_k\, \mathcal N(x; \mu_k, \sigma_k^2)`.

    Build one with :func:`gaussian_mixture`. Attributes ``means``, ``sigmas``, ``weights``
    (float64 tensors of length ``K``).
    """

    def __init__(self, means: Tensor, sigmas: Tensor, weights: Tensor):
        if not (means.shape == sigmas.shape == weights.shape) or means.ndim != 1:
            raise ValueError("means, sigmas and weights must be 1-D tensors of the same length.")
        if (sigmas <= 0).any() or (weights < 0).any():
            raise ValueError("sigmas must be positive and weights non-negative.")
        self.means = means.to(torch.float64)
        self.sigmas = sigmas.to(torch.float64)
        self.weights = (weights / weights.sum()).to(torch.float64)

    def __len__(self) -> int:
        return self.means.numel()

    def log_density(self, x: Tensor) -> Tensor:
        r""":math:`\log p(x)`, exactly (log-sum-exp over the components), same shape as ``x``."""
        x = torch.as_tensor(x, dtype=torch.float64)[..., None]
        z = (x - self.means) / self.sigmas
        logs = -0.5 * z**2 - torch.log(self.sigmas) - 0.5 * math.log(2 * math.pi)
        return torch.logsumexp(logs + torch.log(self.weights), dim=-1)

    def density(self, x: Tensor) -> Tensor:
        """:math:`p(x)`, exactly."""
        return self.log_density(x).exp()

    def sample(self, n_samples: int, seed: int = 0) -> Tensor:
        """``n_samples`` draws (float64): a component by its weight, then its Gaussian."""
        _positive("n_samples", n_samples)
        gen = _generator(seed)
        comp = torch.multinomial(self.weights, n_samples, replacement=True, generator=gen)
        noise = torch.randn(n_samples, generator=gen, dtype=torch.float64)
        return self.means[comp] + self.sigmas[comp] * noise


def gaussian_mixture(
    n_components: int = 25,
    seed: int = 0,
    *,
    low: float = -8.0,
    high: float = 8.0,
    sigma_range: tuple[float, float] = (0.08, 0.1),
) -> GaussianMixture:
    r"""The Q-RUN density-estimation target: ``n_components`` equally weighted Gaussians with
    means :math:`\mu_k \sim \mathcal U(\text{low}, \text{high})` and
    :math:`\sigma_k \sim \mathcal U(0.08, 0.1)`.

    Example:
        >>> gm = gaussian_mixture(25, seed=0)
        >>> len(gm), gm.sample(1024, seed=1).shape
        (25, torch.Size([1024]))
        >>> x = torch.linspace(-12, 12, 24001, dtype=torch.float64)
        >>> round(float(gm.density(x).sum() * (x[1] - x[0])), 4)  # integrates to 1
        1.0
    """
    _positive("n_components", n_components)
    if not low < high:
        raise ValueError(f"low={low} must be smaller than high={high}.")
    s_lo, s_hi = sigma_range
    if not 0 < s_lo <= s_hi:
        raise ValueError(f"sigma_range={sigma_range} must satisfy 0 < low <= high.")
    gen = _generator(seed)
    means = low + (high - low) * torch.rand(n_components, generator=gen, dtype=torch.float64)
    sigmas = s_lo + (s_hi - s_lo) * torch.rand(n_components, generator=gen, dtype=torch.float64)
    return GaussianMixture(means, sigmas, torch.ones(n_components, dtype=torch.float64))


def digits_dataset() -> tuple[Tensor, Tensor]:
    """scikit-learn's 8×8 handwritten digits (1797 images, shipped with the package):
    ``x`` ``(1797, 64)`` float64 grey values scaled to :math:`[0, 1]`, ``y`` ``(1797,)`` int64.

    Example:
        >>> x, y = digits_dataset()
        >>> x.shape, int(y.max())
        (torch.Size([1797, 64]), 9)
    """
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = torch.from_numpy(bunch.data.astype("float64") / 16.0)
    return x, torch.from_numpy(bunch.target.astype("int64"))


def synthetic_time_series(n_points: int = 600, seed: int = 0, noise: float = 0.05) -> Tensor:
    r"""A seasonal series with two periods, a slow trend and noise, ``(n_points,)`` float64:

    .. math:: y_t = \sin(2\pi t / P_1 + \phi_1) + 0.5 \sin(2\pi t / P_2 + \phi_2)
              + 0.3\, \sin(2\pi t / n) + \varepsilon_t,

    :math:`P_1 \sim \mathcal U(20, 30)`, :math:`P_2 \sim \mathcal U(5, 9)`,
    :math:`\varepsilon_t \sim \mathcal N(0, \text{noise}^2)`.

    Example:
        >>> synthetic_time_series(100, seed=0).shape
        torch.Size([100])
    """
    _positive("n_points", n_points, 2)
    if not noise >= 0:
        raise ValueError(f"noise={noise!r} must be >= 0.")
    gen = _generator(seed)
    u = torch.rand(4, generator=gen, dtype=torch.float64)
    p1, p2 = 20 + 10 * u[0], 5 + 4 * u[1]
    t = torch.arange(n_points, dtype=torch.float64)
    y = torch.sin(2 * math.pi * t / p1 + 2 * math.pi * u[2])
    y = y + 0.5 * torch.sin(2 * math.pi * t / p2 + 2 * math.pi * u[3])
    y = y + 0.3 * torch.sin(2 * math.pi * t / n_points)
    return y + noise * torch.randn(n_points, generator=gen, dtype=torch.float64)


def sliding_windows(series: Tensor, window: int) -> tuple[Tensor, Tensor]:
    """Inputs ``(n - window, window)`` of consecutive values and the next value as target.

    Example:
        >>> x, y = sliding_windows(torch.arange(5.0), 2)
        >>> x.tolist(), y.tolist()
        ([[0.0, 1.0], [1.0, 2.0], [2.0, 3.0]], [2.0, 3.0, 4.0])
    """
    _positive("window", window)
    if series.ndim != 1 or series.numel() <= window:
        raise ValueError(
            f"series must be 1-D and longer than window={window}; got shape {tuple(series.shape)}."
        )
    x = series.unfold(0, window, 1)[:-1]
    return x.clone(), series[window:].clone()


_IDX_DTYPES = {
    0x08: ("u1", 1),
    0x09: ("i1", 1),
    0x0B: (">i2", 2),
    0x0C: (">i4", 4),
    0x0D: (">f4", 4),
    0x0E: (">f8", 8),
}


def read_idx(path) -> Tensor:
    """Read one IDX file (the format of MNIST's ``train-images-idx3-ubyte`` and friends),
    plain or gzipped, into a tensor of its stored shape and type (``uint8`` stays ``uint8``).

    The header is two zero bytes, a type code (``0x08`` unsigned byte … ``0x0E`` double), the
    number of dimensions, then one big-endian 32-bit size per dimension; the data follow.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny-idx1-ubyte"
        >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]))
        >>> read_idx(path)
        tensor([7, 8, 9], dtype=torch.uint8)
    """
    import gzip
    import pathlib

    import numpy as np

    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path={str(path)!r}: no such IDX file.")
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"path={str(path)!r} is not an IDX file (bad magic number {raw[:4]!r}).")
    dtype, itemsize = _IDX_DTYPES[raw[2]]
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    start = 4 + 4 * ndim
    expected = start + itemsize * math.prod(shape)
    if len(raw) != expected:
        raise ValueError(
            f"path={str(path)!r}: header says shape {shape} ({expected} bytes) "
            f"but the file has {len(raw)} bytes; is it truncated?"
        )
    array = np.frombuffer(raw, dtype=dtype, offset=start).reshape(shape)
    return torch.from_numpy(array.astype(array.dtype.newbyteorder("=")).copy())


def load_mnist(
    directory,
    split: str = "train",
    size: int | None = None,
    digits: tuple[int, ...] | None = None,
    limit: int | None = None,
) -> tuple[Tensor, Tensor]:
    r"""MNIST from local IDX files (nothing is downloaded): ``x`` ``(N, s, s)`` float64 in
    :math:`[0, 1]` and ``y`` ``(N,)`` int64.

    ``directory`` holds ``{split}-images-idx3-ubyte`` and ``{split}-labels-idx1-ubyte``
    (``split`` is ``"train"`` or ``"t10k"``; a ``.gz`` suffix is accepted). ``size`` resizes
    the 28×28 images to ``size × size`` by area averaging (anti-aliased, as for the 8×8 QRU
    experiments); ``digits`` keeps only those classes; ``limit`` keeps the first ``limit``
    images after filtering.

    Example (on two tiny files written here):
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> img = bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]) + bytes([0, 255] * 4)
        >>> _ = (d / "train-images-idx3-ubyte").write_bytes(img)
        >>> _ = (d / "train-labels-idx1-ubyte").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 2, 3, 5]))
        >>> x, y = load_mnist(d, size=1)
        >>> x.shape, x.flatten().tolist(), y.tolist()
        (torch.Size([2, 1, 1]), [0.5, 0.5], [3, 5])
    """
    import pathlib

    if split not in ("train", "t10k"):
        raise ValueError(f'split={split!r} must be "train" or "t10k".')
    directory = pathlib.Path(directory)

    def find(kind: str) -> pathlib.Path:
        stem = directory / f"{split}-{kind}"
        for candidate in (stem, stem.with_name(stem.name + ".gz")):
            if candidate.is_file():
                return candidate
        raise FileNotFoundError(
            f"directory={str(directory)!r} has no {stem.name}[.gz]; download MNIST's IDX files "
            "there (qlearn never downloads data)."
        )

    images = read_idx(find("images-idx3-ubyte"))
    labels = read_idx(find("labels-idx1-ubyte")).to(torch.int64)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(
            f"images {tuple(images.shape)} and labels {tuple(labels.shape)} do not match: "
            "expected (N, h, w) and (N,)."
        )
    x = images.to(torch.float64) / 255.0
    if digits is not None:
        keep = torch.isin(labels, torch.tensor(list(digits)))
        x, labels = x[keep], labels[keep]
    if limit is not None:
        _positive("limit", limit)
        x, labels = x[:limit], labels[:limit]
    if size is not None:
        _positive("size", size)
        x = torch.nn.functional.adaptive_avg_pool2d(x[:, None], size)[:, 0]
    return x, labels


# --------------------------------------------------------------------------------------------
# Chapter 5 (QRU): damped oscillations, WDBC, digits 3 vs 5 with rows as time steps


def damped_oscillation(
    frequency: float = 0.4, damping: float = 0.0, n_points: int = 151, amplitude: float = 0.7
) -> Tensor:
    r"""A damped oscillation sampled at :math:`t = 0, 1, \dots, n-1`, ``(n_points,)`` float64:

    .. math:: y_t = A \sin(f t)\, e^{d t}.

    The QRU paper forecasts :math:`(f, d) = (0.4, 0)` and :math:`(0.6, -0.02)` with
    :math:`A = 0.7`, 151 points (:func:`qru_oscillations`).

    Example:
        >>> y = damped_oscillation(0.6, -0.02, n_points=4)
        >>> [round(v, 4) for v in y.tolist()]
        [0.0, 0.3874, 0.6268, 0.642]
    """
    _positive("n_points", n_points, 2)
    t = torch.arange(n_points, dtype=torch.float64)
    return amplitude * torch.sin(frequency * t) * torch.exp(damping * t)


#: The two oscillations of the QRU paper: (frequency, damping).
QRU_OSCILLATIONS = ((0.4, 0.0), (0.6, -0.02))


def qru_oscillations(n_points: int = 151) -> Tensor:
    """Both oscillations of the QRU paper stacked, ``(2, n_points)`` float64.

    Example:
        >>> qru_oscillations().shape
        torch.Size([2, 151])
    """
    return torch.stack([damped_oscillation(f, d, n_points) for f, d in QRU_OSCILLATIONS])


def wdbc_dataset() -> tuple[Tensor, Tensor]:
    r"""The Wisconsin diagnostic breast cancer data (scikit-learn's ``load_breast_cancer``,
    shipped with the package): ``x`` ``(569, 30)`` float64, each feature min-max scaled to
    :math:`[0, 1]` over the whole set (as in the QRU paper), ``y`` ``(569,)`` int64 with
    1 = malignant, 0 = benign (scikit-learn codes malignant as 0; we flip it).

    As a sequence, sample :math:`i` is 30 time steps of one feature each:
    ``x[:, :, None]`` has shape ``(569, 30, 1)``.

    Example:
        >>> x, y = wdbc_dataset()
        >>> x.shape, float(x.min()), float(x.max()), int(y.sum())
        (torch.Size([569, 30]), 0.0, 1.0, 212)
    """
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    x = torch.from_numpy(bunch.data.astype("float64"))
    lo, hi = x.min(0).values, x.max(0).values
    x = (x - lo) / (hi - lo)
    return x, torch.from_numpy(1 - bunch.target.astype("int64"))


def digits_rows(digits: tuple[int, ...] = (3, 5)) -> tuple[Tensor, Tensor]:
    r"""scikit-learn's 8×8 digits of the given classes as sequences of rows: ``x``
    ``(N, 8, 8)`` float64 in :math:`[0, 1]` (step :math:`t` is image row :math:`t`, 8 pixels)
    and ``y`` ``(N,)`` int64, the position of the label in ``digits`` (3 → 0, 5 → 1).

    This is the offline stand-in for the paper's MNIST 3-vs-5 resized to 8×8 (a different
    data set of the same size: 1797 digits scanned at 8×8 rather than MNIST's 28×28); for
    real MNIST use :func:`load_mnist` with ``size=8``.

    Example:
        >>> x, y = digits_rows()
        >>> x.shape, int(y.sum())
        (torch.Size([365, 8, 8]), 182)
    """
    if (
        len(digits) < 2
        or len(set(digits)) != len(digits)
        or not all(isinstance(d, int) and 0 <= d <= 9 for d in digits)
    ):
        raise ValueError(f"digits={digits!r} must be two or more distinct integers 0..9.")
    x, y = digits_dataset()
    keep = torch.isin(y, torch.tensor(list(digits)))
    labels = torch.tensor([list(digits).index(int(v)) for v in y[keep]], dtype=torch.int64)
    return x[keep].reshape(-1, 8, 8), labels


# ---- QIREN (chapter 3) ------------------------------------------------------------------------

#: scikit-image photographs usable by :func:`skimage_image` (shipped, no network).
SKIMAGE_IMAGES = ("camera", "coffee", "astronaut")


def skimage_image(name: str = "camera", size: int = 32) -> Tensor:
    """A scikit-image photograph (``"camera"``, ``"coffee"`` or ``"astronaut"``) in grayscale
    (``skimage.color.rgb2gray`` for colour images), centre-cropped to a square, resized with
    anti-aliasing to ``size × size``, values in :math:`[0, 1]` (float64).
    ``skimage_image("camera", s)`` equals :func:`camera_image` ``(s)``.

    Example:
        >>> img = skimage_image("coffee", 32)
        >>> img.shape, 0 <= float(img.min()) <= float(img.max()) <= 1
        (torch.Size([32, 32]), True)
    """
    if name not in SKIMAGE_IMAGES:
        raise ValueError(f"name={name!r} is unknown; use one of {list(SKIMAGE_IMAGES)}.")
    _positive("size", size, 2)
    if name == "camera":
        return camera_image(size)
    from skimage import data as skdata
    from skimage.color import rgb2gray
    from skimage.transform import resize

    image = rgb2gray(getattr(skdata, name)()).astype("float64")
    h, w = image.shape
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    image = image[top : top + side, left : left + side]
    image = resize(image, (size, size), anti_aliasing=True, mode="reflect")
    return torch.from_numpy(image.clip(0, 1).copy())
