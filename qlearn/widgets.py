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
from collections.abc import Iterator, Sequence
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
    x, y = sine_target(frequencies, n_points)
    out: dict[str, Any] = {
        "x": x,
        "target": y,
        "k": fourier.frequency_axis(degree),
        "target_coeffs": fourier.coefficients_from_samples(y, degree=degree),
    }
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
    fig = plot.new_figure(10.0, 3.4)
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    labels = {name: f"{name} (MSE {view[name]['loss']:.1e})" for name in ("Q-RUN", "MLP")}
    fits = {"target": view["target"]} | {labels[n]: view[n]["fit"] for n in labels}
    plot.series_fit(view["x"], fits, title="fit on the 128 training points", ax=left)
    plot.spectrum({"target": view["target_coeffs"]} | {n: view[n]["coeffs"] for n in labels},
                  title="spectrum of each curve", ax=right)  # fmt: skip
    fig.suptitle(
        f"Q-RUN: {n_reuploads} re-upload{'s' * (n_reuploads > 1)}, width {width}, "
        f"{view['Q-RUN']['n_parameters']} parameters; MLP {view['MLP']['n_parameters']}",
        fontsize=11,
    )
    return fig


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
    x, y = sine_target(frequencies, n_points)
    model = QIREN(1, 1, width, 0, n_reuploads, seed=seed, dtype=torch.float64, device="cpu")
    with _one_thread():
        fit(model, x[:, None], y, epochs=epochs, lr=lr, seed=seed, progress=False)
        model.calibrate(x[:, None])
        model.eval()
        with torch.no_grad():
            pred = model(x[:, None])[:, 0]
    scales = qiren_angle_scales(model.layers[0])
    return {
        "x": x,
        "target": y,
        "k": fourier.frequency_axis(degree),
        "target_coeffs": fourier.coefficients_from_samples(y, degree=degree),
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
    fig = plot.new_figure(10.0, 3.4)
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    label = f"QIREN (MSE {view['loss']:.1e})"
    plot.series_fit(view["x"], {"target": view["target"], label: view["fit"]},
                    title="fit on the 128 training points", ax=left)  # fmt: skip
    plot.spectrum({"target": view["target_coeffs"], label: view["coeffs"]},
                  title="spectrum of each curve", ax=right)  # fmt: skip
    fig.suptitle(
        f"QIREN: {width} qubit{'s' * (width > 1)}, {n_reuploads} re-upload"
        f"{'s' * (n_reuploads > 1)}, {view['n_parameters']} parameters; highest frequency "
        f"reachable L·Σ|c_j| = {view['max_frequency']:.1f}",
        fontsize=11,
    )
    return fig


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
