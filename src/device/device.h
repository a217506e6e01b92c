// Where training runs: device resolution and CPU thread settings.
#pragma once

#include <cstdint>
#include <string>

#include <torch/types.h>

#include "config/choices.h"

namespace actbench {

// "auto" -> CUDA when LibTorch and the machine have it, else CPU; "cpu"; "cuda"; "cuda:N".
// Throws InputError when CUDA is asked for and not available.
torch::Device resolve_device(const DeviceSpec& spec);

// The kind of device `spec` trains on, "cpu" or "cuda" ("auto": CUDA when this machine has it).
// Part of a run's identity: the same settings on a GPU and on the CPU are two runs.
std::string device_kind(const DeviceSpec& spec);

// The device `spec` names, resolved as resolve_device does but without requiring CUDA here: what
// `plan` surveys for (a login node planning a sweep for its GPU nodes).
torch::Device planned_device(const DeviceSpec& spec);

// Sets LibTorch's intra-op threads and, when the BLAS is OpenBLAS, its threads too (so the two
// pools never fight). 0 means one per core available to this process. Returns the count used.
int64_t configure_cpu_threads(int64_t requested);

// How many runs train side by side: `requested` if positive, else cores / threads per run on the
// CPU and 1 on CUDA (runs on one GPU would queue on it anyway); never more than `runs`.
int64_t resolve_jobs(int64_t requested, int64_t threads_per_run, const torch::Device& device,
                     int64_t runs);

// For a thread that trains a run: LibTorch's intra-op threads as seen from this thread (OpenMP
// keeps that setting per thread).
void configure_worker_threads(int64_t threads);

// Cores this process may run on (sched affinity), at least 1.
int64_t available_cores();

// "cpu" or "cuda:N".
std::string device_string(const torch::Device& device);

// One line per device LibTorch sees, for --version.
std::string describe_devices();

}  // namespace actbench
