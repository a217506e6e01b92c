// The optimizers a config can name, built from TrainConfig.
#pragma once

#include <memory>
#include <vector>

#include <torch/optim/optimizer.h>

#include "config/config.h"

namespace actbench {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainConfig& config,
                                                        std::vector<torch::Tensor> parameters);

}  // namespace actbench
