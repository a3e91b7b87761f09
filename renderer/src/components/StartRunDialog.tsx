import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BmcView, StartPower } from '../../../common/schema/power.ts';
import { ApiRequestError } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import { keys } from '../api/keys.ts';
import { Dialog, Field } from './Dialog.tsx';
import { ErrorNote } from './ErrorNote.tsx';
import { ProfileOptions } from './ProfileOptions.tsx';
import { href } from '../logic/route.ts';

/**
 * "Start a run": says what will happen, then shows the agent token for hosts
 * booted by hand. For a host with a BMC it says the bench will set PXE and
 * power the host on, and asks before power-cycling a host that is already on.
 */
export function StartRunDialog({ host, profile, bmc = null, open, onClose }: { host: string; profile: string; bmc?: BmcView | null; open: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const [chosen, setChosen] = useState(profile);
  const [power, setPower] = useState<StartPower>('on');
  const start = useMutation({
    mutationFn: (choice: StartPower) => api.startRun(host, chosen === profile ? undefined : chosen, bmc ? choice : undefined),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.board });
      void client.invalidateQueries({ queryKey: keys.hosts });
    },
  });
  const close = () => {
    start.reset();
    onClose();
  };
  const isOn = start.error instanceof ApiRequestError && start.error.code === 'power-is-on';
  if (isOn) {
    return (
      <Dialog title={`${host} is powered on`} open={open} onClose={close} onSubmit={() => start.mutate('cycle')} submitLabel="Power-cycle and start" submitTone="danger" testId="confirm-cycle">
        <p>
          {host} is running now. Starting the run sets its next boot to PXE and <strong>power-cycles it</strong>: whatever it runs stops at once.
        </p>
      </Dialog>
    );
  }
  if (start.data) {
    const r = start.data;
    const failed = r.power?.find((p) => !p.ok);
    return (
      <Dialog title={`Run ${r.run} created for ${host}`} open={open} onClose={close} onSubmit={() => (window.location.hash = href.run(r.run))} submitLabel="Open the run" testId="started-run">
        {r.power ? (
          <ul className="power-steps" data-testid="power-steps">
            {r.power.map((p, i) => (
              <li key={i} className={p.ok ? 'good' : 'bad'}>
                {p.message}
              </li>
            ))}
          </ul>
        ) : null}
        {!r.power || failed || r.power.some((p) => p.action === 'power-left') ? <p>Power on {host} so it PXE-boots on the bench; its agent will connect and the stages start.</p> : <p>{host} PXE-boots on the bench; its agent will connect and the stages start.</p>}
        <p>For an agent started by other means, give it:</p>
        <dl className="kv">
          <dt>Orchestrator</dt>
          <dd>
            <code>{r.orchestrator}</code>
          </dd>
          <dt>Token</dt>
          <dd>
            <code className="secret">{r.token}</code>
          </dd>
        </dl>
      </Dialog>
    );
  }
  return (
    <Dialog title={`Start a run on ${host}?`} open={open} onClose={close} onSubmit={() => start.mutate(power)} submitLabel="Start run" busy={start.isPending} testId="start-run">
      <p>
        This creates a new run for <strong>{host}</strong>. When the host boots on the bench, its agent runs all nine stages in order,
        including the <strong>destructive Storage test</strong> on the host's expected disks (after the wipe-probe finds them empty).
      </p>
      <Field id="start-profile" label="Profile">
        <select id="start-profile" value={chosen} onChange={(e) => setChosen(e.target.value)}>
          <ProfileOptions current={chosen} hostDefault={profile} />
        </select>
      </Field>
      {bmc ? (
        <Field id="start-power" label="Power (through the BMC)">
          <select id="start-power" value={power} onChange={(e) => setPower(e.target.value as StartPower)}>
            <option value="on">set PXE for the next boot and power on (asks first if it is on)</option>
            <option value="none">leave power alone: someone powers it on</option>
          </select>
        </Field>
      ) : null}
      <ErrorNote error={start.error} what="The run was not started" />
    </Dialog>
  );
}
