#include "config/config.h"

#include <cmath>
#include <algorithm>
#include <regex>
#include <set>

#include "config/tree.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kDatasets{"mnist", "fashion-mnist"};
const std::vector<std::string> kOptimizers{"adam", "adamw", "sgd", "rmsprop"};
const std::vector<std::string> kInits{"default",       "kaiming_normal", "kaiming_uniform",
                                      "xavier_normal", "xavier_uniform", "orthogonal"};

// Typed, validated access to the merged tree; errors name the key and its source.
class Reader {
 public:
  Reader(const Json& tree, const Sources& sources) : tree_(tree), sources_(sources) {}

  const Json& at(const std::string& key) const {
    const Json* node = &tree_;
    size_t start = 0;
    while (true) {
      size_t dot = key.find('.', start);
      node = &node->at(key.substr(start, dot == std::string::npos ? dot : dot - start));
      if (dot == std::string::npos) return *node;
      start = dot + 1;
    }
  }

  std::string source(const std::string& key) const {
    auto it = sources_.find(key);
    return it == sources_.end() ? "defaults" : it->second;
  }

  [[noreturn]] void fail(const std::string& key, const std::string& expected) const {
    const Json& v = at(key);
    // JSON has no NaN or infinity (dump() would print null), so name them.
    std::string got = v.is_number_float() && !std::isfinite(v.get<double>())
                          ? (std::isnan(v.get<double>()) ? "nan"
                             : v.get<double>() > 0       ? "inf"
                                                         : "-inf")
                          : v.dump();
    throw InputError(source(key) + ": '" + key + "' must be " + expected + ", got " + got);
  }

  int64_t integer(const std::string& key, int64_t min, int64_t max = INT64_MAX) const {
    const Json& v = at(key);
    std::string expected = "an integer >= " + std::to_string(min) +
                           (max == INT64_MAX ? "" : " and <= " + std::to_string(max));
    if (!v.is_number_integer()) fail(key, expected);
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      fail(key, expected);
    int64_t i = v.get<int64_t>();
    if (i < min || i > max) fail(key, expected);
    return i;
  }

  double number(const std::string& key, double min, bool min_exclusive,
                std::optional<double> max = {}, bool max_exclusive = false) const {
    const Json& v = at(key);
    std::string expected =
        std::string("a number ") + (min_exclusive ? "> " : ">= ") + format_number(min) +
        (max ? std::string(max_exclusive ? " and < " : " and <= ") + format_number(*max) : "");
    if (!v.is_number()) fail(key, expected);
    double d = v.get<double>();
    if (!std::isfinite(d) || d < min || (min_exclusive && d == min)) fail(key, expected);
    if (max && (d > *max || (max_exclusive && d == *max))) fail(key, expected);
    return d;
  }

  bool boolean(const std::string& key) const {
    if (!at(key).is_boolean()) fail(key, "true or false");
    return at(key).get<bool>();
  }

  std::string string(const std::string& key, const std::vector<std::string>& choices = {}) const {
    const Json& v = at(key);
    std::string expected = choices.empty() ? "a non-empty string" : "one of " + join(choices, ", ");
    if (!v.is_string() || v.get<std::string>().empty()) fail(key, expected);
    std::string s = v.get<std::string>();
    if (!choices.empty() && std::find(choices.begin(), choices.end(), s) == choices.end()) {
      std::string guess = closest_match(s, choices);
      throw InputError(source(key) + ": '" + key + "' must be " + expected + ", got " + v.dump() +
                       (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
    }
    return s;
  }

  std::optional<std::string> optional_string(const std::string& key) const {
    if (at(key).is_null()) return std::nullopt;
    return string(key);
  }

 private:
  const Json& tree_;
  const Sources& sources_;
};

std::vector<int64_t> read_hidden(const Reader& r) {
  const std::string key = "model.hidden";
  const Json& v = r.at(key);
  const std::string expected = "a non-empty list of layer widths (integers from 1 to 65536)";
  if (!v.is_array() || v.empty()) r.fail(key, expected);
  std::vector<int64_t> hidden;
  for (const auto& w : v) {
    if (!w.is_number_integer() || w.get<int64_t>() < 1 || w.get<int64_t>() > 65536)
      r.fail(key, expected);
    hidden.push_back(w.get<int64_t>());
  }
  return hidden;
}

std::vector<ActivationSpec> read_activations(const Reader& r) {
  const Json& v = r.at("activations");
  if (!v.is_array() || v.empty()) {
    r.fail("activations",
           "a non-empty list of activations (names or {name: ..., <param>: ..., label: ...})");
  }
  std::vector<ActivationSpec> specs;
  std::set<std::string> labels;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string where = r.source("activations") + ": activations[" + std::to_string(i) + "]";
    ActivationSpec spec = resolve_activation(v[i], where);
    if (!labels.insert(spec.label).second) {
      throw InputError(where + ": label '" + spec.label +
                       "' is used twice; give each activation a distinct 'label'");
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

double default_weight_decay(const std::string& optimizer) {
  return optimizer == "adamw" ? 0.01 : 0.0;  // PyTorch's defaults
}

}  // namespace

Json default_config_json() {
  return Json{
      {"name", "seed"},
      {"data",
       {{"dataset", "mnist"},
        {"dir", nullptr},
        {"normalize", false},
        {"train_limit", 0},
        {"test_limit", 0},
        {"pipeline", "batch"}}},
      {"model", {{"hidden", {128, 128}}, {"init", "default"}}},
      {"train",
       {{"epochs", 10},
        {"batch_size", 64},
        {"optimizer", "adam"},
        {"lr", 0.001},
        {"momentum", nullptr},
        {"weight_decay", nullptr},
        {"seed", 0},
        {"eval_batch_size", 1000},
        {"engine", "fused"},
        {"sparse_input", "auto"},
        {"diagnostics", true}}},
      {"device", "auto"},
      {"out", nullptr},
      {"threads", 1},
      {"jobs", 0},
      {"baseline", nullptr},
      {"activations",
       {"relu",
        "sigmoid",
        "tanh",
        {{"name", "leaky_relu"}, {"negative_slope", 0.01}, {"label", "LeakyReLU"}}}},
  };
}

Config config_from_json(const Json& tree, const Sources& sources) {
  Reader r(tree, sources);
  Config c;
  c.name = r.string("name");
  if (!std::regex_match(c.name, std::regex("[A-Za-z0-9._-]+")) || c.name == "." || c.name == "..") {
    r.fail("name",
           "a plain name made of letters, digits, '.', '_' and '-' (it names the output "
           "directory results/<name>)");
  }
  c.data.dataset = r.string("data.dataset", kDatasets);
  c.data.dir = r.optional_string("data.dir").value_or("data/" + c.data.dataset);
  c.data.normalize = r.boolean("data.normalize");
  c.data.train_limit = r.integer("data.train_limit", 0);
  c.data.test_limit = r.integer("data.test_limit", 0);
  c.data.pipeline = r.string("data.pipeline", {"batch", "example"});
  c.model.hidden = read_hidden(r);
  c.model.init = r.string("model.init", kInits);
  c.train.epochs = r.integer("train.epochs", 1, 100000);
  c.train.batch_size = r.integer("train.batch_size", 1, 1 << 20);
  c.train.optimizer = r.string("train.optimizer", kOptimizers);
  c.train.lr = r.number("train.lr", 0.0, true);
  if (c.train.optimizer == "sgd" || c.train.optimizer == "rmsprop") {
    c.train.momentum = r.at("train.momentum").is_null()
                           ? (c.train.optimizer == "sgd" ? 0.9 : 0.0)
                           : r.number("train.momentum", 0.0, false, 1.0, true);
  } else if (!r.at("train.momentum").is_null()) {
    r.fail("train.momentum",
           "left unset with " + c.train.optimizer + " (momentum applies to sgd and rmsprop only)");
  }
  c.train.weight_decay = r.at("train.weight_decay").is_null()
                             ? default_weight_decay(c.train.optimizer)
                             : r.number("train.weight_decay", 0.0, false);
  c.train.seed = r.integer("train.seed", 0);
  c.train.eval_batch_size = r.integer("train.eval_batch_size", 1, 1 << 20);
  c.train.engine = r.string("train.engine", {"fused", "autograd"});
  c.train.sparse_input = r.string("train.sparse_input", {"auto", "on", "off"});
  c.train.diagnostics = r.boolean("train.diagnostics");
  c.device = r.string("device");
  if (!std::regex_match(c.device, std::regex("auto|cpu|cuda(:[0-9]+)?"))) {
    r.fail("device", "auto, cpu, cuda or cuda:N");
  }
  c.out = r.optional_string("out").value_or("results/" + c.name);
  c.threads = r.integer("threads", 0, 1024);
  c.jobs = r.integer("jobs", 0, 1024);
  c.activations = read_activations(r);
  if (r.at("baseline").is_null()) {
    c.baseline = c.activations.front().label;
  } else {
    std::vector<std::string> labels;
    for (const auto& a : c.activations) labels.push_back(a.label);
    c.baseline = r.string("baseline", labels);
  }
  return c;
}

namespace {

// Keys that say how or where a sweep runs, not what a run computes.
const std::map<std::string, std::string> kUnsweepable{
    {"name", "it names the whole sweep"},
    {"out", "the whole sweep goes to one directory"},
    {"jobs", "it sets how many runs train at once for the whole sweep"},
    {"threads", "it is set for the whole sweep"},
    {"device", "one sweep runs on one device (use --device)"},
    {"baseline", "it only chooses what the summary compares against"},
    {"activations", "list them under 'activations' instead; every one is run at every point"},
};

// Checks that `key` names one sweepable setting of the defaults tree.
void check_sweep_key(const Json& defaults, const std::string& key, const std::string& origin) {
  const std::string top = key.substr(0, key.find('.'));
  auto reason = kUnsweepable.find(top);
  if (reason != kUnsweepable.end()) {
    throw InputError(origin + ": sweep key '" + key + "' cannot be swept: " + reason->second);
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

// Adds or replaces the axis for `key`; checks the list.
void set_axis(std::vector<SweepAxis>& sweep, const Json& defaults, const std::string& key,
              const Json& values, const std::string& origin) {
  check_sweep_key(defaults, key, origin);
  const std::string where = origin + ": sweep '" + key + "'";
  if (!values.is_array()) {
    throw InputError(where + " must be a list of values (e.g. [0.01, 0.001]), got " +
                     values.dump());
  }
  if (values.empty()) throw InputError(where + " is an empty list; give it at least one value");
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (values[i] == values[j]) {
        throw InputError(where + " lists " + values[i].dump() +
                         " twice; each value gives the same runs, so list it once");
      }
    }
  }
  SweepAxis axis{key, std::vector<Json>(values.begin(), values.end()), origin};
  for (auto& a : sweep) {
    if (a.key == key) {
      a = std::move(axis);
      return;
    }
  }
  sweep.push_back(std::move(axis));
}

void remove_axis(std::vector<SweepAxis>& sweep, const std::string& key) {
  sweep.erase(std::remove_if(sweep.begin(), sweep.end(),
                             [&](const SweepAxis& a) { return a.key == key; }),
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

ConfigSource read_config_source(const std::optional<fs::path>& file,
                                const std::vector<std::string>& overrides) {
  ConfigSource src;
  src.tree = default_config_json();
  const Json defaults = src.tree;
  if (file) {
    const std::string origin = file->string();
    if (!fs::exists(*file)) {
      throw InputError("config file " + origin + " not found (see configs/ for examples)");
    }
    std::string ext = to_lower(file->extension().string());
    Json doc = parse_config_text(read_file(*file), origin, ext == ".json");
    if (doc.is_object() && doc.contains("sweep")) {
      const Json sweep = doc["sweep"];
      doc.erase("sweep");
      if (!sweep.is_null()) {
        if (!sweep.is_object()) {
          throw InputError(origin + ": 'sweep' must map config keys to lists of values (e.g. "
                           "train.lr: [0.01, 0.001]), got " + sweep.dump());
        }
        for (auto it = sweep.begin(); it != sweep.end(); ++it) {
          set_axis(src.sweep, defaults, it.key(), it.value(), origin);
        }
      }
    }
    if (!doc.is_null()) merge_config(src.tree, doc, origin, src.sources);
  }
  for (const auto& kv : overrides) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw InputError("command line: expected KEY=VALUE (e.g. train.epochs=3), got '" + kv + "'");
    }
    const std::string key = kv.substr(0, eq);
    const std::string text = kv.substr(eq + 1);
    if (key.rfind("sweep.", 0) == 0) {  // sweep.train.lr=[0.1, 0.01]
      set_axis(src.sweep, defaults, key.substr(6), parse_value_text(text), "command line");
      continue;
    }
    Json value = parse_value_text(text);
    // `activations=relu,tanh` is the natural way to name several on a command line.
    if (key == "activations" && value.is_string()) {
      Json list = Json::array();
      std::string s = value.get<std::string>();
      for (size_t start = 0; start <= s.size();) {
        size_t comma = s.find(',', start);
        if (comma == std::string::npos) comma = s.size();
        if (comma > start) list.push_back(s.substr(start, comma - start));
        start = comma + 1;
      }
      value = list;
    } else if (key != "activations") {
      // KEY=a,b sweeps KEY over a and b; KEY=a fixes it (also when the file sweeps it).
      std::vector<std::string> parts = split_top_level(text);
      if (parts.size() > 1) {
        Json values = Json::array();
        for (const auto& p : parts) values.push_back(parse_value_text(p));
        set_axis(src.sweep, defaults, key, values, "command line");
        continue;
      }
      remove_axis(src.sweep, key);
    }
    set_dotted(src.tree, key, value, "command line", src.sources);
  }
  return src;
}

Config load_config(const std::optional<fs::path>& file, const std::vector<std::string>& overrides) {
  ConfigSource src = read_config_source(file, overrides);
  return config_from_json(src.tree, src.sources);
}

Json config_to_json(const Config& c) {
  Json acts = Json::array();
  for (const auto& a : c.activations) acts.push_back(activation_to_json(a));
  return Json{
      {"name", c.name},
      {"data",
       {{"dataset", c.data.dataset},
        {"dir", c.data.dir},
        {"normalize", c.data.normalize},
        {"train_limit", c.data.train_limit},
        {"test_limit", c.data.test_limit},
        {"pipeline", c.data.pipeline}}},
      {"model", {{"hidden", c.model.hidden}, {"init", c.model.init}}},
      {"train",
       {{"epochs", c.train.epochs},
        {"batch_size", c.train.batch_size},
        {"optimizer", c.train.optimizer},
        {"lr", c.train.lr},
        {"momentum", c.train.momentum ? Json(*c.train.momentum) : Json(nullptr)},
        {"weight_decay", c.train.weight_decay},
        {"seed", c.train.seed},
        {"eval_batch_size", c.train.eval_batch_size},
        {"engine", c.train.engine},
        {"sparse_input", c.train.sparse_input},
        {"diagnostics", c.train.diagnostics}}},
      {"device", c.device},
      {"out", c.out},
      {"threads", c.threads},
      {"jobs", c.jobs},
      {"baseline", c.baseline},
      {"activations", acts},
  };
}

}  // namespace actbench
