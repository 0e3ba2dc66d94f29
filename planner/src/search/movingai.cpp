#include "skylane/search/movingai.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

namespace skylane::search {
namespace {

constexpr std::size_t kMaxTokens = 10;  // more than any valid line has

/// Splits one line on spaces and tabs into at most kMaxTokens tokens; `count` may exceed
/// kMaxTokens (the line is then too long for any caller).
struct Tokens {
  std::array<std::string_view, kMaxTokens> token;
  std::size_t count = 0;
};

Tokens split(std::string_view line) {
  Tokens t;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == line.size()) break;
    const std::size_t begin = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (t.count < kMaxTokens) t.token[t.count] = line.substr(begin, i - begin);
    ++t.count;
  }
  return t;
}

/// Walks text line by line, counting lines from 1 and stripping a trailing CR.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  [[nodiscard]] std::size_t number() const { return number_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t number_ = 0;
};

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

std::string where(std::string_view source, std::size_t line) {
  return std::string(source) + ":" + std::to_string(line) + ": ";
}

tl::unexpected<Error> parse_error(std::string_view source, std::size_t line,
                                  const std::string& what) {
  return fail("MOVINGAI_PARSE_ERROR", where(source, line) + what);
}

bool parse_int(std::string_view token, std::int32_t& out) {
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, out);
  return ec == std::errc() && ptr == end;
}

bool parse_double(std::string_view token, double& out) {
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, out, std::chars_format::general);
  return ec == std::errc() && ptr == end && std::isfinite(out);
}

std::string quoted(std::string_view token) { return "'" + std::string(token) + "'"; }

Result<std::string> read_text(const std::filesystem::path& file) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (!std::filesystem::exists(status)) {
    return fail("FILE_NOT_FOUND", file.string() + " does not exist");
  }
  if (std::filesystem::is_directory(status)) {
    return fail("FILE_UNREADABLE", file.string() + " is a directory, not a file");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail("IO_ERROR", file.string() + " cannot be opened for reading");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return fail("IO_ERROR", "reading " + file.string() + " failed");
  return std::move(buffer).str();
}

}  // namespace

Result<VoxelGrid> parse_movingai_map(std::string_view text, std::string_view source) {
  LineReader lines(text);
  std::string_view line;
  if (!lines.next(line) || is_blank(line)) {
    return parse_error(source, 1, "expected header 'voxel X Y Z' or 'rev_voxel X Y Z'");
  }
  const Tokens header = split(line);
  const bool reversed = header.token[0] == "rev_voxel";
  if (header.token[0] != "voxel" && !reversed) {
    return parse_error(
        source, 1,
        "header word " + quoted(header.token[0]) + " is neither 'voxel' nor 'rev_voxel'");
  }
  if (header.count != 4) {
    return parse_error(source, 1,
                       "header needs 3 sizes (X Y Z), found " + std::to_string(header.count - 1));
  }
  std::array<std::int32_t, 3> size{};
  for (std::size_t i = 0; i < 3; ++i) {
    if (!parse_int(header.token[i + 1], size[i])) {
      return parse_error(source, 1, "size " + quoted(header.token[i + 1]) + " is not an integer");
    }
    if (size[i] <= 0) {
      return fail("MOVINGAI_OUT_OF_RANGE",
                  where(source, 1) + "size " + quoted(header.token[i + 1]) + " is not positive");
    }
  }
  auto grid = VoxelGrid::create(size[0], size[1], size[2], /*all_free=*/!reversed);
  if (!grid) {
    return fail("MOVINGAI_OUT_OF_RANGE", where(source, 1) + grid.error().message);
  }
  static constexpr std::array<char, 3> kAxis = {'x', 'y', 'z'};
  while (lines.next(line)) {
    if (is_blank(line)) continue;
    const Tokens t = split(line);
    if (t.count != 3) {
      return parse_error(source, lines.number(),
                         "expected 3 integers (x y z), found " + std::to_string(t.count) +
                             (t.count < 3 ? " (truncated line)" : " fields"));
    }
    std::array<std::int32_t, 3> c{};
    for (std::size_t i = 0; i < 3; ++i) {
      if (!parse_int(t.token[i], c[i])) {
        return parse_error(
            source, lines.number(),
            std::string(1, kAxis[i]) + " " + quoted(t.token[i]) + " is not an integer");
      }
      if (c[i] < 0 || c[i] >= size[i]) {
        return fail("MOVINGAI_OUT_OF_RANGE",
                    where(source, lines.number()) + std::string(1, kAxis[i]) + " = " +
                        std::to_string(c[i]) + " is outside [0, " + std::to_string(size[i]) + ")");
      }
    }
    grid->set_free(c[0], c[1], c[2], reversed);
  }
  return grid;
}

Result<VoxelGrid> read_movingai_map(const std::filesystem::path& file) {
  auto text = read_text(file);
  if (!text) return tl::unexpected(std::move(text).error());
  return parse_movingai_map(*text, file.string());
}

Result<MovingAiScenarioSet> parse_movingai_scenarios(std::string_view text,
                                                     std::string_view source) {
  MovingAiScenarioSet set;
  LineReader lines(text);
  std::string_view line;
  if (!lines.next(line)) return parse_error(source, 1, "empty file, expected 'version 1'");
  const Tokens header = split(line);
  if (header.count != 2 || header.token[0] != "version" ||
      !parse_int(header.token[1], set.version) || (set.version != 1 && set.version != 2)) {
    return parse_error(source, 1,
                       "expected 'version 1' (or 'version 2'), found '" + std::string(line) + "'");
  }
  if (!lines.next(line) || is_blank(line)) {
    return parse_error(source, 2, "expected the map file name");
  }
  const Tokens name = split(line);
  if (name.count != 1) {
    return parse_error(
        source, 2, "expected one map file name, found " + std::to_string(name.count) + " fields");
  }
  set.map_name = std::string(name.token[0]);
  while (lines.next(line)) {
    if (is_blank(line)) continue;
    const Tokens t = split(line);
    if (t.count < 8) {
      return parse_error(source, lines.number(),
                         "expected 8 fields (sx sy sz gx gy gz optimal_cost ratio), found " +
                             std::to_string(t.count) + " (truncated line)");
    }
    if (t.count > 9) {
      return parse_error(source, lines.number(),
                         "expected 8 or 9 fields, found " + std::to_string(t.count));
    }
    static constexpr std::array<const char*, 6> kField = {"sx", "sy", "sz", "gx", "gy", "gz"};
    std::array<std::int32_t, 6> c{};
    for (std::size_t i = 0; i < 6; ++i) {
      if (!parse_int(t.token[i], c[i])) {
        return parse_error(
            source, lines.number(),
            std::string(kField[i]) + " " + quoted(t.token[i]) + " is not an integer");
      }
      if (c[i] < 0) {
        return fail("MOVINGAI_OUT_OF_RANGE", where(source, lines.number()) + kField[i] + " = " +
                                                 std::to_string(c[i]) + " is negative");
      }
    }
    MovingAiScenario s;
    s.start = Voxel{c[0], c[1], c[2]};
    s.goal = Voxel{c[3], c[4], c[5]};
    s.line = lines.number();
    if (!parse_double(t.token[6], s.optimal_cost) || s.optimal_cost < 0.0) {
      return parse_error(source, lines.number(),
                         "optimal_cost " + quoted(t.token[6]) + " is not a non-negative number");
    }
    if (!parse_double(t.token[7], s.ratio)) {
      return parse_error(source, lines.number(),
                         "ratio " + quoted(t.token[7]) + " is not a number");
    }
    set.scenarios.push_back(s);
  }
  return set;
}

Result<MovingAiScenarioSet> read_movingai_scenarios(const std::filesystem::path& file) {
  auto text = read_text(file);
  if (!text) return tl::unexpected(std::move(text).error());
  return parse_movingai_scenarios(*text, file.string());
}

}  // namespace skylane::search
