#include "train/trainer.h"

#include <chrono>
#include <cmath>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/data/dataloader.h>
#include <torch/data/transforms/stack.h>
#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

#include "activations/derivative.h"
#include "activations/registry.h"
#include "data/batches.h"
#include "kernels/diagnostics.h"
#include "train/checkpoint.h"
#include "train/engine.h"
#include "train/sparse_eval.h"

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

// The number of `bands`' saturated elements of y [N, width], as a 0-dim int64 tensor on y's
// device: in one pass on the CPU, by tensor operations elsewhere.
torch::Tensor count_saturated(const SaturationBands& bands, const torch::Tensor& y) {
  const int64_t width = y.dim() == 2 ? y.size(1) : -1;
  const auto fits = [&](const torch::Tensor& t) {
    return t.is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous() && t.dim() == 1 &&
           t.size(0) == width;
  };
  if (!(y.is_cpu() && y.scalar_type() == torch::kFloat && y.is_contiguous() && width > 0 &&
        fits(bands.lower) && fits(bands.lower_margin) && fits(bands.upper) &&
        fits(bands.upper_margin))) {
    return bands.saturated(y).sum();
  }
  const auto bound = [&](bool has, const torch::Tensor& limit, const torch::Tensor& margin) {
    return has ? kernels::Bound{limit.data_ptr<float>(), margin.data_ptr<float>()}
               : kernels::Bound{};
  };
  const int64_t count =
      kernels::count_near_bounds(y.data_ptr<float>(), y.size(0), width,
                                 bound(bands.has_lower, bands.lower, bands.lower_margin),
                                 bound(bands.has_upper, bands.upper, bands.upper_margin));
  return torch::scalar_tensor(count, torch::kLong);
}

// Marks the units (columns of the derivative d [N, width]) with a nonzero derivative somewhere as
// active: in one pass on the CPU, by tensor operations elsewhere. Whether every unit is now
// active (false off the CPU, where asking would wait for the device).
bool mark_active(const torch::Tensor& d, torch::Tensor& active) {
  if (d.is_cpu() && d.scalar_type() == torch::kFloat && d.dim() == 2 && d.is_contiguous() &&
      active.is_cpu() && active.scalar_type() == torch::kBool && active.is_contiguous() &&
      active.numel() == d.size(1)) {
    return kernels::mark_nonzero_columns(d.data_ptr<float>(), d.size(0), d.size(1),
                                         active.data_ptr<bool>());
  }
  active.logical_or_(d.ne(0).any(0));
  return d.is_cpu() && active.all().item<bool>();
}

// saturation_bands with one bound per unit (the activations without parameters have one for
// all), so that the counting pass reads them column by column.
SaturationBands bands_per_unit(torch::nn::AnyModule& act, int64_t width) {
  SaturationBands b = saturation_bands(act, width);
  for (torch::Tensor* t : {&b.lower, &b.lower_margin, &b.upper, &b.upper_margin}) {
    if (t->dim() == 1 && t->size(0) == 1) *t = t->expand({width}).contiguous();
  }
  return b;
}

}  // namespace

EvalMetrics evaluate(MLP& model, const Split& split, int64_t batch_size,
                     std::vector<LayerStats>* layers, SparseEvalLayer* first_layer) {
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  const int64_t n = split.size();
  auto opts = split.labels.options();
  torch::Tensor loss_sum = torch::zeros({}, opts.dtype(torch::kDouble));
  torch::Tensor correct = torch::zeros({}, opts.dtype(torch::kLong));
  // Per hidden layer (with `layers`): units ever active, saturated outputs, sums for the moments.
  std::vector<torch::nn::Linear> linears = model->linears();  // holders: shared modules
  auto& acts = model->activations();
  const size_t hidden = acts.size();
  std::vector<torch::Tensor> active, saturated, sum, sum_sq;
  std::vector<SaturationBands> bands;
  if (layers) {
    for (size_t i = 0; i < hidden; ++i) {
      const int64_t width = linears[i]->weight.size(0);
      active.push_back(torch::zeros({width}, opts.dtype(torch::kBool)));
      saturated.push_back(torch::zeros({}, opts.dtype(torch::kLong)));
      sum.push_back(torch::zeros({}, opts.dtype(torch::kDouble)));
      sum_sq.push_back(torch::zeros({}, opts.dtype(torch::kDouble)));
      bands.push_back(bands_per_unit(acts[i], width));
    }
  }
  // The model's own forward; with `layers`, each hidden layer's derivative is measured on the way,
  // until every unit of the layer has been active (on the CPU, where asking costs no sync). The
  // derivative comes from the activation's backward kernel where it has one (the very operation
  // autograd's formula calls: the same numbers without a second forward and a graph).
  LayerObserver observe;
  std::vector<char> all_active(hidden, 0);
  std::vector<torch::Tensor> ones(hidden);  // the backward kernels' incoming gradient, kept
  const ActivationSpec& spec = model->options().activation();
  const BackwardKernel& backward = activation_info(spec).backward;
  if (layers) {
    observe = [&](size_t i, const torch::Tensor& z, const torch::Tensor& h) {
      if (!all_active[i]) {
        if (backward && !ones[i].sizes().equals(h.sizes())) ones[i] = torch::ones_like(h);
        const torch::Tensor d = backward ? backward(ones[i], z, h, spec.params)
                                         : activation_with_derivative(acts[i], z).second;
        all_active[i] = mark_active(d, active[i]);
      }
      if (bands[i].any()) saturated[i] += count_saturated(bands[i], h);
      sum[i] += h.sum(torch::kDouble);
      sum_sq[i] += h.square().sum(torch::kDouble);
    };
  }
  SparseEvalLayer& first = first_layer != nullptr ? *first_layer : SparseEvalLayer::shared();
  const bool finite = n > 0 && SparseEvalLayer::weights_finite(linears.front());
  for (int64_t start = 0; start < n; start += batch_size) {
    const int64_t len = std::min(batch_size, n - start);
    const torch::Tensor z0 = first.forward(linears.front(), split, start, len, finite);
    const torch::Tensor logits = model->forward_observed({}, observe, z0);
    torch::Tensor y = split.labels.narrow(0, start, len);
    loss_sum += F::cross_entropy(logits, y, F::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .to(torch::kDouble);
    correct += logits.argmax(1).eq(y).sum();
  }
  model->train(was_training);
  if (layers) {
    layers->clear();
    for (size_t i = 0; i < hidden; ++i) {
      const double count = double(n) * double(active[i].numel());
      LayerStats s;
      s.dead = 1.0 - active[i].to(torch::kDouble).mean().item<double>();
      s.saturated = double(saturated[i].item<int64_t>()) / count;
      s.mean = sum[i].item<double>() / count;
      s.std = std::sqrt(std::max(0.0, sum_sq[i].item<double>() / count - s.mean * s.mean));
      layers->push_back(s);
    }
  }
  return {loss_sum.item<double>() / double(n), 100.0 * double(correct.item<int64_t>()) / double(n)};
}

namespace {

// An epoch's batches, in the order of epoch_permutation, from one of the two pipelines.
class BatchStream {
 public:
  virtual ~BatchStream() = default;
  virtual void start_epoch() = 0;
  // The next batch; false at the end of the epoch.
  virtual bool next(Batch& batch) = 0;
};

// data.pipeline: batch. One gather per batch from the batch-level torch::data dataset, into
// reused buffers; for an engine that reads sparse rows, only the labels (and the rows' numbers).
class GatherStream : public BatchStream {
 public:
  GatherStream(const Split& split, int64_t batch_size, at::Generator generator,
               const SparseRows* sparse)
      : dataset_(split),
        sparse_(sparse),
        n_(split.size()),
        batch_size_(batch_size),
        device_(split.labels.device()),
        generator_(std::move(generator)) {}

  void start_epoch() override {
    perm_ = epoch_permutation(n_, generator_).to(device_);
    pos_ = 0;
  }

  bool next(Batch& batch) override {
    if (pos_ >= n_) return false;
    const int64_t len = std::min(batch_size_, n_ - pos_);
    if (sparse_ != nullptr) {  // a CPU run: the permutation's rows read in place
      const int64_t* rows = perm_.data_ptr<int64_t>() + pos_;
      dataset_.get_labels_into(rows, len, y_);
      batch = {torch::Tensor(), y_, sparse_, rows};
    } else {
      dataset_.get_batch_into(perm_.narrow(0, pos_, len), x_, y_);
      batch = {x_, y_};
    }
    pos_ += len;
    return true;
  }

 private:
  BatchDataset dataset_;
  const SparseRows* sparse_;
  int64_t n_, batch_size_;
  torch::Device device_;
  at::Generator generator_;
  torch::Tensor perm_, x_, y_;
  int64_t pos_ = 0;
};

// data.pipeline: example. The textbook torch::data pipeline: a per-example dataset, Stack<> to
// collate, a DataLoader (no worker threads) over the same permutation.
class ExampleStream : public BatchStream {
  using Loader = decltype(torch::data::make_data_loader(
      std::declval<ExampleDataset>().map(torch::data::transforms::Stack<>()),
      std::declval<PermutationSampler>(), torch::data::DataLoaderOptions()));

 public:
  ExampleStream(const Split& split, int64_t batch_size, at::Generator generator)
      : device_(split.labels.device()),
        loader_(torch::data::make_data_loader(
            ExampleDataset(split).map(torch::data::transforms::Stack<>()),
            PermutationSampler(split.size(), std::move(generator)),
            torch::data::DataLoaderOptions(size_t(batch_size)).workers(0))) {}

  void start_epoch() override { it_.emplace(loader_->begin()); }

  bool next(Batch& batch) override {
    if (*it_ == loader_->end()) return false;
    batch = {(**it_).data.to(device_), (**it_).target.to(device_)};
    ++*it_;
    return true;
  }

 private:
  torch::Device device_;
  Loader loader_;
  std::optional<decltype(loader_->begin())> it_;
};

}  // namespace

static Json learned_values(MLP& model) {
  Json out = Json::object();
  for (auto& act : model->activations()) {
    for (const auto& p : act.ptr()->named_parameters(/*recurse=*/false)) {
      const torch::Tensor v =
          p.value().detach().to(torch::kCPU, torch::kDouble).contiguous().reshape({-1});
      const double* data = v.data_ptr<double>();
      Json& layers = out[p.key()];
      if (layers.is_null()) layers = Json::array();
      layers.push_back(p.value().dim() == 1 && v.numel() == 1
                           ? Json(data[0])
                           : Json(std::vector<double>(data, data + v.numel())));
    }
  }
  return out.empty() ? Json() : out;
}

MLP initial_model(const Config& config, const ActivationSpec& activation, const Dataset& data) {
  // The global generator is shared by every thread, so models built side by side take turns.
  static std::mutex init_mutex;
  std::lock_guard<std::mutex> lock(init_mutex);
  torch::manual_seed(static_cast<uint64_t>(config.train.seed));
  return MLP(MLPOptions(data.input_size, config.model.hidden, data.num_classes, activation)
                 .init(config.model.init));
}

namespace {

// The sparse first layer pays where most inputs are exact zeros: unnormalised pixels.
bool uses_sparse_input(const TrainConfig& tc, const Dataset& data) {
  return tc.sparse_input == SparseInput::kOn ||
         (tc.sparse_input == SparseInput::kAuto &&
          data.train.pixels.scalar_type() == torch::kByte && !data.train.scale.normalize);
}

// What one run trains: the model, its step engine and the shuffling stream.
struct Trainee {
  std::optional<MLP> model;
  std::unique_ptr<StepEngine> engine;
  at::Generator shuffle;

  // From the run's seed alone. Same seed -> same initial Linear weights for every activation (a
  // paired comparison); the shuffling stream is seeded apart from the weight initialisation.
  void build(const Config& config, const ActivationSpec& activation, const Dataset& data,
             const torch::Device& device) {
    const TrainConfig& tc = config.train;
    engine.reset();
    model.emplace(initial_model(config, activation, data));
    (*model)->to(device);
    engine = make_engine(tc.engine, *model, tc, uses_sparse_input(tc, data));
    if (tc.diagnostics) engine->enable_diagnostics((*model)->linears().size(), device);
    shuffle = at::make_generator<at::CPUGeneratorImpl>(shuffle_seed(tc.seed));
  }
};

// Restores the run from its checkpoint, if it has a usable one; otherwise (when one was there but
// not usable) starts over from scratch with nothing of it restored. The epochs restored.
int64_t resume_from_checkpoint(Trainee& t, RunResult& result, const RunCallbacks& callbacks,
                               const std::function<void()>& rebuild) {
  if (!callbacks.checkpoint) return 0;
  std::string why;
  const int64_t resumed =
      load_checkpoint(*callbacks.checkpoint, *t.model, *t.engine, t.shuffle, result, why)
          .value_or(0);
  if (!why.empty()) {
    rebuild();
    result.epochs.clear();
    result.initial_grad_norm.clear();
  }
  if (callbacks.on_resume) callbacks.on_resume(resumed, why);
  return resumed;
}

// The per-step mean losses and correct counts of an epoch, kept on the device (no per-step
// sync), and the step sizes (the last batch may be short) that weight the losses.
struct StepTotals {
  int64_t examples, steps;
  torch::Tensor sizes, loss, correct;
  std::vector<torch::Tensor> loss_at, correct_at;

  StepTotals(int64_t n, int64_t batch_size, const torch::Device& device)
      : examples(n), steps((n + batch_size - 1) / batch_size) {
    sizes = torch::full({steps}, double(batch_size), torch::kDouble);
    sizes[steps - 1] = double(n - (steps - 1) * batch_size);
    sizes = sizes.to(device);
    auto device_opts = torch::TensorOptions().device(device);
    loss = torch::empty({steps}, device_opts.dtype(torch::kFloat));
    correct = torch::empty({steps}, device_opts.dtype(torch::kLong));
    loss_at = loss.unbind(0);  // the per-step slots, as views made once
    correct_at = correct.unbind(0);
  }
  double mean_loss() const {
    return (loss.to(torch::kDouble) * sizes).sum().item<double>() / double(examples);
  }
  double accuracy() const {
    return 100.0 * double(correct.sum().item<int64_t>()) / double(examples);
  }
};

// `sparse_rows`: the engine reads a batch's inputs as the split's sparse rows, where it has them.
std::unique_ptr<BatchStream> make_batches(const Config& config, const Split& train,
                                          at::Generator& shuffle, bool sparse_rows) {
  if (config.data.pipeline == Pipeline::kExample) {
    return std::make_unique<ExampleStream>(train, config.train.batch_size, shuffle);
  }
  return std::make_unique<GatherStream>(train, config.train.batch_size, shuffle,
                                        sparse_rows ? train.sparse_rows() : nullptr);
}

// One pass over the shuffled training set, a step per batch; throws RunInterrupted when a stop
// is asked for.
void train_epoch(StepEngine& engine, BatchStream& batches, StepTotals& totals, int64_t epoch,
                 const RunCallbacks& callbacks) {
  Batch batch;
  batches.start_epoch();
  for (int64_t s = 0; batches.next(batch); ++s) {
    if (callbacks.stop && callbacks.stop->load(std::memory_order_relaxed) != 0) {
      throw RunInterrupted();
    }
    engine.step(batch, totals.loss_at[size_t(s)], totals.correct_at[size_t(s)]);
    if (callbacks.on_step) callbacks.on_step(s + 1, totals.steps, epoch);
  }
}

// After an epoch's training: the test pass (with the layers' statistics when diagnostics are on),
// the steps' diagnostics, the validation pass and the learned activation parameters, into `m`.
void test_epoch(MLP& model, StepEngine& engine, const Dataset& data, const TrainConfig& tc,
                RunResult& result, EpochMetrics& m) {
  const auto t1 = Clock::now();
  std::vector<LayerStats> layer_stats;
  EvalMetrics test =
      evaluate(model, data.test, tc.eval_batch_size, tc.diagnostics ? &layer_stats : nullptr);
  if (tc.diagnostics) {
    if (m.epoch == 1) result.initial_grad_norm = engine.first_step_grad_norm();
    StepDiagnostics steps = engine.take_diagnostics();
    EpochDiagnostics d;
    d.grad_norm = std::move(steps.grad_norm);
    d.layers = std::move(layer_stats);
    d.forward_seconds = steps.forward_seconds;
    d.backward_seconds = steps.backward_seconds;
    d.optimizer_seconds = steps.optimizer_seconds;
    m.diagnostics = std::move(d);
  }
  if (data.validation.size() > 0) {
    const EvalMetrics val = evaluate(model, data.validation, tc.eval_batch_size);
    m.val_loss = val.loss;
    m.val_accuracy = val.accuracy;
  }
  m.learned = learned_values(model);
  m.test_seconds = seconds_since(t1);
  m.test_loss = test.loss;
  m.test_accuracy = test.accuracy;
}

}  // namespace

RunResult train_run(const Config& config, const ActivationSpec& activation, const Dataset& data,
                    const torch::Device& device, const RunCallbacks& callbacks) {
  const TrainConfig& tc = config.train;
  RunResult result;
  result.activation = activation;
  result.seed = tc.seed;
  Trainee t;
  const auto build = [&] { t.build(config, activation, data, device); };
  build();
  result.parameters = count_parameters(**t.model);
  const int64_t resumed = resume_from_checkpoint(t, result, callbacks, build);
  MLP& model = *t.model;
  StepTotals totals(data.train.size(), tc.batch_size, device);
  const std::unique_ptr<BatchStream> batches =
      make_batches(config, data.train, t.shuffle, t.engine->reads_sparse_rows());

  model->train();
  for (int64_t epoch = resumed + 1; epoch <= tc.epochs; ++epoch) {
    EpochMetrics m;
    m.epoch = epoch;
    const auto t0 = Clock::now();
    train_epoch(*t.engine, *batches, totals, epoch, callbacks);
    m.train_loss = totals.mean_loss();
    m.train_accuracy = totals.accuracy();
    m.train_seconds = seconds_since(t0);
    test_epoch(model, *t.engine, data, tc, result, m);
    m.seconds = m.train_seconds + m.test_seconds;
    result.epochs.push_back(m);
    if (!std::isfinite(m.train_loss) || !std::isfinite(m.test_loss)) result.status = "diverged";
    // The last epoch needs none: the finished run is kept instead.
    if (callbacks.checkpoint && epoch < tc.epochs && result.status != "diverged") {
      save_checkpoint(*callbacks.checkpoint, model, *t.engine, t.shuffle, result);
    }
    if (callbacks.on_epoch) callbacks.on_epoch(result, m);
    if (result.status == "diverged") break;
  }
  return result;
}

}  // namespace actbench
