"""The Python worker against a fake in-process gateway (tests/fake_gateway.py).

Run from clients/python: /usr/bin/python3 -m unittest discover -s tests -v
"""

from __future__ import annotations

import filecmp
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLIENT = HERE.parent
sys.path.insert(0, str(CLIENT))

import grpc  # noqa: E402
import logging  # noqa: E402

import archipelago_worker  # noqa: E402
from archipelago_worker import GatewayLost, Worker, WorkerRefused  # noqa: E402
from fake_gateway import FakeGateway, cancel, task  # noqa: E402

# The worker logs each failed task with its traceback; the tests fail tasks on purpose.
logging.basicConfig(level=os.environ.get("ARCHIPELAGO_TEST_LOG", "ERROR"))


class WorkerCase(unittest.TestCase):
    """Starts a fake gateway per test and runs workers on threads, stopping them afterwards."""

    def setUp(self) -> None:
        self.gateway = FakeGateway(heartbeat_seconds=5.0).start()
        self.addCleanup(lambda: self.gateway.stop())
        self.errors: list = []

    def start_worker(self, evaluate, slots: int = 2, **options) -> Worker:
        options.setdefault("token", "secret")
        options.setdefault("gateway", self.gateway.address)
        worker = Worker("test-kind", slots, evaluate, labels={"gpu": "none"}, name="unit:1",
                        backoff=(0.1, 0.5), **options)

        def run() -> None:
            try:
                worker.run()
            except Exception as error:  # recorded for the test to inspect
                self.errors.append(error)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 5)
        self.addCleanup(worker.stop)
        worker.thread = thread  # type: ignore[attr-defined]
        return worker

    def test_hello_progress_and_result(self) -> None:
        seen = []

        def evaluate(request, report):
            seen.append(request)
            for epoch in range(1, 4):
                report(epoch=epoch, valid_accuracy=10.0 * epoch)
            return {"valid_accuracy": 30.0, "params": 123}

        self.start_worker(evaluate)
        hello = self.gateway.hellos.get(timeout=5)
        self.assertEqual(("test-kind", 2, "unit:1", 1), (hello.kind, hello.slots, hello.name, hello.protocol))
        self.assertEqual({"gpu": "none"}, dict(hello.labels))
        self.assertEqual("Bearer secret", self.gateway.metadata[0]["authorization"])

        self.gateway.outbox.put(task(11, encoding="|nor_conv_3x3~0|", fidelity=4, attempt=2))
        steps = [self.gateway.next("progress", task_id=11) for _ in range(3)]
        self.assertEqual([1, 2, 3], [p.step for p in steps])
        self.assertEqual([10.0, 20.0, 30.0], [p.metrics["valid_accuracy"] for p in steps])
        result = self.gateway.next("result", task_id=11)
        self.assertEqual("", result.failure_reason)
        self.assertEqual({"valid_accuracy": 30.0, "params": 123.0}, dict(result.metrics))

        request = seen[0]
        self.assertEqual(("nb201", "|nor_conv_3x3~0|", 4, "s-1", 7, 2, 11),
                         (request.space, request.encoding, request.fidelity, request.search_id,
                          request.candidate_id, request.attempt, request.task_id))
        self.assertFalse(request.cancelled.is_set())
        with self.assertRaises(Exception):
            request.encoding = "changed"  # read-only

    def test_exception_becomes_failure_and_worker_survives(self) -> None:
        def evaluate(request, report):
            if request.candidate_id == 1:
                raise RuntimeError("out of memory, pretend")
            return {"ok": 1.0}

        self.start_worker(evaluate, slots=1)
        self.gateway.outbox.put(task(1, candidate_id=1))
        self.assertEqual("RuntimeError: out of memory, pretend", self.gateway.next("result", task_id=1).failure_reason)
        self.gateway.outbox.put(task(2, candidate_id=2))
        second = self.gateway.next("result", task_id=2)
        self.assertEqual(("", {"ok": 1.0}), (second.failure_reason, dict(second.metrics)))

    def test_non_increasing_steps_and_bad_metrics_fail_the_task(self) -> None:
        def evaluate(request, report):
            if request.candidate_id == 1:
                report(step=2, loss=1.0)
                report(step=2, loss=0.5)
            return {"loss": float("nan")}

        self.start_worker(evaluate, slots=1)
        self.gateway.outbox.put(task(1, candidate_id=1))
        self.assertIn("ValueError: progress step 2 after step 2", self.gateway.next("result", task_id=1).failure_reason)
        self.gateway.outbox.put(task(2, candidate_id=2))
        self.assertIn("not a finite number", self.gateway.next("result", task_id=2).failure_reason)

    def test_cancel_reaches_request_cancelled(self) -> None:
        started = threading.Event()
        reasons = []

        def evaluate(request, report):
            started.set()
            batches = 0
            while not request.cancelled.wait(0.01) and batches < 500:  # "training" for at most 5 s
                batches += 1
            reasons.append(request.cancelled.reason)
            return {"batches": batches} if request.candidate_id == 1 else {}

        self.start_worker(evaluate)
        self.gateway.outbox.put(task(1, candidate_id=1))
        self.assertTrue(started.wait(5))
        self.gateway.outbox.put(cancel(1, "scheduler stopped it"))
        result = self.gateway.next("result", task_id=1)
        self.assertEqual("", result.failure_reason)  # what it had so far
        self.assertLess(result.metrics["batches"], 500)
        self.assertEqual(["scheduler stopped it"], reasons)

        # cancelled with nothing to show: a failure naming the reason
        started.clear()
        self.gateway.outbox.put(task(2, candidate_id=2))
        self.assertTrue(started.wait(5))
        self.gateway.outbox.put(cancel(2, "search ended"))
        self.assertEqual("cancelled: search ended", self.gateway.next("result", task_id=2).failure_reason)

    def test_wrong_or_missing_token_is_refused_without_retry(self) -> None:
        for token in ("wrong", ""):
            with self.subTest(token=token):
                self.errors.clear()
                worker = self.start_worker(lambda r, p: {"x": 1.0}, token=token)
                worker.thread.join(5)
                self.assertFalse(worker.thread.is_alive(), "a refused worker must not keep retrying")
                self.assertEqual(1, len(self.errors))
                error = self.errors[0]
                self.assertIsInstance(error, WorkerRefused)
                self.assertEqual(grpc.StatusCode.UNAUTHENTICATED, error.code)
                self.assertIn("UNAUTHENTICATED", str(error))
                self.assertIn("wrong worker token", str(error))

    def test_token_defaults_to_environment(self) -> None:
        os.environ[archipelago_worker.TOKEN_ENV] = "secret"
        self.addCleanup(os.environ.pop, archipelago_worker.TOKEN_ENV)
        self.start_worker(lambda r, p: {"x": 1.0}, token=None)
        self.assertEqual("test-kind", self.gateway.hellos.get(timeout=5).kind)

    def test_bad_hello_is_refused(self) -> None:
        worker = Worker("Not A Kind", 1, lambda r, p: {}, gateway=self.gateway.address, token="secret")
        with self.assertRaises(WorkerRefused) as refused:
            worker.run()
        self.assertEqual(grpc.StatusCode.INVALID_ARGUMENT, refused.exception.code)

    def test_heartbeats_arrive(self) -> None:
        self.gateway.heartbeat_seconds = 0.2
        self.start_worker(lambda r, p: {"x": 1.0})
        started = time.monotonic()
        for _ in range(3):
            self.gateway.next("heartbeat", timeout=2)
        self.assertLess(time.monotonic() - started, 1.5)

    def test_reconnects_after_gateway_restart(self) -> None:
        worker = self.start_worker(lambda r, p: {"session": float(r.task_id)})
        self.gateway.hellos.get(timeout=5)
        self.gateway.outbox.put(task(1))
        self.assertEqual(1.0, self.gateway.next("result", task_id=1).metrics["session"])

        self.gateway.stop()
        time.sleep(0.3)  # the worker retries against nothing meanwhile
        self.gateway.start()  # same port, as a restarted node would
        hello = self.gateway.hellos.get(timeout=10)
        self.assertEqual("test-kind", hello.kind)
        self.assertEqual("worker-2", _eventually(lambda: worker.worker_id == "worker-2" and worker.worker_id))
        self.gateway.outbox.put(task(5))
        self.assertEqual(5.0, self.gateway.next("result", task_id=5).metrics["session"])
        self.assertEqual([], self.errors)

    def test_without_reconnect_a_lost_gateway_raises(self) -> None:
        worker = self.start_worker(lambda r, p: {"x": 1.0}, reconnect=False)
        self.gateway.hellos.get(timeout=5)
        self.gateway.stop()
        worker.thread.join(5)
        self.assertFalse(worker.thread.is_alive())
        self.assertIsInstance(self.errors[0], GatewayLost)

    def test_cli_noop_worker_and_sigterm(self) -> None:
        env = dict(os.environ, ARCHIPELAGO_WORKER_TOKEN="secret", PYTHONPATH=str(CLIENT))
        process = subprocess.Popen(
            [sys.executable, "-m", "archipelago_worker", "--kind", "noop", "--slots", "4", "--noop",
             "--gateway", self.gateway.address, "--label", "host=test"],
            cwd=CLIENT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            hello = self.gateway.hellos.get(timeout=10)
            self.assertEqual(("noop", 4, {"host": "test"}), (hello.kind, hello.slots, dict(hello.labels)))
            for task_id in range(1, 21):
                self.gateway.outbox.put(task(task_id))
            results = [self.gateway.next("result") for _ in range(20)]
            self.assertEqual(set(range(1, 21)), {r.task_id for r in results})
            self.assertTrue(all(dict(r.metrics) == {"noop": 1.0} for r in results))
            process.send_signal(signal.SIGTERM)
            self.assertEqual(0, process.wait(5))
        finally:
            if process.poll() is None:
                process.kill()
            output = process.communicate()[0]
        self.assertIn("connected to", output)


def _eventually(condition, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    return condition()


class GeneratedStubsTest(unittest.TestCase):
    def test_regenerating_gives_the_committed_files(self) -> None:
        missing = [tool for tool in ("protoc", "grpc_python_plugin") if shutil.which(tool) is None]
        if missing:
            self.skipTest(f"{' and '.join(missing)} not installed (scripts/install-python-worker.sh installs them)")
        committed = CLIENT / "archipelago_worker" / "_proto"
        with tempfile.TemporaryDirectory() as out:
            subprocess.run(["bash", str(CLIENT / "generate.sh"), out], check=True, capture_output=True)
            names = sorted(p.name for p in Path(out).glob("*.py"))
            self.assertEqual(sorted(p.name for p in committed.glob("*.py")), names)
            match, mismatch, errors = filecmp.cmpfiles(out, committed, names, shallow=False)
            self.assertEqual(([], []), (mismatch, errors), "rerun clients/python/generate.sh and commit")


class PytorchExampleTest(unittest.TestCase):
    """The NB201 example's network builds and trains a step (skipped without Debian's torch)."""

    @classmethod
    def setUpClass(cls) -> None:
        if importlib.util.find_spec("torch") is None:
            raise unittest.SkipTest("torch not importable (Debian's python3-torch, seen by /usr/bin/python3)")
        spec = importlib.util.spec_from_file_location("pytorch_nb201", CLIENT / "examples" / "pytorch_nb201.py")
        cls.example = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = cls.example
        spec.loader.exec_module(cls.example)

    def test_network_builds_and_trains_one_step(self) -> None:
        import torch

        torch.manual_seed(0)
        for encoding in (
            "|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|",
            "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
            "|avg_pool_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|nor_conv_1x1~0|skip_connect~1|avg_pool_3x3~2|",
        ):
            with self.subTest(encoding=encoding):
                net = self.example.Network(self.example.parse_cell(encoding), channels=8, cells=1, classes=10)
                optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True)
                images, labels = torch.randn(16, 1, 28, 28), torch.randint(0, 10, (16,))
                loss = torch.nn.functional.cross_entropy(net(images), labels)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                self.assertTrue(torch.isfinite(loss))
                self.assertEqual((16, 10), tuple(net(images).shape))

    def test_trains_fashion_mnist_through_the_gateway(self) -> None:
        settings = self.example.Settings()
        if not Path(settings.data_dir, "train-images-idx3-ubyte.gz").exists():
            self.skipTest(f"no Fashion-MNIST in {settings.data_dir} (scripts/install-datasets.sh installs it)")
        self.example.SETTINGS = self.example.Settings(train_images=256, valid_images=128, batch_size=64)
        gateway = FakeGateway().start()
        self.addCleanup(gateway.stop)
        worker = Worker("pytorch-nb201", 1, self.example.evaluate, gateway=gateway.address, token="secret")
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 5)
        self.addCleanup(worker.stop)

        encoding = "|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|"
        answers = []
        for task_id in (1, 2):  # the same task twice: the same numbers (seeded by encoding and attempt)
            gateway.outbox.put(task(task_id, encoding=encoding, fidelity=2))
            curve = [gateway.next("progress", timeout=30, task_id=task_id) for _ in range(2)]
            self.assertEqual([1, 2], [p.step for p in curve])
            result = gateway.next("result", timeout=30, task_id=task_id)
            self.assertEqual("", result.failure_reason)
            self.assertEqual({"valid_accuracy", "train_loss", "params", "epochs"}, set(result.metrics))
            self.assertGreater(result.metrics["valid_accuracy"], 10.0)
            answers.append(dict(result.metrics))
        self.assertEqual(answers[0], answers[1])

        # cancelled right away: no epoch finished, so the task fails naming the reason
        self.example.SETTINGS = self.example.Settings(train_images=2000, valid_images=128, batch_size=8)
        gateway.outbox.put(task(3, encoding=encoding, fidelity=50))
        time.sleep(0.2)
        gateway.outbox.put(cancel(3, "stopped early"))
        self.assertEqual("cancelled: stopped early", gateway.next("result", timeout=10, task_id=3).failure_reason)

    def test_bad_encoding_is_rejected(self) -> None:
        with self.assertRaises(ValueError):
            self.example.parse_cell("|conv_9x9~0|+|none~0|none~1|+|none~0|none~1|none~2|")


if __name__ == "__main__":
    unittest.main()
