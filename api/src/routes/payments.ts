// Penalty decisions on a case (record, read, print) and payment reconciliation (upload a file of payment records,
// follow the import's progress, list and resolve the mismatches).
import type { RouteApp } from './route-app';
import { BinaryFile, ErrorResponse, IdParams } from '@phatnguoi/core/contracts/api/common';
import {
  Decision,
  MismatchList,
  Mismatch,
  PaymentImport,
  PaymentImportList,
  PaymentImportQuery,
  MismatchQuery,
  CaseDecisionResponse,
  RecordDecisionRequest,
  ResolveMismatchRequest,
} from '@phatnguoi/core/contracts/api/reports';
import { UserError } from '@phatnguoi/core/errors';
import { requireRoles, userOf } from '../plugins/auth';
import { fieldError } from '../domain/field-error';
import { decisionPdf, findDecision, recordDecision } from '../services/decisions';
import { createImport, getImport, listImports, listMismatches, resolveMismatch } from '../services/payments';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const FILENAME_RE = /^[\p{L}\p{N} ._()-]{1,120}$/u;

export default async function paymentRoutes(app: RouteApp): Promise<void> {
  const { db } = app.deps;

  await app.register(async (desk: RouteApp) => {
    desk.addHook('onRequest', requireRoles('officer', 'supervisor'));
    desk.get(
      '/api/cases/:id/decision',
      {
        schema: { tags: ['supervisor'], params: IdParams, response: { 200: CaseDecisionResponse, ...errors } },
      },
      async (req) => ({ decision: await findDecision(db, userOf(req), { caseId: req.params.id }) }),
    );

    desk.get('/api/decisions/:id/pdf', { schema: { tags: ['supervisor'], params: IdParams, response: { 200: BinaryFile, ...errors } } }, async (req, reply) => {
      const { number, pdf } = await decisionPdf(db, userOf(req), req.params.id, app.opts.noticeFonts);
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="quyet-dinh-${number.replace(/[^\w.-]+/g, '-')}.pdf"`)
        .send(pdf);
    });
  });

  await app.register(async (office: RouteApp) => {
    office.addHook('onRequest', requireRoles('supervisor'));
    office.post(
      '/api/cases/:id/decision',
      {
        schema: { tags: ['supervisor'], params: IdParams, body: RecordDecisionRequest, response: { 201: Decision, ...errors } },
      },
      async (req, reply) => reply.status(201).send(await recordDecision(db, app.clock, userOf(req), req.params.id, req.body)),
    );
  });

  await app.register(async (payments: RouteApp) => {
    payments.addHook('onRequest', requireRoles('supervisor', 'admin'));

    await payments.register(async (upload: RouteApp) => {
      // The file as sent: CSV or JSON bytes, parsed later by the import job.
      upload.removeContentTypeParser('application/json');
      upload.addContentTypeParser(['application/json', 'text/csv'], { parseAs: 'buffer', bodyLimit: app.opts.csvBodyLimit }, (_req, body, done) =>
        done(null, body),
      );
      upload.post(
        '/api/payments/imports',
        {
          bodyLimit: app.opts.csvBodyLimit,
          schema: {
            tags: ['supervisor'],
            consumes: ['text/csv', 'application/json'],
            // source: whose export the file is (docs/payments.md); detected from the file when not given
            querystring: PaymentImportQuery,
            response: { 202: PaymentImport, ...errors },
          },
        },
        async (req, reply) => {
          const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
          const format = type === 'text/csv' ? 'csv' : type === 'application/json' ? 'json' : null;
          if (!format) throw new UserError('bad_content_type', 'send the file as text/csv or application/json');
          const filename = req.query.filename ?? `thanh-toan.${format}`;
          if (!FILENAME_RE.test(filename)) throw fieldError('bad_filename', 'filename', 'letters, digits, spaces and . _ ( ) - only');
          const u = userOf(req);
          const id = await createImport(db, app.clock, u, { filename, format, source: req.query.source, content: req.body as Buffer });
          await app.deps.queues.enqueue('payments.import', { importId: id });
          return reply.status(202).send(await getImport(db, u, id));
        },
      );
    });

    payments.get('/api/payments/imports', { schema: { tags: ['supervisor'], response: { 200: PaymentImportList, ...errors } } }, async (req) => ({
      items: await listImports(db, userOf(req)),
    }));
    payments.get(
      '/api/payments/imports/:id',
      { schema: { tags: ['supervisor'], params: IdParams, response: { 200: PaymentImport, ...errors } } },
      async (req) => getImport(db, userOf(req), req.params.id),
    );
    payments.get(
      '/api/payments/mismatches',
      {
        schema: {
          tags: ['supervisor'],
          querystring: MismatchQuery,
          response: { 200: MismatchList, ...errors },
        },
      },
      async (req) => ({ items: await listMismatches(db, userOf(req), { importId: req.query.importId, open: !req.query.all }) }),
    );
    payments.post(
      '/api/payments/mismatches/:id/resolve',
      {
        schema: { tags: ['supervisor'], params: IdParams, body: ResolveMismatchRequest, response: { 200: Mismatch, ...errors } },
      },
      async (req) => resolveMismatch(db, app.clock, userOf(req), req.params.id, req.body),
    );
  });
}
