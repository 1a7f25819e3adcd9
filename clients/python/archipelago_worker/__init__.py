"""Archipelago's Python worker: turns a training function into evaluator slots of a search.

    import archipelago_worker

    def evaluate(request, report):
        for epoch in range(1, 4):
            report(epoch=epoch, valid_accuracy=50.0 + epoch)
        return {"valid_accuracy": 53.0}

    archipelago_worker.serve("my-kind", slots=2, evaluate=evaluate)

See README.md for how this maps onto worker.proto's WorkerGateway protocol.
"""

from __future__ import annotations

import signal
import threading
from typing import Mapping, Optional

from .worker import (
    PROTOCOL,
    TLS_CA_ENV,
    TOKEN_ENV,
    Cancelled,
    Evaluate,
    GatewayLost,
    Request,
    Worker,
    WorkerError,
    WorkerRefused,
)

__all__ = [
    "serve",
    "Worker",
    "Request",
    "Cancelled",
    "WorkerError",
    "WorkerRefused",
    "GatewayLost",
    "PROTOCOL",
    "TLS_CA_ENV",
    "TOKEN_ENV",
]


def serve(
    kind: str,
    slots: int,
    evaluate: Evaluate,
    *,
    gateway: str = "127.0.0.1:50051",
    token: Optional[str] = None,
    labels: Optional[Mapping[str, str]] = None,
    name: Optional[str] = None,
    reconnect: bool = True,
    tls_ca: Optional[str] = None,
) -> None:
    """Serves ``slots`` evaluations of ``kind`` at once for the gateway until Ctrl-C or SIGTERM.

    ``evaluate(request, report)`` runs on one of ``slots`` threads per task: ``request`` is a
    read-only Request (space, encoding, fidelity, search_id, candidate_id, attempt and the
    ``cancelled`` event), ``report(step=None, epoch=None, **metrics)`` sends a point of the learning
    curve, and the returned dict of floats is the task's final metrics (an exception fails the task,
    not the worker). ``token`` defaults to $ARCHIPELAGO_WORKER_TOKEN, ``name`` to host:pid;
    ``tls_ca`` (default $ARCHIPELAGO_WORKER_TLS_CA), a PEM file of the authority that signed the
    gateway's certificate, makes the worker dial with TLS.

    Raises WorkerRefused when the gateway refuses the worker (wrong token, bad hello), and
    GatewayLost when the gateway goes away and ``reconnect`` is False.
    """
    worker = Worker(
        kind,
        slots,
        evaluate,
        gateway=gateway,
        token=token,
        labels=labels,
        name=name,
        reconnect=reconnect,
        tls_ca=tls_ca,
    )
    in_main = threading.current_thread() is threading.main_thread()
    previous = None
    if in_main:  # SIGTERM (e.g. from a scheduler) ends the worker as Ctrl-C does

        def on_term(signum, frame):  # noqa: ARG001 - the signal module's signature
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, on_term)
    try:
        worker.run()
    except KeyboardInterrupt:
        worker.stop()
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
