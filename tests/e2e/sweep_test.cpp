// Sweeps end to end through the binary: a 4 activations x 3 seeds sweep with its table, kill -9
// and SIGINT followed by a rerun, shards merged, resume, diverged runs, bad input, Slurm. (The plan
// and the statistics: plan_test.cpp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <torch/torch.h>

#include "model/mlp.h"
#include "plan/plan.h"
#include "process.h"
#include "stats/estimate.h"
#include "summary/summary.h"
#include "sweep_fixture.h"
#include "test_support.h"
#include "util/error.h"
#include "util/sha256.h"

namespace {

namespace fs = std::filesystem;
using actbench::Json;
using actbench::Plan;
using actbench_test::CommandResult;
using actbench_test::expect_user_error;
using actbench_test::plan_of;
using actbench_test::TempDir;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

// ---- end to end ----

class Sweep : public actbench_test::SweepFixture {
 protected:
  // The runs a `run` says it trained, and took from the run store ("N run(s) ..."; 0 if absent).
  static size_t count_before(const CommandResult& r, const std::string& words) {
    std::smatch m;
    const std::regex re("([0-9]+) run\\(s\\)" + words);
    return std::regex_search(r.err, m, re) ? std::stoul(m[1].str()) : 0;
  }
  static size_t trained(const CommandResult& r) {
    std::smatch m;
    return std::regex_search(r.err, m, std::regex("training ([0-9]+) run\\(s\\)"))
               ? std::stoul(m[1].str())
               : 0;
  }
  static size_t from_store(const CommandResult& r) {
    return count_before(r, " taken from the run store");
  }
};

TEST_F(Sweep, FourActivationsThreeSeedsPrintTheTableWithIntervalsAndPairedDifferences) {
  const fs::path out = reference().dir;
  const CommandResult& r = reference().result;
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(run_files(out), kRuns);
  const Json results = Json::parse(actbench_test::read_text(out / "results.json"));
  const Json summary = Json::parse(actbench_test::read_text(out / "summary.json"));
  const Json plan = Json::parse(actbench_test::read_text(out / "plan.json"));
  EXPECT_EQ(plan["schema"], "actbench.plan/1");
  ASSERT_EQ(results["runs"].size(), kRuns);
  EXPECT_EQ(results["complete"], true);
  for (size_t i = 0; i < kRuns; ++i) {
    EXPECT_EQ(results["runs"][i]["id"], plan["runs"][i]["id"]);  // plan order
    EXPECT_EQ(results["runs"][i]["seed"], int64_t(i / 4));
    EXPECT_EQ(results["runs"][i]["epochs"].size(), 2u);
  }
  ASSERT_EQ(summary["groups"].size(), 4u);
  for (const auto& g : summary["groups"]) {
    EXPECT_EQ(g["completed"], 3);
    EXPECT_EQ(g["seeds"], (Json{0, 1, 2}));
    EXPECT_TRUE(g["final_test_accuracy"]["ci95"].is_array());
  }
  ASSERT_EQ(summary["differences"].size(), 3u);
  EXPECT_EQ(summary["baseline"], "ReLU");
  // The table on stdout: header, 4 groups with intervals, the paired differences.
  EXPECT_THAT(r.out, ContainsRegex("ReLU +3 +[0-9.]+ \u00b1 [0-9.]+"));
  for (const char* act : {"Sigmoid", "Tanh", "LeakyReLU"}) {
    EXPECT_THAT(r.out, ContainsRegex(std::string(act) +
                                     " +is [0-9.]+ \u00b1 [0-9.]+ points (above|below) ReLU"));
  }
  // Another baseline, through merge (of a copy: the reference stays as it is).
  const fs::path copy = tmp_ / "copy";
  copy_reference_runs(copy);
  const CommandResult m =
      actbench_test::run_actbench({"merge", copy.string(), "--baseline", "Tanh"}, tmp_.path());
  ASSERT_EQ(m.exit_code, 0) << m.describe();
  EXPECT_THAT(m.out, ContainsRegex("ReLU +is [0-9.]+ \u00b1 [0-9.]+ points (above|below) Tanh"));
  EXPECT_EQ(Json::parse(actbench_test::read_text(copy / "summary.json"))["baseline"], "Tanh");
}

// kill -9 at deterministic points (--debug-raise-after N:KILL: once N runs of that invocation are
// written; 0: right after plan.json), two jobs at a time so that a run in progress is abandoned
// mid-way. What resume must guarantee: nothing but whole runs of the plan is ever stored, runs
// already stored are kept as they are, and the rerun ends with the uninterrupted sweep's numbers.
TEST_F(Sweep, KillNineAtAnyMomentThenRerunEndsWithTheSameResultsAsAnUninterruptedSweep) {
  const fs::path out = tmp_ / "killed";
  std::map<std::string, std::string> stored;
  size_t before = 0;
  for (const size_t n : {0, 1, 3}) {
    SCOPED_TRACE("killed after " + std::to_string(n) + " run(s)");
    const CommandResult r =
        run(out, {"--jobs", "2", "--debug-raise-after", std::to_string(n) + ":KILL"});
    EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r.describe();
    const auto now = expect_only_whole_runs(out);
    if (n == 0) {
      EXPECT_EQ(now.size(), before) << "killed before training, yet a run was written";
    } else {
      // With two jobs the other run may have been written too: at least N new runs.
      EXPECT_GE(now.size(), before + n);
    }
    for (const auto& [name, text] : stored) {
      EXPECT_EQ(now.count(name) ? now.at(name) : "", text) << name << " was not kept as it was";
    }
    stored = now;
    before = now.size();
  }
  const CommandResult resumed = run(out, {"--jobs", "2"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.describe();
  EXPECT_THAT(resumed.err, HasSubstr(std::to_string(before) + " of these run(s) already finished"));
  // A run stored by the other job just before the kill (its own file not yet written) is taken
  // from the run store, not trained again: between them, exactly the missing runs.
  EXPECT_EQ(trained(resumed) + from_store(resumed), kRuns - before) << resumed.err;
  expect_reference_outputs(out);
  for (const auto& [name, text] : stored) {
    EXPECT_EQ(actbench_test::read_text(out / "runs" / name), text) << name << " was redone";
  }
}

TEST_F(Sweep, SigintAbandonsTheRunsInProgressAndSaysWhatToRerun) {
  const fs::path out = tmp_ / "sigint";
  const CommandResult r = run(out, {"--jobs", "2", "--debug-raise-after", "2:INT"});
  EXPECT_EQ(r.exit_code, 128 + SIGINT) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("interrupted by SIGINT"));
  EXPECT_THAT(r.err, HasSubstr("run the same command again"));
  EXPECT_THAT(r.err, HasSubstr("--out " + out.string()));
  EXPECT_EQ(r.out, "");
  const size_t done = expect_only_whole_runs(out).size();
  EXPECT_GE(done, 2u);
  // SIGTERM before any run starts: the same path, and nothing trained.
  const CommandResult t = run(out, {"--debug-raise-after", "0:TERM"});
  EXPECT_EQ(t.exit_code, 128 + SIGTERM) << t.describe();
  EXPECT_THAT(t.err, HasSubstr("interrupted by SIGTERM"));
  EXPECT_EQ(t.out, "");
  EXPECT_EQ(expect_only_whole_runs(out).size(), done);
  // The rerun trains only what is missing and ends as if never interrupted.
  const CommandResult resumed = run(out);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.describe();
  EXPECT_THAT(resumed.err, HasSubstr(std::to_string(done) + " of these run(s) already finished"));
  EXPECT_EQ(trained(resumed) + from_store(resumed), kRuns - done) << resumed.err;
  expect_reference_outputs(out);
}

TEST_F(Sweep, ThreeShardsMergedEqualTheUnshardedSweep) {
  const fs::path sharded = tmp_ / "sharded";
  // The shards' plans partition the plan.
  std::set<std::string> ids;
  size_t listed = 0;
  for (int k = 1; k <= 3; ++k) {
    const CommandResult p = actbench_test::run_actbench(
        args("plan", sharded, {"--shard", std::to_string(k) + "/3", "--json"}), tmp_.path());
    ASSERT_EQ(p.exit_code, 0) << p.describe();
    const Json listing = Json::parse(p.out);
    for (const auto& r : listing["runs"]) {
      ids.insert(r["id"].get<std::string>());
      ++listed;
    }
  }
  EXPECT_EQ(listed, kRuns);
  EXPECT_EQ(ids.size(), kRuns);
  EXPECT_FALSE(fs::exists(sharded)) << "plan wrote something";
  for (int k = 1; k <= 3; ++k) {
    const CommandResult s = run(sharded, {"--shard", std::to_string(k) + "/3"});
    ASSERT_EQ(s.exit_code, 0) << s.describe();
    EXPECT_EQ(run_files(sharded), size_t(4 * k));
    EXPECT_EQ(fs::exists(sharded / "summary.json"), k == 3) << "k=" << k;  // the last one merges
  }
  const Json merged_by_last_shard = outputs(sharded);
  fs::remove(sharded / "results.json");
  fs::remove(sharded / "summary.json");
  const CommandResult m = actbench_test::run_actbench({"merge", sharded.string()}, tmp_.path());
  ASSERT_EQ(m.exit_code, 0) << m.describe();
  expect_reference_outputs(sharded);
  EXPECT_TRUE(merged_by_last_shard == reference().outputs)
      << Json::diff(reference().outputs, merged_by_last_shard).dump(1);
  EXPECT_THAT(m.out, HasSubstr("points"));
}

TEST_F(Sweep, ResumeSkipsFinishedRunsAndRedoesMissingOrDamagedOnes) {
  const fs::path out = tmp_ / "resume";
  copy_reference_runs(out);
  const Json plan = Json::parse(actbench_test::read_text(out / "plan.json"));
  const std::string gone = plan["runs"][5]["id"], damaged = plan["runs"][7]["id"],
                    edited = plan["runs"][2]["id"];
  fs::remove(out / "runs" / (gone + ".json"));
  actbench_test::write_text(out / "runs" / (damaged + ".json"), "{\"id\": \"");
  // A result changed by hand: still a whole run, but its checksum no longer holds. show and
  // compare count it as not finished, with a warning; merge refuses the sweep; run redoes it.
  const fs::path edited_file = out / "runs" / (edited + ".json");
  Json changed = Json::parse(actbench_test::read_text(edited_file));
  changed["final"]["test_accuracy"] = 99.875;
  actbench_test::write_text(edited_file, changed.dump(2));
  const std::string mismatch =
      edited_file.string() +
      ": its content does not match its checksum (changed after actbench wrote it)";
  const CommandResult shown = actbench_test::run_actbench({"show", out.string()}, tmp_.path());
  ASSERT_EQ(shown.exit_code, 0) << shown.describe();
  EXPECT_THAT(shown.err, HasSubstr(mismatch + "; counted as not finished"));
  EXPECT_THAT(shown.out, Not(HasSubstr("99.8")));
  expect_user_error(actbench_test::run_actbench({"merge", out.string()}, tmp_.path()), mismatch);
  const CommandResult r = run(out);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("9 of these run(s) already finished"));
  EXPECT_THAT(r.err, HasSubstr(damaged + ".json: not valid JSON"));
  EXPECT_THAT(r.err, HasSubstr(mismatch));
  EXPECT_THAT(r.err, HasSubstr("training 3 run(s)"));
  expect_reference_outputs(out);  // bit for bit, timings aside
  // Nothing left to do: nothing trained, same outputs.
  const CommandResult again = run(out);
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_THAT(again.err, HasSubstr("12 of these run(s) already finished"));
  EXPECT_THAT(again.err, ::testing::Not(HasSubstr("training")));
  expect_reference_outputs(out);
}

TEST_F(Sweep, ADivergingRunIsRecordedAndTheSweepGoesOn) {
  const fs::path out = tmp_ / "diverge";
  const CommandResult r =
      actbench_test::run_actbench({"run", "--config", config().string(), "--out", out.string(),
                                   "train.optimizer=sgd", "train.lr=0.05,1e38", "train.seed=0"},
                                  tmp_.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const Json results = Json::parse(actbench_test::read_text(out / "results.json"));
  ASSERT_EQ(results["runs"].size(), 4u);
  EXPECT_EQ(results["runs"][0]["status"], "completed");
  EXPECT_EQ(results["runs"][1]["status"], "completed");
  EXPECT_EQ(results["runs"][2]["status"], "diverged");
  EXPECT_EQ(results["runs"][3]["status"], "diverged");
  EXPECT_TRUE(results["runs"][2]["epochs"][0]["train_loss"].is_string());  // "NaN" / "Infinity"
  const Json summary = Json::parse(actbench_test::read_text(out / "summary.json"));
  EXPECT_EQ(summary["groups"][2]["diverged"], 1);
  EXPECT_TRUE(summary["groups"][2]["final_test_accuracy"].is_null());
  EXPECT_THAT(r.out, HasSubstr("1 diverged"));
  EXPECT_THAT(r.err, HasSubstr("DIVERGED"));
}

TEST_F(Sweep, BadInputExitsTwoAndWritesNothing) {
  const fs::path out = tmp_ / "bad";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--shard", "3/2"}, "--shard must be K/N with 1 <= K <= N"},
      {{"train.lrr=0.1,0.01"}, "unknown key 'train.lrr'"},
      {{"sweep.train.lr=[]"}, "is an empty list"},
      {{"train.lr=0.1,fast"}, "'train.lr' must be a number > 0, got \"fast\""},
      {{"jobs=1,2"}, "'jobs' cannot be swept"},
      {{"--debug-raise-after", "1:HUP"}, "--debug-raise-after must be N:SIGNAL or Nsteps:SIGNAL"},
  };
  for (const auto& [extra, expected] : cases) {
    SCOPED_TRACE(expected);
    expect_user_error(run(out, extra), expected);
    EXPECT_FALSE(fs::exists(out));
  }
  // merge leaves a sweep directory as it was, whatever is wrong.
  const fs::path other = tmp_ / "other";
  copy_reference_runs(other);
  const auto files = actbench_test::tree_listing(other);
  // merge: not a sweep directory, a damaged run file, a baseline the sweep does not have.
  expect_user_error(actbench_test::run_actbench({"merge", (tmp_ / "nope").string()}, tmp_.path()),
                    "not found");
  expect_user_error(actbench_test::run_actbench({"merge", tmp_.path().string()}, tmp_.path()),
                    "is not a sweep directory");
  expect_user_error(
      actbench_test::run_actbench({"merge", other.string(), "--baseline", "GELU"}, tmp_.path()),
      "--baseline 'GELU' is not one of the sweep's activations");
  EXPECT_EQ(actbench_test::tree_listing(other), files);
  const Json plan = Json::parse(actbench_test::read_text(other / "plan.json"));
  actbench_test::write_text(other / "runs" / (plan["runs"][1]["id"].get<std::string>() + ".json"),
                            "[]");
  expect_user_error(actbench_test::run_actbench({"merge", other.string()}, tmp_.path()),
                    "remove it and rerun the sweep");
}

// merge --expect-plan (what a cluster's merge job runs): DIR must hold the sweep that was
// submitted; an earlier sweep still there (none of the new tasks ran) is refused, not merged.
TEST_F(Sweep, MergeExpectPlanRefusesADirectoryThatHoldsAnotherSweep) {
  const fs::path dir = tmp_ / "earlier";
  copy_reference_runs(dir);
  const auto plan_json = [&](const std::string& name, const std::vector<std::string>& extra) {
    std::vector<std::string> a = args("plan", tmp_ / "unused", extra);
    a.push_back("--json");
    const CommandResult r = actbench_test::run_actbench(a, tmp_.path());
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    actbench_test::write_text(tmp_ / name, r.out);
    return (tmp_ / name).string();
  };
  const std::string same = plan_json("same.json", {});
  const std::string other = plan_json("other.json", {"train.lr=0.01"});
  const auto before = actbench_test::tree_listing(dir);
  expect_user_error(
      actbench_test::run_actbench({"merge", "--expect-plan", other, dir.string()}, tmp_.path()),
      dir.string() + " holds another sweep than the one submitted");
  EXPECT_EQ(actbench_test::tree_listing(dir), before);
  expect_user_error(
      actbench_test::run_actbench(
          {"merge", "--expect-plan", (tmp_ / "none.json").string(), dir.string()}, tmp_.path()),
      "none.json not found");
  actbench_test::write_text(tmp_ / "bad.json", "{\"runs\": [1]}");
  expect_user_error(
      actbench_test::run_actbench(
          {"merge", "--expect-plan", (tmp_ / "bad.json").string(), dir.string()}, tmp_.path()),
      "not the output of `actbench plan --json`");
  const CommandResult ok = actbench_test::run_actbench(
      {"merge", "--complete", "--expect-plan", same, dir.string()}, tmp_.path());
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  expect_reference_outputs(dir);
  // plan.json carries the checksum of its content too: changed by hand, it is refused (merge,
  // show) with the reason.
  Json plan = Json::parse(actbench_test::read_text(dir / "plan.json"));
  ASSERT_TRUE(plan.contains("checksum"));
  plan["baseline"] = "Tanh";
  actbench_test::write_text(dir / "plan.json", plan.dump(2));
  expect_user_error(actbench_test::run_actbench({"merge", dir.string()}, tmp_.path()),
                    (dir / "plan.json").string() +
                        ": its content does not match its checksum (changed after actbench wrote "
                        "it); rerun the sweep into");
}

TEST_F(Sweep, MergeCompleteFailsOnMissingRunsAndPlanRefusesWhatRunWouldRefuse) {
  // merge --complete: the same files as merge, but exit 1 while a run is missing.
  const fs::path partial = tmp_ / "partial";
  copy_reference_runs(partial);
  const Json plan = Json::parse(actbench_test::read_text(partial / "plan.json"));
  fs::remove(partial / "runs" / (plan["runs"][5]["id"].get<std::string>() + ".json"));
  const CommandResult plain = actbench_test::run_actbench({"merge", partial.string()}, tmp_.path());
  EXPECT_EQ(plain.exit_code, 0) << plain.describe();
  const CommandResult strict =
      actbench_test::run_actbench({"merge", "--complete", partial.string()}, tmp_.path());
  EXPECT_EQ(strict.exit_code, 1) << strict.describe();
  EXPECT_THAT(strict.err, HasSubstr("is incomplete: 1 of its 12 runs are not finished"));
  EXPECT_EQ(Json::parse(actbench_test::read_text(partial / "results.json"))["complete"], false);
  copy_reference_runs(tmp_ / "whole");
  EXPECT_EQ(
      actbench_test::run_actbench({"merge", "--complete", (tmp_ / "whole").string()}, tmp_.path())
          .exit_code,
      0);
  // plan refuses, as run does, a DIR that is a file or whose results.json is a directory, and a
  // run store that cannot take runs; it creates nothing.
  actbench_test::write_text(tmp_ / "afile", "x");
  fs::create_directories(tmp_ / "blocked" / "results.json");
  fs::create_directories(tmp_ / "store");
  actbench_test::write_text(tmp_ / "store" / "runs", "x");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {args("plan", tmp_ / "afile"), "exists and is not a directory"},
      {args("plan", tmp_ / "blocked"), "results.json is not actbench's: it is a directory"},
      {args("plan", tmp_ / "new", {"--store", (tmp_ / "store").string()}),
       "choose another run store"},
  };
  for (const auto& [a, expected] : cases) {
    expect_user_error(actbench_test::run_actbench(a, tmp_.path()), expected);
  }
  EXPECT_FALSE(fs::exists(tmp_ / "new"));
}

}  // namespace

namespace {

// A stand-in for Slurm's sbatch: runs an array job's tasks one after another (with the variables
// Slurm sets) and a dependent job right away; logs each submission.
const char* kFakeSbatch = R"(#!/usr/bin/env bash
set -u
log="$(dirname "$0")/sbatch.log"
array="" dep="" opts=""
while [ $# -gt 0 ] && [ "${1#--}" != "$1" ]; do
  case "$1" in
    --array=*) array=${1#--array=} ;;
    --dependency=*) dep=${1#--dependency=} ;;
    *) opts="$opts [$1]" ;;
  esac
  shift
done
script=$1; shift
echo "submit array=$array dependency=$dep args=$* | options:$opts" >> "$log"
if [ -n "$dep" ] && [ -n "${FAKE_SBATCH_REFUSE_MERGE:-}" ]; then
  echo "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2
  exit 1
fi
if [ -n "$array" ]; then
  first=${array%-*} last=${array#*-}
  for ((k = first; k <= last; k++)); do
    SLURM_JOB_ID=100 SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_MIN=$first \
      SLURM_ARRAY_TASK_COUNT=$((last - first + 1)) SLURM_SUBMIT_DIR=$PWD \
      bash "$script" "$@" >> "$log.tasks" 2>&1 || echo "task $k failed" >> "$log"
  done
  echo "100;cluster"
else
  SLURM_JOB_ID=101 SLURM_SUBMIT_DIR=$PWD bash "$script" "$@" >> "$log.tasks" 2>&1 ||
    echo "merge failed" >> "$log"
  echo "101"
fi
)";

}  // namespace

TEST_F(Sweep, SlurmScriptRunsTheSweepAsAnArrayOfShardsThenMerges) {
  const fs::path bin = tmp_ / "bin";
  fs::create_directories(bin);
  actbench_test::write_text(bin / "sbatch", kFakeSbatch);
  fs::permissions(bin / "sbatch", fs::perms::owner_all);
  const fs::path script = fs::path(ACTBENCH_SOURCE_DIR) / "scripts" / "slurm" / "sweep.sbatch";
  // `before`: sbatch options (shell words) before CONFIG; `env`: VAR=VALUE words.
  auto submit = [&](const std::string& dir, const std::string& tasks,
                    const std::string& before = "", const std::string& env = "") {
    std::string cmd = "cd " + actbench_test::shell_quote(tmp_.path().string()) +
                      " && PATH=" + actbench_test::shell_quote(bin.string()) +
                      ":\"$PATH\" ACTBENCH=" + actbench_test::shell_quote(ACTBENCH_BINARY) +
                      " XDG_DATA_HOME=" + actbench_test::shell_quote(tmp_.path().string()) + " " +
                      env + " bash " + actbench_test::shell_quote(script.string()) + " " + before +
                      " " + actbench_test::shell_quote(config().string()) + " " + dir + " " + tasks;
    // The overrides of args(): everything after the config file, before --out.
    const std::vector<std::string> a = args("run", "");
    for (size_t i = 3; i + 2 < a.size(); ++i) cmd += " " + actbench_test::shell_quote(a[i]);
    cmd += " >" + (tmp_ / "submit.out").string() + " 2>&1";
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  ASSERT_EQ(submit("swept", "3"), 0) << actbench_test::read_text(tmp_ / "submit.out");
  const std::string log = actbench_test::read_text(bin / "sbatch.log");
  // Both jobs run the binary that checked the sweep, named by its absolute path and SHA-256.
  const std::string binary = fs::canonical(ACTBENCH_BINARY).string();
  const std::string sum = actbench::sha256_file(binary);
  EXPECT_THAT(log, HasSubstr("submit array=1-3 dependency= args=--task " + binary + " " + sum));
  EXPECT_THAT(log,
              HasSubstr("submit array= dependency=afterany:100 args=--merge " + binary + " " + sum +
                        " swept " + fs::canonical(tmp_ / "swept").string() + "/slurm/plan-"));
  EXPECT_THAT(log, Not(HasSubstr("failed"))) << actbench_test::read_text(bin / "sbatch.log.tasks");
  const std::string tasks = actbench_test::read_text(bin / "sbatch.log.tasks");
  for (const char* shard : {"shard 1/3: 4 run(s)", "shard 2/3: 4 run(s)", "shard 3/3: 4 run(s)"}) {
    EXPECT_THAT(tasks, HasSubstr(shard));
  }
  EXPECT_THAT(actbench_test::read_text(tmp_ / "submit.out"),
              HasSubstr("12 runs in 3 array tasks: job 100; merge: job 101"));
  const fs::path out = tmp_ / "swept";
  EXPECT_EQ(run_files(out), kRuns);
  expect_reference_outputs(out, true);  // the submission pinned device: auto
  // Submitted again, finished: nothing is queued.
  fs::remove(bin / "sbatch.log");
  EXPECT_EQ(submit("swept", "3"), 0);
  EXPECT_THAT(actbench_test::read_text(tmp_ / "submit.out"),
              HasSubstr("every run of the sweep is finished"));
  EXPECT_FALSE(fs::exists(bin / "sbatch.log"));
  // Checked before anything is queued.
  EXPECT_EQ(submit("other", "0"), 2);
  EXPECT_EQ(submit("other", "13"), 2);
  EXPECT_THAT(actbench_test::read_text(tmp_ / "submit.out"), HasSubstr("use at most 12"));
  EXPECT_FALSE(fs::exists(bin / "sbatch.log"));
  // Options reach both jobs, a value with spaces whole (SBATCH_OPTIONS too, split at spaces); the
  // logs go to DIR/slurm, appended to.
  // (Into another directory: resubmitting the finished sweep would queue nothing.)
  ASSERT_EQ(submit("options", "3", "--partition=p1 '--comment=two words'",
                   "SBATCH_OPTIONS='--qos=q1 --account=a1'"),
            0)
      << actbench_test::read_text(tmp_ / "submit.out");
  const std::vector<std::string> lines =
      actbench_test::lines_of(actbench_test::read_text(bin / "sbatch.log"));
  ASSERT_EQ(lines.size(), 2u);
  const std::string logs = fs::canonical(tmp_ / "options").string() + "/slurm/%x-";
  for (const std::string& line : lines) {
    EXPECT_THAT(line,
                HasSubstr("[--qos=q1] [--account=a1] [--partition=p1] [--comment=two words]"));
    EXPECT_THAT(line, HasSubstr("[--open-mode=append] [--output=" + logs));
  }
  // The user's --dependency holds the array back; the merge still waits for the array (sbatch
  // keeps the last --dependency: given to the merge too, it would replace the wait).
  fs::remove(bin / "sbatch.log");
  ASSERT_EQ(submit("dependency", "3", "--dependency=afterok:7 --partition=p1"), 0)
      << actbench_test::read_text(tmp_ / "submit.out");
  const std::vector<std::string> dep_lines =
      actbench_test::lines_of(actbench_test::read_text(bin / "sbatch.log"));
  ASSERT_EQ(dep_lines.size(), 2u);
  EXPECT_THAT(dep_lines[0], HasSubstr("array=1-3 dependency=afterok:7 "));
  EXPECT_THAT(dep_lines[1], HasSubstr("array= dependency=afterany:100 "));
  EXPECT_THAT(dep_lines[1], HasSubstr("[--partition=p1]"));
  // A task whose binary changed after the submission (its SHA-256 differs) refuses to start.
  const std::string task =
      "cd " + actbench_test::shell_quote(tmp_.path().string()) +
      " && SLURM_JOB_ID=5 SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=1 bash " +
      actbench_test::shell_quote(script.string()) + " --task " +
      actbench_test::shell_quote(binary) + " " + std::string(64, '0') + " 1 resubmit " +
      actbench_test::shell_quote(config().string()) + " rebuilt >" + (tmp_ / "task.out").string() +
      " 2>&1";
  const int task_status = std::system(task.c_str());
  EXPECT_TRUE(WIFEXITED(task_status) && WEXITSTATUS(task_status) == 2);
  EXPECT_THAT(actbench_test::read_text(tmp_ / "task.out"),
              HasSubstr("changed since this sweep was submitted"));
  EXPECT_FALSE(fs::exists(tmp_ / "rebuilt"));
  // The merge job refused after the array was queued: the array's id and what to do, exit 1.
  fs::remove(bin / "sbatch.log");
  EXPECT_EQ(submit("refused", "3", "", "FAKE_SBATCH_REFUSE_MERGE=1"), 1);
  const std::string said = actbench_test::read_text(tmp_ / "submit.out");
  EXPECT_THAT(said, HasSubstr("the job array 100 is queued, but sbatch refused its merge job"));
  EXPECT_THAT(said, HasSubstr("scancel 100"));
  EXPECT_THAT(said, HasSubstr("--dependency=afterany:100"));
}
