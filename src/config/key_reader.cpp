#include "config/key_reader.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "util/error.h"
#include "util/text.h"

namespace actbench {
namespace {

using Json = nlohmann::json;

}  // namespace

Json::json_pointer key_pointer(const std::string& dotted) {
  std::string path = "/" + dotted;
  std::replace(path.begin(), path.end(), '.', '/');
  return Json::json_pointer(path);
}

const Json& KeyReader::at(const std::string& key) const {
  return tree_.at(key_pointer(key));
}

std::string KeyReader::source(const std::string& key) const {
  auto it = sources_.find(key);
  return it == sources_.end() ? "defaults" : it->second;
}

void KeyReader::fail(const std::string& key, const std::string& expected) const {
  throw InputError(source(key) + ": '" + key + "' must be " + expected + ", got " +
                   json_for_message(at(key)));
}

int64_t KeyReader::integer(const std::string& key, int64_t min, int64_t max) const {
  const Json& v = at(key);
  const std::string expected =
      "an integer >= " + std::to_string(min) +
      (max == std::numeric_limits<int64_t>::max() ? "" : " and <= " + std::to_string(max));
  if (!v.is_number_integer()) fail(key, expected);
  if (v.is_number_unsigned() &&
      v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    fail(key, expected);
  }
  const int64_t i = v.get<int64_t>();
  if (i < min || i > max) fail(key, expected);
  return i;
}

double KeyReader::number(const std::string& key, double min, bool min_exclusive,
                         std::optional<double> max, bool max_exclusive) const {
  const Json& v = at(key);
  const std::string expected =
      std::string("a number ") + (min_exclusive ? "> " : ">= ") + format_number(min) +
      (max ? std::string(max_exclusive ? " and < " : " and <= ") + format_number(*max) : "");
  if (!v.is_number()) fail(key, expected);
  const double d = v.get<double>();
  if (!std::isfinite(d) || d < min || (min_exclusive && d == min)) fail(key, expected);
  if (max && (d > *max || (max_exclusive && d == *max))) fail(key, expected);
  return d;
}

bool KeyReader::boolean(const std::string& key) const {
  if (!at(key).is_boolean()) fail(key, "true or false");
  return at(key).get<bool>();
}

std::string KeyReader::string(const std::string& key,
                              const std::vector<std::string>& choices) const {
  const Json& v = at(key);
  const std::string expected =
      choices.empty() ? "a non-empty string" : "one of " + join(choices, ", ");
  if (!v.is_string() || v.get<std::string>().empty()) fail(key, expected);
  const std::string s = v.get<std::string>();
  if (!choices.empty() && std::find(choices.begin(), choices.end(), s) == choices.end()) {
    const std::string guess = closest_match(s, choices);
    throw InputError(source(key) + ": '" + key + "' must be " + expected + ", got " +
                     json_for_message(v) +
                     (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
  }
  return s;
}

}  // namespace actbench
