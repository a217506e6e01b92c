// Provenance: what produced a result -- this build of actbench, the host, its CPU and the BLAS
// LibTorch calls -- so numbers from different machines or builds can be told apart later.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace actbench {

// Facts about this process's host and build, read once per process (thread-safe) and copied:
//   host, os {kernel, machine, distribution}, cpu {model, logical_cores, usable_cores},
//   blas {library, config, core, mkl, policy, requested, aten_capability} (util/blas_kernel.h),
//   libtorch, build {version, git_commit, git_dirty,
//   compiler, build_type}.
// Never throws: a fact that cannot be read is null.
nlohmann::json host_provenance();

// "actbench 0.1.0 (commit 1a2b3c4d5e6f)", with ", modified" when built from a tree whose tracked
// files differed from that commit, or "(commit unknown)" when not built from a git checkout.
std::string build_version_text();

}  // namespace actbench
