// The reference engine: the model's forward, autograd's backward, torch::optim's step. What the
// fused engine (fused_engine.cpp) must agree with.
#include <torch/nn/functional/loss.h>

#include "train/engine.h"
#include "train/optimizer.h"

namespace actbench {
namespace {

namespace F = torch::nn::functional;

class AutogradEngine : public StepEngine {
 public:
  AutogradEngine(MLP& model, const TrainConfig& config)
      : model_(model), optimizer_(make_optimizer(config, model->parameters())) {}

  void step(const Batch& batch, torch::Tensor loss_out, torch::Tensor correct_out) override {
    const torch::Tensor &x = batch.x, &y = batch.y;
    const bool timed = this->timed();
    const auto t0 = timed ? Clock::now() : Clock::time_point{};
    torch::Tensor logits = model_->forward(x);
    torch::Tensor loss = F::cross_entropy(logits, y);
    const auto t1 = timed ? Clock::now() : t0;
    optimizer_->zero_grad();
    loss.backward();
    const auto t2 = timed ? Clock::now() : t0;
    if (diagnostics()) {
      const auto& linears = model_->linears();
      for (size_t i = 0; i < linears.size(); ++i) add_grad_norm(i, linears[i]->weight.grad());
    }
    const auto t3 = timed ? Clock::now() : t0;
    optimizer_->step();
    if (diagnostics()) {
      add_step(seconds_between(t0, t1), seconds_between(t1, t2),
               seconds_between(t3, timed ? Clock::now() : t0));
    }
    torch::NoGradGuard no_grad;
    loss_out.copy_(loss);
    correct_out.copy_(logits.argmax(1).eq(y).sum());
  }

  void save_state(torch::serialize::OutputArchive& archive) const override {
    optimizer_->save(archive);
  }
  void load_state(torch::serialize::InputArchive& archive) override { optimizer_->load(archive); }

 private:
  MLP& model_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
};

}  // namespace

std::unique_ptr<StepEngine> make_autograd_engine(MLP& model, const TrainConfig& config) {
  return std::make_unique<AutogradEngine>(model, config);
}

}  // namespace actbench
