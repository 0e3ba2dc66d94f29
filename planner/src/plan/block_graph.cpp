#include "skylane/plan/block_graph.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <queue>
#include <utility>

#include "skylane/plan/column_route.hpp"
#include "skylane/search/sipp.hpp"

namespace skylane::plan {
namespace {

constexpr std::array<std::int32_t, 8> kDx = {-1, 0, 1, -1, 1, -1, 0, 1};
constexpr std::array<std::int32_t, 8> kDy = {-1, -1, -1, 0, 0, 1, 1, 1};

struct ViewBands {
  const airspace::VehicleView* view;
  [[nodiscard]] std::int32_t size_x() const { return view->size_x(); }
  [[nodiscard]] std::int32_t size_y() const { return view->size_y(); }
  [[nodiscard]] LayerBand band(std::int32_t x, std::int32_t y) const {
    if (x < 0 || y < 0 || x >= view->size_x() || y >= view->size_y()) return {};
    const std::size_t c = static_cast<std::size_t>(y) * static_cast<std::size_t>(view->size_x()) +
                          static_cast<std::size_t>(x);
    return LayerBand{view->band_lo(c), view->band_hi(c)};
  }
};

}  // namespace

BlockGraph BlockGraph::build(const airspace::VehicleView& view) {
  BlockGraph g;
  g.view_ = &view;
  const ViewBands bands{&view};
  const std::int32_t nx = view.size_x();
  const std::int32_t ny = view.size_y();
  g.nbx_ = (nx + kBlock - 1) / kBlock;
  g.nby_ = (ny + kBlock - 1) / kBlock;
  const auto blocks = static_cast<std::size_t>(g.nbx_) * static_cast<std::size_t>(g.nby_);
  auto block_index = [&](std::int32_t bx, std::int32_t by) {
    return static_cast<std::size_t>(by) * static_cast<std::size_t>(g.nbx_) +
           static_cast<std::size_t>(bx);
  };
  g.first_node_.assign(blocks + 1, 0);
  g.labels_at_.assign(blocks, -1);

  // Most blocks are uniform: every column free and one layer shared by all, so every step inside
  // is legal and the block is one component. `common` holds that shared band (empty if not).
  std::vector<LayerBand> common(blocks, LayerBand{0, 1 << 20});
  std::vector<std::uint8_t> any_free(blocks, 0);
  for (std::int32_t y = 0; y < ny; ++y) {
    for (std::int32_t x = 0; x < nx; ++x) {
      const LayerBand b = bands.band(x, y);
      LayerBand& c = common[block_index(x / kBlock, y / kBlock)];
      if (b.empty()) {
        c = LayerBand{};
      } else {
        any_free[block_index(x / kBlock, y / kBlock)] = 1;
        c = LayerBand{std::max(c.lo, b.lo), std::min(c.hi, b.hi)};
      }
    }
  }
  // Blocks cut by the map's east or north edge have fewer columns: the loop above saw only
  // those, which is what "uniform" means for them too.

  // Components of the other blocks: flood fill over the block's columns.
  std::array<std::uint8_t, kBlock * kBlock> label{};
  std::array<std::int32_t, kBlock * kBlock> stack{};
  for (std::int32_t by = 0; by < g.nby_; ++by) {
    for (std::int32_t bx = 0; bx < g.nbx_; ++bx) {
      const std::size_t b = block_index(bx, by);
      g.first_node_[b] = static_cast<std::uint32_t>(g.node_block_.size());
      if (any_free[b] == 0) continue;
      if (!common[b].empty()) {
        g.node_block_.push_back(static_cast<std::uint32_t>(b));
        continue;
      }
      label.fill(0);
      std::uint8_t count = 0;
      const std::int32_t x0 = bx * kBlock;
      const std::int32_t y0 = by * kBlock;
      for (std::int32_t i = 0; i < kBlock * kBlock; ++i) {
        if (label[static_cast<std::size_t>(i)] != 0) continue;
        if (bands.band(x0 + i % kBlock, y0 + i / kBlock).empty()) continue;
        ++count;
        label[static_cast<std::size_t>(i)] = count;
        std::size_t top = 0;
        stack[top++] = i;
        while (top > 0) {
          const std::int32_t c = stack[--top];
          const std::int32_t cx = x0 + c % kBlock;
          const std::int32_t cy = y0 + c / kBlock;
          const LayerBand here = bands.band(cx, cy);
          for (std::size_t d = 0; d < 8; ++d) {
            const std::int32_t lx = c % kBlock + kDx[d];
            const std::int32_t ly = c / kBlock + kDy[d];
            if (lx < 0 || ly < 0 || lx >= kBlock || ly >= kBlock) continue;
            const std::int32_t j = ly * kBlock + lx;
            if (label[static_cast<std::size_t>(j)] != 0) continue;
            if (!column_step_ok(bands, here, cx, cy, kDx[d], kDy[d])) continue;
            label[static_cast<std::size_t>(j)] = count;
            stack[top++] = j;
          }
        }
      }
      for (std::uint8_t k = 0; k < count; ++k) {
        g.node_block_.push_back(static_cast<std::uint32_t>(b));
      }
      if (count > 1) {
        g.labels_at_[b] = static_cast<std::int32_t>(g.labels_.size());
        g.labels_.insert(g.labels_.end(), label.begin(), label.end());
      }
    }
  }
  g.first_node_[blocks] = static_cast<std::uint32_t>(g.node_block_.size());

  // Edges between each block and its 8 neighbours: one edge when both are uniform with
  // overlapping shared bands (every step between them is then legal), else every legal step
  // from the facing border columns.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  for (std::int32_t by = 0; by < g.nby_; ++by) {
    for (std::int32_t bx = 0; bx < g.nbx_; ++bx) {
      const std::size_t a = block_index(bx, by);
      if (any_free[a] == 0) continue;
      for (std::size_t d = 0; d < 8; ++d) {
        const std::int32_t tbx = bx + kDx[d];
        const std::int32_t tby = by + kDy[d];
        if (tbx < 0 || tby < 0 || tbx >= g.nbx_ || tby >= g.nby_) continue;
        const std::size_t t = block_index(tbx, tby);
        if (any_free[t] == 0) continue;
        const LayerBand ca = common[a];
        const LayerBand ct = common[t];
        if (!ca.empty() && !ct.empty() && std::max(ca.lo, ct.lo) < std::min(ca.hi, ct.hi)) {
          pairs.emplace_back(g.first_node_[a], g.first_node_[t]);
          continue;
        }
        // Facing columns of block a: the side (axis direction) or the corner (diagonal).
        const std::int32_t xs = kDx[d] < 0   ? bx * kBlock
                                : kDx[d] > 0 ? bx * kBlock + kBlock - 1
                                             : bx * kBlock;
        const std::int32_t xe = kDx[d] == 0 ? bx * kBlock + kBlock - 1 : xs;
        const std::int32_t ys = kDy[d] < 0   ? by * kBlock
                                : kDy[d] > 0 ? by * kBlock + kBlock - 1
                                             : by * kBlock;
        const std::int32_t ye = kDy[d] == 0 ? by * kBlock + kBlock - 1 : ys;
        for (std::int32_t y = ys; y <= std::min(ye, ny - 1); ++y) {
          for (std::int32_t x = xs; x <= std::min(xe, nx - 1); ++x) {
            const LayerBand here = bands.band(x, y);
            if (here.empty()) continue;
            for (std::size_t s = 0; s < 8; ++s) {
              const std::int32_t tx = x + kDx[s];
              const std::int32_t ty = y + kDy[s];
              if (tx < 0 || ty < 0 || tx / kBlock != tbx || ty / kBlock != tby) continue;
              if (!column_step_ok(bands, here, x, y, kDx[s], kDy[s])) continue;
              const std::int32_t to = g.node_of(tx, ty);
              if (to >= 0) {
                pairs.emplace_back(static_cast<std::uint32_t>(g.node_of(x, y)),
                                   static_cast<std::uint32_t>(to));
              }
            }
          }
        }
      }
    }
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  g.edge_first_.assign(g.node_block_.size() + 1, 0);
  for (const auto& [a, b] : pairs) ++g.edge_first_[a + 1];
  for (std::size_t i = 1; i < g.edge_first_.size(); ++i) g.edge_first_[i] += g.edge_first_[i - 1];
  g.edges_.resize(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) g.edges_[i] = pairs[i].second;  // sorted by a
  return g;
}

std::int32_t BlockGraph::node_of(std::int32_t x, std::int32_t y) const {
  if (x < 0 || y < 0 || x >= view_->size_x() || y >= view_->size_y()) return -1;
  const std::size_t c = static_cast<std::size_t>(y) * static_cast<std::size_t>(view_->size_x()) +
                        static_cast<std::size_t>(x);
  if (view_->band_lo(c) >= view_->band_hi(c)) return -1;
  const std::size_t b = static_cast<std::size_t>(y / kBlock) * static_cast<std::size_t>(nbx_) +
                        static_cast<std::size_t>(x / kBlock);
  const std::int32_t at = labels_at_[b];
  const std::uint32_t k =
      at < 0 ? 0
             : labels_[static_cast<std::size_t>(at) +
                       static_cast<std::size_t>((y % kBlock) * kBlock + x % kBlock)] -
                   1u;
  return static_cast<std::int32_t>(first_node_[b] + k);
}

ColumnXY BlockGraph::block_of_node(std::int32_t node) const {
  const std::uint32_t b = node_block_[static_cast<std::size_t>(node)];
  return ColumnXY{static_cast<std::int32_t>(b % static_cast<std::uint32_t>(nbx_)),
                  static_cast<std::int32_t>(b / static_cast<std::uint32_t>(nbx_))};
}

std::size_t BlockGraph::memory_bytes() const {
  return first_node_.capacity() * 4 + labels_at_.capacity() * 4 + labels_.capacity() +
         node_block_.capacity() * 4 + edge_first_.capacity() * 4 + edges_.capacity() * 4;
}

BlockGraph::Route BlockGraph::find_route(const std::vector<std::int32_t>& sources,
                                         const std::vector<std::int32_t>& targets, double weight,
                                         const search::StopCondition& stop) const {
  Route out;
  const auto started = search::Clock::now();
  auto finish = [&](search::Outcome o) {
    out.outcome = o;
    out.stats.elapsed_ms =
        std::chrono::duration<double, std::milli>(search::Clock::now() - started).count();
    return out;
  };
  if (sources.empty() || targets.empty()) return finish(search::Outcome::kNoRoute);
  // Block steps cost 1000 (axis) and 1414 (diagonal); the heuristic aims at the first target's
  // block (targets are the goal column's neighbours, all within one block of each other, so
  // the octile distance is admissible up to one block step: kept simple, the weight is > 1
  // anyway).
  constexpr std::int64_t kAxis = 1000;
  constexpr std::int64_t kDiag = 1414;
  const ColumnXY goal = block_of_node(targets.front());
  auto h = [&](ColumnXY b) {
    const std::int64_t ax = std::abs(goal.x - b.x);
    const std::int64_t ay = std::abs(goal.y - b.y);
    const std::int64_t lo = std::min(ax, ay);
    const std::int64_t hi = std::max(ax, ay);
    return std::max<std::int64_t>(0, (hi - lo) * kAxis + lo * kDiag - kDiag);
  };
  struct Node {
    std::int32_t node;
    std::int64_t g;
    std::uint32_t parent;
    bool closed;
  };
  struct Entry {
    std::int64_t f;
    std::int64_t g;
    std::uint32_t id;
    bool operator<(const Entry& o) const { return f != o.f ? f > o.f : g < o.g; }
  };
  constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  std::vector<Node> nodes;
  search::sipp_detail::NodeIndex index;
  std::priority_queue<Entry> open;
  auto relax = [&](std::int32_t node, std::int64_t g, std::uint32_t parent) {
    const auto hash = static_cast<std::uint32_t>(
        (static_cast<std::uint64_t>(node) * 0x9E3779B97F4A7C15ULL) >> 32);
    const auto [id, inserted] =
        index.find_or_insert(hash, static_cast<std::uint32_t>(nodes.size()),
                             [&](std::uint32_t other) { return nodes[other].node == node; });
    if (inserted) {
      nodes.push_back(Node{node, g, parent, false});
    } else {
      Node& n = nodes[id];
      if (n.closed || g >= n.g) return;
      n.g = g;
      n.parent = parent;
    }
    ++out.stats.generated;
    open.push(
        Entry{g + static_cast<std::int64_t>(weight * static_cast<double>(h(block_of_node(node)))),
              g, id});
  };
  for (const std::int32_t s : sources) relax(s, 0, kNone);
  std::uint32_t found = kNone;
  std::uint64_t polls = 0;
  while (!open.empty()) {
    const Entry e = open.top();
    open.pop();
    if (nodes[e.id].closed || e.g != nodes[e.id].g) continue;
    if ((polls++ & 255u) == 0) {
      if (stop.cancelled != nullptr && stop.cancelled->load(std::memory_order_relaxed)) {
        return finish(search::Outcome::kCancelled);
      }
      if (search::Clock::now() >= stop.deadline) return finish(search::Outcome::kBudgetExhausted);
    }
    ++out.stats.expansions;
    nodes[e.id].closed = true;
    const Node n = nodes[e.id];
    if (std::find(targets.begin(), targets.end(), n.node) != targets.end()) {
      found = e.id;
      break;
    }
    const ColumnXY here = block_of_node(n.node);
    for (std::uint32_t k = edge_first_[static_cast<std::size_t>(n.node)];
         k < edge_first_[static_cast<std::size_t>(n.node) + 1]; ++k) {
      const auto to = static_cast<std::int32_t>(edges_[k]);
      const ColumnXY there = block_of_node(to);
      relax(to, n.g + (here.x != there.x && here.y != there.y ? kDiag : kAxis), e.id);
    }
  }
  if (found == kNone) return finish(search::Outcome::kNoRoute);
  for (std::uint32_t id = found; id != kNone; id = nodes[id].parent) {
    out.blocks.push_back(block_of_node(nodes[id].node));
  }
  std::reverse(out.blocks.begin(), out.blocks.end());
  return finish(search::Outcome::kFound);
}

}  // namespace skylane::plan
