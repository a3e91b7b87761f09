import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/endpoints.ts';
import { keys } from '../api/keys.ts';
import { Dialog, Field } from './Dialog.tsx';
import { ErrorNote } from './ErrorNote.tsx';
import { ProfileOptions } from './ProfileOptions.tsx';
import { href } from '../logic/route.ts';

/** "Start a run": says what will happen, then shows the agent token for hosts booted by hand. */
export function StartRunDialog({ host, profile, open, onClose }: { host: string; profile: string; open: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const [chosen, setChosen] = useState(profile);
  const start = useMutation({
    mutationFn: () => api.startRun(host, chosen === profile ? undefined : chosen),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.board });
      void client.invalidateQueries({ queryKey: keys.hosts });
    },
  });
  const close = () => {
    start.reset();
    onClose();
  };
  if (start.data) {
    const r = start.data;
    return (
      <Dialog title={`Run ${r.run} created for ${host}`} open={open} onClose={close} onSubmit={() => (window.location.hash = href.run(r.run))} submitLabel="Open the run" testId="started-run">
        <p>Power on {host} so it PXE-boots on the bench; its agent will connect and the stages start.</p>
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
    <Dialog title={`Start a run on ${host}?`} open={open} onClose={close} onSubmit={() => start.mutate()} submitLabel="Start run" busy={start.isPending} testId="start-run">
      <p>
        This creates a new run for <strong>{host}</strong>. When the host boots on the bench, its agent runs all nine stages in order,
        including the <strong>destructive Storage test</strong> on the host's expected disks (after the wipe-probe finds them empty).
      </p>
      <Field id="start-profile" label="Profile">
        <select id="start-profile" value={chosen} onChange={(e) => setChosen(e.target.value)}>
          <ProfileOptions current={chosen} hostDefault={profile} />
        </select>
      </Field>
      <ErrorNote error={start.error} what="The run was not started" />
    </Dialog>
  );
}
