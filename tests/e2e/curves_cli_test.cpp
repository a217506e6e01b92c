// `actbench curves` through the binary: the JSON it writes, the table it prints, and bad input;
// with --sweep, a trained sweep's activations at the constants they learned. (The curves
// themselves: unit/curves_test.cpp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
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

// A sweep of ReLU and Swish-b (x * sigmoid(beta * x), beta learned per layer from 1) on the
// synthetic data, two hidden layers, one epoch; trained once per process (the tests only read it
// or copy its plan).
const fs::path& learned_sweep() {
  static const actbench_test::TempDir tmp;
  static const fs::path dir = [] {
    const fs::path config =
        actbench_test::write_tiny_config(tmp / "s.yaml", actbench_test::synthetic_mnist_dir());
    const auto r = actbench_test::run_actbench(
        {"run", config.string(), "--out", (tmp / "sweep").string(), "model.hidden=[16,16]",
         "train.lr=0.01",
         "activations=[relu, {name: formula, expr: 'x * sigmoid(beta * x)', params: {beta: "
         "{init: 1.0, learnable: true}}, label: Swish-b}]"},
        tmp.path());
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    return tmp / "sweep";
  }();
  return dir;
}

// x * sigmoid(beta * x).
double swish(double x, double beta) {
  return x / (1.0 + std::exp(-beta * x));
}

TEST(CurvesCli, SweepDrawsItsActivationsAtTheConstantsTheyLearned) {
  actbench_test::TempDir tmp;
  const fs::path sweep = tmp / "sweep";
  fs::copy(learned_sweep(), sweep, fs::copy_options::recursive);
  const auto r = actbench_test::run_actbench(
      {"curves", "--sweep", sweep.string(), "--points", "13", "--range", "-3:3"}, tmp.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  // The default file: DIR/curves.json, where the plot script looks for it.
  const Json c = Json::parse(actbench_test::read_text(sweep / "curves.json"));
  EXPECT_EQ(c["schema"], "actbench.curves/1");
  ASSERT_EQ(c["activations"].size(), 2u);
  const Json& relu = c["activations"][0];
  const Json& swish_b = c["activations"][1];
  EXPECT_EQ(relu["label"], "ReLU");
  EXPECT_FALSE(relu.contains("learned"));
  EXPECT_EQ(swish_b["label"], "Swish-b");
  // The summary's last learned beta per hidden layer (mean over seeds), and their mean.
  const Json summary = Json::parse(actbench_test::read_text(sweep / "summary.json"));
  Json last;
  for (const auto& g : summary["groups"]) {
    if (g["activation"] == "Swish-b") last = g["learned"]["beta"]["mean"].back();
  }
  ASSERT_TRUE(last.is_array() && last.size() == 2u) << summary.dump();
  const double mean = (last[0].get<double>() + last[1].get<double>()) / 2.0;
  ASSERT_TRUE(swish_b.contains("learned")) << swish_b.dump();
  const Json& beta = swish_b["learned"]["beta"];
  const double value = beta["value"].get<double>();
  EXPECT_NEAR(value, mean, 1e-12);
  EXPECT_GT(std::fabs(value - 1.0), 1e-3) << "beta did not move from its initial 1";
  EXPECT_EQ(beta["groups"], 1);
  ASSERT_EQ(beta["layers"].size(), 2u);
  for (size_t l = 0; l < 2; ++l) EXPECT_NEAR(beta["layers"][l].get<double>(), last[l], 1e-12);
  // Drawn at that value: the formula's constant set to it, the curve x * sigmoid(beta x).
  EXPECT_EQ(swish_b["params"]["params"]["beta"]["init"].get<double>(), value);
  EXPECT_EQ(swish_b["params"]["params"]["beta"]["learnable"], true);
  const Json& x = c["x"];
  for (size_t i : {0, 2, 5, 9, 12}) {  // x = -3, -2, -0.5, 1.5, 3
    const double xi = x[i].get<double>(), y = swish_b["y"][i].get<double>();
    EXPECT_NEAR(y, swish(xi, value), 1e-5) << "x = " << xi;
    EXPECT_GT(std::fabs(y - swish(xi, 1.0)), 1e-6) << "x = " << xi << ": drawn at beta = 1";
  }
  EXPECT_THAT(r.err, HasSubstr("1 drawn at the constants the sweep in"));
  EXPECT_THAT(r.err, HasSubstr((sweep / "curves.json").string()));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("Swish-b +"));
  // --out elsewhere; the sweep's own curves.json is rewritten (it is actbench's), another tool's
  // file is not.
  auto again = actbench_test::run_actbench(
      {"curves", "--sweep", sweep.string(), "-o", (tmp / "c.json").string()}, tmp.path());
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_EQ(Json::parse(actbench_test::read_text(tmp / "c.json"))["activations"][1]["learned"],
            swish_b["learned"]);
  actbench_test::write_text(sweep / "curves.json", "{\"a\": 1}\n");
  actbench_test::expect_user_error(
      actbench_test::run_actbench({"curves", "--sweep", sweep.string()}, tmp.path()),
      "is not actbench's");
  EXPECT_EQ(actbench_test::read_text(sweep / "curves.json"), "{\"a\": 1}\n");
}

TEST(CurvesCli, SweepIsExclusiveAndNeedsAFinishedSweep) {
  actbench_test::TempDir tmp;
  const std::string sweep = learned_sweep().string();
  for (const auto& [args, expected] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--sweep", sweep, "--activations", "relu"}, "give --sweep or --activations, not both"},
           {{"--sweep", sweep, "-c", (learned_sweep() / "plan.json").string()},
            "give --sweep or --config, not both"},
           {{"--sweep", (tmp / "nothing").string()}, "not found"},
           {{"--sweep", tmp.path().string()}, "holds no sweep"},
           {{"--sweep", ""}, "--sweep is empty"},
           {{"--activations", "relu"}, "--out is required"}}) {
    SCOPED_TRACE(args.front() + " " + args.back());
    std::vector<std::string> a{"curves"};
    a.insert(a.end(), args.begin(), args.end());
    actbench_test::expect_user_error(actbench_test::run_actbench(a, tmp.path()), expected);
  }
  EXPECT_FALSE(fs::exists(learned_sweep() / "curves.json"));
  // A sweep whose runs have not finished: its plan alone.
  const fs::path planned = tmp / "planned";
  fs::create_directories(planned);
  fs::copy_file(learned_sweep() / "plan.json", planned / "plan.json");
  actbench_test::expect_user_error(
      actbench_test::run_actbench({"curves", "--sweep", planned.string()}, tmp.path()),
      "has no finished run");
  EXPECT_FALSE(fs::exists(planned / "curves.json"));
}

}  // namespace
