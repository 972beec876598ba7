// Api paths of the administrator console (relative to API_PREFIX).
const id = (v: string) => encodeURIComponent(v);
export const adminPaths = {
  cameras: '/admin/cameras',
  camera: (cameraId: string) => `/admin/cameras/${id(cameraId)}`,
  testStream: '/admin/cameras/test-stream',
  users: '/admin/users',
  user: (userId: string) => `/admin/users/${id(userId)}`,
  userAction: (userId: string, action: 'deactivate' | 'activate' | 'sessions/revoke' | 'password') => `/admin/users/${id(userId)}/${action}`,
  agencies: '/admin/agencies',
  agency: (agencyId: string) => `/admin/agencies/${id(agencyId)}`,
  fines: '/admin/fines',
  offences: '/admin/fines/offences',
  tokens: '/admin/tokens',
  revokeToken: (tokenId: string) => `/admin/tokens/${id(tokenId)}/revoke`,
  imports: '/admin/registry/imports',
  import: (importId: string) => `/admin/registry/imports/${id(importId)}`,
  retention: '/admin/retention',
};
