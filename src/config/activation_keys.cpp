#include "config/activation_keys.h"

#include "activations/spec.h"
#include "util/error.h"
#include "util/text.h"

namespace actbench {
namespace {

constexpr const char* kPrefix = "activations.";

// The label an entry of the tree's `activations` goes by before it is resolved: its own, else its
// registry entry's display name (a plain name), else the name as written.
std::string entry_label(const Json& entry) {
  if (entry.is_object() && entry.contains("label") && entry.at("label").is_string()) {
    return entry.at("label").get<std::string>();
  }
  const Json* name = entry.is_string()                             ? &entry
                     : entry.is_object() && entry.contains("name") ? &entry.at("name")
                                                                   : nullptr;
  if (name == nullptr || !name->is_string()) return "";
  const std::string display = activation_display_name(name->get<std::string>());
  return display.empty() ? name->get<std::string>() : display;
}

bool matches(const Json& entry, const std::string& label) {
  if (name_key(entry_label(entry)) == name_key(label)) return true;
  // A plain name matches by its name too ("leaky_relu" and "LeakyReLU").
  return entry.is_string() && name_key(entry.get<std::string>()) == name_key(label);
}

}  // namespace

bool is_activation_entry_key(const std::string& key) {
  return key.rfind(kPrefix, 0) == 0;
}

void set_activation_entry(Json& tree, const std::string& key, const std::vector<Json>& values,
                          const std::string& origin, Sources& sources) {
  const std::string rest = key.substr(std::string(kPrefix).size());
  const size_t dot = rest.find('.');
  const std::string label = rest.substr(0, dot);
  const std::string path = dot == std::string::npos ? "" : rest.substr(dot + 1);
  const std::string where = origin + ": '" + key + "'";
  if (label.empty() || path.empty() || path.back() == '.' || path.find("..") != std::string::npos) {
    throw InputError(where +
                     " names no parameter; write activations.LABEL.PARAM (e.g. "
                     "activations.LeakyReLU.negative_slope, activations.Swish.params.beta.init)");
  }
  Json& list = tree["activations"];
  std::vector<size_t> found;
  std::vector<std::string> labels;
  for (size_t i = 0; list.is_array() && i < list.size(); ++i) {
    labels.push_back(entry_label(list[i]));
    if (matches(list[i], label)) found.push_back(i);
  }
  if (found.size() != 1) {
    throw InputError(where + ": " +
                     (found.empty() ? "no activation is labelled '" + label + "'"
                                    : "several activations are labelled '" + label + "'") +
                     " (the activations: " + join(labels, ", ") +
                     "); give the entry a distinct label without '.'");
  }
  Json base = list[found.front()];
  const std::string base_label = entry_label(base);
  if (base.is_string()) base = Json{{"name", base}};
  if (!base.is_object()) throw InputError(where + ": that activation is not a mapping");
  // A parameter of a formula's constant is shown without "params." and ".init": beta=2.
  std::string shown = path;
  if (shown.rfind("params.", 0) == 0) shown = shown.substr(7);
  if (shown.size() > 5 && shown.compare(shown.size() - 5, 5, ".init") == 0) {
    shown.resize(shown.size() - 5);
  }
  Json expanded = Json::array();
  for (const Json& value : values) {
    Json entry = base;
    Json* node = &entry;
    for (size_t start = 0;;) {
      const size_t next = path.find('.', start);
      const std::string part = path.substr(start, next == std::string::npos ? next : next - start);
      if (!node->is_object()) {
        throw InputError(where + ": '" + path.substr(0, start - 1) +
                         "' is a value, not a mapping of parameters");
      }
      node = &(*node)[part];
      if (next == std::string::npos) break;
      start = next + 1;
    }
    *node = value;
    if (values.size() > 1)
      entry["label"] = base_label + "(" + shown + "=" + value_text(value) + ")";
    expanded.push_back(std::move(entry));
  }
  Json replaced = Json::array();
  for (size_t i = 0; i < list.size(); ++i) {
    if (i != found.front()) {
      replaced.push_back(list[i]);
      continue;
    }
    for (const Json& e : expanded) replaced.push_back(e);
  }
  list = std::move(replaced);
  record_sources(list, "activations", origin, sources);
}

}  // namespace actbench
