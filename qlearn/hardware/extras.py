"""Optional packages: import them on first use, or say exactly what to install.

The fake IBM-style backends need ``qiskit`` and ``qiskit-aer``, the **hardware extra**
(``pip install -e '.[hardware]'``; ``make setup`` installs it). Real devices need more:

* IBM Quantum: ``qiskit-ibm-runtime``. It is not in the extra: through ``ibm-cloud-sdk-core`` it
  needs ``python-dateutil<3``, which conflicts with the pinned ``python-dateutil`` of the kit
  (``constraints.txt``); install it in a separate environment. The same holds for
  ``pennylane-qiskit``, which depends on it.
* Amazon Braket: ``amazon-braket-pennylane-plugin`` (not in the extra: its dependencies do not
  resolve against the kit's pins).

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
    "qiskit_ibm_runtime": (
        "qiskit-ibm-runtime (pip install qiskit-ibm-runtime, in a separate environment: it "
        "needs python-dateutil<3, which conflicts with the kit's pinned python-dateutil)"
    ),
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
