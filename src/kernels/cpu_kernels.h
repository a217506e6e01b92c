// Hand-written CPU loops for the two places where LibTorch's per-operator dispatch costs more than
// the arithmetic: scaling a gathered batch of pixels, and the optimizer's elementwise update over
// every parameter at once. Each loop does in one pass what several tensor operations do in
// several; the tensor-operation versions (used on CUDA) live next to their callers, and the tests
// check that both agree.
//
// The loops are compiled with -ffp-contract=off and without errno for sqrt, and cloned for AVX-512,
// AVX2 and baseline x86-64: every clone rounds exactly as the scalar code does (IEEE add, multiply,
// divide and square root, no fused multiply-add), so results do not depend on the CPU.
#pragma once

#include <cstdint>

namespace actbench::kernels {

// out[r][c] = pixels[idx[r]][c] / 255, then (v - mean) / std when `normalize`; the same roundings
// as the tensor operations to(float).div_(255).sub_(mean).div_(std).
void gather_scale_u8(const uint8_t* pixels, int64_t row_len, const int64_t* idx, int64_t rows,
                     bool normalize, float mean, float std, float* out);

// Softmax cross-entropy on logits [rows, classes], forward and backward in one pass: writes
// d(mean loss)/d(logits) = (softmax - one_hot(label)) / rows into `grad`, returns the mean loss
// (accumulated in double) and stores the number of rows whose first maximal logit is the label
// (torch's argmax convention) in *correct.
double softmax_xent(const float* logits, const int64_t* labels, int64_t rows, int64_t classes,
                    float* grad, int64_t* correct);

// Sparse inputs (MNIST's pixels are ~80% exact zeros): the first layer's products touch only the
// nonzero inputs, ~5x fewer multiply-adds than the dense product.
//
// Row-wise compression of x [rows, cols]: the nonzeros of row r are idx/val[offsets[r] ..
// offsets[r + 1]) in column order. offsets has rows + 1 entries; idx and val room for rows * cols.
void compress_rows(const float* x, int64_t rows, int64_t cols, int32_t* offsets, int32_t* idx,
                   float* val);

// out[r][:] = bias + sum over row r's nonzeros of val * w_t[idx][:], with w_t = W^T [cols, n].
void sparse_linear_forward(const int32_t* offsets, const int32_t* idx, const float* val,
                           int64_t rows, const float* w_t, const float* bias, int64_t n,
                           float* out);

// grad_w_t = x^T dz [cols, n] from the compressed x and dz [rows, n] (overwrites grad_w_t).
void sparse_linear_weight_grad(const int32_t* offsets, const int32_t* idx, const float* val,
                               int64_t rows, int64_t cols, const float* dz, int64_t n,
                               float* grad_w_t);

struct AdamScalars {
  float beta1, beta2;           // moment decay rates
  float one_minus_beta1;        // 1 - beta1
  float one_minus_beta2;        // 1 - beta2
  float sqrt_bias_correction2;  // sqrt(1 - beta2^t)
  float step_size;              // lr / (1 - beta1^t)
  float eps;
  float weight_decay;     // Adam: added to the gradient (L2); 0 for none
  float decoupled_decay;  // AdamW: p *= 1 - lr * weight_decay first; 1 for none
};

// One Adam/AdamW step over n parameters, the mathematics of torch::optim::Adam(W):
//   p *= decoupled_decay;  g += weight_decay * p;  m = beta1 m + (1 - beta1) g;
//   v = beta2 v + (1 - beta2) g^2;  p -= step_size * m / (sqrt(v) / sqrt_bias_correction2 + eps)
// with the last line computed as (step_size * sbc2) * m / (sqrt(v) + eps * sbc2): one division per
// element instead of two (it took the update from ~83 to ~56 us per step for the tutorial's MLP).
// Equal up to float rounding; the tests compare it with torch::optim.
void adam_step(float* p, const float* g, float* m, float* v, int64_t n, const AdamScalars& s);

// The sum of x[i]^2 over n floats: 16 float partial sums (one vector register), added in double.
double sum_squares(const float* x, int64_t n);

}  // namespace actbench::kernels
