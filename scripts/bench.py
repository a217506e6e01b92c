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

The sweep table is here (with the options of both and main); the growth tables are in
bench_growth.py, what both share (paths, the machine, timing a process, the FLOP model,
bench.json) in bench_common.py.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile

from bench_common import (ROOT, cpu_model, fail, flop_model, log, nproc, peak, read_results,
                          time_process, versions, write_report)
from bench_growth import (DEFAULT_PYTHON, GROWTH_TABLES, check_growth_args, check_growth_ready,
                          run_growth)

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


# --- one timed run ------------------------------------------------------------------------------

def timed_run(binary, config, out, overrides):
    """Runs actbench once; returns (wall seconds, peak RSS in KiB, results.json contents)."""
    # --fresh: every timed run trains; the run store beside the output would otherwise hand the
    # second and later runs the first one's results (and timings) without training.
    # A store of its own: the user's run store gets no benchmark runs.
    cmd = [binary, "run", "--config", config, "--out", out, "--fresh",
           "--store", os.path.join(out, "store")] + overrides
    wall, rusage = time_process(cmd, out)
    results = read_results(out)
    for run in results.get("runs", []):
        if run.get("status") != "completed":
            log(f"warning: {run.get('label', run.get('activation'))} ended with status "
                f"{run.get('status')!r} in {out}")
    return wall, rusage.ru_maxrss, results  # ru_maxrss is in KiB on Linux


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
