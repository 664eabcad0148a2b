r"""Data re-uploading quantum circuits as models.

* :class:`DRQC` — the general re-uploading model of :func:`qlearn.ansatz.reuploading`,
  returning :math:`\langle Z_q\rangle` of its first ``out_features`` qubits.
* :class:`ReuploadingClassifier` — the single-qubit classifier of Pérez-Salinas et al. (2020),
  returning the fidelities :math:`F_c = |\langle\psi_c|\psi(x)\rangle|^2` with one target state
  per class. For a qubit with Bloch vector :math:`\vec r` and a target with Bloch vector
  :math:`\vec r_c`, :math:`F_c = (1 + \vec r\cdot\vec r_c)/2`.
"""

from __future__ import annotations

import math

import torch

from qlearn.ansatz import perez_salinas, reuploading
from qlearn.models.base import QuantumModel


class DRQC(QuantumModel):
    """A data re-uploading circuit model: ``(B, in_features) -> (B, out_features)``.

    Args:
        in_features, n_qubits, n_layers: as in :func:`qlearn.ansatz.reuploading`.
        out_features: number of outputs, :math:`\\langle Z_q\\rangle` for q < out_features.
        device, dtype, seed: where, in which precision, and from which seed to initialise.
        **ansatz: ``rotation``, ``block``, ``block_depth``, ``entangler``, ``scaling``,
            ``trainable_scaling``, ``final_block`` (see :func:`~qlearn.ansatz.reuploading`).

    Example:
        >>> import torch
        >>> model = DRQC(in_features=1, n_qubits=1, n_layers=2, seed=0, dtype=torch.float64)
        >>> model(torch.zeros(4)).shape, model.n_parameters
        (torch.Size([4, 1]), 9)
    """

    def __init__(
        self,
        in_features: int,
        n_qubits: int,
        n_layers: int,
        out_features: int = 1,
        *,
        device=None,
        dtype=None,
        seed: int | None = None,
        **ansatz,
    ):
        super().__init__()
        circuit = reuploading(in_features, n_qubits, n_layers, out_features=out_features, **ansatz)
        self._compile(circuit, device=device, dtype=dtype, seed=seed)


def class_targets(n_classes: int) -> torch.Tensor:
    """Bloch vectors of the class target states, spread over the sphere, ``(C, 3)``.

    Two classes: the poles :math:`|0\\rangle, |1\\rangle`; three: an equilateral triangle on a
    great circle; four: a tetrahedron; more: a Fibonacci lattice.
    """
    if n_classes < 2:
        raise ValueError(f"n_classes={n_classes} must be at least 2.")
    if n_classes == 2:
        pts = [[0, 0, 1], [0, 0, -1]]
    elif n_classes == 3:
        pts = [[math.sin(a), 0, math.cos(a)] for a in (0, 2 * math.pi / 3, 4 * math.pi / 3)]
    elif n_classes == 4:
        s = 1 / math.sqrt(3)
        pts = [[s, s, s], [s, -s, -s], [-s, s, -s], [-s, -s, s]]
    else:
        golden = math.pi * (3 - math.sqrt(5))
        pts = []
        for i in range(n_classes):
            z = 1 - 2 * (i + 0.5) / n_classes
            r = math.sqrt(1 - z * z)
            pts.append([r * math.cos(golden * i), r * math.sin(golden * i), z])
    return torch.tensor(pts, dtype=torch.float64)


def fidelity_cost(fidelities: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    r"""The fidelity cost of Pérez-Salinas et al.: :math:`\frac1N \sum_i (1 - F_{y_i}(x_i))^2`.

    Args:
        fidelities: ``(N, C)`` fidelities with the class target states (the output of
            :class:`~qlearn.models.ReuploadingClassifier`).
        labels: ``(N,)`` integer classes.

    Returns:
        The scalar cost; pass the function to :func:`qlearn.train.fit` as ``loss=``.

    Example:
        >>> fidelity_cost(torch.tensor([[1.0, 0.0], [0.5, 0.5]]), torch.tensor([0, 1]))
        tensor(0.1250)
    """
    if fidelities.ndim != 2 or labels.shape != fidelities.shape[:1]:
        raise ValueError(
            f"fidelities has shape {tuple(fidelities.shape)} and labels {tuple(labels.shape)}; "
            "pass (N, C) fidelities and (N,) labels."
        )
    f_true = fidelities.gather(1, labels.to(fidelities.device).long()[:, None])[:, 0]
    return ((1 - f_true) ** 2).mean()


class ReuploadingClassifier(QuantumModel):
    """Pérez-Salinas single-qubit re-uploading classifier: ``(B, d) -> (B, n_classes)``.

    The output row holds the fidelities with the class targets; predict with ``argmax``, train
    with :meth:`fidelity_loss` (the paper's cost :math:`\\sum_i (1 - F_{y_i}(x_i))^2`).

    Example:
        >>> import torch
        >>> clf = ReuploadingClassifier(in_features=2, n_layers=3, n_classes=2, seed=0)
        >>> clf(torch.zeros(5, 2)).shape
        torch.Size([5, 2])
    """

    def __init__(
        self,
        in_features: int = 2,
        n_layers: int = 4,
        n_classes: int = 2,
        *,
        device=None,
        dtype=None,
        seed: int | None = None,
    ):
        super().__init__()
        self._compile(perez_salinas(in_features, n_layers), device=device, dtype=dtype, seed=seed)
        ref = next(self.qnn.parameters())
        self.register_buffer("targets", class_targets(n_classes).to(ref.device, ref.dtype))

    def _readout(self, bloch: torch.Tensor) -> torch.Tensor:
        return (1 + bloch @ self.targets.to(bloch.dtype).T) / 2

    def fidelity_loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean of :math:`(1 - F_{y_i}(x_i))^2` over the batch (:func:`fidelity_cost`)."""
        return fidelity_cost(self(x), torch.as_tensor(y))
