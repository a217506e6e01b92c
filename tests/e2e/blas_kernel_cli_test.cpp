// The CPU kernel policy (util/blas_kernel.h), as a user meets it through the binary: under the
// default policy a sweep gives the same numbers whether the environment names the reference
// kernel itself or leaves it to actbench; runs of two kernels never share a store entry; a
// setting that names no kernel is one line and exit 2.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "process.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// The test process's own policy variables (it ran the policy's initialiser too) are dropped, so
// each command starts from the environment `env` gives it.
const std::string kClean =
    "env -u ACTBENCH_BLAS_KERNEL -u OPENBLAS_CORETYPE -u ATEN_CPU_CAPABILITY ";

class BlasKernelCli : public ::testing::Test {
 protected:
  actbench_test::CommandResult run(const std::string& env, const std::string& out) const {
    const fs::path config =
        actbench_test::write_tiny_config(tmp_ / "tiny.yaml", actbench_test::synthetic_mnist_dir());
    return actbench_test::run_captured("cd " + actbench_test::shell_quote(tmp_.path().string()) +
                                           " && " + kClean + env + " " +
                                           actbench_test::shell_quote(ACTBENCH_BINARY),
                                       {"run", config.string(), "train.epochs=2", "--out", out,
                                        "--store", (tmp_ / "store").string()});
  }
  Json results(const std::string& out) const {
    return Json::parse(actbench_test::read_text(tmp_ / out / "results.json"));
  }
  // Every run's per-epoch losses and accuracies.
  static Json metrics(const Json& results) {
    Json out = Json::array();
    for (const auto& r : results.at("runs")) {
      for (const auto& e : r.at("epochs")) {
        out.push_back(
            {e.at("train_loss"), e.at("train_accuracy"), e.at("test_loss"), e.at("test_accuracy")});
      }
    }
    return out;
  }
  actbench_test::TempDir tmp_;
};

TEST_F(BlasKernelCli, TheDefaultPolicyGivesTheNumbersOfTheReferenceKernelNamedByHand) {
  const auto chosen = run("", "chosen");
  ASSERT_EQ(chosen.exit_code, 0) << chosen.describe();
  const Json blas = results("chosen").at("provenance").at("blas");
  if (blas.at("requested") != "Haswell") {
    GTEST_SKIP() << "this CPU has no AVX2 and FMA: the reference policy is native here";
  }
  EXPECT_EQ(blas.at("policy"), "reference");
  EXPECT_EQ(blas.at("core"), "Haswell");
  EXPECT_EQ(blas.at("aten_capability"), "avx2");
  // The reference kernel named in the environment by hand is the reference policy: one entry.
  const auto named = run("OPENBLAS_CORETYPE=haswell", "named");
  ASSERT_EQ(named.exit_code, 0) << named.describe();
  EXPECT_THAT(named.err, HasSubstr("taken from the run store"));  // the same key: one entry
  EXPECT_EQ(results("named").at("provenance").at("blas").at("policy"), "reference");
  // Both kernels named by hand, trained afresh into another store: the same numbers.
  const auto fresh = actbench_test::run_captured(
      "cd " + actbench_test::shell_quote(tmp_.path().string()) + " && " + kClean +
          "OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2 " +
          actbench_test::shell_quote(ACTBENCH_BINARY),
      {"run", (tmp_ / "tiny.yaml").string(), "train.epochs=2", "--out", "fresh", "--fresh",
       "--store", (tmp_ / "other-store").string()});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.describe();
  EXPECT_EQ(results("fresh").at("provenance").at("blas").at("core"), "Haswell");
  EXPECT_EQ(metrics(results("fresh")), metrics(results("chosen")));
  // Another ATen width named beside it is the user's own choice, kept.
  const auto own = run("OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=default", "own");
  ASSERT_EQ(own.exit_code, 0) << own.describe();
  EXPECT_EQ(results("own").at("provenance").at("blas").at("policy"), "environment");
  EXPECT_EQ(results("own").at("provenance").at("blas").at("aten_capability"), "default");
}

TEST_F(BlasKernelCli, RunsOfTwoKernelsNeverShareAStoreEntry) {
  const auto first = run("", "first");
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  EXPECT_THAT(first.err, HasSubstr("training 2 run(s)"));
  // Another kernel (generic, so every x86-64 CPU has it): trained again, not taken.
  const auto other = run("ACTBENCH_BLAS_KERNEL=Prescott", "other");
  ASSERT_EQ(other.exit_code, 0) << other.describe();
  EXPECT_THAT(other.err, HasSubstr("training 2 run(s)"));
  EXPECT_THAT(other.err, Not(HasSubstr("taken from the run store")));
  EXPECT_EQ(results("other").at("provenance").at("blas").at("core"), "Prescott");
  // The default again: both kernels' runs are in the store now.
  const auto again = run("", "again");
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_THAT(again.err, HasSubstr("2 run(s) taken from the run store"));
}

TEST_F(BlasKernelCli, ASettingThatNamesNoKernelIsOneLineAndExit2) {
  const auto r = actbench_test::run_captured(
      kClean + "ACTBENCH_BLAS_KERNEL=fastest " + actbench_test::shell_quote(ACTBENCH_BINARY),
      {"list", "keys"});
  actbench_test::expect_user_error(r, "ACTBENCH_BLAS_KERNEL=fastest: not a kernel policy");
}

}  // namespace
