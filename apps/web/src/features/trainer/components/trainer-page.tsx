import { TRAINER_DESK_ROLES, canUseTrainerDesk, type EventSource, type User } from '@warroom/contracts';
import { useEffect, useMemo, useRef, useState } from 'react';
import '../../../components/console.css';
import { SignInForm } from '../../../components/sign-in-form';
import { useSession } from '../../../lib/session';
import { useGapInbox } from '../hooks/use-gap-inbox';
import { BriefingPanel } from './briefing-panel';
import { GapEditor } from './gap-editor';
import { GapInboxView, visibleGaps, type InboxFilters } from './gap-inbox';
import { messages, type Lang, type Messages } from './messages';
import { ShortcutLegend } from '../../../components/shortcut-legend';
import { isTyping } from '../../../utils/keyboard';

/** `/trainer[?lang=en][&source=rehearsal]`: sign in, then the gap inbox beside the patch editor. */
export function TrainerPage({ lang, source }: { lang: Lang; source: EventSource }) {
  const t: Messages = messages[lang];
  const { session, keep, signOut } = useSession();
  if (!session || !canUseTrainerDesk(session.user)) {
    return <SignInForm title={t.signInTitle} lang={lang} allowed={TRAINER_DESK_ROLES} allowedLabel={t.allowed} onSignedIn={keep} />;
  }
  return <Workstation token={session.token} user={session.user} lang={lang} source={source} t={t} signOut={signOut} />;
}

function Workstation({ token, user, lang, source, t, signOut }: { token: string; user: User; lang: Lang; source: EventSource; t: Messages; signOut: () => void }) {
  const inbox = useGapInbox(token, source);
  const [filters, setFilters] = useState<InboxFilters>({ stage: '', shop: '', sku: '', mine: false });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  // A gap merged away: follow it to the gap it went into.
  const followed = selectedId !== null && !inbox.gaps.has(selectedId) ? (inbox.mergedInto.get(selectedId) ?? selectedId) : selectedId;
  const all = useMemo(() => [...inbox.gaps.values()], [inbox.gaps]);
  const shown = useMemo(() => visibleGaps(all, filters, user, followed), [all, filters, user, followed]);
  const selected = followed === null ? null : (inbox.gaps.get(followed) ?? null);

  // j / k move through the list, Esc closes the editor.
  const keys = useRef({ shown, followed });
  keys.current = { shown, followed };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        if (isTyping(event.target) && event.target instanceof HTMLElement) event.target.blur();
        else setSelectedId(null);
        return;
      }
      if (isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key !== 'j' && event.key !== 'k') return;
      const { shown: list, followed: current } = keys.current;
      if (list.length === 0) return;
      const index = list.findIndex((gap) => gap.gapId === current);
      const next = event.key === 'j' ? Math.min(list.length - 1, index + 1) : Math.max(0, index === -1 ? 0 : index - 1);
      setSelectedId(list[next]?.gapId ?? null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const connection = inbox.connection.connected ? (inbox.mode === 'push' ? t.live : t.polling) : inbox.mode === 'poll' ? t.polling : t.disconnected;
  return (
    <main className="console" data-testid="trainer">
      <header className="console-header">
        <h1>{t.title}</h1>
        <span className="small" data-testid="connection" data-mode={inbox.mode} style={{ color: inbox.connection.connected ? '#56d364' : '#f0b72f' }}>
          ● {connection}
        </span>
        <span className="spacer" />
        <ShortcutLegend label={t.shortcuts} keys={t.keys} />
        <span data-testid="who">
          {user.displayName} · <span className="badge claimed">{user.role === 'lead' ? t.lead : (t.grades[user.grade ?? ''] ?? user.grade)}</span>
        </span>
        <button className="btn link" type="button" onClick={signOut}>
          {t.signOut}
        </button>
      </header>
      <div className="console-body" style={{ gridTemplateColumns: 'minmax(360px, 34%) 1fr' }}>
        <div className="pane">
          {inbox.problem ? <div className="notice error">{inbox.problem}</div> : null}
          <BriefingPanel token={token} source={source} select={setSelectedId} t={t} />
          <GapInboxView gaps={shown} all={all} filters={filters} setFilters={setFilters} selectedId={followed} select={setSelectedId} fresh={inbox.fresh} user={user} t={t} />
        </div>
        <div className="pane">
          {selected ? (
            <GapEditor key={selected.gapId} gap={selected} token={token} user={user} lang={lang} t={t} source={source} upsert={inbox.upsert} />
          ) : (
            <div className="muted" style={{ marginTop: '20vh', textAlign: 'center' }}>
              {t.pickGap}
            </div>
          )}
        </div>
      </div>
    </main>
  );
}
