import { useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { PROFILES } from '../../../../common/profiles.ts';
import type { ProfileView } from '../../../../common/schema/api.ts';
import type { BuiltinProfileName } from '../../../../common/schema/profile.ts';
import { ApiRequestError } from '../../api/client.ts';
import { api } from '../../api/endpoints.ts';
import { keys } from '../../api/keys.ts';
import { Dialog, Field } from '../../components/Dialog.tsx';
import { ErrorNote, Loading } from '../../components/ErrorNote.tsx';
import { useProfiles } from '../../components/ProfileOptions.tsx';
import { checkProfileForm, copyName, fieldKey, fieldSections, formFromParams, valueText, type ProfileForm } from '../../logic/profileForm.ts';

// Settings → Profiles: the four built-ins (read-only) and custom profiles made
// from them. "Duplicate" starts a custom profile from any profile; the editor
// shows every parameter of the profile schema by section (floors, ceilings,
// durations, scan mode…), marks what differs from the built-in, and saves only
// those differences. Runs already started keep the parameters they started with.

type Editing = { mode: 'new'; base: BuiltinProfileName; from: ProfileView; name: string } | { mode: 'edit'; profile: ProfileView };

function ProfileEditor({ editing, taken, onDone }: { editing: Editing; taken: string[]; onDone: () => void }) {
  const client = useQueryClient();
  const base: BuiltinProfileName = editing.mode === 'new' ? editing.base : (editing.profile.extends ?? 'standard');
  const start = editing.mode === 'new' ? editing.from : editing.profile;
  const [name, setName] = useState(editing.mode === 'new' ? editing.name : editing.profile.name);
  const [description, setDescription] = useState(start.builtin ? '' : (start.description ?? ''));
  const [form, setForm] = useState<ProfileForm>(() => formFromParams(start.params));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const baseParams = PROFILES[base];
  const sections = useMemo(() => fieldSections(), []);
  const save = useMutation({
    mutationFn: async () => {
      const checked = checkProfileForm(base, baseParams, form);
      if (editing.mode === 'new' && taken.includes(name.trim())) checked.errors.name = `a profile named "${name.trim()}" exists already`;
      setErrors(checked.errors);
      if (Object.keys(checked.errors).length) throw new Error('Fix the marked fields.');
      return api.putProfile(name.trim(), { extends: base, ...(description.trim() ? { description: description.trim() } : {}), overrides: checked.overrides });
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.profiles });
      onDone();
    },
    onError: (err) => {
      if (err instanceof ApiRequestError) setErrors(Object.fromEntries(err.issues.map((i) => [i.path === 'name' ? 'name' : i.path, i.message])));
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const title = editing.mode === 'new' ? `New profile from ${editing.from.name}` : `Edit ${editing.profile.name}`;
  return (
    <form className="panel form profile-editor" onSubmit={submit} noValidate aria-labelledby="profile-editor-head" data-testid="profile-editor">
      <h2 id="profile-editor-head">{title}</h2>
      <p className="muted small">
        Extends the built-in <strong>{base}</strong>, which decides whether its runs certify a host ({baseParams.certifies ? 'they can' : 'they never do'}). Only the values
        that differ from {base} are saved; runs already started keep the parameters they started with.
      </p>
      <div className="field-row">
        <Field id="profile-name" label="Name" error={errors.name} hint="Letters, digits, “.”, “_” and “-”.">
          <input id="profile-name" value={name} onChange={(e) => setName(e.target.value)} disabled={editing.mode === 'edit'} aria-invalid={Boolean(errors.name)} />
        </Field>
        <Field id="profile-description" label="Description" error={errors.description}>
          <input id="profile-description" value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
      </div>
      {sections.map(({ section, fields }) => (
        <fieldset key={section} className="profile-section">
          <legend>{section}</legend>
          <div className="profile-fields">
            {fields.map((f) => {
              const key = fieldKey(f);
              const id = `profile-${key.replace(/\./g, '-')}`;
              const inherited = valueText(baseParams, f);
              const current = form[key] ?? '';
              const changed = current.trim() !== (inherited === '(none)' ? '' : inherited);
              const set = (v: string) => setForm((x) => ({ ...x, [key]: v }));
              const hint = `${f.allowed}${f.optional ? ' (empty: none)' : ''}${changed ? ` · ${base}: ${inherited}` : ''}`;
              return (
                <Field key={key} id={id} label={`${f.label}${f.unit ? ` (${f.unit})` : ''}`} error={errors[key]} hint={hint}>
                  {f.kind === 'boolean' ? (
                    <select id={id} value={current} onChange={(e) => set(e.target.value)} data-changed={changed || undefined}>
                      <option value="true">yes</option>
                      <option value="false">no</option>
                    </select>
                  ) : f.kind === 'enum' ? (
                    <select id={id} value={current} onChange={(e) => set(e.target.value)} data-changed={changed || undefined}>
                      {f.options.map((o) => (
                        <option key={o}>{o}</option>
                      ))}
                    </select>
                  ) : (
                    <input
                      id={id}
                      value={current}
                      onChange={(e) => set(e.target.value)}
                      inputMode={f.kind === 'number' ? 'decimal' : undefined}
                      aria-invalid={Boolean(errors[key])}
                      data-changed={changed || undefined}
                    />
                  )}
                </Field>
              );
            })}
          </div>
        </fieldset>
      ))}
      <div className="row">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save profile'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
      <ErrorNote error={save.error} what="Profile not saved" />
    </form>
  );
}

function DeleteProfile({ profile, others, onClose }: { profile: ProfileView; others: string[]; onClose: () => void }) {
  const client = useQueryClient();
  const [moveTo, setMoveTo] = useState<string>(profile.extends ?? 'standard');
  const del = useMutation({
    mutationFn: () => api.deleteProfile(profile.name, profile.hosts.length ? moveTo : undefined),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.profiles });
      void client.invalidateQueries({ queryKey: keys.hosts });
      void client.invalidateQueries({ queryKey: keys.board });
      onClose();
    },
  });
  return (
    <Dialog title={`Delete profile ${profile.name}?`} open onClose={onClose} onSubmit={() => del.mutate()} submitLabel="Delete profile" submitTone="danger" busy={del.isPending} testId="delete-profile">
      <p>Runs that used it keep the parameters they ran with; their reports do not change.</p>
      {profile.hosts.length ? (
        <Field id="profile-move-to" label={`Move ${profile.hosts.join(', ')} to`} hint="A profile in use cannot be deleted without moving its hosts.">
          <select id="profile-move-to" value={moveTo} onChange={(e) => setMoveTo(e.target.value)}>
            {others.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </Field>
      ) : null}
      <ErrorNote error={del.error} what="Not deleted" />
    </Dialog>
  );
}

export function ProfilesPanel() {
  const profiles = useProfiles();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<ProfileView | null>(null);
  const list = profiles.data ?? [];
  const names = list.map((p) => p.name);
  const duplicate = (p: ProfileView) => setEditing({ mode: 'new', base: p.builtin ? (p.name as BuiltinProfileName) : (p.extends ?? 'standard'), from: p, name: copyName(p.name, names) });
  return (
    <>
      <section className="panel" aria-labelledby="profiles-head">
        <h2 id="profiles-head">Profiles</h2>
        <p className="muted small">
          The four built-ins are read-only. Duplicate one to change its floors, ceilings, durations or scan mode; a host or a run then picks it by name.
          Whether a run can certify a host is always its built-in's to say.
        </p>
        {profiles.isPending ? <Loading what="profiles" /> : null}
        <ErrorNote error={profiles.error} what="Profiles could not be loaded" />
        {list.length ? (
          <table data-testid="profiles">
            <thead>
              <tr>
                <th scope="col">Profile</th>
                <th scope="col">Kind</th>
                <th scope="col">Certifies</th>
                <th scope="col">Hosts</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.name} data-profile={p.name}>
                  <th scope="row">
                    {p.name}
                    {p.description ? <div className="muted small">{p.description}</div> : null}
                    {p.valid ? null : <div className="bad small">invalid: {p.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}</div>}
                  </th>
                  <td>{p.builtin ? 'built-in' : `extends ${p.extends ?? '?'}`}</td>
                  <td>{p.certifies ? 'yes' : 'no (demonstration)'}</td>
                  <td>{p.hosts.length ? p.hosts.join(', ') : '—'}</td>
                  <td className="row">
                    <button type="button" onClick={() => duplicate(p)} aria-label={`Duplicate ${p.name}`}>
                      Duplicate
                    </button>
                    {p.builtin ? null : (
                      <>
                        <button type="button" onClick={() => setEditing({ mode: 'edit', profile: p })} aria-label={`Edit ${p.name}`}>
                          Edit
                        </button>
                        <button type="button" className="danger" onClick={() => setDeleting(p)} aria-label={`Delete ${p.name}`}>
                          Delete
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      {editing ? <ProfileEditor key={editing.mode === 'new' ? `new-${editing.name}` : editing.profile.name} editing={editing} taken={names} onDone={() => setEditing(null)} /> : null}
      {deleting ? <DeleteProfile profile={deleting} others={names.filter((n) => n !== deleting.name)} onClose={() => setDeleting(null)} /> : null}
    </>
  );
}
