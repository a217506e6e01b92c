// The shape of a run as actbench writes it (run_to_json / stored_run): what every reader of run
// files (the summary, show, compare, export, the store) relies on. Files are read from disk, where
// anything may be; a run that does not have this shape is treated as damaged, never half-read.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace actbench {

// "" when `run` has the fields, types and ranges of a run; otherwise what is wrong, naming the
// field (e.g. "final.test_loss is missing", "epochs[2].test_accuracy is not a number").
std::string run_shape_problem(const nlohmann::json& run);

}  // namespace actbench
