#!/usr/bin/env python3
"""actbench's activation sweep written in plain PyTorch, for scripts/bench.py --growth to time.

usage: scripts/bench_pytorch.py [--activations A,B,...] [--seeds S,T,...] [--hidden W,W,...]
                                [--batch-size N] [--epochs N] [--train-limit N] [--test-limit N]
                                [--eval-batch-size N] [--jobs N] [--data DIR]

The same work as `actbench run` with configs/seed.yaml's settings, written the way a careful
PyTorch user would: the MNIST IDX files are read once (headers parsed, sizes checked) into uint8
tensors and converted to float32 / 255 once (no normalisation, as data.normalize false); each run
(activation x seed) builds nn.Sequential(Linear(784, h1), act, Linear(h1, h2), act, ...,
Linear(hk, 10)) with torch.nn's default initialisation under torch.manual_seed(seed), trains it
with Adam (lr 1e-3, the multi-tensor `foreach` implementation: the faster one on CPU here) and
CrossEntropyLoss on batches taken by indexing the whole float tensor with a torch.randperm
permutation per epoch (its generator seeded with the seed), optimizer.zero_grad(set_to_none=True),
and tests under torch.no_grad() in batches of --eval-batch-size after every epoch (test loss and
accuracy). Activations: relu, sigmoid, tanh, leaky_relu (negative slope 0.01).

Parallelism like actbench's: --jobs worker processes (default: one per core, as nproc counts
them), each with one intra-op thread (torch.set_num_threads(1); OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS are set to 1 before torch loads), the runs handed out one at a time to
whichever worker is free. The workers are forked after the data is loaded, so they share one copy.

Prints one JSON object on stdout: wall_seconds (from this script's first line to the end; time
the whole process from outside for a process-to-process comparison), the settings, the number of
runs and each run's final test accuracy and loss. It does not reproduce actbench's numbers (other
initial weights and batch order), only its work. Bad arguments or data: one line on stderr, exit 2;
anything else that fails: exit 1. Standard library and torch only (Debian: python3-torch).
"""
import time

_START = time.perf_counter()

import argparse  # noqa: E402  (the clock starts first)
import json  # noqa: E402
import os  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402

# One thread per worker process: OpenMP and OpenBLAS read these when torch loads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

PROG = "bench_pytorch"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
ACTIVATIONS = ("relu", "sigmoid", "tanh", "leaky_relu")
LEAKY_SLOPE = 0.01
IMAGE_SIDE = 28
CLASSES = 10
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

# Filled in the parent before the workers are forked (shared copy-on-write, never written).
DATA = {}


class InputError(Exception):
    """Bad arguments or data: exit 2."""


def fail(code, msg):
    print(f"{PROG}: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(code)


class Parser(argparse.ArgumentParser):
    def error(self, message):
        fail(2, f"{message} (try --help)")


# --- arguments ----------------------------------------------------------------------------------

def canonical_activation(name):
    key = name.strip().lower().replace("-", "").replace("_", "")
    for a in ACTIVATIONS:
        if a.replace("_", "") == key:
            return a
    raise InputError(f"--activations: unknown activation {name!r} "
                     f"(known: {', '.join(ACTIVATIONS)})")


def int_list(option, text, lo, hi):
    items = text.strip().strip("[]").split(",")
    out = []
    for item in items:
        try:
            v = int(item.strip())
        except ValueError:
            raise InputError(f"{option}: {item.strip()!r} is not an integer "
                             f"(got {text!r})") from None
        if not lo <= v <= hi:
            raise InputError(f"{option}: {v} is out of range {lo}..{hi}")
        out.append(v)
    return out


def parse_args(argv):
    p = Parser(prog="scripts/bench_pytorch.py",
               description="actbench's activation sweep in plain PyTorch (for scripts/bench.py "
                           "--growth); prints one JSON object.")
    p.add_argument("--activations", default=",".join(ACTIVATIONS), metavar="A,B,...",
                   help=f"comma-separated, from {', '.join(ACTIVATIONS)} (default all four)")
    p.add_argument("--seeds", default="0", metavar="S,T,...",
                   help="comma-separated seeds (default 0); runs = activations x seeds")
    p.add_argument("--hidden", default="128,128", metavar="W,W,...",
                   help="hidden widths, input side first (default 128,128; [W,W] also accepted)")
    p.add_argument("--batch-size", type=int, default=64, metavar="N", help="default 64")
    p.add_argument("--epochs", type=int, default=10, metavar="N", help="default 10")
    p.add_argument("--train-limit", type=int, default=0, metavar="N",
                   help="train on the first N examples only (default 0: all)")
    p.add_argument("--test-limit", type=int, default=0, metavar="N",
                   help="test on the first N examples only (default 0: all)")
    p.add_argument("--eval-batch-size", type=int, default=1000, metavar="N", help="default 1000")
    p.add_argument("--jobs", type=int, default=0, metavar="N",
                   help="worker processes (default 0: one per core)")
    p.add_argument("--data", default=os.path.join(ROOT, "data", "mnist"), metavar="DIR",
                   help="directory with the four MNIST IDX files (default data/mnist)")
    args = p.parse_args(argv)
    try:
        args.activations = [canonical_activation(a) for a in args.activations.split(",")]
        args.seeds = int_list("--seeds", args.seeds, 0, 2**63 - 1)
        args.hidden = int_list("--hidden", args.hidden, 1, 65536)
    except InputError as e:
        fail(2, str(e))
    for name, lo, hi in (("batch_size", 1, 1 << 20), ("epochs", 1, 100000),
                         ("train_limit", 0, 1 << 40), ("test_limit", 0, 1 << 40),
                         ("eval_batch_size", 1, 1 << 20), ("jobs", 0, 1024)):
        v = getattr(args, name)
        if not lo <= v <= hi:
            fail(2, f"--{name.replace('_', '-')} must be in {lo}..{hi} (got {v})")
    if len(set(args.activations)) != len(args.activations):
        fail(2, f"--activations: a name is repeated ({','.join(args.activations)})")
    if len(set(args.seeds)) != len(args.seeds):
        fail(2, f"--seeds: a seed is repeated ({','.join(map(str, args.seeds))})")
    if args.jobs == 0:
        args.jobs = cores()
    return args


def cores():
    try:
        return len(os.sched_getaffinity(0))  # what nproc prints
    except (AttributeError, OSError):
        return os.cpu_count() or 1


# --- data ---------------------------------------------------------------------------------------

def read_idx(path, want_dims, limit):
    """An unsigned-byte IDX file with `want_dims` dimensions, its header and size checked:
    (its first `limit` items, 0: all, as a bytearray; the item count; the item shape)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
            if len(head) < 4 or head[0] != 0 or head[1] != 0:
                raise InputError(f"{path}: not an IDX file (bad magic number)")
            kind, dims = head[2], head[3]
            if kind != 0x08 or dims != want_dims:
                raise InputError(f"{path}: expected unsigned bytes in {want_dims} dimension(s), "
                                 f"got type 0x{kind:02x} in {dims}")
            sizes = f.read(4 * dims)
            if len(sizes) != 4 * dims:
                raise InputError(f"{path}: truncated header")
            shape = struct.unpack(f">{dims}I", sizes)
            item = 1
            for d in shape[1:]:
                item *= d
            payload = os.fstat(f.fileno()).st_size - 4 - 4 * dims
            if payload != shape[0] * item:
                raise InputError(f"{path}: {payload:,} data bytes, the header says "
                                 f"{shape[0] * item:,} ({'x'.join(map(str, shape))})")
            n = min(limit, shape[0]) if limit else shape[0]
            data = bytearray(n * item)  # read straight into a writable buffer: no copy
            if f.readinto(data) != len(data):
                raise InputError(f"{path}: shorter than its header says")
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None
    return data, shape[0], shape[1:]


def load_split(torch, data_dir, split, limit):
    """(float32 images [n, 784] in [0, 1], int64 labels [n]) of the first `limit` (0: all)."""
    images_name, labels_name = FILES[split]
    pixels, count, item = read_idx(os.path.join(data_dir, images_name), 3, limit)
    if item != (IMAGE_SIDE, IMAGE_SIDE):
        raise InputError(f"{images_name}: images of {item[0]}x{item[1]}, expected 28x28")
    if count == 0:
        raise InputError(f"{images_name}: no images")
    labels, label_count, _ = read_idx(os.path.join(data_dir, labels_name), 1, limit)
    if label_count != count:
        raise InputError(f"{data_dir}: {count:,} {split} images but {label_count:,} labels")
    n = len(labels)
    x = torch.frombuffer(pixels, dtype=torch.uint8).view(n, IMAGE_SIDE * IMAGE_SIDE)
    y = torch.frombuffer(labels, dtype=torch.uint8)
    if int(y.max()) >= CLASSES:
        raise InputError(f"{labels_name}: a label is {int(y.max())}, expected 0..9")
    return x.to(torch.float32).div_(255.0), y.to(torch.int64)  # converted once, up front


# --- one run ------------------------------------------------------------------------------------

def make_activation(nn, name):
    if name == "relu":
        return nn.ReLU()
    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "tanh":
        return nn.Tanh()
    return nn.LeakyReLU(LEAKY_SLOPE)


def train_one(job):
    """Trains and tests one (activation, seed) run; returns its summary."""
    import torch
    from torch import nn

    activation, seed, cfg = job
    start = time.perf_counter()
    x_train, y_train, x_test, y_test = (DATA[k] for k in ("x_train", "y_train", "x_test",
                                                           "y_test"))
    torch.manual_seed(seed)
    layers, width = [], IMAGE_SIDE * IMAGE_SIDE
    for h in cfg["hidden"]:
        layers += [nn.Linear(width, h), make_activation(nn, activation)]
        width = h
    layers.append(nn.Linear(width, CLASSES))
    model = nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=True)
    loss_fn = nn.CrossEntropyLoss()
    test_loss_fn = nn.CrossEntropyLoss(reduction="sum")
    generator = torch.Generator().manual_seed(seed)
    n, bs = x_train.shape[0], cfg["batch_size"]
    nt, ebs = x_test.shape[0], cfg["eval_batch_size"]
    epochs = []
    for _ in range(cfg["epochs"]):
        model.train()
        perm = torch.randperm(n, generator=generator)
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        model.eval()
        test_loss = torch.zeros((), dtype=torch.float64)
        correct = torch.zeros((), dtype=torch.int64)
        with torch.no_grad():
            for i in range(0, nt, ebs):
                logits = model(x_test[i:i + ebs])
                y = y_test[i:i + ebs]
                test_loss += test_loss_fn(logits, y)
                correct += (logits.argmax(dim=1) == y).sum()
        epochs.append({"test_loss": test_loss.item() / nt,
                       "test_accuracy": 100.0 * correct.item() / nt})
    return {"activation": activation, "seed": seed,
            "final_test_accuracy": epochs[-1]["test_accuracy"],
            "final_test_loss": epochs[-1]["test_loss"],
            "seconds": time.perf_counter() - start}


def worker_init():
    import torch
    torch.set_num_threads(1)


# --- main ---------------------------------------------------------------------------------------

def main():
    args = parse_args(sys.argv[1:])
    try:
        import torch
    except ImportError as e:
        fail(2, f"cannot import torch ({e}); install Debian's python3-torch "
                "(scripts/bench.sh --growth does)")
    import multiprocessing

    torch.set_num_threads(1)  # before any tensor work: the parent never starts an OpenMP pool
    import_seconds = time.perf_counter() - _START
    try:
        DATA["x_train"], DATA["y_train"] = load_split(torch, args.data, "train", args.train_limit)
        DATA["x_test"], DATA["y_test"] = load_split(torch, args.data, "test", args.test_limit)
    except InputError as e:
        fail(2, str(e))
    load_seconds = time.perf_counter() - _START - import_seconds

    cfg = {"hidden": args.hidden, "batch_size": args.batch_size, "epochs": args.epochs,
           "eval_batch_size": args.eval_batch_size}
    jobs = [(a, s, cfg) for a in args.activations for s in args.seeds]
    workers = min(args.jobs, len(jobs))
    if workers == 1:
        worker_init()
        results = [train_one(j) for j in jobs]
    else:
        # fork: the workers inherit DATA (one copy for all); runs go to whichever is free.
        with multiprocessing.get_context("fork").Pool(workers, initializer=worker_init) as pool:
            results = list(pool.imap(train_one, jobs, chunksize=1))
    wall = time.perf_counter() - _START
    print(json.dumps({
        "schema": "actbench.bench_pytorch/1",
        "torch": torch.__version__,
        "wall_seconds": wall,
        "import_seconds": import_seconds,
        "load_seconds": load_seconds,
        "jobs": workers,
        "threads_per_job": 1,
        "settings": {
            "activations": args.activations, "seeds": args.seeds, "hidden": args.hidden,
            "batch_size": args.batch_size, "epochs": args.epochs,
            "train_samples": int(DATA["x_train"].shape[0]),
            "test_samples": int(DATA["x_test"].shape[0]),
            "eval_batch_size": args.eval_batch_size, "optimizer": "adam (foreach), lr 0.001",
            "leaky_relu_negative_slope": LEAKY_SLOPE, "data": os.path.abspath(args.data),
        },
        "runs": len(results),
        "results": results,
    }))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except BaseException as e:  # one line, not a traceback: bench.py shows the tail of stderr
        fail(1, f"{type(e).__name__}: {e}")
