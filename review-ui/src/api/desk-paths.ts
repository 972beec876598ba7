// Links of the outbox (relative to API_PREFIX): files answered as bytes. Calls go through `call` and core's endpoint
// table, event streams through `liveStream`.
export const deskPaths = {
  outboxAttachment: (id: string, n: number) => `/outbox/${encodeURIComponent(id)}/attachments/${n}`,
  postBatchPdf: (id: string) => `/post-batches/${encodeURIComponent(id)}/pdf`,
};
