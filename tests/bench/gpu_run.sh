#!/usr/bin/env bash
# The shipped model on a machine with a GPU, in one run: `glacier bench-model` per tile on every
# backend beside ONNX Runtime (CPU) on the same real Everest tiles, then a scene-sized
# `glacier predict` (7551 × 7351 px, 1 122 tiles) on wgpu and on flex, timed end to end, and the
# two masks compared with `glacier eval`.
#
# Usage: tests/bench/gpu_run.sh GLACIER SCENE_DIR EVEREST_DIR OUT_DIR
#   GLACIER      a release `glacier` binary (cargo build --release -p glacier-cli)
#   SCENE_DIR    scene-sized green/red/NIR bands (tests/bench/scene_sized.py makes them)
#   EVEREST_DIR  ../shared/data/everest_landsat7_rgi60_geoutils (or a copy)
#   OUT_DIR      where the log's files go
# Needs a Vulkan loader and the GPU's Vulkan driver; Python with onnxruntime and numpy for the
# ONNX Runtime row (skipped when missing).
set -uo pipefail
glacier=$1 scene=$2 everest=$3 out=$4
model=models/unet-scse-grn.glcm
mkdir -p "$out"
date -u
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null
echo "CPU: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"

echo "== bench-model: 256-px Everest tiles, median of 50 after a cold one"
"$glacier" bench-model --model "$model" \
    --band "red=$everest/LE71400412000304SGS00_RGB.tif:1" \
    --band "green=$everest/LE71400412000304SGS00_RGB.tif:2" \
    --band "nir=$everest/LE71400412000304SGS00_B4.tif" \
    --backend wgpu,flex,cpu --runs 50 --onnx-dir "$out/onnx"
if python3 -c "import onnxruntime, numpy, onnx" 2>/dev/null; then
    python3 tests/bench/onnx_runtime_timing.py "$out/onnx" 50
fi

for backend in wgpu flex; do
    echo "== predict, scene-sized, $backend"
    start=$(date +%s%N)
    "$glacier" predict --model "$model" "$scene"/*.tif --backend "$backend" \
        --out "$out/mask_$backend.tif"
    echo "predict $backend: $(( ($(date +%s%N) - start) / 1000000 )) ms wall"
done
echo "== the wgpu mask against the flex mask"
"$glacier" eval --pred "$out/mask_wgpu.tif" --truth "$out/mask_flex.tif"
