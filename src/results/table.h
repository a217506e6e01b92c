// The comparison table printed on stdout at the end of a run.
#pragma once

#include <ostream>
#include <vector>

#include "train/trainer.h"

namespace actbench {

// Runs ranked by final test accuracy (diverged runs last), one row each.
void print_ranking(std::ostream& out, const std::vector<RunResult>& runs);

}  // namespace actbench
