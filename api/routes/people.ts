// /api/v1: people, site technicians and their history, trainings, carrier and power duty rosters (Điều 10, 13.2, 14.1.e, 14.2.b).
import type { Deps } from '../context.ts';
import { subApp } from '../openapi.ts';

export function peopleRoutes(_d: Deps) {
  const app = subApp();
  return app;
}
