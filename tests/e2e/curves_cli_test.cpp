// `actbench curves` through the binary: the JSON it writes, the table it prints, and bad input.
// (The curves themselves: unit/curves_test.cpp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "activations/registry.h"
#include "process.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using actbench::Json;
using ::testing::HasSubstr;

TEST(CurvesCli, WritesTheJsonAndATableAndRejectsBadInput) {
  actbench_test::TempDir tmp;
  const auto out = tmp / "sub" / "curves.json";
  auto r = actbench_test::run_actbench(
      {"curves", "--activations", "relu,tanh", "--points", "11", "--out", out.string()},
      tmp.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json c = Json::parse(actbench_test::read_text(out));
  ASSERT_EQ(c["activations"].size(), 2u);
  EXPECT_EQ(c["x"].size(), 11u);
  EXPECT_EQ(c["range"], (Json{-6.0, 6.0}));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("Tanh +-1 +1 +1 +1 +72.7% of \\[-6, 6\\]"));
  // A bare file name: a new file in the working directory (it once failed with "cannot create :").
  r = actbench_test::run_actbench({"curves", "--activations", "relu", "--out", "here.json"},
                                  tmp.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(actbench_test::read_text(tmp / "here.json"))["activations"].size(), 1u);
  r = actbench_test::run_actbench({"curves", "--out", out.string()}, tmp.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(actbench_test::read_text(out))["activations"].size(),
            actbench::activation_registry().size());
  for (const auto& [args, expected] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--range", "6:-6"}, "LO < HI"},
           {{"--range", "a:b"}, "--range must be LO:HI"},
           {{"--points", "1"}, "--points must be between"},
           {{"--activations", "relu,nope"}, "unknown activation 'nope'"}}) {
    std::vector<std::string> a{"curves", "--out", (tmp / "bad.json").string()};
    a.insert(a.end(), args.begin(), args.end());
    r = actbench_test::run_actbench(a, tmp.path());
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_THAT(r.err, HasSubstr(expected));
    EXPECT_FALSE(fs::exists(tmp / "bad.json"));
  }
}

}  // namespace
