#include "device/device.h"

#include <dlfcn.h>
#include <sched.h>

#include <torch/cuda.h>
#include <torch/utils.h>

#include "util/error.h"

namespace actbench {

torch::Device resolve_device(const DeviceSpec& spec) {
  const bool has_cuda = torch::cuda::is_available();
  switch (spec.kind) {
    case DeviceSpec::Kind::kAuto:
      return has_cuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    case DeviceSpec::Kind::kCpu:
      return torch::Device(torch::kCPU);
    case DeviceSpec::Kind::kCuda:
      break;
  }
  if (!has_cuda) {
    throw InputError("device '" + spec.text() +
                     "' asked for, but CUDA is not available (this LibTorch has no CUDA "
                     "support or no GPU is visible); use --device cpu or --device auto");
  }
  const int64_t index = spec.index.value_or(0);
  const int64_t count = static_cast<int64_t>(torch::cuda::device_count());
  if (index >= count) {
    throw InputError("device '" + spec.text() + "' does not exist: " + std::to_string(count) +
                     " CUDA device(s) visible (cuda:0.." + std::to_string(count - 1) + ")");
  }
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

std::string device_kind(const DeviceSpec& spec) {
  switch (spec.kind) {
    case DeviceSpec::Kind::kAuto:
      return torch::cuda::is_available() ? "cuda" : "cpu";
    case DeviceSpec::Kind::kCpu:
      return "cpu";
    case DeviceSpec::Kind::kCuda:
      break;
  }
  return "cuda";
}

torch::Device planned_device(const DeviceSpec& spec) {
  if (device_kind(spec) == "cpu") return torch::Device(torch::kCPU);
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(spec.index.value_or(0)));
}

int64_t available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return 1;
}

int64_t configure_cpu_threads(int64_t requested) {
  const int64_t threads = requested > 0 ? requested : available_cores();
  torch::set_num_threads(static_cast<int>(threads));
  // OpenBLAS keeps its own thread pool; looked up at run time so no BLAS is required at build time.
  using SetThreads = void (*)(int);
  if (auto fn = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    fn(static_cast<int>(threads));
  }
  return threads;
}

int64_t resolve_jobs(int64_t requested, int64_t threads_per_run, const torch::Device& device,
                     int64_t runs) {
  int64_t jobs = requested;
  if (jobs <= 0) {
    jobs = device.is_cuda()
               ? 1
               : std::max<int64_t>(1, available_cores() / std::max<int64_t>(1, threads_per_run));
  }
  return std::max<int64_t>(1, std::min(jobs, runs));
}

void configure_worker_threads(int64_t threads) {
  torch::set_num_threads(static_cast<int>(threads));
}

std::string device_string(const torch::Device& device) {
  if (device.is_cuda()) return "cuda:" + std::to_string(device.has_index() ? device.index() : 0);
  return "cpu";
}

std::string describe_devices() {
  std::string out = "cpu (" + std::to_string(available_cores()) + " cores)";
  if (torch::cuda::is_available()) {
    // device_count() is size_t in LibTorch 1.x and a small signed integer in 2.x.
    const auto n = static_cast<int64_t>(torch::cuda::device_count());
    for (int64_t i = 0; i < n; ++i) out += ", cuda:" + std::to_string(i);
  } else {
    out += "; CUDA not available";
  }
  return out;
}

}  // namespace actbench
