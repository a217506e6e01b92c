// scripts/plot_results.py, end to end on the fixture sweep in tests/fixtures/plot (written by
// actbench itself: tests/fixtures/plot/regenerate.sh): every figure as PNG (exactly 1500x900) and
// SVG, the report in Markdown and self-contained HTML, the list of written files on stdout; bad
// input is one error line, exit 2 and nothing written. Needs Debian's python3 with matplotlib
// (python3-matplotlib) and python3-jsonschema; without them the tests skip with a message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdint>
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

const std::vector<std::string> kFigures{"train_loss",     "test_loss",      "test_accuracy",
                                        "curves",         "gradient_norms", "gradient_vs_depth",
                                        "dead_saturated", "final_accuracy", "seconds_per_epoch"};

std::string describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout ---\n" + r.out + "--- stderr ---\n" +
         r.err;
}

// Runs the script with ACTBENCH_PYTHON, each argument shell-quoted, stdout and stderr captured.
CommandResult run_plot(const std::vector<std::string>& args) {
  return actbench_test::run_captured(
      shell_quote(ACTBENCH_PYTHON) + " " + shell_quote(kScript.string()), args);
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
  for (const auto& f : kFigures) EXPECT_THAT(md, HasSubstr("](" + f + ".png)"));
  // The ranking table and the paired differences, as summary.json phrases them.
  EXPECT_THAT(md, HasSubstr("| rank |"));
  const nlohmann::json summary = fixture_summary();
  EXPECT_THAT(md, HasSubstr(summary["differences_title"].get<std::string>()));
  ASSERT_FALSE(summary["differences"].empty());
  for (const auto& d : summary["differences"]) {
    EXPECT_THAT(md, HasSubstr(d["sentence"].get<std::string>()));
  }
  for (const auto& row : summary["table"]["rows"]) {
    EXPECT_THAT(md, HasSubstr(row[1].get<std::string>()));
  }

  const std::string page = read_text(out / "report.html");
  EXPECT_THAT(page, HasSubstr("data:image/png;base64,"));
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
  // stderr: the progress log.
  EXPECT_THAT(r.err, HasSubstr("plot_results: "));
  EXPECT_THAT(r.err, Not(HasSubstr("Traceback"))) << describe(r);
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

}  // namespace
