// An activation module's first derivative, by autograd: what the run diagnostics (dead and
// saturated units) and the curves command measure.
#pragma once

#include <cstdint>
#include <utility>

#include <torch/nn/modules/container/any.h>
#include <torch/types.h>

namespace actbench {

// The activation's value and first derivative (by autograd) at each element of `z`.
std::pair<torch::Tensor, torch::Tensor> activation_with_derivative(torch::nn::AnyModule& act,
                                                                   const torch::Tensor& z);

// The largest |derivative| of `act` on [-20, 20] (step 0.01), for inputs `width` wide.
double max_abs_derivative(torch::nn::AnyModule& act, int64_t width);

// Where `act`'s outputs count as saturated: within 5% of the way from f(0) to a finite limit of f
// (at -inf or +inf), i.e. approaching a bound. Per unit ([width]; NaN where f has no finite limit
// on that side, so no output is saturated there). ReLU: only outputs equal to 0 (f(0) is its
// limit); tanh: |y| >= 0.95; sigmoid: y <= 0.025 or y >= 0.975; LeakyReLU: none.
struct SaturationBands {
  torch::Tensor lower, lower_margin;        // the limit at -inf and how near counts
  torch::Tensor upper, upper_margin;        // the limit at +inf
  bool has_lower = true, has_upper = true;  // false: no unit has a limit on that side
  // Whether any output can be saturated at all (LeakyReLU's cannot).
  bool any() const { return has_lower || has_upper; }
  // Which elements of `y` ([N, width] outputs) are saturated.
  torch::Tensor saturated(const torch::Tensor& y) const;
};
SaturationBands saturation_bands(torch::nn::AnyModule& act, int64_t width);

}  // namespace actbench
