// The fixture of the plot-script tests (tests/e2e: PlotScript, PaperStyle, PythonInput): the
// fixture sweep in tests/fixtures/plot (written by actbench itself:
// tests/fixtures/plot/regenerate.sh), the script, the figures it lists (figure_names()) and those
// it draws for a sweep (drawn_figures(), fixture_figure_names(), also ReportBrowser's), and helpers
// to run it and read what it wrote.
#pragma once

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

#include <nlohmann/json.hpp>

#include "process.h"
#include "test_support.h"

namespace actbench_plot_test {

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

inline const fs::path kScript = fs::path(ACTBENCH_SOURCE_DIR) / "scripts" / "plot_results.py";
inline const fs::path kFixture = fs::path(ACTBENCH_SOURCE_DIR) / "tests" / "fixtures" / "plot";

inline const fs::path kChecks =
    fs::path(ACTBENCH_SOURCE_DIR) / "tests" / "support" / "figure_checks.py";

// The figures the script draws, in its order: what `plot_results.py --list-figures` prints (the
// table FIGURES in scripts/plotting/figures.py), run once per test process. When the script
// cannot list them, every test that asks fails with its output (and gets an empty list).
inline const std::vector<std::string>& figure_names() {
  static const std::pair<std::vector<std::string>, std::string> listed = [] {
    const CommandResult r = actbench_test::run_captured(
        "timeout 120 " + shell_quote(ACTBENCH_PYTHON) + " " + shell_quote(kScript.string()),
        {"--list-figures"});
    std::vector<std::string> names = lines_of(r.out);
    if (r.exit_code != 0 || names.empty()) {
      return std::make_pair(std::vector<std::string>{},
                            "plot_results.py --list-figures failed: " + r.describe());
    }
    return std::make_pair(names, std::string());
  }();
  if (!listed.second.empty()) ADD_FAILURE() << listed.second;
  return listed.first;
}

// The figures drawn from a part of summary.json that a sweep may lack (absent or null), and the
// start of the line the script logs when it skips one for that: critical_difference from
// "comparison" (two activations and two seeds at least), tuning from "tuning" (a tuned sweep).
struct OptionalFigure {
  const char* name;
  const char* key;
  const char* skipped;
};
inline const std::vector<OptionalFigure>& optional_figures() {
  static const std::vector<OptionalFigure> figures{
      {"critical_difference", "comparison",
       "skipping critical_difference: summary.json has no comparison"},
      {"tuning", "tuning", "skipping tuning: the sweep was not tuned"}};
  return figures;
}

// The figures the script draws for a sweep with this summary.json, in its order: figure_names()
// but the optional ones whose part `summary` lacks.
inline std::vector<std::string> drawn_figures(const nlohmann::json& summary) {
  std::vector<std::string> drawn;
  for (const auto& name : figure_names()) {
    const auto optional = std::find_if(optional_figures().begin(), optional_figures().end(),
                                       [&](const OptionalFigure& f) { return name == f.name; });
    if (optional != optional_figures().end() &&
        (!summary.contains(optional->key) || summary[optional->key].is_null())) {
      continue;
    }
    drawn.push_back(name);
  }
  return drawn;
}

// The figures the script draws for the fixture sweep (tests/fixtures/plot): never tuning (the
// fixture sweep is not tuned), critical_difference once its summary.json has a "comparison"
// (tests/fixtures/plot/regenerate.sh with an actbench that writes one).
inline std::vector<std::string> fixture_figure_names() {
  return drawn_figures(nlohmann::json::parse(read_text(kFixture / "summary.json")));
}

inline std::string describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout ---\n" + r.out + "--- stderr ---\n" +
         r.err;
}

// Runs the script with ACTBENCH_PYTHON, each argument shell-quoted, stdout and stderr captured,
// with ACTBENCH_PLOT_CHECK=1: it logs "check: ..." for every text drawn over another or cut off.
// Killed after 120 s (exit 124), so a script that hangs (reading a pipe, say) fails the test.
inline CommandResult run_plot(const std::vector<std::string>& args) {
  return actbench_test::run_captured("ACTBENCH_PLOT_CHECK=1 timeout 120 " +
                                         shell_quote(ACTBENCH_PYTHON) + " " +
                                         shell_quote(kScript.string()),
                                     args);
}

// The log lines of a layout problem (a text over another, or leaving the figure).
inline std::vector<std::string> layout_problems(const CommandResult& r) {
  std::vector<std::string> found;
  for (const auto& line : lines_of(r.err)) {
    if (line.find("plot_results: check: ") == 0) found.push_back(line);
  }
  return found;
}

inline size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// tests/support/figure_checks.py's measurements of `file` (kind "pdf" or "png").
inline nlohmann::json measure(const std::string& kind, const fs::path& file) {
  const CommandResult r = actbench_test::run_captured(
      shell_quote(ACTBENCH_PYTHON) + " " + shell_quote(kChecks.string()), {kind, file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
}

inline uint32_t big_endian_u32(const std::string& bytes, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

// Width and height from a PNG's IHDR chunk (bytes 16-23, big-endian); {0, 0} if it is no PNG.
inline std::pair<uint32_t, uint32_t> png_size(const fs::path& path) {
  const std::string bytes = read_text(path);
  if (bytes.size() < 24 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 ||
      bytes.compare(12, 4, "IHDR") != 0) {
    return {0, 0};
  }
  return {big_endian_u32(bytes, 16), big_endian_u32(bytes, 20)};
}

inline std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

// A user error: exit code 2, exactly one line on stderr starting "plot_results: error:",
// nothing on stdout, no Python traceback.
inline void expect_one_line_error(const CommandResult& r) {
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

}  // namespace actbench_plot_test
