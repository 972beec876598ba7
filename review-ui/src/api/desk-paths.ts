// Api paths of the identification step, the outbox and the review desk tools (relative to API_PREFIX).
export const deskPaths = {
  identification: (id: string) => `/cases/${encodeURIComponent(id)}/identification`,
  identify: (id: string) => `/cases/${encodeURIComponent(id)}/identify`,
  route: (id: string) => `/cases/${encodeURIComponent(id)}/route`,
  registrySearch: '/registry/search',
  policeUnits: '/police-units',
  outbox: '/outbox',
  outboxAttachment: (id: string, n: number) => `/outbox/${encodeURIComponent(id)}/attachments/${n}`,
  postBatches: '/post-batches',
  postBatchPdf: (id: string) => `/post-batches/${encodeURIComponent(id)}/pdf`,
  deliveryRetry: (id: string) => `/deliveries/${encodeURIComponent(id)}/retry`,
  session: '/session',
  caseEvents: '/cases/events',
  throughput: '/desk/throughput',
  deskCameras: '/desk/cameras',
};
