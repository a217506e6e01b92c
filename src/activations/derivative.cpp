#include "activations/derivative.h"

#include <limits>
#include <vector>

#include <torch/autograd.h>

namespace actbench {

std::pair<torch::Tensor, torch::Tensor> activation_with_derivative(torch::nn::AnyModule& act,
                                                                   const torch::Tensor& z) {
  torch::AutoGradMode grad_mode(true);
  torch::Tensor leaf = z.detach().requires_grad_(true);
  torch::Tensor h = act.forward(leaf);
  torch::Tensor d = torch::autograd::grad({h}, {leaf}, {torch::ones_like(h)})[0];
  return {h.detach(), d};
}

double max_abs_derivative(torch::nn::AnyModule& act, int64_t width) {
  torch::NoGradGuard no_grad;
  const std::vector<torch::Tensor> params = act.ptr()->parameters();
  const auto opts = torch::TensorOptions().device(params.empty() ? torch::Device(torch::kCPU)
                                                                 : params[0].device());
  // Only learnable activations (PReLU per unit) care about the width.
  if (params.empty()) width = 1;
  torch::Tensor z = torch::linspace(-20.0, 20.0, 4001, opts).unsqueeze(1).expand({4001, width});
  return activation_with_derivative(act, z.contiguous()).second.abs().max().item<double>();
}

torch::Tensor SaturationBands::saturated(const torch::Tensor& y) const {
  // NaN limits compare false: no saturation on a side without a bound (a side without any is
  // skipped: the same answer, for fewer passes over y).
  const auto near = [&](const torch::Tensor& limit, const torch::Tensor& margin) {
    return torch::sub(y, limit).abs_().le(margin);
  };
  if (has_lower && has_upper) {
    return near(lower, lower_margin).logical_or_(near(upper, upper_margin));
  }
  if (has_lower) return near(lower, lower_margin);
  if (has_upper) return near(upper, upper_margin);
  return torch::zeros(y.sizes(), y.options().dtype(torch::kBool));
}

SaturationBands saturation_bands(torch::nn::AnyModule& act, int64_t width) {
  torch::NoGradGuard no_grad;
  const std::vector<torch::Tensor> params = act.ptr()->parameters();
  const auto opts = torch::TensorOptions().device(params.empty() ? torch::Device(torch::kCPU)
                                                                 : params[0].device());
  const int64_t w = params.empty() ? 1 : width;
  // f far out on each side, twice as far, and at 0: a side whose value stops changing has a limit.
  const torch::Tensor z = torch::tensor({-1e4f, -2e4f, 0.0f, 1e4f, 2e4f}, opts)
                              .unsqueeze(1)
                              .expand({5, w})
                              .contiguous();
  const torch::Tensor f = act.forward(z).to(torch::kDouble);
  const torch::Tensor f0 = f[2];
  auto side = [&](int64_t far, int64_t farther) {
    const torch::Tensor a = f[far], b = f[farther];
    const torch::Tensor finite = (b - a).abs().le(1e-3 * (1 + a.abs())).logical_and(b.isfinite());
    const torch::Tensor nan = torch::full_like(b, std::numeric_limits<double>::quiet_NaN());
    const torch::Tensor limit = torch::where(finite, b, nan);
    return std::make_pair(limit, 0.05 * (limit - f0).abs());
  };
  const auto [lower, lower_margin] = side(0, 1);
  const auto [upper, upper_margin] = side(3, 4);
  const auto to = [&](const torch::Tensor& t) { return t.to(torch::kFloat); };
  SaturationBands bands{to(lower), to(lower_margin), to(upper), to(upper_margin)};
  bands.has_lower = bands.lower.isfinite().any().item<bool>();
  bands.has_upper = bands.upper.isfinite().any().item<bool>();
  return bands;
}

}  // namespace actbench
