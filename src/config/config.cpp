#include "config/config.h"

#include <algorithm>

#include "config/activation_keys.h"
#include "config/keys.h"
#include "config/tree.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/text.h"
#include "util/utf8.h"

namespace actbench {
namespace fs = std::filesystem;

void check_sweep_key(const Json& defaults, const std::string& key, const std::string& origin) {
  const KeyInfo* info = find_config_key(key.substr(0, key.find('.')));
  if (info == nullptr) info = find_config_key(key);
  if (info != nullptr && !info->unsweepable.empty()) {
    throw InputError(origin + ": sweep key '" + key + "' cannot be swept: " + info->unsweepable);
  }
  const Json* node = &defaults;
  for (size_t start = 0;;) {
    size_t dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? dot : dot - start);
    if (!node->is_object() || !node->contains(part)) {
      // set_dotted gives the same "unknown key (did you mean ...)" errors as the rest of the
      // config.
      Json probe = defaults;
      Sources ignored;
      set_dotted(probe, key, nullptr, origin + ": sweep", ignored);
    }
    node = &node->at(part);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (node->is_object()) {
    std::vector<std::string> subkeys;
    for (auto it = node->begin(); it != node->end(); ++it) subkeys.push_back(key + "." + it.key());
    throw InputError(origin + ": sweep key '" + key + "' is a section; sweep one of its keys (" +
                     join(subkeys, ", ") + ")");
  }
}

bool operator==(const DataConfig& a, const DataConfig& b) {
  return a.dataset == b.dataset && a.dir == b.dir && a.normalize == b.normalize &&
         a.train_limit == b.train_limit && a.test_limit == b.test_limit &&
         a.validation == b.validation && a.pipeline == b.pipeline;
}

namespace {

// A swept key's values: a non-empty list, each value once. Returns them.
std::vector<Json> sweep_values(const Json& values, const std::string& key,
                               const std::string& origin) {
  const std::string where = origin + ": sweep '" + key + "'";
  if (!values.is_array()) {
    throw InputError(where + " must be a list of values (e.g. [0.01, 0.001]), got " +
                     json_for_message(values));
  }
  if (values.empty()) throw InputError(where + " is an empty list; give it at least one value");
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (values[i] == values[j]) {
        throw InputError(where + " lists " + json_for_message(values[i]) +
                         " twice; each value gives the same runs, so list it once");
      }
    }
  }
  return std::vector<Json>(values.begin(), values.end());
}

// Adds or replaces the axis for `key`; checks the list.
void set_axis(std::vector<SweepAxis>& sweep, const Json& defaults, const std::string& key,
              const Json& values, const std::string& origin) {
  check_sweep_key(defaults, key, origin);
  SweepAxis axis{key, sweep_values(values, key, origin), origin};
  for (auto& a : sweep) {
    if (a.key == key) {
      a = std::move(axis);
      return;
    }
  }
  sweep.push_back(std::move(axis));
}

void remove_axis(std::vector<SweepAxis>& sweep, const std::string& key) {
  sweep.erase(
      std::remove_if(sweep.begin(), sweep.end(), [&](const SweepAxis& a) { return a.key == key; }),
      sweep.end());
}

}  // namespace

std::vector<std::string> split_top_level(const std::string& text) {
  std::vector<std::string> parts;
  int depth = 0;
  char quote = 0;
  std::string cur;
  for (char ch : text) {
    if (quote) {
      if (ch == quote) quote = 0;
    } else if (ch == '"' || ch == '\'') {
      quote = ch;
    } else if (ch == '[' || ch == '{') {
      ++depth;
    } else if (ch == ']' || ch == '}') {
      --depth;
    } else if (ch == ',' && depth == 0) {
      parts.push_back(cur);
      cur.clear();
      continue;
    }
    cur += ch;
  }
  parts.push_back(cur);
  return parts;
}

namespace {

std::string trimmed(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

// A command-line value must be one value: a list or mapping ([...], {...}) ends at its closing
// bracket (YAML would drop what follows), and no comma-separated element may be empty.
void check_value_text(const std::string& key, const std::string& text) {
  const std::string where = "command line: '" + key + "=" + text + "'";
  const std::string t = trimmed(text);
  if (!t.empty() && (t[0] == '[' || t[0] == '{')) {
    int depth = 0;
    char quote = 0;
    for (size_t i = 0; i < t.size(); ++i) {
      const char ch = t[i];
      if (quote) {
        if (ch == quote) quote = 0;
      } else if (ch == '"' || ch == '\'') {
        quote = ch;
      } else if (ch == '[' || ch == '{') {
        ++depth;
      } else if ((ch == ']' || ch == '}') && --depth == 0) {
        if (i + 1 < t.size()) {
          throw InputError(where + " has '" + t.substr(i + 1) + "' after the closing '" +
                           std::string(1, ch) + "'; give one value (quote the whole value if the " +
                           "shell splits it)");
        }
        return;
      }
    }
    throw InputError(where + " opens a '" + std::string(1, t[0]) + "' it never closes");
  }
}

// KEY=a,b,c: the elements, none of them empty.
std::vector<std::string> comma_elements(const std::string& key, const std::string& text) {
  std::vector<std::string> parts = split_top_level(text);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts.size() > 1 && trimmed(parts[i]).empty()) {
      throw InputError("command line: '" + key + "=" + text + "' has an empty element (number " +
                       std::to_string(i + 1) + " of " + std::to_string(parts.size()) +
                       "); remove the extra comma");
    }
    check_value_text(key, parts[i]);
  }
  return parts;
}

}  // namespace

namespace {

// One activation's `per_activation` settings: an object of sweepable keys (or a list of them).
void check_activation_settings(const Json& defaults, const Json& settings,
                               const std::string& where) {
  const std::string shape =
      " must map config keys to values (e.g. {train.lr: 0.003}), or be a list of such maps";
  if (settings.is_array() && settings.empty()) throw InputError(where + " is an empty list");
  for (const Json& one : settings.is_array() ? settings : Json::array({settings})) {
    if (!one.is_object() || one.empty()) {
      throw InputError(where + shape + ", got " + json_for_message(one));
    }
    for (auto it = one.begin(); it != one.end(); ++it) {
      // Its value's type is checked when the plan reads each run's config.
      if (it.key() == "train.seed" || it.key() == "activations") {
        throw InputError(where + ": '" + it.key() +
                         "' is the same for every activation; set it outside per_activation");
      }
      check_sweep_key(defaults, it.key(), where);
    }
  }
}

// Merges a document's `per_activation` section: label -> settings (a later one replaces).
void merge_per_activation(ConfigSource& src, const Json& section, const std::string& origin) {
  if (section.is_null()) return;
  if (!section.is_object()) {
    throw InputError(origin +
                     ": 'per_activation' must map activation labels to settings (e.g. "
                     "Sigmoid: {train.lr: 0.003}), got " +
                     json_for_message(section));
  }
  const Json defaults = default_config_json();
  for (auto it = section.begin(); it != section.end(); ++it) {
    check_activation_settings(defaults, it.value(), origin + ": per_activation '" + it.key() + "'");
    src.per_activation[it.key()] = it.value();
  }
}

// Merges a document's `tune` section key by key (checked by sweep/tuning.h).
void merge_tune(ConfigSource& src, const Json& section, const std::string& origin) {
  if (section.is_null()) return;
  if (!section.is_object()) {
    throw InputError(origin + ": 'tune' must be a section (e.g. tune: {space: {train.lr: " +
                     "{log: [0.0001, 0.01], trials: 9}}}), got " + json_for_message(section));
  }
  if (!src.tune.is_object()) src.tune = Json::object();
  for (auto it = section.begin(); it != section.end(); ++it) src.tune[it.key()] = it.value();
  src.tune_origin = origin;
}

}  // namespace

void merge_config_document(ConfigSource& src, Json doc, const std::string& origin) {
  const Json defaults = default_config_json();
  for (const char* section : {"per_activation", "tune"}) {
    if (!doc.is_object() || !doc.contains(section)) continue;
    const Json value = doc[section];
    doc.erase(section);
    if (std::string(section) == "tune") {
      merge_tune(src, value, origin);
    } else {
      merge_per_activation(src, value, origin);
    }
  }
  if (doc.is_object() && doc.contains("sweep")) {
    const Json sweep = doc["sweep"];
    doc.erase("sweep");
    if (!sweep.is_null()) {
      if (!sweep.is_object()) {
        throw InputError(origin +
                         ": 'sweep' must map config keys to lists of values (e.g. "
                         "train.lr: [0.01, 0.001]), got " +
                         sweep.dump());
      }
      for (auto it = sweep.begin(); it != sweep.end(); ++it) {
        if (is_activation_entry_key(it.key())) continue;  // once the document's list is in
        set_axis(src.sweep, defaults, it.key(), it.value(), origin);
      }
    }
    if (!doc.is_null()) merge_config(src.tree, doc, origin, src.sources);
    // activations.LABEL.PARAM: [a, b] makes the entry one per value (config/activation_keys.h).
    for (auto it = sweep.begin(); sweep.is_object() && it != sweep.end(); ++it) {
      if (!is_activation_entry_key(it.key())) continue;
      set_activation_entry(src.tree, it.key(), sweep_values(it.value(), it.key(), origin), origin,
                           src.sources);
    }
    return;
  }
  if (!doc.is_null()) merge_config(src.tree, doc, origin, src.sources);
}

void set_config_value(ConfigSource& src, const std::string& key, const Json& value,
                      const std::string& origin) {
  if (value.is_string()) {
    require_utf8(value.get_ref<const std::string&>(), origin + ": the value of '" + key + "'",
                 "write it in UTF-8");
  }
  remove_axis(src.sweep, key);
  set_dotted(src.tree, key, value, origin, src.sources);
}

namespace {

// tune.KEY=VALUE and per_activation.LABEL.KEY=VALUE; false for any other key.
bool apply_section_override(ConfigSource& src, const std::string& key, const std::string& text) {
  const std::string kv = key + "=" + text;
  if (key.rfind("tune.", 0) == 0 && key.size() > 5) {
    check_value_text(key, text);  // tune.halving=false
    merge_tune(src, Json{{key.substr(5), parse_value_text(text)}}, "command line");
    return true;
  }
  if (key.rfind("per_activation.", 0) == 0) {
    // per_activation.LABEL.KEY=VALUE (the label holds no '.')
    const size_t dot = key.find('.', 15);
    if (dot == std::string::npos || dot == 15 || dot + 1 == key.size()) {
      throw InputError(
          "command line: expected per_activation.LABEL.KEY=VALUE (e.g. "
          "per_activation.Sigmoid.train.lr=0.003), got '" +
          kv + "'");
    }
    check_value_text(key, text);
    const std::string label = key.substr(15, dot - 15);
    Json settings = src.per_activation.value(label, Json::object());
    if (!settings.is_object()) settings = Json::object();
    settings[key.substr(dot + 1)] = parse_value_text(text);
    merge_per_activation(src, Json{{label, settings}}, "command line");
    return true;
  }
  return false;
}

}  // namespace

ConfigSource read_config_source(const std::optional<fs::path>& file,
                                const std::vector<std::string>& overrides) {
  ConfigSource src;
  src.tree = default_config_json();
  const Json defaults = src.tree;
  if (file) {
    const std::string origin = file->string();
    // Read only regular files of a config's size: a directory, a device or a pipe would block
    // or never end.
    check_path(*file, PathKind::kFile, "config file",
               "config file " + origin + " not found (see configs/ for examples)",
               "give a YAML or JSON file");
    std::error_code ec;
    constexpr uintmax_t kMaxConfigBytes = 1 << 20;
    if (const uintmax_t size = fs::file_size(*file, ec); !ec && size > kMaxConfigBytes) {
      throw InputError("config file " + origin + " is " + std::to_string(size) +
                       " bytes; a config is at most 1 MiB");
    }
    const std::string ext = to_lower(file->extension().string());
    Json document = parse_config_text(read_file(*file), origin, ext == ".json");
    // An empty file (or only comments, or ~) would silently train the defaults.
    if (document.is_null() || (document.is_object() && document.empty())) {
      throw InputError("config file " + origin +
                       " holds no settings (empty, only comments, or null); write some, or leave "
                       "the file out to run the defaults");
    }
    merge_config_document(src, std::move(document), origin);
  }
  for (const auto& kv : overrides) {
    require_utf8(kv, "command line: '" + kv.substr(0, invalid_utf8_offset(kv)) + "...'",
                 "write KEY=VALUE in UTF-8");
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw InputError("command line: expected KEY=VALUE (e.g. train.epochs=3), got '" + kv + "'");
    }
    const std::string key = kv.substr(0, eq);
    const std::string text = kv.substr(eq + 1);
    if (is_activation_entry_key(key) ||
        (key.rfind("sweep.", 0) == 0 && is_activation_entry_key(key.substr(6)))) {
      const bool swept = key.rfind("sweep.", 0) == 0;
      const std::string entry_key = swept ? key.substr(6) : key;
      Json values = Json::array();
      if (swept) {
        check_value_text(key, text);
        values = parse_value_text(text);
      } else {
        for (const auto& p : comma_elements(key, text)) values.push_back(parse_value_text(p));
      }
      set_activation_entry(src.tree, entry_key, sweep_values(values, entry_key, "command line"),
                           "command line", src.sources);
      continue;
    }
    if (apply_section_override(src, key, text)) continue;
    if (key.rfind("sweep.", 0) == 0) {
      check_value_text(key, text);  // sweep.train.lr=[0.1, 0.01]
      set_axis(src.sweep, defaults, key.substr(6), parse_value_text(text), "command line");
      continue;
    }
    Json value = parse_value_text(text);
    if (key == "activations" && !value.is_string()) check_value_text(key, text);
    // `activations=relu,tanh` is the natural way to name several on a command line.
    if (key == "activations" && value.is_string()) {
      Json list = Json::array();
      for (const auto& p : comma_elements(key, text)) list.push_back(trimmed(p));
      value = list;
    } else if (key != "activations") {
      // KEY=a,b sweeps KEY over a and b; KEY=a fixes it (also when the file sweeps it).
      std::vector<std::string> parts = comma_elements(key, text);
      if (parts.size() > 1) {
        Json values = Json::array();
        for (const auto& p : parts) values.push_back(parse_value_text(p));
        set_axis(src.sweep, defaults, key, values, "command line");
        continue;
      }
    }
    set_config_value(src, key, value, "command line");
  }
  return src;
}

Config load_config(const std::optional<fs::path>& file, const std::vector<std::string>& overrides) {
  ConfigSource src = read_config_source(file, overrides);
  return config_from_json(src.tree, src.sources);
}

Config default_config() {
  return config_from_json(default_config_json(), {});
}

}  // namespace actbench
