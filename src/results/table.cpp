#include "results/table.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "results/results.h"

namespace actbench {

void print_ranking(std::ostream& out, const std::vector<RunResult>& runs) {
  std::vector<const RunResult*> order;
  for (const auto& r : runs) order.push_back(&r);
  std::stable_sort(order.begin(), order.end(), [](const RunResult* a, const RunResult* b) {
    bool da = a->status != "completed", db = b->status != "completed";
    if (da != db) return db;
    return summarize(*a).last_test_accuracy > summarize(*b).last_test_accuracy;
  });
  size_t label_w = 10;
  for (const auto* r : order) label_w = std::max(label_w, r->activation.label.size());
  char line[512];
  std::snprintf(line, sizeof line, "%-4s  %-*s  %9s  %15s  %9s  %10s  %7s  %s\n", "rank",
                int(label_w), "activation", "test acc%", "best acc% (ep)", "test loss",
                "train loss", "s/epoch", "status");
  out << line;
  int rank = 1;
  for (const auto* r : order) {
    RunSummary s = summarize(*r);
    char best[32];
    std::snprintf(best, sizeof best, "%.2f (%lld)", s.best_test_accuracy,
                  static_cast<long long>(s.best_epoch));
    std::snprintf(line, sizeof line, "%-4d  %-*s  %9.2f  %15s  %9.4f  %10.4f  %7.2f  %s\n", rank++,
                  int(label_w), r->activation.label.c_str(), s.last_test_accuracy, best,
                  s.last_test_loss, s.last_train_loss, s.seconds_per_epoch, r->status.c_str());
    out << line;
  }
}

}  // namespace actbench
