// The GPU side of image/gpu/gpu-burn.c: the logistic map x <- 3.99 x (1 - x)
// per element, as one rounded multiply and one fused multiply-add, whose
// results the CPU knows exactly (see gpu-burn.c). Compiled to PTX by clang at
// image build time (image/build-gpu-layer.sh), without the CUDA toolkit: no
// CUDA headers, the thread index comes from NVVM builtins, and floating-point
// contraction is off so the operations stay exactly these.
extern "C" __attribute__((global)) void burn(float *out, unsigned n, int chain) {
  unsigned i = __nvvm_read_ptx_sreg_ctaid_x() * __nvvm_read_ptx_sreg_ntid_x() + __nvvm_read_ptx_sreg_tid_x();
  if (i >= n) return;
  // Must equal start_value() and R in gpu-burn.c.
  float x = __builtin_fmaf((float)(i & 0xffffu) * (1.0f / 65536.0f), 0.8f, 0.1f);
  for (int k = 0; k < chain; k++) {
    float t = 3.99f * x;
    x = __builtin_fmaf(-t, x, t);
  }
  out[i] = x;
}
