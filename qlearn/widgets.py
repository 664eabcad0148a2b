r"""Interactive explorers for the book: thin ipywidgets wrappers around pure functions.

Each explorer comes in three layers, so that the computation is tested and the web book (which
has no running kernel) can show a static picture of the default setting:

* ``*_view(...) -> dict`` computes the data with :mod:`qlearn.sim` (tested by pytest);
* ``*_figure(...) -> Figure`` draws it with :mod:`qlearn.plot`;
* ``*_explorer() -> ipywidgets.interactive`` wires sliders to the figure function.

Example:
    >>> from qlearn.widgets import single_qubit_view
    >>> view = single_qubit_view(theta_x=3.141592653589793, theta_y=0.0, theta_z=0.0)
    >>> [(view[k].round(decimals=6) + 0.0).tolist() for k in ("probs", "bloch")]
    [[0.0, 1.0], [0.0, 0.0, -1.0]]
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from typing import Any

import ipywidgets
import torch
from torch import nn

from qlearn import fourier, plot
from qlearn.data import evaluate_fourier, fourier_series
from qlearn.models import DRQC, MLP, QRUN, QRUNLayer, frequency_count, match_parameters
from qlearn.sim import Circuit
from qlearn.sim import functional as F
from qlearn.train import fit

Tensor = torch.Tensor

__all__ = [
    "SINGLE_QUBIT_DEFAULTS",
    "AFFINE_DEFAULTS",
    "single_qubit_view",
    "single_qubit_figure",
    "single_qubit_explorer",
    "affine_encoding_view",
    "affine_encoding_figure",
    "affine_encoding_explorer",
    "SPECTRUM_DEFAULTS",
    "spectrum_view",
    "spectrum_figure",
    "spectrum_explorer",
    "QRUN_DEFAULTS",
    "QRUN_TARGET_FREQUENCIES",
    "sine_target",
    "relative_frequency_errors",
    "matched_pair",
    "spectral_bias_view",
    "spectral_bias_figure",
    "qrun_view",
    "qrun_figure",
    "qrun_explorer",
    "unit_frequency_vectors",
    "QRU_DEFAULTS",
    "qru_view",
    "qru_figure",
    "qru_explorer",
    "QIREN_DEFAULTS",
    "QIREN_TARGET_FREQUENCIES",
    "qiren_angle_scales",
    "qiren_view",
    "qiren_figure",
    "qiren_explorer",
]

#: The settings the explorers start from (and that the book's static figures show).
SINGLE_QUBIT_DEFAULTS = {"theta_x": 1.0, "theta_y": 0.5, "theta_z": 0.0}
AFFINE_DEFAULTS = {"scale": 2.0, "shift": 0.5}
SPECTRUM_DEFAULTS = {"n_qubits": 1, "n_layers": 2, "degree": 3, "exponential": False}


def _angle_slider(value: float, description: str) -> ipywidgets.FloatSlider:
    return ipywidgets.FloatSlider(
        value=value, min=0.0, max=2 * math.pi, step=math.pi / 32, description=description
    )


# --------------------------------------------------------------------------------------------
# One qubit: RX, RY, RZ -> Bloch vector and probabilities


def single_qubit_view(
    theta_x: float = SINGLE_QUBIT_DEFAULTS["theta_x"],
    theta_y: float = SINGLE_QUBIT_DEFAULTS["theta_y"],
    theta_z: float = SINGLE_QUBIT_DEFAULTS["theta_z"],
) -> dict[str, Tensor]:
    r"""The state :math:`R_Z(\theta_z) R_Y(\theta_y) R_X(\theta_x)|0\rangle` and what we measure.

    Args:
        theta_x, theta_y, theta_z: rotation angles in radians, applied in the order X, Y, Z.

    Returns:
        A dict of float64/complex128 tensors: ``"state"`` the two amplitudes,
        ``"probs"`` :math:`(p(0), p(1))`, and ``"bloch"`` the Bloch vector
        :math:`(\langle X\rangle, \langle Y\rangle, \langle Z\rangle)`; for a pure state
        :math:`p(0) = (1 + \langle Z\rangle)/2`.
    """
    psi = F.zero_state(1, dtype=torch.float64, device="cpu")
    for gate, angle in (("RX", theta_x), ("RY", theta_y), ("RZ", theta_z)):
        psi = F.apply(psi, gate, 0, float(angle))
    bloch = torch.stack([F.expval(psi, p, 0)[0] for p in "XYZ"])
    return {"state": psi[0], "probs": F.probs(psi)[0], "bloch": bloch}


def single_qubit_figure(
    theta_x: float = SINGLE_QUBIT_DEFAULTS["theta_x"],
    theta_y: float = SINGLE_QUBIT_DEFAULTS["theta_y"],
    theta_z: float = SINGLE_QUBIT_DEFAULTS["theta_z"],
) -> plot.Figure:
    """Bloch vector (left) and measurement probabilities (right) of :func:`single_qubit_view`."""
    view = single_qubit_view(theta_x, theta_y, theta_z)
    fig = plot.new_figure(7.0, 3.4)
    grid = fig.add_gridspec(1, 2, width_ratios=(1.2, 1))
    plot.bloch(view["bloch"], ax=fig.add_subplot(grid[0], projection="3d"))
    x, y, z = view["bloch"].tolist()
    plot.probabilities(
        view["probs"],
        title=f"Bloch vector ({x:+.2f}, {y:+.2f}, {z:+.2f})",
        ax=fig.add_subplot(grid[1]),
    )
    fig.suptitle(
        rf"$R_Z({theta_z:.2f})\,R_Y({theta_y:.2f})\,R_X({theta_x:.2f})\,|0\rangle$", fontsize=11
    )
    return fig


def single_qubit_explorer() -> ipywidgets.interactive:
    """Sliders for the three angles of :func:`single_qubit_figure`."""
    sliders = {
        k: _angle_slider(v, k.replace("theta_", "θ_")) for k, v in SINGLE_QUBIT_DEFAULTS.items()
    }
    return ipywidgets.interactive(single_qubit_figure, **sliders)


# --------------------------------------------------------------------------------------------
# A batch of inputs through an affine encoding: <Z> of RY(a x + b)|0> for many x at once


def affine_encoding_view(
    scale: float = AFFINE_DEFAULTS["scale"],
    shift: float = AFFINE_DEFAULTS["shift"],
    n_points: int = 64,
) -> dict[str, Tensor]:
    r"""Run :math:`R_Y(a x + b)|0\rangle` for a whole grid of inputs :math:`x` in one call.

    The circuit is written once with the symbolic angle ``a * x[0] + b`` and compiled into a
    module; the grid of ``n_points`` inputs in :math:`[-\pi, \pi]` is one batch. The exact answer
    is :math:`\langle Z\rangle = \cos(a x + b)`.

    Args:
        scale: :math:`a`.
        shift: :math:`b`.
        n_points: number of inputs in the batch.

    Returns:
        A dict of float64 tensors of shape ``(n_points,)``: ``"x"``, ``"expval"`` (simulated) and
        ``"exact"``.
    """
    if isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 2:
        raise ValueError(f"n_points={n_points!r} must be an integer >= 2.")
    c = Circuit(1)
    x = c.inputs(1)
    c.ry(0, float(scale) * x[0] + float(shift))
    c.expval("Z", 0)
    module = c.module(dtype=torch.float64, device="cpu")
    xs = torch.linspace(-math.pi, math.pi, n_points, dtype=torch.float64)
    with torch.no_grad():
        values = module(xs[:, None])[:, 0]
    return {"x": xs, "expval": values, "exact": torch.cos(scale * xs + shift)}


def affine_encoding_figure(
    scale: float = AFFINE_DEFAULTS["scale"],
    shift: float = AFFINE_DEFAULTS["shift"],
    n_points: int = 64,
) -> plot.Figure:
    r"""Simulated points and the exact :math:`\cos(a x + b)` of :func:`affine_encoding_view`."""
    view = affine_encoding_view(scale, shift, n_points)
    fig = plot.curves(
        view["x"],
        {r"exact $\cos(ax+b)$": view["exact"]},
        xlabel="input x",
        ylabel=r"$\langle Z\rangle$",
        title=rf"$R_Y({scale:.2f}\,x {shift:+.2f})|0\rangle$: {n_points} inputs, one batched call",
    )
    ax = fig.axes[0]
    ax.plot(view["x"].numpy(), view["expval"].numpy(), "o", ms=3, label="simulated batch")
    ax.set_ylim(-1.1, 1.5)
    ax.set_yticks([-1.0, -0.5, 0.0, 0.5, 1.0])
    ax.legend(loc="upper center", ncols=2)
    return fig


def affine_encoding_explorer() -> ipywidgets.interactive:
    """Sliders for the scale and shift of :func:`affine_encoding_figure`."""
    return ipywidgets.interactive(
        affine_encoding_figure,
        scale=ipywidgets.FloatSlider(
            value=AFFINE_DEFAULTS["scale"], min=0.0, max=5.0, step=0.25, description="scale a"
        ),
        shift=_angle_slider(AFFINE_DEFAULTS["shift"], "shift b"),
        n_points=ipywidgets.IntSlider(value=64, min=4, max=256, step=4, description="batch"),
    )


# --------------------------------------------------------------------------------------------
# Chapter 2: qubits and re-uploads -> accessible spectrum and a fit


def spectrum_view(
    n_qubits: int = SPECTRUM_DEFAULTS["n_qubits"],
    n_layers: int = SPECTRUM_DEFAULTS["n_layers"],
    degree: int = SPECTRUM_DEFAULTS["degree"],
    exponential: bool = SPECTRUM_DEFAULTS["exponential"],
    *,
    epochs: int = 150,
    seed: int = 0,
    n_points: int = 32,
    max_shown: int = 12,
) -> dict[str, Any]:
    r"""Spectrum of a re-uploading model and its fit to a random Fourier series of degree D.

    The model is ``DRQC(1, n_qubits, n_layers)``: ``n_layers`` re-uploads of :math:`x` on each
    of ``n_qubits`` qubits through :math:`R_X(a_k x)`, with :math:`a_k = 1`, or
    :math:`a_k = 3^k` when ``exponential``. (With several qubits each trainable block has two
    sub-layers.) Its spectrum comes from :func:`qlearn.fourier.spectrum`; it is then trained for
    ``epochs`` steps (Adam, lr 0.1, mean squared error) on ``n_points`` samples of
    :func:`qlearn.data.fourier_series` and its coefficients are measured with
    :func:`qlearn.fourier.coefficients` (on enough points that nothing aliases).

    Args:
        n_qubits: parallel encodings per layer, :math:`n`.
        n_layers: serial re-uploads, :math:`L`.
        degree: :math:`D` of the target series.
        exponential: scales :math:`3^k` instead of 1.
        epochs, seed, n_points: of the fit (the target and the weights come from ``seed``).
        max_shown: coefficients are returned for :math:`|k| \le \max(D, \min(K, M))`, with
            :math:`M` = ``max_shown`` and :math:`K` the model's largest frequency.

    Returns:
        A dict: ``"spectrum"`` (the model's frequencies), ``"n_encodings"``, ``"max_frequency"``
        :math:`K`, ``"x"``, ``"y"`` (samples), ``"x_fine"``, ``"target"``, ``"fit"`` (on a fine
        grid), ``"k"`` (frequencies shown), ``"target_coeffs"``, ``"model_coeffs"`` (complex,
        over ``k``), ``"loss"`` (final training MSE), ``"floor"`` (the least MSE any model with
        frequencies up to :math:`K` can reach, :math:`\sum_{|k| > K} |c_k|^2`).
    """
    for name, value, top in (("n_qubits", n_qubits, 4), ("n_layers", n_layers, 6)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            raise ValueError(f"{name}={value!r} must be an integer from 1 to {top}.")
    if isinstance(degree, bool) or not isinstance(degree, int) or degree < 0:
        raise ValueError(f"degree={degree!r} must be a non-negative integer.")
    if n_points < 2 * degree + 1:
        raise ValueError(f"n_points={n_points} must be at least 2 * degree + 1 = {2 * degree + 1}.")
    model = DRQC(
        1,
        n_qubits,
        n_layers,
        scaling="exponential" if exponential else None,
        block_depth=1 if n_qubits == 1 else 2,
        seed=seed,
        dtype=torch.float64,
        device="cpu",
    )
    spec = fourier.spectrum(model.circuit)[0]
    top = int(round(max(spec)))
    x, y, coeffs = fourier_series(degree, n_points=n_points, seed=seed)
    history = fit(model, x, y, epochs=epochs, lr=0.1, seed=seed, progress=False)
    shown = max(degree, min(top, max_shown))
    measured = fourier.coefficients(model, degree=top, n_points=2 * top + 1)
    if top >= shown:
        model_coeffs = measured[top - shown : top + shown + 1]
    else:
        model_coeffs = _pad(measured, shown)
    k_target = torch.arange(-degree, degree + 1, dtype=torch.float64)
    x_fine = torch.linspace(0, 2 * math.pi, 400, dtype=torch.float64)
    with torch.no_grad():
        fitted = model(x_fine)[:, 0]
    return {
        "spectrum": spec,
        "n_encodings": n_qubits * n_layers,
        "max_frequency": top,
        "x": x,
        "y": y,
        "x_fine": x_fine,
        "target": evaluate_fourier(x_fine, coeffs),
        "fit": fitted,
        "k": torch.arange(-shown, shown + 1, dtype=torch.float64),
        "target_coeffs": _pad(coeffs, shown),
        "model_coeffs": model_coeffs,
        "loss": history.losses[-1] if history.losses else math.nan,
        "floor": float((coeffs.abs() ** 2)[k_target.abs() > top].sum()),
    }


def _pad(coeffs: Tensor, degree: int) -> Tensor:
    """Coefficients c_-D'..c_D' zero-padded (symmetrically) to c_-degree..c_degree."""
    extra = degree - (coeffs.shape[0] - 1) // 2
    zeros = torch.zeros(extra, dtype=torch.complex128)
    return torch.cat([zeros, coeffs.to(torch.complex128), zeros])


def _frequency_text(spec: list[float]) -> str:
    if len(spec) <= 7:
        return "{" + ", ".join(f"{f:g}" for f in spec) + "}"
    return f"{{{spec[0]:g}, …, {spec[-1]:g}}} ({len(spec)} frequencies)"


def spectrum_figure(
    n_qubits: int = SPECTRUM_DEFAULTS["n_qubits"],
    n_layers: int = SPECTRUM_DEFAULTS["n_layers"],
    degree: int = SPECTRUM_DEFAULTS["degree"],
    exponential: bool = SPECTRUM_DEFAULTS["exponential"],
) -> plot.Figure:
    """Accessible spectrum and coefficients (left) and the fit (right) of :func:`spectrum_view`."""
    view = spectrum_view(n_qubits, n_layers, degree, exponential)
    fig = plot.new_figure(10.0, 3.4)
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    plot.spectrum(
        {"target": view["target_coeffs"], "trained model": view["model_coeffs"]},
        accessible=view["spectrum"],
        title=f"model spectrum {_frequency_text(view['spectrum'])}",
        ax=left,
    )
    plot.series_fit(
        view["x_fine"],
        {f"target (degree {degree})": view["target"], "trained model": view["fit"]},
        points=(view["x"], view["y"]),
        title=f"MSE {view['loss']:.1e} (floor {view['floor']:.1e})",
        ax=right,
    )
    scales = "scales $3^k$" if exponential else "scales 1"
    fig.suptitle(
        f"{n_qubits} qubit{'s' * (n_qubits > 1)} × {n_layers} re-upload{'s' * (n_layers > 1)} = "
        f"{view['n_encodings']} encodings, {scales}",
        fontsize=11,
    )
    return fig


def spectrum_explorer() -> ipywidgets.interactive:
    """Sliders for qubits, re-uploads and the target's degree of :func:`spectrum_figure`."""

    def slider(key: str, low: int, high: int, description: str) -> ipywidgets.IntSlider:
        return ipywidgets.IntSlider(
            value=SPECTRUM_DEFAULTS[key],
            min=low,
            max=high,
            description=description,
            continuous_update=False,
        )

    return ipywidgets.interactive(
        spectrum_figure,
        n_qubits=slider("n_qubits", 1, 3, "qubits n"),
        n_layers=slider("n_layers", 1, 3, "re-uploads L"),
        degree=slider("degree", 1, 8, "target D"),
        exponential=ipywidgets.Checkbox(
            value=SPECTRUM_DEFAULTS["exponential"], description="scales 3^k"
        ),
    )


# --------------------------------------------------------------------------------------------
# Chapter 4: spectral bias, and Q-RUN's re-uploads and width -> fit and spectrum

#: The target of chapter 4's explorers, :math:`\sum_k \sin(kx)`, and the explorers' start.
QRUN_TARGET_FREQUENCIES = (1, 4, 12)
QRUN_DEFAULTS = {"n_reuploads": 3, "width": 16}


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """Run torch on one CPU thread inside the block: these models are tiny, and on a small,
    busy machine extra threads cost far more in synchronisation than they gain."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _check_int_range(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name}={value!r} must be an integer from {low} to {high}.")
    return value


def sine_target(
    frequencies: tuple[int, ...] = QRUN_TARGET_FREQUENCIES, n_points: int = 128
) -> tuple[Tensor, Tensor]:
    r"""Samples of :math:`g(x) = \sum_{k} \sin(kx)` on the periodic grid :math:`x_m = 2\pi m/N`.

    Example:
        >>> x, y = sine_target((1, 2), n_points=8)
        >>> y.round(decimals=3) + 0.0
        tensor([ 0.0000,  1.7070,  1.0000, -0.2930,  0.0000,  0.2930, -1.0000, -1.7070],
               dtype=torch.float64)
    """
    ks = [int(k) for k in frequencies]
    if not ks or any(k < 1 for k in ks) or n_points < 2 * max(ks) + 1:
        raise ValueError(
            f"frequencies={frequencies!r} must be positive integers below n_points/2 = "
            f"{n_points / 2:g}; use more points or lower frequencies."
        )
    x = torch.arange(n_points, dtype=torch.float64) * (2 * math.pi / n_points)
    return x, sum(torch.sin(k * x) for k in ks)


def _sine_fit_target(frequencies: tuple[int, ...], n_points: int, degree: int) -> dict[str, Any]:
    """:func:`sine_target` and its spectrum: ``"x"``, ``"target"``, ``"k"``,
    ``"target_coeffs"`` (the start of :func:`qrun_view`'s and :func:`qiren_view`'s dicts)."""
    x, y = sine_target(frequencies, n_points)
    return {
        "x": x,
        "target": y,
        "k": fourier.frequency_axis(degree),
        "target_coeffs": fourier.coefficients_from_samples(y, degree=degree),
    }


def _fit_spectrum_figure(
    view: Mapping[str, Any], curves: Mapping[str, Mapping[str, Tensor]], title: str
) -> plot.Figure:
    """The target of ``view`` (:func:`_sine_fit_target`) and ``curves`` (label -> ``"fit"``,
    ``"coeffs"``): fits (left) and spectra (right), ``title`` above."""
    fig = plot.new_figure(10.0, 3.4)
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    fits = {"target": view["target"]} | {label: c["fit"] for label, c in curves.items()}
    plot.series_fit(view["x"], fits, title=f"fit on the {len(view['x'])} training points",
                    ax=left)  # fmt: skip
    coeffs = {"target": view["target_coeffs"]} | {label: c["coeffs"] for label, c in curves.items()}
    plot.spectrum(coeffs, title="spectrum of each curve", ax=right)
    fig.suptitle(title, fontsize=11)
    return fig


def relative_frequency_errors(prediction: Tensor, target: Tensor, ks: Sequence[int]) -> Tensor:
    r""":math:`\Delta_k = |\hat p_k - \hat g_k| / |\hat g_k|` for each ``k`` in ``ks``: how much
    of the target's frequency-:math:`k` component the prediction still misses (Rahaman et al.
    2019). Both are samples on one periodic grid; :math:`\hat\cdot` is the discrete Fourier
    coefficient (:func:`qlearn.fourier.coefficients_from_samples`).

    Example:
        >>> x, y = sine_target((1, 4), n_points=16)
        >>> relative_frequency_errors(torch.sin(x), y, [1, 4]).round(decimals=6) + 0.0
        tensor([0., 1.], dtype=torch.float64)
    """
    err = fourier.coefficients_from_samples(
        torch.as_tensor(prediction, dtype=torch.float64) - target
    )
    ref = fourier.coefficients_from_samples(torch.as_tensor(target, dtype=torch.float64))
    d = (err.shape[0] - 1) // 2
    return torch.stack([err[d + int(k)].abs() / ref[d + int(k)].abs() for k in ks])


def matched_pair(n_reuploads: int, width: int, *, seed: int = 0) -> dict[str, nn.Module]:
    r"""A one-layer Q-RUN network and a tanh MLP (2 hidden layers) with about as many parameters.

    ``QRUN(1, width, 1, n_layers=1, n_reuploads=n_reuploads)`` (scales :math:`3^i`, MLP
    observable) and ``MLP(1, h, 1, n_layers=2, activation="tanh")`` with ``h`` chosen by
    :func:`qlearn.models.match_parameters`; float64, CPU, both from ``seed``.

    Example:
        >>> pair = matched_pair(3, 16)
        >>> {k: m.n_parameters for k, m in pair.items()}
        {'Q-RUN': 189, 'MLP': 193}
    """
    _check_int_range("n_reuploads", n_reuploads, 1, 8)
    _check_int_range("width", width, 1, 256)
    qrun = QRUN(1, width, 1, n_layers=1, n_reuploads=n_reuploads, seed=seed, dtype=torch.float64,
                device="cpu")  # fmt: skip
    factory = partial(MLP, 1, out_features=1, n_layers=2, activation="tanh", seed=seed,
                      dtype=torch.float64, device="cpu")  # fmt: skip
    mlp = match_parameters(factory, qrun.n_parameters, over="hidden_features", rtol=0.5)
    return {"Q-RUN": qrun, "MLP": mlp}


def spectral_bias_view(
    n_reuploads: int = QRUN_DEFAULTS["n_reuploads"],
    width: int = QRUN_DEFAULTS["width"],
    frequencies: tuple[int, ...] = QRUN_TARGET_FREQUENCIES,
    *,
    epochs: int = 600,
    every: int = 20,
    lr: float = 0.01,
    n_points: int = 128,
    seed: int = 0,
) -> dict[str, Any]:
    r"""Train both models of :func:`matched_pair` on :func:`sine_target` and record, every
    ``every`` epochs, the relative error :math:`\Delta_k` of each target frequency
    (:func:`relative_frequency_errors`). Spectral bias shows as :math:`\Delta_k` falling in the
    order of :math:`k`, the high frequencies last or never.

    Returns:
        A dict: ``"frequencies"``, ``"epochs"`` (the recorded epochs) and, per model name,
        ``{"errors": (T, K) tensor, "loss": final MSE, "n_parameters": int}``.
    """
    _check_int_range("epochs", epochs, 1, 100_000)
    _check_int_range("every", every, 1, epochs)
    x, y = sine_target(frequencies, n_points)
    out: dict[str, Any] = {"frequencies": list(frequencies), "epochs": []}
    for name, model in matched_pair(n_reuploads, width, seed=seed).items():
        rows: list[Tensor] = []

        def record(epoch: int, history, model=model, rows=rows) -> None:
            if (epoch + 1) % every == 0:
                with torch.no_grad():
                    rows.append(relative_frequency_errors(model(x[:, None])[:, 0], y, frequencies))

        with _one_thread():
            history = fit(model, x[:, None], y, epochs=epochs, lr=lr, seed=seed,
                          progress=False, callback=record)  # fmt: skip
        out[name] = {"errors": torch.stack(rows), "loss": history.losses[-1],
                     "n_parameters": model.n_parameters}  # fmt: skip
    out["epochs"] = list(range(every, epochs + 1, every))
    return out


def spectral_bias_figure(**kwargs) -> plot.Figure:
    """:math:`\\Delta_k` against the epoch, MLP (left) and Q-RUN (right), of
    :func:`spectral_bias_view` (keyword arguments are passed on)."""
    view = spectral_bias_view(**kwargs)
    fig = plot.new_figure(10.0, 3.3)
    axes = fig.subplots(1, 2, sharey=True)
    for ax, name in zip(axes, ("MLP", "Q-RUN"), strict=True):
        errors = view[name]["errors"]
        series = {f"$k = {k}$": errors[:, i] for i, k in enumerate(view["frequencies"])}
        plot.curves(view["epochs"], series, xlabel="epoch", ylabel=r"relative error $\Delta_k$",
                    ax=ax)  # fmt: skip
        ax.set_yscale("log")
        ax.set_title(f"{name}, {view[name]['n_parameters']} parameters, "
                     f"final MSE {view[name]['loss']:.1e}")  # fmt: skip
    return fig


def qrun_view(
    n_reuploads: int = QRUN_DEFAULTS["n_reuploads"],
    width: int = QRUN_DEFAULTS["width"],
    frequencies: tuple[int, ...] = QRUN_TARGET_FREQUENCIES,
    *,
    epochs: int = 300,
    lr: float = 0.01,
    n_points: int = 128,
    seed: int = 0,
    degree: int = 16,
) -> dict[str, Any]:
    r"""Fit :func:`sine_target` with a Q-RUN network of ``n_reuploads`` and ``width`` and with an
    MLP of the same size (:func:`matched_pair`); return both fits and their spectra.

    The spectra are the discrete Fourier coefficients :math:`|c_k|`, :math:`|k| \le` ``degree``,
    of each curve on the training grid (:func:`qlearn.fourier.coefficients_from_samples`).

    Returns:
        A dict: ``"x"``, ``"target"``, ``"k"``, ``"target_coeffs"``, ``"unit_frequencies"``
        (:math:`\sum_i m_i s_i`, :math:`m_i \in \{-1,0,1\}`, at the initial scales) and per model
        name ``{"fit", "coeffs", "loss", "n_parameters"}``.
    """
    out = _sine_fit_target(frequencies, n_points, degree)
    x, y = out["x"], out["target"]
    for name, model in matched_pair(n_reuploads, width, seed=seed).items():
        if name == "Q-RUN":
            out["unit_frequencies"] = model.net[0].frequencies()
        with _one_thread():
            history = fit(model, x[:, None], y, epochs=epochs, lr=lr, seed=seed, progress=False)
        with torch.no_grad():
            pred = model(x[:, None])[:, 0]
        out[name] = {
            "fit": pred,
            "coeffs": fourier.coefficients_from_samples(pred, degree=degree),
            "loss": history.losses[-1],
            "n_parameters": model.n_parameters,
        }
    return out


def qrun_figure(
    n_reuploads: int = QRUN_DEFAULTS["n_reuploads"],
    width: int = QRUN_DEFAULTS["width"],
    epochs: int = 300,
) -> plot.Figure:
    """The fits (left) and their spectra (right) of :func:`qrun_view`."""
    view = qrun_view(n_reuploads, width, epochs=epochs)
    curves = {f"{name} (MSE {view[name]['loss']:.1e})": view[name] for name in ("Q-RUN", "MLP")}
    return _fit_spectrum_figure(
        view,
        curves,
        f"Q-RUN: {n_reuploads} re-upload{'s' * (n_reuploads > 1)}, width {width}, "
        f"{view['Q-RUN']['n_parameters']} parameters; MLP {view['MLP']['n_parameters']}",
    )


def qrun_explorer() -> ipywidgets.interactive:
    """Sliders for the re-upload count and hidden width of :func:`qrun_figure`."""
    return ipywidgets.interactive(
        qrun_figure,
        n_reuploads=ipywidgets.IntSlider(value=QRUN_DEFAULTS["n_reuploads"], min=1, max=5,
                                         description="re-uploads n", continuous_update=False),
        width=ipywidgets.IntSlider(value=QRUN_DEFAULTS["width"], min=2, max=32,
                                   description="width", continuous_update=False),
        epochs=ipywidgets.fixed(300),
    )  # fmt: skip


def unit_frequency_vectors(
    n_reuploads: int = 2, weight: Sequence[int] = (1, 2), *, tol: float = 1e-9, seed: int = 0
) -> dict[str, Any]:
    r"""Measure the frequency vectors of one multilinear Q-RUN unit of ``len(weight)`` inputs.

    The unit is ``QRUNLayer(d, 1, n_reuploads, observable="multilinear")`` with scales
    :math:`3^i`, its weight vector set to the integer ``weight`` :math:`w` and bias 0, so that it
    is :math:`2\pi`-periodic in every input. Its Fourier coefficients are measured on a periodic
    grid (:func:`qlearn.fourier.coefficients`, one or two inputs) and every
    :math:`|c_{\mathbf k}| >` ``tol`` is listed. Theory: :math:`\mathbf k = \omega w` for
    :math:`\omega \in \Omega` (:func:`qlearn.models.reupload_frequencies`), at most :math:`3^n`
    vectors on one line, against :math:`3^{dn}` for the circuit it imitates.

    Returns:
        A dict: ``"measured"`` (sorted list of frequency tuples), ``"predicted"`` (the
        :math:`\omega w`), ``"coeffs"`` (the measured complex coefficients), ``"degree"``,
        ``"unit_count"`` (:math:`3^n`) and ``"circuit_count"`` (:math:`3^{dn}`).

    Example:
        >>> v = unit_frequency_vectors(2, (1, 2))
        >>> len(v["measured"]), v["measured"] == v["predicted"], v["circuit_count"]
        (9, True, 81)
    """
    _check_int_range("n_reuploads", n_reuploads, 1, 4)
    w = [int(v) for v in weight]
    if len(w) not in (1, 2) or not any(w):
        raise ValueError(f"weight={weight!r} must be 1 or 2 integers, not all zero.")
    unit = QRUNLayer(len(w), 1, n_reuploads=n_reuploads, observable="multilinear", seed=seed,
                     dtype=torch.float64, device="cpu")  # fmt: skip
    with torch.no_grad():
        unit.linear.weight.copy_(torch.tensor([w], dtype=torch.float64))
        unit.linear.bias.zero_()
    omegas = unit.frequencies()
    degree = int(round(max(omegas))) * max(abs(v) for v in w)
    coeffs = fourier.coefficients(unit, degree, n_inputs=len(w))
    ks = fourier.frequency_axis(degree).to(torch.int64).tolist()
    grid = [(k,) for k in ks] if len(w) == 1 else [(a, b) for a in ks for b in ks]
    mags = coeffs.abs().reshape(-1).tolist()
    measured = sorted(k for k, m in zip(grid, mags, strict=True) if m > tol)
    predicted = sorted({tuple(int(round(o)) * v for v in w) for o in omegas})
    return {
        "measured": measured,
        "predicted": predicted,
        "coeffs": coeffs,
        "degree": degree,
        "unit_count": 3**n_reuploads,
        "circuit_count": frequency_count(n_reuploads, len(w)),
    }


# --------------------------------------------------------------------------------------------
# Chapter 7: shots and noise

from qlearn import hardware as _hw  # noqa: E402

#: The shot counts the explorer offers, and its starting point.
SHOTS_CHOICES = (10, 30, 100, 300, 1000, 3000, 10000)
NOISE_DEFAULTS = {"shots": 1000, "noise_scale": 1.0}


def noise_view(
    shots: int = NOISE_DEFAULTS["shots"],
    noise_scale: float = NOISE_DEFAULTS["noise_scale"],
    *,
    model: nn.Module | None = None,
    n_points: int = 40,
    seed: int = 0,
) -> dict[str, Any]:
    r"""Run a classifier on the noisy emulator with ``shots`` and the chapter's base noise times
    ``noise_scale`` (:data:`qlearn.experiments.hardware.BASE_NOISE`), on ``n_points`` points of
    the ``circle`` data set.

    Args:
        model: a :class:`~qlearn.models.ReuploadingClassifier` (default: the chapter's stored
            trained model, :func:`qlearn.experiments.hardware.load_model`).

    Returns:
        A dict: ``"exact"`` and ``"measured"`` Bloch vectors ``(n_points, 3)``, ``"rmse"``,
        ``"shot_rmse"`` (what shots alone would give, :math:`\sqrt{\overline{1-\langle
        P\rangle^2}/N}`), ``"accuracy"`` and ``"exact_accuracy"``.

    Example:
        >>> v = noise_view(shots=10000, noise_scale=0.0, n_points=10)
        >>> v["measured"].shape, abs(v["rmse"] - v["shot_rmse"]) < 0.01
        (torch.Size([10, 3]), True)
    """
    from qlearn.data import circle
    from qlearn.experiments import hardware as hx

    if isinstance(shots, bool) or not isinstance(shots, int) or shots < 1:
        raise ValueError(f"shots={shots!r} must be a positive integer.")
    if not 0.0 <= noise_scale <= 50.0:
        raise ValueError(f"noise_scale={noise_scale!r} must lie in [0, 50].")
    model = model if model is not None else hx.load_model()
    x, y = circle(n_points, seed=1000 + seed)
    target = _hw.get_target("emulator", noise=hx.BASE_NOISE.scaled(noise_scale))
    res = _hw.run(model, x, target, shots=shots, seed=seed)
    with torch.no_grad():
        exact = model.qnn(x.to(next(model.parameters()).dtype)).to(torch.float64)
    s = hx.score(model, res.values, x, y)
    return {"exact": exact, "measured": res.values, "rmse": s["rmse"],
            "shot_rmse": hx.shot_noise_rmse(model, x, shots), "accuracy": s["accuracy"],
            "exact_accuracy": s["exact_accuracy"]}  # fmt: skip


def noise_figure(
    shots: int = NOISE_DEFAULTS["shots"],
    noise_scale: float = NOISE_DEFAULTS["noise_scale"],
    **kwargs: Any,
) -> plot.Figure:
    """Measured against exact Bloch components of :func:`noise_view` (on the diagonal: no
    error)."""
    view = noise_view(shots, noise_scale, **kwargs)
    fig = plot.new_figure(4.6, 4.2)
    ax = fig.add_subplot(1, 1, 1)
    for j, name in enumerate("XYZ"):
        ax.plot(view["exact"][:, j], view["measured"][:, j], "o", ms=4, alpha=0.7,
                label=rf"$\langle {name}\rangle$")  # fmt: skip
    ax.plot([-1, 1], [-1, 1], "k:", linewidth=1)
    ax.set(xlabel="exact", ylabel="measured", xlim=(-1.05, 1.05), ylim=(-1.05, 1.05))
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(f"{shots} shots, noise ×{noise_scale:g}: RMSE {view['rmse']:.3f} "
                 f"(shots alone {view['shot_rmse']:.3f})\naccuracy {view['accuracy']:.2f} "
                 f"(exact {view['exact_accuracy']:.2f})", fontsize=9)  # fmt: skip
    return fig


def noise_explorer() -> ipywidgets.interactive:
    """Sliders for the shots and the noise strength of :func:`noise_figure`."""
    return ipywidgets.interactive(
        noise_figure,
        shots=ipywidgets.SelectionSlider(options=SHOTS_CHOICES, value=NOISE_DEFAULTS["shots"],
                                         description="shots", continuous_update=False),
        noise_scale=ipywidgets.FloatSlider(value=NOISE_DEFAULTS["noise_scale"], min=0.0,
                                           max=8.0, step=0.5, description="noise ×",
                                           continuous_update=False),
    )  # fmt: skip


__all__ += ["NOISE_DEFAULTS", "SHOTS_CHOICES", "noise_view", "noise_figure", "noise_explorer"]


# --------------------------------------------------------------------------------------------
# Chapter 6: natural quantization -> a neuron's outcome law, a trained network's predictions

from qlearn.data import digits_dataset  # noqa: E402
from qlearn.models.natural import NaturalQuantizedMLP, p_minus, rotation_angle  # noqa: E402

#: Where chapter 6's explorers start: a moderately quantum rotation, the classical readout.
NATURAL_DEFAULTS = {"a": 1.0, "g": math.pi / 2}


def natural_neuron_view(
    a: float = NATURAL_DEFAULTS["a"], g: float = NATURAL_DEFAULTS["g"], *, z_max: float = 3.0,
    n_points: int = 241,
) -> dict[str, Tensor]:  # fmt: skip
    r"""A neuron's outcome law against its pre-activation :math:`z`:
    :math:`P(s=-1 \mid z) = \frac12(1 - \sin g\cos\theta(z; a))` for the given ``a`` and ``g``,
    the same at :math:`g = \pi/2` (rotate and measure), and the classical step (``a = 0``).

    Returns:
        A dict of ``(n_points,)`` tensors: ``"z"``, ``"p_minus"``, ``"p_minus_rotate"``,
        ``"p_minus_classical"`` and ``"mean"`` (:math:`E[s] = 1 - 2P(s=-1)`).

    Example:
        >>> v = natural_neuron_view(a=1.0, g=0.0, n_points=3, z_max=2.0)
        >>> v["p_minus"].tolist(), v["p_minus_classical"].tolist()
        ([0.5, 0.5, 0.5], [1.0, 0.0, 0.0])
    """
    z = torch.linspace(-z_max, z_max, n_points, dtype=torch.float64)
    p = p_minus(rotation_angle(z, a), g)
    return {
        "z": z,
        "p_minus": p,
        "p_minus_rotate": p_minus(rotation_angle(z, a)),
        "p_minus_classical": p_minus(rotation_angle(z, 0.0)),
        "mean": 1 - 2 * p,
    }


def natural_network_view(
    a: float = NATURAL_DEFAULTS["a"],
    g: float = NATURAL_DEFAULTS["g"],
    *,
    width: int = 16,
    n_train: int = 200,
    n_val: int = 400,
    epochs: int = 30,
    n_votes: int = 15,
    n_show: int = 8,
    seed: int = 0,
) -> dict[str, Any]:
    r"""Train a ``[64, w, w, w, 10]`` qubit-neuron network (weak mode, angle ``g``, quantumness
    ``a``, straight-through training) on ``n_train`` 8×8 digits and look at its predictions.

    Returns:
        A dict: ``"val_error"`` (majority of ``n_votes`` passes), ``"val_error_single"`` (one
        pass), ``"images"`` ``(n_show, 8, 8)``, ``"labels"``, ``"predictions"`` and
        ``"vote_share"`` ``(n_show, 10)`` (the fraction of passes voting for each class).

    Example:
        >>> v = natural_network_view(a=0.0, epochs=2, n_train=50, n_val=50, n_show=2)
        >>> v["vote_share"].shape, float(v["vote_share"].sum(1)[0])
        (torch.Size([2, 10]), 1.0)
    """
    from qlearn.experiments.natural import split

    _check_int_range("epochs", epochs, 1, 10_000)
    x, y = digits_dataset()
    xt, yt, xv, yv = split(x, y, n_train, n_val, seed)
    net = NaturalQuantizedMLP([64, width, width, width, 10], a=a, mode="weak", g=g, seed=seed)
    with _one_thread():
        fit(net, xt, yt, loss="cross_entropy", epochs=epochs, lr=1e-2, batch_size=50, seed=seed,
            progress=False)  # fmt: skip
        net.eval()
        votes = net.votes(xv[:n_show], n_votes, seed=seed + 1)
        out = {
            "val_error": net.error(xv, yv, n_votes, seed=seed + 1),
            "val_error_single": net.error(xv, yv, 1, seed=seed + 1),
        }
    return out | {
        "images": xv[:n_show].reshape(-1, 8, 8),
        "labels": yv[:n_show],
        "predictions": votes.argmax(-1),
        "vote_share": votes.double() / n_votes,
    }


def natural_figure(
    a: float = NATURAL_DEFAULTS["a"], g: float = NATURAL_DEFAULTS["g"], epochs: int = 30
) -> plot.Figure:
    """The outcome law (left) and a trained network's validation error and predictions on eight
    validation digits, with the share of votes of its answer (right), of
    :func:`natural_neuron_view` and :func:`natural_network_view`."""
    neuron = natural_neuron_view(a, g)
    net = natural_network_view(a, g, epochs=epochs)
    fig = plot.new_figure(10.5, 3.4)
    grid = fig.add_gridspec(2, 6)
    ax = fig.add_subplot(grid[:, :2])
    plot.curves(neuron["z"], {f"a = {a:g}, g = {g:.2f}": neuron["p_minus"],
                              "classical (a = 0)": neuron["p_minus_classical"]},
                xlabel="pre-activation z", ylabel="P(s = -1 | z)", ax=ax)  # fmt: skip
    ax.set_ylim(-0.03, 1.03)
    for i in range(min(8, len(net["labels"]))):
        sub = fig.add_subplot(grid[i // 4, 2 + i % 4])
        sub.imshow(net["images"][i].numpy(), cmap="gray_r")
        pred, label = int(net["predictions"][i]), int(net["labels"][i])
        share = float(net["vote_share"][i, pred])
        sub.set_title(f"{pred} ({share:.0%})", fontsize=9,
                      color="black" if pred == label else "tab:red")  # fmt: skip
        sub.set_axis_off()
    fig.suptitle(
        f"validation error {net['val_error']:.1%} (majority of 15 passes), "
        f"{net['val_error_single']:.1%} (one pass); red: wrong",
        fontsize=10,
    )
    return fig


def natural_explorer() -> ipywidgets.interactive:
    """Sliders for the quantumness ``a`` and the entanglement angle ``g`` of
    :func:`natural_figure`."""
    return ipywidgets.interactive(
        natural_figure,
        a=ipywidgets.FloatSlider(value=NATURAL_DEFAULTS["a"], min=0.0, max=8.0, step=0.25,
                                 description="a", continuous_update=False),
        g=ipywidgets.FloatSlider(value=NATURAL_DEFAULTS["g"], min=0.0, max=math.pi / 2,
                                 step=0.05, description="g", continuous_update=False),
        epochs=ipywidgets.fixed(30),
    )  # fmt: skip


__all__ += [
    "NATURAL_DEFAULTS",
    "natural_neuron_view",
    "natural_network_view",
    "natural_figure",
    "natural_explorer",
]


# --------------------------------------------------------------------------------------------
# Chapter 5: the QRU's hidden qubits and layers -> hidden-state trajectories and a forecast

#: The start of the QRU explorer (hidden qubits H, variational layers L).
QRU_DEFAULTS = {"hidden_qubits": 3, "n_layers": 2}


def qru_view(
    hidden_qubits: int = QRU_DEFAULTS["hidden_qubits"],
    n_layers: int = QRU_DEFAULTS["n_layers"],
    *,
    epochs: int | None = None,
    lr: float = 0.1,
    n_train: int = 60,
    n_forecast: int = 30,
    seed: int = 0,
) -> dict[str, Any]:
    r"""Train a QRU with ``hidden_qubits`` and ``n_layers`` (U2 gates, as the paper's
    oscillation model) on next-step prediction of the two damped oscillations
    (:func:`qlearn.data.qru_oscillations`, points ``0..n_train``), then forecast the next
    ``n_forecast`` points autoregressively.

    ``epochs`` defaults to ``config.pick(4, 40)`` (fast mode trains only a little).

    Returns:
        A dict: ``"series"`` ``(2, n_train + 1 + n_forecast)``, ``"start"`` (first forecast
        step), ``"forecast"`` ``(2, n_forecast)``, ``"hidden"`` ``(2, n_train + 1, 2H)`` (the
        hidden values :math:`\langle Z\rangle, \langle X\rangle` while reading the context),
        ``"loss"`` (final training MSE), ``"test_mse"``, ``"n_parameters"``, ``"n_qubits"``.

    Example:
        >>> v = qru_view(2, 1, epochs=1, n_train=8, n_forecast=4)
        >>> v["hidden"].shape, v["forecast"].shape, v["n_parameters"], v["n_qubits"]
        (torch.Size([2, 9, 4]), torch.Size([2, 4]), 18, 5)
    """
    from qlearn import config
    from qlearn.data import qru_oscillations
    from qlearn.models import QRU, forecast

    _check_int_range("hidden_qubits", hidden_qubits, 2, 6)
    _check_int_range("n_layers", n_layers, 1, 6)
    _check_int_range("n_train", n_train, 2, 120)
    _check_int_range("n_forecast", n_forecast, 1, 150 - n_train)
    epochs = config.pick(4, 40) if epochs is None else epochs
    series = qru_oscillations(n_train + 1 + n_forecast).to(torch.float32)
    x, y = series[:, :n_train, None], series[:, 1 : n_train + 1]
    model = QRU(1, hidden_qubits, n_layers, layer_gates="u2", block_gate="u2", seed=seed,
                dtype=torch.float32, device="cpu")  # fmt: skip
    with _one_thread():
        history = fit(model, x, y, epochs=epochs, lr=lr, seed=seed, progress=False)
        with torch.no_grad():
            context = series[:, : n_train + 1, None]
            hidden = model.trajectory(context)["hidden"]
            pred = forecast(model, context, n_forecast)
    truth = series[:, n_train + 1 :]
    return {
        "series": series,
        "start": n_train + 1,
        "forecast": pred,
        "hidden": hidden,
        "loss": history.losses[-1] if history.losses else float("nan"),
        "test_mse": float(((pred - truth) ** 2).mean()),
        "n_parameters": model.n_parameters,
        "n_qubits": model.n_qubits,
    }


def qru_figure(
    hidden_qubits: int = QRU_DEFAULTS["hidden_qubits"],
    n_layers: int = QRU_DEFAULTS["n_layers"],
    epochs: int | None = None,
) -> plot.Figure:
    """The hidden values while reading the first oscillation (left) and the forecasts of
    both oscillations (middle, right) of :func:`qru_view`."""
    view = qru_view(hidden_qubits, n_layers, epochs=epochs)
    fig = plot.new_figure(13.0, 3.4)
    axes = [fig.add_subplot(1, 3, i) for i in (1, 2, 3)]
    hidden = view["hidden"][0]
    steps = torch.arange(hidden.shape[0])
    plot.curves(steps, {f"⟨Z⟩ hidden {i}": hidden[:, 2 * i] for i in range(hidden_qubits)},
                xlabel="step $t$", ylabel="hidden value", title="hidden state, series 1",
                ax=axes[0])  # fmt: skip
    axes[0].legend(fontsize=7)
    for k in (0, 1):
        plot.forecast(view["series"][k], view["start"], {"QRU forecast": view["forecast"][k]},
                      title=f"series {k + 1}", ax=axes[k + 1])  # fmt: skip
    fig.suptitle(
        f"QRU: H = {hidden_qubits} hidden qubits, L = {n_layers} layers, "
        f"{view['n_parameters']} parameters, {view['n_qubits']} qubits per step; "
        f"forecast MSE {view['test_mse']:.3g}",
        fontsize=11,
    )
    return fig


def qru_explorer() -> ipywidgets.interactive:
    """Sliders for the hidden qubits and the variational layers of :func:`qru_figure`."""
    return ipywidgets.interactive(
        qru_figure,
        hidden_qubits=ipywidgets.IntSlider(value=QRU_DEFAULTS["hidden_qubits"], min=2, max=5,
                                           description="hidden H", continuous_update=False),
        n_layers=ipywidgets.IntSlider(value=QRU_DEFAULTS["n_layers"], min=1, max=4,
                                      description="layers L", continuous_update=False),
        epochs=ipywidgets.fixed(None),
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Chapter 3: QIREN's qubits (width) and re-uploads -> fit and spectrum

#: The settings chapter 3's explorer starts from (one hybrid layer, then the linear output),
#: and its target :math:`\sin x + \sin 3x + \sin 6x`.
QIREN_DEFAULTS = {"width": 4, "n_reuploads": 3}
QIREN_TARGET_FREQUENCIES = (1, 3, 6)


def qiren_angle_scales(layer) -> Tensor:
    r"""The factors :math:`c_j` with which the angles of a one-input hybrid layer (in
    ``eval()`` mode) follow the input, :math:`a_j = c_j x + d_j`: the Linear weight times
    BatchNorm's :math:`\gamma_j / \sqrt{\sigma_j^2 + \epsilon}` (its running statistics).

    Every :math:`\langle Z\rangle` of the circuit is a trigonometric polynomial in the angles
    with integer frequencies :math:`m_j \in \{-L, \dots, L\}`, so in :math:`x` its frequencies
    are :math:`\sum_j m_j c_j`, the largest :math:`L \sum_j |c_j|`.

    Example:
        >>> from qlearn.models import QIRENLayer
        >>> layer = QIRENLayer(1, 2, batchnorm=False, seed=0, dtype=torch.float64)
        >>> torch.equal(qiren_angle_scales(layer), layer.linear.weight[:, 0].detach())
        True
    """
    if layer.in_features != 1 or layer.linear is None:
        raise ValueError("layer must be a QIRENLayer with one input and its Linear map.")
    c = layer.linear.weight[:, 0].detach().clone()
    if layer.norm is not None:
        c = c * layer.norm.weight.detach() / torch.sqrt(layer.norm.running_var + layer.norm.eps)
    return c


def qiren_view(
    width: int = QIREN_DEFAULTS["width"],
    n_reuploads: int = QIREN_DEFAULTS["n_reuploads"],
    frequencies: tuple[int, ...] = QIREN_TARGET_FREQUENCIES,
    *,
    epochs: int = 200,
    lr: float = 0.03,
    n_points: int = 128,
    seed: int = 0,
    degree: int = 16,
) -> dict[str, Any]:
    r"""Fit :func:`sine_target` with a one-hybrid-layer QIREN of ``width`` qubits and
    ``n_reuploads`` re-uploads (``QIREN(1, 1, width, n_hidden_layers=0, n_reuploads)``, float64,
    Adam, full batch) and return the fit, its spectrum and the angle scales.

    Returns:
        A dict: ``"x"``, ``"target"``, ``"k"``, ``"target_coeffs"``, ``"fit"``, ``"coeffs"``
        (:math:`|c_k|` on the grid, :func:`qlearn.fourier.coefficients_from_samples`),
        ``"loss"`` (MSE in eval mode), ``"n_parameters"``, ``"scales"``
        (:func:`qiren_angle_scales`) and ``"max_frequency"`` :math:`L \sum_j |c_j|`.
    """
    from qlearn.models import QIREN

    _check_int_range("width", width, 1, 8)
    _check_int_range("n_reuploads", n_reuploads, 1, 6)
    _check_int_range("epochs", epochs, 1, 100_000)
    out = _sine_fit_target(frequencies, n_points, degree)
    x, y = out["x"], out["target"]
    model = QIREN(1, 1, width, 0, n_reuploads, seed=seed, dtype=torch.float64, device="cpu")
    with _one_thread():
        fit(model, x[:, None], y, epochs=epochs, lr=lr, seed=seed, progress=False)
        model.calibrate(x[:, None])
        model.eval()
        with torch.no_grad():
            pred = model(x[:, None])[:, 0]
    scales = qiren_angle_scales(model.layers[0])
    return out | {
        "fit": pred,
        "coeffs": fourier.coefficients_from_samples(pred, degree=degree),
        "loss": float(((pred - y) ** 2).mean()),
        "n_parameters": model.n_parameters,
        "scales": scales,
        "max_frequency": float(n_reuploads * scales.abs().sum()),
    }


def qiren_figure(
    width: int = QIREN_DEFAULTS["width"],
    n_reuploads: int = QIREN_DEFAULTS["n_reuploads"],
    epochs: int = 200,
) -> plot.Figure:
    """The fit (left) and the spectra (right) of :func:`qiren_view`."""
    view = qiren_view(width, n_reuploads, epochs=epochs)
    return _fit_spectrum_figure(
        view,
        {f"QIREN (MSE {view['loss']:.1e})": view},
        f"QIREN: {width} qubit{'s' * (width > 1)}, {n_reuploads} re-upload"
        f"{'s' * (n_reuploads > 1)}, {view['n_parameters']} parameters; highest frequency "
        f"reachable L·Σ|c_j| = {view['max_frequency']:.1f}",
    )


def qiren_explorer() -> ipywidgets.interactive:
    """Sliders for the width (qubits) and re-upload count of :func:`qiren_figure`."""
    return ipywidgets.interactive(
        qiren_figure,
        width=ipywidgets.IntSlider(value=QIREN_DEFAULTS["width"], min=1, max=6,
                                   description="qubits", continuous_update=False),
        n_reuploads=ipywidgets.IntSlider(value=QIREN_DEFAULTS["n_reuploads"], min=1, max=4,
                                         description="re-uploads L", continuous_update=False),
        epochs=ipywidgets.fixed(200),
    )  # fmt: skip
