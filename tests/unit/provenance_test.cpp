// Provenance: the build information baked in at build time and the facts about the host (OS, CPU,
// BLAS) recorded with results. (The SHA-256 digests: sha256_test.cpp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include <torch/version.h>

#include "test_support.h"
#include "util/build_info.h"
#include "util/provenance.h"

namespace {

using actbench::Json;
using actbench_test::input_error_message;
using actbench_test::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A string, or null where the fact may be unreadable on some hosts.
void expect_text(const Json& j, const char* key, bool nullable) {
  ASSERT_TRUE(j.contains(key)) << key << " missing from " << j.dump();
  if (nullable && j[key].is_null()) return;
  EXPECT_TRUE(j[key].is_string()) << key << ": " << j[key].dump();
  EXPECT_FALSE(j[key].get<std::string>().empty()) << key;
}

std::set<std::string> keys_of(const Json& j) {
  std::set<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.insert(it.key());
  return out;
}

TEST(Provenance, HostFactsHaveEveryKeyWithTheRightTypes) {
  const Json p = actbench::host_provenance();
  ASSERT_TRUE(p.is_object()) << p.dump();
  EXPECT_EQ(keys_of(p), (std::set<std::string>{"host", "os", "cpu", "blas", "libtorch", "build"}));
  expect_text(p, "host", true);

  const Json& os = p["os"];
  ASSERT_TRUE(os.is_object()) << p.dump();
  EXPECT_EQ(keys_of(os), (std::set<std::string>{"kernel", "machine", "distribution"}));
  expect_text(os, "kernel", false);
  EXPECT_THAT(os["kernel"].get<std::string>(), StartsWith("Linux "));
  expect_text(os, "machine", false);
  expect_text(os, "distribution", true);

  const Json& cpu = p["cpu"];
  ASSERT_TRUE(cpu.is_object()) << p.dump();
  EXPECT_EQ(keys_of(cpu), (std::set<std::string>{"model", "logical_cores", "usable_cores"}));
  expect_text(cpu, "model", true);
  ASSERT_TRUE(cpu["logical_cores"].is_number_unsigned() || cpu["logical_cores"].is_null());
  ASSERT_TRUE(cpu["usable_cores"].is_number_integer()) << cpu.dump();
  EXPECT_GE(cpu["usable_cores"].get<int>(), 1);
  if (cpu["logical_cores"].is_number()) {
    EXPECT_LE(cpu["usable_cores"].get<int>(), cpu["logical_cores"].get<int>());
  }

  const Json& blas = p["blas"];
  ASSERT_TRUE(blas.is_object()) << p.dump();
  EXPECT_EQ(keys_of(blas), (std::set<std::string>{"library", "config", "core", "mkl", "policy",
                                                  "requested", "aten_capability"}));
  for (const char* key : {"library", "config", "core", "mkl"}) expect_text(blas, key, true);
  // The kernel policy (util/blas_kernel.h): what it asked OpenBLAS for is what runs.
  for (const char* key : {"policy", "requested", "aten_capability"}) {
    ASSERT_TRUE(blas[key].is_string()) << blas.dump();
  }
  if (!blas["requested"].get<std::string>().empty()) {
    EXPECT_EQ(blas["core"], blas["requested"]);
  }
  if (blas["library"].is_string()) {
    EXPECT_THAT(blas["library"].get<std::string>(), StartsWith("/"));
  }

  EXPECT_EQ(p["libtorch"], TORCH_VERSION);

  const Json& build = p["build"];
  ASSERT_TRUE(build.is_object()) << p.dump();
  EXPECT_EQ(keys_of(build), (std::set<std::string>{"version", "git_commit", "git_dirty", "compiler",
                                                   "build_type"}));
  EXPECT_EQ(build["version"], ACTBENCH_VERSION);
  ASSERT_TRUE(build["git_commit"].is_string());
  const std::string commit = build["git_commit"];
  const bool hex40 = commit.size() == 40 && std::all_of(commit.begin(), commit.end(), [](char c) {
                       return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                     });
  EXPECT_TRUE(hex40 || commit == "unknown") << commit;
  EXPECT_TRUE(build["git_dirty"].is_boolean());
  expect_text(build, "compiler", false);
  EXPECT_TRUE(build["build_type"].is_string());

  // Read once per process: a second call gives the same facts.
  EXPECT_EQ(actbench::host_provenance(), p);
}

TEST(Provenance, BuildInfoMatchesTheVersionText) {
  const actbench::BuildInfo& b = actbench::build_info();
  EXPECT_EQ(b.version, ACTBENCH_VERSION);
  const std::string text = actbench::build_version_text();
  EXPECT_THAT(text, StartsWith(std::string("actbench ") + ACTBENCH_VERSION + " (commit "));
  if (b.git_commit == "unknown") {
    EXPECT_EQ(text, std::string("actbench ") + ACTBENCH_VERSION + " (commit unknown)");
  } else {
    EXPECT_EQ(text, std::string("actbench ") + ACTBENCH_VERSION + " (commit " +
                        b.git_commit.substr(0, 12) + (b.git_dirty ? ", modified)" : ")"));
  }
}

}  // namespace
