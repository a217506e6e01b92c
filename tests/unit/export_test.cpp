// actbench export: a summary as CSV (every number), booktabs LaTeX and Markdown, with the spread
// said, the differences signed and the significant ones marked; labels escaped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "summary/export.h"
#include "summary/summary.h"
#include "test_support.h"

namespace {

using actbench::Json;
using ::testing::HasSubstr;

// ReLU and a labelled Tanh ("tanh_50%|x", to be escaped) at 3 seeds: Tanh 1, 0.5, 1 points below.
Json summary(actbench::Spread spread = actbench::Spread::kCi95) {
  const actbench::Plan plan = actbench_test::plan_of(
      {"activations=[relu, {name: tanh, label: \"tanh_50%|x\"}]", "train.seed=0,1,2"});
  std::map<std::string, Json> entries;
  const double relu[3] = {97.0, 98.0, 96.0}, tanh_[3] = {96.0, 97.5, 95.0};
  for (size_t s = 0; s < 3; ++s) {
    for (size_t a = 0; a < 2; ++a) {
      const std::string id = plan.runs[s * 2 + a].id;
      entries[id] = {{"id", id},
                     {"status", "completed"},
                     {"final",
                      {{"test_accuracy", a == 0 ? relu[s] : tanh_[s]},
                       {"best_test_accuracy", 0.0},
                       {"test_loss", 0.1},
                       {"seconds_per_epoch", 1.0}}},
                     {"epochs", Json::array()}};
    }
  }
  return actbench::build_summary(plan, entries, {"ReLU", spread});
}

std::string exported(const Json& s, actbench::ExportFormat f) {
  std::ostringstream out;
  actbench::export_summary(out, s, f);
  return out.str();
}

TEST(Export, CsvHasEveryNumberUnroundedOneRowPerGroup) {
  const auto lines = actbench_test::lines_of(exported(summary(), actbench::ExportFormat::kCsv));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[0], HasSubstr("activation,letters,n,test_accuracy_mean,test_accuracy_std,"));
  EXPECT_THAT(lines[1], ::testing::StartsWith("ReLU,a,3,97.0,1.0,"));  // ranked first; letters
  EXPECT_THAT(lines[1], ::testing::EndsWith(",baseline"));
  EXPECT_THAT(lines[2], ::testing::StartsWith("tanh_50%|x,b,3,96.16666666666667,"));
  // The difference: mean -5/6, t = -5 on 2 df: p = 1 - 5/sqrt(27); the verdict.
  EXPECT_THAT(lines[2], HasSubstr(",-0.8333333333333334,"));
  EXPECT_THAT(lines[2], HasSubstr(",0.03774955135062"));
  EXPECT_THAT(lines[2], ::testing::EndsWith(",worse"));
}

TEST(Export, LatexIsABooktabsTabularWithSpreadSignAndSignificance) {
  const std::string t = exported(summary(), actbench::ExportFormat::kLatex);
  for (const char* part :
       {"\\begin{table}[t]", "\\centering", "\\label{tab:actbench}", "\\begin{tabular}{lrrlrr}",
        "\\toprule", "\\midrule", "\\bottomrule", "\\end{tabular}", "\\end{table}",
        "$\\Delta$ acc.\\ vs ReLU", "needs \\usepackage{booktabs}"}) {
    EXPECT_THAT(t, HasSubstr(part)) << part;
  }
  EXPECT_THAT(
      t, HasSubstr(
             "ReLU & 3 & \\textbf{97.00 $\\pm$ 2.48} & a & 0.1000 $\\pm$ 0.0000 & baseline \\\\"));
  EXPECT_THAT(t, HasSubstr("tanh\\_50\\%|x & 3 & 96.17 $\\pm$ "));
  EXPECT_THAT(t, HasSubstr("& $-$0.83 $\\pm$ 0.72$^{*}$ \\\\"));
  EXPECT_THAT(
      t, HasSubstr("\\caption{MNIST, 3 seeds; $\\pm$ is the half-width of the 95\\% confidence"));
  EXPECT_THAT(t, HasSubstr("Holm-adjusted over 1 comparison"));
  // ± as one standard deviation when asked.
  const std::string sd = exported(summary(actbench::Spread::kSd), actbench::ExportFormat::kLatex);
  EXPECT_THAT(sd, HasSubstr("ReLU & 3 & \\textbf{97.00 $\\pm$ 1.00} &"));
  EXPECT_THAT(sd, HasSubstr("$-$0.83 $\\pm$ 0.29$^{*}$"));
  EXPECT_THAT(sd, HasSubstr("one sample standard deviation"));
}

TEST(Export, MarkdownEscapesPipesAndSaysWhatTheMarksMean) {
  const std::string t = exported(summary(), actbench::ExportFormat::kMarkdown);
  EXPECT_THAT(
      t, HasSubstr("| Activation | n | Test acc. (%) | Group | Test loss | \u0394 acc. vs ReLU |"));
  EXPECT_THAT(t, HasSubstr("| tanh_50%\\|x | 3 | 96.17 \u00b1 "));
  EXPECT_THAT(t, HasSubstr("\u22120.83 \u00b1 0.72 * |"));
  EXPECT_THAT(t, HasSubstr("* significant: paired t-test at the 5% level"));
  EXPECT_THAT(t, HasSubstr("activations sharing a letter are not told apart"));
  EXPECT_THAT(t, HasSubstr("| ReLU | 3 | **97.00 \u00b1 2.48** | a |"));  // the best in bold
  EXPECT_THAT(actbench_test::input_error_message([] { actbench::parse_export_format("xlsx"); }),
              HasSubstr("--format must be csv, latex or markdown, got 'xlsx'"));
}

}  // namespace

namespace {

// pdflatex's default fonts have no Greek text glyphs: a label such as Swish-β is written as math.
TEST(Export, LatexWritesGreekLettersInLabelsAsMath) {
  Json s = summary();
  s["groups"][1]["activation"] = "Swish-\u03b2 \u03a9";
  const std::string t = exported(s, actbench::ExportFormat::kLatex);
  EXPECT_THAT(t, HasSubstr("Swish-$\\beta$ $\\Omega$ & 3 &"));
  EXPECT_THAT(t, ::testing::Not(HasSubstr("\u03b2")));
}

}  // namespace
