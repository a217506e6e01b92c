#include "util/huge_pages.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace actbench {

torch::Tensor empty_huge(at::IntArrayRef sizes, torch::ScalarType dtype) {
  constexpr size_t kHuge = size_t(2) << 20;
  int64_t numel = 1;
  for (const int64_t s : sizes) numel *= s;
  const size_t bytes = size_t(numel) * c10::elementSize(dtype);
  if (bytes < 2 * kHuge) return torch::empty(sizes, dtype);
  // Room to start on a 2 MB boundary: only aligned 2 MB ranges can be huge pages.
  const size_t length = (bytes + kHuge - 1) / kHuge * kHuge + kHuge;
  void* base = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return torch::empty(sizes, dtype);
  const uintptr_t at = (reinterpret_cast<uintptr_t>(base) + kHuge - 1) / kHuge * kHuge;
  void* data = reinterpret_cast<void*>(at);
  ::madvise(data, length - (at - reinterpret_cast<uintptr_t>(base)), MADV_HUGEPAGE);  // a hint
  return torch::from_blob(
      data, sizes, [base, length](void*) { ::munmap(base, length); },
      torch::TensorOptions().dtype(dtype));
}

namespace {

// A mapped file cut shorter while in use (a copy written over it in place) turns reads of the
// lost pages into SIGBUS: one line saying so and exit 2 instead of "Bus error". Finished runs
// and checkpoints are files of their own, written atomically, so nothing is lost.
extern "C" void on_mapped_file_shrunk(int) {
  static const char kMessage[] =
      "actbench: a file mapped into memory was cut short while in use (SIGBUS: a data file, or a "
      "library replaced under the running program); finished runs and checkpoints are kept: "
      "restore the file (scripts/fetch_data.sh for the data) and run the command again\n";
  const ssize_t ignored = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  (void)ignored;
  ::_exit(2);
}

void report_shrunk_mappings() {
  struct sigaction action {};
  action.sa_handler = on_mapped_file_shrunk;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGBUS, &action, nullptr);
}

}  // namespace

torch::Tensor map_file_bytes(const std::string& path, int64_t offset, int64_t rows, int64_t cols) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  struct stat st {};
  const size_t end = size_t(offset + rows * cols);
  void* base = MAP_FAILED;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && size_t(st.st_size) >= end && end > 0) {
    // MAP_POPULATE: the pages are in the page cache (just checked and hashed); map them all now
    // rather than one fault at a time.
    base = ::mmap(nullptr, end, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  }
  ::close(fd);  // the mapping keeps the file
  if (base == MAP_FAILED) return {};
  static const bool reported = (report_shrunk_mappings(), true);
  (void)reported;
  return torch::from_blob(
      static_cast<uint8_t*>(base) + offset, {rows, cols},
      [base, end](void*) { ::munmap(base, end); }, torch::TensorOptions().dtype(torch::kByte));
}

}  // namespace actbench
