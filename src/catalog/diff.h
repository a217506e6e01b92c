// `actbench diff A B`: what differs between two sweeps or two runs -- the settings (the resolved
// config and the sweep's axes; a run's identity) and the provenance (versions, BLAS kernel, CPU,
// device, build, data) -- so that two results are never compared without knowing how they were
// made. Read-only.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/json_flat.h"

namespace actbench {

struct Diff {
  std::vector<Difference> settings;
  std::vector<Difference> provenance;
};

// A and B: each a sweep directory (its plan.json, else results.json) or a run file (a sweep's
// runs/ID.json, or a store entry's run). InputError when one is neither.
Diff diff_paths(const std::filesystem::path& a, const std::filesystem::path& b);

nlohmann::json diff_to_json(const Diff& d);

}  // namespace actbench
