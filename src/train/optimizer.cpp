#include "train/optimizer.h"

#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/rmsprop.h>
#include <torch/optim/sgd.h>

namespace actbench {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainConfig& c,
                                                        std::vector<torch::Tensor> parameters) {
  namespace optim = torch::optim;
  switch (c.optimizer) {
    case Optimizer::kAdam:
      return std::make_unique<optim::Adam>(std::move(parameters),
                                           optim::AdamOptions(c.lr).weight_decay(c.weight_decay));
    case Optimizer::kAdamW:
      return std::make_unique<optim::AdamW>(std::move(parameters),
                                            optim::AdamWOptions(c.lr).weight_decay(c.weight_decay));
    case Optimizer::kSgd:
      return std::make_unique<optim::SGD>(
          std::move(parameters),
          optim::SGDOptions(c.lr).momentum(c.momentum.value_or(0.9)).weight_decay(c.weight_decay));
    case Optimizer::kRmsprop:
      return std::make_unique<optim::RMSprop>(std::move(parameters),
                                              optim::RMSpropOptions(c.lr)
                                                  .momentum(c.momentum.value_or(0.0))
                                                  .weight_decay(c.weight_decay));
  }
  throw std::logic_error("unknown optimizer");
}

}  // namespace actbench
