#include "sweep/sweep_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "config/keys.h"
#include "results/run_shape.h"
#include "summary/summary.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json_checksum.h"
#include "util/stop_signals.h"

namespace actbench {
namespace fs = std::filesystem;
using Json = nlohmann::json;

fs::path checkpoint_dir(const fs::path& dir) {
  return dir / "checkpoints";
}

fs::path checkpoint_file(const fs::path& dir, const std::string& id) {
  return checkpoint_dir(dir) / (id + ".ckpt");
}

fs::path run_file(const fs::path& dir, const std::string& id) {
  return dir / "runs" / (id + ".json");
}

Json sweep_entry(const PlannedRun& run, const Json& stored_run, const StoreKey& key,
                 bool from_store) {
  Json j = stored_run;
  j.erase("from_store");
  if (from_store) j["from_store"] = true;
  j["label"] = run.config.activations.front().label;
  j["id"] = run.id;
  j["name"] = run.name;
  j["point"] = run.point;
  j["config"] = run.identity;
  j["store_key"] = key.to_json();
  return with_checksum(std::move(j));
}

std::optional<Json> read_run_entry(const fs::path& dir, const std::string& id, const Json& identity,
                                   const StoreKey* key, std::string& why) {
  const fs::path path = run_file(dir, id);
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);  // a link to a run file is one
  if (st.type() != fs::file_type::not_found && st.type() != fs::file_type::regular) {
    throw InputError(
        path.string() + " is not a run file (it is " +
        (st.type() == fs::file_type::directory ? "a directory" : "not a regular file") +
        "); remove it and rerun to redo that run");
  }
  std::optional<Json> read = read_json_file(path, why, kRunFileLimit);
  if (!read) return std::nullopt;
  Json& entry = *read;
  if (!entry.is_object() || !entry.contains("id") || entry["id"] != id) {
    why = "its id is not " + id;
  } else if (!entry.contains("config") || entry["config"] != identity) {
    why = "it holds a run with other settings";
  } else if (!entry.contains("status") || !entry.contains("final") || !entry.contains("epochs")) {
    why = "it lacks the status, epochs or final metrics of a run";
  } else if (const std::string p = run_shape_problem(entry); !p.empty()) {
    why = "it is not a whole run: " + p;
  } else if (key != nullptr && !entry.contains("store_key")) {
    why = "it was written by an actbench before the run store (it records no store key)";
  } else if (key != nullptr && entry["store_key"] != key->to_json()) {
    why =
        "it was made by another actbench or LibTorch version, from other data files or on "
        "another device type";
  } else if (const std::string c = checksum_problem(entry); !c.empty()) {
    why = c;
  } else {
    entry.erase("checksum");  // the file's, not the run's: results.json lists runs without it
    return entry;
  }
  return std::nullopt;
}

Plan read_plan_file(const fs::path& dir) {
  const fs::path path = dir / "plan.json";
  check_path(
      dir, PathKind::kDirectory, "sweep directory",
      "sweep directory " + dir.string() + " not found (actbench run ... --out DIR makes one)",
      "give a sweep's directory (its --out)");
  check_path(path, PathKind::kFile, "plan file",
             path.string() + " not found: " + dir.string() +
                 " is not a sweep directory (actbench run ... --out DIR makes one)");
  Json stored;
  try {
    stored = Json::parse(read_file(path));
  } catch (const Json::exception& e) {
    throw InputError(path.string() + ": not valid JSON (" + e.what() + ")");
  }
  const std::string other_version = path.string() + ": not an " + kPlanSchema +
                                    " file of this actbench version; rerun the sweep to rewrite it";
  if (!stored.is_object() || stored.value("schema", "") != kPlanSchema ||
      !stored.contains("runs") || !stored["runs"].is_array() || !stored.contains("config")) {
    throw InputError(other_version);
  }
  if (const std::string c = checksum_problem(stored); !c.empty()) {
    throw InputError(path.string() + ": " + c + "; rerun the sweep into " + dir.string() +
                     " to rewrite it");
  }
  ConfigSource source;
  source.tree = default_config_json();
  Plan plan;
  try {
    merge_config_document(source, stored["config"], path.string());
    plan = make_plan(source);
  } catch (const InputError& e) {
    throw InputError(other_version + " (" + e.what() + ")");
  }
  bool same = plan.runs.size() == stored["runs"].size();
  for (size_t i = 0; same && i < plan.runs.size(); ++i) {
    same = stored["runs"][i].value("id", "") == plan.runs[i].id;
  }
  if (!same) throw InputError(other_version + " (its run ids differ)");
  return plan;
}

namespace {

// The run ids DIR/plan.json lists, in order; nullopt when there is no plan.json; an empty list
// when it cannot be read as a plan.
std::optional<std::vector<std::string>> stored_plan_ids(const fs::path& dir) {
  const fs::path path = dir / "plan.json";
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  std::vector<std::string> ids;
  try {
    const Json stored = Json::parse(read_file(path));
    for (const auto& r : stored.at("runs")) ids.push_back(r.at("id").get<std::string>());
  } catch (const std::exception&) {
    ids.clear();
  }
  return ids;
}

std::vector<std::string> plan_ids(const Plan& plan) {
  std::vector<std::string> ids;
  for (const auto& r : plan.runs) ids.push_back(r.id);
  return ids;
}

// Whether DIR/runs holds a run file whose id is not in `ids`.
bool holds_foreign_runs(const fs::path& dir, const std::vector<std::string>& ids) {
  const std::set<std::string> known(ids.begin(), ids.end());
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir / "runs", ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() == ".json" && p.filename().string()[0] != '.' &&
        !known.count(p.stem().string())) {
      return true;
    }
  }
  return false;
}

// An open lock file in DIR; -1 when the file system offers no locks (then there is no guard).
constexpr const char* kReadersFile = ".actbench.readers";

int open_lock_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw InputError("cannot open " + path.string() + ": " + std::strerror(errno) +
                     "; the sweep directory must be writable");
  }
  return fd;
}

// flock(2) that retries on EINTR; false when it would block; true when locks are unsupported.
bool lock_fd(int fd, int operation) {
  while (::flock(fd, operation) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return false;
    static std::once_flag warned;
    std::call_once(warned, [] {
      spdlog::warn(
          "the file system offers no file locks ({}): concurrent sweeps in one "
          "directory are not guarded",
          std::strerror(errno));
    });
    return true;
  }
  return true;
}

// Held while another sweep's files move to DIR/history/: waits until no reader holds DIR
// (DirReaderLock), polling so that Ctrl-C still ends the wait.
class ReaderExclusion {
 public:
  explicit ReaderExclusion(const fs::path& dir) : fd_(open_lock_file(dir / kReadersFile)) {
    if (lock_fd(fd_, LOCK_EX | LOCK_NB)) return;
    spdlog::info(
        "waiting for a reader of {} (actbench plot, show or export) to finish before moving the "
        "earlier sweep's files to {}/history/",
        dir.string(), dir.string());
    const StopSignals signals;
    while (!lock_fd(fd_, LOCK_EX | LOCK_NB)) {
      if (stop_signal().load() != 0) {
        ::close(fd_);
        throw InputError("interrupted while waiting for a reader of " + dir.string() +
                         "; nothing was moved or written");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~ReaderExclusion() { ::close(fd_); }
  ReaderExclusion(const ReaderExclusion&) = delete;
  ReaderExclusion& operator=(const ReaderExclusion&) = delete;

 private:
  int fd_;
};

}  // namespace

DirReaderLock::DirReaderLock(const fs::path& dir) {
  // No such file (a directory of an earlier actbench, or a co-author's results.json alone): no
  // run of this actbench has held DIR yet, so there is nothing to guard.
  // Reading writes nothing: the file is made by the run that takes DIR (SweepDirLock).
  fd_ = ::open((dir / kReadersFile).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ >= 0) lock_fd(fd_, LOCK_SH);
}

DirReaderLock::~DirReaderLock() {
  if (fd_ >= 0) ::close(fd_);
}

bool holds_other_sweep(const fs::path& dir, const Plan& plan) {
  const auto stored = stored_plan_ids(dir);
  const std::vector<std::string> ids = plan_ids(plan);
  if (stored) {
    // The same sweep, or one that extends it (more seeds, another activation): every run the
    // directory's plan lists is in this one. An unreadable plan is another sweep's.
    if (stored->empty()) return true;
    const std::set<std::string> mine(ids.begin(), ids.end());
    return !std::all_of(stored->begin(), stored->end(),
                        [&](const std::string& id) { return mine.count(id) > 0; });
  }
  std::error_code ec;
  return fs::exists(dir / "results.json", ec) || fs::exists(dir / "summary.json", ec) ||
         holds_foreign_runs(dir, ids);
}

SweepDirLock::SweepDirLock(const fs::path& dir, const Plan& plan, HistoryMove* moved) {
  // The guard: held for the few milliseconds it takes to look at DIR and rotate it.
  const int guard = open_lock_file(dir / ".actbench.lock");
  active_fd_ = open_lock_file(dir / ".actbench.active");
  ::close(open_lock_file(dir / kReadersFile));  // for the readers (DirReaderLock) to come
  try {
    lock_fd(guard, LOCK_EX);
    check_own_outputs(dir);
    if (holds_other_sweep(dir, plan)) {
      // A sweep running in DIR holds `active` shared for as long as it runs.
      if (!lock_fd(active_fd_, LOCK_EX | LOCK_NB)) {
        throw InputError("another sweep (other runs) is running in " + dir.string() +
                         " right now; wait for it to finish or give this one its own directory "
                         "with --out DIR");
      }
      // Nothing a reader (plot, show, export) is reading or writing moves under it.
      const ReaderExclusion readers(dir);
      HistoryMove to = move_to_history(dir, plan.config_json);
      if (moved != nullptr) *moved = std::move(to);
    }
    write_file_atomic(dir / "plan.json", with_checksum(plan_to_json(plan)).dump(2) + "\n");
    lock_fd(active_fd_, LOCK_SH);  // downgrades our own exclusive lock, if we took one
    ::close(guard);
  } catch (...) {
    ::close(guard);
    ::close(active_fd_);
    throw;
  }
}

SweepDirLock::~SweepDirLock() {
  if (active_fd_ >= 0) ::close(active_fd_);
}

void remove_stale_temp_files(const fs::path& dir) {
  for (const fs::path& d : {dir, dir / "runs", dir / "history"}) remove_stale_temp_files_in(d);
}

SweepOutputs collect_outputs(const fs::path& dir, const Plan& plan,
                             const std::vector<StoreKey>& keys, const RunEnvironment& env,
                             const SummaryOptions& summary, bool strict) {
  SweepOutputs out;
  std::vector<Json> entries;
  std::map<std::string, Json> by_id;
  for (const auto& r : plan.runs) {
    const std::string& id = r.id;
    std::string why;
    const StoreKey* key = keys.empty() ? nullptr : &keys.at(r.index);
    std::optional<Json> entry = read_run_entry(dir, id, r.identity, key, why);
    if (!entry) {
      if (strict && !why.empty()) {
        throw InputError(run_file(dir, id).string() + ": " + why +
                         "; remove it and rerun the sweep to redo that run");
      }
      // show, compare: reported, and counted as not finished (never as a result).
      if (!why.empty()) {
        spdlog::warn("{}: {}; counted as not finished (rerun the sweep to redo that run)",
                     run_file(dir, id).string(), why);
      }
      out.missing.push_back(id);
      continue;
    }
    by_id[id] = *entry;
    entries.push_back(std::move(*entry));
  }
  out.results = results_document(plan.config_json, env, entries, out.missing);
  out.summary = build_summary(plan, by_id, summary);
  if (Json tuning = read_tuning_record(dir, plan); !tuning.is_null()) {
    out.summary["tuning"] = std::move(tuning);
  }
  return out;
}

fs::path tuning_record_file(const fs::path& dir) {
  return dir / "tuning.json";
}

Json read_tuning_record(const fs::path& dir, const Plan& plan) {
  std::string why;
  const auto doc = read_json_file(tuning_record_file(dir), why);
  if (!doc || !doc->is_object() || doc->value("schema", "") != kTuningSchema ||
      !checksum_problem(*doc).empty()) {
    if (doc)
      spdlog::warn("{}: {}; not reported", tuning_record_file(dir).string(),
                   why.empty() ? "damaged or not actbench's" : why);
    return nullptr;
  }
  const Json chosen = plan.config_json.value("per_activation", Json::object());
  if (doc->value("chosen_settings", Json()) != chosen) return nullptr;
  Json record = *doc;
  record.erase("checksum");
  return record;
}

void check_own_outputs(const fs::path& dir) {
  const std::string hint = "choose another directory with --out DIR";
  for (const char* sub : {"runs", "history", "checkpoints"}) {
    std::error_code ec;
    const fs::file_status st = fs::status(dir / sub, ec);
    if (st.type() != fs::file_type::not_found && st.type() != fs::file_type::directory) {
      throw InputError((dir / sub).string() + " is not a directory, where actbench keeps a " +
                       "sweep's " + sub + "; move it away or " + hint);
    }
  }
  check_own_file(dir / "plan.json", "actbench.plan/", hint);
  check_own_file(dir / "results.json", "actbench.results/", hint);
  check_own_file(dir / "summary.json", "actbench.summary/", hint);
}

void write_outputs(const fs::path& dir, const SweepOutputs& outputs) {
  write_results(dir, outputs.results);
  write_file_atomic(dir / "summary.json", with_checksum(outputs.summary).dump(2) + "\n");
}

}  // namespace actbench
