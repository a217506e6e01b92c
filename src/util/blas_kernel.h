// The CPU kernels a run's numbers depend on. The last bits of every CPU run depend on which
// OpenBLAS kernel computes its matrix products (OpenBLAS picks one per CPU at load time, and falls
// back to a slow generic one on CPUs it does not know) and on which ATen vector width computes its
// elementwise ops and reductions. So actbench decides both, in an initialiser of the executable
// that runs before main and before any LibTorch operation, from the setting ACTBENCH_BLAS_KERNEL:
//   reference (default)  on x86-64 with AVX2 and FMA: OpenBLAS's Haswell kernel and ATen's avx2
//                        code, the same on every such machine, so a config and seed give the same
//                        numbers bit for bit on any of them; elsewhere: as native
//   native               what OpenBLAS and ATen detect (fastest here; numbers of this CPU kind)
//   NAME                 that OpenBLAS core (Haswell, SkylakeX, Zen, Cooperlake, ...), ATen as
//                        detected
// Without ACTBENCH_BLAS_KERNEL, an OPENBLAS_CORETYPE (or ATEN_CPU_CAPABILITY) already in the
// environment is the user's choice and is kept (policy "environment"), except that naming the
// reference kernel itself (OPENBLAS_CORETYPE=Haswell, ATen unset or avx2) is the reference policy.
// What was chosen and what runs is in every run's provenance and in its store key. OpenBLAS has
// chosen its kernel by then; a DYNAMIC_ARCH OpenBLAS (Debian's) is told to choose again from the
// new OPENBLAS_CORETYPE, in place (no second start of the program). ATen reads
// ATEN_CPU_CAPABILITY at its first vectorised operation. The variables stay set, so whatever the
// program starts inherits the choice.
#pragma once

#include <string>

namespace actbench {

struct BlasKernel {
  std::string policy;     // "reference", "native", "environment", or the core named
  std::string requested;  // the OpenBLAS core asked for ("" for OpenBLAS's own choice)
  std::string in_use;     // the OpenBLAS core running ("Haswell"), "mkl", or "unknown"
  std::string aten;       // ATEN_CPU_CAPABILITY set ("avx2"), "" for ATen's own choice
};

// The decision and what it gave (in_use is read from the loaded OpenBLAS).
BlasKernel blas_kernel();

// InputError when ACTBENCH_BLAS_KERNEL names no OpenBLAS core ("one line, exit 2"); called first
// thing by main.
void check_blas_kernel_setting();

// "Haswell" for the key of a CPU run: the kernel in use, with ATen's capability when one was set
// ("Haswell+avx2").
std::string blas_kernel_key();

}  // namespace actbench
