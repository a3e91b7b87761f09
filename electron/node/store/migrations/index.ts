import { sql as m1 } from './0001-initial.ts';
import { sql as m2 } from './0002-notifications.ts';
import { sql as m3 } from './0003-chart-index.ts';
import { sql as m4 } from './0004-minute-rollup.ts';
import { sql as m5 } from './0005-boot-events.ts';
import { sql as m6 } from './0006-verdict-coverage.ts';
import { sql as m7 } from './0007-security.ts';
import { sql as m8 } from './0008-bmc-power.ts';
import { sql as m9 } from './0009-components.ts';
import { sql as m10 } from './0010-custom-profiles.ts';

/** Numbered migrations, applied in order at start; the last applied number is recorded. */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  { version: 1, name: 'initial', sql: m1 },
  { version: 2, name: 'notifications', sql: m2 },
  { version: 3, name: 'chart-index', sql: m3 },
  { version: 4, name: 'minute-rollup', sql: m4 },
  { version: 5, name: 'boot-events', sql: m5 },
  { version: 6, name: 'verdict-coverage', sql: m6 },
  { version: 7, name: 'security', sql: m7 },
  { version: 8, name: 'bmc-power', sql: m8 },
  { version: 9, name: 'components', sql: m9 },
  { version: 10, name: 'custom-profiles', sql: m10 },
];
