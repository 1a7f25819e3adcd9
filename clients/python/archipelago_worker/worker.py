"""The worker side of Archipelago's worker protocol (proto/.../archipelago/v1/worker.proto).

One ``Worker`` keeps one ``WorkerGateway.Connect`` stream open, runs the gateway's tasks on
``slots`` threads and answers each with exactly one ``TaskResult``. All outgoing messages go
through one queue that feeds the request iterator: grpcio reads that iterator on its own thread
and a stream must not be written from several threads at once.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import queue
import socket
import threading
from typing import Callable, Dict, Iterator, Mapping, Optional, Tuple, Union

import grpc

from ._proto import worker_pb2 as pb
from ._proto import worker_pb2_grpc as pb_grpc

PROTOCOL = 1
TOKEN_ENV = "ARCHIPELAGO_WORKER_TOKEN"
# A PEM file of the certificate authority that signed a TLS gateway's certificate: set, the worker dials with TLS.
TLS_CA_ENV = "ARCHIPELAGO_WORKER_TLS_CA"

log = logging.getLogger("archipelago_worker")

# Codes that say "this worker is wrong", not "the gateway is away": retrying cannot help.
_FATAL = {
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.UNIMPLEMENTED,
    grpc.StatusCode.FAILED_PRECONDITION,
}


class WorkerError(Exception):
    """The session ended and the worker stops; ``code`` is the gRPC status code (or None)."""

    def __init__(self, message: str, code: Optional[grpc.StatusCode] = None):
        super().__init__(message)
        self.code = code


class WorkerRefused(WorkerError):
    """The gateway refused the worker (wrong token, malformed hello, ...): never retried."""


class GatewayLost(WorkerError):
    """The connection ended (gateway gone or draining) and reconnecting is off."""


class Cancelled(threading.Event):
    """Set when the gateway cancels the task; ``reason`` says why (empty until then)."""

    reason: str = ""

    def cancel(self, reason: str) -> None:
        self.reason = reason
        self.set()


@dataclasses.dataclass(frozen=True)
class Request:
    """What ``evaluate`` is asked to do: one candidate of one search (read-only)."""

    space: str
    encoding: str
    fidelity: int  # evaluator-specific budget, e.g. epochs; 0 asks for your default
    search_id: str
    candidate_id: int
    attempt: int  # 1 = first dispatch of the candidate
    task_id: int
    cancelled: Cancelled = dataclasses.field(default_factory=Cancelled, compare=False)


Report = Callable[..., None]
Metrics = Mapping[str, float]
Evaluate = Callable[[Request, Report], Union[Metrics, Tuple[Metrics, Mapping[str, str]]]]


class _Session:
    """One Connect stream: its outbox, its running tasks and whether it is still open."""

    def __init__(self, hello: pb.WorkerHello):
        self._hello = hello
        self._outbox: "queue.Queue[Optional[pb.WorkerMessage]]" = queue.Queue()
        self.closed = threading.Event()
        self.drained = threading.Event()  # the request iterator has returned
        self.running: Dict[int, Request] = {}
        self.lock = threading.Lock()

    def requests(self) -> Iterator[pb.WorkerMessage]:
        """The request stream: the hello, then whatever ``send`` queued, until ``close``."""
        try:
            yield pb.WorkerMessage(hello=self._hello)
            while True:
                message = self._outbox.get()
                if message is None:
                    return
                yield message
        finally:
            self.drained.set()

    def send(self, message: pb.WorkerMessage) -> None:
        if not self.closed.is_set():  # answers to a closed session's tasks go nowhere
            self._outbox.put(message)

    def close(self) -> None:
        """Half-closes the stream and cancels every task still running in it."""
        if self.closed.is_set():
            return
        self.closed.set()
        self._outbox.put(None)
        with self.lock:
            for request in self.running.values():
                request.cancelled.cancel("the worker's session ended")


def _metrics(values: Mapping[str, float]) -> Dict[str, float]:
    metrics = {str(key): float(value) for key, value in values.items()}
    for key, value in metrics.items():
        if not math.isfinite(value):
            raise ValueError(f"metric {key} = {value} is not a finite number")
    return metrics


class Worker:
    """A worker process's slots of one evaluator kind; ``run`` serves until ``stop`` or an error."""

    def __init__(
        self,
        kind: str,
        slots: int,
        evaluate: Evaluate,
        *,
        gateway: str = "127.0.0.1:50051",
        token: Optional[str] = None,
        labels: Optional[Mapping[str, str]] = None,
        name: Optional[str] = None,
        reconnect: bool = True,
        backoff: Tuple[float, float] = (0.5, 30.0),
        tls_ca: Optional[str] = None,
    ):
        if slots < 1:
            raise ValueError(f"slots must be > 0, got {slots}")
        self.kind = kind
        self.slots = slots
        self.evaluate = evaluate
        self.gateway = gateway
        self.token = token if token is not None else os.environ.get(TOKEN_ENV)
        self.labels = dict(labels or {})
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.reconnect = reconnect
        self.backoff = backoff
        ca = tls_ca if tls_ca is not None else os.environ.get(TLS_CA_ENV)
        # read now: a missing file is the caller's mistake, not a reason to keep reconnecting
        self._tls_roots: Optional[bytes] = None
        if ca:
            with open(ca, "rb") as pem:
                self._tls_roots = pem.read()
        self.worker_id: Optional[str] = None  # the welcome's, once connected
        self._tasks: "queue.Queue[Tuple[_Session, Request]]" = queue.Queue()
        self._stopping = threading.Event()
        self._session: Optional[_Session] = None
        self._call: Optional[grpc.Call] = None
        self._threads_started = False

    # ---- the session loop -------------------------------------------------------------------

    def run(self) -> None:
        """Connects and serves; reconnects (with backoff) while the gateway is away if asked to.

        Returns after ``stop``; raises WorkerRefused when the gateway refuses the worker and
        GatewayLost when the connection ends and ``reconnect`` is off.
        """
        self._start_slots()
        delay = self.backoff[0]
        while not self._stopping.is_set():
            welcomed, code, details = self._connect_once()
            if self._stopping.is_set():
                return
            if code in _FATAL:
                raise WorkerRefused(f"the gateway {self.gateway} refused this worker ({code.name}): {details}", code)
            what = f"{code.name}: {details}" if code is not None else "the gateway ended the session"
            if not self.reconnect:
                raise GatewayLost(f"connection to {self.gateway} ended ({what})", code)
            if welcomed:
                delay = self.backoff[0]
            log.warning("connection to %s ended (%s); reconnecting in %.1f s", self.gateway, what, delay)
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, self.backoff[1])

    def _connect_once(self) -> Tuple[bool, Optional[grpc.StatusCode], str]:
        """One session: returns (welcomed, status code or None for a clean end, details)."""
        hello = pb.WorkerHello(kind=self.kind, slots=self.slots, labels=self.labels, name=self.name, protocol=PROTOCOL)
        session = _Session(hello)
        metadata = [("authorization", f"Bearer {self.token}")] if self.token else []
        welcomed = False
        log.info("connecting to %s as %s (%d %s slot(s))", self.gateway, self.name, self.slots, self.kind)
        channel_of = (
            (lambda: grpc.secure_channel(self.gateway, grpc.ssl_channel_credentials(root_certificates=self._tls_roots)))
            if self._tls_roots is not None
            else (lambda: grpc.insecure_channel(self.gateway))
        )
        with channel_of() as channel:
            call = pb_grpc.WorkerGatewayStub(channel).Connect(session.requests(), metadata=metadata)
            self._session, self._call = session, call
            if self._stopping.is_set():  # stop() ran between the loop's check and here
                call.cancel()
            try:
                for message in call:
                    which = message.WhichOneof("message")
                    if which == "welcome":
                        welcomed = True
                        self._on_welcome(session, message.welcome)
                    elif which == "task":
                        self._on_task(session, message.task)
                    elif which == "cancel":
                        self._on_cancel(session, message.cancel)
                return welcomed, None, ""
            except grpc.RpcError as error:
                return welcomed, error.code(), error.details() or ""
            finally:
                session.close()
                self._session = self._call = None

    def _on_welcome(self, session: _Session, welcome: pb.WorkerWelcome) -> None:
        self.worker_id = welcome.worker_id
        period = welcome.heartbeat_seconds if welcome.heartbeat_seconds > 0 else 10.0
        log.info("connected to %s as %s (heartbeat every %.1f s)", self.gateway, welcome.worker_id, period)

        def beat() -> None:  # any message counts; a Heartbeat every period keeps an idle worker alive
            while not session.closed.wait(period):
                session.send(pb.WorkerMessage(heartbeat=pb.Heartbeat()))

        threading.Thread(target=beat, name="archipelago-heartbeat", daemon=True).start()

    def _on_task(self, session: _Session, task: pb.Task) -> None:
        candidate = task.candidate
        request = Request(
            space=candidate.architecture.space,
            encoding=candidate.architecture.encoding,
            fidelity=candidate.fidelity,
            search_id=candidate.search_id,
            candidate_id=candidate.candidate_id,
            attempt=task.attempt,
            task_id=task.task_id,
        )
        with session.lock:
            session.running[task.task_id] = request
        self._tasks.put((session, request))

    def _on_cancel(self, session: _Session, cancel: pb.CancelTask) -> None:
        with session.lock:
            request = session.running.get(cancel.task_id)
        if request is not None:
            request.cancelled.cancel(cancel.reason or "cancelled by the gateway")

    # ---- slots ------------------------------------------------------------------------------

    def _start_slots(self) -> None:
        # Daemon threads: an evaluate that ignores `cancelled` must not keep the process alive.
        if not self._threads_started:
            self._threads_started = True
            for slot in range(self.slots):
                threading.Thread(target=self._slot, name=f"archipelago-slot-{slot}", daemon=True).start()

    def _slot(self) -> None:
        while True:
            session, request = self._tasks.get()
            result = self._evaluate(session, request)
            with session.lock:
                session.running.pop(request.task_id, None)
            session.send(pb.WorkerMessage(result=result))

    def _evaluate(self, session: _Session, request: Request) -> pb.TaskResult:
        """Runs ``evaluate`` for one task; any exception becomes the result's failure_reason."""
        result = pb.TaskResult(task_id=request.task_id)
        if request.cancelled.is_set():
            result.failure_reason = f"cancelled before it started: {request.cancelled.reason}"
            return result
        last_step = 0

        def report(step: Optional[int] = None, epoch: Optional[int] = None, **metrics: float) -> None:
            """Sends one TaskProgress: a point of the learning curve (step defaults to the next)."""
            nonlocal last_step
            at = step if step is not None else epoch if epoch is not None else last_step + 1
            if at <= last_step:
                raise ValueError(f"progress step {at} after step {last_step}: steps must increase")
            last_step = at
            progress = pb.TaskProgress(task_id=request.task_id, step=at, metrics=_metrics(metrics))
            session.send(pb.WorkerMessage(progress=progress))

        try:
            answer = self.evaluate(request, report)
            labels: Mapping[str, str] = {}
            if isinstance(answer, tuple):
                answer, labels = answer
            if not isinstance(answer, Mapping):
                raise TypeError(f"evaluate returned {type(answer).__name__}, not a dict of metrics")
            result.metrics.update(_metrics(answer))
            result.labels.update({str(k): str(v) for k, v in labels.items()})
            if not result.metrics and request.cancelled.is_set():
                result.failure_reason = f"cancelled: {request.cancelled.reason}"
        except Exception as error:  # the worker survives its evaluations' failures
            log.warning("task %d (%s) failed", request.task_id, request.encoding, exc_info=True)
            result.Clear()
            result.task_id = request.task_id
            result.failure_reason = f"{type(error).__name__}: {error}"
        return result

    # ---- stopping ---------------------------------------------------------------------------

    def stop(self, grace: float = 1.0) -> None:
        """Ends serving: cancels running tasks, closes the stream (flushing queued messages for up
        to ``grace`` seconds) and cancels the call. Safe from any thread or a signal handler."""
        self._stopping.set()
        session, call = self._session, self._call
        if session is not None:
            session.close()
            session.drained.wait(grace)
        if call is not None:
            call.cancel()
