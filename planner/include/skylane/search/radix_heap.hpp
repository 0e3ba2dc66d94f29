// Monotone priority queue on 64-bit integer keys: every pushed key must be >= the last popped
// key, which holds for A* with a consistent heuristic (f never decreases along a search).
// Paper: R. K. Ahuja, K. Mehlhorn, J. B. Orlin, R. E. Tarjan, "Faster Algorithms for the
// Shortest Path Problem", Journal of the ACM 37(2), 1990 (the one-level radix heap).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace skylane::search {

/// Entries need a public `std::uint64_t f` (the key). Among entries with equal keys, pop
/// returns the most recently pushed first (LIFO), which in A* favours the deeper node.
/// push O(1); pop amortised O(64) over a query. Not thread-safe.
template <class Entry>
class RadixHeap {
 public:
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] std::size_t size() const { return size_; }

  /// Removes every entry and resets the monotone floor to 0; keeps the capacity.
  void clear() {
    for (auto& bucket : buckets_) bucket.clear();
    last_ = 0;
    size_ = 0;
  }

  /// Precondition: e.f >= the key of the last popped entry.
  void push(const Entry& e) {
    buckets_[bucket_of(e.f)].push_back(e);
    ++size_;
  }

  /// Precondition: !empty().
  Entry pop() {
    if (buckets_[0].empty()) refill();
    const Entry e = buckets_[0].back();
    buckets_[0].pop_back();
    --size_;
    return e;
  }

 private:
  // Bucket 0 holds keys equal to last_; bucket i >= 1 keys whose highest bit differing from
  // last_ is bit i - 1.
  [[nodiscard]] std::size_t bucket_of(std::uint64_t key) const {
    return key == last_ ? 0 : 64 - static_cast<std::size_t>(__builtin_clzll(key ^ last_));
  }

  void refill() {
    std::size_t i = 1;
    while (buckets_[i].empty()) ++i;
    std::vector<Entry>& from = buckets_[i];
    std::uint64_t min_key = from.front().f;
    for (const Entry& e : from) min_key = e.f < min_key ? e.f : min_key;
    last_ = min_key;
    // Every entry lands in a bucket below i, so `from` is not appended to while it is read.
    for (const Entry& e : from) buckets_[bucket_of(e.f)].push_back(e);
    from.clear();
  }

  std::array<std::vector<Entry>, 65> buckets_;
  std::uint64_t last_ = 0;
  std::size_t size_ = 0;
};

}  // namespace skylane::search
