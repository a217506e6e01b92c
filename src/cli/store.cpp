// `actbench store verify [--store DIR] [--repair]`: every entry of a run store checked.
#include <cstdlib>
#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>

#include "cli/subcommands.h"
#include "store/run_store.h"
#include "util/error.h"
#include "util/fs.h"

namespace actbench::cli {
namespace {

const char* kStoreExamples = R"(
Examples:
  actbench store verify                              this checkout's (results/.actbench-store)
  actbench store verify --store /shared/actbench-store
  actbench store verify --repair                     damaged entries moved to STORE/damaged/

Each entry is read as a sweep reads it (bounded, its schema, the key its file name names, a whole
run, the checksum of its content). verify prints each damaged entry with what is wrong and exits
1 if there is one, 0 if none; --repair moves them to STORE/damaged/ (nothing is deleted), so that
the next sweep that needs their runs trains them again, and exits 0.)";

struct VerifyOptions {
  std::optional<std::string> store;
  bool repair = false;
};

int run_verify(const VerifyOptions& o) {
  // Without --store or $ACTBENCH_STORE: the store a sweep into results/<name> uses.
  const std::filesystem::path root = resolve_store_dir(o.store, "results/any");
  check_path(root, PathKind::kDirectory, "run store",
             "run store " + root.string() +
                 " not found; name one with --store DIR or $ACTBENCH_STORE (a sweep makes it)");
  if (const std::string w = writable_by_everyone_warning(root); !w.empty()) spdlog::warn("{}", w);
  const StoreCheck check = RunStore(root).verify(o.repair);
  for (size_t i = 0; i < check.damaged.size(); ++i) {
    const auto& [path, why] = check.damaged[i];
    std::cout << "damaged  " << path.string() << ": " << why;
    if (o.repair) std::cout << " (moved to " << check.moved[i].string() << ")";
    std::cout << "\n";
  }
  std::cout << root.string() << ": " << check.entries << " entries, " << check.damaged.size()
            << " damaged" << (o.repair && !check.damaged.empty() ? ", moved to damaged/" : "")
            << "\n";
  return check.damaged.empty() || o.repair ? kExitOk : kExitFailure;
}

}  // namespace

void setup_store(CLI::App& app, int& status) {
  CLI::App* store = app.add_subcommand("store", "Check the run store");
  store->require_subcommand(1);
  store->footer(kStoreExamples);
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* verify =
      add_command(*store, "verify",
                  "Check every entry of the run store (--repair: move the damaged "
                  "ones aside)",
                  kStoreExamples, status, [options] { return run_verify(*options); });
  verify
      ->add_option("--store", options->store,
                   "the run store (default: $ACTBENCH_STORE, else the git checkout's "
                   "results/.actbench-store, else results/.actbench-store here)")
      ->type_name("DIR");
  verify->add_flag("--repair", options->repair,
                   "move each damaged entry to STORE/damaged/ (its run is trained again when "
                   "needed)");
}

}  // namespace actbench::cli
