#!/usr/bin/env python3
"""Benchmarks actbench's sweep against this machine's matrix-multiply peak and the per-example
DataLoader + Stack<> pipeline.

usage: scripts/bench.py [--runs N] [--config FILE] [--no-baseline] [--means] [--diagnostics]
                        [--per-activation] [--twin A=B ...] [--binary PATH] [--keep DIR]
                        [-- KEY=VALUE ...]

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
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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
BASELINE_ROW = ("baseline", "per-example DataLoader + Stack<>, autograd, 1 job",
                ["data.pipeline=example", "train.engine=autograd", "jobs=1"])


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def fail(code, msg):
    log(f"error: {msg}")
    sys.exit(code)


def parse_args(argv):
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(
        prog="scripts/bench.py",
        description="Time actbench's sweep; compare it with the machine's matmul peak and the "
                    "per-example DataLoader + Stack<> pipeline.",
        epilog="Arguments after -- are KEY=VALUE overrides passed to every `actbench run`, "
               "e.g. scripts/bench.py --runs 1 -- train.epochs=1 activations=relu,tanh")
    p.add_argument("--runs", type=int, default=3, metavar="N",
                   help="timed runs of the default configuration (default 3)")
    p.add_argument("--config", default=os.path.join(ROOT, "configs", "seed.yaml"), metavar="FILE",
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
    p.add_argument("--per-activation", action="store_true",
                   help="also print each activation's median seconds per epoch (default row)")
    p.add_argument("--twin", action="append", default=[], metavar="A=B",
                   help="print activation A's seconds per epoch as a multiple of activation B's "
                   "(labels; repeatable), e.g. --twin 'Swish (formula)=SiLU'; implies "
                   "--per-activation")
    p.add_argument("--keep", metavar="DIR",
                   help="keep every run's results and bench.json in DIR (default: a temporary "
                        "directory removed at the end)")
    args = p.parse_args(argv)
    if args.runs < 1:
        p.print_usage(sys.stderr)
        fail(2, f"--runs must be at least 1 (got {args.runs})")
    bad = [a for a in extra if "=" not in a]
    if bad:
        fail(2, f"arguments after -- must be KEY=VALUE overrides, got: {' '.join(bad)}")
    args.extra = extra
    return args


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

def timed_run(binary, config, out, overrides):
    """Runs actbench once; returns (wall seconds, peak RSS in KiB, results.json contents)."""
    # --fresh: every timed run trains; the run store beside the output would otherwise hand the
    # second and later runs the first one's results (and timings) without training.
    cmd = [binary, "run", "--config", config, "--out", out, "--fresh"] + overrides
    with open(out + ".stdout", "w") as so, open(out + ".stderr", "w") as se:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=so, stderr=se, cwd=ROOT)
        try:
            _, status, rusage = os.wait4(p.pid, 0)
        except BaseException:
            p.kill()
            p.wait()
            raise
        wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        with open(out + ".stderr") as f:
            tail = "".join(f.readlines()[-20:]).rstrip()
        fail(1, f"`{' '.join(cmd)}` failed (exit {p.returncode}); last lines of its stderr:\n"
                f"{tail}")
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

def flop_model(results):
    """FLOP counts from the resolved config and the epochs each run actually completed."""
    cfg = results["config"]
    layers = [784] + list(cfg["model"]["hidden"]) + [10]
    pairs = list(zip(layers[:-1], layers[1:]))
    macs = sum(i * o for i, o in pairs)
    forward = 2 * macs
    weight_grads = 2 * macs
    input_grads = 2 * sum(i * o for i, o in pairs[1:])
    train_flop = forward + weight_grads + input_grads  # per training sample
    test_flop = forward  # per test sample
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
          "outs": [], "first": None, "by_activation": {}} for _ in rows]
    for i in range(1, runs + 1):
        for (slug, label, overrides), acc in zip(rows, m):
            log(f"run {i}/{runs} of {label} ...")
            out = os.path.join(outdir, f"{slug}-{i}")
            wall, maxrss, results = timed_run(args.binary, args.config, out,
                                              args.extra + overrides)
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


def summarize_row(row, acc, runs):
    slug, label, overrides = row
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
        log("measuring the matrix-multiply peak on all cores (2 s) ...")
        peaks = {"all": peak(args.binary)}
        log("measuring the matrix-multiply peak on 1 core (2 s) ...")
        peaks["one"] = peak(args.binary, threads=1)

        if args.diagnostics:
            rows = time_rows(args, outdir, [DEFAULT_ROW, NO_DIAGNOSTICS_ROW], args.runs)
        else:
            rows = [time_row(args, outdir, DEFAULT_ROW, args.runs)]
        if args.means:
            rows += [time_row(args, outdir, row, 1) for row in MEANS_ROWS]
        baseline = None
        if not args.no_baseline:
            baseline = time_row(args, outdir, BASELINE_ROW, 1)
            rows.append(baseline)

        acc = print_report(args, machine, peaks, rows, baseline)
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
        json_path = os.path.join(outdir, "bench.json")
        with open(json_path, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
        if args.keep:
            log(f"numbers in {json_path}; each run's results.json under {outdir}")
        else:
            log("scratch results removed; pass --keep DIR to keep bench.json and every run's "
                "results.json")
    finally:
        if not args.keep:
            shutil.rmtree(outdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
