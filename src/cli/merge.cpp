// `actbench merge DIR`: results.json and summary.json rebuilt from DIR/runs.
#include <iostream>

#include <spdlog/spdlog.h>

#include "cli/subcommands.h"
#include "summary/summary.h"
#include "sweep/merge.h"
#include "util/error.h"

namespace actbench::cli {
namespace {

const char* kMergeExamples = R"(
Examples:
  actbench merge results/lr                  after the shards of a sweep have run
  actbench merge results/seeds --baseline Tanh   compare every activation with Tanh instead
  actbench merge --complete results/lr       exit 1 if a run is not finished (cluster jobs)
  actbench merge --expect-plan plan.json results/lr   exit 2 unless DIR holds that sweep

Without --complete, a sweep with runs not finished is merged as far as it goes ("complete":
false in results.json) with a warning, and merge exits 0; with it, merge writes the same files
and exits 1, so a job or script that depends on it sees the sweep is incomplete.)";

struct MergeOptions {
  std::string dir;
  std::optional<std::string> baseline;
  bool complete = false;                   // --complete: exit 1 when a planned run is not finished
  std::optional<std::string> expect_plan;  // --expect-plan FILE (`actbench plan --json`)
};

int run_merge(const MergeOptions& o) {
  const MergeResult merged = merge_sweep(
      o.dir, o.baseline, {"actbench", "merge", o.dir},
      o.expect_plan ? std::optional<std::filesystem::path>(*o.expect_plan) : std::nullopt);
  const auto& missing = merged.outputs.missing;
  if (!missing.empty()) {
    spdlog::warn(
        "{} of the sweep's {} runs are not finished (e.g. {}); results.json and "
        "summary.json cover the {} that are (\"complete\": false). Rerun the sweep (or "
        "its shards) into {} to finish them, then merge again",
        missing.size(), merged.planned, missing.front(), merged.planned - missing.size(), o.dir);
  }
  const std::filesystem::path dir(o.dir);
  spdlog::info("merged {} run(s) from {} into {} and {}", merged.planned - missing.size(),
               (dir / "runs").string(), (dir / "results.json").string(),
               (dir / "summary.json").string());
  print_summary(std::cout, merged.outputs.summary);
  if (o.complete && !missing.empty()) {
    spdlog::error("the sweep in {} is incomplete: {} of its {} runs are not finished (--complete)",
                  o.dir, missing.size(), merged.planned);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void setup_merge(CLI::App& app, int& status) {
  auto options = std::make_shared<MergeOptions>();
  CLI::App* cmd = add_command(
      app, "merge", "Rebuild DIR/results.json and DIR/summary.json from DIR/runs (after shards)",
      kMergeExamples, status, [options] { return run_merge(*options); });
  cmd->add_option("dir", options->dir, "the sweep's output directory")
      ->required()
      ->type_name("DIR");
  cmd->add_option("--baseline", options->baseline,
                  "activation label to compare against (default: the sweep's)");
  cmd->add_flag("--complete", options->complete,
                "exit 1 when any planned run is not finished (the files are written anyway)");
  cmd->add_option("--expect-plan", options->expect_plan,
                  "an `actbench plan --json` file: refuse (exit 2) when DIR holds another sweep "
                  "(cluster jobs: none of the submitted tasks ran)")
      ->type_name("FILE");
}

}  // namespace actbench::cli
