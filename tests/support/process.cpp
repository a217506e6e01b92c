#include "process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/app.h"
#include "cli/logging.h"
#include "test_support.h"

namespace actbench_test {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

namespace {

// True when this process has one thread. Only then may a forked child run actbench in place of
// the binary: a thread of the parent (an OpenMP or OpenBLAS pool, say) would be missing in the
// child while the library still counts on it.
bool single_threaded() {
  std::error_code ec;
  auto it = fs::directory_iterator("/proc/self/task", ec);
  if (ec) return false;
  return std::distance(it, fs::directory_iterator()) == 1;
}

// Whether a command runs as a fork of this process (see process.h) or as the binary itself.
bool fork_in_place() {
  const char* exec = std::getenv("ACTBENCH_TEST_EXEC");
  return !(exec != nullptr && std::string(exec) == "1") && single_threaded();
}

// In a forked child: what the binary's main() does (cli/main.cpp) on `argv` (argv[0] the
// binary's path), then exit without running this process's exit handlers.
[[noreturn]] void run_in_child(std::vector<char*>& argv) {
  int code = 1;
  try {
    actbench::cli::setup_logging();
    code = actbench::cli::run_command_line(static_cast<int>(argv.size()) - 1, argv.data());
  } catch (...) {
    std::terminate();  // as in the binary: an exception out of main is a crash
  }
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  ::_exit(code);
}

// Forks; the child runs in `cwd` with stdin from /dev/null and stdout and stderr on `out_fd` and
// `err_fd`, then either runs actbench in place or execs the binary.
pid_t fork_actbench(const std::vector<std::string>& args, const fs::path& cwd, int out_fd,
                    int err_fd) {
  const bool in_place = fork_in_place();
  std::vector<std::string> argv{ACTBENCH_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  std::cout.flush();
  std::fflush(nullptr);  // nothing of this process's buffered output may reach the child's
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(127);
  // Outside a git checkout the run store is the user's (~/.local/share/actbench/store): each
  // test's commands use one of their own, in the directory they run in.
  ::setenv("XDG_DATA_HOME", fs::absolute(cwd).c_str(), 1);
  ::dup2(null_fd, 0);
  ::dup2(out_fd, 1);
  ::dup2(err_fd, 2);
  if (in_place) run_in_child(c_argv);
  ::execv(c_argv[0], c_argv.data());
  ::_exit(127);
}

// The exit code as a shell reports it: 128 + N when killed by signal N.
int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

pid_t spawn_actbench(const std::vector<std::string>& args, const fs::path& cwd,
                     const fs::path& log) {
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) ADD_FAILURE() << "cannot open " << log;
  const pid_t pid = fork_actbench(args, cwd, fd, fd);
  ::close(fd);
  return pid;
}

std::optional<int> wait_at_most(pid_t pid, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < end) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return std::nullopt;
}

CommandResult run_actbench(const std::vector<std::string>& args, const fs::path& cwd) {
  TempDir capture;
  const fs::path out = capture / "stdout", err = capture / "stderr";
  const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  CommandResult r;
  if (out_fd >= 0 && err_fd >= 0) {
    const pid_t pid = fork_actbench(args, cwd, out_fd, err_fd);
    int status = 0;
    if (pid > 0 && ::waitpid(pid, &status, 0) == pid) r.exit_code = exit_code_of(status);
  }
  if (out_fd >= 0) ::close(out_fd);
  if (err_fd >= 0) ::close(err_fd);
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

std::string CommandResult::describe() const {
  return "exit " + std::to_string(exit_code) + "\n--- stdout ---\n" + out + "--- stderr ---\n" +
         err;
}

void expect_user_error(const CommandResult& r, const std::string& expected) {
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.describe();
  EXPECT_THAT(r.err, ::testing::HasSubstr(expected)) << r.describe();
  // The line a user reads: "error: ...", no timestamp, no logger decoration.
  EXPECT_THAT(r.err, ::testing::StartsWith("error: ")) << r.describe();
  for (const char* bad : {"terminate", "c10::Error", "Exception raised from", "frame #", "what()",
                          "Aborted", "core dumped", "unexpected failure"}) {
    EXPECT_THAT(r.err, ::testing::Not(::testing::HasSubstr(bad))) << r.describe();
  }
  EXPECT_EQ(r.out, "") << r.describe();
}

CommandResult run_captured(const std::string& command, const std::vector<std::string>& args) {
  TempDir capture;
  std::string cmd = command;
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " >" + shell_quote((capture / "stdout").string()) + " 2>" +
         shell_quote((capture / "stderr").string()) + " </dev/null";
  const int status = std::system(cmd.c_str());
  CommandResult r;
  // The shell reports 128 + N for a command that died of signal N; one it exec'd dies of N itself.
  if (status != -1) r.exit_code = exit_code_of(status);
  r.out = read_text(capture / "stdout");
  r.err = read_text(capture / "stderr");
  return r;
}

}  // namespace actbench_test
