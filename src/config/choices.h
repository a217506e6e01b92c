// The config's choices as enums, each with its one table of names (config text <-> value), and the
// device a config names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace actbench {

enum class DatasetKind { kMnist, kFashionMnist };
// How batches are made (same numbers either way): one gather per batch from a batch-level
// torch::data dataset, or the per-example DataLoader + Stack<> pipeline (the benchmark's baseline).
enum class Pipeline { kBatch, kExample };
// Initial Linear weights (see keys.cpp for what each means).
enum class Init {
  kDefault,
  kKaimingNormal,
  kKaimingUniform,
  kXavierNormal,
  kXavierUniform,
  kOrthogonal
};
enum class Optimizer { kAdam, kAdamW, kSgd, kRmsprop };
// The step implementation: hand-written fast path or the textbook autograd loop.
enum class Engine { kFused, kAutograd };
enum class SparseInput { kAuto, kOn, kOff };
// What ± shows in tables and sentences: the 95% confidence interval's half-width, or one sample
// standard deviation.
enum class Spread { kCi95, kSd };

// The names of an enum's values as configs write them, in declaration order.
template <typename E>
const std::vector<std::string>& choice_names();

template <typename E>
const std::string& choice_name(E value) {
  return choice_names<E>().at(static_cast<size_t>(value));
}

// The value named `text`; nullopt when there is none.
template <typename E>
std::optional<E> parse_choice(const std::string& text) {
  const auto& names = choice_names<E>();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return std::nullopt;
}

// The data set's name for people: "MNIST", "Fashion-MNIST".
std::string dataset_label(DatasetKind dataset);

// "auto" (CUDA when available, else the CPU), "cpu", "cuda" or "cuda:N".
struct DeviceSpec {
  enum class Kind { kAuto, kCpu, kCuda };
  Kind kind = Kind::kAuto;
  std::optional<int64_t> index;  // cuda:N

  // nullopt unless `text` is one of the forms above.
  static std::optional<DeviceSpec> parse(const std::string& text);
  // The text it was parsed from ("cuda" stays "cuda", "cuda:0" stays "cuda:0").
  std::string text() const;
};
bool operator==(const DeviceSpec& a, const DeviceSpec& b);

}  // namespace actbench
