// Bounded input (issue 14, part): a config that would make actbench read or allocate without
// limit is refused quickly, with one line saying which limit was hit -- YAML aliases that expand
// exponentially, nesting without end, a device, pipe or directory given as the config, a file far
// larger than any config, a grid of hundreds of thousands of runs. (The binary's peak memory on the
// alias bomb: e2e/bounds_cli_test.cpp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <string>

#include "config/config.h"
#include "plan/plan.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using actbench_test::input_error_message;
using actbench_test::TempDir;
using ::testing::HasSubstr;

std::string config_load_error(const fs::path& file) {
  return input_error_message([&] { actbench::read_config_source(file, {}); });
}

TEST(Bounds, YamlAliasesThatExpandExponentiallyAreRefusedAtOnce) {
  TempDir dir;
  actbench_test::write_text(dir / "bomb.yaml", actbench_test::yaml_alias_bomb());
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_THAT(config_load_error(dir / "bomb.yaml"),
              HasSubstr("bomb.yaml: it expands to more than 100000 values (YAML aliases"));
  // Not a timing verdict: expanding the aliases would take hours; refusing takes a moment.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(60));
  // Aliases within the budget are fine.
  actbench_test::write_text(dir / "ok.yaml",
                            "model:\n  hidden: &h [64, 64]\nsweep:\n  model.hidden: [*h, [32]]\n");
  const actbench::ConfigSource ok = actbench::read_config_source(dir / "ok.yaml", {});
  EXPECT_EQ(ok.tree["model"]["hidden"], (actbench::Json{64, 64}));
  ASSERT_EQ(ok.sweep.size(), 1u);
  EXPECT_EQ(ok.sweep[0].values.front(), (actbench::Json{64, 64}));
}

TEST(Bounds, NestingWithoutEndIsRefused) {
  TempDir dir;
  // 200 levels would pass the parser and be caught converting; 100,000 would overflow the
  // parsers' recursion: both are refused by the depth bound, in YAML and in JSON.
  for (const int levels : {200, 100000}) {
    const std::string deep = std::string(size_t(levels), '[') + std::string(size_t(levels), ']');
    actbench_test::write_text(dir / "deep.yaml", deep);
    EXPECT_THAT(config_load_error(dir / "deep.yaml"), HasSubstr("nests deeper than 64 levels"));
    actbench_test::write_text(dir / "deep.json", "{\"model\": " + deep + "}");
    EXPECT_THAT(config_load_error(dir / "deep.json"), HasSubstr("nests deeper than 64 levels"));
  }
  // Brackets inside quotes and comments are text, not nesting.
  actbench_test::write_text(dir / "text.yaml", "name: \"" + std::string(100, '[') + "\"  # " +
                                                   std::string(100, '{') + "\n");
  EXPECT_THAT(input_error_message([&] { actbench::load_config(dir / "text.yaml", {}); }),
              HasSubstr("'name' must be a plain name"));
}

TEST(Bounds, AConfigWithNoSettingsIsSaidNotSilentlyTrainedWithTheDefaults) {
  TempDir dir;
  for (const char* text : {"", "# only a comment\n", "~\n", "{}\n"}) {
    SCOPED_TRACE(text);
    actbench_test::write_text(dir / "empty.yaml", text);
    EXPECT_THAT(config_load_error(dir / "empty.yaml"),
                HasSubstr("holds no settings (empty, only comments, or null)"));
  }
}

TEST(Bounds, OnlyRegularFilesOfAConfigsSizeAreRead) {
  TempDir dir;
  EXPECT_THAT(config_load_error(dir.path()),
              HasSubstr("is a directory, not a file; give a YAML or JSON file"));
  EXPECT_THAT(config_load_error("/dev/zero"), HasSubstr("/dev/zero is a device, not a file"));
  ASSERT_EQ(::mkfifo((dir / "pipe").c_str(), 0600), 0);
  EXPECT_THAT(config_load_error(dir / "pipe"), HasSubstr("is a pipe, not a file"));
  actbench_test::write_text(dir / "big.yaml", "# " + std::string((1 << 20) + 10, 'x') + "\n");
  EXPECT_THAT(config_load_error(dir / "big.yaml"), HasSubstr("bytes; a config is at most 1 MiB"));
  EXPECT_THAT(config_load_error(dir / "missing.yaml"), HasSubstr("not found"));
}

TEST(Bounds, AGridOfMoreRunsThanASweepMayHaveIsRefusedBeforeItIsExpanded) {
  // 4 activations x 200 seeds x 200 learning rates = 160,000 runs.
  std::string seeds = "train.seed=0", lrs = "train.lr=1";
  for (int i = 1; i < 200; ++i) {
    seeds += "," + std::to_string(i);
    lrs += "," + std::to_string(i + 1);
  }
  EXPECT_THAT(input_error_message([&] {
                actbench_test::plan_of({seeds, lrs});
              }),
              HasSubstr("the sweep has 160000 runs (4 activation(s) x 200 train.seed x 200 "
                        "train.lr); at most 100000 per sweep"));
  // A grid within the bound is planned.
  EXPECT_EQ(actbench_test::plan_of({seeds, "train.lr=1,2,3"}).runs.size(), 4u * 200u * 3u);
}

}  // namespace
