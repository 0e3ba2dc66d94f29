#include "skylane/maps/map_render.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "bitmap_font.hpp"
#include "gdal_internal.hpp"

#include "skylane/core/try.hpp"

namespace skylane::maps {
namespace {

namespace cf = airspace::column_flag;
using airspace::kZoneKindCount;
using airspace::ZoneKind;

struct Rgb {
  double r = 0, g = 0, b = 0;
};

Rgb mix(Rgb a, Rgb b, double t) {
  return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

class Canvas {
 public:
  Canvas(int w, int h) : w_(w), h_(h), px_(static_cast<std::size_t>(w) * h, Rgb{255, 255, 255}) {}
  int width() const { return w_; }
  int height() const { return h_; }
  Rgb& at(int x, int y) { return px_[static_cast<std::size_t>(y) * w_ + x]; }
  void set(int x, int y, Rgb c) {
    if (x >= 0 && y >= 0 && x < w_ && y < h_) at(x, y) = c;
  }
  void fill_rect(int x0, int y0, int w, int h, Rgb c) {
    for (int y = y0; y < y0 + h; ++y) {
      for (int x = x0; x < x0 + w; ++x) set(x, y, c);
    }
  }
  void disc(int cx, int cy, int r, Rgb fill, Rgb outline) {
    for (int y = -r - 1; y <= r + 1; ++y) {
      for (int x = -r - 1; x <= r + 1; ++x) {
        const int d2 = x * x + y * y;
        if (d2 <= r * r) {
          set(cx + x, cy + y, fill);
        } else if (d2 <= (r + 1) * (r + 1)) {
          set(cx + x, cy + y, outline);
        }
      }
    }
  }
  /// Text with a 1-pixel halo so it reads on any background. Returns the width drawn.
  int text(int x, int y, std::string_view s, int scale, Rgb ink, bool halo = true) {
    const int advance = 6 * scale;
    for (int pass = halo ? 0 : 1; pass < 2; ++pass) {
      int cx = x;
      for (char ch : s) {
        if (const Glyph* g = find_glyph(ch)) {
          for (int r = 0; r < 7; ++r) {
            for (int c = 0; c < 5; ++c) {
              if (g->rows[r][c] != '#') continue;
              for (int dy = 0; dy < scale; ++dy) {
                for (int dx = 0; dx < scale; ++dx) {
                  const int px = cx + c * scale + dx;
                  const int py = y + r * scale + dy;
                  if (pass == 0) {
                    for (int hy = -1; hy <= 1; ++hy) {
                      for (int hx = -1; hx <= 1; ++hx) set(px + hx, py + hy, {255, 255, 255});
                    }
                  } else {
                    set(px, py, ink);
                  }
                }
              }
            }
          }
        }
        cx += advance;
      }
    }
    return static_cast<int>(s.size()) * advance;
  }

  Result<void> save_png(const std::string& path) const {
    GdalDataset mem(GDALCreate(GDALGetDriverByName("MEM"), "", w_, h_, 3, GDT_Byte, nullptr));
    if (!mem) return fail("INTERNAL", "cannot create an in-memory image: " + last_gdal_error());
    std::vector<std::uint8_t> band(px_.size());
    for (int b = 0; b < 3; ++b) {
      for (std::size_t i = 0; i < px_.size(); ++i) {
        const double v = b == 0 ? px_[i].r : b == 1 ? px_[i].g : px_[i].b;
        band[i] = static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
      }
      if (GDALRasterIO(GDALGetRasterBand(mem.get(), b + 1), GF_Write, 0, 0, w_, h_, band.data(), w_,
                       h_, GDT_Byte, 0, 0) != CE_None) {
        return fail("INTERNAL", "writing an image band failed: " + last_gdal_error());
      }
    }
    GdalDataset png(GDALCreateCopy(GDALGetDriverByName("PNG"), path.c_str(), mem.get(), FALSE,
                                   nullptr, nullptr, nullptr));
    if (!png) return fail("IO_ERROR", "cannot write " + path + ": " + last_gdal_error());
    return {};
  }

 private:
  int w_;
  int h_;
  std::vector<Rgb> px_;
};

Rgb zone_colour(int kind) {
  switch (static_cast<ZoneKind>(kind)) {
    case ZoneKind::kProhibited:
      return {200, 30, 30};
    case ZoneKind::kRestricted:
      return {240, 130, 0};
    case ZoneKind::kAirportProtection:
      return {120, 60, 180};
    case ZoneKind::kBorderBand:
      return {230, 0, 110};
    case ZoneKind::kTemporary:
      return {220, 200, 0};
  }
  return {0, 0, 0};
}

double zone_alpha(int kind) {
  switch (static_cast<ZoneKind>(kind)) {
    case ZoneKind::kAirportProtection:
      return 0.22;
    case ZoneKind::kProhibited:
      return 0.30;
    case ZoneKind::kBorderBand:
      return 0.65;
    default:
      return 0.45;
  }
}

Rgb hypsometric(double h) {
  struct Stop {
    double h;
    Rgb c;
  };
  static constexpr std::array<Stop, 6> kStops = {{{0, {168, 198, 140}},
                                                  {80, {186, 208, 150}},
                                                  {250, {214, 200, 150}},
                                                  {500, {190, 160, 120}},
                                                  {800, {160, 130, 105}},
                                                  {1200, {235, 235, 235}}}};
  if (h <= kStops.front().h) return kStops.front().c;
  for (std::size_t i = 1; i < kStops.size(); ++i) {
    if (h <= kStops[i].h) {
      return mix(kStops[i - 1].c, kStops[i].c,
                 (h - kStops[i - 1].h) / (kStops[i].h - kStops[i - 1].h));
    }
  }
  return kStops.back().c;
}

}  // namespace

Result<void> render_map(const airspace::Airspace& a, const RenderOptions& o) {
  ensure_gdal_registered();
  QuietGdalErrors quiet;
  if (o.out.size() < 4 || o.out.substr(o.out.size() - 4) != ".png") {
    return fail("USAGE", "--out " + o.out + ": the overview is written as a .png");
  }
  if (o.max_size_px < 200 || o.max_size_px > 8000) {
    return fail("USAGE", "--size must be within 200..8000 pixels");
  }
  const airspace::AirspaceInfo& info = a.info();
  const int k = std::max(1, static_cast<int>(std::ceil(std::max(info.nx, info.ny) /
                                                       static_cast<double>(o.max_size_px))));
  const int w = (info.nx + k - 1) / k;
  const int h = (info.ny + k - 1) / k;
  const int legend_w = 300;
  Canvas canvas(w + legend_w, std::max(h, 560));

  // Per picture pixel: ground at the centre column, flags, and the union of zone kinds and
  // structures over the whole block (so thin bands and single buildings stay visible).
  std::vector<double> ground(static_cast<std::size_t>(w) * h);
  std::vector<std::uint8_t> flags(ground.size());
  std::vector<std::uint8_t> kinds(ground.size(), 0);
  std::vector<std::uint8_t> structure(ground.size(), 0);
  std::vector<std::uint8_t> set_kinds(a.zone_sets().size(), 0);
  for (std::size_t s = 0; s < a.zone_sets().size(); ++s) {
    for (std::uint16_t id : a.zone_sets()[s]) {
      set_kinds[s] |= static_cast<std::uint8_t>(1u << static_cast<int>(a.zone(id).kind));
    }
  }
  for (std::int32_t y = 0; y < info.ny; ++y) {
    const int py = (info.ny - 1 - y) / k;
    for (std::int32_t x = 0; x < info.nx; ++x) {
      const std::size_t c = a.column(x, y);
      const std::size_t p = static_cast<std::size_t>(py) * w + x / k;
      kinds[p] |= set_kinds[a.zone_set(c)];
      if (a.flags(c) & cf::kStructure) structure[p] = 1;
    }
  }
  for (int py = 0; py < h; ++py) {
    for (int px = 0; px < w; ++px) {
      const int x = std::min(info.nx - 1, px * k + k / 2);
      const int y = info.ny - 1 - std::min(info.ny - 1, py * k + k / 2);
      const std::size_t c = a.column(x, y);
      const std::size_t p = static_cast<std::size_t>(py) * w + px;
      ground[p] = a.ground_amsl_m(c);
      flags[p] = a.flags(c);
    }
  }
  // Hillshade, sun from the north-west at 45 degrees.
  const double spacing = k * info.cell_xy_m;
  constexpr double kPi = std::numbers::pi;
  const double zenith = 45.0 * kPi / 180.0;
  const double azimuth = 315.0 * kPi / 180.0;
  auto g_at = [&](int px, int py) {
    px = std::clamp(px, 0, w - 1);
    py = std::clamp(py, 0, h - 1);
    return ground[static_cast<std::size_t>(py) * w + px];
  };
  for (int py = 0; py < h; ++py) {
    for (int px = 0; px < w; ++px) {
      const std::size_t p = static_cast<std::size_t>(py) * w + px;
      Rgb c;
      if (flags[p] & cf::kWater) {
        c = {166, 206, 227};
      } else {
        const double dzdx = (g_at(px + 1, py) - g_at(px - 1, py)) / (2 * spacing);
        const double dzdy = (g_at(px, py - 1) - g_at(px, py + 1)) / (2 * spacing);  // north-up
        const double slope = std::atan(2.0 * std::hypot(dzdx, dzdy));  // exaggerated x2
        const double aspect = std::atan2(-dzdx, -dzdy);
        const double shade = std::cos(zenith) * std::cos(slope) +
                             std::sin(zenith) * std::sin(slope) * std::cos(azimuth - aspect);
        const Rgb base = hypsometric(ground[p]);
        const double f = 0.55 + 0.45 * std::clamp(shade, 0.0, 1.0);
        c = {base.r * f, base.g * f, base.b * f};
        if (flags[p] & cf::kUnknownTerrain) {
          c = mix(c, {200, 200, 200}, 0.55);
          if ((px + py) % 7 == 0) c = mix(c, {90, 90, 90}, 0.6);
        }
      }
      if (structure[p]) c = {70, 70, 70};
      for (int kind = 0; kind < kZoneKindCount; ++kind) {
        if (kinds[p] & (1u << kind)) c = mix(c, zone_colour(kind), zone_alpha(kind));
      }
      // Zone outlines: where a 4-neighbour lacks the kind.
      for (int kind = 0; kind < kZoneKindCount; ++kind) {
        const unsigned bit = 1u << kind;
        if (!(kinds[p] & bit)) continue;
        const bool edge =
            (px > 0 && !(kinds[p - 1] & bit)) || (px + 1 < w && !(kinds[p + 1] & bit)) ||
            (py > 0 && !(kinds[p - w] & bit)) || (py + 1 < h && !(kinds[p + w] & bit));
        if (edge) c = zone_colour(kind);
      }
      canvas.at(px, py) = c;
    }
  }

  auto to_px = [&](double x_m, double y_m, int& px, int& py) {
    px = static_cast<int>((x_m - info.origin_x_m) / info.cell_xy_m / k);
    py = static_cast<int>((info.origin_y_m + info.ny * info.cell_xy_m - y_m) / info.cell_xy_m / k);
    return px >= 0 && py >= 0 && px < w && py < h;
  };
  const Rgb black{0, 0, 0};
  const Rgb white{255, 255, 255};
  for (const auto& ap : a.airports()) {
    int px = 0;
    int py = 0;
    if (!to_px(ap.x_m, ap.y_m, px, py)) continue;
    const bool heliport = ap.type == "heliport";
    const int r = heliport ? 3 : 6;
    for (int d = -r; d <= r; ++d) {
      for (int t = -1; t <= 1; ++t) {
        canvas.set(px + d, py + t, black);
        canvas.set(px + t, py + d, black);
      }
    }
    if (!heliport) canvas.text(px + 9, py - 7, ap.ident, 2, black);
  }
  for (const auto& v : a.vertiports()) {
    int px = 0;
    int py = 0;
    if (!to_px(v.x_m, v.y_m, px, py)) continue;
    if (v.kind == "hub") {
      canvas.disc(px, py, 7, {220, 20, 20}, white);
    } else if (v.kind == "relay") {
      canvas.disc(px, py, 5, {255, 140, 0}, white);
    } else {
      canvas.disc(px, py, 3, {20, 90, 200}, white);
    }
    if (v.kind != "dock") {
      std::string label = v.name;
      if (const auto cut = label.find(" ("); cut != std::string::npos) label.resize(cut);
      canvas.text(px + 10, py - 4, label, v.kind == "hub" ? 2 : 1, black);
    }
  }

  // Legend.
  const int lx = w + 16;
  int ly = 16;
  canvas.fill_rect(w, 0, legend_w, canvas.height(), {250, 250, 250});
  canvas.fill_rect(w, 0, 2, canvas.height(), {120, 120, 120});
  canvas.text(lx, ly, info.name, 2, black, false);
  ly += 26;
  canvas.text(lx, ly,
              info.crs + " - " + std::to_string(static_cast<int>(info.cell_xy_m)) + " M CELLS", 1,
              {80, 80, 80}, false);
  ly += 24;
  auto entry = [&](Rgb swatch, const std::string& label, bool hatch = false) {
    canvas.fill_rect(lx, ly, 22, 14, swatch);
    if (hatch) {
      for (int i = 0; i < 22; i += 4) canvas.fill_rect(lx + i, ly, 1, 14, {90, 90, 90});
    }
    canvas.text(lx + 30, ly + 3, label, 1, black, false);
    ly += 22;
  };
  const Rgb land = hypsometric(80);
  entry(mix(land, zone_colour(2), 0.4), "AIRPORT PROTECTION");
  entry(mix(land, zone_colour(0), 0.4), "PROHIBITED (HONG KONG)");
  entry(mix(land, zone_colour(3), 0.7), "HK BORDER BAND 500 M");
  entry(mix(land, zone_colour(1), 0.5), "RESTRICTED (SENSITIVE SITE)");
  entry(mix(land, zone_colour(4), 0.5), "TEMPORARY");
  entry(mix(hypsometric(80), {200, 200, 200}, 0.55), "UNKNOWN TERRAIN (FALLBACK)", true);
  entry({166, 206, 227}, "WATER");
  entry({70, 70, 70}, "BUILDINGS");
  ly += 6;
  canvas.disc(lx + 11, ly + 7, 7, {220, 20, 20}, white);
  canvas.text(lx + 30, ly + 3, "HUB", 1, black, false);
  ly += 22;
  canvas.disc(lx + 11, ly + 7, 5, {255, 140, 0}, white);
  canvas.text(lx + 30, ly + 3, "RELAY / SWAP STATION", 1, black, false);
  ly += 22;
  canvas.disc(lx + 11, ly + 7, 3, {20, 90, 200}, white);
  canvas.text(lx + 30, ly + 3, "DOCK", 1, black, false);
  ly += 22;
  for (int d = -6; d <= 6; ++d) {
    for (int t = -1; t <= 1; ++t) {
      canvas.set(lx + 11 + d, ly + 7 + t, black);
      canvas.set(lx + 11 + t, ly + 7 + d, black);
    }
  }
  canvas.text(lx + 30, ly + 3, "AIRPORT / HELIPORT", 1, black, false);
  ly += 36;
  // Scale bar: 10 km.
  const int bar = static_cast<int>(std::lround(10000.0 / spacing));
  canvas.fill_rect(lx, ly, bar, 6, black);
  canvas.fill_rect(lx + bar / 2, ly + 1, bar / 2 - 1, 4, white);
  canvas.text(lx, ly + 12, "10 KM", 1, black, false);
  ly += 40;
  canvas.text(lx, ly, "N", 2, black, false);
  for (int i = 0; i < 12; ++i) canvas.fill_rect(lx + 5 - i / 2, ly + 18 + i, i + 1, 1, black);
  ly += 44;
  canvas.text(lx, ly, "TERRAIN: SRTM (NASA/NGA/USGS)", 1, {80, 80, 80}, false);
  ly += 14;
  canvas.text(lx, ly, "VECTORS: (C) OPENSTREETMAP", 1, {80, 80, 80}, false);
  ly += 14;
  canvas.text(lx, ly, "CONTRIBUTORS, OURAIRPORTS", 1, {80, 80, 80}, false);
  return canvas.save_png(o.out);
}

}  // namespace skylane::maps
