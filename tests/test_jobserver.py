"""The job server runs `python -m analysis` commands in forks with the caller's streams, working
directory and exit code, and refuses what it must not run (the command then runs by itself).

That its outputs equal those of commands run without it is checked on the real pipeline by
test_determinism.py (the second run there has the server switched off).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.workflow import jobserver
from analysis.workflow.jobclient import SOCKET_ENV, delegate, request
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("jobserver")
    path = str(tmp / "jobs.sock")
    log = tmp / "server.log"
    env = dict(os.environ, PYTHONHASHSEED="0")
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "analysis.workflow.jobserver", path, str(os.getpid())],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    for _ in range(600):
        if Path(path).exists() or proc.poll() is not None:
            break
        time.sleep(0.2)
    assert Path(path).exists(), log.read_text()
    yield path, log
    proc.terminate()
    proc.wait(timeout=20)
    assert not Path(path).exists(), "the server removes its socket when it stops"


def _run(args: list[str], path: str, tmp: Path, cwd: Path = ROOT, **env: str):
    out, err = tmp / "out.txt", tmp / "err.txt"
    full = {**os.environ, "PYTHONHASHSEED": "0", SOCKET_ENV: path, **env}
    with open(out, "w") as o, open(err, "w") as e:
        rc = subprocess.run(
            [sys.executable, "-m", "analysis", *args], cwd=cwd, env=full, stdout=o, stderr=e
        ).returncode
    return rc, out.read_text(), err.read_text()


def test_a_command_runs_in_a_fork_with_the_callers_streams(server, tmp_path):
    path, log = server
    rc, out, _ = _run(["--version"], path, tmp_path)
    assert rc == 0 and out.startswith("citydip")
    assert "runs analysis --version" in log.read_text()


def test_exit_codes_and_errors_come_back(server, tmp_path):
    path, log = server
    rc, _, err = _run(["no-such-command"], path, tmp_path)
    assert rc == 2 and "invalid choice" in err
    rc, _, err = _run(["fit", "--spec", str(tmp_path / "missing.yaml")], path, tmp_path)
    assert rc != 0 and err.strip()
    assert "runs analysis no-such-command" in log.read_text()
    for _ in range(50):  # the server logs each fork's end with its exit code and CPU time
        if "ended (exit 2)" in log.read_text():
            break
        time.sleep(0.1)
    assert "ended (exit 2)" in log.read_text() and "CPU " in log.read_text()


def test_another_hash_seed_or_folder_is_refused_and_runs_by_itself(server, tmp_path):
    path, log = server
    rc, out, _ = _run(["--version"], path, tmp_path, PYTHONHASHSEED="1")
    assert rc == 0 and out.startswith("citydip")
    assert "refused (another PYTHONHASHSEED)" in log.read_text()
    os.environ[SOCKET_ENV] = path
    try:
        here = os.getcwd()
        os.chdir(tmp_path)
        assert delegate(["--version"]) is None  # another working directory
    finally:
        os.chdir(here)
        os.environ.pop(SOCKET_ENV)
    assert "refused (another working directory)" in log.read_text()


def test_no_server_means_the_command_runs_here(tmp_path, monkeypatch):
    monkeypatch.setenv(SOCKET_ENV, str(tmp_path / "absent.sock"))
    assert delegate(["--version"]) is None
    monkeypatch.delenv(SOCKET_ENV)
    assert delegate(["--version"]) is None


def test_refusal_reasons():
    stamp = jobserver.code_stamp()
    req = request(["--version"]) | {"cwd": os.getcwd()}
    req["env"] = dict(os.environ)
    assert jobserver.refusal(req, stamp) is None
    assert "interpreter" in jobserver.refusal(req | {"prefix": "/elsewhere"}, stamp)
    changed = dict(stamp)
    changed[next(iter(changed))] += 1
    assert "code changed" in jobserver.refusal(req, changed)


def test_a_killed_client_stops_its_fork(server, tmp_path):
    """Snakemake stops a job by killing its process: the fork must not run on."""
    path, log = server
    env = dict(os.environ, PYTHONHASHSEED="0", **{SOCKET_ENV: path})
    # A long-running command: `readme --check` on a README that waits on a FIFO never ends.
    fifo = tmp_path / "README.md"
    os.mkfifo(fifo)
    client = subprocess.Popen(
        [sys.executable, "-m", "analysis", "readme", "--check", "--readme", str(fifo)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    fork = None
    for _ in range(200):
        lines = [x for x in log.read_text().splitlines() if "runs analysis readme" in x]
        if lines:
            fork = int(lines[-1].split()[3])
            break
        time.sleep(0.1)
    assert fork is not None, log.read_text()
    client.send_signal(signal.SIGTERM)
    client.wait(timeout=10)
    for _ in range(100):
        try:
            os.kill(fork, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"fork {fork} still runs after its client was killed")


def test_blas_pools_take_the_jobs_thread_count():
    """A fork sizes BLAS as the job's own interpreter would from Snakemake's env variables."""
    import numpy as np  # noqa: F401 - loads numpy's BLAS
    from threadpoolctl import threadpool_info, threadpool_limits

    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    assert blas, "numpy's BLAS is loaded"
    before = max(p["num_threads"] for p in blas)
    try:
        jobserver._limit_threads({"OPENBLAS_NUM_THREADS": "1"})
        assert {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"} == {1}
        jobserver._limit_threads({})  # run by hand: nothing set, nothing changed
        assert {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"} == {1}
        # in a fork: the controller the server built before forking does the same
        from threadpoolctl import ThreadpoolController

        jobserver._POOLS.append(ThreadpoolController())
        jobserver._limit_threads({"OPENBLAS_NUM_THREADS": "2"})
        assert {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"} == {2}
    finally:
        jobserver._POOLS.clear()
        threadpool_limits(limits=before, user_api="blas")


def test_arrow_pool_takes_the_jobs_thread_count():
    """Arrow sizes its CPU pool from OMP_NUM_THREADS when it loads; a fork resizes it from the
    job's environment, as the job's own interpreter would have it."""
    import pyarrow as pa

    before = pa.cpu_count()
    try:
        jobserver._limit_threads({"OMP_NUM_THREADS": "1"})
        assert pa.cpu_count() == 1
        jobserver._limit_threads({"OMP_NUM_THREADS": "3"})
        assert pa.cpu_count() == 3
        jobserver._limit_threads({})  # run by hand: nothing set, nothing changed
        assert pa.cpu_count() == 3
    finally:
        pa.set_cpu_count(before)


def test_prebuilt_parser_is_the_one_main_uses(monkeypatch):
    """In the job server the parser is built once before the forks; elsewhere `main` builds
    it per call (so a test's monkeypatched command is the one it runs)."""
    import analysis.__main__ as cli

    monkeypatch.setattr(cli, "_PARSER", None)
    cli.warm_up()
    assert cli._PARSER is not None
    monkeypatch.setattr(cli, "build_parser", lambda: pytest.fail("parser built again"))
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    monkeypatch.setattr(cli, "_PARSER", None)
    with pytest.raises(pytest.fail.Exception):
        cli.main(["--version"])


def test_the_server_loads_blas_with_one_thread():
    # a fork then sizes BLAS for its job from one thread, which starts no spinning worker
    code = (
        "from analysis.workflow import jobserver\n"
        "import os\n"
        "os.environ.pop('OMP_NUM_THREADS', None)\n"
        "jobserver.load_blas_single_threaded()\n"
        "import numpy, scipy.linalg\n"
        "from threadpoolctl import threadpool_info\n"
        "print(sorted({p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != jobserver.BLAS_THREADS}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[1]"
