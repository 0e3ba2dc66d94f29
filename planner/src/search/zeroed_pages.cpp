#include "skylane/search/zeroed_pages.hpp"

#include <cstring>

#include <sys/mman.h>

namespace skylane::search {

ZeroedPages::ZeroedPages(std::size_t bytes) {
  if (bytes == 0) return;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return;
#ifdef MADV_HUGEPAGE
  // Advisory only: with THP off the buffer still works on 4 KiB pages.
  (void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
  data_ = p;
  bytes_ = bytes;
}

ZeroedPages::~ZeroedPages() { release(); }

void ZeroedPages::release() {
  if (data_ != nullptr) munmap(data_, bytes_);
  data_ = nullptr;
  bytes_ = 0;
}

void ZeroedPages::zero() {
  if (data_ == nullptr) return;
  // Private anonymous pages read back as zero after MADV_DONTNEED.
  if (madvise(data_, bytes_, MADV_DONTNEED) != 0) std::memset(data_, 0, bytes_);
}

}  // namespace skylane::search
