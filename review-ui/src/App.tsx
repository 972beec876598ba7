import { lazy, Suspense, useEffect, useRef, type ComponentType, type LazyExoticComponent } from 'react';
import type { Role } from '@phatnguoi/core/contracts/api/common';
import { AuthProvider, HOME_OF, useAuth } from './auth';
import { I18nProvider, useI18n, type MessageKey } from './i18n';
import { Link, matchPath, RouterProvider, useRouter } from './router';
import { LoginPage } from './pages/LoginPage';

// One lazily loaded chunk per audience, so a citizen on a phone never downloads the officer's pages.
const QueuePage = lazy(() => import('./pages/officer/QueuePage'));
const CasePage = lazy(() => import('./pages/officer/CasePage'));
const SupervisorPage = lazy(() => import('./pages/supervisor/SupervisorPage'));
const OpsWall = lazy(() => import('./pages/ops/OpsWall'));
const CameraGrid = lazy(() => import('./pages/ops/CameraGrid'));
const LookupPage = lazy(() => import('./pages/citizen/LookupPage'));
const PublicCasePage = lazy(() => import('./pages/citizen/PublicCasePage'));
const MyCasesPage = lazy(() => import('./pages/citizen/MyCasesPage'));
const CameraListPage = lazy(() => import('./pages/admin/CameraListPage'));
const CameraSetupPage = lazy(() => import('./pages/admin/CameraSetupPage'));
const CameraFormPage = lazy(() => import('./pages/admin/CameraFormPage'));
const UsersPage = lazy(() => import('./pages/admin/UsersPage'));
const RegistryImportPage = lazy(() => import('./pages/admin/RegistryImportPage'));
const AgenciesPage = lazy(() => import('./pages/admin/AgenciesPage'));
const FinesPage = lazy(() => import('./pages/admin/FinesPage'));
const TokensPage = lazy(() => import('./pages/admin/TokensPage'));
const RetentionPage = lazy(() => import('./pages/admin/RetentionPage'));
const OutboxPage = lazy(() => import('./pages/supervisor/OutboxPage'));
const ReportsPage = lazy(() => import('./pages/reports/ReportsPage'));
const PaymentsPage = lazy(() => import('./pages/reports/PaymentsPage'));

type PageProps = { params: Record<string, string> };
interface RouteDef {
  pattern: string;
  /** null: public (citizen) page. */
  roles: Role[] | null;
  title: MessageKey;
  component: LazyExoticComponent<ComponentType<PageProps>>;
}

const ROUTES: RouteDef[] = [
  { pattern: '/officer', roles: ['officer', 'supervisor'], title: 'nav.queue', component: QueuePage },
  { pattern: '/officer/cases/:id', roles: ['officer', 'supervisor'], title: 'case.title', component: CasePage },
  { pattern: '/supervisor', roles: ['supervisor'], title: 'nav.supervisor', component: SupervisorPage },
  { pattern: '/supervisor/:tab', roles: ['supervisor'], title: 'nav.supervisor', component: SupervisorPage },
  { pattern: '/outbox', roles: ['supervisor', 'admin'], title: 'outbox.nav', component: OutboxPage },
  { pattern: '/reports', roles: ['supervisor', 'operator', 'admin'], title: 'nav.reports', component: ReportsPage },
  { pattern: '/payments', roles: ['supervisor', 'admin'], title: 'nav.payments', component: PaymentsPage },
  { pattern: '/ops', roles: ['operator', 'supervisor', 'admin'], title: 'nav.ops', component: OpsWall },
  { pattern: '/ops/cameras', roles: ['operator', 'supervisor', 'admin'], title: 'nav.cameras', component: CameraGrid },
  { pattern: '/admin/cameras', roles: ['admin'], title: 'nav.cameraSetup', component: CameraListPage },
  { pattern: '/admin/cameras/new', roles: ['admin'], title: 'adm.cam.newTitle', component: CameraFormPage },
  { pattern: '/admin/cameras/:id/settings', roles: ['admin'], title: 'nav.cameraSetup', component: CameraFormPage },
  { pattern: '/admin/cameras/:id', roles: ['admin'], title: 'nav.cameraSetup', component: CameraSetupPage },
  { pattern: '/admin/users', roles: ['admin'], title: 'adm.nav.users', component: UsersPage },
  { pattern: '/admin/registry', roles: ['admin'], title: 'adm.nav.import', component: RegistryImportPage },
  { pattern: '/admin/agencies', roles: ['admin'], title: 'adm.nav.agencies', component: AgenciesPage },
  { pattern: '/admin/fines', roles: ['admin'], title: 'adm.nav.fines', component: FinesPage },
  { pattern: '/admin/tokens', roles: ['admin'], title: 'adm.nav.tokens', component: TokensPage },
  { pattern: '/admin/retention', roles: ['admin'], title: 'adm.nav.retention', component: RetentionPage },
  // /tra-cuu/<token> is the address printed as a QR code on notices; /lookup is the English alias.
  { pattern: '/tra-cuu', roles: null, title: 'nav.lookup', component: LookupPage },
  { pattern: '/tra-cuu/:ref', roles: null, title: 'citizen.caseTitle', component: PublicCasePage },
  { pattern: '/lookup', roles: null, title: 'nav.lookup', component: LookupPage },
  { pattern: '/lookup/:ref', roles: null, title: 'citizen.caseTitle', component: PublicCasePage },
  // The signed-in citizen's own cases (VNeID); /citizen is the English alias.
  { pattern: '/cong-dan', roles: null, title: 'me.title', component: MyCasesPage },
  { pattern: '/citizen', roles: null, title: 'me.title', component: MyCasesPage },
];

const NAV: { to: string; label: MessageKey; roles: Role[] }[] = [
  { to: '/officer', label: 'nav.queue', roles: ['officer', 'supervisor'] },
  { to: '/supervisor', label: 'nav.supervisor', roles: ['supervisor'] },
  { to: '/outbox', label: 'outbox.nav', roles: ['supervisor', 'admin'] },
  { to: '/reports', label: 'nav.reports', roles: ['supervisor', 'operator', 'admin'] },
  { to: '/payments', label: 'nav.payments', roles: ['supervisor', 'admin'] },
  { to: '/ops', label: 'nav.ops', roles: ['operator', 'supervisor', 'admin'] },
  { to: '/ops/cameras', label: 'nav.cameras', roles: ['operator', 'supervisor', 'admin'] },
  { to: '/admin/cameras', label: 'nav.cameraSetup', roles: ['admin'] },
];

function Header() {
  const { t, lang, setLang } = useI18n();
  const { user, logout } = useAuth();
  const { navigate, path } = useRouter();
  const isCitizen = path.startsWith('/lookup') || path.startsWith('/tra-cuu') || path === '/cong-dan' || path === '/citizen';
  return (
    <header className="app-header">
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <span className="brand">{t('app.name')}</span>
      <nav aria-label={t('nav.main')}>
        <ul>
          {user &&
            !isCitizen &&
            NAV.filter((n) => n.roles.includes(user.role)).map((n) => (
              <li key={n.to}>
                <Link to={n.to}>{t(n.label)}</Link>
              </li>
            ))}
          {(isCitizen || !user) && (
            <>
              <li>
                <Link to="/tra-cuu">{t('nav.lookup')}</Link>
              </li>
              <li>
                <Link to="/cong-dan">{t('me.nav')}</Link>
              </li>
            </>
          )}
        </ul>
      </nav>
      <div className="header-tools">
        <button type="button" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')} lang={lang === 'vi' ? 'en' : 'vi'} aria-label={t('app.switchLang')}>
          {lang === 'vi' ? 'English' : 'Tiếng Việt'}
        </button>
        {user && !isCitizen && (
          <>
            <span className="who" data-testid="who">
              {user.displayName} · {t(`role.${user.role}`)}
            </span>
            <button
              type="button"
              onClick={() => {
                void logout().then(() => navigate('/login'));
              }}
            >
              {t('auth.logout')}
            </button>
          </>
        )}
      </div>
    </header>
  );
}

function Forbidden() {
  const { t } = useI18n();
  return (
    <section role="alert" className="panel">
      <h1>{t('error.forbiddenTitle')}</h1>
      <p>{t('error.forbidden')}</p>
    </section>
  );
}

function NotFound() {
  const { t } = useI18n();
  return (
    <section className="panel">
      <h1>{t('error.notFoundTitle')}</h1>
      <Link to="/">{t('app.home')}</Link>
    </section>
  );
}

function Routes() {
  const { path, navigate } = useRouter();
  const { user, loading, ensureSession } = useAuth();
  const { t } = useI18n();
  const main = useRef<HTMLElement>(null);

  let route: RouteDef | undefined;
  let params: Record<string, string> = {};
  for (const r of ROUTES) {
    const m = matchPath(r.pattern, path);
    if (m) {
      route = r;
      params = m;
      break;
    }
  }

  useEffect(() => {
    document.title = `${route ? t(route.title) : t('app.name')} · ${t('app.name')}`;
  }, [route, t]);

  // Move focus to the new page's main region so keyboard and screen reader users start there.
  useEffect(() => {
    main.current?.focus({ preventScroll: true });
  }, [path]);

  const needsSession = !route || route.roles !== null;
  useEffect(() => {
    if (needsSession) ensureSession();
  }, [needsSession, ensureSession]);

  useEffect(() => {
    if (loading) return;
    if (path === '/' || path === '') navigate(user ? HOME_OF[user.role] : '/login', { replace: true });
    else if (path === '/login' && user) navigate(HOME_OF[user.role], { replace: true });
    else if (route?.roles && !user) navigate(`/login?next=${encodeURIComponent(path)}`, { replace: true });
  }, [loading, path, user, route, navigate]);

  let content;
  if (path === '/login') content = <LoginPage />;
  else if (!route) content = <NotFound />;
  else if (route.roles && (loading || !user)) content = <p aria-busy="true">{t('app.loading')}</p>;
  else if (route.roles && user && !route.roles.includes(user.role)) content = <Forbidden />;
  else {
    const Page = route.component;
    // keyed by the path: the next case mounts fresh, with nothing left over from the last one
    content = <Page key={path} params={params} />;
  }
  return (
    <main id="main" ref={main} tabIndex={-1}>
      <Suspense fallback={<p aria-busy="true">{t('app.loading')}</p>}>{content}</Suspense>
    </main>
  );
}

export function App() {
  return (
    <I18nProvider>
      <RouterProvider>
        <AuthProvider>
          <Header />
          <Routes />
        </AuthProvider>
      </RouterProvider>
    </I18nProvider>
  );
}
