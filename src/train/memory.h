// The resource guard: before anything is trained, the memory a sweep's runs need is estimated --
// each run's parameters, gradients and optimizer state, the checkpoint it writes, its batch
// buffers, the data sets (loaded once and shared) and the process itself -- and a sweep that would
// not fit in the machine's memory (or a --max-memory limit) is refused with the estimate.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace actbench {

struct MemoryEstimate {
  double parameters = 0;  // bytes of one run's parameters and gradients
  double optimizer = 0;   // its optimizer state (Adam: two moments)
  double checkpoint = 0;  // the copies a checkpoint makes while it is written
  double buffers = 0;     // the batch's inputs and per-layer buffers, training and evaluation
  double run() const { return parameters + optimizer + checkpoint + buffers; }
};

// One run of `config` (its first activation); a formula activation's saved intermediates
// included (saved_bytes_per_element).
MemoryEstimate estimate_run_memory(const Config& config);

// The bytes per element of a hidden layer that autograd keeps between forward and backward for
// `spec` beyond the layer's own buffers: measured once per formula (a [64, 256] batch, the heap in
// use before and after its forward pass; glibc), 0 for the registry's activations (their
// backward keeps what `buffers` counts) and where the heap cannot be measured.
double saved_bytes_per_element(const ActivationSpec& spec);

// The bytes of the data set of `data` as actbench holds it (one byte a pixel, labels, the test and
// validation inputs as float, and for unnormalised pixels the training split's nonzeros,
// data/sparse_rows.h).
double dataset_bytes(const DataConfig& data);

// "4G", "512M", "1.5GiB", "2000000" (bytes) -> bytes; InputError naming `flag` otherwise.
uint64_t parse_memory_size(const std::string& text, const std::string& flag);

// The memory this process may use: the machine's (or its cgroup's limit, when lower).
uint64_t machine_memory_bytes();

// Refuses (InputError) when `runs` (the configs to train), `jobs` at a time, need more than
// `limit` (--max-memory) or, without one, more than the machine's memory.
void check_memory(const std::vector<const Config*>& runs, int64_t jobs,
                  std::optional<uint64_t> limit);

// Refuses (InputError) `actbench curves` of `specs` on `points` grid points when they would need
// more than this machine's memory.
void check_curves_memory(const std::vector<ActivationSpec>& specs, int64_t points);

// 1536 MiB -> "1.5 GiB".
std::string bytes_text(double bytes);

}  // namespace actbench
