// The CPU kernel policy's part in a run's identity: a CPU run's store key names the kernels it ran
// with, so runs of two kernels never share an entry; a GPU run's key does not depend on them.
#include <gtest/gtest.h>

#include "store/run_store.h"
#include "util/blas_kernel.h"

namespace {

actbench::StoreKey key(const std::string& device_type, const std::string& kernel) {
  actbench::StoreKey k;
  k.settings = {{"train", {{"seed", 0}}}};
  k.data = {{"train-images-idx3-ubyte", std::string(64, 'a')}};
  k.actbench_version = "0.1.0";
  k.libtorch_version = "1.13.0";
  k.device_type = device_type;
  k.blas_kernel = kernel;
  return k;
}

TEST(BlasKernel, ACpuRunsKeyNamesItsKernelsAndTwoKernelsNeverShareOne) {
  const auto haswell = key("cpu", "Haswell+avx2"), skylake = key("cpu", "SkylakeX");
  EXPECT_EQ(haswell.to_json().at("blas_kernel"), "Haswell+avx2");
  EXPECT_NE(haswell.hash(), skylake.hash());
  EXPECT_EQ(haswell.hash(), key("cpu", "Haswell+avx2").hash());
}

TEST(BlasKernel, AGpuRunsKeyLeavesTheCpuKernelsOut) {
  const auto gpu = key("cuda", "");
  EXPECT_FALSE(gpu.to_json().contains("blas_kernel"));
}

// This process ran the policy's initialiser too: whatever the policy asked OpenBLAS for is what
// runs, and the key a CPU run of this process gets names it.
TEST(BlasKernel, TheKernelAskedForIsTheKernelInUse) {
  const actbench::BlasKernel k = actbench::blas_kernel();
  EXPECT_NE(k.policy, "invalid");
  if (!k.requested.empty()) {
    EXPECT_EQ(k.in_use, k.requested);
  }
  EXPECT_EQ(actbench::blas_kernel_key(), k.aten.empty() ? k.in_use : k.in_use + "+" + k.aten);
}

}  // namespace
