import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Settings } from '../../../common/schema/api.ts';
import { ApiRequestError } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import { keys } from '../api/keys.ts';
import { Field } from '../components/Dialog.tsx';
import { ErrorNote, Loading } from '../components/ErrorNote.tsx';
import { validateSupervisor, type FieldErrors, type SupervisorField } from '../logic/forms.ts';
import { formatTime } from '../logic/format.ts';
import { JanitorPanel, NotificationsPanel } from './settings/Maintenance.tsx';
import { ProfilesPanel } from './settings/Profiles.tsx';
import { settingsPatch, settingsToForm, type SettingsForm } from '../logic/settingsForm.ts';

function issueFor(err: unknown, path: string): string | undefined {
  if (!(err instanceof ApiRequestError)) return undefined;
  return err.issues.find((i) => i.path === path || i.path.startsWith(`${path}.`))?.message;
}

function SettingsEditor({ settings }: { settings: Settings }) {
  const client = useQueryClient();
  const [form, setForm] = useState<SettingsForm>(() => settingsToForm(settings));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: (patch: Record<string, unknown>) => api.putSettings(patch),
    onSuccess: (s) => {
      client.setQueryData(keys.settings, s);
      setForm(settingsToForm(s));
    },
  });
  const set = (k: keyof SettingsForm) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = settingsPatch(form);
    setLocalErrors(r.errors);
    if (Object.keys(r.errors).length === 0) save.mutate(r.patch);
  };
  const err = (local: string, path: string) => localErrors[local] ?? issueFor(save.error, path);
  return (
    <form className="panel form" onSubmit={submit} noValidate aria-labelledby="bench-head">
      <h2 id="bench-head">Bench network</h2>
      <Field id="set-iface" label="Bench interface" error={err('interface', 'bench.interface')} hint="The NIC cabled to the bench switch; dnsmasq binds to it.">
        <input id="set-iface" value={form.interface} onChange={set('interface')} />
      </Field>
      <Field id="set-address" label="Bench address" error={err('address', 'bench.address')} hint="Address agents, iperf3 and boot URLs use.">
        <input id="set-address" value={form.address} onChange={set('address')} />
      </Field>
      <div className="field-row">
        <Field id="set-port" label="Bench port" error={err('port', 'bench.port')}>
          <input id="set-port" inputMode="numeric" value={form.port} onChange={set('port')} />
        </Field>
        <Field id="set-iperf" label="iperf3 port" error={err('iperfPort', 'bench.iperfPort')}>
          <input id="set-iperf" inputMode="numeric" value={form.iperfPort} onChange={set('iperfPort')} />
        </Field>
      </div>
      <Field id="set-dhcp" label="DHCP" error={err('dhcpMode', 'bench.dhcpMode')}>
        <select id="set-dhcp" value={form.dhcpMode} onChange={set('dhcpMode')}>
          <option value="off">off (another server does PXE)</option>
          <option value="full">full DHCP range (isolated bench network)</option>
          <option value="proxy">proxy-DHCP (an existing DHCP server hands out addresses)</option>
        </select>
      </Field>
      {form.dhcpMode === 'full' ? (
        <div className="field-row">
          <Field id="set-start" label="Range start" error={err('rangeStart', 'bench.dhcpRange')}>
            <input id="set-start" value={form.rangeStart} onChange={set('rangeStart')} />
          </Field>
          <Field id="set-end" label="Range end" error={err('rangeEnd', 'bench.dhcpRange')}>
            <input id="set-end" value={form.rangeEnd} onChange={set('rangeEnd')} />
          </Field>
          <Field id="set-lease" label="Lease time" error={err('leaseTime', 'bench.dhcpRange')}>
            <input id="set-lease" value={form.leaseTime} onChange={set('leaseTime')} />
          </Field>
        </div>
      ) : null}
      {form.dhcpMode === 'proxy' ? (
        <Field id="set-proxy" label="Subnet served by the existing DHCP server" error={err('proxySubnet', 'bench.proxySubnet')}>
          <input id="set-proxy" value={form.proxySubnet} onChange={set('proxySubnet')} placeholder="10.1.2.0" />
        </Field>
      ) : null}
      <Field id="set-image" label="Live image folder" error={err('imageDir', 'bench.imageDir')} hint="Where image/build-image.sh wrote vmlinuz and initrd.img; empty for the default ($VETTING_IMAGE_DIR or /var/cache/vetting-image). Applies to the next boot.">
        <input id="set-image" value={form.imageDir} onChange={set('imageDir')} placeholder="/var/cache/vetting-image" />
      </Field>
      <h2>Retention</h2>
      <div className="field-row">
        <Field id="set-age" label="Keep artifacts for (days)" error={err('maxAgeDays', 'retention.maxAgeDays')}>
          <input id="set-age" inputMode="numeric" value={form.maxAgeDays} onChange={set('maxAgeDays')} />
        </Field>
        <Field id="set-size" label="Keep at most (GiB)" error={err('maxTotalGiB', 'retention.maxTotalBytes')}>
          <input id="set-size" inputMode="decimal" value={form.maxTotalGiB} onChange={set('maxTotalGiB')} />
        </Field>
      </div>
      <div className="row">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save settings'}
        </button>
        {save.isSuccess ? <span className="good" role="status">Saved.</span> : null}
      </div>
      <ErrorNote error={save.error} what="Settings not saved" />
    </form>
  );
}

function Supervisors() {
  const client = useQueryClient();
  const list = useQuery({ queryKey: keys.supervisors, queryFn: api.supervisors });
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FieldErrors<SupervisorField>>({});
  const add = useMutation({
    mutationFn: () => api.addSupervisor(name.trim(), secret),
    onSuccess: () => {
      setName('');
      setSecret('');
      setConfirm('');
      void client.invalidateQueries({ queryKey: keys.supervisors });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = validateSupervisor(name, secret, confirm);
    setErrors(found);
    if (Object.keys(found).length === 0) add.mutate();
  };
  return (
    <section className="panel" aria-labelledby="sup-head">
      <h2 id="sup-head">Supervisors</h2>
      <p className="muted">Only a supervisor may approve wiping a disk that still holds data. Credentials are stored hashed.</p>
      <p className="muted small">The first supervisor can be added here. After that, add or reset one with <code>vetting supervisor add|set</code> on this workstation (every change is audited).</p>
      <ErrorNote error={list.error} what="Supervisors could not be loaded" />
      <ul>
        {(list.data ?? []).map((s) => (
          <li key={s.name}>
            <strong>{s.name}</strong> <span className="muted">since {formatTime(s.createdAt)}</span>
          </li>
        ))}
        {list.data?.length === 0 ? <li className="muted">None yet: wipe-probe overrides are impossible until one is added.</li> : null}
      </ul>
      <form onSubmit={submit} noValidate className="form" aria-label="Add a supervisor">
        <Field id="sup-name" label="Name" error={errors.name}>
          <input id="sup-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <div className="field-row">
          <Field id="sup-secret" label="Credential" error={errors.secret}>
            <input id="sup-secret" type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="new-password" />
          </Field>
          <Field id="sup-confirm" label="Credential again" error={errors.confirm}>
            <input id="sup-confirm" type="password" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="new-password" />
          </Field>
        </div>
        <button type="submit" disabled={add.isPending}>
          Add supervisor
        </button>
        <ErrorNote error={add.error} what="Not added" />
      </form>
    </section>
  );
}

function Services() {
  const services = useQuery({ queryKey: keys.services, queryFn: api.services });
  return (
    <section className="panel" aria-labelledby="svc-head">
      <h2 id="svc-head">Services</h2>
      {services.isPending ? <Loading what="services" /> : null}
      <ErrorNote error={services.error} what="Services could not be loaded" />
      {(services.data ?? []).map((s) => {
        const tone = s.state === 'running' ? 'ok' : s.state === 'failed' ? 'bad' : s.state === 'starting' ? 'busy' : 'idle';
        const icon = s.state === 'running' ? '✓' : s.state === 'failed' ? '✗' : s.state === 'starting' ? '…' : '○';
        return (
          <article key={s.name} className="service" aria-label={`Service ${s.name}`}>
            <h3>
              {s.name}{' '}
              <span className={`badge tone-${tone}`}>
                <span aria-hidden="true">{icon}</span> {s.state}
              </span>
            </h3>
            {s.detail ? <p>{s.detail}</p> : null}
            {s.lastError ? <p className="bad">Last error: {s.lastError}</p> : null}
            {s.logTail.length > 0 ? (
              <details>
                <summary>Log tail ({s.logTail.length} lines)</summary>
                <pre className="log">{s.logTail.join('\n')}</pre>
              </details>
            ) : null}
          </article>
        );
      })}
    </section>
  );
}

export function SettingsPage() {
  const settings = useQuery({ queryKey: keys.settings, queryFn: api.settings });
  return (
    <>
      <h1>Settings</h1>
      {settings.isPending ? <Loading what="settings" /> : null}
      <ErrorNote error={settings.error} what="Settings could not be loaded" />
      <div className="columns">
        <div className="col-main">
          {settings.data ? <SettingsEditor settings={settings.data} /> : null}
          <ProfilesPanel />
        </div>
        <div className="col-side">
          <Services />
          <Supervisors />
          <NotificationsPanel />
          <JanitorPanel />
        </div>
      </div>
    </>
  );
}
