#include "util/provenance.h"
#include "util/blas_kernel.h"

#include <dlfcn.h>
#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>

#include <torch/version.h>

#include "util/build_info.h"

namespace actbench {

using Json = nlohmann::json;

namespace {

// One fact: whatever goes wrong reading it (bad_alloc, a JSON error) leaves it null rather than
// failing the run that asked for it.
Json fact(const std::function<Json()>& read) noexcept {
  try {
    return read();
  } catch (...) {
    return nullptr;
  }
}

Json text_or_null(const char* s) {
  return s != nullptr && *s != '\0' ? Json(s) : Json(nullptr);
}

std::string trim(const std::string& s) {
  const char* space = " \t\r\n";
  size_t begin = s.find_first_not_of(space);
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(space) - begin + 1);
}

Json hostname() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return nullptr;
  return text_or_null(name);
}

// PRETTY_NAME from os-release(5): /etc/os-release, else /usr/lib/os-release. The value is
// shell-quoted ("Debian GNU/Linux 12 (bookworm)").
Json distribution() {
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    std::ifstream in(path);
    if (!in) continue;
    std::string line;
    while (std::getline(in, line)) {
      const std::string key = "PRETTY_NAME=";
      if (line.compare(0, key.size(), key) != 0) continue;
      std::string value = trim(line.substr(key.size()));
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
          value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
      }
      std::string unescaped;
      for (size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        unescaped += value[i];
      }
      return unescaped.empty() ? Json(nullptr) : Json(unescaped);
    }
    return nullptr;
  }
  return nullptr;
}

Json os() {
  Json out = {{"kernel", nullptr}, {"machine", nullptr}, {"distribution", fact(distribution)}};
  struct utsname u {};
  if (::uname(&u) == 0) {
    out["kernel"] = std::string(u.sysname) + " " + u.release;
    out["machine"] = text_or_null(u.machine);
  }
  return out;
}

// x86 names the CPU in "model name"; ARM kernels in "Hardware" or (32-bit) "Processor". Keys are
// matched exactly: ARM's lowercase "processor" line is only the CPU's index.
Json cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  if (!in) return nullptr;
  const char* keys[] = {"model name", "Hardware", "Processor"};
  std::string found[3];
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(0, colon));
    for (int i = 0; i < 3; ++i) {
      if (key == keys[i] && found[i].empty()) found[i] = trim(line.substr(colon + 1));
    }
    if (!found[0].empty()) break;
  }
  for (const std::string& model : found) {
    if (!model.empty()) return model;
  }
  return nullptr;
}

// The CPUs this process may run on (taskset, cgroups via Slurm), which can be fewer than the
// machine has. The set grows until it holds every CPU the kernel knows of.
Json usable_cores() {
  for (int cpus = 1024; cpus <= (1 << 20); cpus *= 2) {
    std::unique_ptr<cpu_set_t, void (*)(cpu_set_t*)> set(CPU_ALLOC(cpus),
                                                         [](cpu_set_t* s) { CPU_FREE(s); });
    if (!set) return nullptr;
    const size_t size = CPU_ALLOC_SIZE(cpus);
    CPU_ZERO_S(size, set.get());
    if (::sched_getaffinity(0, size, set.get()) == 0) return CPU_COUNT_S(size, set.get());
    if (errno != EINVAL) return nullptr;
  }
  return nullptr;
}

Json cpu() {
  const unsigned logical = std::thread::hardware_concurrency();  // 0: unknown
  return {{"model", fact(cpu_model)},
          {"logical_cores", logical > 0 ? Json(logical) : Json(nullptr)},
          {"usable_cores", fact(usable_cores)}};
}

// The file that really provides `sgemm_` (Debian's libblas.so.3 is an alternatives symlink to
// OpenBLAS, the reference BLAS or another). Null when no loaded object exports it, e.g. an
// official LibTorch with MKL linked in statically.
Json blas_library() {
  void* sgemm = ::dlsym(RTLD_DEFAULT, "sgemm_");
  Dl_info info{};
  if (sgemm == nullptr || ::dladdr(sgemm, &info) == 0 || info.dli_fname == nullptr) return nullptr;
  char resolved[PATH_MAX];
  if (::realpath(info.dli_fname, resolved) != nullptr) return std::string(resolved);
  return text_or_null(info.dli_fname);
}

// A string returned by OpenBLAS's `name()` (a static buffer), when that symbol is loaded.
Json openblas_text(const char* name) {
  using Fn = const char* (*)();
  auto fn = reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, name));
  return fn != nullptr ? text_or_null(fn()) : Json(nullptr);
}

// MKL writes its version into the caller's buffer; MKL_Get_Version_String is its C entry point
// (the lowercase names are the Fortran ones, whose arguments are passed by reference).
Json mkl_version() {
  using Fn = void (*)(char*, int);
  auto fn = reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, "MKL_Get_Version_String"));
  if (fn == nullptr) return nullptr;
  char buffer[512] = {};
  fn(buffer, sizeof buffer - 1);
  return text_or_null(trim(buffer).c_str());
}

Json blas() {
  const BlasKernel k = blas_kernel();
  return {{"library", fact(blas_library)},
          {"config", fact([] { return openblas_text("openblas_get_config"); })},
          {"core", fact([] { return openblas_text("openblas_get_corename"); })},
          {"mkl", fact(mkl_version)},
          {"policy", k.policy},
          {"requested", k.requested},
          {"aten_capability", k.aten}};
}

Json build() {
  const BuildInfo& b = build_info();
  return {{"version", b.version},
          {"git_commit", b.git_commit},
          {"git_dirty", b.git_dirty},
          {"compiler", b.compiler},
          {"build_type", b.build_type}};
}

Json collect() {
  return {{"host", fact(hostname)},    {"os", fact(os)},
          {"cpu", fact(cpu)},          {"blas", fact(blas)},
          {"libtorch", TORCH_VERSION}, {"build", fact(build)}};
}

}  // namespace

Json host_provenance() {
  // Read once: the facts do not change while the process runs, and dlsym/proc reads are not free.
  static const Json facts = fact(collect);
  return fact([] { return facts; });
}

std::string build_version_text() {
  try {
    const BuildInfo& b = build_info();
    std::string commit = b.git_commit == "unknown" ? b.git_commit : b.git_commit.substr(0, 12);
    return "actbench " + b.version + " (commit " + commit + (b.git_dirty ? ", modified" : "") + ")";
  } catch (...) {
    return std::string("actbench ") + ACTBENCH_VERSION;
  }
}

}  // namespace actbench
