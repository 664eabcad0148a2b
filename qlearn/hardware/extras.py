"""Optional packages: import them on first use, or say exactly what to install.

The **hardware extra** (``pip install -e '.[hardware]'``; ``make setup`` installs it) holds
``qiskit`` and ``qiskit-aer`` (transpilation, noisy simulation), ``qiskit-ibm-runtime`` (IBM's
calibrated fake backends, and submission to IBM Quantum) and ``pennylane-qiskit`` (PennyLane's
``qiskit.aer`` / ``qiskit.remote`` devices). ``qiskit-ibm-runtime`` needs ``python-dateutil<3``,
so the kit pins ``python-dateutil`` 2.9 (``constraints.txt``). Not in the extra:

* Amazon Braket: ``amazon-braket-pennylane-plugin`` (its dependencies do not resolve against the
  kit's pins; install it in a separate environment).

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
        "amazon-braket-pennylane-plugin (pip install amazon-braket-pennylane-plugin, in a "
        "separate environment: it does not resolve against the kit's pinned versions)"
    ),
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
