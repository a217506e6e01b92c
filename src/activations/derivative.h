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

}  // namespace actbench
