#include "sweep/stages.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "store/run_store.h"
#include "sweep/survey.h"
#include "sweep/sweep_dir.h"
#include "util/error.h"
#include "util/stop_signals.h"

namespace actbench {
namespace fs = std::filesystem;
using Json = nlohmann::json;

std::optional<std::map<std::string, Json>> finished_entries(const Plan& plan,
                                                            const fs::path& store_dir,
                                                            const torch::Device& device) {
  const Survey s = survey_sweep(plan, store_dir, device, std::nullopt, false);
  if (s.count(RunAction::kTrain) > 0) return std::nullopt;
  std::map<std::string, Json> entries;
  const fs::path dir(plan.base.out);
  for (const auto& d : s.decisions) {
    const PlannedRun& r = *d.run;
    if (d.action == RunAction::kReuse) {
      entries[r.id] = sweep_entry(r, *d.stored, s.keys[r.index], true);
      continue;
    }
    std::string why;
    auto e = read_run_entry(dir, r.id, r.identity, &s.keys[r.index], why);
    if (!e) return std::nullopt;  // gone meanwhile
    entries[r.id] = std::move(*e);
  }
  return entries;
}

namespace {

// DIR/.actbench.shard-K-of-N: held (flock, exclusive) by the process working on shard K of the
// stage in DIR, so that a shard that finished its own part can tell which others are not running
// (not yet started by the scheduler, or dead) and train their parts itself. -1 when it cannot be
// opened (no locks then: the shards wait for each other as before).
int open_shard_lock(const fs::path& dir, const Shard& s) {
  return ::open(
      (dir / (".actbench.shard-" + std::to_string(s.k) + "-of-" + std::to_string(s.n))).c_str(),
      O_RDWR | O_CREAT | O_CLOEXEC, 0644);
}

bool try_lock(int fd) {
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EINTR) return false;
  }
  return true;
}

// Sleeps about `ms` milliseconds unless a stop signal comes; the signal, or 0.
int pause_unless_stopped(int ms) {
  for (int i = 0; i < ms / 100 && stop_signal().load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return stop_signal().load();
}

// Trains the unfinished runs of every other shard whose process is not running. Exit status.
int take_over_idle_shards(const Plan& plan, const SweepOptions& options, const std::string& what) {
  const Shard mine = *options.shard;
  for (int64_t j = 1; j <= mine.n; ++j) {
    if (j == mine.k) continue;
    const Shard other{j, mine.n};
    const int fd = open_shard_lock(plan.base.out, other);
    if (fd < 0 || !try_lock(fd)) {
      if (fd >= 0) ::close(fd);
      continue;  // running: its process trains its part
    }
    spdlog::info(
        "shard {}/{} trains the unfinished runs of shard {}/{} of {} (no process of it is "
        "running: the scheduler has not started it, or it died)",
        mine.k, mine.n, j, mine.n, what);
    SweepOptions o = options;
    o.shard = other;
    const int status = run_sweep(plan, o);
    ::close(fd);
    if (status != kExitOk) return status;
  }
  return kExitOk;
}

}  // namespace

int run_stage(const Plan& plan, const SweepOptions& options, const fs::path& store_dir,
              const torch::Device& device, const std::string& what,
              std::optional<std::map<std::string, Json>>& entries) {
  int own = -1;
  if (options.shard) {
    std::error_code ec;
    fs::create_directories(plan.base.out, ec);
    own = open_shard_lock(plan.base.out, *options.shard);
    // Another process of this shard (or one taking it over) holds it: wait for it.
    while (own >= 0 && !try_lock(own)) {
      if (const int sig = pause_unless_stopped(500); sig != 0) {
        ::close(own);
        return 128 + sig;
      }
    }
  }
  struct Release {
    int fd;
    ~Release() {
      if (fd >= 0) ::close(fd);
    }
  } release{own};
  const int status = run_sweep(plan, options);
  if (status != kExitOk) return status;
  entries = finished_entries(plan, store_dir, device);
  if (entries || !options.shard) return kExitOk;
  // The other shards' parts of this stage: a shard decides the next stage only from the whole of
  // this one. The parts of shards that are not running it trains itself (so the stage ends
  // whatever the scheduler runs at a time); for the others it waits. Interrupting leaves
  // everything finished in place.
  const StopSignals signals;
  spdlog::info("shard {}/{} waiting for the other shards' runs of {}", options.shard->k,
               options.shard->n, what);
  while (!(entries = finished_entries(plan, store_dir, device))) {
    if (const int s = take_over_idle_shards(plan, options, what); s != kExitOk) return s;
    if ((entries = finished_entries(plan, store_dir, device))) break;
    if (const int sig = pause_unless_stopped(2000); sig != 0) {
      spdlog::warn(
          "interrupted while waiting for the other shards; rerun the same command to go on");
      return 128 + sig;
    }
  }
  return kExitOk;
}

}  // namespace actbench
