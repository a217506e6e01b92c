"""scripts/bench.py --growth: how the sweep's cost grows, actbench beside scripts/bench_pytorch.py
(the same sweep in PyTorch), table by table (runs, width, batch): the tables' settings, the checks
of their options, timing each cell as whole processes, and printing the tables and bench.json.
Standard library only."""
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time

from bench_common import (FULL_TEST, FULL_TRAIN, HERE, ROOT, fail, flop_model, flop_per_sample,
                          log, read_results, time_process, write_report)

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


# --- options (checked by bench.py's parse_args) -------------------------------------------------

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


# --- the tables ---------------------------------------------------------------------------------

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
    results = read_results(out)
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
