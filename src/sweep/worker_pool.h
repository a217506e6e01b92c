// The machinery a sweep trains its runs with: a pool of worker threads that take the next run
// until none is left (or a stop is asked for, or one failed), and the progress line they draw.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace actbench {

// An in-place progress line on stderr, only when stderr is a terminal, over every run of the
// invocation (several may train at once); redrawn at most ~10 times a second, so the per-step cost
// is one clock read and an uncontended lock.
class Progress {
 public:
  explicit Progress(const std::vector<const PlannedRun*>& runs);

  // Run `run` is at step `step` of `steps` in epoch `epoch`.
  void update(size_t run, int64_t step, int64_t steps, int64_t epoch);

  // Marks `run` finished; returns the log line that says so, with the count, the time since the
  // start and the time left at the pace so far.
  std::string finish(size_t run);

  // Clears the line before a log line is printed; call with the lock free.
  void clear();

 private:
  struct RunState {
    std::string name;
    int64_t epochs = 1;
    double done = 0;
    int64_t epoch = 0;
    bool active = false;
  };
  void draw(std::chrono::steady_clock::time_point now);

  bool enabled_;
  std::vector<RunState> runs_;
  std::mutex mutex_;
  bool drawn_ = false;
  size_t finished_ = 0;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

// Calls work(i) for every i in [0, count), each once, on `jobs` threads (on this one when jobs is
// 1), each thread first calling `setup`. A thread takes no more items once stop_signal() is set,
// once work returns false (it was interrupted) or once any item has thrown; the first exception is
// rethrown here after every thread has ended.
void run_on_workers(size_t count, int64_t jobs, const std::function<void()>& setup,
                    const std::function<bool(size_t)>& work);

}  // namespace actbench
