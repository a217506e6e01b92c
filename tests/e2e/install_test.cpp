// `cmake --install` puts the binary, the plot script with its schemas, the configs and the bash
// completion in place. (What the completion completes: completion_test.cpp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
        "share/bash-completion/completions/actbench"}) {
    EXPECT_TRUE(fs::is_regular_file(prefix / file)) << file;
  }
}

}  // namespace
