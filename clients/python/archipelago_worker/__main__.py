"""Command line: ``/usr/bin/python3 -m archipelago_worker --kind K --slots N (--noop | --module FILE)``.

--noop answers every task at once with {"noop": 1.0}: a worker with no training cost, for
measuring the engine's dispatch throughput. --module FILE serves the ``evaluate`` function
defined in FILE (a path, so user code needs no packaging).
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
from pathlib import Path
from typing import Dict, List, Optional

from . import TOKEN_ENV, WorkerError, serve
from .worker import Evaluate, Report, Request


def noop(request: Request, report: Report) -> Dict[str, float]:
    """Answers at once: what the engine costs per evaluation, without any training."""
    return {"noop": 1.0}


def load_evaluate(path: str) -> Evaluate:
    """The ``evaluate`` function of the Python file at ``path``."""
    spec = importlib.util.spec_from_file_location(Path(path).stem, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"archipelago_worker: cannot load {path} as a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import would: dataclasses and pickle look it up
    spec.loader.exec_module(module)
    evaluate = getattr(module, "evaluate", None)
    if not callable(evaluate):
        raise SystemExit(f"archipelago_worker: {path} defines no evaluate(request, report) function")
    return evaluate


def parse_labels(pairs: List[str]) -> Dict[str, str]:
    labels = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"archipelago_worker: --label wants KEY=VALUE, got {pair!r}")
        labels[key] = value
    return labels


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m archipelago_worker", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", required=True, help="evaluator kind the slots serve, e.g. pytorch-nb201")
    parser.add_argument("--slots", type=int, default=1, help="tasks run at once (default 1)")
    parser.add_argument("--gateway", default="127.0.0.1:50051", help="HOST:PORT of the worker gateway")
    parser.add_argument("--token", help=f"the gateway's token (default ${TOKEN_ENV}; the variable keeps it out of ps)")
    parser.add_argument("--name", help="name in the gateway's logs and results (default host:pid)")
    parser.add_argument("--tls-ca", metavar="FILE",
                        help="PEM of the authority that signed the gateway's certificate: dial with TLS "
                             "(default $ARCHIPELAGO_WORKER_TLS_CA)")
    parser.add_argument("--label", action="append", default=[], metavar="KEY=VALUE",
                        help="label copied into every result, e.g. gpu=A100 (repeatable)")
    parser.add_argument("--no-reconnect", action="store_true", help="exit when the gateway goes away")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--noop", action="store_true", help='answer each task at once with {"noop": 1.0}')
    what.add_argument("--module", metavar="FILE", help="serve evaluate(request, report) from this Python file")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    evaluate = noop if args.noop else load_evaluate(args.module)
    try:
        serve(args.kind, args.slots, evaluate, gateway=args.gateway, token=args.token,
              labels=parse_labels(args.label), name=args.name, reconnect=not args.no_reconnect,
              tls_ca=args.tls_ca)
    except OSError as error:  # e.g. --tls-ca names no readable file
        print(f"archipelago_worker: {error}", file=sys.stderr)
        return 2
    except WorkerError as error:
        print(f"archipelago_worker: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
