// SIGINT and SIGTERM as a request to stop: while a StopSignals object lives, either signal sets
// stop_signal() (polled by the training loops once per step and by waits), and a second one kills
// at once (SA_RESETHAND).
#pragma once

#include <signal.h>
#include <atomic>

namespace actbench {

// The signal that asked to stop; 0 when none has.
std::atomic<int>& stop_signal();

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

}  // namespace actbench
