// The run store and the sweep directory as its view, through the binary: runs reused across
// sweeps, --fresh, --store and ACTBENCH_STORE, damaged entries, an edited config rerun into the
// same directory (history), concurrent sweeps and kill -9 (the directory lock), plan agreeing with
// run, provenance; and the commands that read sweeps back: ls, show, compare, with their bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "process.h"
#include "sweep_fixture.h"
#include "test_support.h"
#include "util/json_checksum.h"
#include "util/sha256.h"

namespace {

namespace fs = std::filesystem;
using actbench::Json;
using actbench_test::CommandResult;
using actbench_test::expect_user_error;
using actbench_test::read_text;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

class Store : public actbench_test::SweepFixture {
 protected:
  // The commands run in tmp_ (not a git checkout) with XDG_DATA_HOME=tmp_ (process.cpp).
  fs::path store() const { return tmp_ / "actbench" / "store"; }

  // The store's entry files.
  std::vector<fs::path> entries() const {
    std::vector<fs::path> files;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(store() / "runs", ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->path().extension() == ".json" && it->path().filename().string()[0] != '.') {
        files.push_back(it->path());
      }
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  CommandResult actbench(const std::vector<std::string>& args) const {
    return actbench_test::run_actbench(args, tmp_.path());
  }

  // The history entries of DIR, oldest first.
  static std::vector<fs::path> history(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir / "history", ec)) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  }
};

// A sweep of one seed, then the three-seed sweep: the second trains only the 8 new runs, and ends
// with the numbers of the reference sweep; a third directory trains nothing; --fresh trains all.
TEST_F(Store, ASweepTakesTheRunsAnotherComputedAndTrainsOnlyTheRest) {
  const CommandResult one = run(tmp_ / "one", {"sweep.train.seed=[0]"});
  ASSERT_EQ(one.exit_code, 0) << one.describe();
  EXPECT_THAT(one.err, HasSubstr("training 4 run(s)"));
  EXPECT_EQ(entries().size(), 4u);

  // plan says what run will do.
  const CommandResult p =
      actbench_test::run_actbench(args("plan", tmp_ / "all", {"--json"}), tmp_.path());
  ASSERT_EQ(p.exit_code, 0) << p.describe();
  const Json planned = Json::parse(p.out);
  std::map<std::string, int> actions;
  for (const auto& r : planned["runs"]) ++actions[r["action"].get<std::string>()];
  EXPECT_EQ(actions, (std::map<std::string, int>{{"in store", 4}, {"to train", 8}}));
  EXPECT_EQ(planned["store"], fs::absolute(store()).lexically_normal().string());

  const CommandResult all = run(tmp_ / "all");
  ASSERT_EQ(all.exit_code, 0) << all.describe();
  EXPECT_THAT(all.err, HasSubstr("4 run(s) taken from the run store"));
  EXPECT_THAT(all.err, HasSubstr("training 8 run(s)"));
  expect_reference_outputs(tmp_ / "all");
  EXPECT_EQ(entries().size(), 12u);

  const CommandResult again = run(tmp_ / "again");
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_THAT(again.err, HasSubstr("12 run(s) taken from the run store"));
  EXPECT_THAT(again.err, Not(HasSubstr("training")));
  expect_reference_outputs(tmp_ / "again");
  // Their timings were measured when "one" and "all" trained them: marked, and said so.
  const Json again_summary = Json::parse(read_text(tmp_ / "again" / "summary.json"));
  for (const auto& g : again_summary["groups"]) EXPECT_TRUE(g["timing"]["from_store"]) << g["name"];
  EXPECT_THAT(again.out, HasSubstr("\u2020 s/epoch of runs taken from the run store"));
  const Json all_summary = Json::parse(read_text(tmp_ / "all" / "summary.json"));
  for (const auto& g : all_summary["groups"]) {
    EXPECT_FALSE(g["timing"]["from_store"]) << g["name"];  // 2 seeds trained here, 1 taken
    EXPECT_EQ(g["timing"]["runs_from_store"], 1) << g["name"];
  }

  const auto before = actbench_test::tree_listing(store());
  const CommandResult fresh = run(tmp_ / "again", {"--fresh"});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.describe();
  EXPECT_THAT(fresh.err, HasSubstr("training 12 run(s)"));
  expect_reference_outputs(tmp_ / "again");
  EXPECT_EQ(entries().size(), 12u);
  EXPECT_NE(actbench_test::tree_listing(store()), before)
      << "--fresh did not replace the store's entries";
}

// --store DIR and $ACTBENCH_STORE choose the store; the results say which was used.
TEST_F(Store, StoreOptionAndEnvironmentVariableChooseTheStore) {
  const fs::path mine = tmp_ / "stores" / "mine";
  const CommandResult a = run(tmp_ / "a", {"--store", mine.string(), "sweep.train.seed=[0]"});
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  EXPECT_FALSE(fs::exists(store()));
  EXPECT_TRUE(fs::is_directory(mine / "runs"));
  EXPECT_EQ(Json::parse(read_text(tmp_ / "a" / "results.json"))["store"], mine.string());

  std::string cmd = "cd " + actbench_test::shell_quote(tmp_.path().string()) +
                    " && ACTBENCH_STORE=" + actbench_test::shell_quote(mine.string()) + " " +
                    actbench_test::shell_quote(ACTBENCH_BINARY);
  const CommandResult b =
      actbench_test::run_captured(cmd, args("run", tmp_ / "b", {"sweep.train.seed=[0]"}));
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  EXPECT_THAT(b.err, HasSubstr("4 run(s) taken from the run store " + mine.string()));

  // A store path that is a file: one line, exit 2, nothing written.
  actbench_test::write_text(tmp_ / "file", "x");
  expect_user_error(run(tmp_ / "c", {"--store", (tmp_ / "file").string()}), "is not a directory");
  EXPECT_FALSE(fs::exists(tmp_ / "c"));
  expect_user_error(run(tmp_ / "c", {"--store", ""}), "--store needs a directory");
  // A store where entries cannot be written: refused before anything is written.
  fs::create_directories(tmp_ / "blocked");
  actbench_test::write_text(tmp_ / "blocked" / "runs", "not a directory");
  expect_user_error(run(tmp_ / "c", {"--store", (tmp_ / "blocked").string()}),
                    "choose another run store with --store DIR or $ACTBENCH_STORE");
  EXPECT_FALSE(fs::exists(tmp_ / "c"));
}

// A damaged store entry is never trusted: a warning, the run trained again, the entry replaced.
TEST_F(Store, DamagedStoreEntriesAreTrainedAgainWithAWarning) {
  copy_reference_store(store());  // the reference sweep's twelve entries
  const std::vector<fs::path> files = entries();
  ASSERT_EQ(files.size(), 12u);
  actbench_test::write_text(files[0], "{\"schema\": ");      // cut short
  actbench_test::write_text(files[1], read_text(files[2]));  // another run's entry
  Json no_final = Json::parse(read_text(files[3]));
  no_final["run"].erase("final");
  actbench_test::write_text(files[3], no_final.dump());  // not a run
  Json edited = Json::parse(read_text(files[4]));
  edited["run"]["final"]["test_accuracy"] = 99.875;  // a result changed by hand
  actbench_test::write_text(files[4], edited.dump(1));
  Json unsigned_entry = Json::parse(read_text(files[5]));
  unsigned_entry.erase("checksum");
  actbench_test::write_text(files[5], unsigned_entry.dump());
  const CommandResult r = run(tmp_ / "second");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.err, HasSubstr(files[0].string() + ": not valid JSON"));
  EXPECT_THAT(r.err, HasSubstr(files[1].string() + ": it holds a run with another key"));
  EXPECT_THAT(r.err, HasSubstr(files[3].string() + ": it lacks the status, epochs or final"));
  EXPECT_THAT(r.err, HasSubstr(files[4].string() +
                               ": its content does not match its checksum (changed after "
                               "actbench wrote it)"));
  EXPECT_THAT(r.err, HasSubstr(files[5].string() + ": it carries no checksum"));
  EXPECT_THAT(r.err, HasSubstr("7 run(s) taken from the run store"));
  EXPECT_THAT(r.err, HasSubstr("training 5 run(s)"));
  expect_reference_outputs(tmp_ / "second");
  // Replaced: a third sweep takes all twelve.
  const CommandResult third = run(tmp_ / "third");
  EXPECT_THAT(third.err, HasSubstr("12 run(s) taken from the run store"));
}

// `actbench store verify` reads every entry as a sweep would; --repair moves the damaged ones
// aside (nothing deleted), and the next sweep trains exactly those runs again.
TEST_F(Store, StoreVerifyNamesEveryDamagedEntryAndRepairMovesThemAside) {
  copy_reference_store(store());
  const std::vector<fs::path> files = entries();
  ASSERT_EQ(files.size(), 12u);
  const std::string where = "--store=" + store().string();
  CommandResult r = actbench({"store", "verify", where});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.out, HasSubstr(": 12 entries, 0 damaged"));
  Json edited = Json::parse(read_text(files[7]));
  edited["run"]["epochs"][0]["test_loss"] = 0.5;
  actbench_test::write_text(files[7], edited.dump(2));
  fs::create_directory(files[2].parent_path() / "x.json");  // a directory among the entries
  r = actbench({"store", "verify", where});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_THAT(r.out, HasSubstr("damaged  " + files[7].string() +
                               ": its content does not match its checksum"));
  EXPECT_THAT(r.out, HasSubstr("x.json: not a store entry's name"));
  EXPECT_THAT(r.out, HasSubstr(": 13 entries, 2 damaged"));
  r = actbench({"store", "verify", where, "--repair"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(fs::exists(store() / "damaged" / files[7].lexically_relative(store())));
  EXPECT_FALSE(fs::exists(files[7]));
  r = actbench({"store", "verify", where});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.out, HasSubstr(": 11 entries, 0 damaged"));
  const CommandResult sweep = run(tmp_ / "after-repair");
  ASSERT_EQ(sweep.exit_code, 0) << sweep.describe();
  EXPECT_THAT(sweep.err, HasSubstr("11 run(s) taken from the run store"));
  EXPECT_THAT(sweep.err, HasSubstr("training 1 run(s)"));
  expect_reference_outputs(tmp_ / "after-repair");
  // A store every user may write to is named, by verify and by a sweep.
  fs::permissions(store(), fs::perms::others_write, fs::perm_options::add);
  r = actbench({"store", "verify", where});
  EXPECT_THAT(r.err, HasSubstr("is writable by every user of this machine"));
  fs::permissions(store(), fs::perms::others_write, fs::perm_options::remove);
  expect_user_error(actbench({"store", "verify", "--store=" + (tmp_ / "none").string()}),
                    "not found; name one with --store DIR");
}

// The user's loop: run, edit, rerun into the same directory, rerun the original. Nothing is
// refused, the earlier sweeps' files are kept in DIR/history, and the third run trains nothing.
TEST_F(Store, AnEditedConfigRerunIntoTheSameDirectoryKeepsTheEarlierSweep) {
  const fs::path out = tmp_ / "loop";
  ASSERT_EQ(run(out).exit_code, 0);
  const std::string first_results = read_text(out / "results.json");

  const CommandResult p =
      actbench_test::run_actbench(args("plan", out, {"train.epochs=1"}), tmp_.path());
  ASSERT_EQ(p.exit_code, 0) << p.describe();
  EXPECT_THAT(p.out, HasSubstr("holds another sweep's files"));
  EXPECT_THAT(p.out, HasSubstr("0 already finished there, 0 in the store (copied, not trained), "
                               "12 to train"));
  EXPECT_THAT(p.out, HasSubstr("time: ~"));  // measured by the first sweep's runs

  const CommandResult edited = run(out, {"train.epochs=1"});
  ASSERT_EQ(edited.exit_code, 0) << edited.describe();
  EXPECT_THAT(edited.err, HasSubstr("held another sweep's files: they are kept in"));
  EXPECT_THAT(edited.err, HasSubstr("training 12 run(s)"));
  ASSERT_EQ(history(out).size(), 1u);
  const fs::path kept = history(out)[0];
  // The entry says what the new sweep changed: in its name, in changed.json and in the log.
  EXPECT_THAT(kept.filename().string(), ::testing::MatchesRegex("[0-9]{8}T[0-9]{6}Z_train.epochs"));
  const Json changed = Json::parse(read_text(kept / "changed.json"));
  EXPECT_EQ(changed["schema"], "actbench.history/1");
  ASSERT_EQ(changed["changed"].size(), 1u) << changed.dump();
  EXPECT_EQ(changed["changed"][0]["key"], "train.epochs");
  EXPECT_EQ(changed["changed"][0]["now"], "1");
  EXPECT_EQ(changed["runs_finished"], 12);
  EXPECT_THAT(edited.err, HasSubstr("(this sweep changes train.epochs"));
  EXPECT_EQ(read_text(kept / "results.json"), first_results);
  for (const char* f : {"plan.json", "summary.json"}) EXPECT_TRUE(fs::exists(kept / f)) << f;
  EXPECT_EQ(actbench_test::SweepFixture::outputs(kept), reference().outputs);
  const Json now = Json::parse(read_text(out / "results.json"));
  EXPECT_EQ(now["runs"][0]["epochs"].size(), 1u);
  EXPECT_EQ(run_files(out), kRuns);  // only this sweep's runs

  const CommandResult back = run(out);
  ASSERT_EQ(back.exit_code, 0) << back.describe();
  EXPECT_THAT(back.err, HasSubstr("12 run(s) taken from the run store"));
  EXPECT_THAT(back.err, Not(HasSubstr("training")));
  expect_reference_outputs(out);
  EXPECT_EQ(history(out).size(), 2u);

  // Back and forth again: both sweeps are kept already, so history does not grow.
  for (const std::vector<std::string>& overrides :
       {std::vector<std::string>{"train.epochs=1"}, std::vector<std::string>{}}) {
    const CommandResult again = run(out, overrides);
    ASSERT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_THAT(again.err, HasSubstr("already keeps (the same runs): not kept twice"));
    EXPECT_EQ(history(out).size(), 2u);
  }
  expect_reference_outputs(out);
  EXPECT_EQ(read_text(kept / "results.json"), first_results);

  // The kept sweep reads back like any other.
  const CommandResult shown = actbench({"show", kept.string()});
  ASSERT_EQ(shown.exit_code, 0) << shown.describe();
  EXPECT_THAT(shown.out, HasSubstr("12 of 12 runs finished"));
}

// Run from a git checkout, every sweep uses the checkout's store, wherever its --out: a sweep
// written outside results/ takes the runs another one trained.
TEST_F(Store, SweepsRunFromACheckoutShareItsStoreWhateverTheirOutput) {
  const fs::path checkout = tmp_ / "checkout";
  fs::create_directories(checkout / ".git");
  fs::create_directories(checkout / "sub");  // run from a subdirectory of the checkout
  const CommandResult first = actbench_test::run_actbench(
      args("run", checkout / "results" / "one", {"sweep.train.seed=[0]"}), checkout / "sub");
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  const fs::path store = checkout / "results" / ".actbench-store";
  EXPECT_THAT(first.err, HasSubstr("run store " + store.string() + ": the store of the checkout " +
                                   checkout.string()));
  const CommandResult elsewhere = actbench_test::run_actbench(
      args("run", tmp_ / "elsewhere" / "one", {"sweep.train.seed=[0]"}), checkout);
  ASSERT_EQ(elsewhere.exit_code, 0) << elsewhere.describe();
  EXPECT_THAT(elsewhere.err, HasSubstr("4 run(s) taken from the run store " + store.string()));
  EXPECT_THAT(elsewhere.err, Not(HasSubstr("training")));
  EXPECT_FALSE(fs::exists(tmp_ / "elsewhere" / ".actbench-store"));
  // Outside a checkout: the user's store ($XDG_DATA_HOME/actbench/store, here tmp_'s), one for
  // every --out: a sweep written anywhere else trains nothing again.
  const CommandResult outside = run(tmp_ / "outside" / "a", {"sweep.train.seed=[0]"});
  ASSERT_EQ(outside.exit_code, 0) << outside.describe();
  EXPECT_THAT(outside.err, HasSubstr("run store " + Store::store().string() +
                                     ": your store (not in a "
                                     "git checkout"));
  const CommandResult moved = run(tmp_ / "somewhere" / "else", {"sweep.train.seed=[0]"});
  ASSERT_EQ(moved.exit_code, 0) << moved.describe();
  EXPECT_THAT(moved.err, HasSubstr("4 run(s) taken from the run store " + Store::store().string()));
  EXPECT_THAT(moved.err, Not(HasSubstr("training")));
  // Without $HOME and $XDG_DATA_HOME: beside the output directory, and the log says how to share.
  const CommandResult bare = actbench_test::run_captured(
      "bash -c 'cd \"$0\" && exec env -u HOME -u XDG_DATA_HOME \"$@\"'",
      {tmp_.path().string(), ACTBENCH_BINARY, "run", "--config", config().string(),
       "activations=relu", "train.epochs=1", "--out", (tmp_ / "bare" / "x").string()});
  ASSERT_EQ(bare.exit_code, 0) << bare.describe();
  EXPECT_THAT(bare.err, HasSubstr("beside the output directory (not in a git checkout"));
  EXPECT_TRUE(fs::is_directory(tmp_ / "bare" / ".actbench-store"));
}

// History keeps the most of a sweep once: an entry holding the same sweep with fewer finished runs
// is replaced by the fuller copy, not kept beside it.
TEST_F(Store, AFullerCopyOfAKeptSweepReplacesItInHistory) {
  const fs::path out = tmp_ / "fuller";
  copy_reference_sweep(out);
  const fs::path partial = out / "history" / "20260101T000000Z_train.epochs";
  fs::create_directories(partial);
  for (const char* f : {"plan.json", "runs"}) {
    fs::copy(out / f, partial / f, fs::copy_options::recursive);
  }
  std::vector<fs::path> runs;
  for (const auto& e : fs::directory_iterator(partial / "runs")) runs.push_back(e.path());
  std::sort(runs.begin(), runs.end());
  fs::remove(runs[0]);
  fs::remove(runs[1]);
  const CommandResult edited = run(out, {"train.epochs=1"});
  ASSERT_EQ(edited.exit_code, 0) << edited.describe();
  EXPECT_THAT(edited.err, HasSubstr("it replaces 20260101T000000Z_train.epochs, an earlier copy "
                                    "with fewer finished runs"));
  ASSERT_EQ(history(out).size(), 1u);
  EXPECT_EQ(run_files(history(out)[0]), kRuns);
  EXPECT_FALSE(fs::exists(partial));
}

// A reader of DIR (plot, show, export) holds it shared: a run of an edited config waits for it
// before it moves DIR's files (plots/ included) to history, then goes on.
TEST_F(Store, ARunWaitsForAReaderBeforeMovingTheEarlierSweepToHistory) {
  const fs::path out = tmp_ / "read";
  copy_reference_sweep(out);
  ::close(::open((out / ".actbench.readers").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  fs::create_directories(out / "plots");
  actbench_test::write_text(out / "plots" / "figure.png", "drawing");
  const int reader = ::open((out / ".actbench.readers").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  ASSERT_EQ(::flock(reader, LOCK_SH), 0);  // as actbench plot holds it
  const fs::path log = tmp_ / "edited.log";
  // The binary itself, not a fork of this process: a fork would inherit `reader`, lock and all.
  ::setenv("ACTBENCH_TEST_EXEC", "1", 1);
  const pid_t pid =
      actbench_test::spawn_actbench(args("run", out, {"train.epochs=1"}), tmp_.path(), log);
  ::unsetenv("ACTBENCH_TEST_EXEC");
  ASSERT_GT(pid, 0);
  bool waiting = false;
  for (int i = 0; i < 600 && !waiting; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    waiting =
        fs::exists(log) && read_text(log).find("waiting for a reader of") != std::string::npos;
  }
  EXPECT_TRUE(waiting) << (fs::exists(log) ? read_text(log) : "no log");
  EXPECT_TRUE(fs::exists(out / "plots" / "figure.png"));  // nothing moved while it reads
  EXPECT_TRUE(history(out).empty());
  ::close(reader);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << read_text(log);
  ASSERT_EQ(history(out).size(), 1u);
  EXPECT_EQ(read_text(history(out)[0] / "plots" / "figure.png"), "drawing");
}

// Another sweep cannot take a directory while a sweep runs there (the lock), a second process of
// the same sweep can (shards, or the same command twice), and a sweep killed with -9 leaves no lock
// behind.
TEST_F(Store, ConcurrentSweepsInOneDirectoryNeverMix) {
  const fs::path out = tmp_ / "busy";
  // The first sweep stops (SIGSTOP) right after it took the directory and wrote plan.json.
  const pid_t first = actbench_test::spawn_actbench(
      args("run", out, {"--debug-raise-after", "0:STOP"}), tmp_.path(), tmp_ / "first.log");
  ASSERT_GT(first, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(first, &status, WUNTRACED), first);
  ASSERT_TRUE(WIFSTOPPED(status)) << read_text(tmp_ / "first.log");

  const auto before = actbench_test::tree_listing(out);
  expect_user_error(run(out, {"train.epochs=1"}), "another sweep (other runs) is running in");
  EXPECT_EQ(actbench_test::tree_listing(out), before);

  // The same sweep meanwhile: allowed, and both end with the reference's numbers.
  const CommandResult twin = run(out);
  ASSERT_EQ(twin.exit_code, 0) << twin.describe();
  expect_reference_outputs(out);

  ASSERT_EQ(::kill(first, SIGCONT), 0);
  ASSERT_EQ(::waitpid(first, &status, 0), first);
  ASSERT_TRUE(WIFEXITED(status)) << read_text(tmp_ / "first.log");
  EXPECT_EQ(WEXITSTATUS(status), 0) << read_text(tmp_ / "first.log");
  expect_reference_outputs(out);
  EXPECT_FALSE(fs::exists(out / "history"));

  // kill -9 while holding the directory: the kernel drops the lock; another sweep takes it.
  const CommandResult killed = run(out, {"--fresh", "--debug-raise-after", "0:KILL"});
  EXPECT_EQ(killed.exit_code, 128 + SIGKILL) << killed.describe();
  const CommandResult other = run(out, {"train.epochs=1"});
  ASSERT_EQ(other.exit_code, 0) << other.describe();
  EXPECT_EQ(history(out).size(), 1u);
}

// Two sweeps writing the same runs into one store at once (two directories): both finish with the
// reference's numbers, and the store holds each run once, whole.
TEST_F(Store, TwoSweepsWritingOneStoreAtOnceBothFinish) {
  const pid_t a =
      actbench_test::spawn_actbench(args("run", tmp_ / "a"), tmp_.path(), tmp_ / "a.log");
  const CommandResult b = run(tmp_ / "b");
  int status = 0;
  ASSERT_EQ(::waitpid(a, &status, 0), a);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << read_text(tmp_ / "a.log");
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  expect_reference_outputs(tmp_ / "a");
  expect_reference_outputs(tmp_ / "b");
  EXPECT_EQ(entries().size(), kRuns);
  for (const auto& f : entries()) {
    const Json e = Json::parse(read_text(f));
    EXPECT_EQ(e["schema"], "actbench.store-entry/1") << f;
  }
}

// Every run and results.json say what produced them.
TEST_F(Store, ResultsRecordTheirProvenance) {
  const fs::path out = tmp_ / "prov";
  const CommandResult r = run(out, {"sweep.train.seed=[0]"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const Json results = Json::parse(read_text(out / "results.json"));
  EXPECT_EQ(results["schema"], "actbench.results/5");
  const Json& p = results["provenance"];
  std::vector<std::string> command{ACTBENCH_BINARY};
  for (const auto& a : args("run", out, {"sweep.train.seed=[0]"})) command.push_back(a);
  EXPECT_EQ(p["command"], Json(command));
  EXPECT_THAT(p["build"]["git_commit"].get<std::string>(),
              ContainsRegex("^([0-9a-f]{40}|unknown)$"));
  EXPECT_TRUE(p["build"]["git_dirty"].is_boolean());
  EXPECT_FALSE(p["build"]["compiler"].get<std::string>().empty());
  EXPECT_FALSE(p["host"].get<std::string>().empty());
  EXPECT_GE(p["cpu"]["usable_cores"].get<int>(), 1);
  EXPECT_TRUE(p["os"]["kernel"].is_string());
  EXPECT_TRUE(p["blas"].is_object());
  EXPECT_EQ(p["libtorch"], results["libtorch_version"]);
  EXPECT_EQ(results["store"], fs::absolute(store()).lexically_normal().string());
  ASSERT_EQ(results["runs"].size(), 4u);
  for (const auto& run : results["runs"]) {
    EXPECT_TRUE(run["provenance"].is_object());
    EXPECT_LE(run["provenance"]["started_at"].get<std::string>(),
              run["provenance"]["finished_at"].get<std::string>());
    const Json& key = run["store_key"];
    EXPECT_EQ(key["device_type"], "cpu");
    EXPECT_EQ(key["actbench_version"], ACTBENCH_VERSION);
    EXPECT_EQ(key["libtorch_version"], results["libtorch_version"]);
    EXPECT_FALSE(key["settings"]["data"].contains("dir"));
    ASSERT_EQ(key["data"].size(), 4u);
    for (const auto& [name, sha] : key["data"].items()) {
      EXPECT_EQ(sha, actbench::sha256_file(actbench_test::synthetic_mnist_dir() / name)) << name;
    }
  }
}

// ---- reading sweeps back ----

TEST_F(Store, LsShowAndCompareReadSweepsWithoutWritingAnything) {
  // The three-seed sweep: the reference, copied (what its run printed kept with it).
  const CommandResult& three = reference().result;
  ASSERT_EQ(three.exit_code, 0) << three.describe();
  copy_reference_sweep(tmp_ / "three");
  const CommandResult one = run(tmp_ / "one", {"sweep.train.seed=[0]", "train.epochs=1"});
  ASSERT_EQ(one.exit_code, 0);
  const auto before = actbench_test::tree_listing(tmp_.path());

  const CommandResult ls = actbench({"ls", tmp_.path().string()});
  ASSERT_EQ(ls.exit_code, 0) << ls.describe();
  EXPECT_THAT(ls.out, ContainsRegex("three +tiny +[0-9T:-]+Z +12/12 +MNIST +[A-Za-z]+ [0-9.]+ ± "));
  EXPECT_THAT(ls.out, ContainsRegex("one +tiny +[0-9T:-]+Z +4/4 +MNIST"));
  EXPECT_THAT(ls.out, Not(HasSubstr(".actbench-store")));

  // show: what run printed, again.
  const CommandResult show = actbench({"show", (tmp_ / "three").string()});
  ASSERT_EQ(show.exit_code, 0) << show.describe();
  EXPECT_THAT(show.out, HasSubstr(three.out));
  const CommandResult tanh = actbench({"show", (tmp_ / "three").string(), "--baseline", "tanh"});
  ASSERT_EQ(tanh.exit_code, 0) << tanh.describe();
  EXPECT_THAT(tanh.out, HasSubstr("against Tanh"));

  // compare: one row per activation, one column per sweep, or per value of --by.
  const CommandResult c = actbench({"compare", (tmp_ / "three").string(), (tmp_ / "one").string()});
  ASSERT_EQ(c.exit_code, 0) << c.describe();
  const auto lines = actbench_test::lines_of(c.out);
  ASSERT_GE(lines.size(), 5u) << c.out;
  // Each column named by every setting in which the sweeps differ (not only the one asked).
  EXPECT_THAT(lines[0], ContainsRegex("^activation +three \\(seeds=3, epochs=2\\) +one "
                                      "\\(seeds=1, epochs=1\\)$"));
  EXPECT_THAT(lines[1], ContainsRegex("^ReLU +[0-9.]+ ± [0-9.]+ +[0-9.]+$"));
  EXPECT_THAT(c.out, HasSubstr("3 seed(s)"));
  const CommandResult by = actbench(
      {"compare", (tmp_ / "three").string(), (tmp_ / "one").string(), "--by", "train.epochs"});
  ASSERT_EQ(by.exit_code, 0) << by.describe();
  EXPECT_THAT(actbench_test::lines_of(by.out)[0],
              ContainsRegex("^activation +epochs=2 \\(seeds=3\\) +epochs=1 \\(seeds=1\\)$"));
  // diff: the settings and provenance that differ, for two sweeps and for two runs.
  const CommandResult diff =
      actbench({"diff", (tmp_ / "three").string(), (tmp_ / "one").string(), "--json"});
  ASSERT_EQ(diff.exit_code, 0) << diff.describe();
  const Json d = Json::parse(diff.out);
  std::map<std::string, std::pair<std::string, std::string>> differ;
  for (const auto& e : d["settings"]) differ[e["key"]] = {e["a"], e["b"]};
  EXPECT_EQ(differ["train.epochs"], std::make_pair(std::string("2"), std::string("1")));
  EXPECT_EQ(differ["sweep.train.seed"], std::make_pair(std::string("[0,1,2]"), std::string("[0]")));
  EXPECT_FALSE(differ.count("data.train_limit"));
  EXPECT_TRUE(d["provenance"].empty()) << d["provenance"];  // one machine, one build
  const fs::path runs = tmp_ / "three" / "runs";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(runs)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  const CommandResult runs_diff = actbench({"diff", files[0].string(), files[1].string()});
  ASSERT_EQ(runs_diff.exit_code, 0) << runs_diff.describe();
  EXPECT_THAT(runs_diff.out, HasSubstr("settings:"));
  EXPECT_THAT(runs_diff.out, HasSubstr("provenance (versions, build, BLAS kernel, CPU, device, "
                                       "data): the same"));
  actbench_test::expect_user_error(
      actbench({"diff", (tmp_ / "three").string(), (tmp_ / "none").string()}), "not found");
  actbench_test::expect_user_error(
      actbench({"diff", (tmp_ / "three").string(), (tmp_ / "three" / "runs").string()}),
      "holds no sweep");
  const CommandResult tex = actbench({"export", (tmp_ / "three").string(), "--format", "latex"});
  ASSERT_EQ(tex.exit_code, 0) << tex.describe();
  EXPECT_THAT(tex.out, HasSubstr("\\toprule"));
  EXPECT_THAT(tex.out, HasSubstr("\\label{tab:three}"));

  // --json: the same answers for scripts, JSON alone on stdout.
  const CommandResult ls_json = actbench({"ls", tmp_.path().string(), "--json"});
  ASSERT_EQ(ls_json.exit_code, 0) << ls_json.describe();
  const Json listed = Json::parse(ls_json.out);
  ASSERT_EQ(listed.size(), 2u) << ls_json.out;
  for (const auto& s : listed) {
    EXPECT_EQ(s.at("runs_finished"), s.at("runs_planned")) << s;
    EXPECT_EQ(s.at("dataset"), "MNIST");
  }
  const CommandResult show_json = actbench({"show", (tmp_ / "three").string(), "--json"});
  ASSERT_EQ(show_json.exit_code, 0) << show_json.describe();
  const Json shown = Json::parse(show_json.out);
  EXPECT_EQ(shown.at("summary").at("schema"), "actbench.summary/3");
  EXPECT_EQ(shown.at("summary").at("runs_finished"), 12);
  EXPECT_EQ(shown.at("summary").at("table"),
            Json::parse(read_text(tmp_ / "three" / "summary.json")).at("table"));
  const CommandResult c_json =
      actbench({"compare", (tmp_ / "three").string(), (tmp_ / "one").string(), "--json"});
  ASSERT_EQ(c_json.exit_code, 0) << c_json.describe();
  const Json compared = Json::parse(c_json.out);
  EXPECT_EQ(compared.at("columns"),
            Json({"activation", "three (seeds=3, epochs=2)", "one (seeds=1, epochs=1)"}));
  ASSERT_EQ(compared.at("rows").size(), 4u) << c.out;
  EXPECT_EQ(compared.at("rows")[0][0], "ReLU");
  EXPECT_EQ(actbench_test::tree_listing(tmp_.path()), before)
      << "a reading command wrote something";
}

// Two sweeps that differ in one setting, over the same seeds: compare tests each activation's
// per-seed differences as a sweep tests its own (paired t, Wilcoxon, Holm over the table); sweeps
// that differ in more than that are shown side by side but not tested.
TEST_F(Store, CompareTestsPairedDifferencesAcrossSweepsThatDifferInOneSetting) {
  copy_reference_sweep(tmp_ / "base");
  // A rate slow enough that two epochs leave the synthetic data's runs apart.
  ASSERT_EQ(run(tmp_ / "slow", {"train.lr=0.0002", "--jobs", "1"}).exit_code, 0);  // as base
  ASSERT_EQ(run(tmp_ / "other", {"train.lr=0.0002", "train.batch_size=32"}).exit_code, 0);
  const CommandResult c = actbench({"compare", (tmp_ / "base").string(), (tmp_ / "slow").string(),
                                    (tmp_ / "other").string(), "--json"});
  ASSERT_EQ(c.exit_code, 0) << c.describe();
  const Json paired = Json::parse(c.out).at("paired");
  EXPECT_THAT(paired.at("title").get<std::string>(), HasSubstr("runs paired by seed"));
  ASSERT_EQ(paired.at("differences").size(), 4u) << paired.dump(1);
  ASSERT_EQ(paired.at("notes").size(), 1u);
  EXPECT_THAT(paired.at("notes")[0].get<std::string>(),
              HasSubstr("not tested: other against base (they differ in train.batch_size, "
                        "train.lr, not in one setting)"));
  // The differences are the runs' own: slow minus base, seed by seed.
  const auto finals = [](const fs::path& dir, const std::string& label) {
    std::map<int64_t, double> out;
    const Json results = Json::parse(read_text(dir / "results.json"));
    for (const auto& r : results.at("runs")) {
      if (r.at("label") == label) {
        out[r.at("config").at("train").at("seed").get<int64_t>()] =
            r.at("final").at("test_accuracy").get<double>();
      }
    }
    return out;
  };
  const auto base = finals(tmp_ / "base", "Sigmoid"), slow = finals(tmp_ / "slow", "Sigmoid");
  ASSERT_EQ(base.size(), 3u);
  std::vector<double> d;
  for (const auto& [seed, v] : slow) d.push_back(v - base.at(seed));
  ASSERT_NE(d, std::vector<double>(3, 0.0)) << "the test needs runs that differ";
  const Json& sigmoid = paired.at("differences")[1];
  EXPECT_EQ(sigmoid.at("activation"), "Sigmoid at lr=0.0002");
  EXPECT_EQ(sigmoid.at("seeds"), Json({0, 1, 2}));
  EXPECT_NEAR(sigmoid.at("final_test_accuracy").at("mean").get<double>(), (d[0] + d[1] + d[2]) / 3,
              1e-12);
  EXPECT_EQ(sigmoid.at("tests").at("n"), 3);
  EXPECT_EQ(sigmoid.at("tests").at("comparisons"), 4);
  EXPECT_TRUE(sigmoid.at("tests").at("holm_p").is_number());
  // As a table under the comparison.
  const CommandResult t = actbench({"compare", (tmp_ / "base").string(), (tmp_ / "slow").string()});
  ASSERT_EQ(t.exit_code, 0) << t.describe();
  EXPECT_THAT(t.out, HasSubstr("Paired differences in final test accuracy against base"));
  EXPECT_THAT(t.out, ContainsRegex("slow +Sigmoid at lr=0.0002 is [0-9.]+ ± [0-9.]+ points "
                                   "(above|below) Sigmoid at lr=0.001 +3 "));

  // Timings side by side only with what they were timed under: alike here; a sweep timed on
  // another host is named as not comparable.
  const CommandResult timed = actbench({"compare", (tmp_ / "base").string(),
                                        (tmp_ / "slow").string(), "--metric", "seconds_per_epoch"});
  ASSERT_EQ(timed.exit_code, 0) << timed.describe();
  EXPECT_THAT(timed.out, ContainsRegex("\nReLU +[0-9]+\\.[0-9]{2} +[0-9]+\\.[0-9]{2}\n"));
  EXPECT_THAT(timed.out, HasSubstr("timed under the same recorded conditions"));
  fs::copy(tmp_ / "slow", tmp_ / "elsewhere", fs::copy_options::recursive);
  fs::remove_all(tmp_ / "elsewhere" / "plan.json");  // shown from its results and summary alone
  Json moved = Json::parse(read_text(tmp_ / "elsewhere" / "results.json"));
  moved["provenance"]["host"] = "node12";  // as if timed there (and written there: stamped)
  actbench_test::write_text(tmp_ / "elsewhere" / "results.json",
                            actbench::with_checksum(moved).dump());
  const CommandResult apart =
      actbench({"compare", (tmp_ / "base").string(), (tmp_ / "elsewhere").string(), "--metric",
                "seconds_per_epoch"});
  ASSERT_EQ(apart.exit_code, 0) << apart.describe();
  EXPECT_THAT(apart.out, HasSubstr("timings NOT comparable"));
  EXPECT_THAT(apart.out, HasSubstr(" vs node12"));
  expect_user_error(actbench({"compare", (tmp_ / "base").string(), "--metric", "speed"}),
                    "--metric: speed not in");
}

TEST_F(Store, LsShowAndCompareAnswerBadInputWithOneLine) {
  copy_reference_sweep(tmp_ / "three");
  const std::string three = (tmp_ / "three").string();
  expect_user_error(actbench({"ls", (tmp_ / "nope").string()}), "nope) not found");
  expect_user_error(actbench({"ls", (tmp_ / "three" / "plan.json").string()}),
                    "plan.json is a file, not a directory");
  expect_user_error(actbench({"show", (tmp_ / "nope").string()}), "not found");
  expect_user_error(actbench({"show", (tmp_ / "three" / "plan.json").string()}),
                    "plan.json is a file, not a directory");
  fs::create_directories(tmp_ / "empty");
  expect_user_error(actbench({"show", (tmp_ / "empty").string()}), "holds no sweep");
  expect_user_error(actbench({"show", three, "--baseline", "gelu"}),
                    "--baseline 'gelu' is not one of the sweep's activations");
  expect_user_error(actbench({"compare"}), "dirs is required");
  expect_user_error(actbench({"export", three, "--format", "xlsx"}),
                    "--format must be csv, latex or markdown, got 'xlsx'");
  expect_user_error(actbench({"export", three, "--spread", "iqr"}), "--spread must be ci95 or sd");
  expect_user_error(actbench({"compare", three, "--by", "train.lrr"}),
                    "not a config key (did you mean train.lr?)");
  expect_user_error(actbench({"compare", three, three, "--by", "train.epochs"}),
                    "ReLU at epochs=2 is in");
  expect_user_error(actbench({"compare", three, "--by", "train.seed"}),
                    "sweeps train.seed and reports means over it");
  // A damaged summary.json without a plan: named, not trusted.
  fs::create_directories(tmp_ / "sent");
  actbench_test::write_text(tmp_ / "sent" / "summary.json", "{\"schema\": \"actbench.summary/1\"}");
  expect_user_error(actbench({"show", (tmp_ / "sent").string()}), "not an actbench.summary/3");
  // results.json and summary.json carry a checksum of their content: a sweep sent without its
  // plan and runs shows as it is, and an edited number there is named, in every reader.
  fs::create_directories(tmp_ / "copy");
  for (const char* f : {"results.json", "summary.json"}) {
    const Json doc = Json::parse(read_text(tmp_ / "three" / f));
    EXPECT_THAT(doc.at("checksum").get<std::string>(), ::testing::MatchesRegex("sha256:[0-9a-f]+"));
    fs::copy_file(tmp_ / "three" / f, tmp_ / "copy" / f);
  }
  ASSERT_EQ(actbench({"show", (tmp_ / "copy").string()}).exit_code, 0);
  for (const char* f : {"summary.json", "results.json"}) {
    const std::string intact = read_text(tmp_ / "copy" / f);
    Json edited = Json::parse(intact);
    edited["runs_planned"] = 13;  // a number changed by hand
    actbench_test::write_text(tmp_ / "copy" / f, edited.dump(2));
    const std::string damaged = std::string(f) +
                                " is damaged: its content does not match its "
                                "checksum";
    expect_user_error(actbench({"show", (tmp_ / "copy").string()}), damaged);
    if (std::string(f) == "results.json") {  // what diff reads of a sweep without a plan
      expect_user_error(actbench({"diff", (tmp_ / "copy").string(), three}), damaged);
    }
    actbench_test::write_text(tmp_ / "copy" / f, intact);
  }
  const CommandResult empty_ls = actbench({"ls", (tmp_ / "empty").string()});
  EXPECT_EQ(empty_ls.exit_code, 0);
  EXPECT_THAT(empty_ls.err, HasSubstr("no sweeps under"));
}

}  // namespace
