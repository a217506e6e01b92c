// Provenance: SHA-256 digests of bytes and files, the build information baked in at build time,
// and the facts about the host (OS, CPU, BLAS) recorded with results.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include <torch/version.h>

#include "test_support.h"
#include "util/build_info.h"
#include "util/provenance.h"
#include "util/sha256.h"

namespace {

using actbench::Json;
using actbench_test::input_error_message;
using actbench_test::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(actbench::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(actbench::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(actbench::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // Bytes, not a C string: an embedded NUL is hashed too.
  EXPECT_NE(actbench::sha256_hex(std::string("a\0b", 3)), actbench::sha256_hex("a"));
}

TEST(Sha256, FileLargerThanOneChunkMatchesItsBytes) {
  TempDir dir;
  // 2.5 MiB of varied bytes: two whole 1 MiB reads and a partial one.
  std::string bytes(5 * 512 * 1024 + 17, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  actbench_test::write_text(dir / "big.bin", bytes);
  EXPECT_EQ(actbench::sha256_file(dir / "big.bin"), actbench::sha256_hex(bytes));

  actbench_test::write_text(dir / "empty", "");
  EXPECT_EQ(actbench::sha256_file(dir / "empty"), actbench::sha256_hex(""));
}

TEST(Sha256, UnreadableFileIsAnInputErrorNamingThePath) {
  TempDir dir;
  const std::string missing = (dir / "missing.idx").string();
  std::string msg = input_error_message([&] { actbench::sha256_file(missing); });
  EXPECT_THAT(msg, HasSubstr(missing + ": cannot be read"));
  EXPECT_THAT(msg, HasSubstr("No such file"));

  msg = input_error_message([&] { actbench::sha256_file(dir.path()); });
  EXPECT_THAT(msg, HasSubstr(dir.path().string() + ": cannot be read"));
  EXPECT_THAT(msg, HasSubstr("directory"));
}

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
  EXPECT_EQ(keys_of(blas), (std::set<std::string>{"library", "config", "core", "mkl"}));
  for (const char* key : {"library", "config", "core", "mkl"}) expect_text(blas, key, true);
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
