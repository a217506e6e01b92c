// Running processes, for the end-to-end tier only (tests/e2e): the actbench binary
// (ACTBENCH_BINARY, which only that tier's target defines) and shell commands, their output
// captured. A unit test that includes this header does not compile: the unit tier runs no process.
#pragma once

#ifndef ACTBENCH_BINARY
#error "process.h runs processes: include it from tests/e2e only (the unit tier spawns nothing)"
#endif

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace actbench_test {

namespace fs = std::filesystem;

// Single-quotes `s` for /bin/sh.
std::string shell_quote(const std::string& s);

// The outcome of running a command with stdout and stderr captured separately.
struct CommandResult {
  int exit_code = -1;  // 128 + the signal when killed by one (as a shell reports it); -1: no status
  std::string out;
  std::string err;

  // The exit code, stdout and stderr, for failure messages.
  std::string describe() const;
};

// A user error from the actbench binary: exit code 2, one line on stderr, "error: ..." containing
// `expected`, nothing on stdout, and no sign of an uncaught exception or a stack trace.
void expect_user_error(const CommandResult& r, const std::string& expected);

// How actbench runs here. A test process that has loaded LibTorch forks, and the child does what
// the binary's main() does (setup_logging, run_command_line) in `cwd` with stdin from /dev/null:
// a real process with its own exit code, signals and output, without paying LibTorch's start-up
// (about 0.5 s) again. The child execs the binary instead when ACTBENCH_TEST_EXEC=1 or when this
// process has more than one thread (a thread pool would be missing in the child). Tests about the
// binary itself (its environment, its path, installation, completion, scripts that call it) run
// ACTBENCH_BINARY through run_captured.

// Starts actbench with `args` in `cwd` without waiting; its stdout and stderr go to `log`.
// Returns its pid, for waitpid() and kill().
pid_t spawn_actbench(const std::vector<std::string>& args, const fs::path& cwd,
                     const fs::path& log);

// Waits for `pid` up to `limit` (a bound on a hang, never a verdict on speed): its waitpid
// status, or nullopt after killing it (SIGKILL) when it is still running then.
std::optional<int> wait_at_most(pid_t pid, std::chrono::seconds limit);

// Runs actbench with `args` in `cwd` and waits for it.
CommandResult run_actbench(const std::vector<std::string>& args, const fs::path& cwd);

// Runs the shell command `command` followed by `args` (each one shell-quoted), stdin from
// /dev/null, stdout and stderr captured.
CommandResult run_captured(const std::string& command, const std::vector<std::string>& args);

}  // namespace actbench_test
