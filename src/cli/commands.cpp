#include "cli/commands.h"


#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <regex>
#include <set>

#include <spdlog/spdlog.h>
#include <torch/version.h>

#include "analysis/curves.h"
#include "cli/device.h"
#include "config/config.h"
#include "data/dataset.h"
#include "results/results.h"
#include "results/table.h"
#include "sweep/plan.h"
#include "sweep/runner.h"
#include "sweep/store.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;

namespace {

std::string param_summary(const ActivationInfo& info) {
  if (info.params.empty()) return "-";
  std::vector<std::string> parts;
  for (const auto& p : info.params) {
    std::string def = p.default_value.is_number()   ? format_number(p.default_value.get<double>())
                      : p.default_value.is_string() ? p.default_value.get<std::string>()
                                                    : p.default_value.dump();
    parts.push_back(p.name + "=" + def);
  }
  return join(parts, ", ");
}

}  // namespace

namespace {

// The config with the flags applied: --device, --out and --jobs are overrides of their keys.
ConfigSource source_from_args(const RunArgs& args) {
  std::vector<std::string> overrides = args.overrides;
  // --device and --out are strings whatever they look like, so quote them for the YAML value
  // parser (--jobs stays a number).
  auto quoted = [](const std::string& v) { return nlohmann::json(v).dump(); };
  if (args.device) overrides.push_back("device=" + quoted(*args.device));
  if (args.out) overrides.push_back("out=" + quoted(*args.out));
  if (args.jobs) overrides.push_back("jobs=" + *args.jobs);
  return read_config_source(args.config_file, overrides);
}


}  // namespace

int run_command(const RunArgs& args) {
  std::optional<Shard> shard;
  if (args.shard) shard = parse_shard(*args.shard);
  const Plan plan = make_plan(source_from_args(args));
  return run_sweep(plan, shard, args.argv);
}

int plan_command(const RunArgs& args, bool json) {
  std::optional<Shard> shard;
  if (args.shard) shard = parse_shard(*args.shard);
  const Plan plan = make_plan(source_from_args(args));
  const fs::path dir(plan.base.out);
  std::vector<const PlannedRun*> runs;
  for (const auto& r : plan.runs) {
    if (!shard || shard->contains(r.index)) runs.push_back(&r);
  }
  std::vector<bool> done_there;  // per selected run: finished in DIR already
  size_t done = 0;
  for (const PlannedRun* r : runs) {
    std::string why;
    done_there.push_back(read_run_entry(dir, r->id, r->identity, why).has_value());
    done += done_there.back();
  }
  if (json) {
    nlohmann::json j = plan_to_json(plan);
    nlohmann::json selected = nlohmann::json::array();
    for (size_t i = 0; i < runs.size(); ++i) {
      nlohmann::json e = j["runs"][runs[i]->index];
      e["finished"] = bool(done_there[i]);
      selected.push_back(e);
    }
    j["runs"] = selected;
    j["out"] = plan.base.out;
    if (shard) j["shard"] = {{"k", shard->k}, {"n", shard->n}};
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::string shape = std::to_string(plan.base.activations.size()) + " activation(s)";
  for (const auto& a : plan.axes) {
    std::vector<std::string> values;
    for (const auto& v : a.values) values.push_back(value_text(v));
    shape += " x " + a.key + " {" + join(values, ", ") + "}";
  }
  std::cout << plan.runs.size() << " run(s): " << shape << "\n";
  if (shard) {
    std::cout << "shard " << shard->k << "/" << shard->n << ": " << runs.size() << " run(s)\n";
  }
  std::cout << "into " << dir.string() << " (" << done << " of these already finished there)\n\n";
  size_t id_w = 2, act_w = 10;
  for (const PlannedRun* r : runs) {
    id_w = std::max(id_w, r->id.size());
    act_w = std::max(act_w, r->config.activations.front().label.size());
  }
  char line[1024];
  std::snprintf(line, sizeof line, "%5s  %-*s  %-*s  %-8s  %s\n", "#", int(id_w), "id", int(act_w),
                "activation", "status", "swept values");
  std::cout << line;
  for (size_t i = 0; i < runs.size(); ++i) {
    const PlannedRun* r = runs[i];
    std::snprintf(line, sizeof line, "%5zu  %-*s  %-*s  %-8s  %s\n", r->index + 1, int(id_w),
                  r->id.c_str(), int(act_w), r->config.activations.front().label.c_str(),
                  done_there[i] ? "done" : "to do", describe_point(r->point, axis_keys(plan.axes)).c_str());
    std::cout << line;
  }
  return kExitOk;
}

int merge_command(const std::string& dir_text, const std::optional<std::string>& baseline) {
  const fs::path dir(dir_text);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw InputError("sweep directory " + dir.string() + " not found (give the --out DIR of a sweep)");
  }
  const fs::path plan_path = dir / "plan.json";
  if (!fs::exists(plan_path, ec)) {
    throw InputError(plan_path.string() + " not found: " + dir.string() +
                     " is not a sweep directory (actbench run ... --out DIR makes one)");
  }
  nlohmann::json plan;
  try {
    plan = nlohmann::json::parse(read_file(plan_path));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(plan_path.string() + ": not valid JSON (" + e.what() + ")");
  }
  if (!plan.is_object() || plan.value("schema", "") != kPlanSchema || !plan.contains("runs") ||
      !plan.contains("config") || !plan.contains("axes")) {
    throw InputError(plan_path.string() + ": not an " + kPlanSchema +
                     " file (written by another actbench version?); rerun the sweep to rewrite it");
  }
  std::set<std::string> ids;
  std::vector<std::string> labels;
  for (const auto& r : plan["runs"]) {
    ids.insert(r.at("id").get<std::string>());
    const std::string label = r.at("activation").get<std::string>();
    if (std::find(labels.begin(), labels.end(), label) == labels.end()) labels.push_back(label);
  }
  check_no_foreign_runs(dir, ids);
  const std::string base = baseline.value_or(plan.at("baseline").get<std::string>());
  if (std::find(labels.begin(), labels.end(), base) == labels.end()) {
    throw InputError("--baseline '" + base + "' is not one of the sweep's activations: " +
                     join(labels, ", "));
  }
  RunEnvironment env;
  env.started_at = utc_timestamp();
  env.command = {"actbench", "merge", dir_text};
  SweepOutputs outputs = collect_outputs(dir, plan, env, base, true);
  // The environment the runs were trained in (one device unless shards ran on several).
  std::set<std::string> devices, names;
  for (const auto& r : outputs.results["runs"]) {
    devices.insert(r.value("device", ""));
    names.insert(r.value("device_name", ""));
  }
  outputs.results["device"] = devices.size() == 1 ? *devices.begin() : join({devices.begin(), devices.end()}, ",");
  outputs.results["device_name"] = names.size() == 1 ? *names.begin() : join({names.begin(), names.end()}, ",");
  outputs.results["threads"] = plan["config"]["threads"];
  outputs.results["jobs"] = plan["config"]["jobs"];
  outputs.results["finished_at"] = utc_timestamp();
  write_outputs(dir, outputs);
  if (!outputs.missing.empty()) {
    spdlog::warn("{} of the sweep's {} runs are not finished (e.g. {}); results.json and "
                 "summary.json cover the {} that are (\"complete\": false). Rerun the sweep (or "
                 "its shards) into {} to finish them, then merge again",
                 outputs.missing.size(), plan["runs"].size(), outputs.missing.front(),
                 plan["runs"].size() - outputs.missing.size(), dir.string());
  }
  spdlog::info("merged {} run(s) from {} into {} and {}",
               plan["runs"].size() - outputs.missing.size(), (dir / "runs").string(),
               (dir / "results.json").string(), (dir / "summary.json").string());
  print_summary(std::cout, outputs.summary);
  return kExitOk;
}

int curves_command(const std::string& activations, const std::string& range, int64_t points,
                   const std::string& out) {
  std::smatch m;
  const std::string number = "\\s*([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\\s*";
  if (!std::regex_match(range, m, std::regex(number + ":" + number))) {
    throw InputError("--range must be LO:HI, e.g. --range -6:6, got '" + range + "'");
  }
  const double lo = std::stod(m[1].str()), hi = std::stod(m[2].str());
  if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi)) {
    throw InputError("--range needs LO < HI, got '" + range + "'");
  }
  if (points < 2 || points > 1000000) {
    throw InputError("--points must be between 2 and 1000000, got " + std::to_string(points));
  }
  std::vector<ActivationSpec> specs;
  if (activations.empty()) {
    for (const auto& a : activation_registry()) specs.push_back(resolve_activation(a.name, "curves"));
  } else {
    specs = load_config(std::nullopt, {"activations=" + activations}).activations;
  }
  const fs::path path(out);
  if (path.filename().empty() || fs::is_directory(path)) {
    throw InputError("--out must name a file (e.g. --out results/curves.json), got '" + out + "'");
  }
  const nlohmann::json curves = activation_curves(specs, lo, hi, points);
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) {
    throw InputError("cannot create " + path.parent_path().string() + ": " + ec.message() +
                     "; choose another --out");
  }
  write_file_atomic(path, curves.dump() + "\n");
  spdlog::info("{} activation curve(s) on [{}, {}] ({} points) written to {}", specs.size(),
               format_number(lo), format_number(hi), points, path.string());
  print_curves_table(std::cout, curves);
  return kExitOk;
}

int peak_command(int64_t threads, int64_t size, double seconds, bool json) {
  if (size < 16 || size > 16384) throw InputError("--size must be between 16 and 16384");
  if (seconds <= 0 || seconds > 600) throw InputError("--seconds must be in (0, 600]");
  const int64_t used = configure_cpu_threads(threads);
  torch::NoGradGuard no_grad;
  torch::manual_seed(0);
  torch::Tensor a = torch::rand({size, size}), b = torch::rand({size, size});
  torch::Tensor c = torch::empty({size, size});
  torch::mm_out(c, a, b);  // warm-up: thread pools, BLAS buffers
  const double flop = 2.0 * double(size) * double(size) * double(size);
  int64_t reps = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < seconds || reps < 3) {
    torch::mm_out(c, a, b);
    ++reps;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const double gflops = flop * double(reps) / elapsed / 1e9;
  if (json) {
    std::cout << nlohmann::json{{"gflops", gflops}, {"threads", used},   {"size", size},
                                {"reps", reps},     {"seconds", elapsed}, {"dtype", "float32"}}
                     .dump()
              << "\n";
  } else {
    std::printf("float32 matmul %lldx%lldx%lld on %lld thread(s): %.1f GFLOP/s (%lld products in "
                "%.2f s)\n",
                static_cast<long long>(size), static_cast<long long>(size),
                static_cast<long long>(size), static_cast<long long>(used), gflops,
                static_cast<long long>(reps), elapsed);
  }
  return 0;
}

void list_activations(std::ostream& out) {
  size_t name_w = 4, alias_w = 7;
  for (const auto& a : activation_registry()) {
    name_w = std::max(name_w, a.name.size());
    alias_w = std::max(alias_w, join(a.aliases, ", ").size());
  }
  char line[1024];
  std::snprintf(line, sizeof line, "%-*s  %-*s  %-38s  %s\n", int(name_w), "name", int(alias_w),
                "aliases", "parameters (defaults)", "formula");
  out << line;
  for (const auto& a : activation_registry()) {
    std::string params = param_summary(a);
    if (a.learnable) params += " [learnable]";
    std::string aliases = a.aliases.empty() ? "-" : join(a.aliases, ", ");
    std::snprintf(line, sizeof line, "%-*s  %-*s  %-38s  %s\n", int(name_w), a.name.c_str(),
                  int(alias_w), aliases.c_str(), params.c_str(), a.formula.c_str());
    out << line;
  }
  out << "\nNames are case-insensitive and ignore '_' and '-' (LeakyReLU = leaky_relu).\n"
         "Parameters go in the config: {name: leaky_relu, negative_slope: 0.2, label: "
         "\"LeakyReLU(0.2)\"}\n";
}

std::string version_text() {
  return std::string("actbench ") + ACTBENCH_VERSION + "\nLibTorch " + TORCH_VERSION +
         "\ndevices: " + describe_devices() + "\n";
}

}  // namespace actbench
