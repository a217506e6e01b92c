#include "config/choices.h"

#include <regex>

namespace actbench {

// One table of names per enum, in declaration order.
template <>
const std::vector<std::string>& choice_names<DatasetKind>() {
  static const std::vector<std::string> names{"mnist", "fashion-mnist"};
  return names;
}
template <>
const std::vector<std::string>& choice_names<Pipeline>() {
  static const std::vector<std::string> names{"batch", "example"};
  return names;
}
template <>
const std::vector<std::string>& choice_names<Init>() {
  static const std::vector<std::string> names{"default",        "kaiming_normal",
                                              "kaiming_uniform", "xavier_normal",
                                              "xavier_uniform",  "orthogonal"};
  return names;
}
template <>
const std::vector<std::string>& choice_names<Optimizer>() {
  static const std::vector<std::string> names{"adam", "adamw", "sgd", "rmsprop"};
  return names;
}
template <>
const std::vector<std::string>& choice_names<Engine>() {
  static const std::vector<std::string> names{"fused", "autograd"};
  return names;
}
template <>
const std::vector<std::string>& choice_names<SparseInput>() {
  static const std::vector<std::string> names{"auto", "on", "off"};
  return names;
}

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
  switch (kind) {
    case Kind::kAuto:
      return "auto";
    case Kind::kCpu:
      return "cpu";
    case Kind::kCuda:
      break;
  }
  return index ? "cuda:" + std::to_string(*index) : "cuda";
}

bool operator==(const DeviceSpec& a, const DeviceSpec& b) {
  return a.kind == b.kind && a.index == b.index;
}

}  // namespace actbench
