#include "train/trainer.h"

#include <chrono>
#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

#include "train/optimizer.h"

namespace actbench {
namespace {

namespace F = torch::nn::functional;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The shuffling stream is seeded apart from the weight initialisation (which uses the seed
// itself), so that changing one never shifts the other. SplitMix64 finaliser.
uint64_t shuffle_seed(int64_t seed) {
  uint64_t z = static_cast<uint64_t>(seed) + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

EvalMetrics evaluate(MLP& model, const Split& split, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  const int64_t n = split.size();
  auto opts = split.images.options();
  torch::Tensor loss_sum = torch::zeros({}, opts.dtype(torch::kDouble));
  torch::Tensor correct = torch::zeros({}, opts.dtype(torch::kLong));
  for (int64_t start = 0; start < n; start += batch_size) {
    const int64_t len = std::min(batch_size, n - start);
    torch::Tensor logits = model->forward(split.images.narrow(0, start, len));
    torch::Tensor y = split.labels.narrow(0, start, len);
    loss_sum += F::cross_entropy(logits, y, F::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .to(torch::kDouble);
    correct += logits.argmax(1).eq(y).sum();
  }
  model->train(was_training);
  return {loss_sum.item<double>() / double(n), 100.0 * double(correct.item<int64_t>()) / double(n)};
}

RunResult train_run(const Config& config, const ActivationSpec& activation, const Dataset& data,
                    const torch::Device& device, const RunCallbacks& callbacks) {
  const TrainConfig& tc = config.train;
  RunResult result;
  result.activation = activation;
  result.seed = tc.seed;

  // Same seed -> same initial Linear weights for every activation (a paired comparison).
  torch::manual_seed(static_cast<uint64_t>(tc.seed));
  MLP model(MLPOptions(data.input_size, config.model.hidden, data.num_classes, activation));
  model->to(device);
  result.parameters = count_parameters(*model);
  auto optimizer = make_optimizer(tc, model->parameters());

  const Split& train = data.train;
  const int64_t n = train.size();
  const int64_t bs = tc.batch_size;
  const int64_t steps = (n + bs - 1) / bs;
  // Per-step sizes (the last batch may be short) weight the per-step mean losses.
  torch::Tensor step_sizes = torch::full({steps}, double(bs), torch::kDouble);
  step_sizes[steps - 1] = double(n - (steps - 1) * bs);
  step_sizes = step_sizes.to(device);
  auto device_opts = torch::TensorOptions().device(device);
  torch::Tensor step_loss = torch::empty({steps}, device_opts.dtype(torch::kFloat));
  torch::Tensor step_correct = torch::empty({steps}, device_opts.dtype(torch::kLong));
  at::Generator shuffle = at::make_generator<at::CPUGeneratorImpl>(shuffle_seed(tc.seed));

  model->train();
  for (int64_t epoch = 1; epoch <= tc.epochs; ++epoch) {
    const auto t0 = Clock::now();
    // Reshuffled every epoch; drawn on the CPU so the order is the same on every device.
    torch::Tensor perm = torch::randperm(n, shuffle, torch::kLong).to(device);
    for (int64_t s = 0; s < steps; ++s) {
      const int64_t start = s * bs;
      torch::Tensor idx = perm.narrow(0, start, std::min(bs, n - start));
      torch::Tensor x = train.images.index_select(0, idx);
      torch::Tensor y = train.labels.index_select(0, idx);
      torch::Tensor logits = model->forward(x);
      torch::Tensor loss = F::cross_entropy(logits, y);
      optimizer->zero_grad();
      loss.backward();
      optimizer->step();
      {
        torch::NoGradGuard no_grad;
        step_loss[s].copy_(loss);
        step_correct[s].copy_(logits.argmax(1).eq(y).sum());
      }
      if (callbacks.on_step) callbacks.on_step(s + 1, steps, epoch);
    }
    EpochMetrics m;
    m.epoch = epoch;
    m.train_loss = (step_loss.to(torch::kDouble) * step_sizes).sum().item<double>() / double(n);
    m.train_accuracy = 100.0 * double(step_correct.sum().item<int64_t>()) / double(n);
    m.train_seconds = seconds_since(t0);
    const auto t1 = Clock::now();
    EvalMetrics test = evaluate(model, data.test, tc.eval_batch_size);
    m.test_seconds = seconds_since(t1);
    m.test_loss = test.loss;
    m.test_accuracy = test.accuracy;
    m.seconds = m.train_seconds + m.test_seconds;
    result.epochs.push_back(m);
    if (!std::isfinite(m.train_loss) || !std::isfinite(m.test_loss)) result.status = "diverged";
    if (callbacks.on_epoch) callbacks.on_epoch(result, m);
    if (result.status == "diverged") break;
  }
  return result;
}

}  // namespace actbench
