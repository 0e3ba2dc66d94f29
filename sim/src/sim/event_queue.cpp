#include "skylane/sim/event_queue.hpp"

namespace skylane::sim {

// 4-ary heap: children of i are 4i+1 .. 4i+4. Sift with a hole (one copy per level).
std::uint64_t EventQueue::schedule(std::int64_t time_ms, std::uint32_t kind, std::uint32_t subject,
                                   std::uint64_t tag) {
  const Event e{time_ms, next_seq_++, kind, subject, tag};
  std::size_t i = heap_.size();
  heap_.push_back(e);
  while (i > 0) {
    const std::size_t parent = (i - 1) / 4;
    if (!before(e, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = e;
  return e.seq;
}

Event EventQueue::pop() {
  const Event result = heap_.front();
  const Event last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return result;
  std::size_t i = 0;
  for (;;) {
    const std::size_t first = 4 * i + 1;
    if (first >= n) break;
    std::size_t best = first;
    const std::size_t end = first + 4 < n ? first + 4 : n;
    for (std::size_t c = first + 1; c < end; ++c) {
      if (before(heap_[c], heap_[best])) best = c;
    }
    if (!before(heap_[best], last)) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = last;
  return result;
}

}  // namespace skylane::sim
