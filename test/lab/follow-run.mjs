// Follows one run of a `vetting serve` from inside the lab's server namespace
// (its control API listens on that namespace's loopback): polls the run once a
// second and prints one JSON line per new boot step and per state change, then
// exits when the run settles. Plain Node, no TypeScript loader: it runs beside
// an emulated machine on a small CPU budget.
//   node follow-run.mjs CONTROL_URL TOKEN RUN_ID
const [control, token, runId] = process.argv.slice(2);
const SETTLED = /^(Completed|FailedHolding|Abandoned|Released)$/;
let seenBoot = 0;
let lastState = '';
const print = (e) => process.stdout.write(`${JSON.stringify({ t: Date.now(), ...e })}\n`);
for (;;) {
  let run = null;
  try {
    const res = await fetch(`${control}/api/runs/${runId}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.ok) run = await res.json();
    else print({ type: 'error', message: `HTTP ${res.status}` });
  } catch (err) {
    print({ type: 'error', message: String(err?.message ?? err) });
  }
  if (run) {
    for (const b of run.boot.slice(seenBoot)) print({ type: 'boot', step: b.step, detail: b.detail, at: Date.parse(b.at) });
    seenBoot = run.boot.length;
    if (run.state !== lastState) {
      lastState = run.state;
      print({ type: 'state', state: run.state, failedStage: run.failedStage, result: run.result, stages: run.stages.map((s) => [s.name, s.outcome, s.message]) });
      if (SETTLED.test(run.state)) process.exit(0);
    }
  }
  await new Promise((r) => setTimeout(r, 1000));
}
