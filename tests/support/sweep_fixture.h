// The end-to-end sweep fixture (tests/e2e only) shared by the Sweep, Store, Checkpoint, Adaptive
// and SlurmCluster suites: a tiny sweep of the tutorial's four activations x 3 seeds on synthetic
// data, run through the binary, and one uninterrupted reference sweep (trained once per process)
// that every other sweep is compared with, and that tests which only read a finished sweep copy.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <torch/cuda.h>
#include <nlohmann/json.hpp>

#include "process.h"
#include "test_support.h"

namespace actbench_test {

namespace fs = std::filesystem;

// A sweep of the tutorial's four activations x 3 seeds on the synthetic data, small enough that
// one run takes a fraction of a second. Every sweep that must end with the same numbers is compared
// with one uninterrupted reference sweep, trained once per process.
class SweepFixture : public ::testing::Test {
 protected:
  using Json = nlohmann::json;

  static constexpr size_t kRuns = 12;

  // The config file and the arguments every sweep here shares.
  static const fs::path& config() {
    static const fs::path path = actbench_test::write_tiny_config(
        shared() / "sweep.yaml", actbench_test::synthetic_mnist_dir(),
        "sweep:\n  train.seed: [0, 1, 2]\n");
    return path;
  }
  static std::vector<std::string> args(const std::string& cmd, const fs::path& out,
                                       const std::vector<std::string>& extra = {}) {
    // The tiny config lists relu and tanh; the sweep uses the tutorial's four.
    std::vector<std::string> a{cmd,
                               "--config",
                               config().string(),
                               "activations=relu,sigmoid,tanh,leaky_relu",
                               "train.epochs=2",
                               "--out",
                               out.string()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  CommandResult run(const fs::path& out, const std::vector<std::string>& extra = {}) const {
    return actbench_test::run_actbench(args("run", out, extra), tmp_.path());
  }

  // The uninterrupted sweep (one job), what its `run` printed, and its outputs() as written then
  // (tests only read DIR, or copy it).
  struct Reference {
    fs::path dir;
    CommandResult result;
    Json outputs;
  };
  static const Reference& reference() {
    static const Reference ref = [] {
      Reference r{shared() / "reference", {}, {}};
      r.result = actbench_test::run_actbench(args("run", r.dir, {"--jobs", "1"}), shared().path());
      if (r.result.exit_code == 0) r.outputs = outputs(r.dir);
      return r;
    }();
    EXPECT_EQ(ref.result.exit_code, 0) << ref.result.describe();
    return ref;
  }

  // A copy of the reference sweep's plan and run files in `dir` (no results.json or summary.json).
  static void copy_reference_runs(const fs::path& dir) {
    fs::create_directories(dir / "runs");
    fs::copy_file(reference().dir / "plan.json", dir / "plan.json");
    for (const auto& e : fs::directory_iterator(reference().dir / "runs")) {
      fs::copy_file(e.path(), dir / "runs" / e.path().filename());
    }
  }

  // A copy of the whole reference sweep directory in `dir` (for the tests that only read a
  // finished sweep: no need to train it again), and of its run store in `store`.
  static void copy_reference_sweep(const fs::path& dir) {
    fs::copy(reference().dir, dir, fs::copy_options::recursive);
  }
  static void copy_reference_store(const fs::path& store) {
    reference();  // run in shared(), whose run store it filled
    fs::create_directories(store.parent_path());
    fs::copy(shared() / "actbench" / "store", store, fs::copy_options::recursive);
  }

  // results.json and summary.json of DIR without what may differ between equal sweeps.
  static Json outputs(const fs::path& dir) {
    return actbench_test::without_keys(
        {{"results", Json::parse(actbench_test::read_text(dir / "results.json"))},
         {"summary", Json::parse(actbench_test::read_text(dir / "summary.json"))}},
        // The table's s/epoch column is a timing; the rest of it is derived from the groups.
        {"command", "out", "jobs", "threads", "table"});
  }

  // DIR's outputs equal the reference sweep's; on failure, the differences as a JSON patch.
  // `pinned`: DIR's config names the device kind `device: auto` resolves to here (as a Slurm
  // submission pins it for its tasks), where the reference's says auto.
  static void expect_reference_outputs(const fs::path& dir, bool pinned = false) {
    Json got = outputs(dir);
    const Json want = reference().outputs;
    if (pinned) {
      EXPECT_EQ(got["results"]["config"]["device"], torch::cuda::is_available() ? "cuda" : "cpu");
      got["results"]["config"]["device"] = want["results"]["config"]["device"];
    }
    EXPECT_TRUE(got == want) << dir << " differs from the reference sweep: "
                             << Json::diff(want, got).dump(1);
  }

  // A run file without what may differ between two runs of the same plan entry.
  static Json run_content(const fs::path& file) {
    return actbench_test::without_keys(Json::parse(actbench_test::read_text(file)));
  }

  static size_t run_files(const fs::path& dir) {
    std::error_code ec;
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir / "runs", ec)) {
      n += e.path().extension() == ".json" && e.path().filename().string()[0] != '.';
    }
    return n;
  }

  // What an interrupted sweep in DIR must look like, however it was stopped: plan.json, no
  // results.json or summary.json, and in runs/ nothing but whole runs of the plan, each with the
  // numbers of the reference sweep's same run, under its own name (ID.json); a file that a write
  // in progress left is hidden (a leading '.') and never taken for a run. Returns the run files.
  static std::map<std::string, std::string> expect_only_whole_runs(const fs::path& dir) {
    EXPECT_TRUE(fs::exists(dir / "plan.json"));
    EXPECT_FALSE(fs::exists(dir / "results.json"));
    EXPECT_FALSE(fs::exists(dir / "summary.json"));
    std::map<std::string, std::string> files;
    for (const auto& e : fs::directory_iterator(dir / "runs")) {
      const std::string name = e.path().filename().string();
      if (name[0] == '.') continue;
      SCOPED_TRACE(name);
      const fs::path want = reference().dir / "runs" / name;
      EXPECT_TRUE(fs::exists(want)) << "not a run of the plan";
      if (!fs::exists(want)) continue;
      files[name] = actbench_test::read_text(e.path());
      const Json got = run_content(e.path()), expected = run_content(want);
      EXPECT_TRUE(got == expected)
          << "differs from the reference sweep's run: " << Json::diff(expected, got).dump(1);
    }
    return files;
  }

  // A directory shared by the tests of this process (the config, the reference sweep).
  static const TempDir& shared() {
    static const TempDir dir;
    return dir;
  }

  TempDir tmp_;
};

}  // namespace actbench_test
