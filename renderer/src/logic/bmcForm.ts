import { BmcInput, type BmcView } from '../../../common/schema/power.ts';

// The BMC part of the host form: what a person typed, checked with the shared
// schema, turned into the `bmc` of a host body. The password is write-only:
// empty means "keep the stored one" for a BMC that has one.

export interface BmcFormFields {
  /** '' = no BMC. */
  driver: '' | 'ipmi' | 'redfish';
  address: string;
  user: string;
  password: string;
  /** Redfish: the fingerprint of the certificate a person trusted. */
  certSha256: string;
  bootMode: '' | 'uefi' | 'legacy';
}
export type BmcFormField = keyof BmcFormFields;

export function bmcFieldsOf(bmc: BmcView | null | undefined): BmcFormFields {
  return { driver: bmc?.driver ?? '', address: bmc?.address ?? '', user: bmc?.user ?? '', password: '', certSha256: bmc?.certSha256 ?? '', bootMode: bmc?.bootMode ?? '' };
}

export type BmcFormResult =
  /** `value`: the `bmc` to send — an object, null to remove the BMC, undefined to leave it out. */
  { ok: true; value: BmcInput | null | undefined } | { ok: false; errors: Partial<Record<BmcFormField, string>> };

export function validateBmcForm(fields: BmcFormFields, before: BmcView | null | undefined): BmcFormResult {
  if (fields.driver === '') return { ok: true, value: before ? null : undefined };
  const candidate: BmcInput = {
    driver: fields.driver,
    address: fields.address.trim(),
    user: fields.user,
    ...(fields.password ? { password: fields.password } : {}),
    certSha256: fields.driver === 'redfish' && fields.certSha256.trim() ? fields.certSha256.trim() : null,
    bootMode: fields.bootMode || null,
  };
  const errors: Partial<Record<BmcFormField, string>> = {};
  const parsed = BmcInput.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as BmcFormField;
      errors[key in fields ? key : 'address'] ??= issue.message;
    }
  }
  // A BMC new to this host (or a host new to the bench) needs its password; a stored one is kept otherwise.
  if (!fields.password && before?.credential !== 'stored') errors.password = 'enter the BMC password (stored encrypted, never shown again)';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: candidate };
}

/** A fingerprint as BMC pages and browsers print it: upper-case hex pairs with colons. */
export function fingerprintText(hex: string): string {
  return hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}
