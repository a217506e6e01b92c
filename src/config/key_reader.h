// Typed reading of a merged config tree (defaults < file < overrides): each value checked against
// its type and bounds, errors naming the key and where its value came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/tree.h"

namespace actbench {

// A dotted key as a JSON pointer into a config tree: "train.lr" -> /train/lr.
nlohmann::json::json_pointer key_pointer(const std::string& dotted);

// Typed, validated access to a merged config tree; errors name the key and its source.
class KeyReader {
 public:
  KeyReader(const Json& tree, const Sources& sources) : tree_(tree), sources_(sources) {}

  const Json& at(const std::string& key) const;
  std::string source(const std::string& key) const;
  [[noreturn]] void fail(const std::string& key, const std::string& expected) const;

  int64_t integer(const std::string& key, int64_t min, int64_t max) const;
  double number(const std::string& key, double min, bool min_exclusive, std::optional<double> max,
                bool max_exclusive) const;
  bool boolean(const std::string& key) const;
  // A non-empty string; with `choices`, one of them (with a did-you-mean).
  std::string string(const std::string& key, const std::vector<std::string>& choices = {}) const;

 private:
  const Json& tree_;
  const Sources& sources_;
};

}  // namespace actbench
