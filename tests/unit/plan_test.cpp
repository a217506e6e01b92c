// The plan: grid expansion, stable run ids, shards, paired initial weights. (The statistics over
// its seeds: stats_test.cpp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <torch/cuda.h>
#include <torch/torch.h>

#include "device/device.h"
#include "model/mlp.h"
#include "plan/plan.h"
#include "test_support.h"
#include "util/error.h"

namespace {

using actbench::Json;
using actbench::Plan;
using actbench_test::plan_of;
using ::testing::HasSubstr;

std::string plan_error(const std::vector<std::string>& overrides, const std::string& yaml = "") {
  return actbench_test::input_error_message([&] { plan_of(overrides, yaml); });
}

TEST(Plan, ExpandsTheGridSeedOutermostOtherKeysSortedActivationsInnermost) {
  const Plan plan = plan_of({"activations=relu,tanh"},
                            "sweep:\n  train.seed: [0, 1]\n  train.lr: [0.01, 0.001]\n"
                            "  model.hidden: [[64], [32, 32]]\n");
  ASSERT_EQ(plan.runs.size(), 16u);
  ASSERT_EQ(plan.axes.size(), 3u);
  EXPECT_EQ(plan.axes[0].key, "train.seed");
  EXPECT_EQ(plan.axes[1].key, "model.hidden");
  EXPECT_EQ(plan.axes[2].key, "train.lr");
  const auto& r0 = plan.runs[0];
  EXPECT_EQ(r0.config.activations.size(), 1u);
  EXPECT_EQ(r0.config.activations[0].label, "ReLU");
  EXPECT_EQ(plan.runs[1].config.activations[0].label, "Tanh");
  EXPECT_EQ(r0.point, (Json{{"train.seed", 0}, {"model.hidden", {64}}, {"train.lr", 0.01}}));
  EXPECT_EQ(plan.runs[2].point["train.lr"], 0.001);
  EXPECT_EQ(plan.runs[4].config.model.hidden, (std::vector<int64_t>{32, 32}));
  EXPECT_EQ(plan.runs[8].config.train.seed, 1);
  EXPECT_EQ(plan.runs[15].config.train.lr, 0.001);
  EXPECT_EQ(plan.runs[15].name, "Tanh seed=1 hidden=[32,32] lr=0.001");
  for (size_t i = 0; i < plan.runs.size(); ++i) EXPECT_EQ(plan.runs[i].index, i);
  // The base config keeps the unswept values and lists the sweep.
  EXPECT_EQ(plan.base.train.lr, 0.001);
  EXPECT_EQ(plan.config_json["sweep"]["train.lr"], (Json{0.01, 0.001}));
}

TEST(Plan, WithoutASweepThereIsOneRunPerActivation) {
  const Plan plan = plan_of({"activations=relu,sigmoid,gelu"});
  ASSERT_EQ(plan.runs.size(), 3u);
  EXPECT_TRUE(plan.axes.empty());
  EXPECT_EQ(plan.runs[2].point, Json::object());
  EXPECT_EQ(plan.runs[2].name, "GELU");
  EXPECT_EQ(plan.base.baseline, "ReLU");  // the first listed
}

TEST(Plan, CommandLineCommasSweepAndPlainValuesFix) {
  const std::string yaml = "sweep:\n  train.seed: [0, 1, 2]\n";
  EXPECT_EQ(plan_of({}, yaml).runs.size(), 12u);
  // KEY=v fixes a key the file sweeps; KEY=a,b sweeps another.
  const Plan p = plan_of({"train.seed=5", "train.lr=0.1,0.01"}, yaml);
  ASSERT_EQ(p.axes.size(), 1u);
  EXPECT_EQ(p.axes[0].key, "train.lr");
  EXPECT_EQ(p.axes[0].values, (std::vector<Json>{0.1, 0.01}));
  EXPECT_EQ(p.runs.size(), 8u);
  EXPECT_EQ(p.runs[0].config.train.seed, 5);
  // Lists stay whole; commas between them sweep.
  EXPECT_TRUE(plan_of({"model.hidden=[64, 64]"}).axes.empty());
  const Plan h = plan_of({"model.hidden=[64,64],[32]", "activations=relu"});
  ASSERT_EQ(h.runs.size(), 2u);
  EXPECT_EQ(h.runs[1].config.model.hidden, (std::vector<int64_t>{32}));
  // sweep.KEY=[...] is the explicit form; a command-line list replaces the file's.
  EXPECT_EQ(plan_of({"sweep.train.seed=[7]"}, yaml).runs[0].config.train.seed, 7);
  EXPECT_EQ(plan_of({"train.seed=3,4"}, yaml).runs.size(), 8u);
  EXPECT_EQ(actbench::split_top_level("a,'b,c',[1,2],{x: 1, y: 2}"),
            (std::vector<std::string>{"a", "'b,c'", "[1,2]", "{x: 1, y: 2}"}));
}

TEST(Plan, RunIdsAreStableAndDependOnlyOnWhatDeterminesTheNumbers) {
  const Plan a = plan_of({"train.seed=0,1"});
  const Plan b = plan_of(
      {"train.seed=0,1", "name=other", "out=/elsewhere", "jobs=3", "threads=2", "baseline=Tanh"});
  ASSERT_EQ(a.runs.size(), b.runs.size());
  std::set<std::string> ids;
  for (size_t i = 0; i < a.runs.size(); ++i) {
    EXPECT_EQ(a.runs[i].id, b.runs[i].id);
    ids.insert(a.runs[i].id);
  }
  EXPECT_EQ(ids.size(), a.runs.size());
  EXPECT_NE(plan_of({"train.lr=0.01"}).runs[0].id, a.runs[0].id);
  EXPECT_NE(plan_of({"train.epochs=3"}).runs[0].id, a.runs[0].id);
  EXPECT_THAT(a.runs[0].id, ::testing::MatchesRegex("relu-[0-9a-f]{16}"));
  EXPECT_THAT(a.runs[3].id, ::testing::MatchesRegex("leakyrelu-[0-9a-f]{16}"));
  // The id is the hash of the identity, which is the run's resolved config minus what only says
  // how or where it runs. Pinned: a changed id would make every stored sweep rerun everything.
  EXPECT_FALSE(a.runs[0].identity.contains("out"));
  EXPECT_FALSE(a.runs[0].identity.contains("jobs"));
  EXPECT_EQ(a.runs[0].identity["activations"].size(), 1u);
  EXPECT_EQ(actbench::run_id(Json{{"a", 1}}, "Leaky ReLU (0.2)"),
            "leaky-relu-0-2-" + actbench::run_id(Json{{"a", 1}}, "x").substr(2));
  EXPECT_EQ(actbench::run_id(Json::object(), "relu"), "relu-08f44b07b5901a25");
}

// The device belongs to a run's identity by the kind it resolves to: a run on a GPU and the same
// settings on the CPU are two runs; "auto" is whichever this machine has; cuda:0 and cuda:1 are
// one. Planning for CUDA needs no GPU here.
TEST(Plan, TheResolvedDeviceKindIsPartOfTheRunsIdentity) {
  const Plan automatic = plan_of({"device=auto"}), cpu = plan_of({"device=cpu"});
  const Plan cuda = plan_of({"device=cuda"}), cuda1 = plan_of({"device=cuda:1"});
  const std::string here = torch::cuda::is_available() ? "cuda" : "cpu";
  EXPECT_EQ(automatic.runs[0].identity["device"], here);
  EXPECT_EQ(cpu.runs[0].identity["device"], "cpu");
  EXPECT_EQ(cuda.runs[0].identity["device"], "cuda");
  EXPECT_EQ(automatic.runs[0].id, here == "cpu" ? cpu.runs[0].id : cuda.runs[0].id);
  EXPECT_NE(cpu.runs[0].id, cuda.runs[0].id);
  EXPECT_EQ(cuda.runs[0].id, cuda1.runs[0].id);
  EXPECT_EQ(actbench::planned_device(actbench::DeviceSpec{actbench::DeviceSpec::Kind::kCuda, 1}),
            torch::Device(torch::kCUDA, 1));
}

TEST(Plan, BadSweepsAreClearErrors) {
  EXPECT_THAT(plan_error({"train.lrr=0.1,0.2"}),
              HasSubstr("unknown key 'train.lrr' (did you mean 'train.lr'?)"));
  EXPECT_THAT(plan_error({}, "sweep:\n  train.lr: []\n"),
              HasSubstr("sweep 'train.lr' is an empty list"));
  EXPECT_THAT(plan_error({}, "sweep:\n  train.lr: 0.1\n"),
              HasSubstr("sweep 'train.lr' must be a list of values"));
  EXPECT_THAT(plan_error({}, "sweep: [train.lr]\n"), HasSubstr("'sweep' must map config keys"));
  EXPECT_THAT(plan_error({}, "sweep:\n  train.lr: [0.1, abc]\n"),
              HasSubstr("(sweep 'train.lr'): 'train.lr' must be a number > 0, got \"abc\""));
  EXPECT_THAT(plan_error({"train.epochs=2,0"}),
              HasSubstr("'train.epochs' must be an integer >= 1"));
  EXPECT_THAT(plan_error({"train.lr=0.1,1e-1"}), HasSubstr("lists 0.1 twice"));
  EXPECT_THAT(plan_error({"out=a,b"}), HasSubstr("'out' cannot be swept"));
  EXPECT_THAT(plan_error({}, "sweep:\n  activations: [relu]\n"), HasSubstr("cannot be swept"));
  EXPECT_THAT(plan_error({"train=1,2"}), HasSubstr("'train' is a section"));
  EXPECT_THAT(plan_error({"baseline=GELU"}), HasSubstr("'baseline' must be one of ReLU, Sigmoid"));
  // Values valid alone but not together are still caught, at the grid point.
  EXPECT_THAT(plan_error({"train.optimizer=adam,sgd", "train.momentum=0.5"}),
              HasSubstr("'train.momentum' must be left unset with adam"));
}

TEST(Plan, ShardsPartitionThePlan) {
  EXPECT_EQ(actbench::parse_shard("2/4").k, 2);
  EXPECT_EQ(actbench::parse_shard("2/4").n, 4);
  for (const char* bad : {"3/2", "0/2", "1/0", "a/b", "2", "-1/2", "1/2/3", ""}) {
    EXPECT_THAT(actbench_test::input_error_message([&] { actbench::parse_shard(bad); }),
                HasSubstr("--shard must be K/N with 1 <= K <= N"))
        << bad;
  }
  for (int64_t n : {1, 3, 5, 13}) {
    std::vector<int> owners(12, 0);
    for (int64_t k = 1; k <= n; ++k) {
      const actbench::Shard s{k, n};
      for (size_t i = 0; i < owners.size(); ++i) owners[i] += s.contains(i);
    }
    EXPECT_EQ(owners, std::vector<int>(12, 1)) << "n=" << n;
  }
}

TEST(Plan, ForAGivenSeedEveryActivationStartsFromTheSameWeights) {
  auto weights = [](const std::string& act) {
    torch::manual_seed(3);
    actbench::MLP m(
        actbench::MLPOptions(784, {16, 16}, 10, actbench::resolve_activation(act, "test")));
    std::vector<torch::Tensor> w;
    for (const auto& p : m->named_parameters()) {
      if (p.key().rfind("fc", 0) == 0) w.push_back(p.value().clone());
    }
    return w;
  };
  const auto relu = weights("relu");
  for (const char* act : {"tanh", "rrelu", "prelu", "sigmoid"}) {
    const auto other = weights(act);
    ASSERT_EQ(other.size(), relu.size());
    for (size_t i = 0; i < relu.size(); ++i) EXPECT_TRUE(torch::equal(other[i], relu[i])) << act;
  }
}

}  // namespace
