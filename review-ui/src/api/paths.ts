// Api links (relative to API_PREFIX): files answered as bytes, and the claim release sent with keepalive as a page
// closes. Calls go through `call` and core's endpoint table, event streams through `liveStream`.
export const paths = {
  release: (id: string) => `/cases/${encodeURIComponent(id)}/release`,
  noticePreview: (id: string) => `/cases/${encodeURIComponent(id)}/notice/preview`,
  noticePdf: (noticeId: string) => `/notices/${encodeURIComponent(noticeId)}/pdf`,
  cameraSnapshot: (id: string) => `/cameras/${encodeURIComponent(id)}/snapshot`,
  wallSnapshot: (id: string) => `/stats/cameras/${encodeURIComponent(id)}/snapshot`,
  wallThumbnail: (caseId: string) => `/stats/cases/${encodeURIComponent(caseId)}/thumbnail`,
};

/** Full-page navigations (not fetches): the provider's sign-in starts with a redirect. */
export const signInStart = { staff: '/api/auth/oidc/start', citizen: '/api/citizen/oidc/start' } as const;
