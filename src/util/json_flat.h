// JSON documents as flat "dotted.key" -> value maps, and what differs between two of them: how
// `actbench diff`, `compare` and the history of a sweep directory say what changed.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace actbench {

// Every leaf of `j` as "dotted.key" -> value under `prefix` (lists and other non-objects are
// leaves; an empty object adds nothing).
void flatten_json(const nlohmann::json& j, const std::string& prefix,
                  std::map<std::string, nlohmann::json>& out);

// One key that differs: each side's value as text ("-" where a side lacks it).
struct Difference {
  std::string key;
  std::string a;
  std::string b;
};

// The keys whose values differ between two flat maps, in key order.
std::vector<Difference> flat_differences(const std::map<std::string, nlohmann::json>& a,
                                         const std::map<std::string, nlohmann::json>& b);

}  // namespace actbench
