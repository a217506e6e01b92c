#include "config/tree.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <regex>

#include <yaml-cpp/yaml.h>

#include "util/error.h"
#include "util/text.h"
#include "util/utf8.h"

namespace actbench {
namespace {

// A plain (unquoted) YAML scalar is typed the way YAML 1.2's core schema types it; a quoted one is
// always a string. yaml-cpp leaves scalars untyped, so this is done here.
Json scalar_to_json(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted
  static const std::vector<std::string> nulls{"", "~", "null", "Null", "NULL"};
  if (std::find(nulls.begin(), nulls.end(), s) != nulls.end()) return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  // Numbers as YAML 1.2's core schema writes them (no hex floats or nan(...) forms, which
  // std::stod would also accept).
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (std::regex_match(s, kInt)) {
    try {
      return std::stoll(s);
    } catch (const std::out_of_range&) {
      return std::strtod(s.c_str(), nullptr);  // beyond 64 bits: validation rejects it
    }
  }
  if (std::regex_match(s, kFloat)) return std::strtod(s.c_str(), nullptr);  // overflow: inf
  if (s == ".inf" || s == ".Inf") return std::numeric_limits<double>::infinity();
  if (s == "-.inf" || s == "-.Inf") return -std::numeric_limits<double>::infinity();
  if (s == ".nan" || s == ".NaN") return std::numeric_limits<double>::quiet_NaN();
  return s;
}

// Bounds on a YAML document's size once its aliases are expanded ("billion laughs": a few lines
// whose aliases repeat each other expand exponentially) and on its depth.
constexpr int64_t kMaxValues = 100000;
constexpr int kMaxDepth = 64;

struct Budget {
  int64_t values = kMaxValues;
};

Json yaml_to_json(const YAML::Node& node, Budget& budget, int depth) {
  if (--budget.values < 0) {
    throw InputError("it expands to more than " + std::to_string(kMaxValues) +
                     " values (YAML aliases repeating each other?); a config needs far fewer");
  }
  if (depth > kMaxDepth) {
    throw InputError("it nests deeper than " + std::to_string(kMaxDepth) +
                     " levels; a config needs a few");
  }
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      Json arr = Json::array();
      for (const auto& item : node) arr.push_back(yaml_to_json(item, budget, depth + 1));
      return arr;
    }
    case YAML::NodeType::Map: {
      Json obj = Json::object();
      for (const auto& kv : node) {
        std::string key = kv.first.as<std::string>();
        if (obj.contains(key)) {
          throw InputError("line " + std::to_string(kv.first.Mark().line + 1) + ": key '" + key +
                           "' appears twice");
        }
        obj[key] = yaml_to_json(kv.second, budget, depth + 1);
      }
      return obj;
    }
  }
  return nullptr;
}

Json yaml_to_json(const YAML::Node& node) {
  Budget budget;
  return yaml_to_json(node, budget, 0);
}

std::vector<std::string> keys_of(const Json& obj) {
  std::vector<std::string> keys;
  for (auto it = obj.begin(); it != obj.end(); ++it) keys.push_back(it.key());
  return keys;
}

[[noreturn]] void unknown_key(const Json& base, const std::string& key, const std::string& full,
                              const std::string& origin, const std::string& prefix) {
  std::vector<std::string> valid = keys_of(base);
  std::string msg = origin + ": unknown key '" + full + "'";
  std::string guess = closest_match(key, valid);
  if (!guess.empty())
    msg += " (did you mean '" + (prefix.empty() ? guess : prefix + "." + guess) + "'?)";
  msg += "; valid keys" + (prefix.empty() ? std::string() : " in '" + prefix + "'") + ": " +
         join(valid, ", ");
  throw InputError(msg);
}

}  // namespace

namespace {

// The deepest nesting of flow collections ([ and {) in `text`, outside quotes and comments: the
// parsers recurse per level, so a deep document is refused before it is parsed.
int flow_depth(const std::string& text) {
  int depth = 0, deepest = 0;
  char quote = 0;
  bool comment = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (comment) {
      comment = c != '\n';
    } else if (quote != 0) {
      if (c == '\\' && quote == '"')
        ++i;
      else if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || std::isspace(static_cast<unsigned char>(text[i - 1])))) {
      comment = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      depth = std::max(0, depth - 1);
    }
  }
  return deepest;
}

}  // namespace

Json parse_config_text(const std::string& text, const std::string& origin, bool is_json) {
  // Strings that are not UTF-8 would pass YAML and fail much later, writing JSON.
  require_utf8(text, origin, "save the config as UTF-8");
  if (flow_depth(text) > kMaxDepth) {
    throw InputError(origin + ": it nests deeper than " + std::to_string(kMaxDepth) +
                     " levels; a config needs a few");
  }
  if (is_json) {
    try {
      return Json::parse(text);
    } catch (const Json::exception& e) {  // parse_error, or out_of_range: a number past 1e308
      throw InputError(origin + ": invalid JSON: " + e.what());
    }
  }
  try {
    YAML::Node root = YAML::Load(text);
    return yaml_to_json(root);
  } catch (const YAML::Exception& e) {
    throw InputError(origin + ":" + std::to_string(e.mark.line + 1) + ":" +
                     std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg);
  } catch (const InputError& e) {
    throw InputError(origin + ": " + e.what());
  }
}

Json parse_value_text(const std::string& text) {
  try {
    return yaml_to_json(YAML::Load(text));
  } catch (const YAML::Exception&) {
    return text;  // not valid YAML (e.g. "a: b: c"): take it literally as a string
  } catch (const InputError&) {
    return text;
  }
}

void record_sources(const Json& value, const std::string& prefix, const std::string& origin,
                    Sources& sources) {
  if (value.is_object() && !value.empty()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      record_sources(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), origin,
                     sources);
    }
    return;
  }
  // Replacing a whole subtree (a list, say) invalidates sources recorded below it.
  for (auto it = sources.lower_bound(prefix + ".");
       it != sources.end() && it->first.rfind(prefix + ".", 0) == 0;) {
    it = sources.erase(it);
  }
  sources[prefix] = origin;
}

void merge_config(Json& base, const Json& overlay, const std::string& origin, Sources& sources,
                  const std::string& prefix) {
  if (!overlay.is_object()) {
    throw InputError(origin + ": " + (prefix.empty() ? "the config" : "'" + prefix + "'") +
                     " must be a mapping of keys to values, got " + overlay.type_name());
  }
  for (auto it = overlay.begin(); it != overlay.end(); ++it) {
    const std::string full = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (!base.contains(it.key())) unknown_key(base, it.key(), full, origin, prefix);
    Json& slot = base[it.key()];
    if (slot.is_object()) {
      merge_config(slot, it.value(), origin, sources, full);
    } else {
      slot = it.value();
      record_sources(it.value(), full, origin, sources);
    }
  }
}

void set_dotted(Json& base, const std::string& dotted_key, const Json& value,
                const std::string& origin, Sources& sources) {
  if (dotted_key.empty()) throw InputError(origin + ": empty key in KEY=VALUE");
  Json* node = &base;
  std::string prefix;
  size_t start = 0;
  while (true) {
    size_t dot = dotted_key.find('.', start);
    std::string part =
        dotted_key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    std::string full = prefix.empty() ? part : prefix + "." + part;
    if (!node->is_object() || !node->contains(part)) {
      if (!node->is_object()) {
        throw InputError(origin + ": '" + prefix + "' has no sub-keys, so '" + dotted_key +
                         "' is not a valid key");
      }
      unknown_key(*node, part, full, origin, prefix);
    }
    node = &(*node)[part];
    prefix = full;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (node->is_object()) {
    merge_config(*node, value, origin, sources, prefix);
  } else {
    *node = value;
    record_sources(value, prefix, origin, sources);
  }
}

}  // namespace actbench
