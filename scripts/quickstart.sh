#!/usr/bin/env bash
# README quick start (1): install what is missing, build, compile the embedded Shenzhen–Boluo
# airspace map from its GIS sources, and run the main job on it: the default Shenzhen–Boluo day
# through the dispatch core and 4D planner (skylane sim). Prints the day's summary (throughput,
# on-time rate, conflicts) and where the HTML report was written.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
B=build/release/bin
map=build/release/shenzhen-boluo.skya
$B/skylane map build --manifest maps/shenzhen-boluo/manifest.toml --out "$map"
$B/skylane map info "$map"
$B/skylane sim --scenario sim/scenarios/shenzhen-boluo.toml --set scenario.map="$map" \
  --out out/shenzhen-boluo-day
echo "report: out/shenzhen-boluo-day/report.html (open it in a browser; it works offline)"
