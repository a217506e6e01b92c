// actbench: compare neural-network activation functions on MNIST with LibTorch.
// The command line and its subcommands are in cli/ (cli/app.cpp holds the table of them).
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <spdlog/spdlog.h>

#include "cli/app.h"
#include "cli/logging.h"

// LeakSanitizer's check, present in sanitizer builds only (it runs from an exit handler, which
// _exit skips).
extern "C" void __lsan_do_leak_check() __attribute__((weak));

int main(int argc, char** argv) {
  // Freed memory stays with the allocator instead of going back to the kernel after every large
  // tensor (glibc's default for blocks from 128 KB): each page given back is a page fault when
  // touched again, ~10 us in a VM. The tutorial's sweep: 56,000 faults -> 24,000, 0.2 s less
  // system time, the same peak memory.
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
  actbench::cli::setup_logging();
  const int code = actbench::cli::run_command_line(argc, argv);
  // Everything the command wrote is flushed (results are written and synced as they finish);
  // what is left is the teardown of LibTorch's ~290 libraries' static state, 50 ms of nothing.
  std::cout.flush();
  std::cerr.flush();
  spdlog::shutdown();
  std::fflush(nullptr);
  if (__lsan_do_leak_check != nullptr) __lsan_do_leak_check();
  ::_exit(code);
}
