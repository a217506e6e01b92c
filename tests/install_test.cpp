// `cmake --install` puts the binary, the plot script with its schemas, the configs and the bash
// completion in place; the completion completes subcommands, topics, keys and config files.
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
  const std::string script = "source " +
                             actbench_test::shell_quote(std::string(ACTBENCH_SOURCE_DIR) +
                                                        "/scripts/completion/actbench.bash") +
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
  EXPECT_THAT(complete({bin, "run", "--device", "c"}),
              ElementsAre("cpu", "cuda", "cuda:0", "cuda:1"));
}

}  // namespace
