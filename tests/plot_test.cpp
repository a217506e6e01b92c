// scripts/plot_results.py, end to end on the fixture sweep in tests/fixtures/plot (written by
// actbench itself: tests/fixtures/plot/regenerate.sh): every figure as PNG (exactly 1500x900) and
// SVG, the report in Markdown and self-contained HTML, the list of written files on stdout; the
// paper style's PDF and PGF at a column's width with 8-9 pt text and embedded TrueType fonts; no
// text over another (ACTBENCH_PLOT_CHECK=1); one seed: no band, no paired-difference figure; bad
// input is one error line, exit 2 and nothing written. Needs Debian's python3 with matplotlib
// (python3-matplotlib) and python3-jsonschema; without them the tests skip with a message. The
// PDF checks that need a PDF reader (poppler-utils: pdfinfo, pdffonts, pdftotext) skip without
// one. tests/figure_checks.py reads what C++ cannot (a PDF's streams, a PNG's pixels).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using actbench_test::CommandResult;
using actbench_test::lines_of;
using actbench_test::read_text;
using actbench_test::shell_quote;
using actbench_test::TempDir;
using actbench_test::write_text;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const fs::path kScript = fs::path(ACTBENCH_SOURCE_DIR) / "scripts" / "plot_results.py";
const fs::path kFixture = fs::path(ACTBENCH_SOURCE_DIR) / "tests" / "fixtures" / "plot";

const fs::path kChecks = fs::path(ACTBENCH_SOURCE_DIR) / "tests" / "figure_checks.py";

const std::vector<std::string> kFigures{"train_loss",       "test_loss",      "test_accuracy",
                                        "curves",           "gradient_norms", "gradient_vs_depth",
                                        "dead_saturated",   "final_accuracy", "paired_differences",
                                        "seconds_per_epoch"};

std::string describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout ---\n" + r.out + "--- stderr ---\n" +
         r.err;
}

// Runs the script with ACTBENCH_PYTHON, each argument shell-quoted, stdout and stderr captured,
// with ACTBENCH_PLOT_CHECK=1: it logs "check: ..." for every text drawn over another or cut off.
CommandResult run_plot(const std::vector<std::string>& args) {
  return actbench_test::run_captured(
      "ACTBENCH_PLOT_CHECK=1 " + shell_quote(ACTBENCH_PYTHON) + " " + shell_quote(kScript.string()),
      args);
}

// The log lines of a layout problem (a text over another, or leaving the figure).
std::vector<std::string> layout_problems(const CommandResult& r) {
  std::vector<std::string> found;
  for (const auto& line : lines_of(r.err)) {
    if (line.find("plot_results: check: ") == 0) found.push_back(line);
  }
  return found;
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// tests/figure_checks.py's measurements of `file` (kind "pdf" or "png").
nlohmann::json measure(const std::string& kind, const fs::path& file) {
  const CommandResult r = actbench_test::run_captured(
      shell_quote(ACTBENCH_PYTHON) + " " + shell_quote(kChecks.string()), {kind, file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
}

uint32_t big_endian_u32(const std::string& bytes, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

// Width and height from a PNG's IHDR chunk (bytes 16-23, big-endian); {0, 0} if it is no PNG.
std::pair<uint32_t, uint32_t> png_size(const fs::path& path) {
  const std::string bytes = read_text(path);
  if (bytes.size() < 24 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 ||
      bytes.compare(12, 4, "IHDR") != 0) {
    return {0, 0};
  }
  return {big_endian_u32(bytes, 16), big_endian_u32(bytes, 20)};
}

std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

// A user error: exit code 2, exactly one line on stderr starting "plot_results: error:",
// nothing on stdout, no Python traceback.
void expect_one_line_error(const CommandResult& r) {
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << describe(r);
  EXPECT_THAT(r.err, StartsWith("plot_results: error: ")) << describe(r);
  EXPECT_THAT(r.err, Not(HasSubstr("Traceback"))) << describe(r);
  EXPECT_EQ(r.out, "") << describe(r);
}

class PlotScript : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(ACTBENCH_PYTHON).empty()) {
      GTEST_SKIP() << "no /usr/bin/python3 found at configure time; install python3 and "
                      "python3-matplotlib";
    }
    const std::string probe =
        shell_quote(ACTBENCH_PYTHON) + " -c 'import matplotlib, jsonschema' >/dev/null 2>&1";
    if (std::system(probe.c_str()) != 0) {
      GTEST_SKIP() << ACTBENCH_PYTHON
                   << " cannot import matplotlib and jsonschema; install python3-matplotlib "
                      "and python3-jsonschema (scripts/setup.sh does)";
    }
    ASSERT_TRUE(fs::exists(kScript)) << kScript << " is missing";
    for (const char* name : {"results.json", "summary.json", "curves.json"}) {
      ASSERT_TRUE(fs::exists(kFixture / name))
          << (kFixture / name) << " is missing; run tests/fixtures/plot/regenerate.sh";
    }
  }

  // A sweep directory holding the fixture's results.json and, when given, `summary` as its
  // summary.json.
  fs::path sweep_copy(const std::string& name, const std::optional<nlohmann::json>& summary) {
    const fs::path sweep = tmp_ / name;
    fs::create_directories(sweep);
    fs::copy_file(kFixture / "results.json", sweep / "results.json");
    if (summary) write_text(sweep / "summary.json", summary->dump(1));
    return sweep;
  }

  static nlohmann::json fixture_summary() {
    return nlohmann::json::parse(read_text(kFixture / "summary.json"));
  }

  TempDir tmp_;
};

TEST_F(PlotScript, WritesEveryFigureAndTheReportForTheFixtureSweep) {
  const fs::path out = tmp_ / "plots";
  const CommandResult r = run_plot({kFixture.string(), "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);

  std::set<std::string> expected{"report.md", "report.html"};
  for (const auto& f : kFigures) {
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
  for (const auto& f : kFigures) {
    SCOPED_TRACE(f);
    const auto [width, height] = png_size(out / (f + ".png"));
    EXPECT_EQ(width, 1500u);
    EXPECT_EQ(height, 900u);
    const std::string svg = read_text(out / (f + ".svg"));
    EXPECT_TRUE(svg.rfind("<?xml", 0) == 0 || svg.rfind("<svg", 0) == 0) << svg.substr(0, 200);
    EXPECT_THAT(svg, HasSubstr("<svg"));
  }

  const std::string md = read_text(out / "report.md");
  EXPECT_THAT(md, StartsWith("# "));
  // Every figure once.
  for (const auto& f : kFigures) EXPECT_EQ(count_of(md, "](" + f + ".png)"), 1u) << f;
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
  EXPECT_EQ(count_of(page, "<img "), kFigures.size());
  EXPECT_THAT(page, HasSubstr("<nav class=\"toc\">"));
  EXPECT_THAT(page, HasSubstr("<a href=\"#paired-tests\">"));
  EXPECT_THAT(page, HasSubstr("<h2 id=\"paired-tests\">"));
  EXPECT_THAT(page, HasSubstr(summary["setup"]["text"].get<std::string>()));
  for (const auto& column : summary["differences_table"]["columns"]) {
    EXPECT_THAT(page, HasSubstr("<th>" + column.get<std::string>() + "</th>"));
  }
  EXPECT_EQ(std::count(page.begin(), page.end(), '\0'), 0);
  // Self-contained: no external stylesheet, script or image.
  for (const char* external : {"<link", "<script", "src=\"http", "src=\"file", "url(http"}) {
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
  // A real one-seed sweep: ReLU and Tanh, one epoch on the synthetic data.
  const fs::path config =
      actbench_test::write_tiny_config(tmp_ / "tiny.yaml", actbench_test::synthetic_mnist_dir());
  const fs::path sweep = tmp_ / "one-seed";
  const CommandResult run = actbench_test::run_actbench(
      {"run", config.string(), "--out", sweep.string(), "--device", "cpu"}, tmp_.path());
  ASSERT_EQ(run.exit_code, 0) << run.describe();

  const fs::path out = tmp_ / "plots";
  const CommandResult r = run_plot({sweep.string(), "--out", out.string(), "--formats", "png"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_THAT(r.err, HasSubstr("skipping paired_differences: no comparison has two paired "
                               "seeds"));
  EXPECT_FALSE(fs::exists(out / "paired_differences.png"));
  EXPECT_TRUE(fs::exists(out / "train_loss.png"));
  const std::string md = read_text(out / "report.md");
  EXPECT_THAT(md, HasSubstr("`paired_differences`: no comparison has two paired seeds"));
  EXPECT_THAT(md, HasSubstr("1 seed"));
  EXPECT_THAT(md, Not(HasSubstr("band:")));
  EXPECT_THAT(md, Not(HasSubstr("bands:")));
  EXPECT_THAT(md, HasSubstr("no band"));
  EXPECT_THAT(layout_problems(r), ::testing::IsEmpty()) << describe(r);
}

TEST_F(PlotScript, BadInputIsOneErrorLineAndWritesNothing) {
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
    EXPECT_THAT(r.err, HasSubstr("actbench.results/2"));  // what it found
    EXPECT_THAT(r.err, HasSubstr("actbench.results/4"));  // what it reads
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

TEST_F(PlotScript, ActbenchPlotRunsTheScriptWithItsExitStatus) {
  const fs::path out = tmp_ / "via-actbench";
  const CommandResult ok = actbench_test::run_captured(
      shell_quote(ACTBENCH_BINARY),
      {"plot", kFixture.string(), "--out", out.string(), "--formats", "png"});
  ASSERT_EQ(ok.exit_code, 0) << describe(ok);
  EXPECT_TRUE(fs::exists(out / "final_accuracy.png"));
  EXPECT_TRUE(fs::exists(out / "report.html"));
  const CommandResult bad = actbench_test::run_captured(
      shell_quote(ACTBENCH_BINARY), {"plot", (tmp_ / "no-such-sweep").string()});
  expect_one_line_error(bad);
  // --style goes through to the script.
  const fs::path paper = tmp_ / "via-actbench-paper";
  const CommandResult styled = actbench_test::run_captured(
      shell_quote(ACTBENCH_BINARY),
      {"plot", kFixture.string(), "--out", paper.string(), "--style", "paper", "--formats", "pdf"});
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
  for (const auto& f : kFigures) {
    EXPECT_EQ(names.count(f + ".png"), 1u) << f;
    EXPECT_EQ(png_size(out / (f + ".png")), std::make_pair(1500u, 900u)) << f;
  }
  EXPECT_EQ(names.count("report.md"), 1u);
  EXPECT_EQ(names.count("report.html"), 1u);
  EXPECT_THAT(r.out, Not(HasSubstr(".svg")));
}

// The paper style, drawn once for the suite: PDF and PGF of every figure at a single column's
// width (3.5 in) and the full text width (7.16 in), and figures.tex.
class PaperStyle : public PlotScript {
 protected:
  static void SetUpTestSuite() {
    out_ = new TempDir();
    result_ = new CommandResult(run_plot(
        {kFixture.string(), "--out", (out_->path() / "paper").string(), "--style", "paper"}));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete out_;
    result_ = nullptr;
    out_ = nullptr;
  }
  void SetUp() override {
    PlotScript::SetUp();
    if (IsSkipped()) return;
    ASSERT_EQ(result_->exit_code, 0) << describe(*result_);
  }
  static fs::path dir() { return out_->path() / "paper"; }

  static TempDir* out_;
  static CommandResult* result_;
};
TempDir* PaperStyle::out_ = nullptr;
CommandResult* PaperStyle::result_ = nullptr;

// Points per inch, as PDF counts.
constexpr double kPt = 72.0;
const std::vector<std::pair<std::string, double>> kWidths{{"", 3.5}, {"-wide", 7.16}};

TEST_F(PaperStyle, WritesPdfAndPgfOfEveryFigureAtBothWidthsAndNoReport) {
  std::set<std::string> expected{"figures.tex"};
  for (const auto& f : kFigures) {
    for (const auto& [suffix, width] : kWidths) {
      expected.insert(f + suffix + ".pdf");
      expected.insert(f + suffix + ".pgf");
    }
  }
  EXPECT_EQ(files_in(dir()), expected);
  EXPECT_EQ(lines_of(result_->out).size(), expected.size()) << describe(*result_);
  EXPECT_THAT(layout_problems(*result_), ::testing::IsEmpty()) << describe(*result_);

  // figures.tex: a figure environment per figure (the single-column PDF), each with its caption.
  const std::string tex = read_text(dir() / "figures.tex");
  for (const auto& f : kFigures) {
    EXPECT_EQ(count_of(tex, "\\includegraphics{" + f + ".pdf}"), 1u) << f;
  }
  EXPECT_EQ(count_of(tex, "\\begin{figure}"), kFigures.size());
  EXPECT_EQ(count_of(tex, "\\caption{"), kFigures.size());
  EXPECT_THAT(tex, HasSubstr("Holm"));
}

TEST_F(PaperStyle, PdfPagesAreAColumnWideWithEightToNinePointTextInEmbeddedTrueType) {
  for (const auto& f : kFigures) {
    for (const auto& [suffix, width] : kWidths) {
      SCOPED_TRACE(f + suffix + ".pdf");
      const nlohmann::json m = measure("pdf", dir() / (f + suffix + ".pdf"));
      ASSERT_TRUE(m.contains("media_boxes")) << m.dump();
      ASSERT_EQ(m["media_boxes"].size(), 1u) << m.dump();  // one page
      const auto& box = m["media_boxes"][0];
      EXPECT_NEAR(box[2].get<double>() - box[0].get<double>(), width * kPt, 0.01);
      const double height = box[3].get<double>() - box[1].get<double>();
      EXPECT_GT(height, 1.0 * kPt);
      EXPECT_LT(height, 9.0 * kPt);
      // Every text is set in 8 to 9 points (the operand of each Tf), and there is text.
      ASSERT_FALSE(m["font_sizes"].empty()) << m.dump();
      for (const auto& size : m["font_sizes"]) {
        EXPECT_GE(size.get<double>(), 8.0) << m.dump();
        EXPECT_LE(size.get<double>(), 9.0) << m.dump();
      }
      // TrueType outlines embedded (pdf.fonttype 42): a FontFile2 per font, no Type 3.
      ASSERT_FALSE(m["fonts"].empty());
      size_t truetype = 0;
      for (const auto& font : m["fonts"]) {
        const std::string subtype = font["subtype"].is_string() ? font["subtype"] : "";
        EXPECT_NE(subtype, "Type3") << font.dump();
        truetype += subtype == "CIDFontType2" || subtype == "TrueType";
      }
      EXPECT_GE(truetype, 1u);
      EXPECT_EQ(m["font_files"]["FontFile2"].get<size_t>(), truetype) << m.dump();
      EXPECT_EQ(m["font_files"]["FontFile"], 0);
      EXPECT_EQ(m["font_files"]["FontFile3"], 0);
    }
  }
}

// A text of a PGF picture with LaTeX's specials unescaped, or "" when there is none: _ & # % $
// not preceded by a backslash, outside \(...\) (math, as in a tick label 10^{-2}).
std::string unescaped_special(const std::string& text) {
  bool math = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool escaped = i > 0 && text[i - 1] == '\\';
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '(' || text[i + 1] == ')')) {
      math = text[i + 1] == '(';
      ++i;
      continue;
    }
    if (!math && !escaped && std::string("_&#%$").find(text[i]) != std::string::npos) {
      return text.substr(i);
    }
  }
  return "";
}

TEST_F(PaperStyle, PgfIsAPictureOfTheSameWidthWithLatexSafeText) {
  EXPECT_EQ(unescaped_special("5\\% of \\(10^{-2}\\) d\\_z"), "");
  EXPECT_EQ(unescaped_special("test acc %"), "%");
  for (const auto& f : kFigures) {
    for (const auto& [suffix, width] : kWidths) {
      SCOPED_TRACE(f + suffix + ".pgf");
      const std::string pgf = read_text(dir() / (f + suffix + ".pgf"));
      EXPECT_THAT(pgf, HasSubstr("\\begin{pgfpicture}"));
      EXPECT_THAT(pgf, HasSubstr("\\end{pgfpicture}"));
      char size[64];
      std::snprintf(size, sizeof size, "\\pgfqpoint{%.6fin}", width);
      EXPECT_THAT(pgf, HasSubstr(std::string("\\pgfpathrectangle{\\pgfpointorigin}{") + size));
      // ASCII only: the non-ASCII symbols the figures use are LaTeX commands.
      EXPECT_EQ(std::count_if(pgf.begin(), pgf.end(),
                              [](char c) { return static_cast<unsigned char>(c) > 127; }),
                0);
      // Every text's specials escaped for LaTeX.
      size_t texts = 0;
      for (const auto& line : lines_of(pgf)) {
        const std::string marker = "\\selectfont ";
        const size_t at = line.find(marker);
        if (line.rfind("\\pgftext[", 0) != 0 || at == std::string::npos) continue;
        ++texts;
        std::string text = line.substr(at + marker.size());
        if (text.size() >= 2 && text.compare(text.size() - 2, 2, "}%") == 0) {
          text.resize(text.size() - 2);  // the end of \pgftext{...}, and of the line
        }
        EXPECT_EQ(unescaped_special(text), "") << line;
      }
      EXPECT_GT(texts, 5u);
    }
  }
}

// The number in the attribute `name="..."` of the first tag at or after `from` in pdftotext's
// -bbox output; NaN without one.
double attribute(const std::string& html, size_t from, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const size_t at = html.find(key, from);
  if (at == std::string::npos) return std::nan("");
  return std::strtod(html.c_str() + at + key.size(), nullptr);
}

// A PDF reader opens the single-column PDFs: pdfinfo reads the page size, pdffonts lists only
// embedded TrueType fonts, and pdftotext finds every word inside the page.
TEST_F(PaperStyle, PopplerOpensThePdfsAndFindsEveryWordOnThePage) {
  if (std::system("command -v pdfinfo >/dev/null 2>&1 && command -v pdffonts >/dev/null 2>&1 && "
                  "command -v pdftotext >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "no pdfinfo, pdffonts and pdftotext (Debian: poppler-utils; "
                    "scripts/setup.sh --tests installs it)";
  }
  for (const auto& f : kFigures) {
    SCOPED_TRACE(f + ".pdf");
    const std::string pdf = (dir() / (f + ".pdf")).string();
    const CommandResult info = actbench_test::run_captured("pdfinfo", {pdf});
    ASSERT_EQ(info.exit_code, 0) << info.describe();
    EXPECT_THAT(info.out, ::testing::ContainsRegex("Page size: +252 x [0-9.]+ pts"));
    EXPECT_THAT(info.out, ::testing::ContainsRegex("Pages: +1\n"));

    const CommandResult fonts = actbench_test::run_captured("pdffonts", {pdf});
    ASSERT_EQ(fonts.exit_code, 0) << fonts.describe();
    const std::vector<std::string> rows = lines_of(fonts.out);
    ASSERT_GE(rows.size(), 3u) << fonts.out;  // a header, a rule, a font at least
    for (size_t i = 2; i < rows.size(); ++i) {
      EXPECT_THAT(rows[i], HasSubstr("TrueType")) << fonts.out;
      EXPECT_THAT(rows[i], ::testing::ContainsRegex(" yes +yes +yes ")) << fonts.out;
    }

    const fs::path words = out_->path() / (f + ".words.html");
    const CommandResult text =
        actbench_test::run_captured("pdftotext", {"-bbox", pdf, words.string()});
    ASSERT_EQ(text.exit_code, 0) << text.describe();
    const std::string html = read_text(words);
    const size_t page = html.find("<page ");
    ASSERT_NE(page, std::string::npos) << html.substr(0, 500);
    const double page_w = attribute(html, page, "width"), page_h = attribute(html, page, "height");
    EXPECT_NEAR(page_w, 252.0, 0.01);
    size_t count = 0;
    for (size_t at = html.find("<word "); at != std::string::npos;
         at = html.find("<word ", at + 1), ++count) {
      const size_t close = html.find('>', at), end = html.find("</word>", at);
      ASSERT_NE(end, std::string::npos);
      const std::string word = html.substr(close + 1, end - close - 1);
      const double x0 = attribute(html, at, "xMin"), y0 = attribute(html, at, "yMin"),
                   x1 = attribute(html, at, "xMax"), y1 = attribute(html, at, "yMax");
      EXPECT_GE(x0, -0.5) << word;
      EXPECT_GE(y0, -0.5) << word;
      EXPECT_LE(x1, page_w + 0.5) << word;
      EXPECT_LE(y1, page_h + 0.5) << word;
      // A word's box is as tall as its font's ascent plus descent, 1.16 x the size (DejaVu
      // Sans): 8 to 9 points. A rotated word (a y axis label) has that as its width instead.
      auto font_box = [](double extent) { return extent >= 8.0 * 1.1 && extent <= 9.0 * 1.25; };
      EXPECT_TRUE(font_box(y1 - y0) || font_box(x1 - x0))
          << word << ": " << (x1 - x0) << " x " << (y1 - y0) << " pt";
    }
    EXPECT_GT(count, 5u) << html.substr(0, 500);
  }
}

}  // namespace
