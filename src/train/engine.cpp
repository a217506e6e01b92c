#include "train/engine.h"

#include <cmath>

#include <torch/autograd.h>
#include <torch/nn/functional/loss.h>

#include "kernels/cpu_kernels.h"
#include "train/optimizer.h"

namespace actbench {
namespace {

namespace F = torch::nn::functional;

const std::vector<int64_t> kBatchDim{0};

class AutogradEngine : public StepEngine {
 public:
  AutogradEngine(MLP& model, const TrainConfig& config)
      : model_(model), optimizer_(make_optimizer(config, model->parameters())) {}

  void step(const torch::Tensor& x, const torch::Tensor& y, torch::Tensor loss_out,
            torch::Tensor correct_out) override {
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

 private:
  MLP& model_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
};

// How the fused engine differentiates one hidden layer's activation.
enum class Backward { kRelu, kLeakyRelu, kSigmoid, kTanh, kIdentity, kAutograd };

Backward backward_kind(const ActivationSpec& spec) {
  if (spec.name == "relu") return Backward::kRelu;
  if (spec.name == "leaky_relu") return Backward::kLeakyRelu;
  if (spec.name == "sigmoid") return Backward::kSigmoid;
  if (spec.name == "tanh") return Backward::kTanh;
  if (spec.name == "identity") return Backward::kIdentity;
  return Backward::kAutograd;  // every other activation, learnable ones included
}

class FusedEngine : public StepEngine {
 public:
  FusedEngine(MLP& model, const TrainConfig& config, bool sparse_input) : model_(model) {
    torch::NoGradGuard no_grad;
    const ActivationSpec& spec = model->options().activation();
    kind_ = backward_kind(spec);
    if (kind_ == Backward::kLeakyRelu) slope_ = spec.params.at("negative_slope").get<double>();
    // One flat buffer for all parameters, one for their gradients; the module keeps views. A
    // Linear weight [out, in] is stored transposed ([in, out] row-major), the layout in which the
    // BLAS runs x W^T and x^T dz fastest (measured ~7% on the 64x784x128 products).
    std::vector<torch::Tensor> params;
    std::vector<bool> transposed;
    for (const auto& linear : model->linears()) {
      params.push_back(linear->weight);
      transposed.push_back(true);
      params.push_back(linear->bias);
      transposed.push_back(false);
    }
    for (const auto& act : model->activations()) {
      std::vector<torch::Tensor> own = act.ptr()->parameters();
      activation_params_.push_back(own);
      for (const auto& p : own) {
        params.push_back(p);
        transposed.push_back(false);
      }
    }
    int64_t total = 0;
    for (const auto& p : params) total += p.numel();
    for (const auto& linear : model->linears()) {
      layer_offset_.push_back(layer_offset_.empty() ? 0
                                                    : layer_offset_.back() + layer_count_.back());
      layer_count_.push_back(linear->weight.numel() + linear->bias.numel());
    }
    tail_count_ = total - (layer_offset_.back() + layer_count_.back());
    const auto opts = params.at(0).options();
    flat_params_ = torch::empty({total}, opts);
    flat_grads_ = torch::zeros({total}, opts);
    int64_t offset = 0;
    for (size_t k = 0; k < params.size(); ++k) {
      torch::Tensor& p = params[k];
      const int64_t n = p.numel();
      auto shaped = [&](const torch::Tensor& flat) {
        torch::Tensor chunk = flat.narrow(0, offset, n);
        return transposed[k] ? chunk.view({p.size(1), p.size(0)}).t() : chunk.view(p.sizes());
      };
      torch::Tensor view = shaped(flat_params_);
      view.copy_(p);
      p.set_data(view);
      p.mutable_grad() = shaped(flat_grads_);
      offset += n;
    }
    if (config.optimizer == Optimizer::kAdam || config.optimizer == Optimizer::kAdamW) {
      adam_ = std::make_unique<FlatAdam>(flat_params_, flat_grads_, config.lr, config.weight_decay,
                                         config.optimizer == Optimizer::kAdamW);
    } else {
      optimizer_ = make_optimizer(config, params);
    }
    cpu_ = flat_params_.is_cpu() && flat_params_.scalar_type() == torch::kFloat;
    sparse_ = sparse_input && cpu_;
    const size_t layers = model->linears().size();
    z_.resize(layers);
    h_.resize(layers - 1);
    z_leaf_.resize(layers - 1);
    dh_.resize(layers - 1);
  }

  void step(const torch::Tensor& x, const torch::Tensor& y, torch::Tensor loss_out,
            torch::Tensor correct_out) override {
    torch::NoGradGuard no_grad;
    const auto& linears = model_->linears();
    auto& acts = model_->activations();
    const size_t L = linears.size();
    const int64_t B = x.size(0);
    const bool timed = this->timed();
    const auto t0 = timed ? Clock::now() : Clock::time_point{};
    double optimizer_seconds = 0;

    if (adam_) adam_->begin_step();
    // Forward: z_i = a_{i-1} W_i^T + b_i (into reused buffers), a_i = act(z_i).
    torch::Tensor a = x;
    for (size_t i = 0; i < L; ++i) {
      torch::Tensor z = buffer(z_[i], B, linears[i]->weight.size(0));
      if (i == 0 && sparse_) {
        compress_input(a);
        const torch::Tensor w_t = linears[0]->weight.t();  // contiguous: stored transposed
        kernels::sparse_linear_forward(offsets_.data(), nz_idx_.data(), nz_val_.data(), B,
                                       w_t.data_ptr<float>(), linears[0]->bias.data_ptr<float>(),
                                       z.size(1), z.data_ptr<float>());
      } else {
        torch::addmm_out(z, linears[i]->bias, a, linears[i]->weight.t());
      }
      if (i + 1 == L) break;
      if (kind_ == Backward::kAutograd) {
        torch::AutoGradMode grad_mode(true);
        z_leaf_[i] = z.detach().requires_grad_(true);
        h_[i] = acts[i].forward(z_leaf_[i]);
      } else {
        h_[i] = acts[i].forward(z);
      }
      a = h_[i];
    }
    // Loss, accuracy and d loss / d logits = (softmax - one_hot(y)) / B.
    torch::Tensor logits = z_[L - 1].narrow(0, 0, B);
    torch::Tensor dz;
    if (cpu_) {
      const int64_t classes = logits.size(1);
      dz = buffer(dlogits_, B, classes);
      const torch::Tensor labels = y.contiguous();
      int64_t correct = 0;
      const double loss = kernels::softmax_xent(logits.data_ptr<float>(),
                                                labels.data_ptr<int64_t>(), B, classes,
                                                dz.data_ptr<float>(), &correct);
      loss_out.fill_(loss);
      correct_out.fill_(correct);
    } else {
      torch::Tensor log_probs = torch::log_softmax(logits, 1);
      loss_out.copy_(torch::nll_loss(log_probs, y));
      correct_out.copy_(logits.argmax(1).eq(y).sum());
      dz = log_probs.exp_();
      if (!minus_one_.defined() || minus_one_.size(0) < B) {
        minus_one_ = torch::full({B, 1}, -1.0, dz.options());
      }
      dz.scatter_add_(1, y.view({B, 1}), minus_one_.narrow(0, 0, B));
      dz.div_(static_cast<double>(B));
    }
    const auto t1 = timed ? Clock::now() : t0;

    // Backward, last layer first: weight and bias gradients straight into the flat buffer.
    for (size_t i = L; i-- > 0;) {
      const torch::Tensor& input = i == 0 ? x : h_[i - 1];
      // dW^T = input^T dz, into the transposed (contiguous) gradient storage.
      torch::Tensor grad_t = linears[i]->weight.mutable_grad().t();
      if (i == 0 && sparse_) {
        const torch::Tensor d = dz.contiguous();
        kernels::sparse_linear_weight_grad(offsets_.data(), nz_idx_.data(), nz_val_.data(), B,
                                           grad_t.size(0), d.data_ptr<float>(), grad_t.size(1),
                                           grad_t.data_ptr<float>());
      } else {
        torch::mm_out(grad_t, input.t(), dz);
      }
      torch::sum_out(linears[i]->bias.mutable_grad(), dz, kBatchDim);
      if (diagnostics()) {
        add_grad_norm(i, flat_grads_.narrow(0, layer_offset_[i], linears[i]->weight.numel()));
      }
      torch::Tensor dh;
      if (i > 0) {
        dh = buffer(dh_[i - 1], B, linears[i]->weight.size(1));
        torch::mm_out(dh, dz, linears[i]->weight);
      }
      // Adam is elementwise: layer i's weights can move as soon as nothing else needs them (its
      // dh is computed), while its gradient is still in cache.
      if (adam_) {
        const auto ta = timed ? Clock::now() : t0;
        adam_->update(layer_offset_[i], layer_count_[i]);
        if (timed) optimizer_seconds += seconds_between(ta, Clock::now());
      }
      if (i == 0) break;
      dz = activation_backward(i - 1, dh);
    }
    const auto t2 = timed ? Clock::now() : t0;
    if (adam_) {
      // The activations' own parameters (PReLU), after the Linear layers.
      if (tail_count_ > 0) adam_->update(layer_offset_.back() + layer_count_.back(), tail_count_);
    } else {
      optimizer_->step();
    }
    if (diagnostics()) {
      const auto t3 = timed ? Clock::now() : t0;
      add_step(seconds_between(t0, t1), seconds_between(t1, t2) - optimizer_seconds,
               optimizer_seconds + seconds_between(t2, t3));
    }
  }

 private:
  // The first `rows` rows of `buf`, (re)allocated when too small.
  torch::Tensor buffer(torch::Tensor& buf, int64_t rows, int64_t cols) {
    if (!buf.defined() || buf.size(0) < rows || buf.size(1) != cols) {
      buf = torch::empty({rows, cols}, flat_params_.options());
    }
    return buf.narrow(0, 0, rows);
  }

  // The nonzeros of the input batch, row by row, for the sparse first layer.
  void compress_input(const torch::Tensor& x) {
    const int64_t rows = x.size(0), cols = x.size(1);
    offsets_.resize(size_t(rows + 1));
    nz_idx_.resize(size_t(rows * cols));
    nz_val_.resize(size_t(rows * cols));
    const torch::Tensor xc = x.contiguous();
    kernels::compress_rows(xc.data_ptr<float>(), rows, cols, offsets_.data(), nz_idx_.data(),
                           nz_val_.data());
  }

  // d loss / d z of hidden layer `i` from d loss / d a (the activation's output).
  torch::Tensor activation_backward(size_t i, const torch::Tensor& dh) {
    switch (kind_) {
      case Backward::kRelu:
        return torch::threshold_backward(dh, h_[i], 0);
      case Backward::kLeakyRelu:
        return torch::leaky_relu_backward(dh, z_[i].narrow(0, 0, dh.size(0)), slope_, false);
      case Backward::kSigmoid:
        return torch::sigmoid_backward(dh, h_[i]);
      case Backward::kTanh:
        return torch::tanh_backward(dh, h_[i]);
      case Backward::kIdentity:
        return dh;  // each layer has its own dh buffer, so no aliasing
      case Backward::kAutograd:
        break;
    }
    // Local autograd through this activation only, including its own parameters, if any.
    std::vector<torch::Tensor> inputs{z_leaf_[i]};
    for (const auto& p : activation_params_[i]) inputs.push_back(p);
    std::vector<torch::Tensor> grads =
        torch::autograd::grad({h_[i]}, inputs, {dh}, /*retain_graph=*/false);
    for (size_t k = 1; k < grads.size(); ++k) {
      torch::Tensor g = inputs[k].mutable_grad();
      if (grads[k].defined()) {
        g.copy_(grads[k]);
      } else {
        g.zero_();
      }
    }
    h_[i] = torch::Tensor();
    z_leaf_[i] = torch::Tensor();
    return grads[0];
  }

  MLP& model_;
  Backward kind_ = Backward::kAutograd;
  double slope_ = 0.0;
  torch::Tensor flat_params_, flat_grads_;
  std::vector<std::vector<torch::Tensor>> activation_params_;
  std::unique_ptr<FlatAdam> adam_;
  // Where each Linear layer's weight and bias sit in the flat buffer; the activations' own
  // parameters (tail_count_ of them) follow.
  std::vector<int64_t> layer_offset_, layer_count_;
  int64_t tail_count_ = 0;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::vector<torch::Tensor> z_, h_, z_leaf_, dh_;
  torch::Tensor dlogits_, minus_one_;
  bool cpu_ = false;
  bool sparse_ = false;
  std::vector<int32_t> offsets_, nz_idx_;
  std::vector<float> nz_val_;
};

}  // namespace

void StepEngine::enable_diagnostics(size_t layers, const torch::Device& device) {
  diagnostics_ = true;
  timed_ = device.is_cpu();
  norm_sum_.assign(layers, 0.0);
  if (!device.is_cpu()) {
    norm_acc_ = torch::zeros({int64_t(layers)},
                             torch::TensorOptions().device(device).dtype(torch::kDouble));
  }
  steps_ = 0;
  forward_ = backward_ = optimizer_ = 0;
  first_taken_ = false;
}

std::vector<double> StepEngine::first_step_grad_norm() const {
  if (!first_taken_) return {};
  if (!first_acc_.defined()) return first_;
  const torch::Tensor host = first_acc_.cpu();
  return std::vector<double>(host.data_ptr<double>(), host.data_ptr<double>() + host.numel());
}

void StepEngine::add_grad_norm(size_t layer, const torch::Tensor& grad) {
  if (grad.is_cpu() && grad.scalar_type() == torch::kFloat && grad.is_contiguous()) {
    norm_sum_[layer] += std::sqrt(kernels::sum_squares(grad.data_ptr<float>(), grad.numel()));
  } else if (grad.is_cpu()) {
    norm_sum_[layer] += grad.norm().item<double>();
  } else {
    torch::NoGradGuard no_grad;
    norm_acc_.narrow(0, int64_t(layer), 1).add_(grad.norm().to(torch::kDouble));
  }
}

void StepEngine::add_step(double forward, double backward, double optimizer) {
  if (!first_taken_) {  // the sums hold exactly this step's norms
    first_taken_ = true;
    first_ = norm_sum_;
    if (norm_acc_.defined()) first_acc_ = norm_acc_.clone();
  }
  ++steps_;
  forward_ += forward;
  backward_ += backward;
  optimizer_ += optimizer;
}

StepDiagnostics StepEngine::take_diagnostics() {
  StepDiagnostics d;
  d.steps = steps_;
  if (!diagnostics_ || steps_ == 0) return d;
  std::vector<double> sums = norm_sum_;
  if (norm_acc_.defined()) {
    const torch::Tensor host = norm_acc_.cpu();
    for (size_t i = 0; i < sums.size(); ++i) sums[i] += host[int64_t(i)].item<double>();
    norm_acc_.zero_();
  }
  for (double s : sums) d.grad_norm.push_back(s / double(steps_));
  if (timed_) {
    d.forward_seconds = forward_;
    d.backward_seconds = backward_;
    d.optimizer_seconds = optimizer_;
  }
  std::fill(norm_sum_.begin(), norm_sum_.end(), 0.0);
  steps_ = 0;
  forward_ = backward_ = optimizer_ = 0;
  return d;
}

FlatAdam::FlatAdam(torch::Tensor flat_params, torch::Tensor flat_grads, double lr,
                   double weight_decay, bool decoupled, double beta1, double beta2, double eps)
    : p_(std::move(flat_params)),
      g_(std::move(flat_grads)),
      m_(torch::zeros_like(p_)),
      v_(torch::zeros_like(p_)),
      lr_(lr),
      weight_decay_(weight_decay),
      beta1_(beta1),
      beta2_(beta2),
      eps_(eps),
      decoupled_(decoupled) {}

void FlatAdam::step() {
  begin_step();
  update(0, p_.numel());
}

void FlatAdam::begin_step() {
  ++t_;
  // Scalars as torch::optim::Adam computes them: in double, rounded to float by the kernels.
  const double bias_correction1 = 1.0 - std::pow(beta1_, double(t_));
  const double bias_correction2 = 1.0 - std::pow(beta2_, double(t_));
  sqrt_bc2_ = std::sqrt(bias_correction2);
  step_size_ = lr_ / bias_correction1;
  keep_ = decoupled_ ? 1.0 - lr_ * weight_decay_ : 1.0;
  l2_ = decoupled_ ? 0.0 : weight_decay_;
}

void FlatAdam::update(int64_t offset, int64_t count) {
  torch::NoGradGuard no_grad;
  if (p_.is_cpu() && p_.scalar_type() == torch::kFloat) {
    kernels::AdamScalars s{float(beta1_),       float(beta2_),    float(1.0 - beta1_),
                           float(1.0 - beta2_), float(sqrt_bc2_), float(step_size_),
                           float(eps_),         float(l2_),       float(keep_)};
    kernels::adam_step(p_.data_ptr<float>() + offset, g_.data_ptr<float>() + offset,
                       m_.data_ptr<float>() + offset, v_.data_ptr<float>() + offset, count, s);
    return;
  }
  // Elsewhere (CUDA): a handful of whole-range operations, whatever the number of parameters.
  torch::Tensor p = p_.narrow(0, offset, count), g = g_.narrow(0, offset, count);
  torch::Tensor m = m_.narrow(0, offset, count), v = v_.narrow(0, offset, count);
  if (keep_ != 1.0) p.mul_(keep_);
  if (l2_ != 0.0) g = g.add(p, l2_);
  m.mul_(beta1_).add_(g, 1.0 - beta1_);
  v.mul_(beta2_).addcmul_(g, g, 1.0 - beta2_);
  torch::Tensor denom = (v.sqrt() / sqrt_bc2_).add_(eps_);
  p.addcdiv_(m, denom, -step_size_);
}

std::unique_ptr<StepEngine> make_engine(Engine engine, MLP& model, const TrainConfig& config,
                                        bool sparse_input) {
  if (engine == Engine::kAutograd) return std::make_unique<AutogradEngine>(model, config);
  return std::make_unique<FusedEngine>(model, config, sparse_input);
}

}  // namespace actbench
