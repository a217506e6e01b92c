// The run store: every finished run, kept once under its key -- the settings that determine its
// numbers, the SHA-256 of the data files it read, the actbench and LibTorch versions and the
// device type -- so that a run computed by any sweep is never computed again. Sweeps read from
// and write to it; a sweep directory keeps its own copy of each of its runs (sweep/sweep_dir.h).
//
//   STORE/runs/<2 hex>/<label>-<16 hex>.json   {"schema", "key", "run"}
//
// Where: --store DIR, else $ACTBENCH_STORE, else .actbench-store next to the sweep's directory
// (results/.actbench-store for results/<name>), so that the sweeps of one results root share one
// store, and the shards of a sweep on a cluster file system share it with no extra setting.
//
// Entries are written atomically (temporary file, then rename); a writer killed at any moment
// leaves the old entry or the new one. Two writers of one key (two sweeps computing the same
// run at once) write the same numbers; the last rename wins. An entry that cannot be read or whose
// key is not its file's is reported (`why`) and treated as absent, never trusted.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace actbench {

constexpr const char* kStoreEntrySchema = "actbench.store-entry/1";

// What determines a run's numbers. `settings`: the run's identity less what only names or
// locates things (its label, data.dir, and the device as written: the type is `device_type`);
// `data`: file name -> SHA-256 of the files it read.
struct StoreKey {
  nlohmann::json settings;
  std::map<std::string, std::string> data;
  std::string actbench_version;
  std::string libtorch_version;
  std::string device_type;  // "cpu", "cuda"
  std::string blas_kernel;  // CPU runs: the BLAS kernel (and ATen width) in use, blas_kernel_key()

  nlohmann::json to_json() const;
  std::string hash() const;  // store_key_hash(to_json())
};

// 16 hex digits of the SHA-256 of a store key's canonical text (StoreKey::to_json(), or the key
// an entry holds): what names its entry file.
std::string store_key_hash(const nlohmann::json& key);

// What `actbench store verify` found: every entry file checked, the damaged ones with what is
// wrong, and (with repair) where each was moved.
struct StoreCheck {
  size_t entries = 0;
  std::vector<std::pair<std::filesystem::path, std::string>> damaged;
  std::vector<std::filesystem::path> moved;
};

class RunStore {
 public:
  explicit RunStore(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path entry_path(const std::string& label, const StoreKey& key) const;

  // The stored run for `key`; nullopt when there is none. `why` says what is wrong when an entry
  // exists but cannot be used ("" when there is none).
  std::optional<nlohmann::json> find(const std::string& label, const StoreKey& key,
                                     std::string& why) const;

  // Keeps `run` under `key` (atomically; replaces an entry of the same key).
  void put(const std::string& label, const StoreKey& key, const nlohmann::json& run) const;

  // Creates the store if needed and checks that entries can be written there (InputError
  // otherwise); removes the temporary files of writers killed more than a minute ago.
  void prepare_for_writing() const;

  // Checks every entry as find() does (read bounded, JSON, schema, the key its file name names,
  // a whole run, its checksum), and anything else under runs/ that is not a writer's temporary
  // file. With `repair`, each damaged entry is moved to STORE/damaged/ (same relative path), so
  // that the next sweep that needs its run trains it again; nothing is deleted.
  StoreCheck verify(bool repair) const;

  // Every readable entry's key and run (for estimates); unreadable ones are skipped.
  struct Entry {
    nlohmann::json key;
    nlohmann::json run;
  };
  std::vector<Entry> entries() const;

 private:
  std::filesystem::path root_;
};

// A warning when the store's directory is writable by every user ("" otherwise).
std::string writable_by_everyone_warning(const std::filesystem::path& root);

// Where the run store is, and why there: --store; else $ACTBENCH_STORE; else, when the working
// directory is in a git checkout, the checkout's results/.actbench-store (one store for every
// sweep run from the checkout, wherever its --out); else .actbench-store beside `sweep_dir`.
// Made absolute.
struct StoreChoice {
  std::filesystem::path dir;
  std::string why;  // for the log: "--store", "$ACTBENCH_STORE", "the checkout's (...)", ...
};
StoreChoice choose_store_dir(const std::optional<std::string>& flag,
                             const std::filesystem::path& sweep_dir);

// choose_store_dir(flag, sweep_dir).dir.
std::filesystem::path resolve_store_dir(const std::optional<std::string>& flag,
                                        const std::filesystem::path& sweep_dir);

// The run's settings as a store key's `settings`: `identity` less its label, data.dir and device.
nlohmann::json store_settings(const nlohmann::json& identity);

// SHA-256 of each of the data set's files in `dir` (by file name). Computed once per directory,
// size and modification time in this process.
std::map<std::string, std::string> data_file_hashes(const std::filesystem::path& dir,
                                                    const std::vector<std::string>& names);

}  // namespace actbench
