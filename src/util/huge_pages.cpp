#include "util/huge_pages.h"

#include <sys/mman.h>

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

}  // namespace actbench
