// /api/v1: the equipment register: identity read by the collector, purchase data entered by hand, fault and maintenance history, the budget export (Điều 12, 13.5).
import type { Deps } from '../context.ts';
import { subApp } from '../openapi.ts';

export function assetRoutes(_d: Deps) {
  const app = subApp();
  return app;
}
