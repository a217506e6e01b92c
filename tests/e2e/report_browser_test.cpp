// report.html in a real browser: headless Chromium opens the report that scripts/plot_results.py
// writes for the fixture sweep (tests/fixtures/plot) and the tests fail on a broken image, a
// dangling link of the table of contents, a script error, or a blank page.
//
// How: the test copies the report to check.html with one inline script added at the top of
// <head>: it records every error event (a script error, an image that fails to load) and, on the
// load event, measures every <img> -- loaded, naturalWidth and naturalHeight above 0, and its
// pixels drawn onto a canvas not all white -- and every "#..." link's target, then writes the
// result as JSON into <pre id="actbench-check">. Chromium's --dump-dom prints the DOM after the
// load event (--virtual-time-budget lets it run), where the test reads it; Chromium's console log
// (--enable-logging=stderr) must hold no "Uncaught". A control page with a corrupted image and a
// failing script shows the check catches both. A screenshot of the unmodified report (1200 x 2000)
// must not be one colour: tests/support/figure_checks.py counts its colours and its dark (text)
// pixels.
//
// The interactive charts (scripts/plotting/interactive.py: uPlot, inlined) are checked on a
// longer copy of the fixture sweep (12 epochs; the fixture has 2, too few to zoom into): opened
// as report.html?zoom=4&hide=LABEL&hover=11, the page presses its own "last 4 epochs" button,
// clicks LABEL's legend entry and puts the cursor on epoch 11, then writes what every chart shows
// into <pre id="interactive-state">, read from --dump-dom as above; ?drag=A-B drags the mouse
// across the first chart instead. The test wants every chart zoomed to those epochs with its y
// axis fitted to them, LABEL hidden in every chart and its box unticked, and each legend reading
// summary.json's mean ± std of that epoch.
//
// Needs Chromium (Debian: chromium; `scripts/setup.sh --tests` installs it, as scripts/test.sh
// does) and the plot script's Python; without them the tests skip with a message. ACTBENCH_CHROMIUM
// names another Chromium or Chrome binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <set>
#include <string>
#include <utility>
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
    return dumped_json(file_url(page), "actbench-check");
  }

  // Opens `url` and returns the JSON that the page wrote into <pre id="`id`"> by the time
  // Chromium dumped its DOM, and Chromium's stderr.
  std::pair<nlohmann::json, std::string> dumped_json(const std::string& url,
                                                     const std::string& id) const {
    const CommandResult r = browse({"--virtual-time-budget=20000", "--dump-dom"}, url);
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    const std::string open = "<pre id=\"" + id + "\">";
    const size_t begin = r.out.find(open);
    const size_t end = begin == std::string::npos ? begin : r.out.find("</pre>", begin);
    if (end == std::string::npos) {
      ADD_FAILURE() << "nothing in <pre id=\"" << id << "\">: the page did not finish "
                    << "loading, or its script did not run\n"
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

// Percent-encodes every byte but letters and digits, for a query string.
std::string url_encode(const std::string& s) {
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) != 0) {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

// "mean ± std" as the charts' legends write it (JavaScript's toFixed(digits)).
std::string readout(double mean, double std, int digits) {
  char text[96];
  std::snprintf(text, sizeof text, "%.*f ± %.*f", digits, mean, digits, std);
  return text;
}

// Copies the fixture sweep (SRC) to DST with every per-epoch series of summary.json (means and
// stds, per layer too) stretched to EPOCHS epochs: from the first epoch's value at epoch 1 to the
// last one's at EPOCHS, levelling off, so that each epoch has its own value.
const char* kLonger = R"(
import json, os, shutil, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(dst, exist_ok=True)
for name in ("results.json", "curves.json"):
    shutil.copy(os.path.join(src, name), dst)
def grow(first, last, k):
    if isinstance(first, list):
        return [grow(a, b, k) for a, b in zip(first, last)]
    if first is None or last is None:
        return None
    return first + (last - first) * (1 - 0.6 ** k) / (1 - 0.6 ** (n - 1))
with open(os.path.join(src, "summary.json"), encoding="utf-8") as f:
    summary = json.load(f)
for g in summary["groups"]:
    for s in list(g["series"].values()) + list(g.get("learned", {}).values()):
        for part in ("mean", "std"):
            v = s[part]
            s[part] = [grow(v[0], v[-1], k) for k in range(n)] if len(v) >= 2 else v
with open(os.path.join(dst, "summary.json"), "w", encoding="utf-8") as f:
    json.dump(summary, f, ensure_ascii=False)
)";

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

TEST_F(ReportBrowser, TheInteractiveChartsZoomHideAndReadTheSummarysValues) {
  // A longer copy of the fixture sweep and its report.
  constexpr int kEpochs = 12;
  const fs::path sweep = dir_->path() / "longer";
  const CommandResult copy =
      actbench_test::run_captured(shell_quote(ACTBENCH_PYTHON) + " -c " + shell_quote(kLonger),
                                  {kFixture.string(), sweep.string(), std::to_string(kEpochs)});
  ASSERT_EQ(copy.exit_code, 0) << describe(copy);
  const CommandResult plot = actbench_test::run_captured(
      shell_quote(ACTBENCH_PYTHON) + " " + shell_quote(kScript.string()),
      {sweep.string(), "--out", (sweep / "plots").string(), "--formats", "png"});
  ASSERT_EQ(plot.exit_code, 0) << describe(plot);
  const nlohmann::json summary = nlohmann::json::parse(read_text(sweep / "summary.json"));
  const std::string report_url = file_url(sweep / "plots" / "report.html");
  const std::string hidden = summary["activations"][0]["label"];
  const std::vector<std::string> metrics{"train_loss", "test_loss", "test_accuracy"};
  std::set<std::string> point_texts;
  for (const auto& g : summary["groups"]) point_texts.insert(g["point_text"].get<std::string>());
  const size_t points = point_texts.size();

  // The group's mean and std of `metric` at `epoch`, as the legend shows them.
  const auto expected = [&](const nlohmann::json& chart, const std::string& label, int epoch) {
    for (const auto& g : summary["groups"]) {
      if (g["activation"] != label || g["point_text"] != chart["point"]) continue;
      const auto& series = g["series"][chart["metric"].get<std::string>()];
      return readout(series["mean"][epoch - 1].get<double>(),
                     series["std"][epoch - 1].get<double>(),
                     chart["metric"] == "test_accuracy" ? 2 : 4);
    }
    return std::string("no group ") + label + " at " + chart["point"].dump();
  };
  // Every chart's legend at `epoch`: the epoch, and each line's mean ± std there.
  const auto expect_readouts = [&](const nlohmann::json& state, int epoch) {
    for (const auto& chart : state["charts"]) {
      SCOPED_TRACE(chart["metric"].dump() + " " + chart["point"].dump());
      EXPECT_EQ(chart["epoch"], epoch);
      EXPECT_EQ(chart["readout"]["epoch"], std::to_string(epoch));
      EXPECT_EQ(chart["readout"].size(), summary["activations"].size() + 1);
      for (const auto& a : summary["activations"]) {
        const std::string label = a["label"];
        EXPECT_EQ(chart["readout"].value(label, std::string("(no readout)")),
                  expected(chart, label, epoch))
            << label;
      }
    }
  };

  // "Last 4 epochs", the first activation's legend entry clicked, the cursor on epoch 11.
  {
    const auto [state, log] = dumped_json(
        report_url + "?zoom=4&hide=" + url_encode(hidden) + "&hover=11", "interactive-state");
    ASSERT_TRUE(state.contains("charts")) << state.dump(1);
    EXPECT_EQ(state["epochs"], kEpochs);
    // A chart per metric and point, in the static figures' order.
    ASSERT_EQ(state["charts"].size(), metrics.size() * points) << state.dump(1);
    for (size_t i = 0; i < state["charts"].size(); ++i) {
      EXPECT_EQ(state["charts"][i]["metric"], metrics[i / points]);
    }
    for (const auto& chart : state["charts"]) {
      SCOPED_TRACE(chart["metric"].dump() + " " + chart["point"].dump());
      EXPECT_EQ(chart["x"][0], kEpochs - 3);  // epochs 9 to 12
      EXPECT_EQ(chart["x"][1], kEpochs);
      // The y axis fits the epochs shown: some earlier value of a shown line lies outside it.
      const double lo = chart["y"][0], hi = chart["y"][1];
      bool outside = false;
      for (const auto& g : summary["groups"]) {
        if (g["activation"] == hidden || g["point_text"] != chart["point"]) continue;
        const auto& mean = g["series"][chart["metric"].get<std::string>()]["mean"];
        for (int e = 0; e < kEpochs - 4; ++e) {
          outside = outside || mean[e].get<double>() < lo || mean[e].get<double>() > hi;
        }
      }
      EXPECT_TRUE(outside) << "y from " << lo << " to " << hi << ": not fitted to the zoom";
      // One click on one chart's legend hid the activation in every chart.
      for (const auto& a : summary["activations"]) {
        EXPECT_EQ(chart["shown"][a["label"].get<std::string>()], a["label"] != hidden)
            << a["label"];
      }
    }
    for (const auto& a : summary["activations"]) {
      EXPECT_EQ(state["boxes"][a["label"].get<std::string>()], a["label"] != hidden)
          << "the box of " << a["label"];
    }
    // The cursor, put on epoch 11 of the first chart, reads epoch 11 in every chart.
    expect_readouts(state, kEpochs - 1);
    EXPECT_THAT(log, Not(HasSubstr("Uncaught")));
  }

  // A mouse drag from epoch 3 to epoch 7 across the first chart zooms every chart there (to the
  // pixel), and hides nothing.
  {
    const auto [state, log] = dumped_json(report_url + "?drag=3-7&hover=5", "interactive-state");
    ASSERT_TRUE(state.contains("charts")) << state.dump(1);
    ASSERT_EQ(state["charts"].size(), metrics.size() * points);
    for (const auto& chart : state["charts"]) {
      SCOPED_TRACE(chart["metric"].dump() + " " + chart["point"].dump());
      EXPECT_NEAR(chart["x"][0].get<double>(), 3.0, 0.1);
      EXPECT_NEAR(chart["x"][1].get<double>(), 7.0, 0.1);
      for (const auto& line : chart["shown"].items()) EXPECT_EQ(line.value(), true) << line.key();
    }
    expect_readouts(state, 5);
    EXPECT_THAT(log, Not(HasSubstr("Uncaught")));
  }
}

}  // namespace
}  // namespace report_browser_test
