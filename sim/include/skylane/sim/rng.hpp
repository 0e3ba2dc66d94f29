// Seeded random numbers with portable distributions: std::mt19937_64 is specified bit for bit by
// the standard, but std::*_distribution are not (libstdc++ and libc++ differ), so every
// distribution the simulator draws from is implemented here. Same seed, same draws, anywhere.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <span>

namespace skylane::sim {

/// SplitMix64 finaliser: derives independent seeds (e.g. scenario seed x replication index).
[[nodiscard]] inline std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = a + 0x9E3779B97F4A7C15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  /// Uniform in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  /// Uniform integer in [0, n) without modulo bias (n > 0).
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
    std::uint64_t x;
    do x = engine_();
    while (x >= limit);
    return x % n;
  }
  /// Exponential with the given rate (> 0), by inversion.
  double exponential(double rate) { return -std::log1p(-uniform01()) / rate; }
  /// Standard normal by Box-Muller (one value per call; the pair's second is discarded so
  /// the stream position depends only on the number of calls).
  double normal() {
    const double u1 = 1.0 - uniform01();  // (0, 1]
    const double u2 = uniform01();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  /// Index drawn with probability proportional to weights (>= 0, sum > 0).
  std::size_t discrete(std::span<const double> weights) {
    double total = 0.0;
    for (double w : weights) total += w;
    double u = uniform01() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (u < weights[i]) return i;
      u -= weights[i];
    }
    for (std::size_t i = weights.size(); i-- > 0;) {
      if (weights[i] > 0) return i;
    }
    return 0;
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace skylane::sim
