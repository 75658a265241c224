"""Scale-out: the smoke spec trains data-parallel on 2 ranks through torchrun and Ludwig's accelerate strategy.

Real runs on 127.0.0.1 with the tiny model (gloo on CPU): 2 processes on one machine, 2 "machines"
(two `torchrun --nnodes 2` invocations with their own project directories), a single process for
comparison, and the stock `ludwig train` under torchrun as the negative control that the checks can
tell apart from DDP. tests/dist_probe.py records each rank's training rows and final adapter.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml

from plugins.local_server import free_port
from plugins.ludwig import distributed
from tests.conftest import REPO, make_project, offline_env, run_module

SMOKE = "specs/smoke-tiny.yaml"
TORCHRUN = str(Path(sys.executable).with_name("torchrun"))
TIMEOUT = 900


def rank_env() -> dict:
    env = offline_env()
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.pop("ACCELERATE_USE_CPU", None)  # plugins/ludwig/distributed.py sets it when there is no GPU
    return env


def torchrun_args(*args: str, nproc: int = 2, nnodes: int = 1, node_rank: int = 0, port: int | None = None) -> list:
    if nnodes == 1 and port is None:
        launch = ["--standalone", "--nproc_per_node", str(nproc)]  # what `make train NPROC=2` runs
    else:
        launch = ["--nproc_per_node", str(nproc), "--nnodes", str(nnodes), "--node_rank", str(node_rank),
                  "--master_addr", "127.0.0.1", "--master_port", str(port)]
    return [TORCHRUN, *launch, *args]


def probed(out: Path, *module_and_args: str) -> list[str]:
    return ["-m", "tests.dist_probe", str(out), *module_and_args]


def run(cmd: list, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=cwd, env=rank_env(), capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-5000:])
    return result


def probe(out: Path, rank: int) -> tuple[list[tuple], dict]:
    rows = [tuple(r) for r in json.loads((out / f"rank{rank}.json").read_text())["rows"]]
    return rows, torch.load(out / f"rank{rank}.pt")


def the_run(project: Path) -> Path:
    runs = [p for p in (project / "runs" / "smoke-tiny").iterdir() if p.name != "latest"]
    assert len(runs) == 1, runs
    return runs[0]


def layout(run: Path) -> set[str]:
    """The run's files; TensorBoard event files are named by time and process id."""
    return {re.sub(r"tfevents\..*", "tfevents", str(p.relative_to(run))) for p in run.rglob("*") if p.is_file()}


def final_training_loss(run: Path) -> float:
    return json.loads((run / "ludwig" / "training_statistics.json").read_text())["training"]["combined"]["loss"][-1]


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    """Today's single-process `make train` of the smoke spec (no torchrun), observed by the probe."""
    root = tmp_path_factory.mktemp("single")
    project, out = make_project(root / "project"), root / "probe"
    result = run([sys.executable, *probed(out, "plugins.train", SMOKE)], project)
    return project, the_run(project), out, result


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory):
    """`make train NPROC=2`: 2 processes on one machine."""
    root = tmp_path_factory.mktemp("ddp")
    project, out = make_project(root / "project"), root / "probe"
    result = run(torchrun_args(*probed(out, "plugins.train", SMOKE)), project)
    return project, the_run(project), out, result


@pytest.fixture(scope="module")
def two_nodes(tmp_path_factory):
    """Two machines simulated on one: a torchrun with --nnodes 2 per node rank, each in its own project
    directory (the same spec, data file and base model, as on real machines), rendezvous on 127.0.0.1."""
    root = tmp_path_factory.mktemp("nodes")
    port = free_port()
    nodes = []
    for node_rank in (0, 1):
        project = make_project(root / f"node{node_rank}")
        cmd = torchrun_args(*probed(root / "probe", "plugins.train", SMOKE), nproc=1, nnodes=2,
                            node_rank=node_rank, port=port)
        nodes.append((project, subprocess.Popen(cmd, cwd=project, env=rank_env(), stdout=subprocess.PIPE,
                                                stderr=subprocess.STDOUT, text=True)))
    outputs = [proc.communicate(timeout=TIMEOUT)[0] for _, proc in nodes]
    for (_, proc), output in zip(nodes, outputs):
        assert proc.returncode == 0, output[-5000:]
    return nodes[0][0], nodes[1][0], root / "probe", outputs


def check_data_parallel(single, project: Path, out: Path) -> None:
    """Both ranks trained, each epoch on disjoint halves of the training rows (together all of them),
    and ended with identical adapters."""
    _, _, single_out, _ = single
    every_row = set(probe(single_out, 0)[0][:20])
    assert len(every_row) == 20  # the smoke spec's training split
    rows0, adapter0 = probe(out, 0)
    rows1, adapter1 = probe(out, 1)
    assert len(rows0) == len(rows1) == 20  # 10 rows per epoch each, 2 epochs
    for epoch in (slice(0, 10), slice(10, 20)):  # the sampler reshuffles each epoch
        assert set(rows0[epoch]).isdisjoint(rows1[epoch])
        assert set(rows0[epoch]) | set(rows1[epoch]) == every_row
    assert adapter0.keys() == adapter1.keys() and len(adapter0) > 0
    for name in adapter0:
        assert torch.equal(adapter0[name], adapter1[name]), name
    assert any(adapter0[k].abs().sum() > 0 for k in adapter0 if "lora_B" in k)  # they did train


def test_two_ranks_train_disjoint_halves_into_identical_adapters(single, two_ranks):
    project, run, out, result = two_ranks
    check_data_parallel(single, project, out)
    assert "[rank 0/2] " in result.stdout and "[rank 1/2] " in result.stdout  # every rank logs with its rank
    assert "[rank 1/2] rank 1 done" in result.stdout


def test_two_ranks_write_one_run_like_a_single_process(single, two_ranks):
    """One run directory, by rank 0, identical in form to a single-process run; the summary records the
    effective batch (the spec's 2: 1 per rank x 2 ranks x 1 accumulation)."""
    _, single_run, _, single_result = single
    project, run, _, result = two_ranks
    assert layout(run) == layout(single_run)
    assert (project / "runs" / "latest").resolve() == run
    summary = json.loads((run / "summary.json").read_text())
    assert summary["effective_batch_size"] == 2
    assert summary["scale_out"] == {"ranks": 2, "nodes": 1, "batch_size_per_rank": 1,
                                    "gradient_accumulation_steps": 1, "effective_batch_size": 2,
                                    "learning_rate_scaling": "constant"}
    assert "effective batch: 1 per rank x 2 rank(s) x 1 accumulation = 2" in result.stdout
    single_summary = json.loads((single_run / "summary.json").read_text())
    assert single_summary["scale_out"]["ranks"] == 1 and single_summary["effective_batch_size"] == 2
    assert "effective batch: 2 per rank x 1 rank(s) x 1 accumulation = 2" in single_result.stdout
    assert "[rank" not in single_result.stdout  # the single process is today's run, unprefixed
    assert summary.keys() == single_summary.keys() and summary["data"] == single_summary["data"]
    assert summary["data_sha256"] == single_summary["data_sha256"]


def test_two_ranks_match_single_process_loss(single, two_ranks):
    """Same effective batch, same seed: the final training loss stays within a small tolerance (the same
    rows make each step; DDP averages per-rank mean losses, a single process one mean over both rows)."""
    single_loss, ddp_loss = final_training_loss(single[1]), final_training_loss(two_ranks[1])
    assert ddp_loss == pytest.approx(single_loss, rel=0.05)
    assert json.loads((two_ranks[1] / "ludwig" / "model" / "training_progress.json").read_text())["steps"] == \
        json.loads((single[1] / "ludwig" / "model" / "training_progress.json").read_text())["steps"]


def test_predict_works_on_a_data_parallel_run(two_ranks):
    project, run, _, _ = two_ranks
    result = run_module(project, "plugins.ludwig.cli", "predict", "--model_path", str(run / "ludwig" / "model"),
                        "--dataset", str(run / "data" / "dataset.csv"), "--split", "test",
                        "--output_directory", str(run / "predict"), "--skip_save_unprocessed_output")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (run / "predict" / "predictions.parquet").is_file()


def test_two_nodes_train_data_parallel(single, two_nodes):
    """`torchrun --nnodes 2` on node ranks 0 and 1: the same checks; only node 0 writes a run."""
    node0, node1, out, outputs = two_nodes
    check_data_parallel(single, node0, out)
    run = the_run(node0)
    assert layout(run) == layout(single[1])
    assert json.loads((run / "summary.json").read_text())["scale_out"]["nodes"] == 2
    assert not (node1 / "runs").exists()
    assert "[rank 1/2] " in outputs[1]


def test_stock_ludwig_under_torchrun_trains_independent_copies(two_ranks, tmp_path):
    """The negative control: plain `torchrun ... ludwig train` exits 0, but each rank trains on every row
    and writes its own model: what the checks above rule out."""
    project, ddp_run, _, _ = two_ranks
    config = yaml.safe_load((REPO / SMOKE).read_text())
    config.pop("medical_llm")
    config["trainer"]["epochs"] = 1
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(config))
    out = tmp_path / "probe"
    run(torchrun_args(*probed(out, "ludwig.cli", "train", "--config", str(tmp_path / "spec.yaml"), "--dataset",
                              str(ddp_run / "data" / "dataset.csv"), "--output_directory", str(tmp_path / "results"),
                              "--skip_save_processed_input")), project)
    rows0, _ = probe(out, 0)
    rows1, _ = probe(out, 1)
    assert len(rows0) == len(rows1) == len(set(rows0)) == 20 and set(rows0) == set(rows1)  # 1 epoch, every row
    # each rank writes a model of its own; Ludwig picks the output folder by looking for a free name, so two ranks
    # starting in the same instant may both pick experiment_run and write over each other (seen once on a fresh clone)
    assert 1 <= len(list((tmp_path / "results").glob("*/model/model_weights/adapter_model.safetensors"))) <= 2


def test_accelerate_needs_use_cpu_to_distribute_on_cpu(tmp_path):
    """Why setup() sets ACCELERATE_USE_CPU=true without a GPU: otherwise accelerate sees one process."""
    if torch.cuda.is_available():
        pytest.skip("on a GPU machine accelerate distributes over NCCL without it")
    script = tmp_path / "probe_accelerate.py"
    script.write_text("import os, sys\nfrom accelerate import Accelerator\na = Accelerator()\n"
                      "open(f'{sys.argv[1]}-{os.environ[\"RANK\"]}', 'w').write(f'{a.num_processes}')\n")
    seen = {}
    for use_cpu in (None, "true"):
        env = rank_env()
        if use_cpu:
            env["ACCELERATE_USE_CPU"] = use_cpu
        out = tmp_path / f"seen-{use_cpu}"
        result = subprocess.run([TORCHRUN, "--standalone", "--nproc_per_node", "2", str(script), str(out)], env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        seen[use_cpu] = [[str(r), Path(f"{out}-{r}").read_text()] for r in (0, 1)]
    assert seen[None] == [["0", "1"], ["1", "1"]]
    assert seen["true"] == [["0", "2"], ["1", "2"]]


def test_ddp_does_not_forward_the_tokenizer(tmp_path):
    """Why DataParallelBackend gives the DDP wrapper the model's tokenizer: Ludwig's LLM evaluation reads
    `dist_model.tokenizer`, and DDP forwards no attributes of the model it wraps."""
    code = (
        "import torch, torch.distributed as dist\n"
        f"dist.init_process_group('gloo', init_method='tcp://127.0.0.1:{free_port()}', rank=0, world_size=1)\n"
        "m = torch.nn.Linear(2, 2); m.tokenizer = 'tok'\n"
        "d = torch.nn.parallel.DistributedDataParallel(m)\n"
        "print('FORWARDED', hasattr(d, 'tokenizer'))\n"
        "dist.destroy_process_group()\n")
    result = subprocess.run([sys.executable, "-c", code], env=rank_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "FORWARDED False" in result.stdout


def test_ludwig_scales_the_learning_rate_by_ranks_by_default():
    """Why `make train` sets learning_rate_scaling: constant: Ludwig's default multiplies the learning
    rate by the number of ranks, while the project keeps the spec's effective batch."""
    from ludwig.schema.trainer import FineTuneTrainerConfig
    from ludwig.trainers.trainer import learning_rate_scale_fns

    assert FineTuneTrainerConfig().learning_rate_scaling == "linear"
    assert learning_rate_scale_fns["linear"](2) == 2 and learning_rate_scale_fns["constant"](2) == 1


@pytest.mark.parametrize("batch, accumulation, ranks, expected", [
    (2, 4, 1, (2, 4)), (2, 4, 2, (2, 2)), (2, 4, 4, (2, 1)), (2, 4, 8, (1, 1)), (2, 1, 2, (1, 1)),
    (4, 3, 2, (2, 3)), (6, 4, 8, (3, 1)), (3, 2, 3, (1, 2)),
])
def test_per_rank_batch_keeps_the_effective_batch(batch, accumulation, ranks, expected):
    got = distributed.per_rank_batch(batch, accumulation, ranks)
    assert got == expected and got[0] * got[1] * ranks == batch * accumulation


def test_an_effective_batch_that_cannot_be_split_is_refused():
    with pytest.raises(distributed.ScaleOutError, match=r"2 x 4 accumulation = 8\) cannot be split over 3 ranks"):
        distributed.per_rank_batch(2, 4, 3)


def test_single_process_is_todays_command_and_nproc_launches_torchrun():
    def command(*variables: str) -> str:
        out = subprocess.run(["make", "-n", "train", "SPEC=specs/x.yaml", *variables], cwd=REPO, capture_output=True,
                             text=True, timeout=60).stdout
        return [line for line in out.splitlines() if "specs/x.yaml" in line][-1]

    assert command() == ".venv/bin/python -m plugins.train specs/x.yaml"
    assert command("NPROC=2") == ".venv/bin/torchrun --standalone --nproc_per_node 2 -m plugins.train specs/x.yaml"
    assert command("NPROC=2", "NNODES=2", "NODE_RANK=1", "MASTER_ADDR=10.0.0.5", "MASTER_PORT=29400") == (
        ".venv/bin/torchrun --nproc_per_node 2 --nnodes 2 --node_rank 1 --master_addr 10.0.0.5 --master_port 29400 "
        "-m plugins.train specs/x.yaml")


def test_world_from_torchrun_environment():
    assert not distributed.world({}).active
    w = distributed.world({"WORLD_SIZE": "4", "RANK": "3", "LOCAL_RANK": "1", "LOCAL_WORLD_SIZE": "2"})
    assert w.active and not w.coordinator and w.nodes == 2 and w.prefix == "[rank 3/4] "


def test_scale_out_benchmark_smoke(tmp_path):
    """The 1-vs-2-process benchmark runs end to end on the tiny model and writes its report (no timing asserted)."""
    result = subprocess.run([sys.executable, "-m", "benchmarks.scale_out", "--spec", "specs/smoke-tiny.yaml",
                             "--rows", "24", "--repeats", "1", "--out", str(tmp_path)], cwd=REPO, env=offline_env(),
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    [report] = list((tmp_path / "bench").glob("*/scale_out.json"))
    data = json.loads(report.read_text())
    assert len(data["seconds"]["1"]) == len(data["seconds"]["2"]) == 1
    assert data["effective_batch"] == {"1": 2, "2": 2} and data["tokens"] > 0
    assert len(data["all_reduce_seconds"]) == 20 and data["trainable_parameters"] > 0
    assert "2 processes vs 1" in report.with_suffix(".md").read_text()
