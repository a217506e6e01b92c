#include "train/flat_adam.h"

#include <cmath>

#include "kernels/cpu_kernels.h"

namespace actbench {

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

void FlatAdam::save_state(torch::serialize::OutputArchive& archive) const {
  archive.write("exp_avg", m_.clone());
  archive.write("exp_avg_sq", v_.clone());
  archive.write("step", torch::tensor(t_, torch::kLong));
}

void FlatAdam::load_state(torch::serialize::InputArchive& archive) {
  torch::Tensor m, v, t;
  archive.read("exp_avg", m);
  archive.read("exp_avg_sq", v);
  archive.read("step", t);
  if (!m.sizes().equals(m_.sizes()) || !v.sizes().equals(v_.sizes()) || t.numel() != 1) {
    throw std::runtime_error("the optimizer state does not fit this model");
  }
  m_.copy_(m);
  v_.copy_(v);
  t_ = t.item<int64_t>();
}

}  // namespace actbench
