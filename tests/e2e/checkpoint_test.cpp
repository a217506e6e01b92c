// Per-epoch checkpoints (train/checkpoint.h): a sweep killed in the middle of an epoch, run again,
// resumes each interrupted run from its last finished epoch and ends with the uninterrupted
// reference sweep's numbers bit for bit; checkpoints of other runs, or damaged ones, are never
// resumed from; a finished run leaves none behind.
#include <sys/stat.h>

#include <csignal>
#include <regex>

#include "sweep_fixture.h"

namespace {

namespace fs = std::filesystem;
using actbench_test::CommandResult;
using ::testing::HasSubstr;
using ::testing::Not;

// The tiny config: 2000 training examples in batches of 64, 2 epochs a run, runs in plan order
// with one job.
constexpr int kStepsPerEpoch = 32;
constexpr int kStepsPerRun = 2 * kStepsPerEpoch;

class Checkpoint : public actbench_test::SweepFixture {
 protected:
  static std::vector<fs::path> checkpoints(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir / "checkpoints", ec)) {
      if (e.path().extension() == ".ckpt") out.push_back(e.path());
    }
    return out;
  }
  // Kills a one-job sweep into `out` (with its own run store, so nothing is taken from another
  // test's) after `steps` training steps (mid-epoch).
  CommandResult kill_after_steps(const fs::path& out, int steps,
                                 std::vector<std::string> extra = {}) const {
    for (const std::string a : {"--jobs", "1", "--debug-raise-after"}) extra.push_back(a);
    extra.push_back(std::to_string(steps) + "steps:KILL");
    extra.push_back("--store");
    extra.push_back((out.parent_path() / (out.filename().string() + "-store")).string());
    return run(out, extra);
  }
  CommandResult finish(const fs::path& out, std::vector<std::string> extra = {}) const {
    for (const std::string a : {"--jobs", "1", "--store"}) extra.push_back(a);
    extra.push_back((out.parent_path() / (out.filename().string() + "-store")).string());
    return run(out, extra);
  }
};

TEST_F(Checkpoint, KillNineMidEpochResumesFromTheLastFinishedEpochWithTheSameNumbers) {
  const fs::path out = tmp_ / "killed";
  // The sixth run, 8 steps into its second epoch.
  const CommandResult killed = kill_after_steps(out, 5 * kStepsPerRun + kStepsPerEpoch + 8);
  ASSERT_EQ(killed.exit_code, 128 + SIGKILL) << killed.describe();
  EXPECT_EQ(run_files(out), 5u);
  const auto kept = checkpoints(out);
  ASSERT_EQ(kept.size(), 1u) << "one run was in progress";
  const std::string name = kept.front().stem().string();
  EXPECT_TRUE(fs::exists(reference().dir / "runs" / (name + ".json"))) << name;

  const CommandResult resumed = finish(out);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.describe();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      resumed.err, m, std::regex("info (.*): resuming from its checkpoint after epoch 1 of 2")))
      << resumed.err;
  // Only the interrupted run's second epoch was trained again for it.
  EXPECT_THAT(resumed.err, Not(HasSubstr(m[1].str() + "  epoch 1/2")));
  EXPECT_THAT(resumed.err, HasSubstr(m[1].str() + "  epoch 2/2"));
  expect_reference_outputs(out);
  EXPECT_TRUE(checkpoints(out).empty()) << "a kept run leaves no checkpoint";
}

TEST_F(Checkpoint, DamagedOrForeignCheckpointsAreNotResumedFrom) {
  const fs::path out = tmp_ / "damaged";
  ASSERT_EQ(kill_after_steps(out, kStepsPerEpoch + 5).exit_code, 128 + SIGKILL);
  auto kept = checkpoints(out);
  ASSERT_EQ(kept.size(), 1u);
  const fs::path ckpt = kept.front();
  const std::string bytes = actbench_test::read_text(ckpt);

  // Cut short: reported, trained from the start, same numbers.
  actbench_test::write_text(ckpt, bytes.substr(0, bytes.size() / 2));
  CommandResult r = finish(out);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("not used: it ends without its checksum (cut short"));
  EXPECT_THAT(r.err, Not(HasSubstr("resuming")));
  expect_reference_outputs(out);

  // A pipe or a directory where the checkpoint was: the sweep is refused before it trains (exit
  // 2), nothing changed. A checkpoint changed after it was written, or far larger than this
  // model's could be (a sparse file: its size alone refuses it): not used, trained from the
  // start.
  const fs::path odd = tmp_ / "odd";
  ASSERT_EQ(kill_after_steps(odd, kStepsPerEpoch + 5).exit_code, 128 + SIGKILL);
  kept = checkpoints(odd);
  ASSERT_EQ(kept.size(), 1u);
  const fs::path slot = kept.front();
  fs::remove(slot);
  fs::create_directory(slot);
  r = finish(odd);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_THAT(r.err, HasSubstr(slot.string() + " is a directory where a run's checkpoint belongs; "
                                               "remove it and rerun"));
  EXPECT_EQ(run_files(odd), 0u);
  fs::remove(slot);
  ASSERT_EQ(::mkfifo(slot.c_str(), 0600), 0);
  r = finish(odd);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_THAT(r.err, HasSubstr(slot.string() + " is a pipe where a run's checkpoint belongs"));
  fs::remove(slot);
  // One byte changed in the middle (the same checkpoint: same settings, killed at the same step):
  // its checksum does not hold.
  std::string flipped = bytes;
  flipped[flipped.size() / 2] = char(flipped[flipped.size() / 2] ^ 0x10);
  actbench_test::write_text(slot, flipped);
  r = finish(odd);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("not used: its content does not match its checksum"));
  EXPECT_THAT(r.err, Not(HasSubstr("resuming")));
  expect_reference_outputs(odd);

  const fs::path huge = tmp_ / "huge";
  ASSERT_EQ(kill_after_steps(huge, kStepsPerEpoch + 5).exit_code, 128 + SIGKILL);
  kept = checkpoints(huge);
  ASSERT_EQ(kept.size(), 1u);
  fs::resize_file(kept.front(), uintmax_t(2) << 30);
  r = finish(huge);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("not used: it cannot be read (" + kept.front().string() +
                               ": 2048.0 MiB, more than a checkpoint of actbench's ever is"));
  expect_reference_outputs(huge);

  // Another run's checkpoint (other settings) under this run's name: not used either.
  const fs::path other = tmp_ / "other";
  ASSERT_EQ(kill_after_steps(other, kStepsPerEpoch + 5).exit_code, 128 + SIGKILL);
  const fs::path out2 = tmp_ / "foreign";
  ASSERT_EQ(kill_after_steps(out2, kStepsPerEpoch + 5, {"train.lr=0.01"}).exit_code, 128 + SIGKILL);
  kept = checkpoints(out2);
  ASSERT_EQ(kept.size(), 1u);
  fs::copy_file(kept.front(), checkpoints(other).front(), fs::copy_options::overwrite_existing);
  r = finish(other);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("not used: it belongs to other settings or data"));
  expect_reference_outputs(other);
}

TEST_F(Checkpoint, FreshStartsOverAndSigtermSaysWhereTheRunsResume) {
  const fs::path out = tmp_ / "term";
  const CommandResult stopped =
      run(out, {"--jobs", "1", "--store", (tmp_ / "term-store").string(), "--debug-raise-after",
                std::to_string(kStepsPerEpoch + 5) + "steps:TERM"});
  EXPECT_EQ(stopped.exit_code, 128 + SIGTERM) << stopped.describe();
  EXPECT_THAT(stopped.err, HasSubstr("each resumes from its last finished epoch"));
  ASSERT_EQ(checkpoints(out).size(), 1u);
  const CommandResult fresh = finish(out, {"--fresh"});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.describe();
  EXPECT_THAT(fresh.err, Not(HasSubstr("resuming")));
  EXPECT_TRUE(checkpoints(out).empty());
  expect_reference_outputs(out);
  EXPECT_THAT(stopped.err, HasSubstr("To finish, run the same command again (it skips"));
  // Stopped during a --fresh sweep: the command printed to finish leaves --fresh out (with it,
  // the finished runs would be trained again).
  const CommandResult fresh_stopped =
      run(tmp_ / "term-fresh",
          {"--jobs", "1", "--store", (tmp_ / "term-store").string(), "--fresh",
           "--debug-raise-after", std::to_string(kStepsPerEpoch + 5) + "steps:TERM"});
  EXPECT_EQ(fresh_stopped.exit_code, 128 + SIGTERM) << fresh_stopped.describe();
  const std::string said = fresh_stopped.err;
  const size_t at =
      said.find("run the same command without --fresh (it skips the finished runs): ");
  ASSERT_NE(at, std::string::npos) << said;
  const std::string command = said.substr(at, said.find('\n', at) - at);
  EXPECT_THAT(command.substr(command.find("): ")), Not(HasSubstr("--fresh"))) << command;
  EXPECT_THAT(command, HasSubstr("--store"));
  // A Slurm array task (scripts/slurm/sweep.sbatch sets ACTBENCH_RESUME_COMMAND) names the
  // submission to run again, as docs/slurm.md says, not its own shard's command.
  ::setenv("ACTBENCH_RESUME_COMMAND", "scripts/slurm/sweep.sbatch c.yaml /shared/x 4", 1);
  const CommandResult task =
      run(tmp_ / "term-task",
          {"--jobs", "1", "--store", (tmp_ / "task-store").string(), "--shard", "1/2",
           "--debug-raise-after", std::to_string(kStepsPerEpoch + 5) + "steps:TERM"});
  ::unsetenv("ACTBENCH_RESUME_COMMAND");
  EXPECT_EQ(task.exit_code, 128 + SIGTERM) << task.describe();
  EXPECT_THAT(task.err, HasSubstr("To finish, run the sweep's submission again (it skips the "
                                  "finished runs): scripts/slurm/sweep.sbatch c.yaml /shared/x 4"));
}

}  // namespace
