"""Optional packages: import them on first use, or say exactly what to install.

The **hardware extra** (``pip install -e '.[hardware]'``; ``make setup`` installs it) holds
``qiskit`` and ``qiskit-aer`` (transpilation, noisy simulation), ``qiskit-ibm-runtime`` (IBM's
calibrated fake backends, and submission to IBM Quantum), ``pennylane-qiskit`` (PennyLane's
``qiskit.aer`` / ``qiskit.remote`` devices) and ``amazon-braket-pennylane-plugin`` (Amazon
Braket: PennyLane's ``braket.local.qubit``, Braket's local simulator, and ``braket.aws.qubit``).
``qiskit-ibm-runtime`` needs ``python-dateutil<3``, so the kit pins ``python-dateutil`` 2.9
(``constraints.txt``). The Braket plugin is pinned at 1.31, the last release whose dependencies
resolve against the kit's pins (later ones need ``cloudpickle`` 2.2 through
``amazon-braket-sdk``). Two of its imports predate the kit's other pins, and
:func:`require_braket` bridges both before importing it (see there).

Example:
    >>> require("math", "a doctest").pi > 3
    True
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: What to install for each optional module, and why it is not simply there.
INSTALL = {
    "qiskit": "the hardware extra: pip install -e '.[hardware]' (make setup installs it)",
    "qiskit_aer": "the hardware extra: pip install -e '.[hardware]' (make setup installs it)",
    "qiskit_ibm_runtime": "the hardware extra: pip install -e '.[hardware]' (qiskit-ibm-runtime)",
    "qiskit_ibm_runtime.fake_provider": (
        "the hardware extra: pip install -e '.[hardware]' (qiskit-ibm-runtime)"
    ),
    "pennylane_qiskit": "the hardware extra: pip install -e '.[hardware]' (pennylane-qiskit)",
    "braket.pennylane_plugin": (
        "the hardware extra: pip install -e '.[hardware]' (amazon-braket-pennylane-plugin)"
    ),
    "boto3": "the hardware extra: pip install -e '.[hardware]' (boto3, through the Braket plugin)",
}


class MissingExtraError(ImportError):
    """An optional package that a hardware function needs is not installed."""


def require(module: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` saying what to install.

    Args:
        module: a dotted module name, e.g. ``"qiskit_aer"``.
        purpose: what needs it, for the message (``"the fake backend target"``).
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        what = INSTALL.get(module, module)
        raise MissingExtraError(
            f"{purpose} needs the package {module!r}, which is not installed; install {what}."
        ) from err


def require_braket(purpose: str) -> ModuleType:
    """Import the Amazon Braket PennyLane plugin (registering its ``braket.*`` devices).

    Two bridges come first, each only where needed and neither changing a behaviour:

    * plugin 1.31 does ``from pennylane import QuantumFunctionError``; PennyLane 0.45 keeps that
      class only in ``pennylane.exceptions``, so the same class is named on ``pennylane`` again;
    * ``amazon-braket-sdk`` 1.88 reads ``sys.modules["IPython"].__dict__["get_ipython"]`` when
      IPython is loaded (always, in a notebook); IPython 9.18 defers that function through a
      module ``__getattr__``, so the lookup fails unless the function is stored on the module.
    """
    import sys

    import pennylane as qml

    if not hasattr(qml, "QuantumFunctionError"):
        qml.QuantumFunctionError = qml.exceptions.QuantumFunctionError
    ipython = sys.modules.get("IPython")
    if ipython is not None and "get_ipython" not in vars(ipython):
        getter = getattr(ipython, "get_ipython", None)
        if getter is not None:
            ipython.get_ipython = getter
    return require("braket.pennylane_plugin", purpose)
