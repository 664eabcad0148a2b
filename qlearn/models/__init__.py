"""Models of the book: quantum (simulated) and classical, all ``torch.nn.Module``\\ s.

Every quantum model exposes the same three things: ``.circuit`` (its IR),
``.to_pennylane()`` (its PennyLane twin) and ``.n_parameters``; :func:`n_parameters` counts
the trainable scalars of any module, so tables can set models side by side at matched sizes.
"""

from qlearn.models.base import QuantumModel, n_parameters
from qlearn.models.drqc import DRQC, ReuploadingClassifier

__all__ = ["DRQC", "QuantumModel", "ReuploadingClassifier", "n_parameters"]

from qlearn.models.baselines import (  # noqa: E402
    FAN,
    FFN,
    MLP,
    SIREN,
    FANLayer,
    FourierFeatureMap,
    FourierFeatures,
    SineLayer,
)
from qlearn.models.qrun import (  # noqa: E402
    QRUN,
    QRUNLayer,
    frequency_count,
    replace_linear,
    reupload_frequencies,
)
from qlearn.models.sizing import match_parameters  # noqa: E402

__all__ += [
    "FAN",
    "FFN",
    "MLP",
    "QRUN",
    "SIREN",
    "FANLayer",
    "FourierFeatureMap",
    "FourierFeatures",
    "QRUNLayer",
    "SineLayer",
    "frequency_count",
    "match_parameters",
    "replace_linear",
    "reupload_frequencies",
]

from qlearn.models.natural import (  # noqa: E402
    NaturalQuantizedMLP,
    neuron_circuit,
)

__all__ += ["NaturalQuantizedMLP", "neuron_circuit"]

from qlearn.models.qru import QRU, qru_circuit  # noqa: E402
from qlearn.models.sequence import GRUNet, SmallCNN, forecast, unroll  # noqa: E402

__all__ += ["QRU", "GRUNet", "SmallCNN", "forecast", "qru_circuit", "unroll"]

from qlearn.models.qiren import (  # noqa: E402
    QIREN,
    QIRENLayer,
    qiren_circuit,
    qiren_parameter_count,
)

__all__ += ["QIREN", "QIRENLayer", "qiren_circuit", "qiren_parameter_count"]
