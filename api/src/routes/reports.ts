// Reports for supervisors and the operations centre: each report as JSON (the reports page) or as a CSV, XLSX or PDF
// file; report schedules that e-mail a report to a list.
import type { RouteApp } from './route-app';
import { Type } from '@sinclair/typebox';
import { BinaryFile, ErrorResponse, IdParams, OkResponse } from '@phatnguoi/core/contracts/api/common';
import {
  ReportAgencyList,
  ReportKindParams,
  ReportQuery,
  ReportScheduleList,
  ReportScheduleRequest,
  ReportSchedule,
  ReportTable,
} from '@phatnguoi/core/contracts/api/reports';
import { requireRoles, userOf } from '../plugins/auth';
import { buildReport, reportAgencies, reportScope, reportUnit } from '../services/reports';
import { reportFile } from '../reports/files';
import { createSchedule, listSchedules, stopSchedule } from '../services/report-schedules';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

export default async function reportRoutes(app: RouteApp): Promise<void> {
  app.addHook('onRequest', requireRoles('supervisor', 'operator', 'admin'));
  const { db } = app.deps;

  // The agency picker of the reports page: what reportScope below lets this user ask for.
  app.get('/api/report-agencies', { schema: { tags: ['ops'], response: { 200: ReportAgencyList, ...errors } } }, async (req) =>
    reportAgencies(db, userOf(req)),
  );

  app.get(
    '/api/reports/:kind',
    {
      schema: { tags: ['ops'], params: ReportKindParams, querystring: ReportQuery, response: { 200: Type.Union([ReportTable, BinaryFile]), ...errors } },
    },
    async (req, reply) => {
      const u = userOf(req);
      const q = req.query;
      const agencyId = reportScope(u, q.agencyId);
      const table = await buildReport(db, req.params.kind, {
        from: q.from,
        to: q.to,
        split: q.split,
        period: q.period,
        type: q.type,
        agencyId,
        now: app.clock.now(),
      });
      const format = q.format ?? 'json';
      if (format === 'json') return table;
      const unit = await reportUnit(db, agencyId);
      const file = await reportFile(table, format, q.lang ?? 'vi', unit, app.clock.now(), app.opts.noticeFonts);
      return reply
        .type(file.contentType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('cache-control', 'no-store')
        .send(file.body);
    },
  );

  app.get('/api/report-schedules', { schema: { tags: ['ops'], response: { 200: ReportScheduleList, ...errors } } }, async (req) => ({
    items: await listSchedules(db, userOf(req)),
  }));

  app.post(
    '/api/report-schedules',
    {
      schema: { tags: ['ops'], body: ReportScheduleRequest, response: { 201: ReportSchedule, ...errors } },
    },
    async (req, reply) => reply.status(201).send(await createSchedule(db, app.clock, userOf(req), req.body)),
  );

  app.post(
    '/api/report-schedules/:id/stop',
    {
      schema: { tags: ['ops'], params: IdParams, response: { 200: OkResponse, ...errors } },
    },
    async (req) => {
      await stopSchedule(db, app.clock, userOf(req), req.params.id);
      return { ok: true as const };
    },
  );
}
