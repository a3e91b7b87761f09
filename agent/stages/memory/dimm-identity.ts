import type { DmiMemoryDevice } from '../../parsers/dmidecode.ts';

// Which SMBIOS memory device (dmidecode type 17: slot, serial) an EDAC DIMM label
// names. Firmware-first platforms (ghes_edac) label DIMMs "<Bank Locator> <Locator>"
// from SMBIOS itself; boards with a label database or a person may write the silk-screen
// name (the Locator) into dimm_label; Intel's native drivers use their own
// "CPU_SrcID#0_Ha#0_Chan#0_DIMM#0", which names no slot SMBIOS knows. Only a match to
// exactly one module counts: a wrong serial would send someone to replace a good DIMM.

const norm = (s: string | null | undefined) => (s ?? '').trim().replace(/\s+/g, ' ').toLowerCase();

export function smbiosModuleFor(label: string, modules: readonly DmiMemoryDevice[]): DmiMemoryDevice | null {
  const l = norm(label);
  if (l === '') return null;
  const matches = modules.filter((m) => {
    const loc = norm(m.locator);
    if (loc === '') return false;
    const bank = norm(m.bankLocator);
    if (l === loc || (bank && l === `${bank} ${loc}`)) return true;
    // "NODE 1 CPU1_DIMM_A1" ends with the locator after a separator.
    return l.length > loc.length && l.endsWith(loc) && /[\s_#:/-]/.test(l[l.length - loc.length - 1]!);
  });
  return matches.length === 1 ? matches[0]! : null;
}
