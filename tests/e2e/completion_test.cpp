// The bash completion (`actbench completion bash`): it completes subcommands, topics, keys and
// config files, and every subcommand and option of the app, with no list kept anywhere else.
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "process.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

// What `actbench completion bash` prints, written once per process to a file that every
// complete() sources (the binary is run once, not once per completion: each run pays LibTorch's
// start-up).
const fs::path& completion_script() {
  static const actbench_test::TempDir dir;
  static const fs::path script = [] {
    const actbench_test::CommandResult r =
        actbench_test::run_actbench({"completion", "bash"}, dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.err, "") << r.describe();
    actbench_test::write_text(dir / "actbench.bash", r.out);
    return dir / "actbench.bash";
  }();
  return script;
}

// COMPREPLY for `words` (the last one being completed), one entry per line.
std::vector<std::string> complete(const std::vector<std::string>& words) {
  std::string array;
  for (const auto& w : words) array += " " + actbench_test::shell_quote(w);
  const std::string script = "source " + actbench_test::shell_quote(completion_script().string()) +
                             "; cd " + actbench_test::shell_quote(ACTBENCH_SOURCE_DIR) +
                             "; COMP_WORDS=(" + array +
                             "); COMP_CWORD=" + std::to_string(words.size() - 1) +
                             "; _actbench; printf '%s\\n' \"${COMPREPLY[@]}\"";
  const auto r = actbench_test::run_captured("bash", {"-c", script});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return actbench_test::lines_of(r.out);
}

TEST(Completion, CompletesSubcommandsTopicsKeysAndConfigFiles) {
  const std::string bin = ACTBENCH_BINARY;
  EXPECT_THAT(complete({bin, "pl"}), ElementsAre("plan", "plot"));
  EXPECT_THAT(complete({bin, "list", "k"}), ElementsAre("keys"));
  EXPECT_THAT(complete({bin, "run", "train.ep"}), ElementsAre("train.epochs="));
  EXPECT_THAT(complete({bin, "run", "configs/seed"}),
              ElementsAre("configs/seed.yaml", "configs/seeds.yaml"));
  EXPECT_THAT(complete({bin, "run", "--device", "c"}), ElementsAre("cpu", "cuda"));
  EXPECT_THAT(complete({bin, "export", "results/x", "--format", ""}),
              ElementsAre("csv", "latex", "markdown"));
  EXPECT_THAT(complete({bin, "compare", "--by", "train.l"}), ElementsAre("train.lr"));
  EXPECT_THAT(complete({bin, "completion", ""}), ElementsAre("bash"));
  EXPECT_THAT(complete({bin, "list", "activations", "--m"}), ElementsAre("--markdown"));
}

// The script is written from the CLI11 app: every subcommand completes, and with it every option
// its --help shows (hidden ones not), with no list kept anywhere else.
TEST(Completion, EverySubcommandAndOptionOfTheAppCompletes) {
  const std::string bin = ACTBENCH_BINARY;
  const std::vector<std::string> subcommands = complete({bin, ""});
  EXPECT_THAT(subcommands, testing::IsSupersetOf({"run", "plan", "merge", "ls", "show", "compare",
                                                  "export", "curves", "peak", "plot", "list",
                                                  "completion", "--help", "--version", "-q"}));
  for (const auto& sub : subcommands) {
    if (sub.front() == '-') continue;
    const auto help = actbench_test::run_actbench({sub, "--help"}, ACTBENCH_SOURCE_DIR);
    const std::vector<std::string> flags = complete({bin, sub, "-"});
    std::istringstream lines(help.out);
    for (std::string line; std::getline(lines, line);) {
      // An option line of --help: "  -o,--out DIR  ..." or "  --fresh  ...".
      std::istringstream words(line);
      std::string first;
      words >> first;
      if (first.rfind("-", 0) != 0) continue;
      std::istringstream names(first);
      for (std::string name; std::getline(names, name, ',');) {
        EXPECT_THAT(flags, testing::Contains(name)) << sub << ": " << line;
      }
    }
  }
  EXPECT_THAT(complete({bin, "run", "--"}), testing::Not(testing::Contains("--debug-raise-after")));
  EXPECT_THAT(complete({bin, "show", "--log-file", "READ"}), ElementsAre("README.md"));
}

}  // namespace
