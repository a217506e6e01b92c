#include "results/run_shape.h"

#include <initializer_list>

namespace actbench {
namespace {

using Json = nlohmann::json;

// A metric: a number; "NaN", "Infinity" or "-Infinity" for one that was not finite (null in
// actbench.results/4, or not measured).
bool is_metric(const Json& v) {
  return v.is_number() || v.is_null() || v == "NaN" || v == "Infinity" || v == "-Infinity";
}

class Check {
 public:
  explicit Check(const Json& j) : j_(j) {}

  // `key` in `obj` (named `where`) must be there and satisfy `ok` (described by `what`).
  template <typename Ok>
  bool field(const Json& obj, const std::string& where, const char* key, Ok ok, const char* what,
             bool required = true) {
    if (!problem_.empty()) return false;
    const std::string name = where.empty() ? key : where + "." + key;
    if (!obj.contains(key)) {
      if (required) problem_ = name + " is missing";
      return false;
    }
    if (!ok(obj.at(key))) problem_ = name + " is not " + what;
    return problem_.empty();
  }
  void fail(std::string p) {
    if (problem_.empty()) problem_ = std::move(p);
  }
  const std::string& problem() const { return problem_; }

 private:
  const Json& j_;
  std::string problem_;
};

const auto kNumber = [](const Json& v) { return v.is_number(); };
const auto kMetric = [](const Json& v) { return is_metric(v); };
const auto kInteger = [](const Json& v) { return v.is_number_integer(); };
const auto kText = [](const Json& v) { return v.is_string(); };
const auto kStatus = [](const Json& v) {
  return v.is_string() && (v == "completed" || v == "diverged");
};
// A list of metrics, or a metric.
const auto kMetricOrList = [](const Json& v) {
  if (v.is_array()) {
    for (const auto& x : v) {
      if (!is_metric(x)) return false;
    }
    return true;
  }
  return is_metric(v);
};

}  // namespace

std::string run_shape_problem(const Json& run) {
  if (!run.is_object()) return "it is not a JSON object";
  Check c(run);
  c.field(run, "", "activation", kText, "a string");
  c.field(run, "", "label", kText, "a string");
  c.field(run, "", "seed", kInteger, "an integer");
  c.field(run, "", "status", kStatus, "completed or diverged");
  c.field(run, "", "parameters", kInteger, "an integer", false);
  if (c.field(
          run, "", "final", [](const Json& v) { return v.is_object(); }, "an object")) {
    const Json& f = run.at("final");
    c.field(f, "final", "test_accuracy", kNumber, "a number");
    c.field(f, "final", "best_test_accuracy", kNumber, "a number");
    c.field(f, "final", "best_epoch", kInteger, "an integer");
    c.field(f, "final", "test_loss", kMetric, "a number, null, \"NaN\" or \"Infinity\"");
    c.field(f, "final", "total_seconds", kNumber, "a number");
    c.field(f, "final", "seconds_per_epoch", kNumber, "a number");
    c.field(f, "final", "best_chosen_on", kText, "a string", false);
  }
  if (c.field(
          run, "", "epochs", [](const Json& v) { return v.is_array(); }, "a list")) {
    const Json& epochs = run.at("epochs");
    for (size_t i = 0; i < epochs.size() && c.problem().empty(); ++i) {
      const Json& e = epochs[i];
      const std::string where = "epochs[" + std::to_string(i) + "]";
      if (!e.is_object()) {
        c.fail(where + " is not an object");
        break;
      }
      c.field(e, where, "epoch", kInteger, "an integer");
      for (const char* k : {"train_loss", "test_loss"})
        c.field(e, where, k, kMetric, "a number, null, \"NaN\" or \"Infinity\"");
      for (const char* k : {"train_accuracy", "test_accuracy", "seconds"}) {
        c.field(e, where, k, kNumber, "a number");
      }
      for (const char* k : {"train_seconds", "test_seconds", "val_accuracy"}) {
        c.field(e, where, k, kNumber, "a number", false);
      }
      c.field(e, where, "val_loss", kMetric, "a number, null, \"NaN\" or \"Infinity\"", false);
      if (c.field(
              e, where, "diagnostics", [](const Json& v) { return v.is_object(); }, "an object",
              false)) {
        for (const auto& [k, v] : e.at("diagnostics").items()) {
          if (!kMetricOrList(v))
            c.fail(where + ".diagnostics." + k + " is not a number or list of numbers");
        }
      }
      if (c.field(
              e, where, "learned", [](const Json& v) { return v.is_object(); }, "an object",
              false)) {
        for (const auto& [k, v] : e.at("learned").items()) {
          bool ok = v.is_array();
          for (const Json& layer : ok ? v : Json::array()) ok = ok && kMetricOrList(layer);
          if (!ok)
            c.fail(where + ".learned." + k + " is not a list of numbers or lists of numbers");
        }
      }
    }
  }
  c.field(
      run, "", "initial_grad_norm", [](const Json& v) { return v.is_array() && kMetricOrList(v); },
      "a list of numbers", false);
  return c.problem();
}

}  // namespace actbench
