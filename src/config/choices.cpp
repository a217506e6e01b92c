#include "config/choices.h"

#include <regex>

namespace actbench {

// One table of names per enum, in declaration order.
#define ACTBENCH_CHOICES(E, ...)                              \
  template <>                                                 \
  const std::vector<std::string>& choice_names<E>() {         \
    static const std::vector<std::string> names{__VA_ARGS__}; \
    return names;                                             \
  }
ACTBENCH_CHOICES(DatasetKind, "mnist", "fashion-mnist")
ACTBENCH_CHOICES(Pipeline, "batch", "example")
ACTBENCH_CHOICES(Init, "default", "kaiming_normal", "kaiming_uniform", "xavier_normal",
                 "xavier_uniform", "orthogonal")
ACTBENCH_CHOICES(Optimizer, "adam", "adamw", "sgd", "rmsprop")
ACTBENCH_CHOICES(Engine, "fused", "autograd")
ACTBENCH_CHOICES(SparseInput, "auto", "on", "off")
ACTBENCH_CHOICES(Spread, "ci95", "sd")
#undef ACTBENCH_CHOICES

std::string dataset_label(DatasetKind dataset) {
  return dataset == DatasetKind::kMnist ? "MNIST" : "Fashion-MNIST";
}

std::optional<DeviceSpec> DeviceSpec::parse(const std::string& text) {
  static const std::regex form("auto|cpu|cuda(:([0-9]{1,9}))?");
  std::smatch m;
  if (!std::regex_match(text, m, form)) return std::nullopt;
  DeviceSpec spec;
  if (text == "cpu") {
    spec.kind = Kind::kCpu;
  } else if (text != "auto") {
    spec.kind = Kind::kCuda;
    if (m[2].matched) spec.index = std::stoll(m[2].str());
  }
  return spec;
}

std::string DeviceSpec::text() const {
  if (kind == Kind::kAuto) return "auto";
  if (kind == Kind::kCpu) return "cpu";
  return index ? "cuda:" + std::to_string(*index) : "cuda";
}

bool operator==(const DeviceSpec& a, const DeviceSpec& b) {
  return a.kind == b.kind && a.index == b.index;
}

}  // namespace actbench
