#include "train/memory.h"

#include <malloc.h>
#include <unistd.h>
#if defined(__SANITIZE_ADDRESS__)
// The sanitizer runtime's allocator statistics (compiler-rt's sanitizer/allocator_interface.h,
// which GCC does not install).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>

#include <fmt/format.h>

#include <torch/torch.h>

#include "activations/registry.h"
#include "data/dataset.h"
#include "util/error.h"

namespace actbench {
namespace {

constexpr double kFloat = 4;
// LibTorch, OpenBLAS and the process itself, measured at ~150 MiB resident on this CPU build.
constexpr double kProcess = 200.0 * (1 << 20);

// The bytes the heap holds now (glibc: arena and mmap'd chunks in use; under AddressSanitizer,
// whose allocator replaces glibc's, its own count); nullopt elsewhere.
std::optional<double> heap_in_use() {
#if defined(__SANITIZE_ADDRESS__)
  return double(__sanitizer_get_current_allocated_bytes());
#elif defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 m = ::mallinfo2();
  return double(m.uordblks) + double(m.hblkhd);
#else
  return std::nullopt;
#endif
}

}  // namespace

double saved_bytes_per_element(const ActivationSpec& spec) {
  if (spec.name != "formula") return 0;  // built-ins: their own backward keeps what buffers count
  static std::mutex mutex;
  static std::map<std::string, double> measured;
  const std::lock_guard<std::mutex> lock(mutex);
  const std::string key = activation_to_json(spec).dump();
  if (auto it = measured.find(key); it != measured.end()) return it->second;
  // A [64, 256] batch of one hidden layer: what autograd keeps alive between the forward and the
  // backward pass (the formula's intermediates it saves), beyond the output itself. No random
  // numbers: the training's generator is not touched.
  constexpr int64_t kRows = 64, kWidth = 256;
  double per_element = 0;
  if (const auto before = heap_in_use()) {
    torch::nn::AnyModule act = make_activation(spec, kWidth);
    const torch::Tensor x =
        torch::linspace(-4, 4, kRows * kWidth).reshape({kRows, kWidth}).requires_grad_();
    const double start = *heap_in_use();
    const torch::Tensor y = act.forward(x);
    const double held = *heap_in_use() - start - double(y.numel()) * kFloat;
    per_element = std::max(0.0, held / double(kRows * kWidth));
  }
  measured[key] = per_element;
  return per_element;
}

MemoryEstimate estimate_run_memory(const Config& config) {
  std::vector<double> widths{double(kMnistPixels)};
  for (int64_t h : config.model.hidden) widths.push_back(double(h));
  widths.push_back(double(kMnistClasses));
  double params = 0, hidden = 0;
  for (size_t i = 0; i + 1 < widths.size(); ++i)
    params += widths[i] * widths[i + 1] + widths[i + 1];
  for (size_t i = 1; i + 1 < widths.size(); ++i) hidden += widths[i];
  params += hidden;  // a per-unit learnable activation at most
  MemoryEstimate e;
  e.parameters = 2 * params * kFloat;  // values and gradients
  e.optimizer = 2 * params * kFloat;   // Adam's moments (the most any optimizer here keeps)
  // The copies it writes (values, Adam's moments), and as much again in LibTorch's serialiser.
  e.checkpoint = 2 * 3 * params * kFloat;
  const double batch = double(config.train.batch_size), eval = double(config.train.eval_batch_size);
  // Training: the float inputs, then per layer its pre-activation, output and their gradients;
  // evaluation: inputs and two buffers per layer.
  e.buffers = batch * (kMnistPixels + 4 * (hidden + kMnistClasses)) * kFloat +
              eval * (kMnistPixels + 2 * (hidden + kMnistClasses)) * kFloat;
  // A formula's intermediates that autograd saves for the backward pass, measured, and as much
  // again for their gradients while the backward pass runs (measured peaks: a 30-level formula on
  // [2048] with batch 2048 used 1.98 GiB, estimated 2.3 GiB; 10 levels on [1024, 1024], batch
  // 1024: 565 / 656 MiB).
  for (const auto& a : config.activations) {
    e.buffers += 2 * batch * hidden * saved_bytes_per_element(a);
  }
  return e;
}

double dataset_bytes(const DataConfig& data) {
  const double train = double(data.train_limit > 0 ? data.train_limit : kMnistTrainCount);
  const double test = double(data.test_limit > 0 ? data.test_limit : kMnistTestCount);
  double bytes = (train + test) * (kMnistPixels + 8);  // one byte a pixel, an int64 label
  // The test and validation splits' inputs, scaled once and kept as float32 where the test pass
  // reads them dense (data/dataset.cpp: not kept by a sparse test pass; the estimate stays an upper
  // bound).
  bytes += (test + double(data.validation)) * kMnistPixels * 4;
  if (!data.normalize) {
    // Every split's nonzero inputs, extracted once for a sparse first layer and the test pass's
    // (data/sparse_rows.h, train/sparse_eval.h): a uint16 column and the byte each, an offset a
    // row. Nonzero pixels: MNIST's training split 19.1% (measured), Fashion-MNIST about half
    // (allowed for: 51%).
    const double nonzero = data.dataset == DatasetKind::kMnist ? 0.20 : 0.51;
    bytes += (train + test) * (kMnistPixels * nonzero * 3 + 8);
  }
  return bytes;
}

uint64_t parse_memory_size(const std::string& text, const std::string& flag) {
  std::smatch m;
  static const std::regex re(R"(\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgGtT]?)(i?[bB])?\s*)");
  if (!std::regex_match(text, m, re)) {
    throw InputError(flag + " must be a size such as 4G, 512M or 1.5GiB, got '" + text + "'");
  }
  const char unit = m[2].str().empty() ? ' ' : char(std::toupper(m[2].str()[0]));
  const double scale = unit == 'K'   ? 1024.0
                       : unit == 'M' ? std::pow(1024.0, 2)
                       : unit == 'G' ? std::pow(1024.0, 3)
                       : unit == 'T' ? std::pow(1024.0, 4)
                                     : 1.0;
  const double bytes = std::stod(m[1].str()) * scale;
  if (!(bytes >= 1 && bytes < 1e18)) {
    throw InputError(flag + " must be at least 1 byte and below an exabyte, got '" + text + "'");
  }
  return uint64_t(bytes);
}

uint64_t machine_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  uint64_t bytes = pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : 0;
  // A container's limit (cgroup v2, then v1), when lower.
  for (const char* path :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(path);
    std::string v;
    if (in >> v && !v.empty() && std::all_of(v.begin(), v.end(), ::isdigit)) {
      const uint64_t limit = std::stoull(v);
      if (limit > 0 && (bytes == 0 || limit < bytes)) bytes = limit;
    }
  }
  return bytes;
}

std::string bytes_text(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (bytes >= 1024 && u < 5) {
    bytes /= 1024;
    ++u;
  }
  return fmt::format(u == 0 ? "{:.0f} {}" : "{:.1f} {}", bytes, units[u]);
}

void check_memory(const std::vector<const Config*>& runs, int64_t jobs,
                  std::optional<uint64_t> limit) {
  if (runs.empty()) return;
  const Config* largest = runs.front();
  MemoryEstimate worst = estimate_run_memory(*largest);
  std::vector<const DataConfig*> data;
  double data_total = 0;
  for (const Config* c : runs) {
    const MemoryEstimate e = estimate_run_memory(*c);
    if (e.run() > worst.run()) {
      worst = e;
      largest = c;
    }
    if (std::none_of(data.begin(), data.end(),
                     [&](const DataConfig* d) { return *d == c->data; })) {
      data.push_back(&c->data);
      data_total += dataset_bytes(c->data);
    }
  }
  const double side_by_side = double(std::min<int64_t>(jobs, int64_t(runs.size())));
  const double total = kProcess + data_total + side_by_side * worst.run();
  const uint64_t available = limit ? *limit : machine_memory_bytes();
  if (available == 0 || total <= double(available)) return;
  std::string hidden;
  for (int64_t h : largest->model.hidden) hidden += (hidden.empty() ? "" : ",") + std::to_string(h);
  throw InputError(fmt::format(
      "the sweep needs about {} of memory, more than {} {}: its largest run (model.hidden "
      "[{}]) {} (parameters and gradients {}, optimizer state {}, checkpoint copies {}, batch "
      "buffers and a formula's saved intermediates {}){}, the data {} and the process {}; make "
      "the model smaller, train fewer runs "
      "at once (--jobs), or {}",
      bytes_text(total), limit ? "the --max-memory limit of" : "this machine's",
      bytes_text(double(available)), hidden, bytes_text(worst.run()), bytes_text(worst.parameters),
      bytes_text(worst.optimizer), bytes_text(worst.checkpoint), bytes_text(worst.buffers),
      side_by_side > 1 ? fmt::format(" x {} side by side", side_by_side) : "",
      bytes_text(data_total), bytes_text(kProcess),
      limit ? "raise --max-memory" : "run it on a machine with more memory"));
}

void check_curves_memory(const std::vector<ActivationSpec>& specs, int64_t points) {
  // Per activation and point: x, y and dy as float and double tensors (about 40 bytes), y and dy
  // as JSON numbers (a 16-byte node and about 24 bytes of text each) and the autograd
  // intermediates of a formula's derivative.
  double per_point = 0, largest_formula = 0;
  for (const auto& a : specs) {
    per_point += 40 + 2 * (16 + 24);
    largest_formula = std::max(largest_formula, saved_bytes_per_element(a));
  }
  const double total = kProcess + double(points) * (per_point + largest_formula);
  const uint64_t available = machine_memory_bytes();
  if (available == 0 || total <= double(available)) return;
  throw InputError(fmt::format(
      "{} activation(s) on {} points need about {} of memory (their curves as JSON, and the "
      "formulas' derivatives), more than this machine's {}; draw fewer points (--points) or "
      "fewer activations at once",
      specs.size(), points, bytes_text(total), bytes_text(double(available))));
}

}  // namespace actbench
