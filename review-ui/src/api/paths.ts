// Every api path the UI calls, in one place (relative to API_PREFIX).
export const paths = {
  queue: '/cases',
  case: (id: string) => `/cases/${encodeURIComponent(id)}`,
  claim: (id: string) => `/cases/${encodeURIComponent(id)}/claim`,
  release: (id: string) => `/cases/${encodeURIComponent(id)}/release`,
  confirm: (id: string) => `/cases/${encodeURIComponent(id)}/confirm`,
  reject: (id: string) => `/cases/${encodeURIComponent(id)}/reject`,
  plate: (id: string) => `/cases/${encodeURIComponent(id)}/plate`,
  approve: (id: string) => `/cases/${encodeURIComponent(id)}/approve`,
  returnCase: (id: string) => `/cases/${encodeURIComponent(id)}/return`,
  noticePreview: (id: string) => `/cases/${encodeURIComponent(id)}/notice/preview`,
  issueNotice: (id: string) => `/cases/${encodeURIComponent(id)}/notice`,
  noticePdf: (noticeId: string) => `/notices/${encodeURIComponent(noticeId)}/pdf`,
  ownerResponse: (id: string) => `/cases/${encodeURIComponent(id)}/responses`,
  resolve: (id: string) => `/cases/${encodeURIComponent(id)}/resolve`,
  cameras: '/cameras',
  camera: (id: string) => `/cameras/${encodeURIComponent(id)}`,
  cameraGeometry: (id: string) => `/cameras/${encodeURIComponent(id)}/geometry`,
  cameraSnapshot: (id: string) => `/cameras/${encodeURIComponent(id)}/snapshot`,
  stats: '/stats',
  statsStream: '/stats/stream',
  lookupChallenge: '/public/challenge',
  lookup: '/public/lookup',
  publicCase: (ref: string) => `/public/cases/${encodeURIComponent(ref)}`,
  signInOptions: '/auth/options',
  citizenMe: '/citizen/me',
  citizenResponse: (id: string) => `/citizen/cases/${encodeURIComponent(id)}/responses`,
  citizenLogout: '/citizen/logout',
};

/** Full-page navigations (not fetches): the provider's sign-in starts with a redirect. */
export const signInStart = { staff: '/api/auth/oidc/start', citizen: '/api/citizen/oidc/start' } as const;
