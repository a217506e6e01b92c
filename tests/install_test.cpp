// `cmake --install` puts the binary, the plot script with its schemas, the configs and the bash
// completion in place; the completion completes subcommands, topics, keys and config files.
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

TEST(Install, PutsTheBinaryThePlotScriptItsSchemasTheConfigsAndTheCompletionInPlace) {
  actbench_test::TempDir prefix;
  const fs::path build_dir = fs::path(ACTBENCH_BINARY).parent_path();
  const auto r = actbench_test::run_captured(
      "cmake", {"--install", build_dir.string(), "--prefix", prefix.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* file :
       {"bin/actbench", "share/actbench/scripts/plot_results.py",
        "share/actbench/scripts/plotting/load.py", "share/actbench/docs/results.schema.json",
        "share/actbench/docs/summary.schema.json", "share/actbench/configs/seed.yaml",
        "share/bash-completion/completions/actbench"}) {
    EXPECT_TRUE(fs::is_regular_file(prefix / file)) << file;
  }
}

// COMPREPLY for `words` (the last one being completed), one entry per line.
std::vector<std::string> complete(const std::vector<std::string>& words) {
  std::string array;
  for (const auto& w : words) array += " " + actbench_test::shell_quote(w);
  const std::string script = "source <(" + actbench_test::shell_quote(ACTBENCH_BINARY) +
                             " completion bash); cd " +
                             actbench_test::shell_quote(ACTBENCH_SOURCE_DIR) + "; COMP_WORDS=(" +
                             array + "); COMP_CWORD=" + std::to_string(words.size() - 1) +
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
    const auto help = actbench_test::run_captured(bin, {sub, "--help"});
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
