#include "sweep/worker_pool.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <thread>

#include <fmt/format.h>

#include "util/stop_signals.h"
#include "util/text.h"

namespace actbench {

Progress::Progress(const std::vector<const PlannedRun*>& runs)
    : enabled_(::isatty(STDERR_FILENO) == 1), runs_(runs.size()) {
  for (size_t i = 0; i < runs.size(); ++i) {
    runs_[i].name = runs[i]->name;
    runs_[i].epochs = runs[i]->config.train.epochs;
  }
}

void Progress::update(size_t run, int64_t step, int64_t steps, int64_t epoch) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  RunState& r = runs_[run];
  r.done = (double(epoch - 1) + double(step) / double(steps)) / double(r.epochs);
  r.epoch = epoch;
  r.active = step < steps || epoch < r.epochs;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  draw(now);
}

void Progress::draw(std::chrono::steady_clock::time_point now) {
  double total = 0;
  std::string active;
  for (const auto& s : runs_) {
    total += s.done;
    if (s.active && s.done > 0) {
      active += "  " + s.name + " " + std::to_string(s.epoch) + "/" + std::to_string(s.epochs);
    }
  }
  total /= double(runs_.size());
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * total);
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const std::string time =
      duration_text(elapsed) + " elapsed" +
      (total > 0.01 ? ", ~" + duration_text(elapsed * (1 - total) / total) + " left" : "");
  std::fprintf(stderr, "\r  [%s%s] %3d%%  %zu/%zu runs  %s%s\x1b[K",
               std::string(size_t(filled), '#').c_str(),
               std::string(size_t(kWidth - filled), '.').c_str(), static_cast<int>(100 * total),
               finished_, runs_.size(), time.c_str(), active.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

std::string Progress::finish(size_t run) {
  std::lock_guard<std::mutex> lock(mutex_);
  runs_[run].done = 1;
  runs_[run].active = false;
  ++finished_;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const size_t left = runs_.size() - finished_;
  return fmt::format("run {}/{} finished: {} | {} elapsed{}", finished_, runs_.size(),
                     runs_[run].name, duration_text(elapsed),
                     left == 0 ? std::string()
                               : ", ~" + duration_text(elapsed / double(finished_) * double(left)) +
                                     " left for " + std::to_string(left) + " run(s)");
}

void Progress::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!drawn_) return;
  std::fprintf(stderr, "\r\x1b[K");
  std::fflush(stderr);
  drawn_ = false;
  last_ = {};
}

void run_on_workers(size_t count, int64_t jobs, const std::function<void()>& setup,
                    const std::function<bool(size_t)>& work) {
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto worker = [&] {
    setup();
    for (size_t i; (i = next++) < count;) {
      {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (error) return;
      }
      if (stop_signal().load() != 0) return;
      try {
        if (!work(i)) return;
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        return;
      }
    }
  };
  if (jobs == 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int64_t j = 0; j < jobs; ++j) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace actbench
