// `cmake --install` puts the binary, the plot and fetch scripts, the schemas, the configs and the
// bash completion in place, and the installed binary works from another directory. (What the
// completion completes: completion_test.cpp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "process.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;

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
        "share/actbench/scripts/fetch_data.sh", "share/actbench/scripts/as_root.sh",
        "share/bash-completion/completions/actbench"}) {
    EXPECT_TRUE(fs::is_regular_file(prefix / file)) << file;
  }

  // Used from another directory: the shipped configs leave data.dir to $ACTBENCH_DATA (they do
  // not pin it), and without the data the message names a fetch command that is there.
  actbench_test::TempDir elsewhere;
  fs::create_directories(elsewhere / "shared");
  fs::create_directory_symlink(actbench_test::synthetic_mnist_dir(),
                               elsewhere / "shared" / "mnist");
  const std::string binary = (prefix / "bin" / "actbench").string();
  const std::string config = (prefix / "share/actbench/configs/quick.yaml").string();
  const std::string cd = "cd " + actbench_test::shell_quote(elsewhere.path().string()) + " && ";
  const auto with_data = actbench_test::run_captured(
      cd + "ACTBENCH_DATA=" + actbench_test::shell_quote((elsewhere / "shared").string()) + " " +
          actbench_test::shell_quote(binary) + " plan " + actbench_test::shell_quote(config),
      {});
  EXPECT_EQ(with_data.exit_code, 0) << with_data.out << with_data.err;
  EXPECT_THAT(with_data.out, ::testing::HasSubstr("4 run(s)"));
  const auto without = actbench_test::run_captured(
      cd + "env -u ACTBENCH_DATA " + actbench_test::shell_quote(binary) + " plan " +
          actbench_test::shell_quote(config),
      {});
  EXPECT_EQ(without.exit_code, 2) << without.out << without.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(without.err, m, std::regex("fetch the data with: (\\S+) mnist")))
      << without.err;
  EXPECT_TRUE(fs::path(m[1].str()).is_absolute()) << m[1];
  EXPECT_TRUE(fs::is_regular_file(m[1].str())) << m[1];
}

}  // namespace
