// /api/v1: difficulties and proposals filed by host offices and technicians, answered by the NOC (Điều 11.4, 15.2).
import type { Deps } from '../context.ts';
import { subApp } from '../openapi.ts';

export function feedbackRoutes(_d: Deps) {
  const app = subApp();
  return app;
}
