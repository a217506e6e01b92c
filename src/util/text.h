// Small string helpers used by the registry, the config parser and the CLI.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace actbench {

std::string to_lower(std::string s);

// Lower-case with '_' and '-' removed: "LeakyReLU", "leaky_relu" and "leaky-relu" all give
// "leakyrelu". Used to match activation names the way users write them.
std::string name_key(const std::string& s);

// `label` as a file name: lower-case letters and digits, other runs of characters as one '-',
// at most 40 characters ("LeakyReLU (0.2)" -> "leakyrelu-0-2"); "run" when nothing is left.
std::string file_safe_name(const std::string& label);

std::string join(const std::vector<std::string>& parts, const std::string& sep);

// Shortest decimal text that reads back as the same double ("0.001", "1e-05", "20").
std::string format_number(double v);

// The closest candidate by edit distance, or "" when none is close ("epoch" -> "epochs").
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

// A config value as people write it: strings bare, numbers shortest ("0.001"), lists as JSON
// ("[128,64]"), long lists of one value shortened ("[128]*16").
std::string value_text(const nlohmann::json& v);

// `v` as JSON for an error message, with NaN and infinities named (nan, inf, -inf) where dump()
// would print null, also inside lists and mappings.
std::string json_for_message(const nlohmann::json& v);

// The last part of a dotted key ("train.lr" -> "lr").
std::string last_key_part(const std::string& key);

// The values of `keys` in `point` (an object of dotted keys) as "lr=0.01 seed=2": each key by its
// last part, or whole when two of `keys` share a last part; keys missing from `point` skipped.
std::string describe_point(const nlohmann::json& point, const std::vector<std::string>& keys);

// The same, one (key, "lr=0.01") part per key.
std::vector<std::pair<std::string, std::string>> point_parts(const nlohmann::json& point,
                                                             const std::vector<std::string>& keys);

// "42 s", "3 min 05 s", "2 h 07 min": a duration for people.
std::string duration_text(double seconds);

}  // namespace actbench
