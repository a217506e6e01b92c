// The Python scripts' input (issue 14): scripts/compare_reference.py and scripts/plot_results.py
// read results.json (and the reference, summary.json) strictly and validate them against the
// schemas in docs/ (scripts/plotting/jsonfile.py) before comparing or drawing. Bad input -- a
// missing path, a directory, a pipe, not UTF-8, not JSON, the bare tokens NaN and Infinity, a
// number too large for a double, a key given twice, deep nesting, a file over the size limit, a
// version not read, a wrong type, a value out of range, a missing key, no runs -- is one line on
// stderr, exit 2, no traceback and nothing written. A real diverged run (null losses,
// actbench.results/4, or the strings "NaN"/"Infinity", /5) is compared as diverged (exit 1) and
// plotted. compare_reference: exit 0 agrees, 1 disagrees, 2 bad input. Needs Debian's python3
// with python3-jsonschema and python3-matplotlib; without them the tests skip with a message.
#include <sys/stat.h>
#include <unistd.h>

#include <functional>

#include "plot_fixture.h"
#include "util/json_checksum.h"

namespace actbench_python_input_test {

using namespace actbench_plot_test;  // NOLINT: the plot fixture's paths and helpers
using nlohmann::json;

const fs::path kCompareScript = fs::path(ACTBENCH_SOURCE_DIR) / "scripts" / "compare_reference.py";
const fs::path kReference =
    fs::path(ACTBENCH_SOURCE_DIR) / "docs" / "reference" / "tutorial-mnist.json";

// Like run_plot: killed after 120 s (exit 124), so a script that hangs fails the test.
CommandResult run_compare(const std::vector<std::string>& args) {
  return actbench_test::run_captured(
      "timeout 120 " + shell_quote(ACTBENCH_PYTHON) + " " + shell_quote(kCompareScript.string()),
      args);
}

// A bad-input answer of compare_reference: exit 2, exactly one line on stderr
// "compare_reference: error: ..." holding `expected`, nothing on stdout, no traceback.
void expect_compare_refuses(const CommandResult& r, const std::string& expected) {
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << describe(r);
  EXPECT_THAT(r.err, StartsWith("compare_reference: error: ")) << describe(r);
  EXPECT_THAT(r.err, HasSubstr(expected)) << describe(r);
  EXPECT_THAT(r.err, Not(HasSubstr("Traceback"))) << describe(r);
  EXPECT_EQ(r.out, "") << describe(r);
}

// The fixture's results.json, and a copy of it with one epoch of the first run changed.
json fixture_results() {
  return json::parse(read_text(kFixture / "results.json"));
}

// `doc` with its first value `from` (a JSON text such as `"test_loss": 1.8136395263671874`)
// replaced by `to`: damage that nlohmann::json cannot write (NaN tokens, a key twice).
std::string replace_first(const json& doc, const std::string& from, const std::string& to) {
  std::string text = doc.dump(1);
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

// The first run's first epoch as it is written: `"KEY": VALUE` for a damaging replace_first.
std::string first_epoch_field(const json& results, const std::string& key) {
  return "\"" + key + "\": " + results["runs"][0]["epochs"][0][key].dump();
}

// A results file as actbench.results/5 writes it: null losses and diagnostics as "NaN".
// An actbench.results/5 document as actbench.results/4 wrote it: every non-finite value null.
json as_version_4(json doc) {
  doc["schema"] = "actbench.results/4";
  doc.erase("checksum");  // an actbench of /4 wrote none
  std::function<void(json&)> nullify = [&](json& v) {
    if (v == "NaN" || v == "Infinity" || v == "-Infinity") {
      v = nullptr;
    } else if (v.is_structured()) {
      for (auto& x : v) nullify(x);
    }
  };
  for (auto& run : doc["runs"]) {
    nullify(run["epochs"]);
    nullify(run["final"]);
  }
  return doc;
}

json as_version_5(json doc) {
  doc["schema"] = "actbench.results/5";
  for (auto& run : doc["runs"]) {
    for (auto& epoch : run["epochs"]) {
      for (const char* key : {"train_loss", "test_loss", "val_loss"}) {
        if (epoch.contains(key) && epoch[key].is_null()) epoch[key] = "NaN";
      }
      if (!epoch.contains("diagnostics")) continue;
      for (auto& [key, value] : epoch["diagnostics"].items()) {
        if (!value.is_array()) continue;
        for (auto& v : value) {
          if (v.is_null()) v = "Infinity";
        }
      }
    }
    if (run["final"].contains("test_loss") && run["final"]["test_loss"].is_null()) {
      run["final"]["test_loss"] = "NaN";
    }
  }
  return doc;
}

// One bad input: a name, what to write (or do) and the words the error line must hold.
struct BadInput {
  std::string name;
  std::function<void(const fs::path& file)> make;
  std::string expected;
  std::string expected_by_plot = "";  // when plot_results.py words it otherwise
};

void write_doc(const fs::path& file, const json& doc) {
  write_text(file, doc.dump(1));
}

// The classes of bad input a JSON file can be, each as a results.json; shared by both scripts.
std::vector<BadInput> bad_results_files() {
  const json good = fixture_results();
  auto damaged = [good](const std::function<void(json&)>& edit) {
    return [good, edit](const fs::path& file) {
      json doc = good;
      edit(doc);
      write_doc(file, doc);
    };
  };
  auto text = [](const std::string& content) {
    return [content](const fs::path& file) { write_text(file, content); };
  };
  const std::string loss = first_epoch_field(good, "test_loss");
  const std::string seconds = first_epoch_field(good, "seconds");
  return {
      {"missing file", [](const fs::path&) {}, "No such file", "does not exist"},
      {"a directory", [](const fs::path& f) { fs::create_directories(f); }, "is a directory",
       "holds no results.json"},
      {"a pipe", [](const fs::path& f) { ASSERT_EQ(::mkfifo(f.c_str(), 0600), 0); },
       "not a regular file"},
      {"empty file", text(""), "is not JSON"},
      {"not JSON", text("{\"schema\": \"actbench.results/4\", "), "is not JSON"},
      {"not UTF-8", text("\xff\xfe{}"), "not UTF-8"},
      {"NaN token", text(replace_first(good, loss, "\"test_loss\": NaN")),
       "bare token NaN at $.runs[0].epochs[0].test_loss"},
      {"Infinity token", text(replace_first(good, seconds, "\"seconds\": -Infinity")),
       "bare token -Infinity at $.runs[0].epochs[0].seconds"},
      {"number too large", text(replace_first(good, seconds, "\"seconds\": 1e400")),
       "too large for a double"},
      {"a key twice", text(replace_first(good, loss, loss + ", \"test_loss\": 0.5")),
       "a key given twice at $.runs[0].epochs[0].test_loss"},
      {"deep nesting", text(std::string(100000, '[') + std::string(100000, ']')),
       "nests too deeply"},
      {"over the size limit",
       [](const fs::path& f) {
         write_text(f, "{}");
         fs::resize_file(f, (uintmax_t{256} << 20) + 1);  // sparse: no disk used
       },
       "over the limit of 256 MiB"},
      {"an array", text("[]"), "is a JSON array, not an object"},
      {"no schema key", damaged([](json& d) { d.erase("schema"); }), "no 'schema' key"},
      {"unknown version", damaged([](json& d) { d["schema"] = "actbench.results/3"; }),
       "has schema \"actbench.results/3\""},
      {"wrong type", damaged([](json& d) { d["runs"][0]["epochs"][0]["test_accuracy"] = "97"; }),
       "at $.runs[0].epochs[0].test_accuracy: '97' is not of type 'number'"},
      {"out of range", damaged([](json& d) { d["runs"][1]["epochs"][1]["test_accuracy"] = 101; }),
       "at $.runs[1].epochs[1].test_accuracy: 101 is greater than the maximum of 100"},
      {"negative loss", damaged([](json& d) { d["runs"][0]["final"]["test_loss"] = -1; }),
       "at $.runs[0].final.test_loss: -1 is less than the minimum of 0"},
      {"missing key", damaged([](json& d) { d["runs"][2].erase("label"); }),
       "at $.runs[2]: 'label' is a required property"},
      {"unknown key", damaged([](json& d) { d["runs"][0]["epochs"][0]["test_acc"] = 90; }),
       "at $.runs[0].epochs[0]: Additional properties are not allowed"},
      {"a non-finite name that is not one", damaged([](json& d) {
         d = as_version_5(d);
         d["runs"][0]["epochs"][0]["test_loss"] = "nan";
       }),
       "does not match"},
      {"-Infinity loss in version 5", damaged([](json& d) {
         d = as_version_5(d);
         d["runs"][0]["epochs"][0]["test_loss"] = "-Infinity";
       }),
       "at $.runs[0].epochs[0].test_loss: -inf is less than the minimum of 0"},
      {"non-finite string for an integer in version 5", damaged([](json& d) {
         d = as_version_5(d);
         d["runs"][0]["epochs"][0]["epoch"] = "NaN";
       }),
       "at $.runs[0].epochs[0].epoch: 'NaN' is not of type 'integer'"},
      {"no runs", damaged([](json& d) { d["runs"] = json::array(); }), "has no runs"},
  };
}

// PlotScript's set-up: skips without python3, matplotlib or jsonschema; tmp_, the fixture.
class PythonInput : public PlotScript {
 protected:
  // A sweep directory holding `results` (text) and the fixture's summary.json.
  fs::path sweep_with(const std::string& name, const std::string& results) {
    const fs::path dir = tmp_ / name;
    fs::create_directories(dir);
    write_text(dir / "results.json", results);
    fs::copy_file(kFixture / "summary.json", dir / "summary.json");
    return dir;
  }

  // A real sweep whose runs diverge: ReLU and Tanh, one epoch at a learning rate of 1e30 on
  // the synthetic data, so their losses overflow (null in results.json).
  fs::path diverged_sweep() {
    const fs::path config = actbench_test::write_tiny_config(tmp_ / "diverging.yaml",
                                                             actbench_test::synthetic_mnist_dir());
    const fs::path sweep = tmp_ / "diverged";
    const CommandResult run = actbench_test::run_actbench(
        {"run", config.string(), "train.lr=1e30", "--out", sweep.string(), "--device", "cpu",
         "--store", (tmp_ / "store").string()},
        tmp_.path());
    EXPECT_EQ(run.exit_code, 0) << run.describe();
    return sweep;
  }
};

TEST_F(PythonInput, CompareReferenceRefusesEachBadResultsFileInOneLine) {
  for (const BadInput& bad : bad_results_files()) {
    SCOPED_TRACE(bad.name);
    const fs::path file = tmp_ / ("compare-" + bad.name + ".json");
    bad.make(file);
    expect_compare_refuses(run_compare({file.string()}), bad.expected);
  }
}

TEST_F(PythonInput, PlotRefusesEachBadResultsFileInOneLineAndWritesNothing) {
  for (const BadInput& bad : bad_results_files()) {
    SCOPED_TRACE(bad.name);
    const fs::path dir = tmp_ / ("plot-" + bad.name);
    fs::create_directories(dir);
    fs::copy_file(kFixture / "summary.json", dir / "summary.json");
    const fs::path file = dir / "results.json";
    bad.make(file);
    const fs::path out = tmp_ / ("out-" + bad.name);
    // The file itself (a sweep directory without a results.json file is refused earlier).
    const CommandResult r = run_plot({file.string(), "--out", out.string(), "--formats", "png"});
    expect_one_line_error(r);
    EXPECT_THAT(r.err,
                HasSubstr(bad.expected_by_plot.empty() ? bad.expected : bad.expected_by_plot))
        << describe(r);
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(dir / "plots"));
  }
}

TEST_F(PythonInput, PlotRefusesASummaryThatBreaksJsonOrItsSchema) {
  const json summary = fixture_summary();
  const std::string runs = "\"runs_finished\": " + summary["runs_finished"].dump();
  const std::vector<std::pair<std::string, std::string>> cases{
      {replace_first(summary, runs, "\"runs_finished\": NaN"), "bare token NaN at $.runs_finished"},
      {replace_first(summary, runs, runs + ", \"runs_finished\": 3"), "a key given twice"},
      {[&] {
         json d = summary;
         d["groups"][0]["completed"] = -1;
         return d.dump();
       }(),
       "at $.groups[0].completed: -1 is less than the minimum of 0"},
      {[&] {
         json d = summary;
         d["groups"][0]["series"]["test_accuracy"]["mean"][0] = "high";
         return d.dump();
       }(),
       "at $.groups[0].series.test_accuracy.mean[0]"},
      {[&] {
         json d = summary;
         d["schema"] = "actbench.summary/9";
         return d.dump();
       }(),
       "has schema \"actbench.summary/9\""},
      // Stamped with actbench's checksum (what a sweep writes), then edited by hand.
      {[&] {
         json d = actbench::with_checksum(summary);
         d["groups"][0]["final_test_accuracy"]["mean"] = 99.99;
         return d.dump(2);
       }(),
       "is damaged: its content does not match its checksum"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].second);
    const fs::path dir = tmp_ / ("summary-" + std::to_string(i));
    fs::create_directories(dir);
    fs::copy_file(kFixture / "results.json", dir / "results.json");
    write_text(dir / "summary.json", cases[i].first);
    const CommandResult r = run_plot({dir.string(), "--formats", "png"});
    expect_one_line_error(r);
    EXPECT_THAT(r.err, HasSubstr(cases[i].second)) << describe(r);
    EXPECT_FALSE(fs::exists(dir / "plots"));
  }
}

TEST_F(PythonInput, ActbenchPlotRelaysTheScriptsErrorLineAndExitStatus) {
  const json good = fixture_results();
  const fs::path dir = sweep_with(
      "relay", replace_first(good, first_epoch_field(good, "test_loss"), "\"test_loss\": NaN"));
  const CommandResult r = actbench_test::run_actbench({"plot", dir.string()}, dir);
  expect_one_line_error(r);
  EXPECT_THAT(r.err, HasSubstr("bare token NaN at $.runs[0].epochs[0].test_loss"));
  EXPECT_FALSE(fs::exists(dir / "plots"));
}

// An ACTBENCH_PYTHON that fails without a word (not a Python, or one without matplotlib that
// dies silently) is named in one line, with its exit status as actbench's.
TEST_F(PythonInput, ActbenchPlotNamesAPythonThatFailsSilently) {
  const fs::path dir = sweep_with("silent", fixture_results().dump());
  const CommandResult r = actbench_test::run_captured(
      "ACTBENCH_PYTHON=false " + shell_quote(ACTBENCH_BINARY), {"plot", dir.string()});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_EQ(r.out, "") << describe(r);
  EXPECT_THAT(r.err, ::testing::StartsWith("error: false ended with status 1 and said nothing"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << describe(r);
  EXPECT_FALSE(fs::exists(dir / "plots"));
}

TEST_F(PythonInput, CompareReferenceRefusesABadReferenceOrArgument) {
  const fs::path results = kFixture / "results.json";
  const json reference = json::parse(read_text(kReference));
  auto with_reference = [&](const std::string& name, const std::string& text) {
    const fs::path file = tmp_ / (name + ".json");
    write_text(file, text);
    return run_compare({results.string(), "--reference", file.string()});
  };
  {
    SCOPED_TRACE("reference without results");
    json d = reference;
    d.erase("results");
    expect_compare_refuses(with_reference("no-results", d.dump()),
                           "at $: 'results' is a required property");
  }
  {
    SCOPED_TRACE("reference lists of different lengths");
    json d = reference;
    d["results"]["Tanh"]["test_accuracy"].erase(0);
    expect_compare_refuses(with_reference("short", d.dump()),
                           "$.results.Tanh.test_accuracy has 9 values where train_loss has 10");
  }
  {
    SCOPED_TRACE("reference with an empty list");
    json d = reference;
    d["results"]["ReLU"]["train_loss"] = json::array();
    expect_compare_refuses(with_reference("empty-list", d.dump()), "$.results.ReLU.train_loss");
  }
  {
    SCOPED_TRACE("reference accuracy as a fraction");
    json d = reference;
    d["accuracy_unit"] = "fraction";
    expect_compare_refuses(with_reference("fraction", d.dump()), "$.accuracy_unit");
  }
  {
    SCOPED_TRACE("reference with a NaN token");
    expect_compare_refuses(with_reference("nan",
                                          "{\"accuracy_unit\": \"percent\", "
                                          "\"results\": {\"ReLU\": NaN}}"),
                           "bare token NaN at $.results.ReLU");
  }
  {
    SCOPED_TRACE("reference is a directory");
    expect_compare_refuses(run_compare({results.string(), "--reference", tmp_.path().string()}),
                           "is a directory");
  }
  for (const char* tolerance : {"-1", "nan", "inf", "x"}) {
    SCOPED_TRACE(tolerance);
    expect_compare_refuses(run_compare({results.string(), "--tolerance", tolerance}),
                           "--tolerance");
  }
  {
    SCOPED_TRACE("unknown option");
    expect_compare_refuses(run_compare({results.string(), "--tolerence", "1"}), "--tolerence");
  }
  {
    SCOPED_TRACE("no run the reference has");
    json d = fixture_results();
    for (auto& run : d["runs"]) run["label"] = "Swish";
    const fs::path file = tmp_ / "swish.json";
    write_doc(file, d);
    expect_compare_refuses(run_compare({file.string()}), "nothing to compare");
  }
  {
    SCOPED_TRACE("a run without epochs");
    json d = fixture_results();
    d["runs"][3]["epochs"] = json::array();
    const fs::path file = tmp_ / "no-epochs.json";
    write_doc(file, d);
    expect_compare_refuses(run_compare({file.string()}), "$.runs[3].epochs");
  }
}

// One ReLU run of the fixture whose accuracy after epoch 2 is the tutorial's plus `delta`.
fs::path relu_run_off_by(const fs::path& dir, const std::string& name, double delta) {
  json d = fixture_results();
  json run = d["runs"][0];
  EXPECT_EQ(run["label"], "ReLU");
  EXPECT_EQ(run["epochs"].size(), 2u);
  const json reference = json::parse(read_text(kReference));
  run["epochs"][1]["test_accuracy"] =
      reference["results"]["ReLU"]["test_accuracy"][1].get<double>() + delta;
  d["runs"] = json::array({run});
  const fs::path file = dir / (name + ".json");
  write_doc(file, d);
  return file;
}

TEST_F(PythonInput, CompareReferenceExitsZeroWhenItAgreesAndOneWhenItDoesNot) {
  const CommandResult agrees = run_compare({relu_run_off_by(tmp_.path(), "close", 0.3).string()});
  EXPECT_EQ(agrees.exit_code, 0) << describe(agrees);
  EXPECT_EQ(agrees.err, "") << describe(agrees);
  EXPECT_THAT(agrees.out, HasSubstr("ReLU             2"));
  EXPECT_THAT(lines_of(agrees.out).back(), StartsWith("agrees: 1 of 1 runs within 0.5 points"));

  const fs::path far = relu_run_off_by(tmp_.path(), "far", -1.5);
  const CommandResult differs = run_compare({far.string()});
  EXPECT_EQ(differs.exit_code, 1) << describe(differs);
  EXPECT_EQ(differs.err, "") << describe(differs);
  EXPECT_THAT(differs.out, HasSubstr("DIFFERS"));
  EXPECT_THAT(lines_of(differs.out).back(), HasSubstr("disagrees: 1 of 1 runs"));
  EXPECT_THAT(lines_of(differs.out).back(), HasSubstr("differs by -1.50 points"));
  // --strict changes nothing now; a wider tolerance is agreement.
  EXPECT_EQ(run_compare({far.string(), "--strict"}).exit_code, 1);
  EXPECT_EQ(run_compare({far.string(), "--tolerance", "2"}).exit_code, 0);

  // --help documents the exit codes.
  const CommandResult help = run_compare({"--help"});
  EXPECT_EQ(help.exit_code, 0) << describe(help);
  for (const char* line : {"Exit status:", "0  every run compared agrees",
                           "1  some run disagrees or diverged", "2  bad input"}) {
    EXPECT_THAT(help.out, HasSubstr(line));
  }
}

TEST_F(PythonInput, CompareReferenceComparesARunLongerThanTheReferenceAtItsLastEpoch) {
  json d = fixture_results();
  json run = d["runs"][0];
  const json reference = json::parse(read_text(kReference));
  const json first = run["epochs"][0];
  run["epochs"] = json::array();
  for (int epoch = 1; epoch <= 12; ++epoch) {
    json e = first;
    e["epoch"] = epoch;
    e["test_accuracy"] =
        epoch <= 10 ? reference["results"]["ReLU"]["test_accuracy"][epoch - 1] : json(50.0);
    run["epochs"].push_back(e);
  }
  d["runs"] = json::array({run});
  const fs::path file = tmp_ / "long.json";
  write_doc(file, d);
  const CommandResult r = run_compare({file.string()});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_THAT(r.out, HasSubstr("ReLU            10"));
}

TEST_F(PythonInput, ADivergedRunIsComparedAsDivergedAndPlotted) {
  const fs::path sweep = diverged_sweep();
  const json results = json::parse(read_text(sweep / "results.json"));
  size_t diverged = 0;
  for (const auto& run : results["runs"]) {
    if (run["status"] == "diverged") {
      ++diverged;
      EXPECT_EQ(run["epochs"].back()["test_loss"], "NaN") << run.dump();
    }
  }
  ASSERT_GT(diverged, 0u) << "lr=1e30 diverged nothing: the test needs another setting";

  // As actbench writes it today (actbench.results/5: "NaN"), and as /4 wrote it (null).
  const fs::path v4 = tmp_ / "diverged-4";
  fs::create_directories(v4);
  write_doc(v4 / "results.json", as_version_4(results));
  fs::copy_file(sweep / "summary.json", v4 / "summary.json");
  for (const fs::path& dir : {sweep, v4}) {
    SCOPED_TRACE(dir.filename().string());
    const CommandResult compared = run_compare({(dir / "results.json").string()});
    EXPECT_EQ(compared.exit_code, 1) << describe(compared);
    EXPECT_THAT(compared.out, HasSubstr("DIVERGED"));
    ASSERT_FALSE(lines_of(compared.out).empty());
    EXPECT_THAT(lines_of(compared.out).back(), HasSubstr("diverged at epoch 1"));
    EXPECT_THAT(compared.err, Not(HasSubstr("Traceback"))) << describe(compared);

    const fs::path out = tmp_ / ("plots-" + dir.filename().string());
    const CommandResult plotted =
        run_plot({dir.string(), "--out", out.string(), "--formats", "png"});
    EXPECT_EQ(plotted.exit_code, 0) << describe(plotted);
    EXPECT_THAT(plotted.err, Not(HasSubstr("Traceback"))) << describe(plotted);
    EXPECT_TRUE(fs::exists(out / "test_accuracy.png"));
    // The diverged runs are marked: in the ranking table and the legends.
    EXPECT_THAT(read_text(out / "report.md"), HasSubstr("diverged"));
  }
}

}  // namespace actbench_python_input_test
