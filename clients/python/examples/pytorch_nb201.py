"""A real training worker: trains the requested NAS-Bench-201 cell on Fashion-MNIST with PyTorch.

    /usr/bin/python3 examples/pytorch_nb201.py --gateway HOST:PORT --slots 1
    # or: /usr/bin/python3 -m archipelago_worker --kind pytorch-nb201 --module examples/pytorch_nb201.py

A search then uses it with `--evaluator worker:pytorch-nb201`. The network is NB201's macro
skeleton (stem, 3 stages of N cells at C, 2C, 4C channels with residual reduction blocks, BN-ReLU,
global pooling, linear) made small by default (C=8, N=1, 2,000 training images) so an evaluation
takes seconds on one CPU thread; request.fidelity is the number of epochs (0: 3).

Settings come from the command line or, for --module use, from ARCHIPELAGO_NB201_* variables
(e.g. ARCHIPELAGO_NB201_CHANNELS=16). Training is seeded from the encoding and the attempt, so
the same task gives the same numbers.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import logging
import os
import struct
import sys
import threading
import zlib
from pathlib import Path
from typing import Dict, List, Tuple

import torch
from torch import nn

try:
    import archipelago_worker
except ImportError:  # run as a script from a checkout: the package sits next to examples/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import archipelago_worker

OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST's pixel statistics


@dataclasses.dataclass
class Settings:
    """What the worker trains with; every field has an ARCHIPELAGO_NB201_<NAME> variable."""

    data_dir: str = "/usr/share/datasets/fashion-mnist"
    channels: int = 8
    cells: int = 1
    train_images: int = 2000
    valid_images: int = 1000
    batch_size: int = 64
    lr: float = 0.05
    weight_decay: float = 5e-4
    default_epochs: int = 3
    threads: int = 1
    device: str = "cpu"

    @classmethod
    def from_env(cls) -> "Settings":
        values = {}
        for field in dataclasses.fields(cls):
            text = os.environ.get(f"ARCHIPELAGO_NB201_{field.name.upper()}")
            if text is not None:
                values[field.name] = type(field.default)(text)
        return cls(**values)


SETTINGS = Settings.from_env()


# ---- the search space ---------------------------------------------------------------------------


def parse_cell(encoding: str) -> List[List[Tuple[str, int]]]:
    """'|op~0|+|op~0|op~1|+|op~0|op~1|op~2|' -> for nodes 1..3, their (op, input node) edges."""
    nodes = []
    for j, group in enumerate(encoding.split("+"), start=1):
        edges = []
        for token in filter(None, group.strip().strip("|").split("|")):
            op, _, source = token.partition("~")
            if op not in OPS or not source.isdigit() or int(source) >= j:
                raise ValueError(f"bad NB201 edge {token!r} for node {j} in {encoding!r}")
            edges.append((op, int(source)))
        nodes.append(edges)
    if len(nodes) != 3 or [len(edges) for edges in nodes] != [1, 2, 3]:
        raise ValueError(f"not an NB201 cell (3 nodes with 1, 2, 3 inputs): {encoding!r}")
    return nodes


class ReLUConvBN(nn.Sequential):
    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int = 1):
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=kernel // 2, bias=False),
            nn.BatchNorm2d(c_out),
        )


class Zero(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mul(0.0)


def make_op(name: str, channels: int) -> nn.Module:
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return ReLUConvBN(channels, channels, 1)
    if name == "nor_conv_3x3":
        return ReLUConvBN(channels, channels, 3)
    return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)  # avg_pool_3x3


class Cell(nn.Module):
    """Node j is the sum over i < j of op(node i); node 0 is the input, node 3 the output."""

    def __init__(self, cell: List[List[Tuple[str, int]]], channels: int):
        super().__init__()
        self.sources = [[source for _, source in edges] for edges in cell]
        self.ops = nn.ModuleList(nn.ModuleList(make_op(op, channels) for op, _ in edges) for edges in cell)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for sources, ops in zip(self.sources, self.ops):
            nodes.append(sum(op(nodes[source]) for op, source in zip(ops, sources)))
        return nodes[-1]


class ResidualReduction(nn.Module):
    """NB201's block between stages: halves the resolution, doubles the channels."""

    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, stride=2)
        self.conv_b = ReLUConvBN(c_out, c_out, 3)
        self.shortcut = nn.Sequential(nn.AvgPool2d(2, stride=2), nn.Conv2d(c_in, c_out, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shortcut(x) + self.conv_b(self.conv_a(x))


class Network(nn.Module):
    def __init__(self, cell: List[List[Tuple[str, int]]], channels: int = 8, cells: int = 1,
                 classes: int = 10, in_channels: int = 1):
        super().__init__()
        layers: List[nn.Module] = [nn.Conv2d(in_channels, channels, 3, padding=1, bias=False),
                                   nn.BatchNorm2d(channels)]
        c = channels
        for stage in range(3):
            if stage > 0:
                layers.append(ResidualReduction(c, c * 2))
                c *= 2
            layers.extend(Cell(cell, c) for _ in range(cells))
        layers += [nn.BatchNorm2d(c), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(c, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


# ---- data ---------------------------------------------------------------------------------------

_data_lock = threading.Lock()
_data: Dict[Tuple[str, int, int], Tuple[torch.Tensor, ...]] = {}


def _read_idx(path: Path) -> torch.Tensor:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = struct.unpack(f">{dims}I", raw[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(raw[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def load_data(settings: Settings) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Train and validation images and labels, both held out of Fashion-MNIST's training set by a
    fixed split (the same for every candidate), loaded once per process."""
    key = (settings.data_dir, settings.train_images, settings.valid_images)
    with _data_lock:
        if key not in _data:
            root = Path(settings.data_dir)
            images = _read_idx(root / "train-images-idx3-ubyte.gz")
            labels = _read_idx(root / "train-labels-idx1-ubyte.gz").long()
            order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
            train = order[:settings.train_images]
            valid = order[settings.train_images:settings.train_images + settings.valid_images]

            def normalised(index: torch.Tensor) -> torch.Tensor:
                return images[index].float().div_(255).sub_(MEAN).div_(STD).unsqueeze(1)

            _data[key] = (normalised(train), labels[train], normalised(valid), labels[valid])
        return _data[key]


# ---- the evaluation -----------------------------------------------------------------------------


def accuracy(net: nn.Module, images: torch.Tensor, labels: torch.Tensor, device: str) -> float:
    net.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(labels), 500):
            logits = net(images[start:start + 500].to(device))
            correct += (logits.argmax(1).cpu() == labels[start:start + 500]).sum().item()
    return 100.0 * correct / max(1, len(labels))


def evaluate(request, report) -> Dict[str, float]:
    """Trains request.encoding for request.fidelity epochs (0: the default), reporting each epoch."""
    settings = SETTINGS
    torch.set_num_threads(settings.threads)
    cell = parse_cell(request.encoding)
    seed = zlib.crc32(f"{request.encoding}#{request.attempt}".encode())
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)  # the weights' initialisation (per process: exact with one slot)
    net = Network(cell, settings.channels, settings.cells).to(settings.device)
    params = float(sum(p.numel() for p in net.parameters()))
    train_x, train_y, valid_x, valid_y = load_data(settings)

    epochs = request.fidelity if request.fidelity > 0 else settings.default_epochs
    batches = (len(train_y) + settings.batch_size - 1) // settings.batch_size
    optimizer = torch.optim.SGD(net.parameters(), lr=settings.lr, momentum=0.9, nesterov=True,
                                weight_decay=settings.weight_decay)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * batches)
    loss_fn = nn.CrossEntropyLoss()
    metrics: Dict[str, float] = {}
    for epoch in range(1, epochs + 1):
        net.train()
        order = torch.randperm(len(train_y), generator=generator)
        total, seen = 0.0, 0
        for start in range(0, len(order), settings.batch_size):
            if request.cancelled.is_set():
                return metrics  # the finished epochs' numbers (empty: the task fails as cancelled)
            index = order[start:start + settings.batch_size]
            images, labels = train_x[index].to(settings.device), train_y[index].to(settings.device)
            loss = loss_fn(net(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(index)
            seen += len(index)
        metrics = {"valid_accuracy": accuracy(net, valid_x, valid_y, settings.device),
                   "train_loss": total / seen, "params": params, "epochs": float(epoch)}
        report(epoch=epoch, valid_accuracy=metrics["valid_accuracy"], train_loss=metrics["train_loss"])
    return metrics


def main() -> None:
    global SETTINGS
    defaults = SETTINGS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gateway", default="127.0.0.1:50051", help="HOST:PORT of the worker gateway")
    parser.add_argument("--slots", type=int, default=1, help="trainings at once (default 1)")
    parser.add_argument("--kind", default="pytorch-nb201", help="evaluator kind (default pytorch-nb201)")
    parser.add_argument("--name", help="worker name (default host:pid)")
    for field in dataclasses.fields(Settings):
        parser.add_argument("--" + field.name.replace("_", "-"), type=type(field.default),
                            default=getattr(defaults, field.name),
                            help=f"default {getattr(defaults, field.name)} (ARCHIPELAGO_NB201_{field.name.upper()})")
    args = parser.parse_args()
    SETTINGS = Settings(**{field.name: getattr(args, field.name) for field in dataclasses.fields(Settings)})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    load_data(SETTINGS)  # fail now, not in the first task, when the data set is missing
    labels = {"torch": torch.__version__, "device": SETTINGS.device, "threads": str(SETTINGS.threads),
              "model": f"nb201-C{SETTINGS.channels}-N{SETTINGS.cells}"}
    try:
        archipelago_worker.serve(args.kind, args.slots, evaluate, gateway=args.gateway, labels=labels, name=args.name)
    except archipelago_worker.WorkerError as error:
        sys.exit(f"pytorch_nb201: {error}")


if __name__ == "__main__":
    main()
