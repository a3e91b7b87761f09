#!/usr/bin/env bash
# Captures real nvidia-smi output for the GPU stage's parser fixtures.
# Run on a machine with an NVIDIA GPU; writes into ${OUT:-./gpu-capture}.
# The load is a short matrix-multiply loop through PyTorch when present, so that
# `nvidia-smi dmon` samples a busy GPU rather than an idle one.
set -u
out=${OUT:-./gpu-capture}
mkdir -p "$out"
{
  echo "date: $(date -u +%FT%TZ)"; uname -r
  nvidia-smi --version 2>&1
} > "$out/VERSIONS.txt"
nvidia-smi -L > "$out/nvidia-smi-L.txt" 2>&1; echo "rc=$?" >> "$out/rc.txt"
nvidia-smi -q > "$out/nvidia-smi-q.txt" 2>&1; echo "q rc=$?" >> "$out/rc.txt"
nvidia-smi -q -x > "$out/nvidia-smi-q.xml" 2>&1; echo "qx rc=$?" >> "$out/rc.txt"
q=index,name,uuid,serial,pci.bus_id,driver_version,vbios_version,memory.total,temperature.gpu,temperature.memory,power.draw,power.limit,utilization.gpu,clocks.sm,ecc.mode.current,ecc.errors.corrected.volatile.total,ecc.errors.uncorrected.volatile.total,ecc.errors.uncorrected.aggregate.total,retired_pages.pending,clocks_throttle_reasons.active
nvidia-smi --query-gpu=$q --format=csv > "$out/nvidia-smi-query.csv" 2>&1; echo "query rc=$?" >> "$out/rc.txt"
# Load for ~25 s while dmon samples once a second.
(timeout 40 nvidia-smi dmon -s pucvmet -d 1 -c 30 > "$out/nvidia-smi-dmon.txt" 2>&1; echo "dmon rc=$?" >> "$out/rc.txt") &
dm=$!
if command -v python3 >/dev/null; then
  timeout 60 python3 - > "$out/burn.txt" 2>&1 <<'PY'
import time, torch
d = torch.device("cuda")
a = torch.randn(8192, 8192, device=d, dtype=torch.bfloat16)
b = torch.randn(8192, 8192, device=d, dtype=torch.bfloat16)
t0 = time.time(); n = 0
while time.time() - t0 < 25:
    for _ in range(50): c = a @ b
    torch.cuda.synchronize(); n += 50
dt = time.time() - t0
print(f"matmuls={n} seconds={dt:.1f} tflops={n*2*8192**3/dt/1e12:.0f}")
PY
  echo "burn rc=$?" >> "$out/rc.txt"
fi
# A second query while still warm, to see non-idle temperature/power values.
nvidia-smi --query-gpu=$q --format=csv,noheader,nounits > "$out/nvidia-smi-query-noheader.csv" 2>&1
wait $dm
nvidia-smi -q -d ECC,TEMPERATURE,POWER,PAGE_RETIREMENT,ROW_REMAPPER > "$out/nvidia-smi-q-d.txt" 2>&1; echo "qd rc=$?" >> "$out/rc.txt"
ls -la "$out"
