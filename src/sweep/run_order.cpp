#include "sweep/run_order.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <numeric>
#include <string>

#include <torch/torch.h>

#include "activations/registry.h"
#include "data/dataset.h"

namespace actbench {

std::vector<size_t> longest_first(const std::vector<const PlannedRun*>& runs, const RunCost& cost) {
  std::vector<double> costs;
  costs.reserve(runs.size());
  for (const PlannedRun* run : runs) costs.push_back(cost(*run));
  std::vector<size_t> order(runs.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return costs[a] > costs[b]; });
  return order;
}

namespace {

// Seconds per element of the activation's forward and backward (its backward kernel, or local
// autograd) on a [64, 128] batch: the best of three timings of a few calls each.
double activation_seconds_per_element(const ActivationSpec& spec) {
  constexpr int64_t kRows = 64, kWidth = 128, kCalls = 4;
  torch::nn::AnyModule module = make_activation(spec, kWidth);
  const BackwardKernel& backward = activation_info(spec).backward;
  const torch::Tensor z = torch::randn({kRows, kWidth}), grad = torch::ones({kRows, kWidth});
  const auto once = [&] {
    if (backward) {
      torch::NoGradGuard no_grad;
      backward(grad, z, module.forward(z), spec.params);
    } else {
      const torch::Tensor leaf = z.detach().requires_grad_(true);
      torch::autograd::grad({module.forward(leaf)}, {leaf}, {grad});
    }
  };
  once();  // the first call allocates and initialises
  double best = 1e9;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < kCalls; ++k) once();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - t0;
    best = std::min(best, took.count() / kCalls);
  }
  return best / double(kRows * kWidth);
}

}  // namespace

RunCost estimated_run_cost() {
  auto per_element = std::make_shared<std::map<std::string, double>>();
  return [per_element](const PlannedRun& run) {
    const Config& c = run.config;
    double act = 0;
    if (!c.activations.empty()) {
      const ActivationSpec& spec = c.activations.front();
      const std::string key = spec.name + spec.params.dump();
      auto it = per_element->find(key);
      if (it == per_element->end()) {
        double seconds = 0;
        try {
          seconds = activation_seconds_per_element(spec);
        } catch (const std::exception&) {  // the run itself will say what is wrong
        }
        it = per_element->emplace(key, seconds).first;
      }
      act = it->second;
    }
    const double train = double(c.data.train_limit > 0 ? c.data.train_limit : kMnistTrainCount) -
                         double(c.data.validation);
    const double tested = double(c.data.test_limit > 0 ? c.data.test_limit : kMnistTestCount) +
                          double(c.data.validation);
    double macs = 0, units = 0;
    int64_t in = kMnistPixels;
    for (const int64_t width : c.model.hidden) {
      macs += double(in * width);
      units += double(width);
      in = width;
    }
    macs += double(in * kMnistClasses);
    // Training: a forward and two backward products per example; testing: a forward. A nominal
    // 20 GMAC/s puts the products and the activation's timing on one scale.
    const double products = (3 * train + tested) * macs / 2e10;
    const double activations = (train + tested) * units * act;
    return double(c.train.epochs) * (products + activations);
  };
}

}  // namespace actbench
