import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { BmcTestBody, BmcTestView, BmcView } from '../../../common/schema/power.ts';
import { api } from '../api/endpoints.ts';
import { Field } from '../components/Dialog.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { fingerprintText, validateBmcForm, type BmcFormField, type BmcFormFields } from '../logic/bmcForm.ts';

// The host form's BMC settings and its "Test connection" button. The test
// shows the power state and the BMC's model; for a Redfish BMC whose
// certificate is not trusted yet it shows that certificate instead (nothing
// was sent to it), and the person may trust it after comparing the
// fingerprint with the BMC's own screen.

function TestResult({ result, onTrust }: { result: BmcTestView; onTrust: (sha256: string) => void }) {
  const cert = result.certificate;
  return (
    <div className="bmc-test" role="status" data-testid="bmc-test-result">
      {result.ok ? (
        <p className="good">
          Connected: power is <strong>{result.power}</strong>; BMC {[result.identity?.manufacturer, result.identity?.model].filter(Boolean).join(' ') || 'of unknown model'}
          {result.identity?.firmware ? `, firmware ${result.identity.firmware}` : ''}.
        </p>
      ) : (
        <p className="bad">{result.error?.message ?? 'The test failed.'}</p>
      )}
      {cert ? (
        <div className="bmc-cert">
          <p className="small">
            Certificate: {cert.subject} (issued by {cert.issuer}), valid {cert.validFrom} – {cert.validTo}
          </p>
          <p className="mono small">SHA-256 {fingerprintText(cert.sha256)}</p>
          {cert.pinned ? (
            <p className="muted small">This is the trusted certificate.</p>
          ) : (
            <>
              <p className="small">Compare this fingerprint with the one the BMC's own web page or console shows. Trust it only if they are the same.</p>
              <button type="button" onClick={() => onTrust(cert.sha256)} data-testid="bmc-trust">
                Trust this certificate
              </button>
            </>
          )}
        </div>
      ) : null}
    </div>
  );
}

export function BmcFields({
  host,
  before,
  fields,
  errors,
  onChange,
}: {
  /** The saved host's name; null for a host not saved yet. */
  host: string | null;
  before: BmcView | null | undefined;
  fields: BmcFormFields;
  errors: Partial<Record<BmcFormField, string>>;
  onChange: (next: BmcFormFields) => void;
}) {
  const [trusted, setTrusted] = useState(false);
  const set = (k: BmcFormField) => (e: { target: { value: string } }) => onChange({ ...fields, [k]: e.target.value });
  const test = useMutation({
    mutationFn: async (): Promise<BmcTestView> => {
      const checked = validateBmcForm(fields, before);
      if (!checked.ok) throw new Error(Object.values(checked.errors).join('; '));
      const body: BmcTestBody = checked.value ? { ...(host ? { host } : {}), bmc: checked.value } : { host: host! };
      return api.testBmc(body);
    },
  });
  const trust = (sha256: string) => {
    onChange({ ...fields, certSha256: sha256 });
    setTrusted(true);
    test.reset();
  };
  const none = fields.driver === '';
  return (
    <fieldset className="bmc" data-testid="bmc-fields">
      <legend>BMC (power and network boot)</legend>
      <Field id="bmc-driver" label="BMC" hint="With a BMC, starting a run sets PXE for the next boot and powers the host on; it is powered off after the verdict.">
        <select id="bmc-driver" value={fields.driver} onChange={set('driver')}>
          <option value="">none (power by hand)</option>
          <option value="ipmi">IPMI over LAN</option>
          <option value="redfish">Redfish</option>
        </select>
      </Field>
      {none ? null : (
        <>
          <Field id="bmc-address" label="Address" error={errors.address} hint={fields.driver === 'ipmi' ? 'HOST or HOST:PORT (UDP 623 by default).' : 'https://HOST[:PORT]; add /redfish/v1/Systems/ID when the BMC manages several systems.'}>
            <input id="bmc-address" className="mono" value={fields.address} onChange={set('address')} aria-invalid={Boolean(errors.address)} />
          </Field>
          <Field id="bmc-user" label="User" error={errors.user}>
            <input id="bmc-user" value={fields.user} onChange={set('user')} autoComplete="off" aria-invalid={Boolean(errors.user)} />
          </Field>
          <Field id="bmc-password" label="Password" error={errors.password} hint={before?.credential === 'stored' ? 'Stored encrypted. Leave empty to keep it.' : 'Stored encrypted on this workstation; never shown again.'}>
            <input id="bmc-password" type="password" value={fields.password} onChange={set('password')} autoComplete="new-password" aria-invalid={Boolean(errors.password)} />
          </Field>
          {fields.driver === 'redfish' ? (
            <Field id="bmc-cert" label="Trusted certificate (SHA-256)" error={errors.certSha256} hint={trusted ? 'Save the host to keep this trust.' : 'Set by “Trust this certificate” after a connection test.'}>
              <input id="bmc-cert" className="mono small" value={fields.certSha256 ? fingerprintText(fields.certSha256) : ''} readOnly placeholder="none yet" />
            </Field>
          ) : null}
          <Field id="bmc-bootmode" label="Network boot mode" hint={fields.driver === 'ipmi' ? 'IPMI always names one: without UEFI it asks for a legacy (BIOS) boot.' : 'Empty: the firmware decides.'}>
            <select id="bmc-bootmode" value={fields.bootMode} onChange={set('bootMode')}>
              <option value="">{fields.driver === 'ipmi' ? 'legacy (BIOS)' : 'as the firmware decides'}</option>
              <option value="uefi">UEFI</option>
              <option value="legacy">legacy (BIOS)</option>
            </select>
          </Field>
          <div className="row">
            <button type="button" onClick={() => test.mutate()} disabled={test.isPending} data-testid="bmc-test">
              {test.isPending ? 'Testing…' : 'Test connection'}
            </button>
          </div>
          {test.data ? <TestResult result={test.data} onTrust={trust} /> : null}
          <ErrorNote error={test.error} what="Not tested" />
        </>
      )}
    </fieldset>
  );
}
