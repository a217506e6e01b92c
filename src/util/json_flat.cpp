#include "util/json_flat.h"

#include <set>

#include "util/text.h"

namespace actbench {
using Json = nlohmann::json;

void flatten_json(const Json& j, const std::string& prefix, std::map<std::string, Json>& out) {
  if (!j.is_object()) {
    out[prefix] = j;
    return;
  }
  for (const auto& [k, v] : j.items()) flatten_json(v, prefix.empty() ? k : prefix + "." + k, out);
}

std::vector<Difference> flat_differences(const std::map<std::string, Json>& a,
                                         const std::map<std::string, Json>& b) {
  std::set<std::string> keys;
  for (const auto& [k, v] : a) keys.insert(k);
  for (const auto& [k, v] : b) keys.insert(k);
  std::vector<Difference> out;
  for (const auto& k : keys) {
    const auto ia = a.find(k), ib = b.find(k);
    if (ia != a.end() && ib != b.end() && ia->second == ib->second) continue;
    out.push_back({k, ia == a.end() ? "-" : value_text(ia->second),
                   ib == b.end() ? "-" : value_text(ib->second)});
  }
  return out;
}

}  // namespace actbench
