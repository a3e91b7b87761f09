/*
 * vetting gpu-burn: loads every NVIDIA GPU for a given time with a kernel
 * whose results are known exactly, and fails a GPU that computes a wrong
 * number, not only one that crashes. Installed in the gpu image flavour as
 * /usr/local/bin/gpu-burn, which the agent's GPU stage runs as
 * `gpu-burn SECONDS` (exit 0: every GPU right; 1: a GPU computed wrong
 * results; 2: no usable GPU or driver; 64: bad arguments).
 *
 * The kernel (burn-kernel.cu, compiled to PTX by clang at image build time and
 * embedded here as BURN_PTX) iterates the logistic map x <- 3.99 x (1 - x) on
 * every element, as one rounded multiply and one fused multiply-add, whose
 * results IEEE 754 fixes exactly. The map is chaotic: a single wrong bit
 * anywhere in the chain grows into a completely different value within a few
 * dozen steps, so it cannot heal before the end. The elements repeat every
 * 65536 (same start, so the same result, computed by other threads on other
 * multiprocessors), so each pass checks itself: every copy must equal the
 * first, the first copy must equal the first pass's, and on the first pass a
 * sample must equal the CPU's own computation of the same chain (fmaf). The
 * values stay within [0.0099, 0.9975], so flush-to-zero cannot make a correct
 * GPU differ.
 *
 * No CUDA toolkit is needed: the driver API comes from libcuda.so.1 (opened at
 * run time) and the driver's JIT compiles the PTX for whatever GPU is present.
 * `gpu-burn --selftest` checks the checking on a machine without a GPU: the
 * CPU fills the buffer as the kernel would (shorter chains), and planted wrong
 * values must be caught.
 */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef BURN_PTX
#define BURN_PTX ""
#endif

#define ELEMENTS (1u << 22) /* 4 Mi floats per pass (16 MiB): 64 copies of 65536 starts */
#define PERIOD (1u << 16)
#define CHAIN 65536 /* map steps per element per pass */
#define SAMPLES 64  /* first-pass elements checked against the CPU */
#define THREADS 256

/* Must equal burn-kernel.cu: the start value of element i, and one step of the map. */
static float start_value(uint32_t i) { return fmaf((float)(i & (PERIOD - 1)) * (1.0f / 65536.0f), 0.8f, 0.1f); }
static const float R = 3.99f;
static float chain_of(uint32_t i, int chain) {
  float x = start_value(i);
  for (int k = 0; k < chain; k++) {
    float t = R * x;
    x = fmaf(-t, x, t);
  }
  return x;
}

static int same(float a, float b) { return memcmp(&a, &b, 4) == 0; }

/*
 * Wrong results in one pass: copies that differ from the first copy, first-copy
 * elements that differ from the previous pass (prev, may be NULL), and sampled
 * elements that differ from the CPU (ref: SAMPLES values at i * (PERIOD / SAMPLES), may be NULL).
 * *first: the first wrong element, or -1.
 */
static uint64_t check_pass(const float *got, uint32_t n, const float *prev, const float *ref, int64_t *first) {
  uint64_t bad = 0;
  *first = -1;
#define WRONG(i) do { if (bad++ == 0) *first = (int64_t)(i); } while (0)
  for (uint32_t i = 0; i < PERIOD && i < n; i++) {
    if (prev && !same(got[i], prev[i])) WRONG(i);
  }
  for (uint32_t i = PERIOD; i < n; i++) {
    if (!same(got[i], got[i & (PERIOD - 1)])) WRONG(i);
  }
  if (ref) {
    for (uint32_t s = 0; s < SAMPLES; s++) {
      uint32_t i = s * (PERIOD / SAMPLES);
      if (i < n && !same(got[i], ref[s])) WRONG(i);
    }
  }
#undef WRONG
  return bad;
}

static void cpu_reference(float *ref, int chain) {
  for (uint32_t s = 0; s < SAMPLES; s++) ref[s] = chain_of(s * (PERIOD / SAMPLES), chain);
}

static int selftest(void) {
  /* Two copies of every start, with short chains: the checks do not depend on the chain's length. */
  const uint32_t n = 2 * PERIOD;
  const int chain = 256;
  float *buf = malloc(sizeof(float) * n);
  float *prev = malloc(sizeof(float) * n);
  float ref[SAMPLES];
  if (!buf || !prev) return 2;
  for (uint32_t i = 0; i < PERIOD; i++) buf[i] = buf[i + PERIOD] = chain_of(i, chain);
  memcpy(prev, buf, sizeof(float) * n);
  cpu_reference(ref, chain);
  int64_t first;
  uint64_t clean = check_pass(buf, n, prev, ref, &first);
  /* A single step computed one bit wrong, early in the chain, must still show at the end. */
  float x = start_value(4096);
  for (int k = 0; k < chain; k++) {
    float t = R * x;
    x = fmaf(-t, x, t);
    if (k == 10) {
      uint32_t bits;
      memcpy(&bits, &x, 4);
      bits ^= 1u;
      memcpy(&x, &bits, 4);
    }
  }
  int diverged = fabsf(x - buf[4096]) > 1e-3f;
  /* Plant wrong results where a bad GPU puts them: a copy (1 check fails), an element the previous
   * pass got wrong (1), a sampled element of the first copy (3: the previous pass, its copy, the CPU). */
  buf[PERIOD + 12345] = x;
  prev[777] = -prev[777];
  buf[3 * (PERIOD / SAMPLES)] = nanf("");
  uint64_t planted = check_pass(buf, n, prev, ref, &first);
  int inRange = 1;
  for (uint32_t i = 0; i < PERIOD; i++) inRange &= isnormal(prev[i == 777 ? 0 : i]) && fabsf(prev[i == 777 ? 0 : i]) >= 0.0099f && fabsf(prev[i == 777 ? 0 : i]) <= 0.9975f;
  printf("selftest: clean pass %llu wrong; one bit wrong at step 10 ends %.9g instead of %.9g; planted faults fail %llu checks (first at %lld)\n",
         (unsigned long long)clean, x, buf[4096], (unsigned long long)planted, (long long)first);
  free(buf);
  free(prev);
  if (clean != 0 || !diverged || planted != 5 || first != 777 || !inRange) {
    printf("selftest: FAILED\n");
    return 1;
  }
  printf("selftest: OK\n");
  return 0;
}

/* ---- the CUDA driver API, resolved from libcuda.so.1 at run time ---- */
typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext;
typedef void *CUmodule;
typedef void *CUfunction;
typedef unsigned long long CUdeviceptr;

static struct {
  CUresult (*Init)(unsigned);
  CUresult (*DeviceGetCount)(int *);
  CUresult (*DeviceGet)(CUdevice *, int);
  CUresult (*DeviceGetName)(char *, int, CUdevice);
  CUresult (*CtxCreate)(CUcontext *, unsigned, CUdevice);
  CUresult (*CtxDestroy)(CUcontext);
  CUresult (*ModuleLoadData)(CUmodule *, const void *);
  CUresult (*ModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*MemAlloc)(CUdeviceptr *, size_t);
  CUresult (*MemFree)(CUdeviceptr);
  CUresult (*MemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*LaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void *, void **, void **);
  CUresult (*CtxSynchronize)(void);
  CUresult (*GetErrorString)(CUresult, const char **);
} cu;

static const char *cu_error(CUresult r) {
  const char *s = NULL;
  if (cu.GetErrorString) cu.GetErrorString(r, &s);
  return s ? s : "unknown CUDA error";
}

static int load_driver(void) {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW);
  if (!lib) {
    printf("gpu-burn: no CUDA driver: %s\n", dlerror());
    return 0;
  }
#define SYM(field, name) if (!(*(void **)&cu.field = dlsym(lib, name))) { printf("gpu-burn: libcuda.so.1 lacks %s\n", name); return 0; }
  SYM(Init, "cuInit") SYM(DeviceGetCount, "cuDeviceGetCount") SYM(DeviceGet, "cuDeviceGet") SYM(DeviceGetName, "cuDeviceGetName")
  SYM(CtxCreate, "cuCtxCreate_v2") SYM(CtxDestroy, "cuCtxDestroy_v2") SYM(ModuleLoadData, "cuModuleLoadData")
  SYM(ModuleGetFunction, "cuModuleGetFunction") SYM(MemAlloc, "cuMemAlloc_v2") SYM(MemFree, "cuMemFree_v2")
  SYM(MemcpyDtoH, "cuMemcpyDtoH_v2") SYM(LaunchKernel, "cuLaunchKernel") SYM(CtxSynchronize, "cuCtxSynchronize")
  SYM(GetErrorString, "cuGetErrorString")
#undef SYM
  return 1;
}

/* Burns one GPU for `seconds`; returns 0 right, 1 wrong results, 2 could not run. */
static int burn_one(int index, double seconds, const float *ref) {
  CUdevice dev;
  CUcontext ctx = NULL;
  CUmodule mod;
  CUfunction fn;
  CUdeviceptr buf = 0;
  char name[256] = "?";
  float *host = malloc(sizeof(float) * ELEMENTS);
  float *firstPass = malloc(sizeof(float) * PERIOD);
  CUresult r;
  int rc = 2;
  if (!host || !firstPass) goto out;
  if ((r = cu.DeviceGet(&dev, index)) || (r = cu.DeviceGetName(name, sizeof name, dev)) || (r = cu.CtxCreate(&ctx, 0, dev))) {
    printf("GPU %d (%s): cannot open: %s\n", index, name, cu_error(r));
    goto out;
  }
  if ((r = cu.ModuleLoadData(&mod, BURN_PTX)) || (r = cu.ModuleGetFunction(&fn, mod, "burn")) || (r = cu.MemAlloc(&buf, sizeof(float) * ELEMENTS))) {
    printf("GPU %d (%s): cannot load the burn kernel: %s\n", index, name, cu_error(r));
    goto out;
  }
  unsigned n = ELEMENTS;
  int chain = CHAIN;
  void *args[] = {&buf, &n, &chain};
  uint64_t passes = 0, wrong = 0;
  int64_t firstBad = -1;
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  do {
    if ((r = cu.LaunchKernel(fn, ELEMENTS / THREADS, 1, 1, THREADS, 1, 1, 0, NULL, args, NULL)) || (r = cu.CtxSynchronize()) ||
        (r = cu.MemcpyDtoH(host, buf, sizeof(float) * ELEMENTS))) {
      printf("GPU %d (%s): pass %llu failed: %s\n", index, name, (unsigned long long)passes + 1, cu_error(r));
      goto out;
    }
    int64_t at;
    uint64_t bad = check_pass(host, ELEMENTS, passes == 0 ? NULL : firstPass, passes == 0 ? ref : NULL, &at);
    if (passes == 0) memcpy(firstPass, host, sizeof(float) * PERIOD);
    if (bad && firstBad < 0) firstBad = at;
    wrong += bad;
    passes++;
    clock_gettime(CLOCK_MONOTONIC, &t);
  } while ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
  double gflop = (double)passes * ELEMENTS * CHAIN * 3 / 1e9;
  if (wrong) {
    printf("GPU %d (%s): FAULTY: %llu wrong results in %llu passes (first at element %lld)\n", index, name, (unsigned long long)wrong, (unsigned long long)passes, (long long)firstBad);
    rc = 1;
  } else {
    printf("GPU %d (%s): OK: %llu passes, %.0f GFLOP checked\n", index, name, (unsigned long long)passes, gflop);
    rc = 0;
  }
out:
  if (buf) cu.MemFree(buf);
  if (ctx) cu.CtxDestroy(ctx);
  free(host);
  free(firstPass);
  return rc;
}

struct job {
  int index;
  double seconds;
  const float *ref;
  int rc;
};

static void *run_job(void *p) {
  struct job *j = p;
  j->rc = burn_one(j->index, j->seconds, j->ref);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--selftest") == 0) return selftest();
  char *end = NULL;
  double seconds = argc == 2 ? strtod(argv[1], &end) : -1;
  if (argc != 2 || !end || *end || !(seconds > 0) || seconds > 7 * 24 * 3600) {
    fprintf(stderr, "usage: gpu-burn SECONDS | gpu-burn --selftest\n");
    return 64;
  }
  if (!BURN_PTX[0]) {
    printf("gpu-burn: built without its kernel (BURN_PTX); rebuild the gpu image flavour\n");
    return 2;
  }
  if (!load_driver()) return 2;
  int count = 0;
  CUresult r;
  if ((r = cu.Init(0)) || (r = cu.DeviceGetCount(&count)) || count == 0) {
    printf("gpu-burn: no GPU to burn: %s\n", r ? cu_error(r) : "the driver sees none");
    return 2;
  }
  float ref[SAMPLES];
  cpu_reference(ref, CHAIN);
  /* Every GPU at once, for the whole time: heat and power draw are part of the test. */
  struct job jobs[64];
  pthread_t threads[64];
  if (count > 64) count = 64;
  for (int i = 0; i < count; i++) {
    jobs[i] = (struct job){.index = i, .seconds = seconds, .ref = ref, .rc = 2};
    if (pthread_create(&threads[i], NULL, run_job, &jobs[i]) != 0) jobs[i].rc = 2;
  }
  int worst = 0;
  for (int i = 0; i < count; i++) {
    pthread_join(threads[i], NULL);
    if (jobs[i].rc == 1 || (jobs[i].rc == 2 && worst == 0)) worst = jobs[i].rc;
  }
  return worst;
}
