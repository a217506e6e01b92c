#include "process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

pid_t spawn_actbench(const std::vector<std::string>& args, const fs::path& cwd,
                     const fs::path& log) {
  std::vector<std::string> argv{ACTBENCH_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(127);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execv(c_argv[0], c_argv.data());
    ::_exit(127);
  }
  return pid;
}

CommandResult run_actbench(const std::vector<std::string>& args, const fs::path& cwd) {
  return run_captured("cd " + shell_quote(cwd.string()) + " && " + shell_quote(ACTBENCH_BINARY),
                      args);
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
  if (status != -1 && WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);  // the shell's: 128 + N when the command died of signal N
  } else if (status != -1 && WIFSIGNALED(status)) {
    r.exit_code = 128 + WTERMSIG(status);  // the shell exec'd the command, which died of it
  }
  r.out = read_text(capture / "stdout");
  r.err = read_text(capture / "stderr");
  return r;
}

}  // namespace actbench_test
