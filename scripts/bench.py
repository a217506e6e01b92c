#!/usr/bin/env python3
"""Benchmarks actbench's sweep against this machine's matrix-multiply peak and the per-example
DataLoader + Stack<> pipeline; with --growth, how its cost grows against a PyTorch twin.

usage: scripts/bench.py [--runs N] [--config FILE] [--no-baseline] [--means] [--diagnostics]
                        [--per-activation] [--twin A=B ...] [--binary PATH] [--keep DIR]
                        [-- KEY=VALUE ...]
       scripts/bench.py --growth [runs,width,batch] [--quick] [--growth-repeats N] [--jobs N]
                        [--seed-counts 1,4,16] [--widths 128,...] [--batch-sizes 16,...]
                        [--python PATH] [--binary PATH] [--keep DIR]

Measures the float32 matrix-multiply peak with `actbench peak` (all cores, then one core), times
`actbench run --config FILE` N times (the default configuration), then, unless --no-baseline, once
through the per-example pipeline (data.pipeline=example train.engine=autograd jobs=1); --means
adds one run each of the steps in between (autograd engine with one job, fused engine with one
job); --diagnostics times the default and train.diagnostics=false in turns and prints what the
diagnostics cost; --per-activation prints each activation's median seconds per epoch and --twin
A=B the ratio of A's to B's (a formula activation against its built-in twin). Every timed run
trains (--fresh). Prints one table row per configuration: wall time min/median/max, median seconds per epoch,
training samples per second, GFLOP/s (the sweep's FLOP count, computed from the resolved config,
over the median wall time) and its share of the all-cores peak, the peak RSS of the actbench
process, and the baseline's median wall time over this row's. KEY=VALUE arguments after -- go to
every `actbench run` (e.g. -- train.epochs=1 activations=relu,tanh for a quick try).
The table goes to stdout, progress to stderr; the same numbers go to DIR/bench.json, which stays
(with every run's results.json) only with --keep DIR. Standard library only.

--growth [TABLES] (comma-separated from runs, width, batch; default all three) times, instead of
the table above, how the sweep's cost grows, actbench beside scripts/bench_pytorch.py (the same
sweep written as careful whole-tensor PyTorch, run as a subprocess with the --python interpreter,
which needs torch: Debian's python3-torch), one after the other for every cell:
  runs   4 activations (relu, sigmoid, tanh, leaky_relu) x 1, 4, 16 seeds = 4, 16, 64 runs;
         MLP 784-128-128-10, batch 64, 1 epoch on all 60,000 + 10,000 images
  width  model.hidden=[W,W] for W = 128 ... 4096 (4 runs, seed 0); batch 64, 1 epoch on the first
         6,400 training and 1,000 test images
  batch  train.batch_size = 16, 64, 256, 1024 (4 runs, seed 0); 784-128-128-10, 1 epoch, all data
Both run --jobs N runs side by side (default one per core): actbench jobs=N threads=1 (its
default), PyTorch N worker processes with torch.set_num_threads(1), and each is timed as a whole
process (actbench run --fresh into a fresh temporary --out and --store, XDG_DATA_HOME a temporary
directory; the PyTorch script from interpreter start: torch's import and the data load count, as
LibTorch's load and the data load count for actbench). Each row: both wall times, PyTorch's over
actbench's, and each one's nominal dense GFLOP/s (the same FLOP model as above) as a share of the
all-cores matmul peak. --quick shrinks every table to 1,024 training and 500 test images: a smoke
check in about 2 minutes, not a measurement. About 5-15 minutes in all on a 2-core machine.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))

# Full split sizes of MNIST and Fashion-MNIST (data.train_limit / data.test_limit 0 = all of it).
FULL_TRAIN = 60000
FULL_TEST = 10000

DEFAULT_ROW = ("default", "actbench (default)", [])
NO_DIAGNOSTICS_ROW = ("no-diagnostics", "actbench, train.diagnostics=false",
                      ["train.diagnostics=false"])
MEANS_ROWS = [
    ("autograd-1job", "batch pipeline, autograd, 1 job", ["train.engine=autograd", "jobs=1"]),
    ("fused-1job", "batch pipeline, fused engine, 1 job", ["jobs=1"]),
]
# sweep_parts: where a sweep's time goes.
PARTS = ("forward", "backward", "optimizer", "rest of training", "test", "outside the runs")
BASELINE_ROW = ("baseline", "per-example DataLoader + Stack<>, autograd, 1 job",
                ["data.pipeline=example", "train.engine=autograd", "jobs=1"])

# --growth: how the cost grows, actbench beside scripts/bench_pytorch.py (the same sweep in
# PyTorch). The activations are configs/seed.yaml's four (leaky_relu: slope 0.01 in both).
GROWTH_TABLES = ("runs", "width", "batch")
GROWTH_ACTIVATIONS = ("relu", "sigmoid", "tanh", "leaky_relu")
GROWTH_SEED_COUNTS = (1, 4, 16)
GROWTH_WIDTHS = (128, 256, 512, 1024, 2048, 4096)
GROWTH_BATCH_SIZES = (16, 64, 256, 1024)
GROWTH_EVAL_BATCH = 1000
# Each table's fixed settings, reduced to keep all three at about 5-15 minutes on 2 cores; None:
# the table's axis. train_limit / test_limit 0: the whole split.
GROWTH_SETTINGS = {
    "runs": {"seeds": None, "hidden": [128, 128], "batch_size": 64, "epochs": 1,
             "train_limit": 0, "test_limit": 0},
    "width": {"seeds": 1, "hidden": None, "batch_size": 64, "epochs": 1,
              "train_limit": 6400, "test_limit": 1000},
    "batch": {"seeds": 1, "hidden": [128, 128], "batch_size": None, "epochs": 1,
              "train_limit": 0, "test_limit": 0},
}
GROWTH_QUICK = {"train_limit": 1024, "test_limit": 500}  # --quick: a smoke check
GROWTH_TITLES = {  # the column's label, the table's title
    "runs": ("runs", "seconds against the number of runs (4 activations x k seeds: "
                     "train.seed=0,...,k-1)"),
    "width": ("width", "seconds against the hidden width (model.hidden=[W,W])"),
    "batch": ("batch", "seconds against the batch size (train.batch_size)"),
}
SEED_CONFIG = os.path.join(ROOT, "configs", "seed.yaml")
PYTORCH_SCRIPT = os.path.join(HERE, "bench_pytorch.py")
DEFAULT_PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
MNIST_DIR = os.path.join(ROOT, "data", "mnist")
MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
               "t10k-labels-idx1-ubyte")


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def fail(code, msg):
    log(f"error: {msg}")
    sys.exit(code)


class Parser(argparse.ArgumentParser):
    """argparse with its errors as one line (bench: error: ...), exit 2."""

    def error(self, message):
        fail(2, f"{message} (try --help)")


def parse_args(argv):
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    p = Parser(
        prog="scripts/bench.py",
        description="Time actbench's sweep; compare it with the machine's matmul peak and the "
                    "per-example DataLoader + Stack<> pipeline.",
        epilog="Arguments after -- are KEY=VALUE overrides passed to every `actbench run`, "
               "e.g. scripts/bench.py --runs 1 -- train.epochs=1 activations=relu,tanh")
    p.add_argument("--runs", type=int, metavar="N",
                   help="timed runs of the default configuration (default 3)")
    p.add_argument("--config", metavar="FILE",
                   help="sweep to time (default configs/seed.yaml)")
    p.add_argument("--no-baseline", action="store_true",
                   help="skip the per-example DataLoader + Stack<> baseline")
    p.add_argument("--diagnostics", action="store_true",
                   help="also time the default with train.diagnostics=false (the two taking "
                        "turns, --runs each) and print what the diagnostics cost")
    p.add_argument("--means", action="store_true",
                   help="also time one run of each intermediate configuration")
    p.add_argument("--binary", default=os.path.join(ROOT, "build", "actbench"), metavar="PATH",
                   help="actbench binary (default build/actbench)")
    p.add_argument("--before", metavar="PATH",
                   help="another actbench binary (an earlier build) timed in turns with the "
                        "default, --runs times: both rows and both per-part breakdowns")
    p.add_argument("--per-activation", action="store_true",
                   help="also print each activation's median seconds per epoch (default row)")
    p.add_argument("--twin", action="append", default=[], metavar="A=B",
                   help="print activation A's seconds per epoch as a multiple of activation B's "
                   "(labels; repeatable), e.g. --twin 'Swish (formula)=SiLU'; implies "
                   "--per-activation")
    p.add_argument("--keep", metavar="DIR",
                   help="keep every run's results and bench.json in DIR (default: a temporary "
                        "directory removed at the end)")
    g = p.add_argument_group(
        "how cost grows (--growth; scripts/bench_pytorch.py beside actbench)")
    g.add_argument("--growth", nargs="?", const=",".join(GROWTH_TABLES), metavar="TABLES",
                   help="time the growth tables instead: comma-separated from "
                        f"{', '.join(GROWTH_TABLES)} (default all three)")
    g.add_argument("--quick", action="store_true",
                   help="shrink every growth table to 1,024 training and 500 test images: a "
                        "smoke check, not a measurement")
    g.add_argument("--growth-repeats", type=int, default=1, metavar="N",
                   help="time each cell N times, actbench and PyTorch taking turns, and report "
                        "the medians (default 1)")
    g.add_argument("--jobs", type=int, metavar="N",
                   help="runs side by side for both (default: one per core, as nproc counts)")
    g.add_argument("--seed-counts", metavar="K,...",
                   help="the runs table's seed counts (default 1,4,16: 4, 16, 64 runs)")
    g.add_argument("--widths", metavar="W,...",
                   help="the width table's hidden widths (default 128,256,512,1024,2048,4096)")
    g.add_argument("--batch-sizes", metavar="N,...",
                   help="the batch table's batch sizes (default 16,64,256,1024)")
    g.add_argument("--python", default=DEFAULT_PYTHON, metavar="PATH",
                   help="the Python that runs scripts/bench_pytorch.py; needs torch (default: "
                        "/usr/bin/python3, Debian's, where python3-torch goes)")
    args = p.parse_args(argv)
    bad = [a for a in extra if "=" not in a]
    if bad:
        fail(2, f"arguments after -- must be KEY=VALUE overrides, got: {' '.join(bad)}")
    args.extra = extra
    if args.growth is not None:
        check_growth_args(args)
    else:
        growth_only = [f"--{k.replace('_', '-')}" for k in ("quick", "jobs", "seed_counts",
                                                           "widths", "batch_sizes")
                       if getattr(args, k) not in (None, False)]
        if args.growth_repeats != 1:
            growth_only.append("--growth-repeats")
        if growth_only:
            fail(2, f"{', '.join(growth_only)}: only with --growth")
    if args.runs is None:
        args.runs = 3
    elif args.runs < 1:
        fail(2, f"--runs must be at least 1 (got {args.runs})")
    if args.config is None:
        args.config = os.path.join(ROOT, "configs", "seed.yaml")
    return args


def positive_list(option, text, hi):
    try:
        values = [int(v) for v in text.strip().strip("[]").split(",")]
    except ValueError:
        fail(2, f"{option} takes comma-separated integers, got {text!r}")
    if any(not 1 <= v <= hi for v in values):
        fail(2, f"{option}: every value must be in 1..{hi} (got {text})")
    if len(set(values)) != len(values):
        fail(2, f"{option}: a value is repeated ({text})")
    return values


def check_growth_args(args):
    """--growth's arguments, checked; the options of the default table are refused with it."""
    tables = [t.strip() for t in args.growth.split(",") if t.strip()]
    unknown = [t for t in tables if t not in GROWTH_TABLES]
    if not tables or unknown:
        fail(2, f"--growth takes comma-separated tables from {', '.join(GROWTH_TABLES)}, got "
                f"{args.growth!r}")
    if len(set(tables)) != len(tables):
        fail(2, f"--growth: a table is repeated ({args.growth})")
    args.growth = [t for t in GROWTH_TABLES if t in tables]  # always in the same order
    refused = [name for name, given in (
        ("--runs (use --growth-repeats)", args.runs is not None),
        ("--config (the PyTorch twin runs configs/seed.yaml's settings)", args.config is not None),
        ("--means", args.means), ("--diagnostics", args.diagnostics),
        ("--per-activation", args.per_activation), ("--twin", bool(args.twin)),
        ("--before", args.before is not None),
        ("KEY=VALUE overrides after -- (the PyTorch twin could not follow them)",
         bool(args.extra))) if given]
    if refused:
        fail(2, f"--growth times its own settings; not with {', '.join(refused)}")
    if args.growth_repeats < 1:
        fail(2, f"--growth-repeats must be at least 1 (got {args.growth_repeats})")
    if args.jobs is not None and not 1 <= args.jobs <= 1024:
        fail(2, f"--jobs must be in 1..1024 (got {args.jobs})")
    args.seed_counts = (positive_list("--seed-counts", args.seed_counts, 100000)
                        if args.seed_counts else list(GROWTH_SEED_COUNTS))
    args.widths = (positive_list("--widths", args.widths, 65536) if args.widths
                   else list(GROWTH_WIDTHS))
    args.batch_sizes = (positive_list("--batch-sizes", args.batch_sizes, 1 << 20)
                        if args.batch_sizes else list(GROWTH_BATCH_SIZES))


# --- machine ------------------------------------------------------------------------------------

def nproc():
    try:
        return int(subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout)
    except (OSError, ValueError, subprocess.CalledProcessError):
        return os.cpu_count() or 1


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    return value.strip()
    except OSError:
        pass
    return "unknown CPU"


def versions(binary):
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, cwd=ROOT).stdout
    libtorch = actbench = "unknown"
    for line in out.splitlines():
        if line.startswith("LibTorch "):
            libtorch = line.split(None, 1)[1].strip()
        elif line.startswith("actbench "):
            actbench = line.split(None, 1)[1].strip()
    return actbench, libtorch


def peak(binary, threads=None):
    cmd = [binary, "peak", "--json", "--seconds", "2"]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        tail = "\n".join(r.stderr.strip().splitlines()[-10:])
        fail(1, f"`{' '.join(cmd)}` failed (exit {r.returncode}):\n{tail}")
    for line in reversed(r.stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    fail(1, f"`{' '.join(cmd)}` printed no JSON line: {r.stdout.strip()!r}")


# --- one timed run ------------------------------------------------------------------------------

def time_process(cmd, prefix, env=None):
    """Runs cmd (stdout and stderr to prefix.stdout / prefix.stderr); returns (wall seconds from
    start to exit, its rusage). A failure ends the benchmark with the tail of its stderr."""
    with open(prefix + ".stdout", "w") as so, open(prefix + ".stderr", "w") as se:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=so, stderr=se, cwd=ROOT,
                             env=env)
        try:
            _, status, rusage = os.wait4(p.pid, 0)
        except BaseException:
            p.kill()
            p.wait()
            raise
        wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        with open(prefix + ".stderr") as f:
            tail = "".join(f.readlines()[-20:]).rstrip()
        fail(1, f"`{' '.join(cmd)}` failed (exit {p.returncode}); last lines of its stderr:\n"
                f"{tail}")
    return wall, rusage


def timed_run(binary, config, out, overrides):
    """Runs actbench once; returns (wall seconds, peak RSS in KiB, results.json contents)."""
    # --fresh: every timed run trains; the run store beside the output would otherwise hand the
    # second and later runs the first one's results (and timings) without training.
    # A store of its own: the user's run store gets no benchmark runs.
    cmd = [binary, "run", "--config", config, "--out", out, "--fresh",
           "--store", os.path.join(out, "store")] + overrides
    wall, rusage = time_process(cmd, out)
    path = os.path.join(out, "results.json")
    try:
        with open(path) as f:
            results = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        fail(1, f"cannot read {path}: {e}")
    for run in results.get("runs", []):
        if run.get("status") != "completed":
            log(f"warning: {run.get('label', run.get('activation'))} ended with status "
                f"{run.get('status')!r} in {out}")
    return wall, rusage.ru_maxrss, results  # ru_maxrss is in KiB on Linux


# --- work per sweep -----------------------------------------------------------------------------

def flop_per_sample(layers):
    """Nominal dense FLOPs of an MLP with these layer widths: (per training sample: forward,
    weight gradients and input gradients but the first layer's; per test sample: forward)."""
    pairs = list(zip(layers[:-1], layers[1:]))
    macs = sum(i * o for i, o in pairs)
    forward = 2 * macs
    weight_grads = 2 * macs
    input_grads = 2 * sum(i * o for i, o in pairs[1:])
    return forward + weight_grads + input_grads, forward


def flop_model(results):
    """FLOP counts from the resolved config and the epochs each run actually completed."""
    cfg = results["config"]
    layers = [784] + list(cfg["model"]["hidden"]) + [10]
    train_flop, test_flop = flop_per_sample(layers)
    data = cfg["data"]
    train_n = min(data.get("train_limit") or FULL_TRAIN, FULL_TRAIN)
    test_n = min(data.get("test_limit") or FULL_TEST, FULL_TEST)
    runs = results["runs"]
    epochs = sum(len(r.get("epochs", [])) for r in runs)  # runs x epochs completed
    total = epochs * (train_n * train_flop + test_n * test_flop)
    return {
        "layers": layers,
        "train_flop_per_sample": train_flop,
        "test_flop_per_sample": test_flop,
        "train_samples": train_n,
        "test_samples": test_n,
        "runs": len(runs),
        "epochs_per_run": cfg["train"]["epochs"],
        "epochs_completed": epochs,
        "train_samples_per_sweep": epochs * train_n,
        "flop_per_train_epoch": train_n * train_flop,
        "flop_per_sweep": total,
    }


# --- rows ---------------------------------------------------------------------------------------

def time_row(args, outdir, row, runs):
    return time_rows(args, outdir, [row], runs)[0]


def time_rows(args, outdir, rows, runs):
    """Times each of `rows` `runs` times, the rows taking turns (so a slow spell of a noisy machine
    hits them alike)."""
    m = [{"walls": [], "rss": [], "flops": [], "samples": [], "epoch_secs": [], "train_secs": [],
          "outs": [], "first": None, "by_activation": {}, "parts": []} for _ in rows]
    for i in range(1, runs + 1):
        for row, acc in zip(rows, m):
            slug, label, overrides = row[:3]
            binary = row[3] if len(row) > 3 else args.binary
            log(f"run {i}/{runs} of {label} ...")
            out = os.path.join(outdir, f"{slug}-{i}")
            wall, maxrss, results = timed_run(binary, args.config, out, args.extra + overrides)
            acc["parts"].append(sweep_parts(wall, results))
            model = flop_model(results)
            acc["walls"].append(wall)
            acc["rss"].append(maxrss)
            acc["flops"].append(model["flop_per_sweep"])
            acc["samples"].append(model["train_samples_per_sweep"])
            epochs = [e for r in results["runs"] for e in r.get("epochs", [])]
            acc["epoch_secs"] += [e["seconds"] for e in epochs]
            acc["train_secs"] += [e["train_seconds"] for e in epochs]
            acc["outs"].append(out)
            for r in results["runs"]:
                mine = acc["by_activation"].setdefault(r.get("label", "?"), {"epoch": [], "train": []})
                mine["epoch"] += [e["seconds"] for e in r.get("epochs", [])]
                mine["train"] += [e["train_seconds"] for e in r.get("epochs", [])]
            if acc["first"] is None:
                acc["first"] = (results, model)
            log(f"  {wall:.2f} s, peak RSS {maxrss / 1024:.0f} MiB")
    return [summarize_row(row, acc, runs) for row, acc in zip(rows, m)]


def sweep_parts(wall, results):
    """Where a sweep's time went, in seconds summed over its runs (CPU seconds of the runs'
    threads): the training steps' forward (with the loss), backward and optimizer (from the
    epochs' diagnostics), the rest of the training epochs (batches, bookkeeping), the test passes,
    and the process's time outside its runs (start-up, data loading, writing results:
    wall x jobs - the runs' seconds)."""
    parts = dict.fromkeys(PARTS, 0.0)
    run_seconds = 0.0
    for run in results.get("runs", []):
        for e in run.get("epochs", []):
            d = e.get("diagnostics") or {}
            steps = [d.get(k) or 0.0 for k in ("forward_seconds", "backward_seconds",
                                                "optimizer_seconds")]
            parts["forward"] += steps[0]
            parts["backward"] += steps[1]
            parts["optimizer"] += steps[2]
            parts["rest of training"] += e["train_seconds"] - sum(steps)
            parts["test"] += e["test_seconds"]
            run_seconds += e["seconds"]
    jobs = results.get("jobs") or 1
    parts["outside the runs"] = max(0.0, wall * jobs - run_seconds)
    return parts


def summarize_row(row, acc, runs):
    slug, label, overrides = row[:3]
    walls, rss, flops, samples = acc["walls"], acc["rss"], acc["flops"], acc["samples"]
    epoch_secs, outs, first = acc["epoch_secs"], acc["outs"], acc["first"]
    med = statistics.median(walls)
    return {
        "slug": slug,
        "configuration": label,
        "overrides": overrides,
        "runs": runs,
        "wall_seconds": walls,
        "wall_min": min(walls),
        "wall_median": med,
        "wall_max": max(walls),
        "seconds_per_epoch": statistics.median(epoch_secs) if epoch_secs else None,
        "train_seconds_per_epoch": (statistics.median(acc["train_secs"]) if acc["train_secs"]
                                    else None),
        "train_samples_per_second": statistics.median(samples) / med,
        "flop_per_sweep": statistics.median(flops),
        "gflops": statistics.median(flops) / med / 1e9,
        "peak_rss_mib": max(rss) / 1024,
        "out": outs,
        "by_activation": {label: {"seconds_per_epoch": statistics.median(v["epoch"]),
                                  "train_seconds_per_epoch": statistics.median(v["train"]),
                                  "epochs": len(v["epoch"])}
                          for label, v in acc["by_activation"].items() if v["epoch"]},
        "parts": {k: statistics.median(p[k] for p in acc["parts"]) for k in PARTS},
        "_first": first,
    }


def fmt(value, spec, width):
    return f"{value:{width}{spec}}" if value is not None else " " * width


def print_report(args, machine, peaks, rows, baseline):
    all_peak = peaks["all"]["gflops"]
    default = rows[0]
    results, model = default["_first"]
    layers = "-".join(str(n) for n in model["layers"])
    print(f"actbench benchmark: {os.path.relpath(args.config, ROOT)}"
          + (f" with {' '.join(args.extra)}" if args.extra else ""))
    print(f"machine:     {machine['nproc']} cores (nproc), {machine['cpu']}, "
          f"LibTorch {machine['libtorch']}, actbench {machine['actbench']}")
    print(f"matmul peak: {all_peak:.1f} GFLOP/s on {peaks['all']['threads']} threads, "
          f"{peaks['one']['gflops']:.1f} GFLOP/s on 1 thread "
          f"({peaks['all']['dtype']}, {peaks['all']['size']}^3, measured now)")
    print(f"work:        MLP {layers}: {model['train_flop_per_sample']:,} FLOP per training sample "
          f"(forward + backward), {model['test_flop_per_sample']:,} per test sample")
    print(f"             {model['runs']} runs x {model['epochs_per_run']} epochs x "
          f"({model['train_samples']:,} train + {model['test_samples']:,} test samples) = "
          f"{model['flop_per_sweep'] / 1e9:,.1f} GFLOP per sweep "
          f"({model['flop_per_train_epoch'] / 1e9:.2f} GFLOP per training epoch)")
    print()
    w = max(len("configuration"), max(len(r["configuration"]) for r in rows))
    print(f"{'':{w}}  {'':>4}  {'wall time (s)':^23}  {'s per':>7}  {'train':>9}  "
          f"{'':>7}  {'% of':>6}  {'peak RSS':>8}  {'x':>8}")
    print(f"{'configuration':{w}}  {'runs':>4}  {'min':>7} {'median':>7} {'max':>7}  "
          f"{'epoch':>7}  {'samples/s':>9}  {'GFLOP/s':>7}  {'peak':>6}  {'MiB':>8}  "
          f"{'baseline':>8}")
    print("-" * (w + 88))
    for r in rows:
        ratio = baseline["wall_median"] / r["wall_median"] if baseline else None
        r["x_baseline"] = ratio
        r["percent_of_peak"] = 100.0 * r["gflops"] / all_peak
        print(f"{r['configuration']:{w}}  {r['runs']:>4}  {r['wall_min']:7.2f} "
              f"{r['wall_median']:7.2f} {r['wall_max']:7.2f}  "
              f"{fmt(r['seconds_per_epoch'], '.3f', 7)}  {r['train_samples_per_second']:9,.0f}  "
              f"{r['gflops']:7.2f}  {r['percent_of_peak']:5.1f}%  {r['peak_rss_mib']:8.0f}  "
              f"{fmt(ratio, '.2f', 7)}{'x' if ratio is not None else ' '}")
    print()
    acc = {r["label"]: r["final"]["test_accuracy"] for r in results["runs"] if "final" in r}
    print(f"final test accuracy ({default['configuration']}, run 1): "
          + "  ".join(f"{k} {v:.2f}%" for k, v in acc.items()))
    print(f"wall: the whole `actbench run` process (startup and data loading included); s per "
          f"epoch: median epoch time (train + test)\nover every activation and run; train "
          f"samples/s and GFLOP/s: per sweep, over the median wall; % of peak: of the "
          f"{peaks['all']['threads']}-thread matmul peak")
    return acc


def print_breakdown(rows):
    """The per-part table of the rows that measured their parts (train.diagnostics on)."""
    rows = [r for r in rows if r.get("parts") and r["parts"]["forward"] > 0]
    if not rows:
        return
    print()
    print("where the time goes (seconds summed over the sweep's runs, median over the timed "
          "sweeps; % of their total):")
    w = max(len(p) for p in PARTS)
    print(f"  {'part':{w}}" + "".join(f"  {r['slug']:>18}" for r in rows))
    for part in PARTS + ("total",):
        cells = []
        for r in rows:
            total = sum(r["parts"].values())
            v = total if part == "total" else r["parts"][part]
            cells.append(f"  {v:9.2f} s {100 * v / total:5.1f}%")
        print(f"  {part:{w}}" + "".join(cells))
    print("  forward includes the loss, backward the activations' backward; optimizer: the "
          "update;")
    print("  rest of training: batches and bookkeeping; outside the runs: wall x jobs - the "
          "runs' seconds")
    print("  (start-up, data loading, writing results, a worker waiting for the other)")


def print_per_activation(row, twins):
    """Each activation's median seconds per epoch over the row's timed runs, and the twins' ratios."""
    by = row["by_activation"]
    width = max([len(label) for label in by] + [10])
    print(f"\nper activation ({row['runs']} timed run(s), median over every epoch):")
    print(f"{'activation':<{width}}  train s/epoch  s/epoch (with test)  epochs")
    for label, v in by.items():
        print(f"{label:<{width}}  {v['train_seconds_per_epoch']:13.3f}  "
              f"{v['seconds_per_epoch']:19.3f}  {v['epochs']:6d}")
    for pair in twins:
        a, sep, b = pair.partition("=")
        if not sep or a not in by or b not in by:
            fail(2, f"--twin {pair!r}: give A=B with two activation labels of the sweep "
                    f"({', '.join(by)})")
        train = by[a]["train_seconds_per_epoch"] / by[b]["train_seconds_per_epoch"]
        epoch = by[a]["seconds_per_epoch"] / by[b]["seconds_per_epoch"]
        print(f"{a} / {b}: {train:.2f}x the training time per epoch "
              f"({by[a]['train_seconds_per_epoch']:.3f} s vs {by[b]['train_seconds_per_epoch']:.3f} s), "
              f"{epoch:.2f}x the epoch with its test")


# --- how cost grows (--growth) ------------------------------------------------------------------

def growth_cells(args, table):
    """The table's cells: (axis value, settings), settings as GROWTH_SETTINGS with the axis set."""
    values = {"runs": args.seed_counts, "width": args.widths, "batch": args.batch_sizes}[table]
    cells = []
    for v in values:
        s = dict(GROWTH_SETTINGS[table])
        if args.quick:
            s.update(GROWTH_QUICK)
        if table == "runs":
            s["seeds"] = v
            v = v * len(GROWTH_ACTIVATIONS)  # the row is labelled by its number of runs
        elif table == "width":
            s["hidden"] = [v, v]
        else:
            s["batch_size"] = v
        s["runs"] = s["seeds"] * len(GROWTH_ACTIVATIONS)
        cells.append((v, s))
    return cells


def describe_settings(s, table):
    """The table's fixed settings in words (the axis left out)."""
    parts = []
    if table != "runs":
        parts.append(f"{s['runs']} runs (4 activations x {s['seeds']} seed"
                     f"{'s' if s['seeds'] != 1 else ''})")
    if table != "width":
        parts.append("MLP " + "-".join(map(str, [784] + s["hidden"] + [10])))
    if table != "batch":
        parts.append(f"batch {s['batch_size']}")
    parts.append(f"{s['epochs']} epoch{'s' if s['epochs'] != 1 else ''}")
    train = min(s["train_limit"] or FULL_TRAIN, FULL_TRAIN)
    test = min(s["test_limit"] or FULL_TEST, FULL_TEST)
    parts.append(f"{train:,} train + {test:,} test images")
    return ", ".join(parts)


def actbench_growth_overrides(s, jobs):
    """Every setting the PyTorch twin assumes, made explicit (configs/seed.yaml's, mostly)."""
    return ["activations=" + ",".join(GROWTH_ACTIVATIONS),
            "train.seed=" + ",".join(str(i) for i in range(s["seeds"])),
            "model.hidden=[" + ",".join(map(str, s["hidden"])) + "]",
            f"train.batch_size={s['batch_size']}", f"train.epochs={s['epochs']}",
            f"data.train_limit={s['train_limit']}", f"data.test_limit={s['test_limit']}",
            f"data.dir={MNIST_DIR}", "data.dataset=mnist", "data.normalize=false",
            "data.validation=0", "model.init=default", "train.optimizer=adam", "train.lr=0.001",
            f"train.eval_batch_size={GROWTH_EVAL_BATCH}", "device=cpu", f"jobs={jobs}",
            "threads=1"]


def pytorch_growth_args(s, jobs):
    return ["--activations", ",".join(GROWTH_ACTIVATIONS),
            "--seeds", ",".join(str(i) for i in range(s["seeds"])),
            "--hidden", ",".join(map(str, s["hidden"])), "--batch-size", str(s["batch_size"]),
            "--epochs", str(s["epochs"]), "--train-limit", str(s["train_limit"]),
            "--test-limit", str(s["test_limit"]), "--eval-batch-size", str(GROWTH_EVAL_BATCH),
            "--jobs", str(jobs), "--data", MNIST_DIR]


def growth_flop(s, runs_epochs):
    """The same FLOP model as flop_model, from the settings."""
    train_flop, test_flop = flop_per_sample([784] + s["hidden"] + [10])
    train_n = min(s["train_limit"] or FULL_TRAIN, FULL_TRAIN)
    test_n = min(s["test_limit"] or FULL_TEST, FULL_TEST)
    return runs_epochs * (train_n * train_flop + test_n * test_flop)


def time_actbench_cell(args, ctx, s, out):
    """One `actbench run` of the cell: (wall seconds, FLOPs, mean final test accuracy)."""
    cmd = [args.binary, "run", "--config", SEED_CONFIG, "--out", out, "--fresh",
           "--store", ctx["store"]] + actbench_growth_overrides(s, ctx["jobs"])
    wall, _ = time_process(cmd, out, env=ctx["env"])
    path = os.path.join(out, "results.json")
    try:
        with open(path) as f:
            results = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        fail(1, f"cannot read {path}: {e}")
    runs = results.get("runs", [])
    done = [r for r in runs if r.get("status") == "completed" and "final" in r]
    if len(done) != s["runs"]:
        fail(1, f"{out}: {len(done)} of {s['runs']} runs completed")
    accuracy = statistics.mean(r["final"]["test_accuracy"] for r in done)
    return wall, flop_model(results)["flop_per_sweep"], accuracy


def time_pytorch_cell(args, ctx, s, out):
    """One scripts/bench_pytorch.py process of the cell: (wall seconds, FLOPs, mean final test
    accuracy, its own JSON)."""
    cmd = [args.python, PYTORCH_SCRIPT] + pytorch_growth_args(s, ctx["jobs"])
    wall, _ = time_process(cmd, out)
    try:
        with open(out + ".stdout") as f:
            report = json.loads(f.read())
        results = report["results"]
    except (OSError, ValueError, KeyError) as e:
        fail(1, f"cannot read the JSON of `{' '.join(cmd)}` in {out}.stdout: {e}")
    if len(results) != s["runs"]:
        fail(1, f"{out}: bench_pytorch.py trained {len(results)} of {s['runs']} runs")
    accuracy = statistics.mean(r["final_test_accuracy"] for r in results)
    return wall, growth_flop(s, s["runs"] * s["epochs"]), accuracy, report


def growth_side(walls, flop, accuracy, peak_gflops):
    med = statistics.median(walls)
    gflops = flop / med / 1e9
    return {"wall_seconds": walls, "wall_median": med, "flop": flop, "gflops": gflops,
            "percent_of_peak": 100.0 * gflops / peak_gflops, "mean_final_test_accuracy": accuracy}


def time_growth_table(args, ctx, table, peak_gflops):
    rows = []
    for value, s in growth_cells(args, table):
        a_walls, p_walls, starts = [], [], {"import_seconds": [], "load_seconds": []}
        for i in range(1, args.growth_repeats + 1):
            tag = f"{table}-{value}-{i}"
            what = f"{table} table, {GROWTH_TITLES[table][0]} {value} ({i}/{args.growth_repeats})"
            log(f"{what}: actbench ...")
            wall, a_flop, a_acc = time_actbench_cell(args, ctx, s, os.path.join(ctx["dir"],
                                                                                 tag + "-actbench"))
            a_walls.append(wall)
            log(f"  {wall:.2f} s; PyTorch ...")
            wall, p_flop, p_acc, extra = time_pytorch_cell(args, ctx, s, os.path.join(
                ctx["dir"], tag + "-pytorch"))
            p_walls.append(wall)
            for k, v in starts.items():
                v.append(extra[k])
            log(f"  {wall:.2f} s (torch import {extra['import_seconds']:.2f} s, data "
                f"{extra['load_seconds']:.2f} s)")
        if a_flop != p_flop:
            log(f"warning: FLOP counts differ ({a_flop:,} actbench, {p_flop:,} PyTorch)")
        a = growth_side(a_walls, a_flop, a_acc, peak_gflops)
        p = growth_side(p_walls, p_flop, p_acc, peak_gflops)
        p.update(starts)  # each timing's torch import and data load, inside its wall
        rows.append({"value": value, "runs": s["runs"], "settings": s, "actbench": a,
                     "pytorch": p, "pytorch_over_actbench": p["wall_median"] / a["wall_median"]})
    return rows


def wrapped(label, text):
    """text after a 10-column label, wrapped at 100 columns under itself."""
    return textwrap.fill(text, width=100, initial_indent=f"{label:<10}",
                         subsequent_indent=" " * 10, break_on_hyphens=False)


def print_growth_header(args, machine, peaks, ctx):
    print("actbench against PyTorch: how the sweep's cost grows (scripts/bench.py --growth "
          + ",".join(args.growth) + (" --quick" if args.quick else "") + ")")
    if args.quick:
        print("QUICK: every table on 1,024 training and 500 test images: a smoke check, not a "
              "measurement")
    jobs, p = ctx["jobs"], peaks["all"]
    lines = [
        ("machine:", f"{machine['nproc']} cores (nproc), {machine['cpu']}; actbench "
                     f"{machine['actbench']}, LibTorch {machine['libtorch']}; PyTorch "
                     f"{ctx['torch']} ({args.python})"),
        ("peak:", f"{p['gflops']:.1f} GFLOP/s, {p['dtype']} matmul {p['size']}^3 on "
                  f"{p['threads']} threads (`actbench peak --json`, measured now)"),
        ("parallel:", f"{jobs} runs side by side in both: actbench jobs={jobs} threads=1; "
                      f"PyTorch {jobs} worker processes with torch.set_num_threads(1), each "
                      "run to whichever is free"),
        ("sweep:", "relu, sigmoid, tanh, leaky_relu (0.01) x seeds 0..k-1; Adam lr 1e-3, "
                   "cross-entropy, pixels/255 (no normalisation), a test pass every epoch "
                   f"(batches of {GROWTH_EVAL_BATCH}); actbench's defaults otherwise (fused "
                   "engine, diagnostics on)"),
        ("timed:", f"the whole process, start to exit, {args.growth_repeats} time(s) each, "
                   "taking turns" + (" (median)" if args.growth_repeats > 1 else "")
                   + ": `actbench run --fresh` (fresh --out and --store), `python3 "
                   "scripts/bench_pytorch.py` (torch import and data load included)"),
        ("FLOPs:", "nominal dense FLOPs of the MLP: per training sample forward (2 x MACs) + "
                   "weight gradients (2 x MACs) + input gradients (2 x MACs, the first layer "
                   "excepted), per test sample forward; x samples x epochs x runs. GFLOP/s = "
                   "FLOPs / wall (dense-equivalent for actbench, whose sparse first layer skips "
                   "zero pixels); % peak = GFLOP/s / peak; PyTorch / actbench = PyTorch's wall "
                   "over actbench's (above 1: actbench faster)"),
    ]
    for label, text in lines:
        print(wrapped(label, text))


def print_growth_table(table, rows):
    label, title = GROWTH_TITLES[table]
    s = rows[0]["settings"]
    print(f"\n{table}: {title}\n  {describe_settings(s, table)}")
    print(f"{'':>6}  {'nominal':>9}  {'------ actbench -------':>24}  "
          f"{'------- PyTorch -------':>24}  {'PyTorch /':>9}  {'mean test acc %':>16}")
    print(f"{label:>6}  {'GFLOP':>9}  {'wall s':>8} {'GFLOP/s':>8} {'% peak':>6}  "
          f"{'wall s':>8} {'GFLOP/s':>8} {'% peak':>6}  {'actbench':>9}  "
          f"{'actbench':>8}{'PyTorch':>8}")
    print("-" * 102)
    for r in rows:
        a, p = r["actbench"], r["pytorch"]
        print(f"{r['value']:>6}  {a['flop'] / 1e9:9,.1f}  "
              f"{a['wall_median']:8.2f} {a['gflops']:8.2f} {a['percent_of_peak']:5.1f}%  "
              f"{p['wall_median']:8.2f} {p['gflops']:8.2f} {p['percent_of_peak']:5.1f}%  "
              f"{r['pytorch_over_actbench']:8.2f}x  "
              f"{a['mean_final_test_accuracy']:8.2f}{p['mean_final_test_accuracy']:8.2f}",
              flush=True)
    starts = [i + d for r in rows
              for i, d in zip(r["pytorch"]["import_seconds"], r["pytorch"]["load_seconds"])]
    span = (f"{min(starts):.2f}" if f"{min(starts):.2f}" == f"{max(starts):.2f}"
            else f"{min(starts):.2f}-{max(starts):.2f}")
    print(f"  of PyTorch's wall: {span} s torch import and data load", flush=True)


def check_growth_ready(args):
    """torch importable by --python, the PyTorch script and MNIST present: else exit 2."""
    if not os.path.isfile(PYTORCH_SCRIPT):
        fail(2, f"{PYTORCH_SCRIPT} not found")
    missing = [n for n in MNIST_FILES if not os.path.isfile(os.path.join(MNIST_DIR, n))]
    if missing:
        fail(2, f"MNIST not found in {MNIST_DIR} ({', '.join(missing)} missing): run "
                "scripts/fetch_data.sh mnist data/mnist")
    try:
        r = subprocess.run([args.python, "-c", "import torch; print(torch.__version__)"],
                           capture_output=True, text=True)
    except OSError as e:
        fail(2, f"--python {args.python}: {e.strerror or e}")
    if r.returncode != 0:
        fail(2, f"{args.python} cannot import torch: install Debian's python3-torch "
                "(scripts/bench.sh --growth does), or name a Python that has it with --python")
    return r.stdout.strip()


def run_growth(args, outdir, machine, peaks, torch_version):
    jobs = args.jobs or machine["nproc"]
    scratch = os.path.join(outdir, "growth")
    os.makedirs(scratch, exist_ok=True)
    env = dict(os.environ)
    env["XDG_DATA_HOME"] = os.path.join(scratch, "xdg-data")  # never the user's data home
    env.pop("ACTBENCH_STORE", None)  # --store names the scratch one anyway
    ctx = {"jobs": jobs, "dir": scratch, "store": os.path.join(scratch, "store"), "env": env,
           "torch": torch_version}
    print_growth_header(args, machine, peaks, ctx)
    start = time.perf_counter()
    tables = {}
    for table in args.growth:
        rows = time_growth_table(args, ctx, table, peaks["all"]["gflops"])
        print_growth_table(table, rows)
        tables[table] = {"title": GROWTH_TITLES[table][1],
                         "settings": describe_settings(rows[0]["settings"], table), "rows": rows}
    minutes = (time.perf_counter() - start) / 60
    print()
    print(wrapped("note:", "mean test acc: over the cell's runs (actbench and PyTorch differ in "
                           "initial weights and batch order, not in work). "
                           f"Timed in {minutes:.1f} min."))
    report = {
        "schema": "actbench.bench.growth/1",
        "quick": args.quick,
        "machine": machine,
        "peak": peaks,
        "pytorch": {"version": torch_version, "python": args.python, "script": PYTORCH_SCRIPT,
                    "processes": jobs, "threads_per_process": 1},
        "jobs": jobs,
        "repeats": args.growth_repeats,
        "activations": list(GROWTH_ACTIVATIONS),
        "flop_model": "nominal dense FLOPs of the MLP: per training sample 2 x MACs forward + "
                      "2 x MACs weight gradients + 2 x MACs input gradients (the first layer's "
                      "excepted), per test sample 2 x MACs forward; x samples x epochs x runs",
        "timing": "whole process wall time, start to exit, of `actbench run --fresh` and of "
                  "`python3 scripts/bench_pytorch.py`",
        "tables": tables,
        "minutes": minutes,
    }
    write_report(args, outdir, report)


def write_report(args, outdir, report):
    json_path = os.path.join(outdir, "bench.json")
    with open(json_path, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    if args.keep:
        log(f"numbers in {json_path}; each run's results.json under {outdir}")
    else:
        log("scratch results removed; pass --keep DIR to keep bench.json and every run's "
            "results.json")


def main():
    args = parse_args(sys.argv[1:])
    args.binary = os.path.abspath(args.binary)
    args.config = os.path.abspath(args.config)
    if not (os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)):
        fail(2, f"{args.binary} not found: build it first with scripts/build.sh")
    if not os.path.isfile(args.config):
        fail(2, f"config {args.config} not found")

    if args.keep:
        outdir = os.path.abspath(args.keep)
        os.makedirs(outdir, exist_ok=True)
    else:
        outdir = tempfile.mkdtemp(prefix="actbench-bench-")
    try:
        actbench, libtorch = versions(args.binary)
        machine = {"nproc": nproc(), "cpu": cpu_model(), "libtorch": libtorch,
                   "actbench": actbench}
        torch_version = check_growth_ready(args) if args.growth is not None else None
        log("measuring the matrix-multiply peak on all cores (2 s) ...")
        peaks = {"all": peak(args.binary)}
        log("measuring the matrix-multiply peak on 1 core (2 s) ...")
        peaks["one"] = peak(args.binary, threads=1)
        if args.growth is not None:
            run_growth(args, outdir, machine, peaks, torch_version)
            return

        first = [DEFAULT_ROW] + ([NO_DIAGNOSTICS_ROW] if args.diagnostics else [])
        if args.before:
            first.append(("before", f"actbench before ({args.before})", [],
                          os.path.abspath(args.before)))
        rows = time_rows(args, outdir, first, args.runs)
        if args.means:
            rows += [time_row(args, outdir, row, 1) for row in MEANS_ROWS]
        baseline = None
        if not args.no_baseline:
            baseline = time_row(args, outdir, BASELINE_ROW, 1)
            rows.append(baseline)

        acc = print_report(args, machine, peaks, rows, baseline)
        print_breakdown(rows)
        if args.diagnostics:
            on, off = rows[0], rows[1]
            wall = on["wall_median"] / off["wall_median"] - 1
            train = on["train_seconds_per_epoch"] / off["train_seconds_per_epoch"] - 1
            epoch = on["seconds_per_epoch"] / off["seconds_per_epoch"] - 1
            print(f"diagnostics cost (train.diagnostics=true vs false, {args.runs} runs each, "
                  f"taking turns): wall time {100 * wall:+.1f}% (median {on['wall_median']:.2f} s "
                  f"vs {off['wall_median']:.2f} s); training time per epoch {100 * train:+.1f}% "
                  f"(median {on['train_seconds_per_epoch']:.3f} s vs "
                  f"{off['train_seconds_per_epoch']:.3f} s); epoch with its test {100 * epoch:+.1f}%")
        if args.per_activation or args.twin:
            print_per_activation(rows[0], args.twin)
        model = rows[0]["_first"][1]
        for r in rows:
            del r["_first"]
        report = {
            "schema": "actbench.bench/1",
            "config": args.config,
            "overrides": args.extra,
            "machine": machine,
            "peak": peaks,
            "work": model,
            "rows": rows,
            "final_test_accuracy": acc,
        }
        write_report(args, outdir, report)
    finally:
        if not args.keep:
            shutil.rmtree(outdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
