// The config keys, each declared once (keys.cpp), and everything derived from the declarations:
// the defaults tree, typed reading with errors that name the key and where its value came from,
// serialisation, run identity, `actbench list keys` and the config part of the results schema.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "config/key_reader.h"

namespace actbench {

// One config key.
struct KeyInfo {
  std::string name;          // dotted: "train.lr"
  std::string type;          // for people: "integer >= 1", "adam | adamw | sgd | rmsprop", ...
  Json default_value;        // as a config writes it; null when derived from other keys
  std::string default_text;  // for people (the derived rule when default_value is null)
  std::string description;   // one line
  std::string unsweepable;   // why it cannot be swept; empty when it can
  bool identity = true;      // part of a run's identity (determines its numbers)
  Json schema;               // JSON Schema of the resolved value
  // Reads and validates the key from the tree into the config (keys are read in declaration
  // order, so a key may depend on those declared before it).
  std::function<void(const KeyReader&, Config&)> read;
  // The resolved value as a config writes it.
  std::function<Json(const Config&)> write;
};

// Every key, in declaration (= reading) order.
const std::vector<KeyInfo>& config_keys();

// The key named `name`, or nullptr.
const KeyInfo* find_config_key(const std::string& name);

// The defaults as a JSON tree: it lists every valid key.
Json default_config_json();

// A Config from a merged tree (defaults < file < overrides); InputError naming key and source.
Config config_from_json(const Json& tree, const Sources& sources);

// The fully resolved config as JSON: every key, every activation parameter. It is itself a valid
// config file.
Json config_to_json(const Config& config);

// The settings of `config` that determine a run's numbers (the keys declared as identity).
Json config_identity(const Config& config);

// The config object's JSON Schema (docs/results.schema.json's $defs.config).
Json config_schema();

}  // namespace actbench
