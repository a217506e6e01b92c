// The Slurm workflow (scripts/slurm/sweep.sbatch) against a real single-node Slurm cluster that
// scripts/slurm/local_cluster.sh starts once per process, in its own state directory and on free
// ports (and stops at the end): an array of shards and a merge job whose results equal an unsharded
// run's, options that reach both jobs, a cancelled task that makes the merge job fail and a
// resubmission that recovers, a requeued task appending to its log, and submissions that every task
// would refuse queueing nothing. Where Slurm cannot run (not root, packages missing, daemons
// failing), every test skips with the reason; the stand-in with a fake sbatch (Sweep suite) still
// runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <thread>

#include "process.h"
#include "sweep_fixture.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using actbench_test::CommandResult;
using actbench_test::read_text;
using actbench_test::shell_quote;
using ::testing::HasSubstr;
using ::testing::Not;

const fs::path kSlurmScripts = fs::path(ACTBENCH_SOURCE_DIR) / "scripts" / "slurm";

CommandResult slurm_shell(const std::string& command) {
  return actbench_test::run_captured(command, {});
}

class SlurmCluster : public actbench_test::SweepFixture {
 protected:
  static std::string& skip_reason() {
    static std::string reason;
    return reason;
  }
  static bool& started_here() {
    static bool started = false;
    return started;
  }
  // This process's own cluster: its own state directory, and ports local_cluster.sh finds free,
  // so that two test runs on one machine (or a machine that runs Slurm already) never collide.
  static fs::path state_dir() {
    static const fs::path dir =
        fs::temp_directory_path() / ("actbench-slurm-" + std::to_string(::getpid()));
    return dir;
  }
  static std::string cluster(const std::string& verb) {
    return "ACTBENCH_SLURM_DIR=" + shell_quote(state_dir().string()) + " bash " +
           shell_quote((kSlurmScripts / "local_cluster.sh").string()) + " " + verb;
  }

  static void SetUpTestSuite() {
    if (::geteuid() != 0) {
      skip_reason() = "not root: local_cluster.sh starts munged, slurmctld and slurmd as root";
      return;
    }
    const bool running = slurm_shell(cluster("status")).exit_code == 0;
    const CommandResult r = slurm_shell(cluster("start"));
    if (r.exit_code != 0) {
      skip_reason() =
          "the local Slurm cluster did not start (scripts/slurm/local_cluster.sh start, "
          "exit " +
          std::to_string(r.exit_code) + "): " + r.err;
      return;
    }
    started_here() = !running;
    ::setenv("SLURM_CONF", (state_dir() / "slurm.conf").c_str(), 1);
    // The jobs inherit the environment sbatch sees: none of sbatch's input variables but those a
    // test sets on purpose.
    for (const char* v : {"SBATCH_PARTITION", "SBATCH_TIMELIMIT", "SBATCH_ACCOUNT", "SBATCH_QOS",
                          "SBATCH_OPTIONS", "SBATCH_ARRAY_INX", "ACTBENCH_STORE"}) {
      ::unsetenv(v);
    }
  }
  static void TearDownTestSuite() {
    if (started_here()) {
      slurm_shell(cluster("stop"));
      std::error_code ec;
      fs::remove_all(state_dir(), ec);
    }
  }
  void SetUp() override {
    if (!skip_reason().empty()) GTEST_SKIP() << skip_reason();
  }

  struct Submitted {
    CommandResult result;
    std::string array_id, merge_id;
  };
  // sweep.sbatch [OPTIONS...] CONFIG DIR TASKS KEY=VALUE... from tmp_, with `env` (VAR=VALUE
  // words) before it; the sweep of SweepFixture::args().
  Submitted submit(const std::string& dir, int tasks, const std::vector<std::string>& options,
                   const std::string& env = "") const {
    // XDG_DATA_HOME: the run store of the submission and its tasks (not in a git checkout) is
    // this test's own, as for every other command of the tests (process.cpp).
    std::string cmd = "cd " + shell_quote(tmp_.path().string()) +
                      " && ACTBENCH=" + shell_quote(ACTBENCH_BINARY) +
                      " XDG_DATA_HOME=" + shell_quote(tmp_.path().string()) + " " + env + " bash " +
                      shell_quote((kSlurmScripts / "sweep.sbatch").string());
    std::vector<std::string> a = options;
    a.push_back(config().string());
    a.push_back(dir);
    a.push_back(std::to_string(tasks));
    const std::vector<std::string> sweep = args("run", "");
    a.insert(a.end(), sweep.begin() + 3, sweep.end() - 2);  // the KEY=VALUE overrides
    Submitted s{actbench_test::run_captured(cmd, a), "", ""};
    std::smatch m;
    if (std::regex_search(s.result.out, m, std::regex("job ([0-9]+); merge: job ([0-9]+)"))) {
      s.array_id = m[1].str();
      s.merge_id = m[2].str();
    }
    return s;
  }

  // `scontrol show job -o ID`: one line per job (per task of an array).
  static std::string show_job(const std::string& id) {
    return slurm_shell("scontrol show job -o " + id).out;
  }
  // Waits (polling, up to 3 minutes: never a verdict on speed) until every job `id` names has
  // ended; returns its last `scontrol show job` lines.
  static std::string wait_ended(const std::string& id) {
    const std::regex active(
        "JobState=(PENDING|RUNNING|CONFIGURING|COMPLETING|REQUEUED|"
        "RESIZING|SUSPENDED|REQUEUE_HOLD|REQUEUE_FED)");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
    std::string shown;
    while (std::chrono::steady_clock::now() < deadline) {
      shown = show_job(id);
      if (!shown.empty() && !std::regex_search(shown, active)) return shown;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    ADD_FAILURE() << "job " << id << " has not ended after 3 minutes:\n" << shown;
    return shown;
  }
  // The merge job's record in the jobcomp file (written when it ended), e.g. "JobState=FAILED
  // ... ExitCode=1:0".
  static std::string jobcomp_record(const std::string& id) {
    std::string last;  // a requeued job has a record per end
    for (const std::string& line :
         actbench_test::lines_of(read_text(state_dir() / "jobcomp.log"))) {
      if (line.rfind("JobId=" + id + " ", 0) == 0) last = line;
    }
    return last;
  }
  // Submits and waits for both jobs; the merge job's jobcomp record.
  std::string submit_and_wait(const Submitted& s) const {
    EXPECT_EQ(s.result.exit_code, 0) << s.result.describe();
    if (s.merge_id.empty()) return "";
    wait_ended(s.array_id);
    wait_ended(s.merge_id);
    return jobcomp_record(s.merge_id);
  }
  static std::vector<std::string> queued() {
    return actbench_test::lines_of(slurm_shell("squeue -h -o %i").out);
  }
};

TEST_F(SlurmCluster, ArrayAndMergeEqualAnUnshardedRunLogUnderDirAndARequeueAppends) {
  const Submitted s =
      submit("swept", 3, {"--cpus-per-task=1", "--mem=500M"}, "SBATCH_PARTITION=cpu");
  const std::string merged = submit_and_wait(s);
  EXPECT_THAT(s.result.out, HasSubstr("12 runs in 3 array tasks"));
  // device: auto is resolved once, here, for every task (the kind is part of the run ids).
  EXPECT_THAT(s.result.err, ::testing::ContainsRegex("device auto is (cpu|cuda) on this node: the "
                                                     "tasks train with device=(cpu|cuda)"));
  EXPECT_THAT(merged, HasSubstr("JobState=COMPLETED"));
  EXPECT_THAT(merged, HasSubstr("ExitCode=0:0"));
  EXPECT_THAT(merged, HasSubstr("Partition=cpu"));  // SBATCH_PARTITION reached the merge job
  const fs::path out = tmp_ / "swept";
  EXPECT_EQ(run_files(out), kRuns);
  expect_reference_outputs(out, true);
  // One log per task and one for the merge under DIR/slurm; --jobs is the task's one CPU (no
  // "2 at a time" as on the whole node).
  const fs::path logs = out / "slurm";
  for (int k = 1; k <= 3; ++k) {
    const fs::path log = logs / ("actbench-" + s.array_id + "_" + std::to_string(k) + ".out");
    ASSERT_TRUE(fs::exists(log)) << log;
    // ... and its memory limit the task's --mem.
    EXPECT_THAT(read_text(log),
                HasSubstr("shard " + std::to_string(k) + "/3 --jobs 1 --max-memory 500M"));
    EXPECT_THAT(read_text(log), Not(HasSubstr("at a time")));
  }
  EXPECT_THAT(read_text(logs / ("actbench-merge-" + s.merge_id + ".out")),
              HasSubstr("merged 12 run(s)"));
  // A requeued task runs again (its runs are finished: nothing to train) and appends to its log.
  const std::string task = s.array_id + "_2";
  const CommandResult rq = slurm_shell("scontrol requeue " + task);
  ASSERT_EQ(rq.exit_code, 0) << rq.describe();
  // Slurm holds a requeued job back for its credential lifetime (2 minutes): start it now.
  const CommandResult now = slurm_shell("scontrol update JobId=" + task + " StartTime=now");
  ASSERT_EQ(now.exit_code, 0) << now.describe();
  EXPECT_THAT(wait_ended(task), HasSubstr("JobState=COMPLETED"));
  const std::string text = read_text(logs / ("actbench-" + s.array_id + "_2.out"));
  EXPECT_THAT(text, HasSubstr("training 4 run(s)")) << "the first attempt's log is gone";
  const std::regex start_line("sweep\\.sbatch: task 2 of job");
  EXPECT_EQ(std::distance(std::sregex_iterator(text.begin(), text.end(), start_line),
                          std::sregex_iterator()),
            2)
      << text;
  expect_reference_outputs(out, true);
}

TEST_F(SlurmCluster, OptionsReachTheArrayAndTheMergeJobEvenWithSpaces) {
  // alt is not the default partition (there is none); the comment holds spaces.
  const Submitted s = submit(
      "opts", 2,
      {"--partition=alt", "--comment=a sweep with spaces", "--mem=500M", "--cpus-per-task=1"});
  const std::string merged = submit_and_wait(s);
  EXPECT_THAT(merged, HasSubstr("Partition=alt"));
  EXPECT_THAT(merged, HasSubstr("JobState=COMPLETED"));
  for (const std::string& id : {s.array_id, s.merge_id}) {
    const std::string shown = show_job(id);
    EXPECT_THAT(shown, HasSubstr("Partition=alt")) << id;
    EXPECT_THAT(shown, Not(HasSubstr("Partition=cpu"))) << id;
    EXPECT_THAT(shown, HasSubstr("Comment=a sweep with spaces")) << id;
  }
  expect_reference_outputs(tmp_ / "opts", true);
  // Without a partition (the cluster has no default) sbatch refuses the array: nothing queued.
  const std::vector<std::string> before = queued();
  const Submitted none = submit("nopart", 2, {"--mem=500M"});
  EXPECT_NE(none.result.exit_code, 0) << none.result.describe();
  EXPECT_THAT(none.result.err, HasSubstr("nothing was queued"));
  EXPECT_EQ(queued(), before);
  // An option that needs a separate value word is refused before anything happens.
  const Submitted split = submit("split", 2, {"-p", "alt"});
  EXPECT_EQ(split.result.exit_code, 2) << split.result.describe();
  EXPECT_THAT(split.result.err, HasSubstr("must hold its value"));
}

TEST_F(SlurmCluster, CancelledTaskFailsTheMergeJobAndResubmittingRecovers) {
  // --hold reaches both jobs, so task 2 is cancelled before it can start.
  const std::vector<std::string> options{"--partition=cpu", "--mem=500M", "--cpus-per-task=1"};
  std::vector<std::string> held = options;
  held.push_back("--hold");
  const Submitted s = submit("cancelled", 3, held);
  ASSERT_EQ(s.result.exit_code, 0) << s.result.describe();
  EXPECT_THAT(show_job(s.merge_id), HasSubstr("JobState=PENDING"));
  ASSERT_EQ(slurm_shell("scancel " + s.array_id + "_2").exit_code, 0);
  ASSERT_EQ(slurm_shell("scontrol release " + s.array_id + " " + s.merge_id).exit_code, 0);
  const std::string merged = submit_and_wait(s);
  EXPECT_THAT(merged, HasSubstr("JobState=FAILED"));
  EXPECT_THAT(merged, HasSubstr("ExitCode=1:0"));
  const fs::path out = tmp_ / "cancelled";
  EXPECT_EQ(run_files(out), kRuns - 4);
  EXPECT_THAT(read_text(out / "slurm" / ("actbench-merge-" + s.merge_id + ".out")),
              HasSubstr("is incomplete: 4 of its 12 runs are not finished"));
  // The same command again: only task 2 is queued, and only its runs are trained; the merge
  // job succeeds.
  const Submitted again = submit("cancelled", 3, options);
  EXPECT_THAT(again.result.out, HasSubstr("1 with runs not finished queued (shards 2)"))
      << again.result.describe();
  const std::string remerged = submit_and_wait(again);
  EXPECT_THAT(remerged, HasSubstr("JobState=COMPLETED"));
  EXPECT_THAT(remerged, HasSubstr("ExitCode=0:0"));
  EXPECT_EQ(run_files(out), kRuns);
  expect_reference_outputs(out, true);
  // Once more: every run is finished, nothing is queued.
  const std::vector<std::string> before = queued();
  const Submitted done = submit("cancelled", 3, options);
  EXPECT_EQ(done.result.exit_code, 0) << done.result.describe();
  EXPECT_THAT(done.result.out, HasSubstr("every run of the sweep is finished"));
  EXPECT_EQ(queued(), before);
}

// A task's --mem is actbench's memory limit: a sweep that needs more is refused by each task at
// once, saying so in its log, instead of being killed by Slurm in the middle of training.
TEST_F(SlurmCluster, TheTasksMemoryIsTheMemoryGuardsLimit) {
  const Submitted s = submit("small", 2, {"--partition=cpu", "--mem=60M", "--cpus-per-task=1"});
  ASSERT_EQ(s.result.exit_code, 0) << s.result.describe();
  const std::string merged = submit_and_wait(s);
  EXPECT_THAT(merged, HasSubstr("JobState=FAILED"));
  const std::string log =
      read_text(tmp_ / "small" / "slurm" / ("actbench-" + s.array_id + "_1.out"));
  EXPECT_THAT(log, HasSubstr("more than the --max-memory limit of 60.0 MiB")) << log;
  EXPECT_EQ(run_files(tmp_ / "small"), 0u);
}

TEST_F(SlurmCluster, SubmissionThatEveryTaskWouldRefuseQueuesNothing) {
  const std::vector<std::string> options{"--partition=cpu", "--mem=500M"};
  const std::vector<std::string> before = queued();
  // Each case: what is wrong, then that `actbench run` of a shard refuses it too.
  auto expect_refused = [&](const std::string& dir, const std::string& why,
                            const std::string& env) {
    SCOPED_TRACE(dir);
    const Submitted s = submit(dir, 2, options, env);
    EXPECT_EQ(s.result.exit_code, 2) << s.result.describe();
    EXPECT_THAT(s.result.err, HasSubstr(why));
    EXPECT_THAT(s.result.err, HasSubstr("nothing was queued"));
    EXPECT_FALSE(fs::exists(tmp_ / dir / "slurm"));
    EXPECT_EQ(queued(), before);
    const CommandResult run =
        actbench_test::run_captured("cd " + shell_quote(tmp_.path().string()) + " && " + env + " " +
                                        shell_quote(ACTBENCH_BINARY),
                                    args("run", dir, {"--shard", "1/2"}));
    EXPECT_EQ(run.exit_code, 2) << run.describe();
    EXPECT_THAT(run.err, HasSubstr(why));
  };
  // results.json in the way.
  fs::create_directories(tmp_ / "blocked" / "results.json");
  expect_refused("blocked", "results.json is not actbench's: it is a directory", "");
  // DIR is a file.
  actbench_test::write_text(tmp_ / "afile", "not a directory\n");
  expect_refused("afile", "exists and is not a directory", "");
  // A run store that cannot take runs (its runs/ is a file).
  fs::create_directories(tmp_ / "store");
  actbench_test::write_text(tmp_ / "store" / "runs", "not a directory\n");
  expect_refused("nostore", "runs exists and is not a directory; choose another run store",
                 "ACTBENCH_STORE=" + shell_quote((tmp_ / "store").string()));
  // Another sweep running in DIR right now: DIR/plan.json is another sweep's (other settings),
  // and that sweep holds DIR/.actbench.active (see SweepDirLock).
  fs::create_directories(tmp_ / "busy");
  const CommandResult other =
      actbench_test::run_actbench(args("plan", "busy", {"--json", "train.lr=0.5"}), tmp_.path());
  ASSERT_EQ(other.exit_code, 0) << other.describe();
  actbench_test::write_text(tmp_ / "busy" / "plan.json", other.out);
  const int fd =
      ::open((tmp_ / "busy" / ".actbench.active").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_SH), 0);
  expect_refused("busy", "another sweep (other runs) is running in", "");
  ::close(fd);
}

// A second cluster told to use the first one's ports fails its start with the reason, instead of
// taking the first one's answers for its own; left to choose, it finds free ports and runs beside
// it.
TEST_F(SlurmCluster, ASecondClusterNeverTakesAnotherOnesPortsForItsOwn) {
  const std::string conf = read_text(state_dir() / "slurm.conf");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(conf, m, std::regex("SlurmctldPort=([0-9]+)"))) << conf;
  const fs::path other = tmp_ / "other-cluster";
  const std::string script = shell_quote((kSlurmScripts / "local_cluster.sh").string());
  const std::string in_other = "ACTBENCH_SLURM_DIR=" + shell_quote(other.string()) + " ";
  const CommandResult taken =
      slurm_shell(in_other + "ACTBENCH_SLURM_PORT=" + m[1].str() + " bash " + script + " start");
  EXPECT_EQ(taken.exit_code, 2) << taken.describe();
  EXPECT_THAT(taken.err, HasSubstr("port " + m[1].str() + " or "));
  EXPECT_THAT(taken.err, HasSubstr("is already taken"));
  const CommandResult own = slurm_shell(in_other + "bash " + script + " start");
  ASSERT_EQ(own.exit_code, 0) << own.describe();
  EXPECT_THAT(read_text(other / "slurm.conf"), Not(HasSubstr("SlurmctldPort=" + m[1].str())));
  EXPECT_EQ(slurm_shell(in_other + "bash " + script + " stop").exit_code, 0);
  // The first cluster still answers.
  EXPECT_EQ(slurm_shell(cluster("status")).exit_code, 0);
}

}  // namespace
