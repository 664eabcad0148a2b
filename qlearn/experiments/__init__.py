"""Experiments of the book: one module per paper, plain functions with a seed and a CLI.

The same function runs in a chapter (small, live), in a test (tiny) and from the command line
(full size, results stored as JSON next to the chapter):

* :mod:`qlearn.experiments.reuploading` — chapter 2: the single-qubit re-uploading classifier of
  Pérez-Salinas et al. (2020) and quantum models as Fourier series (Schuld, Sweke and Meyer 2021).
* :mod:`qlearn.experiments.qrun` — chapter 4: Q-RUN against MLP, SIREN, FFN and FAN at matched
  parameter counts (``python -m qlearn.experiments.qrun <experiment|all> [--full]``).
* :mod:`qlearn.experiments.natural` — chapter 6: natural quantization (arXiv 2503.15482),
  validation error against quantumness and the weak-measurement transition
  (``python -m qlearn.experiments.natural <experiment|all> [--full] [--mnist DIR]``).
* :mod:`qlearn.experiments.common` — what they share: the ``Result`` record, seeds, summaries,
  loading stored results and the command line.
"""
