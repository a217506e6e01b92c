#include "util/blas_kernel.h"

#include <dlfcn.h>
#include <strings.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "util/error.h"

namespace actbench {
namespace {

// OpenBLAS 0.3.21's x86-64 core names (driver/others/dynamic.c), which OPENBLAS_CORETYPE takes.
const char* const kCores[] = {
    "Prescott",    "Atom",      "Core2",       "Penryn",   "Dunnington", "Nehalem",       "Opteron",
    "Barcelona",   "Nano",      "Sandybridge", "Bobcat",   "Bulldozer",  "Piledriver",    "Haswell",
    "Steamroller", "Excavator", "Zen",         "SkylakeX", "Cooperlake", "SapphireRapids"};

// What the initialiser decided, as plain data: it runs before the other C++ static constructors
// (and before any of them could overwrite it).
struct Decision {
  char policy[16];
  char requested[32];
  char aten[16];
  char invalid[64];  // a setting that names no core (reported by check_blas_kernel_setting)
};
Decision g_decision;

void copy(char* to, size_t size, const char* from) {
  std::strncpy(to, from, size - 1);
  to[size - 1] = '\0';
}

const char* canonical_core(const char* name) {
  for (const char* core : kCores) {
    if (::strcasecmp(core, name) == 0) return core;
  }
  return nullptr;
}

// AVX2 and FMA, and the OS saving the YMM registers: what OpenBLAS's Haswell kernel and ATen's avx2
// code need.
bool has_avx2_fma() {
#if defined(__x86_64__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return false;
  const bool fma = (c & (1u << 12)) != 0, osxsave = (c & (1u << 27)) != 0;
  const bool avx = (c & (1u << 28)) != 0;
  if (!fma || !osxsave || !avx) return false;
  unsigned xcr0_lo = 0, xcr0_hi = 0;
  __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  if ((xcr0_lo & 0x6u) != 0x6u) return false;  // XMM and YMM state
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
  return (b & (1u << 5)) != 0;  // AVX2
#else
  return false;
#endif
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}

// OpenBLAS's name for the kernel it runs, nullptr without OpenBLAS.
const char* loaded_core() {
  using Fn = const char* (*)();
  auto fn = reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  return fn != nullptr ? fn() : nullptr;
}

// Brings about OPENBLAS_CORETYPE = `core` (nullptr: OpenBLAS's own choice for this CPU). OpenBLAS
// chose its kernel table in its initialiser, before this runs; a DYNAMIC_ARCH build (Debian's)
// exports the two functions that drop that choice and make it again from the environment. Other
// builds have one kernel: nothing to choose, and the key records the one they have.
void switch_openblas(const char* core) {
  const char* before = env("OPENBLAS_CORETYPE");
  if (core == nullptr && before == nullptr) return;  // OpenBLAS's own choice already
  if (core != nullptr) {
    ::setenv("OPENBLAS_CORETYPE", core, 1);
  } else {
    ::unsetenv("OPENBLAS_CORETYPE");
  }
  using Fn = void (*)();
  auto quit = reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit"));
  auto init = reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init"));
  const char* now = loaded_core();
  if (quit == nullptr || init == nullptr || now == nullptr) return;
  if (core != nullptr && ::strcasecmp(now, core) == 0) return;
  quit();
  init();
}

// What was decided, for provenance and the store key.
void record(const char* policy, const char* core, const char* aten) {
  copy(g_decision.policy, sizeof g_decision.policy, policy);
  copy(g_decision.requested, sizeof g_decision.requested, core != nullptr ? core : "");
  copy(g_decision.aten, sizeof g_decision.aten, aten != nullptr ? aten : "");
}

// The policy's kernels: recorded, and brought about. OpenBLAS switches its kernel table in place;
// ATen reads ATEN_CPU_CAPABILITY at its first vectorised operation, which is still to come. The
// variables stay set, so whatever this program starts inherits the choice.
void apply(const char* policy, const char* core, const char* aten) {
  record(policy, core, aten);
  switch_openblas(core);
  if (aten != nullptr) {
    ::setenv("ATEN_CPU_CAPABILITY", aten, 1);
  } else {
    ::unsetenv("ATEN_CPU_CAPABILITY");
  }
  ::setenv("ACTBENCH_BLAS_KERNEL", policy, 1);
}

// The reference kernels: OpenBLAS's Haswell and ATen's avx2 on x86-64 with AVX2 and FMA.
constexpr const char* kReferenceCore = "Haswell";
constexpr const char* kReferenceAten = "avx2";

// Runs before main (an initialiser of the executable, so after every shared library's: libc's
// environment is set up and OpenBLAS has made its own choice, which apply() may replace) and
// before any LibTorch operation.
void choose_kernel() {
  const char* setting = env("ACTBENCH_BLAS_KERNEL");
  const bool avx2 = has_avx2_fma();
  if (setting == nullptr) {
    const char* core = env("OPENBLAS_CORETYPE");
    const char* aten = env("ATEN_CPU_CAPABILITY");
    // The reference kernel named in the environment is the reference policy (ATen's avx2 too).
    const bool reference_named = avx2 && core != nullptr &&
                                 ::strcasecmp(core, kReferenceCore) == 0 &&
                                 (aten == nullptr || std::strcmp(aten, kReferenceAten) == 0);
    if ((core != nullptr || aten != nullptr) && !reference_named) {
      record("environment", core, aten);
      return;
    }
    setting = "reference";
  }
  if (::strcasecmp(setting, "native") == 0) {
    apply("native", nullptr, nullptr);
  } else if (::strcasecmp(setting, "reference") == 0) {
    apply("reference", avx2 ? kReferenceCore : nullptr, avx2 ? kReferenceAten : nullptr);
  } else if (const char* core = canonical_core(setting)) {
    apply(core, core, nullptr);
  } else {
    copy(g_decision.policy, sizeof g_decision.policy, "invalid");
    copy(g_decision.invalid, sizeof g_decision.invalid, setting);
  }
}

std::string openblas_core() {
  if (const char* name = loaded_core()) return name;
  if (::dlsym(RTLD_DEFAULT, "MKL_Get_Version_String") != nullptr) return "mkl";
  return "unknown";
}

}  // namespace

// The executable's initialiser, first of its own: linked into every binary with actbench_core
// (CMake forces the symbol in with -u).
extern "C" {
__attribute__((constructor(101), used)) void actbench_blas_kernel_init() {
  choose_kernel();
}
}

BlasKernel blas_kernel() {
  return {g_decision.policy[0] != '\0' ? g_decision.policy : "none", g_decision.requested,
          openblas_core(), g_decision.aten};
}

void check_blas_kernel_setting() {
  if (std::strcmp(g_decision.policy, "invalid") != 0) return;
  std::string cores;
  for (const char* core : kCores) cores += std::string(cores.empty() ? "" : ", ") + core;
  throw InputError("ACTBENCH_BLAS_KERNEL=" + std::string(g_decision.invalid) +
                   ": not a kernel policy; use reference (the default: the same numbers on "
                   "every x86-64 machine with AVX2 and FMA), native, or an OpenBLAS core (" +
                   cores + ")");
}

std::string blas_kernel_key() {
  const BlasKernel k = blas_kernel();
  return k.aten.empty() ? k.in_use : k.in_use + "+" + k.aten;
}

}  // namespace actbench
