// Hardening (issue 14), in the library: no silent acceptance (junk after a command-line list, empty
// list elements, a data set key that does not match the files), no misleading message (NaN called
// null, formulas that are not what is computed), the memory estimate. Through the binary:
// e2e/hardening_cli_test.cpp and e2e/hardening_outputs_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "activations/registry.h"
#include "config/config.h"
#include "data/dataset.h"
#include "test_support.h"
#include "train/memory.h"

namespace {

namespace fs = std::filesystem;
using actbench_test::input_error_message;
using actbench_test::TempDir;
using actbench_test::write_text;
using ::testing::HasSubstr;
using ::testing::Not;

std::string override_error(const std::string& kv) {
  return input_error_message([&] { actbench::load_config(std::nullopt, {kv}); });
}

TEST(Hardening, CommandLineValuesAreWholeAndHaveNoEmptyElements) {
  EXPECT_THAT(override_error("model.hidden=[128,128]x"),
              HasSubstr("has 'x' after the closing ']'"));
  EXPECT_THAT(override_error("activations=[relu,tanh]zz"), HasSubstr("has 'zz' after the closing"));
  EXPECT_THAT(override_error("train.lr=[0.1,0.2]junk"), HasSubstr("has 'junk' after"));
  EXPECT_THAT(override_error("sweep.train.lr=[0.1]x"), HasSubstr("has 'x' after"));
  EXPECT_THAT(override_error("model.hidden=[64,[1]"), HasSubstr("opens a '[' it never closes"));
  // Empty elements: refused the same way for every key.
  for (const std::string kv : {"activations=relu,,tanh", "activations=relu,", "train.seed=1,,2",
                               "train.seed=1,", "train.lr=0.1,,0.2", "model.hidden=[64],,[32]"}) {
    EXPECT_THAT(override_error(kv), HasSubstr("has an empty element")) << kv;
  }
  // What is whole stays accepted.
  const actbench::Plan plan =
      actbench_test::plan_of({"model.hidden=[64],[32,32]", "activations=relu,tanh"});
  EXPECT_EQ(plan.runs.size(), 4u);
}

TEST(Hardening, NonFiniteValuesAreNamedNotNull) {
  TempDir dir;
  write_text(dir / "c.yaml", "activations: [{name: leaky_relu, negative_slope: .inf}]\n");
  const std::string msg = input_error_message([&] { actbench::load_config(dir / "c.yaml", {}); });
  EXPECT_THAT(msg, HasSubstr("must be finite, got inf"));
  EXPECT_THAT(msg, Not(HasSubstr("null")));
  EXPECT_THAT(override_error("model.hidden=[64, .nan]"), HasSubstr("got [64,nan]"));
  EXPECT_THAT(override_error("train.lr=-.inf"), HasSubstr("got -inf"));
}

TEST(Hardening, ADataSetWhoseFilesAreAnotherDataSetsIsRefused) {
  // The data set's identity is checked on the files' SHA-256; official files of the other data
  // set cannot be made here, so the check is tested on the library function with their hashes.
  actbench::DataConfig c = actbench::default_config().data;
  c.dataset = actbench::DatasetKind::kFashionMnist;
  const std::map<std::string, std::string> mnist{
      {"train-images-idx3-ubyte",
       "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"}};
  EXPECT_THAT(
      input_error_message([&] { actbench::check_dataset_identity(c, mnist); }),
      HasSubstr("holds mnist's train-images-idx3-ubyte, but data.dataset is fashion-mnist"));
  c.dataset = actbench::DatasetKind::kMnist;
  EXPECT_NO_THROW(actbench::check_dataset_identity(c, mnist));
  EXPECT_NO_THROW(actbench::check_dataset_identity(c, {{"train-images-idx3-ubyte", "00"}}));
}

// The formulas `list activations` prints (e2e/hardening_cli_test.cpp: scale, alpha, the tanh
// approximation, softplus's threshold) are what the modules compute.
TEST(Hardening, TheListedFormulasAreWhatTheModulesCompute) {
  const auto module = [](const std::string& yaml_entry) {
    const actbench::ActivationSpec spec =
        actbench::resolve_activation(nlohmann::json::parse(yaml_entry), "test");
    return actbench::make_activation(spec, 1);
  };
  const torch::Tensor x = torch::linspace(-8, 30, 1001, torch::kDouble);
  auto gelu = module(R"({"name": "gelu", "approximate": "tanh"})");
  const torch::Tensor g =
      0.5 * x * (1 + torch::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x.pow(3))));
  EXPECT_TRUE(torch::allclose(gelu.forward(x), g, 1e-12, 1e-12));
  auto selu = module(R"({"name": "selu"})");
  const double scale = 1.0507009873554804934193349852946, alpha = 1.6732632423543772848170429916717;
  EXPECT_TRUE(torch::allclose(
      selu.forward(x), scale * torch::where(x > 0, x, alpha * (torch::exp(x) - 1)), 1e-12, 1e-12));
  auto softplus = module(R"({"name": "softplus", "beta": 2, "threshold": 5})");
  const torch::Tensor sp = torch::where(2 * x > 5, x, torch::log1p(torch::exp(2 * x)) / 2);
  EXPECT_TRUE(torch::allclose(softplus.forward(x), sp, 1e-12, 1e-12));
}

TEST(Hardening, TheMemoryEstimateCoversTheModelsParametersAndOptimizerState) {
  actbench::Config c = actbench::default_config();
  c.model.hidden = {300, 200};
  const actbench::MemoryEstimate e = actbench::estimate_run_memory(c);
  const double count = 784.0 * 300 + 300 + 300.0 * 200 + 200 + 200.0 * 10 + 10;
  EXPECT_GE(e.parameters, 2 * 4 * count);  // values and gradients, float
  EXPECT_LE(e.parameters, 2 * 4 * (count + 500));
  EXPECT_GE(e.optimizer, 2 * 4 * count);  // Adam's two moments
  EXPECT_GT(e.buffers, 4.0 * 64 * 784);   // at least the batch's inputs
  EXPECT_EQ(actbench::parse_memory_size("1.5GiB", "--x"), uint64_t(1.5 * (1ull << 30)));
  EXPECT_EQ(actbench::parse_memory_size("512M", "--x"), 512ull << 20);
  EXPECT_EQ(actbench::parse_memory_size("2000", "--x"), 2000u);
  EXPECT_GT(actbench::machine_memory_bytes(), 0u);
}

// A formula's intermediates that autograd keeps for the backward pass are measured, so a deep
// formula on a wide layer with a large batch is refused before it is trained, not killed later.
TEST(Hardening, TheMemoryEstimateCoversAFormulasSavedIntermediates) {
  const auto formula = [](const std::string& expr) {
    return actbench::load_config(std::nullopt,
                                 {"activations=[{name: formula, expr: \"" + expr + "\"}]"})
        .activations.front();
  };
  std::string deep = "x";
  for (int i = 0; i < 30; ++i) deep = "tanh(" + deep + ") * sigmoid(x)";
  const double shallow = actbench::saved_bytes_per_element(formula("x * sigmoid(x)"));
  const double saved = actbench::saved_bytes_per_element(formula(deep));
  EXPECT_EQ(actbench::saved_bytes_per_element(actbench::default_config().activations.front()), 0);
  EXPECT_GE(shallow, 4.0);       // at least one float per element: sigmoid(x)
  EXPECT_GE(saved, 30 * 2 * 4);  // two saved tensors per level at least
  EXPECT_LT(saved, 30 * 8 * 4);  // and not counted many times over
  EXPECT_EQ(actbench::saved_bytes_per_element(formula(deep)), saved);  // measured once

  actbench::Config wide = actbench::default_config();
  wide.model.hidden = {4096};
  wide.train.batch_size = 4096;
  const double plain = actbench::estimate_run_memory(wide).run();
  wide.activations = {formula(deep)};
  const double with_formula = actbench::estimate_run_memory(wide).run();
  EXPECT_NEAR(with_formula - plain, 2 * 4096.0 * 4096 * saved, 1.0);  // saved, their gradients
  // A limit the built-in activation fits in and the formula does not.
  const uint64_t limit = uint64_t(plain + 600e6);
  actbench::check_memory({&wide}, 1, limit + uint64_t(with_formula));
  const std::string msg =
      actbench_test::input_error_message([&] { actbench::check_memory({&wide}, 1, limit); });
  EXPECT_THAT(msg, ::testing::HasSubstr("a formula's saved intermediates"));
  // actbench curves: many activations on many points are refused the same way.
  const std::vector<actbench::ActivationSpec> many(2000, formula(deep));
  EXPECT_THAT(
      actbench_test::input_error_message([&] { actbench::check_curves_memory(many, 1000000); }),
      ::testing::HasSubstr("draw fewer points (--points) or fewer activations"));
  actbench::check_curves_memory({formula(deep)}, 601);
}

}  // namespace
