#include "device/peak.h"

#include <chrono>

#include <torch/torch.h>

#include "device/device.h"
#include "util/error.h"

namespace actbench {

PeakResult measure_matmul_peak(const PeakOptions& o) {
  if (o.size < 16 || o.size > 16384) throw InputError("--size must be between 16 and 16384");
  if (!(o.seconds > 0 && o.seconds <= 600)) throw InputError("--seconds must be in (0, 600]");
  PeakResult r;
  r.threads = configure_cpu_threads(o.threads);
  torch::NoGradGuard no_grad;
  torch::manual_seed(0);
  const torch::Tensor a = torch::rand({o.size, o.size}), b = torch::rand({o.size, o.size});
  torch::Tensor c = torch::empty({o.size, o.size});
  torch::mm_out(c, a, b);  // warm-up: thread pools, BLAS buffers
  const double flop = 2.0 * double(o.size) * double(o.size) * double(o.size);
  const auto t0 = std::chrono::steady_clock::now();
  while (r.seconds < o.seconds || r.reps < 3) {
    torch::mm_out(c, a, b);
    ++r.reps;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  r.gflops = flop * double(r.reps) / r.seconds / 1e9;
  return r;
}

}  // namespace actbench
