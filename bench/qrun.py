"""Throughput of a QRUNLayer against nn.Linear and an MLP of the same parameter count, one run.

Workload: a layer (or network) mapping (batch, width) -> (batch, width); one step is a forward
pass, a mean-square loss and a backward pass. Models timed on the same inputs:

  linear              nn.Linear(width, width)                       the layer Q-RUN replaces
  mlp (matched)       MLP(width, h, width, n_layers=1), h chosen so its parameter count
                      matches the QRUNLayer's (qlearn.models.match_parameters)
  qrun-mlp            QRUNLayer(width, width), observable="mlp"
  qrun-multilinear    QRUNLayer(width, width), observable="multilinear"

It prints the best time per step of several repeats (the models take turns), the throughput
(samples/s) and the ratios to nn.Linear and to the matched MLP (> 1 means slower than it).

    python bench/qrun.py                                  # width 256, batch 4096, CPU
    python bench/qrun.py --width 512 --n-reuploads 4 --device cuda --json out.json
"""

from __future__ import annotations

import argparse
import time
from functools import partial

import torch
from _common import add_common_arguments, machine, parse, write_json
from torch import nn

from qlearn.models import MLP, QRUNLayer, match_parameters, n_parameters


def models(width: int, n_reuploads: int, device, dtype) -> dict[str, nn.Module]:
    kw = dict(device=device, dtype=dtype)
    out: dict[str, nn.Module] = {"linear": nn.Linear(width, width, **kw)}
    for obs in ("mlp", "multilinear"):
        out[f"qrun-{obs}"] = QRUNLayer(
            width, width, n_reuploads=n_reuploads, observable=obs, seed=0, **kw
        )
    budget = n_parameters(out["qrun-mlp"])
    factory = partial(MLP, width, out_features=width, n_layers=1, seed=0, **kw)
    out["mlp (matched)"] = match_parameters(factory, budget, over="hidden_features")
    return out


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def step(model: nn.Module, x: torch.Tensor) -> None:
    model.zero_grad(set_to_none=True)
    model(x).square().mean().backward()


def time_steps(model: nn.Module, x: torch.Tensor, steps: int) -> float:
    """Seconds per forward + backward step, averaged over ``steps`` steps."""
    sync(x.device)
    start = time.perf_counter()
    for _ in range(steps):
        step(model, x)
    sync(x.device)
    return (time.perf_counter() - start) / steps


def benchmark(
    named: dict[str, nn.Module], x: torch.Tensor, steps: int, repeats: int
) -> dict[str, float]:
    """Best seconds per step of each model; the models take turns in every repeat, so a
    change of machine load during the run affects them alike."""
    for model in named.values():
        for _ in range(3):  # warm-up
            step(model, x)
    best = dict.fromkeys(named, float("inf"))
    for _ in range(repeats):
        for name, model in named.items():
            best[name] = min(best[name], time_steps(model, x, steps))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=256, help="in_features = out_features")
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--n-reuploads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=10, help="steps per timed repeat")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats (best is kept)")
    parser.add_argument("--device", default="cpu")
    add_common_arguments(parser)
    args = parse(parser)
    device, dtype = torch.device(args.device), getattr(torch, args.dtype)
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else machine()
    print(
        f"{where}, torch {torch.__version__}; width {args.width}, batch {args.batch}, "
        f"n_reuploads {args.n_reuploads}, {args.dtype}, forward + backward"
    )
    x = torch.randn(args.batch, args.width, device=device, dtype=dtype)
    named = models(args.width, args.n_reuploads, device, dtype)
    params = {name: n_parameters(model) for name, model in named.items()}
    times = benchmark(named, x, args.steps, args.repeats)
    print(f"{'model':18s} {'params':>9s} {'ms/step':>9s} {'samples/s':>11s} "
          f"{'vs linear':>10s} {'vs mlp':>8s}")  # fmt: skip
    for name, t in times.items():
        print(
            f"{name:18s} {params[name]:9d} {1e3 * t:9.3f} {args.batch / t:11.3g} "
            f"{t / times['linear']:9.2f}x {t / times['mlp (matched)']:7.2f}x"
        )
    write_json(args, [
        dict(model=k, parameters=params[k], seconds_per_step=v, device=str(device))
        for k, v in times.items()
    ])  # fmt: skip


if __name__ == "__main__":
    main()
