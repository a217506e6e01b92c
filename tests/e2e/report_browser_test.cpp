// report.html in a real browser: headless Chromium opens the report that scripts/plot_results.py
// writes for the fixture sweep (tests/fixtures/plot) and the tests fail on a broken image, a
// dangling link of the table of contents, a script error, or a blank page.
//
// How: the report itself has no script. The test copies it to check.html with one inline script
// added at the top of <head>: it records every error event (a script error, an image that fails
// to load) and, on the load event, measures every <img> -- loaded, naturalWidth and naturalHeight
// above 0, and its pixels drawn onto a canvas not all white -- and every "#..." link's target,
// then writes the result as JSON into <pre id="actbench-check">. Chromium's --dump-dom prints the
// DOM after the load event (--virtual-time-budget lets it run), where the test reads it; Chromium's
// console log (--enable-logging=stderr) must hold no "Uncaught". A control page with a corrupted
// image and a failing script shows the check catches both. A screenshot of the unmodified report
// (1200 x 2000) must not be one colour: tests/support/figure_checks.py counts its colours and its
// dark (text) pixels.
//
// Needs Chromium (Debian: chromium; `scripts/setup.sh --tests` installs it, as scripts/test.sh
// does) and the plot script's Python; without them the tests skip with a message. ACTBENCH_CHROMIUM
// names another Chromium or Chrome binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "plot_fixture.h"
#include "process.h"
#include "test_support.h"

// Named, so that a unity build that puts this file beside plot_test.cpp sees no clash.
namespace report_browser_test {
namespace {

namespace fs = std::filesystem;
using actbench_test::CommandResult;
using actbench_test::read_text;
using actbench_test::shell_quote;
using actbench_test::TempDir;
using actbench_test::write_text;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const fs::path kScript = fs::path(ACTBENCH_SOURCE_DIR) / "scripts" / "plot_results.py";
const fs::path kFixture = fs::path(ACTBENCH_SOURCE_DIR) / "tests" / "fixtures" / "plot";
const fs::path kChecks = fs::path(ACTBENCH_SOURCE_DIR) / "tests" / "support" / "figure_checks.py";
// Every figure drawn for the fixture sweep, once: as many as `plot_results.py --list-figures`
// names, but those fed by a part of summary.json the fixture lacks (tuning: it is not tuned).
size_t figure_count() {
  return actbench_plot_test::fixture_figure_names().size();
}

// What the page under test runs: errors as they happen, then the images and the links on load.
const char* kChecker = R"(<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) {
    var t = e.target;
    errors.push(t && t.tagName ? "cannot load <" + t.tagName.toLowerCase() + "> " + (t.alt || "")
                               : String(e.message));
  }, true);
  window.addEventListener("load", function () {
    var images = Array.prototype.slice.call(document.images);
    var report = images.map(function (img) {
      var ink = 0;
      if (img.complete && img.naturalWidth > 0) {
        var c = document.createElement("canvas");
        c.width = 300;
        c.height = Math.max(1, Math.round(300 * img.naturalHeight / img.naturalWidth));
        var g = c.getContext("2d");
        g.drawImage(img, 0, 0, c.width, c.height);
        var d = g.getImageData(0, 0, c.width, c.height).data, n = 0;
        for (var i = 0; i < d.length; i += 4) {
          if (d[i + 3] > 0 && (d[i] < 230 || d[i + 1] < 230 || d[i + 2] < 230)) n++;
        }
        ink = n / (c.width * c.height);
      }
      return {alt: img.alt, complete: img.complete, width: img.naturalWidth,
              height: img.naturalHeight, ink: ink};
    });
    var links = Array.prototype.slice.call(document.querySelectorAll('a[href^="#"]'));
    var dangling = links.filter(function (a) {
      return !document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)));
    }).map(function (a) { return a.getAttribute("href"); });
    var out = document.createElement("pre");
    out.id = "actbench-check";
    out.textContent = JSON.stringify({images: report, links: links.length, dangling: dangling,
                                      errors: errors, text: document.body.innerText.length});
    document.body.appendChild(out);
  });
})();
</script>
)";

std::string describe(const CommandResult& r) {
  return r.describe();
}

// The Chromium to run: $ACTBENCH_CHROMIUM, else the first of Debian's and Google's names on PATH;
// "" when there is none.
std::string find_chromium() {
  const char* chosen = std::getenv("ACTBENCH_CHROMIUM");
  std::vector<std::string> names{"chromium", "chromium-browser", "google-chrome",
                                 "google-chrome-stable"};
  if (chosen != nullptr && *chosen != '\0') names = {chosen};
  for (const auto& name : names) {
    const std::string probe = "command -v " + shell_quote(name) + " >/dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return name;
  }
  return "";
}

std::string file_url(const fs::path& p) {
  return "file://" + fs::absolute(p).string();
}

// &lt; &gt; &quot; &#39; &amp; back to characters (what --dump-dom escapes in text).
std::string html_unescape(std::string s) {
  const std::vector<std::pair<std::string, std::string>> entities{{"&lt;", "<"},    {"&gt;", ">"},
                                                                  {"&quot;", "\""}, {"&#39;", "'"},
                                                                  {"&nbsp;", " "},  {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
      s.replace(at, from.size(), to);
    }
  }
  return s;
}

class ReportBrowser : public ::testing::Test {
 protected:
  // The report of the fixture sweep, written once for the suite (PNG figures, as the report
  // embeds them).
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    if (std::string(ACTBENCH_PYTHON).empty() || find_chromium().empty()) return;  // skipped
    plot_ = new CommandResult(actbench_test::run_captured(
        shell_quote(ACTBENCH_PYTHON) + " " + shell_quote(kScript.string()),
        {kFixture.string(), "--out", (dir_->path() / "plots").string(), "--formats", "png"}));
  }
  static void TearDownTestSuite() {
    delete plot_;
    delete dir_;
    plot_ = nullptr;
    dir_ = nullptr;
  }

  void SetUp() override {
    chromium_ = find_chromium();
    if (chromium_.empty()) {
      GTEST_SKIP() << "no Chromium ("
                   << (std::getenv("ACTBENCH_CHROMIUM")
                           ? std::getenv("ACTBENCH_CHROMIUM")
                           : "chromium, chromium-browser, google-chrome")
                   << ") found: the report is not checked in a browser. Debian: apt-get install "
                      "chromium, or scripts/setup.sh --tests; ACTBENCH_CHROMIUM names another "
                      "binary";
    }
    const std::string probe =
        shell_quote(ACTBENCH_PYTHON) + " -c 'import matplotlib, jsonschema' >/dev/null 2>&1";
    if (std::string(ACTBENCH_PYTHON).empty() || std::system(probe.c_str()) != 0) {
      GTEST_SKIP() << "no /usr/bin/python3 with matplotlib and jsonschema to write the report "
                      "(python3-matplotlib, python3-jsonschema)";
    }
    ASSERT_NE(plot_, nullptr);
    ASSERT_EQ(plot_->exit_code, 0) << describe(*plot_);
    ASSERT_TRUE(fs::exists(report())) << describe(*plot_);
  }

  static fs::path report() { return dir_->path() / "plots" / "report.html"; }

  // Headless Chromium with `args` then `url`: its own profile directory, no sandbox (tests may
  // run as root), console messages on stderr.
  CommandResult browse(const std::vector<std::string>& args, const std::string& url) const {
    std::vector<std::string> all{"--headless",
                                 "--disable-gpu",
                                 "--no-sandbox",
                                 "--disable-dev-shm-usage",
                                 "--no-first-run",
                                 "--user-data-dir=" + (dir_->path() / "profile").string(),
                                 "--enable-logging=stderr",
                                 "--v=0"};
    all.insert(all.end(), args.begin(), args.end());
    all.push_back(url);
    return actbench_test::run_captured("timeout 120 " + shell_quote(chromium_), all);
  }

  // Opens `page` (a copy of report.html with kChecker in it) and returns the checker's JSON and
  // Chromium's stderr.
  std::pair<nlohmann::json, std::string> check(const fs::path& page) const {
    const CommandResult r = browse({"--virtual-time-budget=20000", "--dump-dom"}, file_url(page));
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    const std::string open = "<pre id=\"actbench-check\">";
    const size_t begin = r.out.find(open);
    const size_t end = begin == std::string::npos ? begin : r.out.find("</pre>", begin);
    if (end == std::string::npos) {
      ADD_FAILURE() << "the checker wrote nothing: the page did not finish loading, or its "
                       "script did not run\n"
                    << r.out.substr(0, 2000) << "\n--- stderr ---\n"
                    << r.err;
      return {nlohmann::json::object(), r.err};
    }
    const std::string json =
        html_unescape(r.out.substr(begin + open.size(), end - begin - open.size()));
    return {nlohmann::json::parse(json), r.err};
  }

  // report.html with the checker at the top of <head>, after `edit` has changed it.
  static fs::path page_under_test(const std::string& name,
                                  const std::function<void(std::string&)>& edit = nullptr) {
    std::string html = read_text(report());
    const size_t head = html.find("<head>");
    EXPECT_NE(head, std::string::npos);
    html.insert(head + 6, std::string("\n") + kChecker);
    if (edit) edit(html);
    const fs::path page = dir_->path() / "plots" / name;  // beside the report, as a reader has it
    write_text(page, html);
    return page;
  }

  std::string chromium_;
  static TempDir* dir_;
  static CommandResult* plot_;
};
TempDir* ReportBrowser::dir_ = nullptr;
CommandResult* ReportBrowser::plot_ = nullptr;

TEST_F(ReportBrowser, EveryImageLoadsEveryLinkResolvesAndNoScriptFails) {
  const auto [result, log] = check(page_under_test("check.html"));
  ASSERT_TRUE(result.contains("images")) << result.dump(1);
  EXPECT_THAT(result["errors"], IsEmpty()) << result.dump(1);
  ASSERT_EQ(result["images"].size(), figure_count()) << result.dump(1);
  for (const auto& img : result["images"]) {
    SCOPED_TRACE(img["alt"].get<std::string>());
    EXPECT_TRUE(img["complete"].get<bool>());
    EXPECT_EQ(img["width"], 1500);
    EXPECT_EQ(img["height"], 900);
    EXPECT_GT(img["ink"].get<double>(), 0.01) << "the figure is blank where the page shows it";
  }
  // The table of contents: a link per section and figure, each to a heading on the page.
  EXPECT_GE(result["links"].get<size_t>(), figure_count() + 4);
  EXPECT_THAT(result["dangling"], IsEmpty()) << result.dump(1);
  EXPECT_GT(result["text"].get<size_t>(), 2000u);  // the tables and captions are there
  EXPECT_THAT(log, Not(HasSubstr("Uncaught")));
}

TEST_F(ReportBrowser, ABrokenImageAndAScriptErrorAreCaught) {
  // The control: the first figure's PNG corrupted, a script that throws.
  const fs::path page = page_under_test("broken.html", [](std::string& html) {
    const std::string png = "data:image/png;base64,";
    const size_t at = html.find(png);
    ASSERT_NE(at, std::string::npos);
    html.replace(at + png.size(), 8, "AAAAAAAA");
    const size_t body = html.rfind("</body>");
    html.insert(body, "<script>no_such_function();</script>\n");
  });
  const auto [result, log] = check(page);
  ASSERT_TRUE(result.contains("images")) << result.dump(1);
  ASSERT_EQ(result["images"].size(), figure_count());
  size_t broken = 0;
  for (const auto& img : result["images"]) broken += img["width"].get<int>() == 0;
  EXPECT_EQ(broken, 1u) << result.dump(1);
  EXPECT_THAT(result["errors"].dump(), HasSubstr("cannot load <img>"));
  EXPECT_THAT(result["errors"].dump(), HasSubstr("no_such_function"));
  EXPECT_THAT(log, HasSubstr("Uncaught ReferenceError"));
}

TEST_F(ReportBrowser, TheScreenshotIsNotBlank) {
  const fs::path shot = dir_->path() / "report.png";
  const CommandResult r =
      browse({"--hide-scrollbars", "--window-size=1200,2000", "--screenshot=" + shot.string()},
             file_url(report()));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  ASSERT_TRUE(fs::exists(shot)) << describe(r);
  const CommandResult m = actbench_test::run_captured(
      shell_quote(ACTBENCH_PYTHON) + " " + shell_quote(kChecks.string()), {"png", shot.string()});
  ASSERT_EQ(m.exit_code, 0) << describe(m);
  const nlohmann::json png = nlohmann::json::parse(m.out);
  EXPECT_EQ(png["width"], 1200);
  EXPECT_EQ(png["height"], 2000);
  // Not one colour: text (dark pixels) on the background, headings, tables, links.
  EXPECT_GT(png["colours"].get<int>(), 50) << png.dump();
  EXPECT_LT(png["commonest"].get<double>(), 0.95) << png.dump();
  EXPECT_GT(png["dark"].get<double>(), 0.005) << png.dump();
}

}  // namespace
}  // namespace report_browser_test
