// Inputs the fuzzers (fuzz/, scripts/fuzz.sh) once crashed on, kept in fuzz/regressions/<target>/,
// replayed through the same target body the fuzzer runs (fuzz/targets.h): each must be accepted
// or refused with InputError -- no other exception, no crash, no sanitizer report (under
// scripts/test.sh --sanitize). The seed corpora go through the same bodies, and must reach the
// readers' accepting paths (a seed that stopped being valid would quietly weaken the fuzzer);
// seeds named damaged-* (a checkpoint cut short, one with a flipped byte) must be refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#include "config/config.h"
#include "data/idx.h"
#include "fuzz/targets.h"
#include "results/run_shape.h"
#include "test_support.h"
#include "util/utf8.h"

namespace {

namespace fs = std::filesystem;
using actbench_fuzz::Outcome;

const fs::path kFuzzDir = fs::path(ACTBENCH_SOURCE_DIR) / "fuzz";
const char* const kFuzzTargetNames[] = {"config", "idx", "runfile", "store", "checkpoint"};

// The files directly in `dir`, sorted (none when it does not exist).
std::vector<fs::path> fuzz_inputs_in(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().filename().string()[0] != '.' &&
        it->path().extension() != ".md") {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

Outcome replay_fuzz_input(const std::string& target, const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  return actbench_fuzz::find_target(target)(data, bytes.size());
}

TEST(FuzzRegression, EveryKeptCrashInputIsAcceptedOrRefusedWithAnInputError) {
  // Only known targets: a misnamed folder would never be replayed.
  for (const auto& entry : fs::directory_iterator(kFuzzDir / "regressions")) {
    if (!entry.is_directory()) continue;
    EXPECT_NE(actbench_fuzz::find_target(entry.path().filename().string()), nullptr)
        << entry.path() << " is not named after a fuzz target";
  }
  size_t replayed = 0;
  for (const char* target : kFuzzTargetNames) {
    for (const fs::path& file : fuzz_inputs_in(kFuzzDir / "regressions" / target)) {
      SCOPED_TRACE(file.string());
      EXPECT_NO_THROW(replay_fuzz_input(target, file));
      ++replayed;
    }
  }
  EXPECT_GT(replayed, 0u);
}

TEST(FuzzRegression, EverySeedInputReachesTheReadersAndIsAccepted) {
  for (const char* target : kFuzzTargetNames) {
    const std::vector<fs::path> seeds = fuzz_inputs_in(kFuzzDir / "corpus" / target);
    EXPECT_GE(seeds.size(), 3u) << target;
    for (const fs::path& file : seeds) {
      SCOPED_TRACE(file.string());
      const bool damaged = file.filename().string().rfind("damaged-", 0) == 0;
      Outcome outcome = damaged ? Outcome::kAccepted : Outcome::kRefused;
      EXPECT_NO_THROW(outcome = replay_fuzz_input(target, file));
      EXPECT_EQ(outcome, damaged ? Outcome::kRefused : Outcome::kAccepted);
    }
  }
}

// What each finding was, as a plain test (the replay above only shows that no crash is left).

TEST(FuzzRegression, IdxDimensionsWhoseProductPasses64BitsAreRefusedAsTruncated) {
  // Was signed overflow (undefined behaviour) multiplying 3920999861 x 3048584488.
  const fs::path file = kFuzzDir / "regressions/idx/crash-0733f3100ad7aa2f0ba898912635e0e2ba597385";
  const std::string error =
      actbench_test::input_error_message([&] { actbench::check_idx_file(file, 3, ""); });
  EXPECT_NE(error.find("header promises more than 9223372036854775807 bytes, file has 22 "
                       "(truncated)"),
            std::string::npos)
      << error;
}

TEST(FuzzRegression, ConfigTextThatIsNotUtf8IsRefusedWhereItComesIn) {
  // Was "unexpected failure: [json.exception.type_error.316] invalid UTF-8 byte" (exit 1) once a
  // string from YAML or an override reached dump(): an error message, a run's id.
  actbench_test::TempDir dir;
  actbench_test::write_text(dir / "c.yaml", "activations: [{name: relu, label: \"x\xff\"}]\n");
  EXPECT_NE(actbench_test::input_error_message([&] {
              actbench::load_config(dir / "c.yaml", {});
            }).find("c.yaml is not UTF-8 text (byte 0xFF at offset 36); save the config as UTF-8"),
            std::string::npos);
  EXPECT_NE(actbench_test::input_error_message([&] {
              actbench::load_config(std::nullopt, {"data.dataset=\xfe"});
            }).find("command line: 'data.dataset=...' is not UTF-8 text (byte 0xFE at offset 13)"),
            std::string::npos);
  actbench::ConfigSource source = actbench::read_config_source(std::nullopt, {});
  EXPECT_NE(actbench_test::input_error_message([&] {
              actbench::set_config_value(source, "out", "r\xc0\x80", "command line");
            }).find("command line: the value of 'out' is not UTF-8 text (byte 0xC0 at offset 1)"),
            std::string::npos);
}

TEST(FuzzRegression, JsonConfigWithANumberPast1e308IsInvalidJson) {
  // Was "unexpected failure: [json.exception.out_of_range.406] number overflow" (exit 1): the JSON
  // reader caught only parse errors.
  actbench_test::TempDir dir;
  actbench_test::write_text(dir / "c.json",
                            "{\"train\": {\"lr\": 1" + std::string(400, '0') + "}}");
  EXPECT_NE(actbench_test::input_error_message([&] {
              actbench::load_config(dir / "c.json", {});
            }).find("c.json: invalid JSON: [json.exception.out_of_range.406] number overflow"),
            std::string::npos);
}

TEST(FuzzRegression, RunFilesOfAnotherShapeAreRefusedAndMissingMetricsAreMissing) {
  // Were "unexpected failure: [json.exception...]" (exit 1) in `actbench merge` and `run`: a run
  // file with the keys of a run but epochs that are not a list of objects, or final metrics that
  // are not an object or lack one, reached the summary.
  using actbench::Json;
  EXPECT_EQ(actbench::run_shape_problem(Json::object()), "activation is missing");
  EXPECT_EQ(actbench::run_shape_problem(Json::array()), "it is not a JSON object");
  const Json run = {{"activation", "relu"},
                    {"label", "ReLU"},
                    {"seed", 0},
                    {"status", "completed"},
                    {"final",
                     {{"test_accuracy", 90.0},
                      {"best_test_accuracy", 91.0},
                      {"best_epoch", 1},
                      {"test_loss", 0.3},
                      {"total_seconds", 1.0},
                      {"seconds_per_epoch", 1.0}}},
                    {"epochs", Json::array()}};
  EXPECT_EQ(actbench::run_shape_problem(run), "");
  for (const auto& [key, value, problem] : std::vector<std::tuple<std::string, Json, std::string>>{
           {"epochs", 5, "epochs is not a list"},
           {"epochs", Json::array({1}), "epochs[0] is not an object"},
           {"final", Json::array(), "final is not an object"},
           {"status", 1, "status is not completed or diverged"}}) {
    Json bad = run;
    bad[key] = value;
    EXPECT_EQ(actbench::run_shape_problem(bad), problem) << key << " " << value;
  }
  const fs::path kept = kFuzzDir / "regressions/runfile";
  EXPECT_EQ(replay_fuzz_input("runfile", kept / "run-epochs-not-a-list.json"), Outcome::kRefused);
  EXPECT_EQ(replay_fuzz_input("runfile", kept / "run-final-not-an-object.json"), Outcome::kRefused);
  // Final metrics missing: not a whole run (treated as damaged: run trains it again).
  EXPECT_EQ(replay_fuzz_input("runfile", kept / "run-final-without-metrics.json"),
            Outcome::kRefused);
}

TEST(FuzzRegression, CheckpointEpochNumberPastInt64IsRefused) {
  // Was undefined behaviour (UBSan: "1e+300 is outside the range of representable values of type
  // 'long'"): a checkpoint whose checksum holds but whose first epoch is numbered 1e300 had the
  // number converted to an integer unchecked. Now refused (the run trains from the start).
  EXPECT_EQ(
      replay_fuzz_input("checkpoint", kFuzzDir / "regressions/checkpoint/epoch-past-int64.ckpt"),
      Outcome::kRefused);
}

TEST(FuzzRegression, Utf8CheckAcceptsWellFormedTextOnly) {
  using actbench::invalid_utf8_offset;
  const size_t npos = std::string::npos;
  EXPECT_EQ(invalid_utf8_offset("relu \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"),
            npos);
  EXPECT_EQ(invalid_utf8_offset(std::string("a\0b", 3)), npos);
  EXPECT_EQ(invalid_utf8_offset("ab\x80"), 2u);            // a continuation byte alone
  EXPECT_EQ(invalid_utf8_offset("a\xc0\xaf"), 1u);         // overlong '/'
  EXPECT_EQ(invalid_utf8_offset("\xe0\x80\xaf"), 0u);      // overlong, three bytes
  EXPECT_EQ(invalid_utf8_offset("\xed\xa0\x80"), 0u);      // a surrogate
  EXPECT_EQ(invalid_utf8_offset("\xf4\x90\x80\x80"), 0u);  // past U+10FFFF
  EXPECT_EQ(invalid_utf8_offset("ok\xe2\x82"), 2u);        // truncated
  EXPECT_EQ(invalid_utf8_offset("\xf5\x80\x80\x80"), 0u);
}

}  // namespace
