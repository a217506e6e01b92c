// The config-key declarations (src/config/keys.cpp) and what is derived from them: the defaults
// tree, serialisation, run identity, the sweepable keys, enum names and the device form.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <sstream>

#include "config/keys.h"
#include "test_support.h"

namespace {

using actbench::Json;
using ::testing::HasSubstr;

std::set<std::string> leaves(const Json& tree, const std::string& prefix = "") {
  std::set<std::string> out;
  for (auto it = tree.begin(); it != tree.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it.value().is_object()) {
      for (const auto& k : leaves(it.value(), key)) out.insert(k);
    } else {
      out.insert(key);
    }
  }
  return out;
}

TEST(Keys, EveryKeyIsDeclaredOnceAndTheDefaultsTreeHasExactlyTheDeclaredKeys) {
  std::set<std::string> names;
  for (const auto& k : actbench::config_keys()) {
    EXPECT_TRUE(names.insert(k.name).second) << k.name << " declared twice";
    EXPECT_FALSE(k.description.empty()) << k.name;
    EXPECT_FALSE(k.type.empty()) << k.name;
    EXPECT_TRUE(k.read && k.write) << k.name;
  }
  EXPECT_EQ(leaves(actbench::default_config_json()), names);
  // The written config has the same keys, resolved.
  EXPECT_EQ(leaves(actbench::config_to_json(actbench::default_config())), names);
}

TEST(Keys, WrittenConfigReadsBackToTheSameConfig) {
  const actbench::Config c = actbench::load_config(
      std::nullopt, {"train.optimizer=sgd", "model.init=orthogonal", "device=cuda:1",
                     "data.dataset=fashion-mnist", "train.sparse_input=off", "threads=0",
                     "activations=[tanh, {name: elu, alpha: 2}]", "baseline=Tanh"});
  const Json written = actbench::config_to_json(c);
  EXPECT_EQ(written["train"]["momentum"], 0.9);
  EXPECT_EQ(written["data"]["dir"], "data/fashion-mnist");  // derived from the data set
  EXPECT_EQ(written["device"], "cuda:1");
  const actbench::Config again = actbench::config_from_json(written, {});
  EXPECT_EQ(actbench::config_to_json(again), written);
}

TEST(Keys, DataDirDefaultsToTheSharedRootInActbenchData) {
  ASSERT_EQ(::setenv("ACTBENCH_DATA", "/shared/data", 1), 0);
  const actbench::Config shared =
      actbench::load_config(std::nullopt, {"data.dataset=fashion-mnist"});
  const actbench::Config given = actbench::load_config(std::nullopt, {"data.dir=mine"});
  ::unsetenv("ACTBENCH_DATA");
  EXPECT_EQ(shared.data.dir, "/shared/data/fashion-mnist");
  EXPECT_EQ(given.data.dir, "mine");  // an explicit data.dir wins
  EXPECT_EQ(actbench::default_config().data.dir, "data/mnist");
}

TEST(Keys, IdentityHoldsWhatDeterminesTheNumbersAndNothingElse) {
  const actbench::Config a = actbench::load_config(std::nullopt, {"activations=relu"});
  const actbench::Config b = actbench::load_config(
      std::nullopt, {"activations=relu", "name=other", "out=/tmp/x", "jobs=3", "threads=2"});
  EXPECT_EQ(actbench::config_identity(a), actbench::config_identity(b));
  const actbench::Config c =
      actbench::load_config(std::nullopt, {"activations=relu", "train.lr=0.01"});
  EXPECT_NE(actbench::config_identity(a), actbench::config_identity(c));
  std::set<std::string> local;
  for (const auto& k : actbench::config_keys()) {
    if (!k.identity) local.insert(k.name);
  }
  EXPECT_EQ(local, (std::set<std::string>{"name", "out", "threads", "jobs", "baseline", "spread",
                                          "seeds.until", "seeds.min", "seeds.max", "seeds.step"}));
}

TEST(Keys, UnsweepableKeysAreRefusedWithTheirReason) {
  for (const auto& k : actbench::config_keys()) {
    if (k.unsweepable.empty()) continue;
    SCOPED_TRACE(k.name);
    const std::string msg = actbench_test::input_error_message(
        [&] { actbench::read_config_source(std::nullopt, {"sweep." + k.name + "=[1, 2]"}); });
    EXPECT_THAT(msg, HasSubstr("cannot be swept: " + k.unsweepable));
  }
}

TEST(Keys, ChoicesAndDeviceFormsRoundTrip) {
  for (const auto& name : actbench::choice_names<actbench::Optimizer>()) {
    EXPECT_EQ(actbench::choice_name(*actbench::parse_choice<actbench::Optimizer>(name)), name);
  }
  EXPECT_FALSE(actbench::parse_choice<actbench::Engine>("turbo"));
  for (const char* text : {"auto", "cpu", "cuda", "cuda:0", "cuda:12"}) {
    const auto spec = actbench::DeviceSpec::parse(text);
    ASSERT_TRUE(spec) << text;
    EXPECT_EQ(spec->text(), text);
  }
  for (const char* text : {"", "gpu", "cuda:", "cuda:x", "cuda:1:2", "CPU", " cpu"}) {
    EXPECT_FALSE(actbench::DeviceSpec::parse(text)) << text;
  }
}

}  // namespace
