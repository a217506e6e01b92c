#include "train/preflight.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <torch/torch.h>

#include "activations/formula.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/text.h"

namespace actbench {
namespace {

constexpr int64_t kExamples = 1024;          // training examples passed through the initial model
constexpr int64_t kGridPoints = 4001;        // points between the least and greatest pre-activation
constexpr int64_t kSliceElements = 1 << 16;  // inputs checked at once (a formula's graph on them)

std::string constants_text(const Json& params) {
  std::vector<std::string> parts;
  for (const auto& c : formula_constants(params)) {
    parts.push_back(c.name + " = " + format_number(c.init));
  }
  return parts.empty() ? "" : " with " + join(parts, ", ");
}

// A value for the message: NaN, infinity, -infinity, or the number (4 significant digits).
std::string number_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "infinity" : "-infinity";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// The first element of `values` that is not finite, and the input it came from; false if none.
bool first_bad(const torch::Tensor& values, const torch::Tensor& inputs, double& input,
               double& value) {
  const torch::Tensor bad = values.isfinite().logical_not().reshape({-1});
  if (!bad.any().item<bool>()) return false;
  const int64_t i = bad.nonzero()[0][0].item<int64_t>();
  value = values.reshape({-1})[i].item<double>();
  input = inputs.reshape({-1})[i].item<double>();
  return true;
}

// The activation of hidden layer `layer` and its derivative, finite at every one of `inputs`;
// InputError naming the first point where they are not.
void check_slice(MLP& model, size_t layer, const torch::Tensor& inputs,
                 const ActivationSpec& activation, const std::string& run_name) {
  torch::Tensor leaf = inputs.clone().requires_grad_(true);
  torch::Tensor h = model->activate(layer, leaf);
  torch::Tensor dh = torch::autograd::grad({h.sum()}, {leaf}, {}, false, false, true)[0];
  if (!dh.defined()) dh = torch::zeros_like(leaf);
  double at = 0, value = 0;
  const auto refuse = [&](const std::string& what) {
    return InputError(run_name + ": the formula '" + activation_formula(activation) + "'" +
                      constants_text(activation.params) + " " + what + " " + number_text(value) +
                      " at x = " + number_text(at) +
                      " on this run's data at initialisation (hidden layer " +
                      std::to_string(layer + 1) +
                      "); change the formula or its constants so that it is finite on the "
                      "inputs it meets");
  };
  if (first_bad(h.detach(), inputs, at, value)) throw refuse("gives");
  if (first_bad(dh, inputs, at, value)) throw refuse("has derivative");
}

}  // namespace

bool checked_at_init(const ActivationSpec& activation) {
  return static_cast<bool>(activation_info(activation).resolve);
}

void check_activation_at_init(const Config& config, const ActivationSpec& activation,
                              const Dataset& data, const std::string& run_name) {
  if (!checked_at_init(activation)) return;
  MLP model = initial_model(config, activation, data);  // on the CPU
  model->eval();
  const int64_t n = std::min<int64_t>(kExamples, data.train.size());
  torch::Tensor x = data.train.images(0, n).to(torch::kCPU);
  std::vector<torch::Tensor> pre;
  {
    torch::NoGradGuard no_grad;
    model->forward_observed(x, [&](size_t, const torch::Tensor& z, const torch::Tensor&) {
      pre.push_back(z.detach().clone());
    });
  }
  for (size_t layer = 0; layer < pre.size(); ++layer) {
    const torch::Tensor& z = pre[layer];
    const int64_t width = z.size(1);
    // The pre-activations met, then the range between their extremes, every unit's column.
    const double lo = z.min().item<double>(), hi = z.max().item<double>();
    torch::Tensor grid = torch::linspace(lo, hi, kGridPoints);
    // 0 is included when the range spans it: a division by x is caught where it breaks.
    if (lo <= 0 && hi >= 0) grid = torch::cat({grid, torch::zeros({1})});
    // In slices of at most kSliceElements: a deep formula's autograd intermediates on a wide
    // layer stay bounded (the training batch's are in the memory estimate).
    const int64_t rows = std::max<int64_t>(1, kSliceElements / width);
    const torch::Tensor full = grid.unsqueeze(1).expand({grid.size(0), width});
    for (const torch::Tensor& whole : {z, full}) {
      for (int64_t start = 0; start < whole.size(0); start += rows) {
        check_slice(model, layer, whole.slice(0, start, start + rows).contiguous(), activation,
                    run_name);
      }
    }
  }
}
}  // namespace actbench
