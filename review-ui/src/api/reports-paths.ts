// Api paths of the reports, payment reconciliation and penalty decision pages (relative to API_PREFIX).
export const reportPaths = {
  report: (kind: string) => `/reports/${encodeURIComponent(kind)}`,
  agencies: '/report-agencies',
  schedules: '/report-schedules',
  stopSchedule: (id: string) => `/report-schedules/${encodeURIComponent(id)}/stop`,
  imports: '/payments/imports',
  importOne: (id: string) => `/payments/imports/${encodeURIComponent(id)}`,
  mismatches: '/payments/mismatches',
  resolveMismatch: (id: string) => `/payments/mismatches/${encodeURIComponent(id)}/resolve`,
  decision: (caseId: string) => `/cases/${encodeURIComponent(caseId)}/decision`,
  decisionPdf: (id: string) => `/decisions/${encodeURIComponent(id)}/pdf`,
};
