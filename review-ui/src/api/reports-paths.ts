// Links of the reports and penalty decision pages (relative to API_PREFIX): a report as a file and a decision's PDF.
// Calls go through `call` and core's endpoint table.
export const reportPaths = {
  report: (kind: string) => `/reports/${encodeURIComponent(kind)}`,
  decisionPdf: (id: string) => `/decisions/${encodeURIComponent(id)}/pdf`,
};
