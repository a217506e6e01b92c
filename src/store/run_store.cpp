#include "store/run_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <tuple>

#include "results/run_shape.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json_checksum.h"
#include "util/sha256.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;
using Json = nlohmann::json;

Json StoreKey::to_json() const {
  Json key = {{"settings", settings},
              {"data", data},
              {"actbench_version", actbench_version},
              {"libtorch_version", libtorch_version},
              {"device_type", device_type}};
  // Runs of two kernels differ in their last bits: never one entry.
  if (!blas_kernel.empty()) key["blas_kernel"] = blas_kernel;
  return key;
}

std::string store_key_hash(const Json& key) {
  return sha256_hex(key.dump()).substr(0, 16);  // keys sorted: canonical
}

std::string StoreKey::hash() const {
  return store_key_hash(to_json());
}

RunStore::RunStore(fs::path root) : root_(std::move(root)) {}

fs::path RunStore::entry_path(const std::string& label, const StoreKey& key) const {
  const std::string h = key.hash();
  return root_ / "runs" / h.substr(0, 2) / (file_safe_name(label) + "-" + h + ".json");
}

namespace {

// What is wrong with a store entry read from its file ("" when nothing is): `key`, the key it
// must hold (nullptr: any key, named by `hash` in its file name).
std::string entry_problem(const Json& entry, const Json* key, const std::string& hash) {
  if (!entry.is_object() || entry.value("schema", "") != kStoreEntrySchema) {
    return "not an " + std::string(kStoreEntrySchema) + " entry";
  }
  if (!entry.contains("key") || !entry["key"].is_object() ||
      (key != nullptr ? entry["key"] != *key : store_key_hash(entry["key"]) != hash)) {
    return "it holds a run with another key";
  }
  const Json* run = entry.contains("run") ? &entry["run"] : nullptr;
  if (run == nullptr || !run->is_object() || !run->contains("status") || !run->contains("final") ||
      !run->contains("epochs") || !(*run)["epochs"].is_array()) {
    return "it lacks the status, epochs or final metrics of a run";
  }
  if (const std::string p = run_shape_problem(*run); !p.empty()) {
    return "it is not a whole run: " + p;
  }
  return checksum_problem(entry);
}

}  // namespace

std::optional<Json> RunStore::find(const std::string& label, const StoreKey& key,
                                   std::string& why) const {
  const fs::path path = entry_path(label, key);
  // Something else where an entry belongs would be trained for and then fail to be replaced (a
  // directory), or be replaced though actbench never wrote it: refused before any training.
  check_file_slot(path, "the run store keeps a run");
  std::optional<Json> read = read_json_file(path, why, kRunFileLimit);
  if (!read) {
    if (!why.empty()) why = path.string() + ": " + why;
    return std::nullopt;
  }
  Json& entry = *read;
  const Json expected = key.to_json();
  if (const std::string p = entry_problem(entry, &expected, ""); !p.empty()) {
    why = path.string() + ": " + p;
    return std::nullopt;
  }
  return std::move(entry["run"]);
}

StoreCheck RunStore::verify(bool repair) const {
  StoreCheck check;
  std::error_code ec;
  const fs::path runs = root_ / "runs";
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(runs, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // Depth 1 holds the entries; a writer's temporary file (".NAME.tmp.XXXXXX") is not one.
    std::error_code kind_ec;  // not `ec`, which ends the walk
    const bool directory = it->is_directory(kind_ec);
    if (it.depth() == 0 && directory) continue;
    if (it.depth() == 1 && !name.empty() && name[0] == '.') continue;
    if (it.depth() == 1 && directory) it.disable_recursion_pending();
    files.push_back(it->path());
  }
  if (ec) throw InputError("run store " + runs.string() + " cannot be read: " + ec.message());
  std::sort(files.begin(), files.end());
  for (const fs::path& path : files) {
    ++check.entries;
    const std::string stem = path.stem().string();
    const size_t dash = stem.rfind('-');
    const std::string hash = dash == std::string::npos ? "" : stem.substr(dash + 1);
    std::string why;
    if (path.extension() != ".json" || hash.size() != 16 ||
        path.parent_path().filename() != hash.substr(0, 2)) {
      why = "not a store entry's name (runs/<2 hex>/<label>-<16 hex>.json)";
    } else if (std::optional<Json> entry = read_json_file(path, why, kRunFileLimit)) {
      why = entry_problem(*entry, nullptr, hash);
    }
    if (why.empty()) continue;
    check.damaged.push_back({path, why});
    if (repair) {
      // Moved aside, never deleted: the next sweep that needs the run trains it again.
      const fs::path to = root_ / "damaged" / path.lexically_relative(root_);
      fs::create_directories(to.parent_path());
      fs::rename(path, to);
      check.moved.push_back(to);
    }
  }
  return check;
}

std::string writable_by_everyone_warning(const fs::path& root) {
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0 || (st.st_mode & S_IWOTH) == 0) return "";
  return "the run store " + root.string() +
         " is writable by every user of this machine: anyone can change the results it holds "
         "(each entry's checksum finds a change, not who made it); chmod o-w it, or share it "
         "through a group (docs/file-formats.md, \"The run store\")";
}

void RunStore::put(const std::string& label, const StoreKey& key, const Json& run) const {
  const fs::path path = entry_path(label, key);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    throw InputError("cannot create the run store " + path.parent_path().string() + ": " +
                     ec.message() + "; choose another with --store DIR or $ACTBENCH_STORE");
  }
  const Json entry =
      with_checksum({{"schema", kStoreEntrySchema}, {"key", key.to_json()}, {"run", run}});
  write_file_atomic(path, entry.dump(1) + "\n");
}

void RunStore::prepare_for_writing() const {
  const fs::path runs = root_ / "runs";
  prepare_output_dir(runs, "", "choose another run store with --store DIR or $ACTBENCH_STORE");
  std::error_code ec;
  for (auto it = fs::directory_iterator(runs, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->is_directory()) remove_stale_temp_files_in(it->path());
  }
}

std::vector<RunStore::Entry> RunStore::entries() const {
  std::vector<Entry> out;
  std::error_code ec;
  const fs::path runs = root_ / "runs";
  if (!fs::is_directory(runs, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(runs, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    if (it.depth() != 1 || p.extension() != ".json" || p.filename().string()[0] == '.') continue;
    try {
      Json e = Json::parse(read_file(p, kRunFileLimit));
      if (e.is_object() && e.value("schema", "") == kStoreEntrySchema && e.contains("key") &&
          e["key"].is_object() && e.contains("run") && e["run"].is_object() &&
          checksum_problem(e).empty()) {
        out.push_back({std::move(e["key"]), std::move(e["run"])});
      }
    } catch (const std::exception&) {
      // Unreadable entries are reported where they are used (find), not here.
    }
  }
  return out;
}

namespace {

// The root of the git checkout holding the working directory (a directory with a .git entry,
// the working directory or an ancestor), or nullopt.
std::optional<fs::path> checkout_root() {
  std::error_code ec;
  fs::path p = fs::current_path(ec);
  if (ec) return std::nullopt;
  for (int depth = 0; depth < 256 && !p.empty(); ++depth) {
    if (fs::exists(p / ".git", ec)) return p;
    if (p == p.parent_path()) break;
    p = p.parent_path();
  }
  return std::nullopt;
}

}  // namespace

namespace {

// The per-user store: $XDG_DATA_HOME/actbench/store, else $HOME/.local/share/actbench/store
// (the XDG base directory specification's data home); nullopt without either.
std::optional<fs::path> user_store_dir() {
  for (const auto& [var, sub] : {std::pair<const char*, const char*>{"XDG_DATA_HOME", ""},
                                 std::pair<const char*, const char*>{"HOME", ".local/share"}}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v == '/') return fs::path(v) / sub / "actbench" / "store";
  }
  return std::nullopt;
}

}  // namespace

StoreChoice choose_store_dir(const std::optional<std::string>& flag, const fs::path& sweep_dir) {
  StoreChoice c;
  if (flag) {
    if (flag->empty()) throw InputError("--store needs a directory, got an empty string");
    c = {*flag, "--store"};
  } else if (const char* env = std::getenv("ACTBENCH_STORE"); env != nullptr && *env != '\0') {
    c = {env, "$ACTBENCH_STORE"};
  } else if (const auto root = checkout_root()) {
    c = {*root / "results" / ".actbench-store",
         "the store of the checkout " + root->string() +
             ", shared by every sweep run from it whatever its --out"};
  } else if (const auto user = user_store_dir()) {
    c = {*user,
         "your store (not in a git checkout: $XDG_DATA_HOME/actbench/store, else "
         "~/.local/share/actbench/store), shared by every sweep you run whatever its --out"};
  } else {
    const fs::path parent = fs::absolute(sweep_dir).lexically_normal().parent_path();
    c = {parent / ".actbench-store",
         "beside the output directory (not in a git checkout, and no $HOME or $XDG_DATA_HOME); "
         "--store DIR or $ACTBENCH_STORE shares one store between output directories"};
  }
  std::error_code ec;
  if (fs::exists(c.dir, ec) && !fs::is_directory(c.dir, ec)) {
    throw InputError("run store " + c.dir.string() +
                     " exists and is not a directory; choose another with --store DIR or "
                     "$ACTBENCH_STORE");
  }
  c.dir = fs::absolute(c.dir).lexically_normal();
  return c;
}

fs::path resolve_store_dir(const std::optional<std::string>& flag, const fs::path& sweep_dir) {
  return choose_store_dir(flag, sweep_dir).dir;
}

Json store_settings(const Json& identity) {
  Json s = identity;
  s.erase("device");  // "auto", "cpu", "cuda:1": what counts is the key's device_type
  if (s.contains("data") && s["data"].is_object()) s["data"].erase("dir");
  if (s.contains("activations") && s["activations"].is_array()) {
    for (auto& a : s["activations"]) {
      if (a.is_object()) a.erase("label");
    }
  }
  return s;
}

std::map<std::string, std::string> data_file_hashes(const fs::path& dir,
                                                    const std::vector<std::string>& names) {
  // The same files are hashed once per process (plan, then run; several data configs).
  using Stamp = std::tuple<std::string, uintmax_t, fs::file_time_type::rep>;
  static std::mutex mutex;
  static std::map<Stamp, std::string> cache;
  std::map<std::string, std::string> out;
  for (const auto& name : names) {
    const fs::path path = fs::absolute(dir / name);
    std::error_code ec;
    const uintmax_t size = fs::file_size(path, ec);
    const auto mtime = fs::last_write_time(path, ec).time_since_epoch().count();
    const Stamp stamp{path.string(), size, mtime};
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (auto it = cache.find(stamp); !ec && it != cache.end()) {
        out[name] = it->second;
        continue;
      }
    }
    const std::string sha = sha256_file(path);
    std::lock_guard<std::mutex> lock(mutex);
    if (!ec) cache[stamp] = sha;
    out[name] = sha;
  }
  return out;
}

}  // namespace actbench
