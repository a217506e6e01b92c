"""What scripts/bench.py's two jobs share (its sweep table, and bench_growth.py's growth tables):
the checkout's paths, MNIST's split sizes, logging and failing, the machine (cores, CPU, versions,
the matmul peak), timing a whole process, the nominal FLOP model and writing bench.json.
Standard library only."""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))

# Full split sizes of MNIST and Fashion-MNIST (data.train_limit / data.test_limit 0 = all of it).
FULL_TRAIN = 60000
FULL_TEST = 10000


def read_results(out):
    """The results.json `actbench run` wrote into `out` (exit 1 if it cannot be read)."""
    path = os.path.join(out, "results.json")
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        fail(1, f"cannot read {path}: {e}")


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def fail(code, msg):
    log(f"error: {msg}")
    sys.exit(code)


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


# --- bench.json ---------------------------------------------------------------------------------

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
