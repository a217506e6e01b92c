// Every config key, declared once. To add a key: add its field to a struct in config.h and one
// declaration to the list in config_keys() below; everything else (parsing, defaults, `list keys`,
// the schema, serialisation, run identity, sweeps) follows from the declaration.
#include "config/keys.h"

#include <cstdlib>
#include <limits>
#include <regex>
#include <set>

#include "util/error.h"
#include "util/text.h"

namespace actbench {
namespace {

// "data.dir", [](Config& c) -> auto& { return c.data.dir; }: a key's name and its field, from one
// spelling of the path.
#define ACTBENCH_FIELD(path)       \
#path, [](Config & c) -> auto& { \
    return c.path;                 \
  }

// A declaration under construction.
class Key {
 public:
  Key(std::string name, std::string type, Json default_value, std::string description) {
    info_.name = std::move(name);
    info_.type = std::move(type);
    info_.default_value = std::move(default_value);
    info_.default_text = info_.default_value.is_string() ? info_.default_value.get<std::string>()
                                                         : info_.default_value.dump();
    info_.description = std::move(description);
  }

  // A null value (the default) means "derived": `fill` sets the field from the keys before it.
  Key& derived(std::string rule, std::function<void(Config&)> fill) {
    info_.default_value = nullptr;
    info_.default_text = std::move(rule);
    fill_ = std::move(fill);
    return *this;
  }
  // Cannot be swept, because `why`.
  Key& fixed(std::string why) {
    info_.unsweepable = std::move(why);
    return *this;
  }
  // Not part of a run's identity: it says how or where runs happen, not what they compute.
  Key& local() {
    info_.identity = false;
    return *this;
  }
  // A rule over the value read and the keys before it.
  Key& check(std::function<void(const KeyReader&, const Config&)> rule) {
    check_ = std::move(rule);
    return *this;
  }

  Key& reader(std::function<void(const KeyReader&, Config&)> read) {
    read_ = std::move(read);
    return *this;
  }
  Key& writer(std::function<Json(const Config&)> write) {
    info_.write = std::move(write);
    return *this;
  }
  Key& schema(Json schema) {
    info_.schema = std::move(schema);
    return *this;
  }

  KeyInfo build() const {
    KeyInfo info = info_;
    info.read = [name = info.name, read = read_, fill = fill_, check = check_](const KeyReader& r,
                                                                               Config& c) {
      if (fill && r.at(name).is_null()) {
        fill(c);
      } else {
        read(r, c);
      }
      if (check) check(r, c);
    };
    return info;
  }

 private:
  KeyInfo info_;
  std::function<void(const KeyReader&, Config&)> read_;
  std::function<void(Config&)> fill_;
  std::function<void(const KeyReader&, const Config&)> check_;
};

// The type of the field an ACTBENCH_FIELD accessor returns.
template <typename F>
using FieldType = std::decay_t<std::invoke_result_t<F, Config&>>;

template <typename F>
auto& field_of(F field, const Config& c) {
  return field(const_cast<Config&>(c));
}

template <typename F>
Key integer(const char* name, F field, int64_t def, int64_t min, int64_t max,
            std::string description) {
  const bool bounded = max != std::numeric_limits<int64_t>::max();
  Json schema = {{"type", "integer"}, {"minimum", min}};
  if (bounded) schema["maximum"] = max;
  return std::move(
      Key(name,
          "integer >= " + std::to_string(min) + (bounded ? ", <= " + std::to_string(max) : ""), def,
          std::move(description))
          .reader([=](const KeyReader& r, Config& c) { field(c) = r.integer(name, min, max); })
          .writer([=](const Config& c) { return Json(field_of(field, c)); })
          .schema(schema));
}

// A number in (min, ...) when min_exclusive, else [min, ...).
template <typename F>
Key number(const char* name, F field, double def, double min, bool min_exclusive,
           std::string description) {
  return std::move(
      Key(name, std::string("number ") + (min_exclusive ? "> " : ">= ") + format_number(min), def,
          std::move(description))
          .reader([=](const KeyReader& r, Config& c) {
            field(c) = r.number(name, min, min_exclusive, std::nullopt, false);
          })
          .writer([=](const Config& c) { return Json(field_of(field, c)); })
          .schema({{"type", "number"}, {min_exclusive ? "exclusiveMinimum" : "minimum", min}}));
}

template <typename F>
Key boolean(const char* name, F field, bool def, std::string description) {
  return std::move(Key(name, "true | false", def, std::move(description))
                       .reader([=](const KeyReader& r, Config& c) { field(c) = r.boolean(name); })
                       .writer([=](const Config& c) { return Json(field_of(field, c)); })
                       .schema({{"type", "boolean"}}));
}

template <typename F>
Key text(const char* name, F field, const std::string& def, std::string description) {
  return std::move(Key(name, "string", def, std::move(description))
                       .reader([=](const KeyReader& r, Config& c) { field(c) = r.string(name); })
                       .writer([=](const Config& c) { return Json(field_of(field, c)); })
                       .schema({{"type", "string"}, {"minLength", 1}}));
}

// One of an enum's names (choices.h).
template <typename F>
Key choice(const char* name, F field, FieldType<F> def, std::string description) {
  using E = FieldType<F>;
  return std::move(
      Key(name, join(choice_names<E>(), " | "), choice_name(def), std::move(description))
          .reader([=](const KeyReader& r, Config& c) {
            field(c) = *parse_choice<E>(r.string(name, choice_names<E>()));
          })
          .writer([=](const Config& c) { return Json(choice_name(field_of(field, c))); })
          .schema({{"enum", choice_names<E>()}}));
}

std::vector<int64_t> read_hidden(const KeyReader& r, const std::string& key) {
  const Json& v = r.at(key);
  const std::string expected = "a non-empty list of layer widths (integers from 1 to 65536)";
  if (!v.is_array() || v.empty()) r.fail(key, expected);
  std::vector<int64_t> hidden;
  for (const auto& w : v) {
    if (!w.is_number_integer() || w.get<int64_t>() < 1 || w.get<int64_t>() > 65536) {
      r.fail(key, expected);
    }
    hidden.push_back(w.get<int64_t>());
  }
  return hidden;
}

std::vector<ActivationSpec> read_activations(const KeyReader& r, const std::string& key) {
  const Json& v = r.at(key);
  if (!v.is_array() || v.empty()) {
    r.fail(key, "a non-empty list of activations (names or {name: ..., <param>: ..., label: ...})");
  }
  std::vector<ActivationSpec> specs;
  std::set<std::string> labels;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string where = r.source(key) + ": activations[" + std::to_string(i) + "]";
    ActivationSpec spec = resolve_activation(v[i], where);
    if (!labels.insert(spec.label).second) {
      throw InputError(where + ": label '" + spec.label +
                       "' is used twice; give each activation a distinct 'label'");
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

const std::regex& plain_name() {
  static const std::regex re("[A-Za-z0-9._-]+");
  return re;
}

std::vector<KeyInfo> declare_keys() {
  using std::numeric_limits;
  constexpr int64_t kMaxInt = numeric_limits<int64_t>::max();
  std::vector<Key> keys{
      text(ACTBENCH_FIELD(name), "seed", "the experiment's name; the output goes to results/<name>")
          .check([](const KeyReader& r, const Config& c) {
            if (!std::regex_match(c.name, plain_name()) || c.name == "." || c.name == "..") {
              r.fail("name",
                     "a plain name made of letters, digits, '.', '_' and '-' (it names the output "
                     "directory results/<name>)");
            }
          })
          .fixed("it names the whole sweep")
          .local(),
      choice(ACTBENCH_FIELD(data.dataset), DatasetKind::kMnist, "the data set"),
      text(ACTBENCH_FIELD(data.dir), "", "directory holding the data set's four IDX files")
          .derived("$ACTBENCH_DATA/<dataset> if set, else data/<dataset>",
                   [](Config& c) {
                     // One shared copy of the data for many checkouts: ACTBENCH_DATA=/shared/data.
                     const char* root = std::getenv("ACTBENCH_DATA");
                     c.data.dir = (root != nullptr && *root != '\0' ? std::string(root) : "data") +
                                  "/" + choice_name(c.data.dataset);
                   }),
      boolean(ACTBENCH_FIELD(data.normalize), false,
              "true: inputs become (x - mean) / std with the data set's statistics"),
      integer(ACTBENCH_FIELD(data.train_limit), 0, 0, kMaxInt,
              "train on the first N examples only (0: all)"),
      integer(ACTBENCH_FIELD(data.test_limit), 0, 0, kMaxInt,
              "test on the first N examples only (0: all)"),
      integer(ACTBENCH_FIELD(data.validation), 0, 0, kMaxInt,
              "hold out the last N training examples, evaluated every epoch to choose the best"),
      choice(ACTBENCH_FIELD(data.pipeline), Pipeline::kBatch,
             "how batches are made: one gather per batch, or the per-example DataLoader + "
             "Stack<> (same numbers, slower)"),
      Key("model.hidden", "list of integers in 1..65536", Json{128, 128},
          "hidden layer widths, input side first")
          .reader([](const KeyReader& r, Config& c) {
            c.model.hidden = read_hidden(r, "model.hidden");
          })
          .writer([](const Config& c) { return Json(c.model.hidden); })
          .schema({{"type", "array"},
                   {"minItems", 1},
                   {"items", {{"type", "integer"}, {"minimum", 1}, {"maximum", 65536}}}}),
      choice(ACTBENCH_FIELD(model.init), Init::kDefault,
             "initial Linear weights: LibTorch's default, Kaiming (He, gain from the leaky "
             "slope), Xavier (Glorot) or orthogonal; biases zero except with default"),
      integer(ACTBENCH_FIELD(train.epochs), 10, 1, 100000, "passes over the training set"),
      integer(ACTBENCH_FIELD(train.batch_size), 64, 1, 1 << 20, "training batch size"),
      choice(ACTBENCH_FIELD(train.optimizer), Optimizer::kAdam, "the optimizer"),
      number(ACTBENCH_FIELD(train.lr), 1e-3, 0.0, true, "learning rate"),
      Key("train.momentum", "number in [0, 1)", nullptr,
          "momentum of sgd and rmsprop (must be unset with adam and adamw)")
          .reader([](const KeyReader& r, Config& c) {
            const Optimizer o = c.train.optimizer;
            const bool takes = o == Optimizer::kSgd || o == Optimizer::kRmsprop;
            if (!takes && !r.at("train.momentum").is_null()) {
              r.fail("train.momentum", "left unset with " + choice_name(o) +
                                           " (momentum applies to sgd and rmsprop only)");
            }
            if (!takes) {
              c.train.momentum.reset();
            } else if (r.at("train.momentum").is_null()) {
              c.train.momentum = o == Optimizer::kSgd ? 0.9 : 0.0;
            } else {
              c.train.momentum = r.number("train.momentum", 0.0, false, 1.0, true);
            }
          })
          .writer([](const Config& c) {
            return c.train.momentum ? Json(*c.train.momentum) : Json(nullptr);
          })
          .schema({{"type", {"number", "null"}}, {"minimum", 0}, {"exclusiveMaximum", 1}}),
      number(ACTBENCH_FIELD(train.weight_decay), 0.0, 0.0, false, "weight decay")
          .derived("the optimizer's PyTorch default (0.01 for adamw, else 0)",
                   [](Config& c) {
                     c.train.weight_decay = c.train.optimizer == Optimizer::kAdamW ? 0.01 : 0.0;
                   }),
      integer(ACTBENCH_FIELD(train.seed), 0, 0, kMaxInt,
              "initial weights and batch order; the same seed pairs runs across activations"),
      integer(ACTBENCH_FIELD(train.eval_batch_size), 1000, 1, 1 << 20,
              "test-set batch size (no effect on the numbers)"),
      choice(ACTBENCH_FIELD(train.engine), Engine::kFused,
             "fused: hand-written backward and one-pass Adam (fast); autograd: torch::nn + "
             "autograd + torch::optim. Same mathematics, different float rounding"),
      choice(ACTBENCH_FIELD(train.sparse_input), SparseInput::kAuto,
             "fused engine on CPU: the first layer skips zero inputs (auto: for unnormalised "
             "pixels)"),
      boolean(ACTBENCH_FIELD(train.diagnostics), true,
              "per epoch: gradient norms per layer, dead/saturated units, time split"),
      Key("device", "auto | cpu | cuda | cuda:N", "auto",
          "where to train (auto: CUDA when available)")
          .reader([](const KeyReader& r, Config& c) {
            const auto spec = DeviceSpec::parse(r.string("device"));
            if (!spec) r.fail("device", "auto, cpu, cuda or cuda:N");
            c.device = *spec;
          })
          .writer([](const Config& c) { return Json(c.device.text()); })
          .schema({{"type", "string"}, {"pattern", "^(auto|cpu|cuda(:[0-9]+)?)$"}})
          .fixed("one sweep runs on one device (use --device)"),
      text(ACTBENCH_FIELD(out), "", "output directory")
          .derived("results/<name>", [](Config& c) { c.out = "results/" + c.name; })
          .fixed("the whole sweep goes to one directory")
          .local(),
      integer(ACTBENCH_FIELD(threads), 1, 0, 1024, "intra-op CPU threads per run (0: one per core)")
          .fixed("it is set for the whole sweep")
          .local(),
      number(ACTBENCH_FIELD(seeds.until), 0.0, 0.0, false,
             "adaptive seeds: add seeds in rounds until every paired difference's 95% interval "
             "is within ± this many points (0: off)")
          .fixed("it decides the seeds of the whole sweep")
          .local(),
      integer(ACTBENCH_FIELD(seeds.min), 3, 2, 100000, "adaptive seeds: the first round's count")
          .fixed("it decides the seeds of the whole sweep")
          .local(),
      integer(ACTBENCH_FIELD(seeds.max), 30, 2, 100000, "adaptive seeds: never more seeds")
          .check([](const KeyReader& r, const Config& c) {
            if (c.seeds.max < c.seeds.min) {
              r.fail("seeds.max", "an integer >= seeds.min (" + std::to_string(c.seeds.min) + ")");
            }
          })
          .fixed("it decides the seeds of the whole sweep")
          .local(),
      integer(ACTBENCH_FIELD(seeds.step), 2, 1, 100000, "adaptive seeds: added per round")
          .fixed("it decides the seeds of the whole sweep")
          .local(),
      integer(ACTBENCH_FIELD(jobs), 0, 0, 1024,
              "runs trained side by side (0: cores / threads on CPU, 1 on CUDA)")
          .fixed("it sets how many runs train at once for the whole sweep")
          .local(),
      Key("activations", "list of names or {name, <param>: value, label}",
          Json{"relu",
               "sigmoid",
               "tanh",
               {{"name", "leaky_relu"}, {"negative_slope", 0.01}, {"label", "LeakyReLU"}}},
          "the activations to compare (see `actbench list activations`)")
          .reader([](const KeyReader& r, Config& c) {
            c.activations = read_activations(r, "activations");
          })
          .writer([](const Config& c) {
            Json list = Json::array();
            for (const auto& a : c.activations) list.push_back(activation_to_json(a));
            return list;
          })
          .schema({{"type", "array"},
                   {"minItems", 1},
                   {"items",
                    {{"type", "object"},
                     {"required", {"name", "label"}},
                     {"properties",
                      {{"name", {{"type", "string"}}},
                       {"label", {{"type", "string"}}},
                       {"expr", {{"type", "string"}}},
                       // A formula's constants: {name: {init, learnable, per_unit}}.
                       {"params",
                        {{"type", "object"},
                         {"additionalProperties",
                          {{"type", "object"},
                           {"required", {"init", "learnable", "per_unit"}},
                           {"additionalProperties", false},
                           {"properties",
                            {{"init", {{"type", "number"}}},
                             {"learnable", {{"type", "boolean"}}},
                             {"per_unit", {{"type", "boolean"}}}}}}}}}}},
                     {"additionalProperties", {{"type", {"number", "string", "boolean"}}}}}}})
          .fixed("list them under 'activations' instead; every one is run at every point"),
      Key("baseline", "an activation's label", nullptr,
          "the activation paired differences are measured against")
          .reader([](const KeyReader& r, Config& c) {
            // Matched as activation names are: case and '_', '-' ignored ("relu" is "ReLU").
            std::vector<std::string> labels;
            for (const auto& a : c.activations) labels.push_back(a.label);
            const Json& v = r.at("baseline");
            const std::string* match = nullptr;
            for (const auto& l : labels) {
              if (v.is_string() && name_key(l) == name_key(v.get<std::string>())) match = &l;
            }
            c.baseline = match != nullptr ? *match : r.string("baseline", labels);
          })
          .writer([](const Config& c) { return Json(c.baseline); })
          .schema({{"type", "string"}})
          .derived("the first activation",
                   [](Config& c) { c.baseline = c.activations.front().label; })
          .fixed("it only chooses what the summary compares against")
          .local(),
      choice(ACTBENCH_FIELD(spread), Spread::kCi95,
             "what ± shows: the 95% interval's half-width, or one standard deviation")
          .fixed("it only chooses how the summary is shown")
          .local(),
  };
  std::vector<KeyInfo> out;
  for (const auto& k : keys) out.push_back(k.build());
  return out;
}

#undef ACTBENCH_FIELD

}  // namespace

const std::vector<KeyInfo>& config_keys() {
  static const std::vector<KeyInfo> keys = declare_keys();
  return keys;
}

const KeyInfo* find_config_key(const std::string& name) {
  for (const auto& k : config_keys()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

Json default_config_json() {
  Json tree = Json::object();
  for (const auto& k : config_keys()) tree[key_pointer(k.name)] = k.default_value;
  return tree;
}

Config config_from_json(const Json& tree, const Sources& sources) {
  const KeyReader reader(tree, sources);
  Config c;
  for (const auto& k : config_keys()) k.read(reader, c);
  return c;
}

Json config_to_json(const Config& config) {
  Json tree = Json::object();
  for (const auto& k : config_keys()) tree[key_pointer(k.name)] = k.write(config);
  return tree;
}

Json config_identity(const Config& config) {
  Json tree = Json::object();
  for (const auto& k : config_keys()) {
    if (k.identity) tree[key_pointer(k.name)] = k.write(config);
  }
  return tree;
}

Json config_schema() {
  // Sections ("data", "model", "train") become nested objects. The identity keys are required:
  // every written config holds them, a run's own config (its identity) holds only them.
  Json schema = {{"description",
                  "A resolved config: every key, defaults filled in (a run's own config holds "
                  "only the keys of its identity), and, for a sweep, its `sweep`. It is itself a "
                  "valid config file."},
                 {"type", "object"},
                 {"additionalProperties", false}};
  for (const auto& k : config_keys()) {
    Json* node = &schema;
    const size_t dot = k.name.find('.');
    std::string leaf = k.name;
    if (dot != std::string::npos) {
      const std::string section = k.name.substr(0, dot);
      leaf = k.name.substr(dot + 1);
      Json& s = schema["properties"][section];
      if (s.is_null()) s = {{"type", "object"}, {"additionalProperties", false}};
      node = &s;
      // A section is required when it holds identity keys; within it, the identity keys are
      // (a section of local keys only, like `seeds`, is absent from a run's own config).
      if (k.identity && std::find(schema["required"].begin(), schema["required"].end(), section) ==
                            schema["required"].end()) {
        schema["required"].push_back(section);
      }
    } else if (k.identity) {
      schema["required"].push_back(k.name);
    }
    Json prop = k.schema;
    prop["description"] = k.description;
    (*node)["properties"][leaf] = prop;
    if (node != &schema && k.identity) (*node)["required"].push_back(leaf);
  }
  schema["properties"]["sweep"] = {
      {"type", "object"},
      {"additionalProperties", {{"type", "array"}, {"minItems", 1}}},
      {"description", "swept dotted keys and their values; absent in a run's own config"}};
  schema["properties"]["per_activation"] = {
      {"type", "object"},
      {"additionalProperties",
       {{"oneOf",
         {{{"type", "object"}, {"minProperties", 1}},
          {{"type", "array"}, {"minItems", 1}, {"items", {{"type", "object"}}}}}}}},
      {"description",
       "settings of one activation only, by label (dotted keys: values): each activation's own, "
       "e.g. the ones tuning chose; a list runs the activation once per element (a tuning rung's "
       "trials); absent in a run's own config"}};
  return schema;
}

}  // namespace actbench
