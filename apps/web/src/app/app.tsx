import { eventSourceSchema } from '@warroom/contracts';
import { AgentPage } from '../features/agent/components/agent-page';
import { ReportsPage } from '../features/reports/components/reports-page';
import { TrainerPage } from '../features/trainer/components/trainer-page';
import { WallPage } from '../features/wall/components/wall-page';

/** Routes by path; each route composes one feature. */
export function App() {
  const params = new URLSearchParams(window.location.search);
  const lang = params.get('lang') === 'en' ? 'en' : 'zh';
  const path = window.location.pathname.replace(/\/+$/, '') || '/wall';
  // Live by default; `?source=rehearsal` watches a rehearsal on purpose (DESIGN.md "Words").
  const source = eventSourceSchema.catch('live').parse(params.get('source') ?? 'live');
  if (path === '/wall') return <WallPage token={params.get('token')} lang={lang} source={source} />;
  if (path === '/reports') return <ReportsPage lang={lang} />;
  if (path === '/trainer') return <TrainerPage lang={lang} source={source} />;
  if (path === '/agent') return <AgentPage lang={lang} />;
  return (
    <main style={{ padding: '4vh' }}>
      <a href="/wall" style={{ color: '#58a6ff' }}>
        /wall
      </a>
    </main>
  );
}
