// Every area of the API as `diemcau serve` mounts it (the meetings and reports routes need a
// readiness service): for tests that walk the whole OpenAPI document.

import { callRoutes } from '../../api/routes/calls.ts';
import { meetingRoutes } from '../../api/routes/meetings.ts';
import { readinessRoutes } from '../../api/routes/readiness.ts';
import { reportRoutes } from '../../api/routes/reports.ts';
import type { ApiDeps } from '../../api/server.ts';
import { Readiness } from '../../meetings/readiness.ts';
import { JointReadiness } from '../../meetings/readiness-service.ts';
import { DbMeetings } from '../../meetings/store.ts';

type RouteFactory = NonNullable<ApiDeps['routes']>[number];

const readiness = (d: Parameters<RouteFactory>[0]) =>
  new Readiness(d.rt.state, d.rt.inventory, {
    meetings: new DbMeetings(d.rt.state, d.rt.inventory),
    store: d.store,
    alerts: d.alerts,
  });

export const EVERY_AREA: RouteFactory[] = [
  (d) => meetingRoutes(d, { readiness: readiness(d) }),
  (d) => reportRoutes(d, { readiness: readiness(d) }),
  (d) => callRoutes(d),
  (d) =>
    readinessRoutes(
      d,
      new JointReadiness(d.rt.state, d.rt.inventory, {
        meetings: new DbMeetings(d.rt.state, d.rt.inventory),
        outbox: null as never, // the routes only read and confirm; nothing is sent
        secret: Buffer.alloc(32, 1),
        baseUrl: 'http://127.0.0.1',
      }),
      { readiness: readiness(d) },
    ),
];
