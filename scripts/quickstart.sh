#!/usr/bin/env bash
# README quick start (1): install what is missing, build, and run the main job on the embedded
# default: compile the Shenzhen–Boluo airspace map from its GIS sources and print its summary.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
out=build/release/shenzhen-boluo.skya
./build/release/bin/skylane map build --manifest maps/shenzhen-boluo/manifest.toml --out "$out"
./build/release/bin/skylane map info "$out"
echo "map written to $out (render it with: ./build/release/bin/skylane map render $out --out overview.png)"
