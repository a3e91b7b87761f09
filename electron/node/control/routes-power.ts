import { BmcTestBody } from '../../../common/schema/index.ts';
import type { PowerService } from '../power/power-service.ts';
import { parseWith, route, type Route } from './http-kit.ts';

/**
 * The BMC "Test connection" (docs/api.md). Power actions themselves belong to
 * runs (POST /api/runs starts with PXE and power-on; abandon may power off).
 */
export function powerRoutes(ctx: { power: PowerService }): Route[] {
  return [route('POST', '/api/bmc/test', ({ body }) => ctx.power.test(parseWith(BmcTestBody, body)))];
}
