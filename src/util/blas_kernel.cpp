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

// What the pre-initialiser decided, as plain data: it runs before C++ static constructors (and
// before any of them could overwrite it).
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

// The value of NAME in `envp` (NAME=value), or nullptr. libc's getenv cannot be used yet: libc
// sets its environment pointer in its own initialiser, which runs after this one.
const char* env_value(char** envp, const char* name) {
  const size_t n = std::strlen(name);
  for (char** e = envp; e != nullptr && *e != nullptr; ++e) {
    if (std::strncmp(*e, name, n) == 0 && (*e)[n] == '=') return *e + n + 1;
  }
  return nullptr;
}

bool same(const char* a, const char* b) {
  return (a == nullptr || *a == '\0') ? (b == nullptr || *b == '\0')
                                      : (b != nullptr && std::strcmp(a, b) == 0);
}

// "NAME=value" into `buf`, cut to its size.
char* assign(char* buf, size_t size, const char* name_eq, const char* value) {
  copy(buf, size, name_eq);
  std::strncat(buf, value, size - 1 - std::strlen(buf));
  return buf;
}

// Runs this program again, at once, with OPENBLAS_CORETYPE and ATEN_CPU_CAPABILITY set to `core`
// and `aten` (unset where null) and ACTBENCH_BLAS_KERNEL to the policy, so the libraries load
// with them. Returns only if exec fails. No allocation: libc is not initialised yet.
void exec_with(char** argv, char** envp, const char* policy, const char* core, const char* aten) {
  static const char* kDropped[] = {"OPENBLAS_CORETYPE=", "ATEN_CPU_CAPABILITY=",
                                   "ACTBENCH_BLAS_KERNEL=", "ACTBENCH_BLAS_REEXEC="};
  static char policy_var[64], core_var[64], aten_var[64];
  static char reexec_var[] = "ACTBENCH_BLAS_REEXEC=1";
  size_t count = 0;
  while (envp[count] != nullptr) ++count;
  char** env = static_cast<char**>(__builtin_alloca((count + 5) * sizeof(char*)));
  size_t n = 0;
  for (size_t i = 0; i < count; ++i) {
    bool keep = true;
    for (const char* d : kDropped) keep = keep && std::strncmp(envp[i], d, std::strlen(d)) != 0;
    if (keep) env[n++] = envp[i];
  }
  env[n++] = assign(policy_var, sizeof policy_var, "ACTBENCH_BLAS_KERNEL=", policy);
  if (core != nullptr) env[n++] = assign(core_var, sizeof core_var, "OPENBLAS_CORETYPE=", core);
  if (aten != nullptr) env[n++] = assign(aten_var, sizeof aten_var, "ATEN_CPU_CAPABILITY=", aten);
  env[n++] = reexec_var;
  env[n] = nullptr;
  ::execve("/proc/self/exe", argv, env);
}

// The policy's kernels: decided, recorded, and brought about (by running the program again with
// them) when the environment does not already ask for them.
void apply(char** argv, char** envp, const char* policy, const char* core, const char* aten) {
  copy(g_decision.policy, sizeof g_decision.policy, policy);
  copy(g_decision.requested, sizeof g_decision.requested, core != nullptr ? core : "");
  copy(g_decision.aten, sizeof g_decision.aten, aten != nullptr ? aten : "");
  const bool in_place = same(env_value(envp, "OPENBLAS_CORETYPE"), core) &&
                        same(env_value(envp, "ATEN_CPU_CAPABILITY"), aten) &&
                        same(env_value(envp, "ACTBENCH_BLAS_KERNEL"), policy);
  if (in_place || env_value(envp, "ACTBENCH_BLAS_REEXEC") != nullptr) return;
  exec_with(argv, envp, policy, core, aten);
}

// Runs before any shared library's initialiser (OpenBLAS reads OPENBLAS_CORETYPE in its own).
void choose_kernel(int, char** argv, char** envp) {
  const char* setting = env_value(envp, "ACTBENCH_BLAS_KERNEL");
  if (setting == nullptr || *setting == '\0') {
    const char* core = env_value(envp, "OPENBLAS_CORETYPE");
    const char* aten = env_value(envp, "ATEN_CPU_CAPABILITY");
    if ((core != nullptr && *core != '\0') || (aten != nullptr && *aten != '\0')) {
      copy(g_decision.policy, sizeof g_decision.policy, "environment");
      copy(g_decision.requested, sizeof g_decision.requested, core != nullptr ? core : "");
      copy(g_decision.aten, sizeof g_decision.aten, aten != nullptr ? aten : "");
      return;
    }
    setting = "reference";
  }
  if (::strcasecmp(setting, "native") == 0) {
    apply(argv, envp, "native", nullptr, nullptr);
  } else if (::strcasecmp(setting, "reference") == 0) {
    const bool avx2 = has_avx2_fma();
    apply(argv, envp, "reference", avx2 ? "Haswell" : nullptr, avx2 ? "avx2" : nullptr);
  } else if (const char* core = canonical_core(setting)) {
    apply(argv, envp, core, core, nullptr);
  } else {
    copy(g_decision.policy, sizeof g_decision.policy, "invalid");
    copy(g_decision.invalid, sizeof g_decision.invalid, setting);
  }
}

std::string openblas_core() {
  using Fn = const char* (*)();
  if (auto fn = reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, "openblas_get_corename"))) {
    const char* name = fn();
    return name != nullptr ? name : "unknown";
  }
  if (::dlsym(RTLD_DEFAULT, "MKL_Get_Version_String") != nullptr) return "mkl";
  return "unknown";
}

}  // namespace

// The executable's pre-initialiser: linked into every binary with actbench_core (CMake forces the
// symbol in with -u).
extern "C" {
__attribute__((section(".preinit_array"),
               used)) void (*actbench_blas_kernel_preinit)(int, char**, char**) = choose_kernel;
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
