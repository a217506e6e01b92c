// Config files as JSON trees: YAML and JSON both load into nlohmann::json, overlays are merged
// onto defaults with strict key checking, and every leaf remembers where its value came from so
// an error can name the key and the file.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace actbench {

using Json = nlohmann::json;

// Where each dotted key's value came from ("defaults", a file path, "command line").
using Sources = std::map<std::string, std::string>;

// Parses a YAML or JSON document (chosen by the file extension: .json is JSON, anything else
// YAML, which also reads JSON). `origin` names the text in errors.
Json parse_config_text(const std::string& text, const std::string& origin, bool is_json);

// Parses the VALUE of a KEY=VALUE override as a YAML flow value: "3" is a number, "true" a bool,
// "[128, 64]" a list, "relu" a string.
Json parse_value_text(const std::string& text);

// Merges `overlay` into `base`. Every key in `overlay` must already exist in `base` (which holds
// the defaults, so it lists every valid key); objects merge recursively, anything else replaces.
// Records `origin` in `sources` for each leaf it sets. Throws InputError naming the key.
void merge_config(Json& base, const Json& overlay, const std::string& origin, Sources& sources,
                  const std::string& prefix = "");

// Sets one dotted key ("train.epochs") in `base`, with the same strictness as merge_config.
void set_dotted(Json& base, const std::string& dotted_key, const Json& value,
                const std::string& origin, Sources& sources);

// Records `origin` for every leaf under `value` at `prefix`.
void record_sources(const Json& value, const std::string& prefix, const std::string& origin,
                    Sources& sources);

}  // namespace actbench
