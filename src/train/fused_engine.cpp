// The fast path (see engine.h). Its layer sequence is the model's: linears() for the layers,
// activate() for the activations, and each activation's backward kernel from its registry entry.
// Its own are where the numbers live (flat buffers, reused outputs), the sparse first layer and the
// hand-written backward.
#include <torch/autograd.h>

#include "data/sparse_rows.h"
#include "kernels/cpu_kernels.h"
#include "kernels/diagnostics.h"
#include "train/direct_ops.h"
#include "train/engine.h"
#include "train/flat_adam.h"
#include "train/optimizer.h"

namespace actbench {
namespace {

class FusedEngine : public StepEngine {
 public:
  FusedEngine(MLP& model, const TrainConfig& config, bool sparse_input) : model_(model) {
    torch::NoGradGuard no_grad;
    const ActivationSpec& spec = model->options().activation();
    backward_ = activation_info(spec).backward;
    kernel_params_ = spec.params;
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
    // Per layer, the views every step uses (made once: a view costs a dispatch per step).
    for (size_t i = 0; i < model->linears().size(); ++i) {
      const torch::nn::Linear& linear = model->linears()[i];
      LayerViews v;
      v.weight = linear->weight;
      v.bias = linear->bias;
      v.weight_t = linear->weight.t();
      v.grad_t = linear->weight.mutable_grad().t();
      v.bias_grad = linear->bias.mutable_grad();
      v.weight_grad_flat = flat_grads_.narrow(0, layer_offset_[i], linear->weight.numel());
      views_.push_back(v);
    }
    cpu_ = flat_params_.is_cpu() && flat_params_.scalar_type() == torch::kFloat;
    sparse_ = sparse_input && cpu_;
    if (cpu_ && backward_) pick_by_hand(spec);
    const size_t layers = model->linears().size(), hidden = model->activations().size();
    z_.resize(layers);
    z_batch_.resize(layers);
    h_.resize(hidden);
    h_buf_.resize(hidden);
    dz_buf_.resize(hidden);
    z_leaf_.resize(hidden);
    dh_.resize(hidden);
  }

  bool reads_sparse_rows() const override { return sparse_; }

  void step(const Batch& batch, torch::Tensor loss_out, torch::Tensor correct_out) override {
    torch::NoGradGuard no_grad;
    const bool timed = this->timed();
    const auto t0 = timed ? Clock::now() : Clock::time_point{};
    double optimizer_seconds = 0;
    if (adam_) adam_->begin_step();
    forward(batch);
    const torch::Tensor dz = loss_gradient(batch.y, loss_out, correct_out);
    const auto t1 = timed ? Clock::now() : t0;
    backward_and_update(batch, dz, timed ? &optimizer_seconds : nullptr);
    const auto t2 = timed ? Clock::now() : t0;
    update_the_rest();
    if (diagnostics()) {
      const auto t3 = timed ? Clock::now() : t0;
      add_step(seconds_between(t0, t1), seconds_between(t1, t2) - optimizer_seconds,
               optimizer_seconds + seconds_between(t2, t3));
    }
  }

  void save_state(torch::serialize::OutputArchive& archive) const override {
    if (adam_) {
      adam_->save_state(archive);
    } else {
      optimizer_->save(archive);
    }
  }
  void load_state(torch::serialize::InputArchive& archive) override {
    if (adam_) {
      adam_->load_state(archive);
    } else {
      optimizer_->load(archive);
    }
  }

 private:
  // Forward, the model's layer sequence: z_i = a_{i-1} W_i^T + b_i (into reused buffers), then
  // a_i = the model's activation of z_i for each hidden layer.
  void forward(const Batch& batch) {
    const auto& linears = model_->linears();
    const size_t L = linears.size(), hidden = model_->activations().size();
    const int64_t B = batch.size();
    torch::Tensor a = batch.x;
    for (size_t i = 0; i < L; ++i) {
      const LayerViews& v = views_[i];
      torch::Tensor z = z_batch_[i] = buffer(z_[i], B, v.weight.size(0));
      if (i == 0 && sparse_) {
        sparse_input(batch);
        // weight_t is contiguous: stored transposed. The batch is sorted by column for the
        // weight gradient on the way.
        kernels::sparse_linear_forward(sparse_x_, v.weight_t.data_ptr<float>(),
                                       v.bias.data_ptr<float>(), z.size(1), z.data_ptr<float>(),
                                       v.weight_t.size(0), &columns_);
      } else {
        direct_.linear(z, v.bias, a, v.weight_t);
      }
      if (i == hidden) break;  // the output layer
      if (by_hand_ != ByHand::kNone) {
        torch::Tensor h = buffer(h_buf_[i], B, z.size(1));
        if (by_hand_ == ByHand::kRelu) {
          kernels::relu_forward(z.data_ptr<float>(), z.numel(), h.data_ptr<float>());
        } else {
          kernels::leaky_relu_forward(z.data_ptr<float>(), z.numel(), slope_, h.data_ptr<float>());
        }
        h_[i] = h;
      } else if (!backward_) {
        torch::AutoGradMode grad_mode(true);
        z_leaf_[i] = z.detach().requires_grad_(true);
        h_[i] = model_->activate(i, z_leaf_[i]);
      } else {
        h_[i] = model_->activate(i, z);
      }
      a = h_[i];
    }
  }

  // Loss and accuracy into the step's slots, and d loss / d logits = (softmax - one_hot(y)) / B.
  torch::Tensor loss_gradient(const torch::Tensor& y, torch::Tensor& loss_out,
                              torch::Tensor& correct_out) {
    const torch::Tensor logits = z_batch_.back();
    const int64_t B = logits.size(0);
    if (cpu_) {
      const int64_t classes = logits.size(1);
      torch::Tensor dz = buffer(dlogits_, B, classes);
      const torch::Tensor labels = y.contiguous();
      int64_t correct = 0;
      const double loss =
          kernels::softmax_xent(logits.data_ptr<float>(), labels.data_ptr<int64_t>(), B, classes,
                                dz.data_ptr<float>(), &correct);
      // The 0-dim CPU slots written in place (fill_ would dispatch twice per step).
      if (loss_out.scalar_type() == torch::kFloat && correct_out.scalar_type() == torch::kLong) {
        *loss_out.data_ptr<float>() = static_cast<float>(loss);
        *correct_out.data_ptr<int64_t>() = correct;
      } else {
        loss_out.fill_(loss);
        correct_out.fill_(correct);
      }
      return dz;
    }
    torch::Tensor log_probs = torch::log_softmax(logits, 1);
    loss_out.copy_(torch::nll_loss(log_probs, y));
    correct_out.copy_(logits.argmax(1).eq(y).sum());
    torch::Tensor dz = log_probs.exp_();
    if (!minus_one_.defined() || minus_one_.size(0) < B) {
      minus_one_ = torch::full({B, 1}, -1.0, dz.options());
    }
    dz.scatter_add_(1, y.view({B, 1}), minus_one_.narrow(0, 0, B));
    dz.div_(static_cast<double>(B));
    return dz;
  }

  // Backward, last layer first: weight and bias gradients straight into the flat buffer, and
  // Adam's update of each layer as soon as its gradient is done (time spent in it added to
  // `optimizer_seconds` when timed).
  void backward_and_update(const Batch& batch, torch::Tensor dz, double* optimizer_seconds) {
    const auto& linears = model_->linears();
    const size_t L = linears.size();
    const int64_t B = batch.size();
    for (size_t i = L; i-- > 0;) {
      const torch::Tensor& input = i == 0 ? batch.x : h_[i - 1];
      // dW^T = input^T dz, into the transposed (contiguous) gradient storage.
      LayerViews& v = views_[i];
      torch::Tensor& grad_t = v.grad_t;
      // The diagnostics' norm of the first layer's weight gradient: its squares summed row by
      // row as the kernel finishes them (sum_squares' order), not in a pass of their own.
      bool norm_done = false;
      if (i == 0 && sparse_) {
        const torch::Tensor d = dz.contiguous();
        float squares[16] = {};
        norm_done = kernels::sparse_linear_weight_grad(
            sparse_x_, grad_t.size(0), d.data_ptr<float>(), grad_t.size(1),
            grad_t.data_ptr<float>(), columns_, diagnostics() ? squares : nullptr);
        if (norm_done) add_grad_norm_squares(i, kernels::sum_squares_total(squares));
      } else {
        direct_.weight_grad(grad_t, input, dz);
      }
      direct_.bias_grad(v.bias_grad, dz);
      if (diagnostics() && !norm_done) {
        add_grad_norm(i, v.weight_grad_flat);
      }
      torch::Tensor dh;
      if (i > 0) {
        dh = buffer(dh_[i - 1], B, v.weight.size(1));
        direct_.input_grad(dh, dz, v.weight);
      }
      // Adam is elementwise: layer i's weights can move as soon as nothing else needs them (its
      // dh is computed), while its gradient is still in cache.
      if (adam_) {
        const auto ta = optimizer_seconds ? Clock::now() : Clock::time_point{};
        adam_->update(layer_offset_[i], layer_count_[i]);
        if (optimizer_seconds) *optimizer_seconds += seconds_between(ta, Clock::now());
      }
      if (i == 0) break;
      dz = activation_backward(i - 1, dh);
    }
  }

  // The activations' own parameters (PReLU), after the Linear layers; or, without FlatAdam, the
  // whole torch::optim step.
  void update_the_rest() {
    if (adam_) {
      if (tail_count_ > 0) adam_->update(layer_offset_.back() + layer_count_.back(), tail_count_);
    } else {
      optimizer_->step();
    }
  }

  // ReLU and LeakyReLU go by hand (by_hand_); the rest through the model's modules.
  void pick_by_hand(const ActivationSpec& spec) {
    const ActivationInfo& info = activation_info(spec);
    if (spec.name == "relu") {
      by_hand_ = ByHand::kRelu;
    } else if (spec.name == "leaky_relu" && info.init_slope) {
      by_hand_ = ByHand::kLeaky;
      slope_ = float(info.init_slope(spec.params));
    }
  }

  // The first `rows` rows of `buf`, (re)allocated when too small.
  torch::Tensor buffer(torch::Tensor& buf, int64_t rows, int64_t cols) {
    if (!buf.defined() || buf.size(0) < rows || buf.size(1) != cols) {
      buf = torch::empty({rows, cols}, flat_params_.options());
    }
    return buf.size(0) == rows ? buf : buf.narrow(0, 0, rows);
  }

  // The nonzeros of the input batch, row by row, for the sparse first layer: the batch's rows of
  // the split's sparse rows, or x compressed here.
  void sparse_input(const Batch& batch) {
    if (batch.sparse != nullptr) {
      sparse_x_ = batch.sparse->batch(batch.rows, batch.size(), begin_, end_);
      return;
    }
    const torch::Tensor xc = batch.x.contiguous();
    const int64_t rows = xc.size(0), cols = xc.size(1);
    begin_.resize(size_t(rows + 1));
    nz_idx_.resize(size_t(rows * cols));
    nz_val_.resize(size_t(rows * cols));
    kernels::compress_rows(xc.data_ptr<float>(), rows, cols, begin_.data(), nz_idx_.data(),
                           nz_val_.data());
    sparse_x_ = {begin_.data(), begin_.data() + 1, nz_idx_.data(), nz_val_.data(), rows};
  }

  // d loss / d z of hidden layer `i` from d loss / d a (the activation's output).
  torch::Tensor activation_backward(size_t i, const torch::Tensor& dh) {
    if (by_hand_ != ByHand::kNone && dh.is_contiguous()) {
      torch::Tensor dz = buffer(dz_buf_[i], dh.size(0), dh.size(1));
      if (by_hand_ == ByHand::kRelu) {
        kernels::relu_backward(dh.data_ptr<float>(), h_[i].data_ptr<float>(), dh.numel(),
                               dz.data_ptr<float>());
      } else {
        kernels::leaky_relu_backward(dh.data_ptr<float>(), z_batch_[i].data_ptr<float>(),
                                     dh.numel(), slope_, dz.data_ptr<float>());
      }
      return dz;
    }
    if (backward_) return backward_(dh, z_batch_[i], h_[i], kernel_params_);
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
  // One Linear layer's tensors as the step uses them: the parameters (views of the flat buffer),
  // W^T and dW^T (contiguous: stored transposed) and dW as a flat range (for its norm).
  struct LayerViews {
    torch::Tensor weight, bias, weight_t, grad_t, bias_grad, weight_grad_flat;
  };
  std::vector<LayerViews> views_;
  // The activation's backward kernel (its registry entry's) and parameters; no kernel: local
  // autograd.
  BackwardKernel backward_;
  Json kernel_params_;
  torch::Tensor flat_params_, flat_grads_;
  std::vector<std::vector<torch::Tensor>> activation_params_;
  std::unique_ptr<FlatAdam> adam_;
  // Where each Linear layer's weight and bias sit in the flat buffer; the activations' own
  // parameters (tail_count_ of them) follow.
  std::vector<int64_t> layer_offset_, layer_count_;
  int64_t tail_count_ = 0;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  // Per layer: z_ the reused buffers, z_batch_ this step's rows of them.
  std::vector<torch::Tensor> z_, z_batch_, h_, z_leaf_, dh_;
  torch::Tensor dlogits_, minus_one_;
  bool cpu_ = false;
  bool sparse_ = false;
  // The sparse first layer's input batch (pointing into begin_/end_, and into nz_idx_/nz_val_ or
  // the split's sparse rows) and the weight gradient's workspace.
  kernels::SparseBatch sparse_x_{};
  std::vector<int64_t> begin_, end_;
  std::vector<int32_t> nz_idx_;
  std::vector<float> nz_val_;
  kernels::ColumnScratch columns_;
  // The dense products and bias sums, without LibTorch's dispatch where that gives its bits.
  DirectOps direct_;
  // ReLU and LeakyReLU by hand on the CPU (kernels/cpu_kernels.h: their LibTorch kernels'
  // selects), into reused buffers: a dispatch and an allocation less per layer and direction.
  enum class ByHand { kNone, kRelu, kLeaky };
  ByHand by_hand_ = ByHand::kNone;
  float slope_ = 0.0f;
  std::vector<torch::Tensor> h_buf_, dz_buf_;
};

}  // namespace

std::unique_ptr<StepEngine> make_fused_engine(MLP& model, const TrainConfig& config,
                                              bool sparse_input) {
  return std::make_unique<FusedEngine>(model, config, sparse_input);
}

}  // namespace actbench
