// Large zero-filled buffers taken straight from the kernel: pages materialise on first touch
// (so an untouched part costs no memory) and are backed by transparent huge pages where the
// kernel allows, which cuts TLB misses for searches that hop across a big voxel array.
#pragma once

#include <cstddef>
#include <utility>

namespace skylane::search {

class ZeroedPages {
 public:
  ZeroedPages() = default;
  /// `bytes` zero bytes, or an empty buffer (data() == nullptr) if the kernel refuses.
  explicit ZeroedPages(std::size_t bytes);
  ~ZeroedPages();
  ZeroedPages(ZeroedPages&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
  ZeroedPages& operator=(ZeroedPages&& other) noexcept {
    if (this != &other) {
      release();
      data_ = std::exchange(other.data_, nullptr);
      bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
  }
  ZeroedPages(const ZeroedPages&) = delete;
  ZeroedPages& operator=(const ZeroedPages&) = delete;

  [[nodiscard]] void* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return bytes_; }

  /// Makes every byte zero again by handing the pages back to the kernel (O(pages touched)),
  /// far cheaper than writing zeros over memory that was never touched.
  void zero();

 private:
  void release();

  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace skylane::search
