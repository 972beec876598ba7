// Api links (relative to API_PREFIX): files answered as bytes, and the calls the officer's case page
// still makes by path (CasePage is being split; it moves to `call` and core's endpoint table like every other page).
export const paths = {
  queue: '/cases',
  case: (id: string) => `/cases/${encodeURIComponent(id)}`,
  claim: (id: string) => `/cases/${encodeURIComponent(id)}/claim`,
  release: (id: string) => `/cases/${encodeURIComponent(id)}/release`,
  confirm: (id: string) => `/cases/${encodeURIComponent(id)}/confirm`,
  reject: (id: string) => `/cases/${encodeURIComponent(id)}/reject`,
  noticePreview: (id: string) => `/cases/${encodeURIComponent(id)}/notice/preview`,
  noticePdf: (noticeId: string) => `/notices/${encodeURIComponent(noticeId)}/pdf`,
  cameraGeometry: (id: string) => `/cameras/${encodeURIComponent(id)}/geometry`,
  cameraSnapshot: (id: string) => `/cameras/${encodeURIComponent(id)}/snapshot`,
  wallSnapshot: (id: string) => `/stats/cameras/${encodeURIComponent(id)}/snapshot`,
  wallThumbnail: (caseId: string) => `/stats/cases/${encodeURIComponent(caseId)}/thumbnail`,
};

/** Full-page navigations (not fetches): the provider's sign-in starts with a redirect. */
export const signInStart = { staff: '/api/auth/oidc/start', citizen: '/api/citizen/oidc/start' } as const;
