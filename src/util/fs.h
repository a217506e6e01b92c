// File-system helpers shared by every stage that writes results.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace actbench {

// Writes `content` to `path` atomically: a temporary file in the same directory, flushed to disk,
// then renamed over `path`. Readers see the old file or the new one, never a partial one.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

// The same, for content too large to hold twice: `produce` writes it in chunks with the writer
// it is given.
using ChunkWriter = std::function<void(const void*, size_t)>;
void write_file_atomic_stream(const std::filesystem::path& path,
                              const std::function<void(const ChunkWriter&)>& produce);

// What a path given by the user must be.
enum class PathKind { kFile, kDirectory };

// What a path is, for messages: "a file", "a directory", "a pipe", "a socket", "a device".
std::string kind_of(const std::filesystem::file_status& st);

// Throws InputError when something other than a regular file (or a link to one) is at `path`,
// where actbench keeps a file of its own: "PATH is a directory where <role>; remove it and rerun".
// Nothing there is fine. Called before work whose result would be written there.
void check_file_slot(const std::filesystem::path& path, const std::string& role);

// Throws InputError when `path` is not there as `kind`: `not_found` when nothing is there (a
// broken link included), otherwise a message that starts with `what` and the path and says what
// is there instead (a directory, a file, a device...) or why it cannot be looked at (permission).
void check_path(const std::filesystem::path& path, PathKind kind, const std::string& what,
                const std::string& not_found, const std::string& hint = "");

// Throws InputError unless `path` is absent or one of actbench's own JSON files whose "schema"
// starts with `schema_prefix` (e.g. "actbench.results/"): a file of another tool's (or a damaged
// one) is never overwritten or moved. `hint` ends the message.
void check_own_file(const std::filesystem::path& path, const std::string& schema_prefix,
                    const std::string& hint);

// The most actbench reads of one kind of file: a larger file is refused before it is read.
struct ReadLimit {
  uintmax_t max_bytes;
  const char* what;  // "a run file": ends "more than <what> of actbench's ever is"
};
// results.json, summary.json, plan.json and the other JSON documents of a sweep.
inline constexpr ReadLimit kSweepFileLimit{uintmax_t(1) << 30, "a sweep file"};
// One run: a store entry, a sweep's run file.
inline constexpr ReadLimit kRunFileLimit{uintmax_t(64) << 20, "a run file"};

// Reads a whole file, bounded: only a regular file (a link to one included) is read; a directory,
// a pipe, a socket or a device is refused without blocking, and so is a file larger than
// `limit.max_bytes` (also one that grows past it while it is read). Throws InputError naming the
// file and what is wrong.
std::string read_file(const std::filesystem::path& path, const ReadLimit& limit = kSweepFileLimit);

// The JSON document in `path`, read by read_file; nullopt when there is no such file (`why`
// empty) or when it cannot be read or parsed (`why` says what is wrong without naming the path,
// e.g. "not valid JSON (...)").
std::optional<nlohmann::json> read_json_file(const std::filesystem::path& path, std::string& why,
                                             const ReadLimit& limit = kSweepFileLimit);

// Removes the temporary files (".NAME.tmp.XXXXXX") that a writer killed in write_file_atomic left
// in `dir`: only those older than a minute, so a writer at work next door is never disturbed.
void remove_stale_temp_files_in(const std::filesystem::path& dir);

// Makes sure `dir` exists (creating it and its parents if needed), that files can be created in
// it and that `dir/<result_file>` (if not empty) is not in the way; errors end with `hint`. Returns
// the outermost directory this call created (empty when `dir` already existed). Throws InputError
// otherwise.
std::filesystem::path prepare_output_dir(const std::filesystem::path& dir,
                                         const std::string& result_file,
                                         const std::string& hint = "choose another with --out DIR");

// Removes `dir` and its parents up to and including `top` while they are empty; used to leave
// nothing behind when a run that created them fails. Does nothing when `top` is empty.
void remove_created_dirs(const std::filesystem::path& dir,
                         const std::filesystem::path& top) noexcept;

}  // namespace actbench
