#include "catalog/diff.h"

#include <map>

#include "catalog/catalog.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json_checksum.h"
#include "util/json_flat.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// What a sweep or a run was made with, flattened to "dotted.key" -> value.
struct Described {
  std::map<std::string, Json> settings;
  std::map<std::string, Json> provenance;
};

// Provenance that differs between any two runs (times, the command, the host's name) says
// nothing about how the numbers were made.
void drop_incidental(std::map<std::string, Json>& p) {
  for (const char* k : {"started_at", "finished_at", "command", "host", "total_seconds"}) {
    p.erase(k);
  }
}

Json read_or_fail(const fs::path& path, const std::string& what) {
  std::string why;
  const auto doc = read_json_file(path, why);
  if (!doc || !doc->is_object()) {
    throw InputError(path.string() + ": " + (why.empty() ? "not found" : why) + " (" + what + ")");
  }
  check_damaged(*doc, path.string(), kDamagedSweepFileFix);
  return *doc;
}

Described describe_sweep(const fs::path& dir) {
  Described d;
  std::error_code ec;
  const bool plan = fs::exists(dir / "plan.json", ec),
             results = fs::exists(dir / "results.json", ec);
  if (!plan && !results) {
    throw InputError(dir.string() +
                     " holds no sweep (no plan.json or results.json); give a sweep's directory "
                     "or a run file");
  }
  Json config =
      plan ? read_or_fail(dir / "plan.json", "a sweep's plan").value("config", Json())
           : read_or_fail(dir / "results.json", "a sweep's results").value("config", Json());
  if (config.is_object()) {
    for (const char* k : {"out", "name"}) config.erase(k);
  }
  flatten_json(config, "", d.settings);
  if (results) {
    const Json r = read_or_fail(dir / "results.json", "a sweep's results");
    for (const char* k : {"actbench_version", "libtorch_version", "device", "device_name"}) {
      if (r.contains(k)) d.provenance[k] = r.at(k);
    }
    flatten_json(r.value("provenance", Json::object()), "", d.provenance);
    drop_incidental(d.provenance);
  }
  return d;
}

Described describe_run(const fs::path& file) {
  const Json run = read_or_fail(file, "a run file");
  if (!run.contains("config") || !run.contains("provenance")) {
    throw InputError(file.string() +
                     ": not a run file (no config and provenance); give a "
                     "sweep's directory or a file of its runs/");
  }
  Described d;
  flatten_json(run.at("config"), "", d.settings);
  for (const char* k : {"actbench_version", "libtorch_version", "device", "device_name"}) {
    if (run.contains(k)) d.provenance[k] = run.at(k);
  }
  flatten_json(run.at("provenance"), "", d.provenance);
  drop_incidental(d.provenance);
  return d;
}

Described describe(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return describe_sweep(path);
  check_path(
      path, PathKind::kFile, "run file",
      path.string() + " not found: give a sweep's directory or a run file (DIR/runs/ID.json)",
      "give a sweep's directory or a run file");
  return describe_run(path);
}

Json list_json(const std::vector<Difference>& list) {
  Json out = Json::array();
  for (const auto& d : list) out.push_back({{"key", d.key}, {"a", d.a}, {"b", d.b}});
  return out;
}

}  // namespace

Diff diff_paths(const fs::path& a, const fs::path& b) {
  const Described da = describe(a), db = describe(b);
  return {flat_differences(da.settings, db.settings),
          flat_differences(da.provenance, db.provenance)};
}

Json diff_to_json(const Diff& d) {
  return {{"settings", list_json(d.settings)}, {"provenance", list_json(d.provenance)}};
}

}  // namespace actbench
