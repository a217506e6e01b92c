// SHA-256 (util/sha256.h) of bytes and of files, against the standard's test vectors; an
// unreadable file is an input error naming its path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "test_support.h"
#include "util/sha256.h"

namespace {

using actbench_test::input_error_message;
using actbench_test::TempDir;
using ::testing::HasSubstr;

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

}  // namespace
