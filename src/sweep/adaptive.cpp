#include "sweep/adaptive.h"

#include <iostream>

#include <spdlog/spdlog.h>

#include "config/keys.h"
#include "device/device.h"
#include "store/run_store.h"
#include "summary/differences.h"
#include "summary/summary.h"
#include "sweep/stages.h"
#include "sweep/sweep_dir.h"
#include "util/error.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;

namespace {

// Whether the round `plan` settles the sweep: every paired difference within the target.
bool settled(const Plan& plan, const std::map<std::string, Json>& entries) {
  const Config& c = plan.base;
  const Json summary =
      build_summary(plan, entries, {c.baseline, c.spread, c.seeds.until, c.seeds.min});
  return differences_within(summary.at("differences"), c.seeds.until);
}

int64_t next_round(const SeedsConfig& s, int64_t seeds) {
  return std::min(s.max, seeds + s.step);
}

std::string target_text(const SeedsConfig& s) {
  return "\u00b1" + format_number(s.until) + " points";
}

}  // namespace

Plan plan_with_seeds(const ConfigSource& source, int64_t seeds) {
  ConfigSource round = source;
  const Json first = round.tree.at("train").at("seed");
  const int64_t s0 = first.is_number_integer() ? first.get<int64_t>() : 0;
  SweepAxis axis{"train.seed", {}, "adaptive seeds (seeds.min, seeds.step)"};
  for (int64_t i = 0; i < seeds; ++i) axis.values.push_back(s0 + i);
  round.sweep.push_back(axis);
  return make_plan(round);
}

bool adaptive(const ConfigSource& source) {
  if (config_from_json(source.tree, source.sources).seeds.until <= 0) return false;
  for (const auto& a : source.sweep) {
    if (a.key == "train.seed") {
      throw InputError(
          "seeds.until (adaptive seeds) chooses the seeds itself: do not sweep "
          "train.seed (" +
          a.origin + "); its value is the first seed");
    }
  }
  return true;
}

AdaptiveState adaptive_state(const ConfigSource& source, const SweepOptions& options) {
  const Config base = config_from_json(source.tree, source.sources);
  const SeedsConfig& s = base.seeds;
  const torch::Device device = resolve_device(base.device);
  const fs::path store_dir = resolve_store_dir(options.store, base.out);
  for (int64_t seeds = s.min;; seeds = next_round(s, seeds)) {
    Plan plan = plan_with_seeds(source, seeds);
    const auto entries = options.fresh ? std::nullopt : finished_entries(plan, store_dir, device);
    if (!entries) {
      return {std::move(plan), false,
              "adaptive seeds: round of " + std::to_string(seeds) + " seeds (up to " +
                  std::to_string(s.max) + ", until every paired difference is within " +
                  target_text(s) + ")"};
    }
    const bool within = settled(plan, *entries);
    if (within || seeds >= s.max) {
      return {std::move(plan), true,
              "adaptive seeds: done after " + std::to_string(seeds) + " seeds (" +
                  (within ? "every paired difference within " + target_text(s)
                          : "the maximum; not every difference within " + target_text(s)) +
                  ")"};
    }
  }
}

int run_adaptive_sweep(const ConfigSource& source, const SweepOptions& options) {
  const Config base = config_from_json(source.tree, source.sources);
  const SeedsConfig& s = base.seeds;
  const torch::Device device = resolve_device(base.device);
  const fs::path store_dir = resolve_store_dir(options.store, base.out);
  SweepOptions round_options = options;
  round_options.print_summary = false;  // printed once, for the final round
  for (int64_t seeds = s.min;; seeds = next_round(s, seeds)) {
    const Plan plan = plan_with_seeds(source, seeds);
    std::optional<std::map<std::string, Json>> entries =
        options.fresh ? std::nullopt : finished_entries(plan, store_dir, device);
    const bool last = seeds >= s.max;
    if (entries && !last && !settled(plan, *entries)) continue;  // a finished round: next
    if (!entries || last || options.fresh) {
      spdlog::info(
          "adaptive seeds: round of {} seeds (up to {}; until every paired difference "
          "is within {})",
          seeds, s.max, target_text(s));
    }
    // Train what the round lacks (this shard's part), or write the final round's outputs.
    const int status = run_stage(plan, round_options, store_dir, device,
                                 "the round of " + std::to_string(seeds) + " seeds", entries);
    if (status != kExitOk) return status;
    for (const auto& r : plan.runs) round_options.fresh_done.insert(r.id);
    if (!entries) return kExitOk;  // run_sweep said what is missing
    const bool within = settled(plan, *entries);
    if (within || last) {
      // The final round's outputs were written by run_sweep above (or by the last shard).
      spdlog::info("adaptive seeds: done after {} seeds: {}", seeds,
                   within ? "every paired difference is within " + target_text(s)
                          : "the maximum, and not every difference is within " + target_text(s));
      if (options.print_summary) {
        print_summary(std::cout,
                      build_summary(plan, *entries, {base.baseline, base.spread, s.until, s.min}));
      }
      return kExitOk;
    }
  }
}

}  // namespace actbench
