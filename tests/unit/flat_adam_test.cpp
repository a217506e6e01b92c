// The flat Adam (train/flat_adam.h) against torch::optim's Adam and AdamW, and its piecewise
// update against one whole step.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include <torch/torch.h>

#include "train/flat_adam.h"

namespace {

TEST(FlatAdam, MatchesTorchOptimAdamAndAdamW) {
  for (bool decoupled : {false, true}) {
    SCOPED_TRACE(decoupled ? "adamw" : "adam");
    torch::manual_seed(3);
    torch::Tensor p = torch::randn({1000}), p_ref = p.clone().requires_grad_(true);
    const torch::Tensor initial = p.clone();
    torch::Tensor g = torch::zeros({1000});
    actbench::FlatAdam adam(p, g, 0.01, 0.1, decoupled);
    std::unique_ptr<torch::optim::Optimizer> ref;
    if (decoupled) {
      ref = std::make_unique<torch::optim::AdamW>(
          std::vector<torch::Tensor>{p_ref}, torch::optim::AdamWOptions(0.01).weight_decay(0.1));
    } else {
      ref = std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{p_ref},
                                                 torch::optim::AdamOptions(0.01).weight_decay(0.1));
    }
    for (int step = 0; step < 20; ++step) {
      torch::Tensor grad = torch::randn({1000}) * (step + 1);
      g.copy_(grad);
      p_ref.mutable_grad() = grad.clone();
      adam.step();
      ref->step();
      EXPECT_TRUE(torch::allclose(p, p_ref.detach(), 1e-5, 1e-6)) << "step " << step;
    }
    // The agreement means something only if twenty steps of lr 0.01 moved the weights far beyond
    // the tolerance (about 1e-5 here).
    EXPECT_GT((p - initial).abs().mean().item<double>(), 1e-2);
  }
}

TEST(FlatAdam, PiecewiseUpdateEqualsOneStep) {
  torch::manual_seed(4);
  torch::Tensor p1 = torch::randn({300}), p2 = p1.clone(), g = torch::randn({300});
  actbench::FlatAdam whole(p1, g, 0.01, 0.0, false), pieces(p2, g, 0.01, 0.0, false);
  for (int step = 0; step < 3; ++step) {
    whole.step();
    pieces.begin_step();
    pieces.update(200, 100);
    pieces.update(0, 200);
  }
  EXPECT_TRUE(torch::equal(p1, p2));
}

}  // namespace
