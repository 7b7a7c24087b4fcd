"""A timing worker in its own process, driven line by line, so rounds interleave across processes.

    python -m tfnotes.bench.worker '{"kind": "keras"|"tf1", "jobs": [...], "warmup": 2}'

It builds every job's step (``keras``: `tfnotes.bench.cases.keras_step` under the
backend of its ``KERAS_BACKEND``; ``tf1``: `tfnotes.bench.tf1_worker.tf1_step`, TF1
graph mode, which needs ``TF_USE_LEGACY_KERAS=1``), runs each `warmup` times, and
prints ``ready``. Then each line ``INDEX CALLS`` on stdin runs job INDEX CALLS times
and prints the seconds per call; ``quit`` (or the end of stdin) ends it. Between
commands it waits on stdin, so it takes no CPU from the variant being timed.
"""

import json
import sys
import time


def build_steps(spec):
    """One blocking ``step()`` per job of `spec`."""
    if spec["kind"] == "tf1":
        from tfnotes.bench.tf1_worker import tf1_step

        return [tf1_step(job["case"], job["size"], job["mode"]) for job in spec["jobs"]]
    from tfnotes.bench.cases import keras_step

    return [keras_step(job["case"], job["implementation"], job["size"], job["mode"], True)
            for job in spec["jobs"]]


def seconds_per_call(step, calls):
    """Wall seconds of one call of `step`, over `calls` calls."""
    start = time.perf_counter()
    for _ in range(calls):
        step()
    return (time.perf_counter() - start) / calls


def main(argv):
    """Serves the timing commands of the coordinator (`tfnotes.bench.remote`)."""
    spec = json.loads(argv[1])
    steps = build_steps(spec)
    for step in steps:
        for _ in range(spec.get("warmup", 2)):
            step()
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        index, calls = (int(value) for value in line.split())
        print(f"{seconds_per_call(steps[index], calls):.9f}", flush=True)


if __name__ == "__main__":
    main(sys.argv)
