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

import ipywidgets
import torch

from qlearn import plot
from qlearn.sim import Circuit
from qlearn.sim import functional as F

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
]

#: The settings the explorers start from (and that the book's static figures show).
SINGLE_QUBIT_DEFAULTS = {"theta_x": 1.0, "theta_y": 0.5, "theta_z": 0.0}
AFFINE_DEFAULTS = {"scale": 2.0, "shift": 0.5}


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
