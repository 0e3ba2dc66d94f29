// The airspace file (.skya): a fixed little-endian header (magic, format version, sizes,
// fingerprint of inputs and options, checksum), a JSON metadata section (CRS WKT, grid,
// extents, zone table, zone sets, vertiports, airports, provenance) and the column arrays.
// A file is read with one read per section; a truncated, corrupt or mismatched file is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "skylane/airspace/airspace.hpp"
#include "skylane/core/error.hpp"

namespace skylane::airspace {

inline constexpr std::uint32_t kAirspaceFormatVersion = 1;

/// Writes the airspace atomically (temp file + rename). Errors: IO_ERROR.
[[nodiscard]] Result<void> write_airspace(const Airspace& airspace, const std::string& path);

/// Reads and verifies an airspace file. If expected_fingerprint is set, a file built from other
/// inputs is refused with GRID_FINGERPRINT_MISMATCH. Other errors: FILE_NOT_FOUND, IO_ERROR,
/// AIRSPACE_FILE_BAD_MAGIC, AIRSPACE_FILE_VERSION, AIRSPACE_FILE_TRUNCATED,
/// AIRSPACE_FILE_CORRUPT. Each message names the file.
[[nodiscard]] Result<Airspace> read_airspace(
    const std::string& path, std::optional<std::uint64_t> expected_fingerprint = std::nullopt);

/// Hex form of a fingerprint, as printed by `skylane map info`.
[[nodiscard]] std::string fingerprint_hex(std::uint64_t fingerprint);

}  // namespace skylane::airspace
