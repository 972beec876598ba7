// Links of the review desk and the outbox (relative to API_PREFIX): the queue's event stream and files answered as
// bytes. Calls go through `call` and core's endpoint table.
export const deskPaths = {
  outboxAttachment: (id: string, n: number) => `/outbox/${encodeURIComponent(id)}/attachments/${n}`,
  postBatchPdf: (id: string) => `/post-batches/${encodeURIComponent(id)}/pdf`,
  caseEvents: '/cases/events',
};
