r"""Interactive explorers for the book: thin ipywidgets wrappers around pure functions.

Each explorer comes in three layers, so that the computation is tested and the web book (which
has no running kernel) can show a static picture of the default setting:

* ``*_view(...) -> dict`` computes the data with :mod:`qlearn.sim` (tested by pytest);
* ``*_figure(...) -> Figure`` draws it with :mod:`qlearn.plot`;
* ``*_explorer() -> ipywidgets.interactive`` wires sliders to the figure function.

Example:
    >>> from qlearn.widgets import single_qubit_view
    >>> view = single_qubit_view(theta_x=3.141592653589793, theta_y=0.0, theta_z=0.0)
    >>> view["probs"].round(decimals=6), view["bloch"].round(decimals=6)
    (tensor([0., 1.], dtype=torch.float64), tensor([ 0.,  0., -1.], dtype=torch.float64))
"""

from __future__ import annotations

import math
from typing import Any

import ipywidgets
import torch

from qlearn import fourier, plot
from qlearn.data import evaluate_fourier, fourier_series
from qlearn.models import DRQC
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
