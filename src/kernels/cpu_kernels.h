// Hand-written CPU loops where LibTorch's per-operator dispatch and passes cost more than the
// arithmetic: the sparse first layer's products, the loss, and the optimizer's elementwise update
// over every parameter at once (the pixels' scaling and compression: kernels/pixels.h; the
// diagnostics' sums and saturation counts: kernels/diagnostics.h). Each loop does in one pass what
// several tensor operations do in several; the tensor-operation versions (used on CUDA) live next
// to their callers, and the tests check that both agree.
//
// The loops are compiled with -ffp-contract=off and without errno for sqrt, and cloned for AVX-512,
// AVX2 and baseline x86-64: every clone rounds exactly as the scalar code does (IEEE add, multiply,
// divide and square root, no fused multiply-add), so results do not depend on the CPU. (The
// one kernel that rounds like a BLAS with fused multiply-adds has a file of its own:
// kernels/blas_order.h.)
#pragma once

#include <cstdint>
#include <vector>

namespace actbench::kernels {

// Softmax cross-entropy on logits [rows, classes], forward and backward in one pass: writes
// d(mean loss)/d(logits) = (softmax - one_hot(label)) / rows into `grad`, returns the mean loss
// (accumulated in double) and stores the number of rows whose first maximal logit is the label
// (torch's argmax convention) in *correct.
double softmax_xent(const float* logits, const int64_t* labels, int64_t rows, int64_t classes,
                    float* grad, int64_t* correct);

// Sparse inputs (MNIST's pixels are ~80% exact zeros): the first layer's products touch only the
// nonzero inputs, ~5x fewer multiply-adds than the dense product.
//
// A batch of sparse rows: row r's nonzeros are entries begin[r] .. end[r] - 1, in column order, in
// one of two forms. Floats: column idx[k], input val[k] (a batch compressed on the spot,
// compress_rows). Bytes: column idx16[k], input table[code[k]] (rows picked from a whole split's
// nonzeros extracted once, data/sparse_rows.h: 3 bytes a nonzero instead of 8). The rows may lie
// anywhere in their arrays.
struct SparseBatch {
  const int64_t* begin;
  const int64_t* end;
  const int32_t* idx;
  const float* val;
  int64_t rows;
  const uint16_t* idx16 = nullptr;  // the byte form when set (idx and val unused)
  const uint8_t* code = nullptr;
  const float* table = nullptr;
};

// Row-wise compression of x [rows, cols] into idx/val (room for rows * cols each): row r's nonzeros
// at offsets[r] .. offsets[r + 1] (rows + 1 entries).
void compress_rows(const float* x, int64_t rows, int64_t cols, int64_t* offsets, int32_t* idx,
                   float* val);

// The batch by columns, for the weight gradient: column c's nonzeros are row/val[start[c] ..
// start[c + 1]), rows ascending. Reused from step to step.
struct ColumnScratch {
  std::vector<int64_t> start;
  std::vector<int32_t> row;
  std::vector<float> val;
  // Batches of the byte form with at most 256 rows go into one bucket per column instead (one
  // pass, nothing counted first): column c's entries at c * rows + [0, count[c]), each the row
  // number (low byte) and the pixel byte (high byte).
  std::vector<int32_t> count;
  std::vector<uint16_t> bucket;
  // Set by a forward that filled the buckets; the next weight gradient uses them and clears it.
  bool buckets_filled = false;
};

// out[r][:] = bias + sum over row r's nonzeros (in column order) of val * w_t[idx][:], with
// w_t = W^T [cols, n]: per element, 0 + v1 w1 + v2 w2 + ... + bias, each product and sum rounded
// (no fused multiply-add), whatever the CPU.
//
// With `by_column`, the forward also sorts the batch by column for the weight gradient where that
// takes buckets (the byte form), while it reads the nonzeros anyway: the next
// sparse_linear_weight_grad with that scratch must then be given the same batch, and skips its own
// pass over it.
void sparse_linear_forward(const SparseBatch& x, const float* w_t, const float* bias, int64_t n,
                           float* out, int64_t cols = 0, ColumnScratch* by_column = nullptr);

// grad_w_t = x^T dz [cols, n] from the sparse x and dz [rows, n] (overwrites grad_w_t): per
// element, 0 + the products of the column's nonzeros with dz, rows in ascending order, each
// product and sum rounded. Accumulates each output row in registers, column by column.
//
// With `squares` (16 floats), where n is a multiple of 16, also accumulates the squares of
// grad_w_t's elements into them in sum_squares' order (element i into lane i % 16, i ascending),
// from each row while it is in cache: sum_squares_total(squares) is then sum_squares(grad_w_t,
// cols * n) bit for bit, without a pass of its own. Returns whether it did (other widths leave
// `squares` alone).
bool sparse_linear_weight_grad(const SparseBatch& x, int64_t cols, const float* dz, int64_t n,
                               float* grad_w_t, ColumnScratch& scratch, float* squares = nullptr);

// ReLU and LeakyReLU over n floats, forward and backward, as LibTorch's CPU kernels select
// (clamp_min, threshold_backward, leaky_relu and its backward): relu(z) = z < 0 ? 0 : z (a NaN and
// -0 pass through), its derivative applied dz = h <= 0 ? 0 : dh (h the output), leaky(z) = z > 0 ?
// z : z * slope, dz = z > 0 ? dh : dh * slope (slope: the float the Scalar becomes).
void relu_forward(const float* z, int64_t n, float* h);
void relu_backward(const float* dh, const float* h, int64_t n, float* dz);
void leaky_relu_forward(const float* z, int64_t n, float slope, float* h);
void leaky_relu_backward(const float* dh, const float* z, int64_t n, float slope, float* dz);

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

}  // namespace actbench::kernels
