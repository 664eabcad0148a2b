"""qlearn — an executable textbook and teaching kit on quantum and quantum-inspired neural networks.

The library backs every chapter of the book: a batched state-vector simulator for data
re-uploading circuits (:mod:`qlearn.sim`), and the models, experiments and widgets built on it.
"""

from qlearn import config

__all__ = ["config"]
__version__ = "0.1.0"
