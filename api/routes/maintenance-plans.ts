// /api/v1: maintenance plans (one-off and recurring windows with their plan) and the maintenance log (Điều 11.5, 13.3, 14.1.b).
import type { Deps } from '../context.ts';
import { subApp } from '../openapi.ts';

export function maintenancePlanRoutes(_d: Deps) {
  const app = subApp();
  return app;
}
