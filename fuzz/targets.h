// The bodies of the libFuzzer targets (fuzz/<target>_fuzz.cpp), shared with the FuzzRegression
// tests (tests/unit/fuzz_regression_test.cpp) so that a crashing input replays through exactly the
// code the fuzzer ran. Each function feeds one input to the project's readers and returns
// normally when the input was accepted or refused with InputError (the documented bad-input
// error); anything else escapes -- another exception type, a crash, a sanitizer report -- and is
// a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace actbench_fuzz {

enum class Outcome { kAccepted, kRefused };

// The config loader. The input is the config file's text, then, after each NUL byte, one
// KEY=VALUE override (at most 8). It is loaded as YAML (config.yaml: read_config_source and, for
// a grid of at most 256 runs, make_plan) and as JSON (config.json: load_config).
Outcome fuzz_config(const uint8_t* data, size_t size);

// The IDX reader: the input as an IDX file of 1 and of 3 dimensions (check_idx_file), and as a
// label file (check_idx_labels) when its header is a valid one-dimensional one.
Outcome fuzz_idx(const uint8_t* data, size_t size);

// The run-file and plan reader: the input as a sweep directory's plan.json (read_plan_file), as
// every run file of a fixed four-run sweep (collect_outputs: read_run_entry, results.json and
// summary.json built from what it accepts) and as a run store entry (RunStore::entries, find).
Outcome fuzz_runfile(const uint8_t* data, size_t size);

// `actbench store verify` (RunStore::verify, then entries()) on a store whose one entry is the
// input, its checksum stamped when it is a JSON object, filed under the name its key gives.
Outcome fuzz_store(const uint8_t* data, size_t size);

// The checkpoint reader, as `actbench run` resumes a run (load_checkpoint into a freshly built
// model, engine and shuffling generator; train/checkpoint.h): the input as a sweep's
// checkpoints/<run id>.ckpt of two fixed runs (the tutorial's MLP narrowed to hidden widths
// [1, 2] with ReLU and the fused engine, [1, 1] with RReLU and the autograd engine; both Adam),
// read as given and, when its checksum does not hold, again with the checksum stamped (its
// archive: the bytes before its trailer, when it ends with one), so that mutations reach
// LibTorch's archive reader, the metrics decoder and the shape checks -- but only when the
// archive's records other than the tensors' bytes (the TorchScript code and pickles LibTorch
// compiles and unpickles) are intact. Accepted: the file as given is resumed from (by either
// run); refused: not used ("discard and retrain", with the reason).
Outcome fuzz_checkpoint(const uint8_t* data, size_t size);

// The target of that name ("config", "idx", "runfile", "store", "checkpoint"); nullptr when there
// is none.
using TargetFn = Outcome (*)(const uint8_t*, size_t);
TargetFn find_target(const std::string& name);

}  // namespace actbench_fuzz
