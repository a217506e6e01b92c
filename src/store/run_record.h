// The shape of a finished run's record, checked wherever one is read back (a run store entry's
// run, a sweep's run file) before results.json and summary.json are built from it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace actbench {

// Why `run` is not a finished run's record: "" when it has a status (a string), epochs (a list of
// objects) and final metrics (an object); otherwise what it lacks.
std::string run_record_problem(const nlohmann::json& run);

}  // namespace actbench
