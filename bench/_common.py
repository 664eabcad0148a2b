"""Helpers shared by the benchmark scripts in ``bench/`` (run as ``python bench/<script>.py``)."""

from __future__ import annotations

import argparse
import json
import os
import platform
from collections.abc import Sequence
from typing import Any

import torch


def cpu_name() -> str:
    """The CPU's model name from ``/proc/cpuinfo``, else ``platform.processor()``."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    """The CPU, its cores and torch's threads, for a benchmark's first line."""
    return f"{cpu_name()} ({os.cpu_count()} cores, {torch.get_num_threads()} threads)"


def add_common_arguments(parser: argparse.ArgumentParser, *, dtype: bool = True) -> None:
    """The options every benchmark ends with: ``--dtype`` (unless ``dtype=False``),
    ``--threads`` and ``--json``."""
    if dtype:
        parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: all)")
    parser.add_argument("--json", default=None, help="also write the results to this file")


def parse(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """The command line's arguments, with torch's threads set from ``--threads``."""
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    return args


def write_json(args: argparse.Namespace, rows: Sequence[dict[str, Any]]) -> None:
    """With ``--json FILE``, write the arguments and the result rows there."""
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(args=vars(args), results=rows), f, indent=2)
