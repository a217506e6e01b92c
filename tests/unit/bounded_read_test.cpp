// The one bounded reader (util/fs.h: read_file, read_json_file) and the checks of the places where
// actbench keeps its own files (check_file_slot, the run store): only regular files are read, a
// pipe is refused without waiting for a writer, nothing larger than its kind of file is read, and
// what stands where a store entry belongs is named before any training.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>

#include "store/run_store.h"
#include "test_support.h"
#include "util/fs.h"

namespace {

namespace fs = std::filesystem;
using actbench_test::input_error_message;
using actbench_test::TempDir;
using actbench_test::write_text;
using ::testing::HasSubstr;

// A Unix socket bound at `path`; the descriptor stays open for the test's life.
int bind_socket(const fs::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  EXPECT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

TEST(BoundedRead, ReadsARegularFileAndALinkToOneWhole) {
  TempDir tmp;
  const std::string text = std::string(200000, 'x') + "end";  // more than one read() call
  write_text(tmp / "a.json", text);
  fs::create_symlink(tmp / "a.json", tmp / "link.json");
  EXPECT_EQ(actbench::read_file(tmp / "a.json"), text);
  EXPECT_EQ(actbench::read_file(tmp / "link.json"), text);
  write_text(tmp / "empty", "");
  EXPECT_EQ(actbench::read_file(tmp / "empty"), "");
}

TEST(BoundedRead, ADirectoryAPipeASocketOrADeviceIsRefusedWithoutWaiting) {
  TempDir tmp;
  fs::create_directory(tmp / "dir");
  ASSERT_EQ(::mkfifo((tmp / "pipe").c_str(), 0600), 0);
  const int sock = bind_socket(tmp / "sock");
  // A pipe with no writer: opening it for reading the usual way would wait for ever.
  EXPECT_EQ(input_error_message([&] { actbench::read_file(tmp / "pipe"); }),
            (tmp / "pipe").string() + ": is a pipe, not a file");
  EXPECT_EQ(input_error_message([&] { actbench::read_file(tmp / "dir"); }),
            (tmp / "dir").string() + ": is a directory, not a file");
  EXPECT_EQ(input_error_message([&] { actbench::read_file(tmp / "sock"); }),
            (tmp / "sock").string() + ": is a socket, not a file");
  EXPECT_EQ(input_error_message([&] { actbench::read_file("/dev/zero"); }),
            "/dev/zero: is a device, not a file");
  EXPECT_EQ(input_error_message([&] { actbench::read_file(tmp / "none"); }),
            (tmp / "none").string() + ": no such file");
  ::close(sock);
}

TEST(BoundedRead, AFileLargerThanItsKindIsRefusedBeforeItIsRead) {
  TempDir tmp;
  const actbench::ReadLimit limit{1000, "a test file"};
  write_text(tmp / "fits", std::string(1000, 'a'));
  EXPECT_EQ(actbench::read_file(tmp / "fits", limit).size(), 1000u);
  write_text(tmp / "over", std::string(1001, 'a'));
  EXPECT_EQ(input_error_message([&] { actbench::read_file(tmp / "over", limit); }),
            (tmp / "over").string() +
                ": 1001 bytes, more than a test file of actbench's ever is (at most 1000 bytes); "
                "it is not read");
  // A sparse file far larger than memory would allow to read: refused from its size alone.
  { std::ofstream(tmp / "huge").put('x'); }
  fs::resize_file(tmp / "huge", uintmax_t(3) << 30);
  EXPECT_THAT(input_error_message([&] { actbench::read_file(tmp / "huge"); }),
              HasSubstr("3072.0 MiB, more than a sweep file of actbench's ever is (at most "
                        "1024.0 MiB)"));
  EXPECT_THAT(
      input_error_message([&] { actbench::read_file(tmp / "huge", actbench::kRunFileLimit); }),
      HasSubstr("more than a run file of actbench's ever is (at most 64.0 MiB)"));
}

TEST(BoundedRead, ReadJsonFileSaysWhatIsWrongWithoutThePath) {
  TempDir tmp;
  std::string why;
  EXPECT_FALSE(actbench::read_json_file(tmp / "absent.json", why));
  EXPECT_EQ(why, "");
  ASSERT_EQ(::mkfifo((tmp / "pipe.json").c_str(), 0600), 0);
  EXPECT_FALSE(actbench::read_json_file(tmp / "pipe.json", why));
  EXPECT_EQ(why, "is a pipe, not a file");
  write_text(tmp / "big.json", "[" + std::string(100, ' ') + "]");
  EXPECT_FALSE(actbench::read_json_file(tmp / "big.json", why, {64, "a tiny file"}));
  EXPECT_EQ(why,
            "102 bytes, more than a tiny file of actbench's ever is (at most 64 bytes); it "
            "is not read");
  write_text(tmp / "bad.json", "{");
  EXPECT_FALSE(actbench::read_json_file(tmp / "bad.json", why));
  EXPECT_THAT(why, HasSubstr("not valid JSON"));
  write_text(tmp / "good.json", R"({"a": 1})");
  EXPECT_EQ(actbench::read_json_file(tmp / "good.json", why)->at("a"), 1);
}

TEST(BoundedRead, WhatStandsWhereTheStoreKeepsARunIsNamedBeforeAnyTraining) {
  TempDir tmp;
  const actbench::RunStore store(tmp / "store");
  actbench::StoreKey key;
  key.settings = {{"train", {{"seed", 0}}}};
  key.actbench_version = "0.1.0";
  const fs::path entry = store.entry_path("ReLU", key);
  fs::create_directories(entry.parent_path());
  std::string why;
  EXPECT_FALSE(store.find("ReLU", key, why));  // nothing there: not stored, no complaint
  EXPECT_EQ(why, "");
  fs::create_directory(entry);
  EXPECT_EQ(input_error_message([&] { store.find("ReLU", key, why); }),
            entry.string() +
                " is a directory where the run store keeps a run; remove it and "
                "rerun");
  fs::remove(entry);
  ASSERT_EQ(::mkfifo(entry.c_str(), 0600), 0);
  EXPECT_EQ(input_error_message([&] { store.find("ReLU", key, why); }),
            entry.string() + " is a pipe where the run store keeps a run; remove it and rerun");
  fs::remove(entry);
  // An entry too large for one run is not read: reported, so the run is trained again.
  write_text(entry, "{}");
  fs::resize_file(entry, (uintmax_t(64) << 20) + 1);
  EXPECT_FALSE(store.find("ReLU", key, why));
  EXPECT_THAT(why, HasSubstr("more than a run file of actbench's ever is"));
}

TEST(BoundedRead, CheckFileSlotAcceptsNothingOrAFileAndNamesAnythingElse) {
  TempDir tmp;
  EXPECT_NO_THROW(actbench::check_file_slot(tmp / "absent", "a thing belongs"));
  write_text(tmp / "file", "x");
  EXPECT_NO_THROW(actbench::check_file_slot(tmp / "file", "a thing belongs"));
  fs::create_directory(tmp / "dir");
  EXPECT_EQ(input_error_message([&] { actbench::check_file_slot(tmp / "dir", "a thing belongs"); }),
            (tmp / "dir").string() + " is a directory where a thing belongs; remove it and rerun");
}

}  // namespace
