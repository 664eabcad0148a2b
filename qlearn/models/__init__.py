"""Models of the book: quantum (simulated) and classical, all ``torch.nn.Module``\\ s.

Every quantum model exposes the same three things: ``.circuit`` (its IR),
``.to_pennylane()`` (its PennyLane twin) and ``.n_parameters``; :func:`n_parameters` counts
the trainable scalars of any module, so tables can set models side by side at matched sizes.
"""

from qlearn.models.base import QuantumModel, n_parameters
from qlearn.models.drqc import DRQC, ReuploadingClassifier

__all__ = ["DRQC", "QuantumModel", "ReuploadingClassifier", "n_parameters"]
