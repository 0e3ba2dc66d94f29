// A* (Hart, Nilsson & Raphael 1968) is a template over the Grid concept; see astar.hpp. This
// file compiles the dense VoxelGrid instance once for every user.
#include "skylane/search/astar.hpp"

namespace skylane::search {

template class AStar<VoxelGrid>;

}  // namespace skylane::search
