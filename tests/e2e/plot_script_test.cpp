// scripts/plot_results.py, end to end on the fixture sweep in tests/fixtures/plot (written by
// actbench itself: tests/fixtures/plot/regenerate.sh): every figure it has data for as PNG
// (exactly 1500x900) and SVG, the report in Markdown and self-contained HTML, the list of written
// files on stdout; no text over another (ACTBENCH_PLOT_CHECK=1); one seed: no band, no
// paired-difference figure, no critical-difference diagram; no learned activation parameters: no
// learned_params figure; not tuned: no tuning figure; a summary with a rank comparison and a
// tuning record: both drawn, in both styles; bad input is one error line, exit 2 and nothing
// written; --list-figures (whose names every test here expects) as names, JSON and the docs'
// Markdown table; --figures drawing only the figures it names; bands and bars showing the spread
// the tables state (summary.json's spread: the 95% interval or one standard deviation). Needs
// Debian's python3 with matplotlib (python3-matplotlib) and python3-jsonschema; without them the
// tests skip with a message. The paper style: paper_style_test.cpp.
#include "plot_fixture.h"

namespace {

using namespace actbench_plot_test;  // NOLINT: the fixture and its helpers

// A real one-seed sweep: ReLU and Tanh, one epoch on the synthetic data, trained by the binary once
// per process (the tests that plot it only read it), and what its `run` said.
struct OneSeedSweep {
  fs::path dir;
  CommandResult run;
};
const OneSeedSweep& one_seed_sweep() {
  static const TempDir tmp;
  static const OneSeedSweep sweep = [] {
    const fs::path config =
        actbench_test::write_tiny_config(tmp / "tiny.yaml", actbench_test::synthetic_mnist_dir());
    OneSeedSweep s{tmp / "one-seed", {}};
    s.run = actbench_test::run_actbench(
        {"run", config.string(), "--out", s.dir.string(), "--device", "cpu"}, tmp.path());
    return s;
  }();
  return sweep;
}

TEST_F(PlotScript, WritesEveryFigureAndTheReportForTheFixtureSweep) {
  const fs::path out = tmp_ / "plots";
  const CommandResult r = run_plot({kFixture.string(), "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  // Every figure but those fed by a part of summary.json the fixture lacks (tuning: the fixture
  // sweep is not tuned), which are skipped with a log line and listed in the report as not drawn.
  const std::vector<std::string> drawn = fixture_figure_names();
  ASSERT_FALSE(drawn.empty());
  const std::string md = read_text(out / "report.md");
  for (const auto& optional : optional_figures()) {
    if (std::find(drawn.begin(), drawn.end(), optional.name) != drawn.end()) continue;
    SCOPED_TRACE(optional.name);
    EXPECT_THAT(r.err, HasSubstr(optional.skipped));
    EXPECT_THAT(md, HasSubstr("- `" + std::string(optional.name) + "`: "));
  }

  std::set<std::string> expected{"report.md", "report.html"};
  for (const auto& f : drawn) {
    expected.insert(f + ".png");
    expected.insert(f + ".svg");
  }
  // Exactly these files: no temporary file left behind by the atomic writes.
  EXPECT_EQ(files_in(out), expected);

  for (const auto& name : expected) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(fs::exists(out / name));
    EXPECT_GT(fs::file_size(out / name), 0u);
  }
  for (const auto& f : drawn) {
    SCOPED_TRACE(f);
    const auto [width, height] = png_size(out / (f + ".png"));
    EXPECT_EQ(width, 1500u);
    EXPECT_EQ(height, 900u);
    const std::string svg = read_text(out / (f + ".svg"));
    EXPECT_TRUE(svg.rfind("<?xml", 0) == 0 || svg.rfind("<svg", 0) == 0) << svg.substr(0, 200);
    EXPECT_THAT(svg, HasSubstr("<svg"));
  }

  EXPECT_THAT(md, StartsWith("# "));
  // Every figure drawn once.
  for (const auto& f : drawn) EXPECT_EQ(count_of(md, "](" + f + ".png)"), 1u) << f;
  // A table of contents, the ranking table and the paired tests, as summary.json phrases them.
  EXPECT_THAT(md, HasSubstr("**Contents**"));
  EXPECT_THAT(md, HasSubstr("- [Ranking](#ranking)"));
  EXPECT_THAT(md, HasSubstr("- [Paired tests](#paired-tests)"));
  EXPECT_THAT(md, HasSubstr("| rank |"));
  const nlohmann::json summary = fixture_summary();
  EXPECT_THAT(md, HasSubstr(summary["differences_title"].get<std::string>()));
  EXPECT_THAT(md, HasSubstr(summary["spread_sentence"].get<std::string>()));
  ASSERT_FALSE(summary["differences"].empty());
  for (const auto& d : summary["differences"]) {
    EXPECT_THAT(md, HasSubstr(d["sentence"].get<std::string>()));
  }
  for (const auto& row : summary["table"]["rows"]) {
    EXPECT_THAT(md, HasSubstr(row[1].get<std::string>()));
  }
  for (const auto& row : summary["differences_table"]["rows"]) {
    const std::string cells = row[1].get<std::string>() + " | " + row[2].get<std::string>() +
                              " | " + row[3].get<std::string>();
    EXPECT_THAT(md, HasSubstr(cells));  // the sentence, n and the t-test's p, side by side
  }

  const std::string page = read_text(out / "report.html");
  EXPECT_THAT(page, HasSubstr("data:image/png;base64,"));
  EXPECT_EQ(count_of(page, "<img "), drawn.size());
  EXPECT_THAT(page, HasSubstr("<nav class=\"toc\">"));
  EXPECT_THAT(page, HasSubstr("<a href=\"#paired-tests\">"));
  EXPECT_THAT(page, HasSubstr("<h2 id=\"paired-tests\">"));
  EXPECT_THAT(page, HasSubstr(summary["setup"]["text"].get<std::string>()));
  for (const auto& column : summary["differences_table"]["columns"]) {
    EXPECT_THAT(page, HasSubstr("<th>" + column.get<std::string>() + "</th>"));
  }
  EXPECT_EQ(std::count(page.begin(), page.end(), '\0'), 0);
  // Self-contained: no external stylesheet, script or image.
  for (const char* external : {"<link", "<script src", "src=\"http", "src=\"file", "url(http"}) {
    EXPECT_THAT(page, Not(HasSubstr(external)));
  }

  // stdout: the written files, one per line, and nothing else.
  const std::vector<std::string> lines = lines_of(r.out);
  EXPECT_EQ(lines.size(), expected.size()) << describe(r);
  const std::set<std::string> listed(lines.begin(), lines.end());
  for (const auto& name : expected) {
    EXPECT_EQ(listed.count((out / name).string()), 1u) << name << " not listed:\n" << r.out;
  }
  // stderr: the progress log, and no text drawn over another or cut off.
  EXPECT_THAT(r.err, HasSubstr("plot_results: "));
  EXPECT_THAT(r.err, Not(HasSubstr("Traceback"))) << describe(r);
  EXPECT_THAT(layout_problems(r), ::testing::IsEmpty()) << describe(r);
}

TEST_F(PlotScript, OneSeedDrawsNoBandAndSkipsThePairedDifferences) {
  const OneSeedSweep& one = one_seed_sweep();
  ASSERT_EQ(one.run.exit_code, 0) << one.run.describe();
  const fs::path& sweep = one.dir;
  const fs::path out = tmp_ / "plots";
  const CommandResult r = run_plot({sweep.string(), "--out", out.string(), "--formats", "png"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_THAT(r.err, HasSubstr("skipping paired_differences: no comparison has two paired "
                               "seeds"));
  EXPECT_FALSE(fs::exists(out / "paired_differences.png"));
  // No rank comparison with one seed (one block), and the sweep is not tuned.
  for (const auto& optional : optional_figures()) {
    EXPECT_THAT(r.err, HasSubstr(optional.skipped));
    EXPECT_FALSE(fs::exists(out / (std::string(optional.name) + ".png"))) << optional.name;
  }
  EXPECT_TRUE(fs::exists(out / "train_loss.png"));
  const std::string md = read_text(out / "report.md");
  EXPECT_THAT(md, HasSubstr("`paired_differences`: no comparison has two paired seeds"));
  EXPECT_THAT(md, HasSubstr("1 seed"));
  EXPECT_THAT(md, Not(HasSubstr("band:")));
  EXPECT_THAT(md, Not(HasSubstr("bands:")));
  EXPECT_THAT(md, HasSubstr("no band"));
  EXPECT_THAT(layout_problems(r), ::testing::IsEmpty()) << describe(r);
}

TEST_F(PlotScript, NoLearnedParametersSkipsTheLearnedParamsFigure) {
  // The fixture's summary with its groups' learned parameters taken out, as a sweep whose
  // activations learn nothing writes it: learned_params is skipped like any figure without data.
  nlohmann::json summary = fixture_summary();
  size_t removed = 0;
  for (auto& group : summary["groups"]) removed += group.erase("learned");
  ASSERT_GT(removed, 0u) << "no group of the fixture's summary.json has learned parameters; "
                            "run tests/fixtures/plot/regenerate.sh";
  const fs::path sweep = sweep_copy("no-learned", summary);
  fs::copy_file(kFixture / "curves.json", sweep / "curves.json");  // every other figure drawn
  const fs::path out = tmp_ / "plots";
  const CommandResult r = run_plot({sweep.string(), "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_THAT(r.err, HasSubstr("skipping learned_params: no activation has learnable parameters"));
  for (const auto& name : files_in(out)) {
    EXPECT_THAT(name, Not(StartsWith("learned_params"))) << name;
  }
  EXPECT_TRUE(fs::exists(out / "train_loss.png"));
  // No figure, heading or caption for it; only the list of figures not drawn names it.
  for (const char* report : {"report.md", "report.html"}) {
    SCOPED_TRACE(report);
    const std::string text = read_text(out / report);
    EXPECT_THAT(text, Not(HasSubstr("learned_params.png")));
    EXPECT_THAT(text, Not(HasSubstr("Learned activation parameters")));
  }
  const std::string md = read_text(out / "report.md");
  EXPECT_EQ(count_of(md, "learned_params"), 1u) << md;
  EXPECT_THAT(md, HasSubstr("`learned_params`: no activation has learnable parameters"));
  EXPECT_EQ(count_of(read_text(out / "report.html"), "<img "), fixture_figure_names().size() - 1);
  EXPECT_THAT(layout_problems(r), ::testing::IsEmpty()) << describe(r);
}

// The fixture's summary.json with a "comparison" and a "tuning" as actbench writes them (see
// docs/summary.schema.json), for its activations: mean ranks over 4 blocks, each activation
// 0.9 ranks behind the one before, two Nemenyi groups; and per activation a search over train.lr
// (3 values on a log range) by successive halving, 3 trials for 1 epoch, then the best for 3.
nlohmann::json summary_with_comparison_and_tuning(nlohmann::json summary) {
  using json = nlohmann::json;
  json labels = json::array(), ranks = json::array();
  for (const auto& a : summary["activations"]) labels.push_back(a["label"]);
  for (size_t i = 0; i < labels.size(); ++i) ranks.push_back(1.0 + 0.9 * double(i));
  const json first = labels.front(), last = labels.back();
  summary["comparison"] = {
      {"metric", "final_test_accuracy"},
      {"metric_label", "final test accuracy"},
      {"higher_is_better", true},
      {"blocks", 4},
      {"dropped", 0},
      {"block_text", "2 seeds at 2 points"},
      {"activations", labels},
      {"mean_ranks", ranks},
      {"friedman",
       {{"chi2", 9.3},
        {"p_value", 0.026},
        {"f", 7.4},
        {"f_p_value", 0.007},
        {"df", labels.size() - 1}}},
      {"nemenyi",
       {{"alpha", 0.05},
        {"q", 2.569},
        {"cd", 2.345},
        {"groups", json::array({json::array({first, labels[1]}),
                                json::array({labels[labels.size() - 2], last})})}}},
      {"pairs", json::array({json{{"a", first},
                                  {"b", last},
                                  {"n", 4},
                                  {"mean_difference", 1.2},
                                  {"p_t", 0.01},
                                  {"p_wilcoxon", 0.12},
                                  {"holm_t", 0.06},
                                  {"holm_wilcoxon", 0.7},
                                  {"verdict", "no difference"}}})},
      {"letters", json::object()},
      {"letters_rule", "a shared letter: no difference"}};
  const json lrs = {0.0001, 0.001, 0.01};
  json activations = json::array();
  for (size_t i = 0; i < labels.size(); ++i) {
    json trials = json::array();
    for (size_t t = 0; t < lrs.size(); ++t) {
      const double accuracy = 85.0 + double(i) + (t == 1 ? 5.0 : 2.0 * double(t));
      json rungs = json::array({json{{"rung", 1},
                                     {"epochs", 1},
                                     {"val_accuracy", accuracy},
                                     {"val_loss", 0.4},
                                     {"promoted", t == 1}}});
      if (t == 1) {
        rungs.push_back({{"rung", 2},
                         {"epochs", 3},
                         {"val_accuracy", accuracy + 3.0},
                         {"val_loss", 0.2},
                         {"promoted", false}});
      }
      trials.push_back({{"settings", {{"train.lr", lrs[t]}}}, {"rungs", rungs}});
    }
    activations.push_back({{"label", labels[i]},
                           {"chosen", {{"train.lr", lrs[1]}}},
                           {"chosen_trial", 1},
                           {"trials", trials}});
  }
  summary["tuning"] = {{"space", json::array({json{{"key", "train.lr"},
                                                   {"values", lrs},
                                                   {"scale", "log"},
                                                   {"text", "log range 1e-4..1e-2, 3 trials"}}})},
                       {"metric_label",
                        "validation accuracy (%) at the rung's last epoch, mean over the tuning "
                        "seeds"},
                       {"seeds", json::array({1000})},
                       {"halving", true},
                       {"eta", 3},
                       {"rungs", json::array({json{{"rung", 1}, {"epochs", 1}, {"trials", 3}},
                                              json{{"rung", 2}, {"epochs", 3}, {"trials", 1}}})},
                       {"epochs_trained", 6 * labels.size()},
                       {"epochs_full_grid", 9 * labels.size()},
                       {"activations", activations}};
  return summary;
}

TEST_F(PlotScript, DrawsTheRankComparisonAndTheTuningFromSummaryJson) {
  const fs::path sweep =
      sweep_copy("compared-and-tuned", summary_with_comparison_and_tuning(fixture_summary()));
  fs::copy_file(kFixture / "curves.json", sweep / "curves.json");
  const std::vector<std::string> names{"critical_difference", "tuning"};

  const fs::path out = tmp_ / "plots";
  const CommandResult r = run_plot({sweep.string(), "--out", out.string(), "--formats", "png"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_THAT(r.err, Not(HasSubstr("skipping"))) << describe(r);
  EXPECT_THAT(layout_problems(r), ::testing::IsEmpty()) << describe(r);
  const std::string md = read_text(out / "report.md");
  for (const auto& f : names) {
    EXPECT_EQ(png_size(out / (f + ".png")), std::make_pair(1500u, 900u)) << f;
    EXPECT_EQ(count_of(md, "](" + f + ".png)"), 1u) << f;
  }
  EXPECT_THAT(md, HasSubstr("Friedman p = 0.026, Nemenyi CD = 2.35"));
  EXPECT_THAT(md, HasSubstr("successive halving"));
  EXPECT_EQ(count_of(read_text(out / "report.html"), "<img "), figure_names().size());

  // The paper style: both widths, every text 8 to 9 points.
  const fs::path paper = tmp_ / "paper";
  const CommandResult p =
      run_plot({sweep.string(), "--out", paper.string(), "--style", "paper", "--formats", "pdf"});
  ASSERT_EQ(p.exit_code, 0) << describe(p);
  EXPECT_THAT(layout_problems(p), ::testing::IsEmpty()) << describe(p);
  for (const auto& f : names) {
    for (const char* suffix : {"", "-wide"}) {
      SCOPED_TRACE(f + suffix + ".pdf");
      const nlohmann::json m = measure("pdf", paper / (f + suffix + ".pdf"));
      ASSERT_FALSE(m["font_sizes"].empty()) << m.dump();
      for (const auto& size : m["font_sizes"]) {
        EXPECT_GE(size.get<double>(), 8.0) << m.dump();
        EXPECT_LE(size.get<double>(), 9.0) << m.dump();
      }
    }
  }
}

TEST_F(PlotScript, BadInputIsOneErrorLineAndWritesNothing) {
  for (const char* option : {"--formats", "--style", "--curves"}) {
    SCOPED_TRACE(std::string("an empty ") + option);
    const fs::path out = tmp_ / "out-empty";
    const CommandResult r = run_plot({kFixture.string(), "--out", out.string(), option, ""});
    expect_one_line_error(r);
    EXPECT_THAT(r.err, HasSubstr(std::string(option) + " is empty"));
    EXPECT_FALSE(fs::exists(out));
  }
  {
    SCOPED_TRACE("an empty --out");
    const CommandResult r = run_plot({kFixture.string(), "--out", ""});
    expect_one_line_error(r);
    EXPECT_THAT(r.err, HasSubstr("--out is empty"));
    EXPECT_FALSE(fs::exists(kFixture / "plots"));
  }
  {
    SCOPED_TRACE("missing path");
    const fs::path out = tmp_ / "out-missing";
    const CommandResult r = run_plot({(tmp_ / "no-such-sweep").string(), "--out", out.string()});
    expect_one_line_error(r);
    EXPECT_THAT(r.err, HasSubstr("no-such-sweep"));
    EXPECT_FALSE(fs::exists(out));
  }
  {
    SCOPED_TRACE("results of schema actbench.results/2");
    // A sweep directory whose results.json is the previous version: without --out the plots
    // would go to DIR/plots, which must not appear.
    const fs::path sweep = tmp_ / "old-sweep";
    fs::create_directories(sweep);
    nlohmann::json results = nlohmann::json::parse(read_text(kFixture / "results.json"));
    results["schema"] = "actbench.results/2";
    write_text(sweep / "results.json", results.dump(1));
    const CommandResult r = run_plot({sweep.string()});
    expect_one_line_error(r);
    EXPECT_THAT(r.err, HasSubstr("actbench.results/2"));                        // what it found
    EXPECT_THAT(r.err, HasSubstr("actbench.results/4 or actbench.results/5"));  // what it reads
    EXPECT_FALSE(fs::exists(sweep / "plots"));
    std::set<std::string> only_results{"results.json"};
    EXPECT_EQ(files_in(sweep), only_results);
  }
  {
    SCOPED_TRACE("summary of schema actbench.summary/1");
    nlohmann::json summary = fixture_summary();
    summary["schema"] = "actbench.summary/1";
    const fs::path sweep = sweep_copy("old-summary", summary);
    const CommandResult r = run_plot({sweep.string()});
    expect_one_line_error(r);
    EXPECT_THAT(r.err, HasSubstr("actbench.summary/1"));
    EXPECT_THAT(r.err, HasSubstr("actbench.summary/3"));
    EXPECT_THAT(r.err, HasSubstr("actbench merge"));
    EXPECT_FALSE(fs::exists(sweep / "plots"));
  }
  {
    SCOPED_TRACE("results.json without summary.json");
    const fs::path sweep = sweep_copy("no-summary", std::nullopt);
    const CommandResult r = run_plot({sweep.string()});
    expect_one_line_error(r);
    EXPECT_THAT(r.err, HasSubstr("summary.json"));
    EXPECT_FALSE(fs::exists(sweep / "plots"));
  }
  {
    SCOPED_TRACE("summary that breaks its schema");
    nlohmann::json summary = fixture_summary();
    summary["activations"][0]["color"] = "red";
    const fs::path sweep = sweep_copy("bad-summary", summary);
    const CommandResult r = run_plot({sweep.string()});
    expect_one_line_error(r);
    EXPECT_THAT(r.err, HasSubstr("summary.schema.json"));
    EXPECT_FALSE(fs::exists(sweep / "plots"));
  }
  {
    SCOPED_TRACE("not JSON");
    const fs::path bad = tmp_ / "bad.json";
    write_text(bad, "{\"schema\": \"actbench.results/4\", \"runs\": [");
    const fs::path out = tmp_ / "out-bad";
    expect_one_line_error(run_plot({bad.string(), "--out", out.string()}));
    EXPECT_FALSE(fs::exists(out));
  }
  {
    SCOPED_TRACE("no runs");
    const fs::path empty = tmp_ / "empty.json";
    write_text(empty, "{\"schema\": \"actbench.results/4\", \"runs\": []}");
    const fs::path out = tmp_ / "out-empty";
    expect_one_line_error(run_plot({empty.string(), "--out", out.string()}));
    EXPECT_FALSE(fs::exists(out));
  }
  {
    SCOPED_TRACE("bad --formats");
    const fs::path out = tmp_ / "out-formats";
    const CommandResult r =
        run_plot({kFixture.string(), "--out", out.string(), "--formats", "png,gif"});
    expect_one_line_error(r);
    EXPECT_THAT(r.err, HasSubstr("gif"));
    EXPECT_FALSE(fs::exists(out));
  }
  {
    SCOPED_TRACE("bad --style");
    const fs::path out = tmp_ / "out-style";
    const CommandResult r =
        run_plot({kFixture.string(), "--out", out.string(), "--style", "print"});
    expect_one_line_error(r);
    EXPECT_THAT(r.err, HasSubstr("--style print"));
    EXPECT_THAT(r.err, HasSubstr("screen or paper"));
    EXPECT_FALSE(fs::exists(out));
  }
  {
    SCOPED_TRACE("a screen format with --style paper");
    const fs::path out = tmp_ / "out-paper-png";
    const CommandResult r = run_plot(
        {kFixture.string(), "--out", out.string(), "--style", "paper", "--formats", "pdf,png"});
    expect_one_line_error(r);
    EXPECT_THAT(r.err, HasSubstr("\"png\" for the paper style"));
    EXPECT_FALSE(fs::exists(out));
  }
}

// `actbench plot` passes its options to the script and exits with its status. On the one-seed
// sweep: the options, not the figures, are what is checked here, and it draws fewer of them.
TEST_F(PlotScript, ActbenchPlotRunsTheScriptWithItsExitStatus) {
  const OneSeedSweep& one = one_seed_sweep();
  ASSERT_EQ(one.run.exit_code, 0) << one.run.describe();
  const fs::path out = tmp_ / "via-actbench";
  const CommandResult ok = actbench_test::run_actbench(
      {"plot", one.dir.string(), "--out", out.string(), "--formats", "png"}, tmp_.path());
  ASSERT_EQ(ok.exit_code, 0) << describe(ok);
  EXPECT_TRUE(fs::exists(out / "final_accuracy.png"));
  EXPECT_TRUE(fs::exists(out / "report.html"));
  const CommandResult bad =
      actbench_test::run_actbench({"plot", (tmp_ / "no-such-sweep").string()}, tmp_.path());
  expect_one_line_error(bad);
  // --style goes through to the script.
  const fs::path paper = tmp_ / "via-actbench-paper";
  const CommandResult styled = actbench_test::run_actbench(
      {"plot", one.dir.string(), "--out", paper.string(), "--style", "paper", "--formats", "pdf"},
      tmp_.path());
  ASSERT_EQ(styled.exit_code, 0) << describe(styled);
  EXPECT_TRUE(fs::exists(paper / "final_accuracy.pdf"));
  EXPECT_TRUE(fs::exists(paper / "final_accuracy-wide.pdf"));
  EXPECT_TRUE(fs::exists(paper / "figures.tex"));
  EXPECT_FALSE(fs::exists(paper / "final_accuracy.pgf"));
  EXPECT_FALSE(fs::exists(paper / "report.html"));
}

TEST_F(PlotScript, FormatsPngWritesNoSvg) {
  const fs::path out = tmp_ / "png-only";
  const CommandResult r = run_plot({kFixture.string(), "--out", out.string(), "--formats", "png"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const std::set<std::string> names = files_in(out);
  for (const auto& name : names) {
    EXPECT_EQ(fs::path(name).extension().string() == ".svg", false) << name;
  }
  for (const auto& f : fixture_figure_names()) {
    EXPECT_EQ(names.count(f + ".png"), 1u) << f;
    EXPECT_EQ(png_size(out / (f + ".png")), std::make_pair(1500u, 900u)) << f;
  }
  EXPECT_EQ(names.count("report.md"), 1u);
  EXPECT_EQ(names.count("report.html"), 1u);
  EXPECT_THAT(r.out, Not(HasSubstr(".svg")));
}

TEST_F(PlotScript, ListFiguresPrintsTheTableAsNamesJsonOrMarkdown) {
  // The names, one per line (figure_names() reads them so): each figure once.
  const std::vector<std::string>& names = figure_names();
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  const CommandResult plain = run_plot({"--list-figures"});
  ASSERT_EQ(plain.exit_code, 0) << describe(plain);
  EXPECT_EQ(lines_of(plain.out), names);
  EXPECT_EQ(plain.err, "");

  // JSON: the same names in the same order, each with its description.
  const CommandResult json = run_plot({"--list-figures=json"});
  ASSERT_EQ(json.exit_code, 0) << describe(json);
  EXPECT_EQ(json.err, "");
  const nlohmann::json listed = nlohmann::json::parse(json.out);
  ASSERT_TRUE(listed.is_array()) << json.out;
  ASSERT_EQ(listed.size(), names.size()) << json.out;
  for (size_t i = 0; i < names.size(); ++i) {
    SCOPED_TRACE(names[i]);
    EXPECT_EQ(listed[i].size(), 2u) << listed[i].dump();
    EXPECT_EQ(listed[i]["name"].get<std::string>(), names[i]);
    EXPECT_FALSE(listed[i]["description"].get<std::string>().empty());
  }

  // Markdown: the docs' table (scripts/update_docs.py checks it is the one in docs/), every figure
  // named once, in order, every description in a row.
  const CommandResult md = run_plot({"--list-figures=markdown"});
  ASSERT_EQ(md.exit_code, 0) << describe(md);
  EXPECT_THAT(md.out, StartsWith("| figure | what it shows |\n| --- | --- |\n"));
  size_t previous = 0;
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    const size_t at = md.out.find("`" + name + "`");
    ASSERT_NE(at, std::string::npos) << md.out;
    EXPECT_GT(at, previous);
    EXPECT_EQ(count_of(md.out, "`" + name + "`"), 1u);
    previous = at;
  }
  for (const auto& figure : listed) {
    EXPECT_THAT(md.out, HasSubstr("| " + figure["description"].get<std::string>() + " |\n"));
  }

  // An unknown format, and no sweep without --list-figures: one error line each.
  expect_one_line_error(run_plot({"--list-figures=xml"}));
  expect_one_line_error(run_plot({}));
}

// --figures draws only the figures it names (in drawing order) and the report shows only those.
TEST_F(PlotScript, FiguresDrawsOnlyTheNamedOnes) {
  const fs::path out = tmp_ / "chosen";
  const CommandResult r = run_plot({kFixture.string(), "--out", out.string(), "--formats", "png",
                                    "--figures", "final_accuracy,train_loss"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(files_in(out), (std::set<std::string>{"train_loss.png", "final_accuracy.png",
                                                  "report.md", "report.html"}));
  const std::string md = read_text(out / "report.md");
  EXPECT_LT(md.find("](train_loss.png)"), md.find("](final_accuracy.png)")) << md;
  EXPECT_THAT(md, Not(HasSubstr("test_loss")));
  EXPECT_THAT(r.err, Not(HasSubstr("skipping")));  // the figures not chosen are not "skipped"
}

// Bands, bars and whiskers show the spread the ranking table states (summary.json's spread): the
// fixture's 95% interval of the mean (from each epoch's sd and n: Student's t), or, with spread
// sd, one standard deviation; legends, titles and captions say which.
TEST_F(PlotScript, BandsAndBarsShowTheSpreadTheTablesState) {
  nlohmann::json summary = fixture_summary();
  ASSERT_EQ(summary["spread"], "ci95");
  for (const char* spread : {"ci95", "sd"}) {
    SCOPED_TRACE(spread);
    summary["spread"] = spread;
    const fs::path sweep = sweep_copy(std::string("spread-") + spread, summary);
    const fs::path out = tmp_ / (std::string("plots-") + spread);
    const CommandResult r = run_plot({sweep.string(), "--out", out.string(), "--formats", "png",
                                      "--figures", "test_accuracy,final_accuracy"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_THAT(layout_problems(r), ::testing::IsEmpty()) << describe(r);
    const std::string md = read_text(out / "report.md");
    if (std::string(spread) == "ci95") {
      EXPECT_THAT(md, HasSubstr("bands: the 95% confidence interval of the mean (Student's t), "
                                "as the ranking table's \u00b1"));
      EXPECT_THAT(md, HasSubstr("### Final test accuracy (mean over seeds, bars: 95% CI)"));
    } else {
      EXPECT_THAT(md, HasSubstr("bands: \u00b11 sample standard deviation, as the ranking "
                                "table's \u00b1"));
      EXPECT_THAT(md, HasSubstr("### Final test accuracy (mean over seeds, bars: \u00b11 SD)"));
      EXPECT_THAT(md, Not(HasSubstr("bands: the 95%")));  // (the table's text is the fixture's)
    }
  }
}

// The curves figure says at which constants each curve was drawn: an entry of
// `actbench curves --sweep` (with `learned`) is labelled with its learned value, and where the
// hidden layers ended more than 0.5% apart the caption gives each; an entry without `learned`
// (drawn at its initial constant) is labelled so, the caption giving what summary.json learned.
TEST_F(PlotScript, CurvesSayWhetherDrawnAtLearnedConstants) {
  using json = nlohmann::json;
  const json fixture_curves = json::parse(read_text(kFixture / "curves.json"));
  // Swish-β as `actbench curves` writes it, drawn at beta (its learned values: `learned`).
  auto swish_curves = [&](double beta, const json& learned) {
    json curves = fixture_curves;
    json e = curves["activations"][0];
    e["name"] = "formula";
    e["label"] = "Swish-\u03b2";
    e["formula"] = "x * sigmoid(beta * x)";
    e["params"] = {
        {"expr", "x * sigmoid(beta * x)"},
        {"params", {{"beta", {{"init", beta}, {"learnable", true}, {"per_unit", false}}}}}};
    for (size_t i = 0; i < curves["x"].size(); ++i) {
      const double x = curves["x"][i].get<double>(), s = 1.0 / (1.0 + std::exp(-beta * x));
      e["y"][i] = x * s;
      e["dy"][i] = s + beta * x * s * (1.0 - s);
    }
    if (!learned.is_null()) e["learned"] = {{"beta", learned}};
    curves["activations"].push_back(e);
    return curves;
  };
  struct Case {
    const char* name;
    json curves;
    std::string label;  // the legend's note
    std::string caption;
  };
  const std::vector<Case> cases{
      {"layers-apart",
       swish_curves(1.05, {{"value", 1.05}, {"layers", {1.066, 1.042, 1.061}}, {"groups", 2}}),
       "learned beta = 1.05",
       "Swish-\\ensuremath{\\beta} is drawn at its learned beta = 1.05, the mean of its hidden "
       "layers' values "
       "(last epoch, mean over seeds and points): beta = 1.07 (layer 1), 1.04 (layer 2), 1.06 "
       "(layer 3)."},
      {"layers-alike",
       swish_curves(1.05, {{"value", 1.05}, {"layers", {1.05, 1.052}}, {"groups", 1}}),
       "learned beta = 1.05",
       "Swish-\\ensuremath{\\beta} is drawn at its learned beta = 1.05 (last epoch, mean over "
       "seeds, points and "
       "hidden layers)."},
      {"initial", swish_curves(1.0, nullptr), "initial beta = 1",
       "Swish-\\ensuremath{\\beta} is drawn at its initial beta = 1; training ended at beta = 1.04 "
       "to 1.07"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const fs::path sweep = sweep_copy(c.name, fixture_summary());
    write_text(sweep / "curves.json", c.curves.dump());
    const fs::path out = tmp_ / (std::string(c.name) + "-plots");
    const CommandResult r = run_plot({sweep.string(), "--out", out.string(), "--style", "paper",
                                      "--formats", "pgf", "--figures", "curves"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    // The paper style's LaTeX: the caption in figures.tex, the legend in curves.pgf.
    EXPECT_THAT(read_text(out / "figures.tex"), HasSubstr(c.caption));
    EXPECT_THAT(read_text(out / "curves.pgf"),
                HasSubstr("Swish-\\ensuremath{\\beta} (" + c.label + ")"));
  }
}

}  // namespace
