"""A WorkerGateway server for tests: checks the token and the hello as the Java gateway does,
records what the worker sends and lets a test push Tasks and Cancels down the stream."""

from __future__ import annotations

import queue
import re
import socket
import threading
from concurrent import futures
from typing import List, Optional

import grpc

from archipelago_worker._proto import archipelago_pb2 as apb
from archipelago_worker._proto import worker_pb2 as pb
from archipelago_worker._proto import worker_pb2_grpc as pb_grpc

KIND = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def task(task_id: int, encoding: str = "|skip_connect~0|", fidelity: int = 0, attempt: int = 1,
         search_id: str = "s-1", candidate_id: int = 7) -> pb.GatewayMessage:
    candidate = apb.Candidate(
        search_id=search_id, candidate_id=candidate_id, fidelity=fidelity, evaluator_kind="worker:test",
        architecture=apb.Architecture(space="nb201", encoding=encoding))
    return pb.GatewayMessage(task=pb.Task(task_id=task_id, candidate=candidate, attempt=attempt))


def cancel(task_id: int, reason: str) -> pb.GatewayMessage:
    return pb.GatewayMessage(cancel=pb.CancelTask(task_id=task_id, reason=reason))


class FakeGateway(pb_grpc.WorkerGatewayServicer):
    def __init__(self, token: str = "secret", heartbeat_seconds: float = 5.0, port: Optional[int] = None):
        self.token = token
        self.heartbeat_seconds = heartbeat_seconds
        self.port = port or free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.hellos: "queue.Queue[pb.WorkerHello]" = queue.Queue()
        self.received: "queue.Queue[pb.WorkerMessage]" = queue.Queue()  # all but the hello
        self.outbox: "queue.Queue[pb.GatewayMessage]" = queue.Queue()
        self.metadata: List[dict] = []
        self.sessions = 0
        self._server: Optional[grpc.Server] = None

    def start(self) -> "FakeGateway":
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        pb_grpc.add_WorkerGatewayServicer_to_server(self, self._server)
        self._server.add_insecure_port(self.address)
        self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(grace=0).wait(5)
            self._server = None

    def Connect(self, request_iterator, context):  # noqa: N802 - the generated servicer's name
        metadata = dict(context.invocation_metadata())
        self.metadata.append(metadata)
        if metadata.get("authorization") != f"Bearer {self.token}":
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "no or wrong worker token")
        first = next(request_iterator)
        hello = first.hello
        if first.WhichOneof("message") != "hello" or hello.protocol != 1 or not KIND.fullmatch(hello.kind) \
                or not 0 < hello.slots <= 1024:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"bad hello: {hello}")
        self.sessions += 1
        self.hellos.put(hello)
        yield pb.GatewayMessage(welcome=pb.WorkerWelcome(worker_id=f"worker-{self.sessions}",
                                                         heartbeat_seconds=self.heartbeat_seconds))
        ended = threading.Event()

        def read() -> None:
            try:
                for message in request_iterator:
                    self.received.put(message)
            except grpc.RpcError:
                pass
            finally:
                ended.set()

        threading.Thread(target=read, daemon=True).start()
        while not ended.is_set() and context.is_active():
            try:
                yield self.outbox.get(timeout=0.05)
            except queue.Empty:
                pass

    def next(self, kind: str, timeout: float = 5.0, task_id: Optional[int] = None):
        """The next received message of ``kind`` ("progress", "result", "heartbeat"), skipping others."""
        deadline = threading.Event()
        timer = threading.Timer(timeout, deadline.set)
        timer.start()
        try:
            while not deadline.is_set():
                try:
                    message = self.received.get(timeout=0.05)
                except queue.Empty:
                    continue
                if message.WhichOneof("message") == kind:
                    inner = getattr(message, kind)
                    if task_id is None or inner.task_id == task_id:
                        return inner
            raise AssertionError(f"no {kind} message within {timeout} s")
        finally:
            timer.cancel()
