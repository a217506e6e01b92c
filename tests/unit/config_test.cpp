// Config stage: defaults < file < KEY=VALUE, strict validation, errors that name the key and the
// place its value came from.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "config/keys.h"
#include "test_support.h"
#include "util/error.h"

namespace {

using actbench::Config;
using actbench::load_config;
using actbench_test::input_error_message;
using actbench_test::TempDir;
using actbench_test::write_text;
using ::testing::HasSubstr;

// Writes `text` as DIR/NAME and returns the path.
std::filesystem::path config_file(const TempDir& dir, const std::string& name,
                                  const std::string& text) {
  auto p = dir / name;
  write_text(p, text);
  return p;
}

// The InputError message of loading `yaml` from a file (named bad.yaml) with `overrides`.
std::string file_error(const TempDir& dir, const std::string& yaml,
                       const std::vector<std::string>& overrides = {}) {
  auto p = config_file(dir, "bad.yaml", yaml);
  return input_error_message([&] { load_config(p, overrides); });
}

std::string override_error(const std::vector<std::string>& overrides) {
  return input_error_message([&] { load_config(std::nullopt, overrides); });
}

TEST(Config, DefaultsAreTheTutorials) {
  const Config c = load_config(std::nullopt, {});
  EXPECT_EQ(c.name, "seed");
  EXPECT_EQ(c.data.dataset, actbench::DatasetKind::kMnist);
  EXPECT_EQ(c.data.dir, "data/mnist");
  EXPECT_FALSE(c.data.normalize);
  EXPECT_EQ(c.data.train_limit, 0);
  EXPECT_EQ(c.data.test_limit, 0);
  EXPECT_EQ(c.model.hidden, (std::vector<int64_t>{128, 128}));
  EXPECT_EQ(c.train.epochs, 10);
  EXPECT_EQ(c.train.batch_size, 64);
  EXPECT_EQ(c.train.optimizer, actbench::Optimizer::kAdam);
  EXPECT_DOUBLE_EQ(c.train.lr, 0.001);
  EXPECT_FALSE(c.train.momentum.has_value());
  EXPECT_EQ(c.train.weight_decay, 0.0);
  EXPECT_EQ(c.train.seed, 0);
  EXPECT_EQ(c.device.text(), "auto");
  EXPECT_EQ(c.out, "results/seed");
  EXPECT_EQ(c.threads, 1);
  ASSERT_EQ(c.activations.size(), 4u);
  const std::vector<std::string> names{"relu", "sigmoid", "tanh", "leaky_relu"};
  const std::vector<std::string> labels{"ReLU", "Sigmoid", "Tanh", "LeakyReLU"};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(c.activations[i].name, names[i]);
    EXPECT_EQ(c.activations[i].label, labels[i]);
  }
  EXPECT_DOUBLE_EQ(c.activations[3].params.at("negative_slope").get<double>(), 0.01);
}

TEST(Config, OptimizerDefaultsFollowPyTorch) {
  EXPECT_DOUBLE_EQ(*load_config(std::nullopt, {"train.optimizer=sgd"}).train.momentum, 0.9);
  EXPECT_DOUBLE_EQ(*load_config(std::nullopt, {"train.optimizer=rmsprop"}).train.momentum, 0.0);
  EXPECT_DOUBLE_EQ(load_config(std::nullopt, {"train.optimizer=adamw"}).train.weight_decay, 0.01);
  EXPECT_DOUBLE_EQ(load_config(std::nullopt, {"train.optimizer=adam"}).train.weight_decay, 0.0);
}

constexpr const char* kYaml = R"(# a comment
name: same
data:
  dataset: fashion-mnist
  train_limit: 500
model:
  hidden: [32, 16]
train:
  epochs: 3
  optimizer: sgd
  lr: 0.05
  momentum: 0.5
activations:
  - relu
  - {name: elu, alpha: 0.5}
  - name: leaky_relu
    negative_slope: 0.2
    label: Leaky
)";

constexpr const char* kJson = R"({
  "name": "same",
  "data": {"dataset": "fashion-mnist", "train_limit": 500},
  "model": {"hidden": [32, 16]},
  "train": {"epochs": 3, "optimizer": "sgd", "lr": 0.05, "momentum": 0.5},
  "activations": ["relu", {"name": "elu", "alpha": 0.5},
                  {"name": "leaky_relu", "negative_slope": 0.2, "label": "Leaky"}]
})";

TEST(Config, YamlAndJsonFilesLoadTheSameConfig) {
  TempDir dir;
  const Config y = load_config(config_file(dir, "c.yaml", kYaml), {});
  const Config j = load_config(config_file(dir, "c.json", kJson), {});
  EXPECT_EQ(actbench::config_to_json(y), actbench::config_to_json(j));
  // And the file was really read (not just the defaults twice).
  EXPECT_EQ(y.name, "same");
  EXPECT_EQ(y.data.dataset, actbench::DatasetKind::kFashionMnist);
  EXPECT_EQ(y.data.train_limit, 500);
  EXPECT_EQ(y.model.hidden, (std::vector<int64_t>{32, 16}));
  EXPECT_EQ(y.train.epochs, 3);
  EXPECT_EQ(y.train.optimizer, actbench::Optimizer::kSgd);
  EXPECT_DOUBLE_EQ(y.train.lr, 0.05);
  EXPECT_DOUBLE_EQ(*y.train.momentum, 0.5);
  ASSERT_EQ(y.activations.size(), 3u);
  EXPECT_EQ(y.activations[1].name, "elu");
  EXPECT_EQ(y.activations[1].label, "ELU(alpha=0.5)");
  EXPECT_EQ(y.activations[2].label, "Leaky");
  EXPECT_DOUBLE_EQ(y.activations[2].params.at("negative_slope").get<double>(), 0.2);
}

TEST(Config, YamlFileMayUseJsonSyntaxAndJsonExtensionIsCaseInsensitive) {
  TempDir dir;
  const Config y = load_config(config_file(dir, "c.yml", kJson), {});
  const Config j = load_config(config_file(dir, "c.JSON", kJson), {});
  EXPECT_EQ(actbench::config_to_json(y), actbench::config_to_json(j));
}

// An empty config file is said, not silently trained with the defaults (which no file gives).
TEST(Config, EmptyFileIsRefusedAndNoFileMeansDefaults) {
  TempDir dir;
  EXPECT_THAT(actbench_test::input_error_message(
                  [&] { load_config(config_file(dir, "empty.yaml", "# nothing\n"), {}); }),
              ::testing::HasSubstr("holds no settings"));
  EXPECT_EQ(actbench::config_to_json(load_config(std::nullopt, {})),
            actbench::config_to_json(actbench::default_config()));
}

TEST(Config, PrecedenceIsDefaultsThenFileThenOverrides) {
  TempDir dir;
  auto p = config_file(dir, "c.yaml", "train:\n  epochs: 3\n  lr: 0.01\n");
  const Config c = load_config(p, {"train.epochs=5"});
  EXPECT_EQ(c.train.epochs, 5);        // override beats file
  EXPECT_DOUBLE_EQ(c.train.lr, 0.01);  // file beats default
  EXPECT_EQ(c.train.batch_size, 64);   // default
  // Later overrides win over earlier ones.
  EXPECT_EQ(load_config(p, {"train.epochs=5", "train.epochs=7"}).train.epochs, 7);
}

TEST(Config, DottedOverridesSetScalarsAndLists) {
  const Config c = load_config(std::nullopt, {"model.hidden=[256,64]", "activations=relu,tanh",
                                              "train.lr=5e-4", "data.normalize=true", "name=mine",
                                              "train.optimizer=rmsprop", "train.momentum=0.25"});
  EXPECT_EQ(c.model.hidden, (std::vector<int64_t>{256, 64}));
  ASSERT_EQ(c.activations.size(), 2u);
  EXPECT_EQ(c.activations[0].name, "relu");
  EXPECT_EQ(c.activations[1].name, "tanh");
  EXPECT_DOUBLE_EQ(c.train.lr, 5e-4);
  EXPECT_TRUE(c.data.normalize);
  EXPECT_EQ(c.name, "mine");
  EXPECT_DOUBLE_EQ(*c.train.momentum, 0.25);
}

TEST(Config, OverrideAcceptsAYamlListOfActivations) {
  const Config c = load_config(std::nullopt, {"activations=[gelu, {name: elu, alpha: 2}]"});
  ASSERT_EQ(c.activations.size(), 2u);
  EXPECT_EQ(c.activations[0].name, "gelu");
  EXPECT_EQ(c.activations[1].label, "ELU(alpha=2)");
  // A single name is a one-element list.
  EXPECT_EQ(load_config(std::nullopt, {"activations=mish"}).activations.size(), 1u);
}

TEST(Config, OverrideOfASectionMergesIntoIt) {
  const Config c = load_config(std::nullopt, {"train={epochs: 2, lr: 0.1}"});
  EXPECT_EQ(c.train.epochs, 2);
  EXPECT_DOUBLE_EQ(c.train.lr, 0.1);
  EXPECT_EQ(c.train.batch_size, 64);
}

TEST(Config, DataDirDefaultsToDataSlashDataset) {
  EXPECT_EQ(load_config(std::nullopt, {}).data.dir, "data/mnist");
  EXPECT_EQ(load_config(std::nullopt, {"data.dataset=fashion-mnist"}).data.dir,
            "data/fashion-mnist");
  EXPECT_EQ(load_config(std::nullopt, {"data.dataset=fashion-mnist", "data.dir=/x/y"}).data.dir,
            "/x/y");
}

TEST(Config, OutDefaultsToResultsSlashName) {
  EXPECT_EQ(load_config(std::nullopt, {"name=exp1"}).out, "results/exp1");
  EXPECT_EQ(load_config(std::nullopt, {"name=exp1", "out=elsewhere"}).out, "elsewhere");
}

TEST(Config, ConfigToJsonRoundTripsThroughAJsonFile) {
  TempDir dir;
  const Config original = load_config(config_file(dir, "c.yaml", kYaml),
                                      {"activations=[relu, {name: prelu, per_unit: true}, "
                                       "{name: gelu, approximate: tanh}]"});
  const actbench::Json first = actbench::config_to_json(original);
  auto p = dir / "resolved.json";
  write_text(p, first.dump(2));
  const actbench::Json second = actbench::config_to_json(load_config(p, {}));
  EXPECT_EQ(first, second) << first.dump(2) << "\nvs\n" << second.dump(2);
  // Every key is resolved: nothing is left null that has a value.
  EXPECT_EQ(first["data"]["dir"], "data/fashion-mnist");
  EXPECT_EQ(first["out"], "results/same");
  EXPECT_EQ(first["train"]["momentum"], 0.5);
  EXPECT_EQ(first["activations"][1]["per_unit"], true);
  EXPECT_EQ(first["activations"][1]["init"], 0.25);
}

TEST(Config, ConfigToJsonRoundTripsTheDefaults) {
  TempDir dir;
  const actbench::Json first = actbench::config_to_json(load_config(std::nullopt, {}));
  auto p = dir / "resolved.json";
  write_text(p, first.dump());
  EXPECT_EQ(actbench::config_to_json(load_config(p, {})), first);
}

// ---- errors: every one is an InputError naming the key and where its value came from ----

TEST(Config, RejectsUnknownTopLevelKeyAndNamesFile) {
  TempDir dir;
  std::string msg = file_error(dir, "epochs: 3\n");
  EXPECT_THAT(msg, HasSubstr("unknown key 'epochs'"));
  EXPECT_THAT(msg, HasSubstr((dir / "bad.yaml").string()));
  EXPECT_THAT(msg, HasSubstr("valid keys"));
}

TEST(Config, RejectsUnknownNestedKeyWithDidYouMean) {
  TempDir dir;
  std::string msg = file_error(dir, "train:\n  epoch: 3\n");
  EXPECT_THAT(msg, HasSubstr("'train.epoch'"));
  EXPECT_THAT(msg, HasSubstr("did you mean 'train.epochs'"));
  EXPECT_THAT(msg, HasSubstr((dir / "bad.yaml").string()));
}

TEST(Config, RejectsUnknownKeyInOverrideAndNamesCommandLine) {
  std::string msg = override_error({"train.epoch=3"});
  EXPECT_THAT(msg, HasSubstr("command line"));
  EXPECT_THAT(msg, HasSubstr("train.epoch"));
  EXPECT_THAT(msg, HasSubstr("did you mean 'train.epochs'"));
  msg = override_error({"train.epochs.x=3"});
  EXPECT_THAT(msg, HasSubstr("command line"));
  EXPECT_THAT(msg, HasSubstr("train.epochs.x"));
}

TEST(Config, RejectsStringForEpochs) {
  TempDir dir;
  std::string msg = file_error(dir, "train:\n  epochs: three\n");
  EXPECT_THAT(msg, HasSubstr("train.epochs"));
  EXPECT_THAT(msg, HasSubstr((dir / "bad.yaml").string()));
  EXPECT_THAT(msg, HasSubstr("integer"));
  // A quoted number is a string, not a number.
  msg = file_error(dir, "train:\n  epochs: \"3\"\n");
  EXPECT_THAT(msg, HasSubstr("train.epochs"));
}

TEST(Config, RejectsFractionalEpochs) {
  TempDir dir;
  std::string msg = file_error(dir, "train:\n  epochs: 2.5\n");
  EXPECT_THAT(msg, HasSubstr("train.epochs"));
  EXPECT_THAT(msg, HasSubstr("2.5"));
  EXPECT_THAT(msg, HasSubstr((dir / "bad.yaml").string()));
}

TEST(Config, RejectsOutOfRangeValues) {
  TempDir dir;
  const std::string file = (dir / "bad.yaml").string();
  struct Case {
    std::string yaml, key;
  };
  const std::vector<Case> cases{
      {"train:\n  epochs: 0\n", "train.epochs"},
      {"train:\n  lr: -1\n", "train.lr"},
      {"train:\n  lr: 0\n", "train.lr"},
      {"train:\n  batch_size: 0\n", "train.batch_size"},
      {"train:\n  optimizer: sgd\n  momentum: 1.0\n", "train.momentum"},
      {"train:\n  weight_decay: -0.1\n", "train.weight_decay"},
      {"data:\n  train_limit: -5\n", "data.train_limit"},
      {"threads: -1\n", "threads"},
      {"jobs: -2\n", "jobs"},
      {"train:\n  engine: turbo\n", "train.engine"},
      {"data:\n  pipeline: stream\n", "data.pipeline"},
      {"model:\n  hidden: [128, 0]\n", "model.hidden"},
      {"model:\n  hidden: []\n", "model.hidden"},
      {"name: \"a/b\"\n", "name"},
      {"device: gpu\n", "device"},
      {"train:\n  lr: .nan\n", "train.lr"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.yaml);
    std::string msg = file_error(dir, c.yaml);
    EXPECT_THAT(msg, HasSubstr("'" + c.key + "'"));
    EXPECT_THAT(msg, HasSubstr(file));
  }
}

TEST(Config, RejectsMomentumWithAdam) {
  TempDir dir;
  std::string msg = file_error(dir, "train:\n  optimizer: adam\n  momentum: 0.9\n");
  EXPECT_THAT(msg, HasSubstr("train.momentum"));
  EXPECT_THAT(msg, HasSubstr("adam"));
  EXPECT_THAT(msg, HasSubstr((dir / "bad.yaml").string()));
}

TEST(Config, RejectsUnknownOptimizerAndDataset) {
  TempDir dir;
  std::string msg = file_error(dir, "train:\n  optimizer: adagrad\n");
  EXPECT_THAT(msg, HasSubstr("train.optimizer"));
  EXPECT_THAT(msg, HasSubstr("adagrad"));
  EXPECT_THAT(msg, HasSubstr("adam, adamw, sgd, rmsprop"));
  EXPECT_THAT(msg, HasSubstr((dir / "bad.yaml").string()));
  msg = file_error(dir, "data:\n  dataset: cifar\n");
  EXPECT_THAT(msg, HasSubstr("data.dataset"));
  EXPECT_THAT(msg, HasSubstr("mnist, fashion-mnist"));
  EXPECT_THAT(msg, HasSubstr((dir / "bad.yaml").string()));
  msg = override_error({"train.optimizer=sgdd"});
  EXPECT_THAT(msg, HasSubstr("command line"));
  EXPECT_THAT(msg, HasSubstr("did you mean 'sgd'"));
}

TEST(Config, RejectsEmptyActivationsList) {
  TempDir dir;
  std::string msg = file_error(dir, "activations: []\n");
  EXPECT_THAT(msg, HasSubstr("'activations'"));
  EXPECT_THAT(msg, HasSubstr((dir / "bad.yaml").string()));
  msg = override_error({"activations="});
  EXPECT_THAT(msg, HasSubstr("activations"));
  EXPECT_THAT(msg, HasSubstr("command line"));
}

TEST(Config, RejectsUnknownActivationName) {
  TempDir dir;
  std::string msg = file_error(dir, "activations: [relu, swoosh]\n");
  EXPECT_THAT(msg, HasSubstr("activations[1]"));
  EXPECT_THAT(msg, HasSubstr("unknown activation 'swoosh'"));
  EXPECT_THAT(msg, HasSubstr((dir / "bad.yaml").string()));
  EXPECT_THAT(msg, HasSubstr("valid names"));
}

TEST(Config, RejectsUnknownActivationParameter) {
  TempDir dir;
  std::string msg = file_error(dir, "activations:\n  - {name: elu, slope: 2}\n");
  EXPECT_THAT(msg, HasSubstr("activations[0]"));
  EXPECT_THAT(msg, HasSubstr("unknown parameter 'slope'"));
  EXPECT_THAT(msg, HasSubstr("alpha"));
  EXPECT_THAT(msg, HasSubstr((dir / "bad.yaml").string()));
}

TEST(Config, RejectsDuplicateLabels) {
  TempDir dir;
  std::string msg = file_error(dir, "activations: [relu, ReLU]\n");
  EXPECT_THAT(msg, HasSubstr("activations[1]"));
  EXPECT_THAT(msg, HasSubstr("'ReLU'"));
  EXPECT_THAT(msg, HasSubstr("twice"));
  EXPECT_THAT(msg, HasSubstr((dir / "bad.yaml").string()));
  // Distinct labels make the same activation usable twice.
  TempDir ok;
  EXPECT_NO_THROW(load_config(
      config_file(ok, "ok.yaml", "activations: [relu, {name: relu, label: ReLU2}]\n"), {}));
}

TEST(Config, RejectsInvalidYamlWithLineNumber) {
  TempDir dir;
  // Line 4 is indented one space too far.
  std::string msg = file_error(dir, "name: x\ntrain:\n  epochs: 3\n   lr: 0.1\n");
  EXPECT_THAT(msg, HasSubstr((dir / "bad.yaml").string() + ":4:"));
  EXPECT_THAT(msg, HasSubstr("invalid YAML"));
  msg = file_error(dir, "name: x\ntrain:\n  epochs: [1, 2\n  lr: 0.1\n");
  EXPECT_THAT(msg, ::testing::ContainsRegex("bad\\.yaml:[0-9]+:[0-9]+: invalid YAML"));
  msg = file_error(dir, "name: x\nname: y\n");
  EXPECT_THAT(msg, HasSubstr("line 2"));
  EXPECT_THAT(msg, HasSubstr("'name'"));
  EXPECT_THAT(msg, HasSubstr((dir / "bad.yaml").string()));
}

TEST(Config, RejectsInvalidJsonAndNamesFile) {
  TempDir dir;
  auto p = config_file(dir, "bad.json", "{\"train\": {\"epochs\": 3,}}");
  std::string msg = input_error_message([&] { load_config(p, {}); });
  EXPECT_THAT(msg, HasSubstr(p.string()));
  EXPECT_THAT(msg, HasSubstr("invalid JSON"));
}

TEST(Config, RejectsTopLevelThatIsNotAMapping) {
  TempDir dir;
  std::string msg = file_error(dir, "- relu\n- tanh\n");
  EXPECT_THAT(msg, HasSubstr((dir / "bad.yaml").string()));
  EXPECT_THAT(msg, HasSubstr("mapping"));
}

TEST(Config, RejectsMissingConfigFile) {
  TempDir dir;
  auto p = dir / "nope.yaml";
  std::string msg = input_error_message([&] { load_config(p, {}); });
  EXPECT_THAT(msg, HasSubstr(p.string()));
  EXPECT_THAT(msg, HasSubstr("not found"));
}

TEST(Config, RejectsOverrideWithoutEquals) {
  std::string msg = override_error({"train.epochs"});
  EXPECT_THAT(msg, HasSubstr("command line"));
  EXPECT_THAT(msg, HasSubstr("KEY=VALUE"));
  EXPECT_THAT(msg, HasSubstr("'train.epochs'"));
  msg = override_error({"=3"});
  EXPECT_THAT(msg, HasSubstr("KEY=VALUE"));
}

TEST(Config, OverrideErrorNamesCommandLineNotTheFile) {
  TempDir dir;
  auto p = config_file(dir, "c.yaml", "train:\n  epochs: 3\n");
  std::string msg = input_error_message([&] { load_config(p, {"train.epochs=0"}); });
  EXPECT_THAT(msg, HasSubstr("command line"));
  EXPECT_THAT(msg, HasSubstr("train.epochs"));
  EXPECT_THAT(msg, ::testing::Not(HasSubstr(p.string())));
  msg = input_error_message([&] { load_config(p, {"train.epochs=abc"}); });
  EXPECT_THAT(msg, HasSubstr("command line"));
  EXPECT_THAT(msg, HasSubstr("\"abc\""));
}

TEST(Config, ReplacingAListForgetsTheSourcesOfItsOldItems) {
  // The file sets the list; the command line replaces it with a bad one: the error must name
  // the command line, not the file.
  TempDir dir;
  auto p = config_file(dir, "c.yaml", "activations: [relu]\n");
  std::string msg = input_error_message([&] { load_config(p, {"activations=bogus"}); });
  EXPECT_THAT(msg, HasSubstr("command line"));
  EXPECT_THAT(msg, HasSubstr("bogus"));
}

}  // namespace
