import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { HostView } from '../../../common/schema/api.ts';
import { ApiRequestError } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import { keys } from '../api/keys.ts';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { Field } from '../components/Dialog.tsx';
import { ErrorNote, Loading } from '../components/ErrorNote.tsx';
import { ProfileOptions } from '../components/ProfileOptions.tsx';
import { StartRunDialog } from '../components/StartRunDialog.tsx';
import { issuesToFields, validateHostForm, type FieldErrors, type HostFormField, type HostFormFields } from '../logic/forms.ts';
import { formatTime } from '../logic/format.ts';
import { href } from '../logic/route.ts';
import { HostParts } from './HostParts.tsx';
import { SpecEditor } from './SpecEditor.tsx';
import { BmcFields } from './BmcFields.tsx';
import { bmcFieldsOf, validateBmcForm, type BmcFormField, type BmcFormFields } from '../logic/bmcForm.ts';

const FIELD_NAMES: HostFormField[] = ['name', 'macs', 'profile', 'disks', 'maxTempC', 'notes'];

function fieldsOf(host: HostView | null): HostFormFields {
  return {
    name: host?.name ?? '',
    macs: host?.macs.join('\n') ?? '',
    profile: host?.profile ?? 'standard',
    disks: host?.disks.join('\n') ?? '',
    maxTempC: host?.maxTempC?.toString() ?? '',
    notes: host?.notes ?? '',
  };
}

function HostForm({ host }: { host: HostView | null }) {
  const client = useQueryClient();
  const [fields, setFields] = useState<HostFormFields>(() => fieldsOf(host));
  const [errors, setErrors] = useState<FieldErrors<HostFormField>>({});
  const [bmcFields, setBmcFields] = useState<BmcFormFields>(() => bmcFieldsOf(host?.bmc));
  const [bmcErrors, setBmcErrors] = useState<Partial<Record<BmcFormField, string>>>({});
  const save = useMutation({
    mutationFn: async () => {
      const checked = validateHostForm(fields);
      const bmc = validateBmcForm(bmcFields, host?.bmc);
      setBmcErrors(bmc.ok ? {} : bmc.errors);
      if (!checked.ok || !bmc.ok) throw Object.assign(new Error('Fix the marked fields.'), { fieldErrors: checked.ok ? {} : checked.errors });
      const withBmc = bmc.value === undefined ? checked.value : { ...checked.value, bmc: bmc.value };
      if (host) {
        const { name: _name, ...patch } = withBmc;
        return api.patchHost(host.name, patch);
      }
      return api.addHost(withBmc);
    },
    onSuccess: (saved) => {
      setErrors({});
      client.setQueryData(keys.host(saved.name), saved);
      void client.invalidateQueries({ queryKey: keys.hosts });
      void client.invalidateQueries({ queryKey: keys.board });
      if (!host) window.location.hash = href.host(saved.name);
    },
    onError: (err) => {
      const local = (err as { fieldErrors?: FieldErrors<HostFormField> }).fieldErrors;
      if (local) setErrors(local);
      else if (err instanceof ApiRequestError) {
        setErrors(issuesToFields(err.issues, FIELD_NAMES).fields);
        // "bmc.address" and the like: shown next to the BMC's own fields.
        const bmc = issuesToFields(err.issues.filter((i) => i.path.startsWith('bmc.')).map((i) => ({ ...i, path: i.path.slice(4) })), ['driver', 'address', 'user', 'password', 'certSha256', 'bootMode'] as BmcFormField[]);
        setBmcErrors(bmc.fields);
      }
    },
  });
  const set = (k: HostFormField) => (e: { target: { value: string } }) => setFields((f) => ({ ...f, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const invalid = (k: HostFormField) => Boolean(errors[k]);
  return (
    <form className="panel form" onSubmit={submit} noValidate aria-labelledby="host-form-head">
      <h2 id="host-form-head">{host ? `Edit ${host.name}` : 'Add a host'}</h2>
      <Field id="host-name" label="Name" error={errors.name} hint="Letters, digits, “.”, “_” and “-”.">
        <input id="host-name" value={fields.name} onChange={set('name')} disabled={Boolean(host)} aria-invalid={invalid('name')} />
      </Field>
      <Field id="host-macs" label="Boot MACs" error={errors.macs} hint="One per line: the NICs the host PXE-boots from.">
        <textarea id="host-macs" rows={2} value={fields.macs} onChange={set('macs')} aria-invalid={invalid('macs')} className="mono" />
      </Field>
      <Field id="host-profile" label="Profile" error={errors.profile}>
        <select id="host-profile" value={fields.profile} onChange={set('profile')}>
          <ProfileOptions current={fields.profile} />
        </select>
      </Field>
      <Field id="host-disks" label="Expected disks" error={errors.disks} hint="One serial or WWN per line. Only these disks are ever written to.">
        <textarea id="host-disks" rows={3} value={fields.disks} onChange={set('disks')} aria-invalid={invalid('disks')} className="mono" />
      </Field>
      <Field id="host-maxtemp" label="Temperature ceiling (°C)" error={errors.maxTempC} hint="Empty: the spec's or the profile's.">
        <input id="host-maxtemp" inputMode="decimal" value={fields.maxTempC} onChange={set('maxTempC')} aria-invalid={invalid('maxTempC')} />
      </Field>
      <Field id="host-notes" label="Notes" error={errors.notes}>
        <textarea id="host-notes" rows={2} value={fields.notes} onChange={set('notes')} />
      </Field>
      <BmcFields host={host?.name ?? null} before={host?.bmc} fields={bmcFields} errors={bmcErrors} onChange={setBmcFields} />
      <div className="row">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : host ? 'Save host' : 'Add host'}
        </button>
        {save.isSuccess ? <span className="good" role="status">Saved.</span> : null}
      </div>
      <ErrorNote error={save.error} what="Not saved" />
    </form>
  );
}

function HostDetail({ name }: { name: string }) {
  const host = useQuery({ queryKey: keys.host(name), queryFn: () => api.host(name) });
  const [starting, setStarting] = useState(false);
  if (host.isPending) return <Loading what={`host ${name}`} />;
  if (host.error) return <ErrorNote error={host.error} what={`Host ${name}`} />;
  const h = host.data;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <a href={href.hosts()}>Hosts</a> › {h.name}
          </p>
          <h1>{h.name}</h1>
        </div>
        <div className="row">
          {h.activeRun ? (
            <a className="button" href={href.run(h.activeRun)}>
              Open active run {h.activeRun}
            </a>
          ) : (
            <button type="button" className="primary" onClick={() => setStarting(true)}>
              Start run…
            </button>
          )}
          <a className="button" href={href.history({ host: h.name })}>
            Past runs
          </a>
        </div>
      </div>
      {/* What the bench found in it, and what was swapped since the run before: first, as after a repair that is the question. */}
      <HostParts host={h.name} />
      <div className="columns">
        <div className="col-side">
          <HostForm key={h.updatedAt} host={h} />
        </div>
        <div className="col-main">
          <SpecEditor host={h} />
        </div>
      </div>
      {starting ? <StartRunDialog host={h.name} profile={h.profile} bmc={h.bmc ?? null} open onClose={() => setStarting(false)} /> : null}
    </>
  );
}

const hostColumns: Column<HostView>[] = [
  { header: 'Name', rowHeader: true, cell: (h) => <a href={href.host(h.name)}>{h.name}</a> },
  { header: 'Boot MACs', className: 'mono', cell: (h) => h.macs.join(', ') || '—' },
  { header: 'Profile', cell: (h) => h.profile },
  { header: 'Disks', cell: (h) => h.disks.length },
  { header: 'Spec', cell: (h) => (h.specYaml ? 'yes' : <span className="muted">none</span>) },
  { header: 'BMC', cell: (h) => (h.bmc ? `${h.bmc.driver === 'ipmi' ? 'IPMI' : 'Redfish'}${h.bmc.power ? ` · ${h.bmc.power.state}` : ''}` : <span className="muted">none</span>) },
  { header: 'Active run', cell: (h) => (h.activeRun ? <a href={href.run(h.activeRun)}>#{h.activeRun}</a> : '—') },
  { header: 'Updated', cell: (h) => formatTime(h.updatedAt) },
];

export function HostsPage({ host, isNew }: { host: string | null; isNew: boolean }) {
  const hosts = useQuery({ queryKey: keys.hosts, queryFn: api.hosts, enabled: !host && !isNew });
  if (isNew) {
    return (
      <>
        <p className="crumbs">
          <a href={href.hosts()}>Hosts</a> › new
        </p>
        <HostForm host={null} />
      </>
    );
  }
  if (host) return <HostDetail name={host} />;
  return (
    <>
      <div className="page-head">
        <h1>Hosts</h1>
        <a className="button primary" href={href.newHost()}>
          Add host
        </a>
      </div>
      {hosts.isPending ? <Loading what="hosts" /> : null}
      <ErrorNote error={hosts.error} what="Hosts could not be loaded" />
      {hosts.data ? <DataTable className="panel" columns={hostColumns} rows={hosts.data} rowKey={(h) => h.name} empty={<p className="muted">No hosts yet.</p>} /> : null}
    </>
  );
}
