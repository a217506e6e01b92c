// Adaptive seeds through the binary: rounds of seeds until every paired difference's interval is
// within the target (or the maximum), the seeds each answer took, kill -9 and resume, shards that
// wait for each other's part of a round, and bad settings.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "process.h"
#include "sweep_fixture.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using actbench::Json;
using actbench_test::CommandResult;
using actbench_test::expect_user_error;
using actbench_test::read_text;
using ::testing::HasSubstr;

// The tiny sweep of the fixture (four activations, 2 epochs, synthetic data), its seeds chosen
// adaptively instead of swept: from 2 seeds, 2 more per round, up to 6, until every difference is
// within ±0.5 points.
class Adaptive : public actbench_test::SweepFixture {
 protected:
  static std::vector<std::string> adaptive_args(const std::string& cmd, const fs::path& out,
                                                const std::vector<std::string>& extra = {}) {
    std::vector<std::string> a =
        args(cmd, out, {"seeds.until=0.5", "seeds.min=2", "seeds.step=2", "seeds.max=6"});
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  static const fs::path& adaptive_config() {
    static const fs::path path = actbench_test::write_tiny_config(
        shared() / "adaptive.yaml", actbench_test::synthetic_mnist_dir());
    return path;
  }
  // `args` with the fixture's config replaced by one without a seed sweep.
  static std::vector<std::string> with_config(std::vector<std::string> a) {
    for (auto& x : a) {
      if (x == config().string()) x = adaptive_config().string();
    }
    return a;
  }
  CommandResult run_adaptive(const fs::path& out,
                             const std::vector<std::string>& extra = {}) const {
    return actbench_test::run_actbench(with_config(adaptive_args("run", out, extra)), tmp_.path());
  }
  static Json summary(const fs::path& dir) { return Json::parse(read_text(dir / "summary.json")); }

  // The uninterrupted, unsharded adaptive sweep (its own run store), run once per process: what
  // the interrupted and the sharded sweeps must end as.
  struct Whole {
    fs::path dir;
    CommandResult result;
  };
  static const Whole& uninterrupted() {
    static const Whole w = [] {
      Whole r{shared() / "whole", {}};
      r.result = actbench_test::run_actbench(
          with_config(adaptive_args("run", r.dir, {"--store", (shared() / "store-a").string()})),
          shared().path());
      return r;
    }();
    return w;
  }
};

TEST_F(Adaptive, RoundsOfSeedsUntilEveryDifferenceIsWithinTheTarget) {
  const fs::path out = tmp_ / "rounds";
  const CommandResult r = run_adaptive(out);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("adaptive seeds: round of 2 seeds"));
  EXPECT_THAT(r.err, HasSubstr("adaptive seeds: done after"));
  const Json s = summary(out);
  const size_t seeds = s["seeds"].size();
  EXPECT_GE(seeds, 2u);
  EXPECT_LE(seeds, 6u);
  EXPECT_EQ(seeds % 2, 0u);  // 2, 4 or 6: whole rounds
  // Stopped at the first round where every difference is within ±0.5, or at the maximum.
  bool within = true;
  for (const auto& d : s["differences"]) {
    const Json& hw = d["final_test_accuracy"]["ci95_half_width"];
    within = within && hw.is_number() && hw.get<double>() <= 0.5;
    // How many seeds each answer took: the first prefix of seeds within the target.
    EXPECT_EQ(d["tests"]["target_half_width"], 0.5);
    const Json& took = d["tests"]["seeds_to_target"];
    if (took.is_number()) {
      EXPECT_GE(took.get<int64_t>(), 2);
      EXPECT_LE(took.get<size_t>(), seeds);
      EXPECT_THAT(d["note"].get<std::string>(), HasSubstr("within \u00b10.50 after"));
    }
  }
  EXPECT_TRUE(within || seeds == 6u) << s["differences"].dump(1);
  // The table is printed once, for the final round.
  EXPECT_EQ(actbench_test::lines_of(r.out)[0].rfind("rank", 0), 0u);
  size_t tables = 0;
  for (const auto& line : actbench_test::lines_of(r.out)) tables += line.rfind("rank", 0) == 0;
  EXPECT_EQ(tables, 1u);

  // Rerun: every round is finished; nothing is trained, the same outputs.
  const Json before = outputs(out);
  const CommandResult again = run_adaptive(out);
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_THAT(again.err, ::testing::Not(HasSubstr("training")));
  EXPECT_EQ(outputs(out), before);
  // plan says where it stands.
  const CommandResult p =
      actbench_test::run_actbench(with_config(adaptive_args("plan", out)), tmp_.path());
  ASSERT_EQ(p.exit_code, 0) << p.describe();
  EXPECT_THAT(p.out, HasSubstr("adaptive seeds: done after " + std::to_string(seeds) + " seeds"));
}

// kill -9 in the middle of a round, then the same command: it ends as the uninterrupted one did.
TEST_F(Adaptive, KillNineMidRoundThenRerunEndsLikeAnUninterruptedSweep) {
  ASSERT_EQ(uninterrupted().result.exit_code, 0) << uninterrupted().result.describe();
  const fs::path& whole = uninterrupted().dir;
  const fs::path killed = tmp_ / "killed";
  const std::vector<std::string> store{"--store", (tmp_ / "store-b").string()};
  std::vector<std::string> kill = store;
  kill.insert(kill.end(), {"--jobs", "2", "--debug-raise-after", "3:KILL"});
  EXPECT_EQ(run_adaptive(killed, kill).exit_code, 128 + SIGKILL);
  const CommandResult resumed = run_adaptive(killed, store);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.describe();
  EXPECT_EQ(outputs(killed), outputs(whole)) << Json::diff(outputs(whole), outputs(killed)).dump(1);
}

// Two shards at once: each trains its part of a round, waits for the other's, and both end with
// the unsharded sweep's outputs.
TEST_F(Adaptive, ShardsWaitForEachOtherAndEndLikeTheUnshardedSweep) {
  ASSERT_EQ(uninterrupted().result.exit_code, 0) << uninterrupted().result.describe();
  const fs::path& whole = uninterrupted().dir;
  const fs::path sharded = tmp_ / "sharded";
  const std::vector<std::string> store{"--store", (tmp_ / "store-b").string()};
  std::vector<std::string> first = with_config(adaptive_args("run", sharded, store));
  first.insert(first.end(), {"--shard", "1/2"});
  const fs::path log = tmp_ / "shard1.log";
  const pid_t pid = actbench_test::spawn_actbench(first, tmp_.path(), log);
  ASSERT_GT(pid, 0);
  std::vector<std::string> second = store;
  second.insert(second.end(), {"--shard", "2/2"});
  const CommandResult two = run_adaptive(sharded, second);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << read_text(log);
  ASSERT_EQ(two.exit_code, 0) << two.describe();
  EXPECT_EQ(outputs(sharded), outputs(whole))
      << Json::diff(outputs(whole), outputs(sharded)).dump(1);
}

// One shard of two, and the other never starts (an array whose tasks cannot all run at once):
// the running shard trains the idle shard's part of every round itself, and the sweep ends as
// the unsharded one did, instead of waiting for ever.
TEST_F(Adaptive, AShardAloneTakesOverTheIdleShardsPartOfEveryRound) {
  ASSERT_EQ(uninterrupted().result.exit_code, 0) << uninterrupted().result.describe();
  const fs::path alone = tmp_ / "alone";
  std::vector<std::string> a =
      with_config(adaptive_args("run", alone, {"--store", (tmp_ / "store-c").string()}));
  a.insert(a.end(), {"--shard", "1/2"});
  const fs::path log = tmp_ / "alone.log";
  const pid_t pid = actbench_test::spawn_actbench(a, tmp_.path(), log);
  ASSERT_GT(pid, 0);
  const std::optional<int> ended = actbench_test::wait_at_most(pid, std::chrono::minutes(4));
  ASSERT_TRUE(ended) << "a lone shard still waits after 4 minutes:\n" << read_text(log);
  const int status = *ended;
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << read_text(log);
  EXPECT_THAT(read_text(log), HasSubstr("trains the unfinished runs of shard 2/2"));
  EXPECT_EQ(outputs(alone), outputs(uninterrupted().dir))
      << Json::diff(outputs(uninterrupted().dir), outputs(alone)).dump(1);
}

TEST_F(Adaptive, BadSettingsAreOneLineAndWriteNothing) {
  const fs::path out = tmp_ / "bad";
  // The fixture's own config sweeps train.seed: adaptive seeds choose the seeds themselves.
  expect_user_error(actbench_test::run_actbench(args("run", out, {"seeds.until=0.5"}), tmp_.path()),
                    "seeds.until (adaptive seeds) chooses the seeds itself: do not sweep "
                    "train.seed");
  expect_user_error(run_adaptive(out, {"seeds.max=1"}), "'seeds.max' must be");
  expect_user_error(run_adaptive(out, {"seeds.min=5", "seeds.max=4"}),
                    "'seeds.max' must be an integer >= seeds.min (5)");
  expect_user_error(run_adaptive(out, {"seeds.until=-1"}), "'seeds.until' must be");
  expect_user_error(run_adaptive(out, {"seeds.until=0.5,0.2"}), "'seeds.until' cannot be swept");
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
