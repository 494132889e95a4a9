import { HANDOFF_ROLES, canWorkHandoffs, type AgentChat, type User, type WaitingSession } from '@warroom/contracts';
import { useEffect, useMemo, useRef, useState } from 'react';
import '../../../components/console.css';
import { SignInForm } from '../../../components/sign-in-form';
import { useNow } from '../../../hooks/use-now';
import { errorText } from '../../../lib/api-client';
import { useSession } from '../../../lib/session';
import { acceptChat } from '../api/desk';
import { urgency, useQueue } from '../hooks/use-queue';
import { FollowUpList } from './follow-up-list';
import { ChatPanel } from './chat-panel';
import { formatWait } from './format';
import { messages, type Lang, type Messages } from './messages';
import { ShortcutLegend } from '../../../components/shortcut-legend';
import { isTyping } from '../../../utils/keyboard';

const keyOf = (s: { shopId: string; sessionId: string }) => `${s.shopId}/${s.sessionId}`;

/** `/agent[?lang=en]`: sign in, then the handoff queue beside the chat the agent works on. */
export function AgentPage({ lang }: { lang: Lang }) {
  const t: Messages = messages[lang];
  const { session, keep, signOut } = useSession();
  if (!session || !canWorkHandoffs(session.user)) {
    return <SignInForm title={t.signInTitle} lang={lang} allowed={HANDOFF_ROLES} allowedLabel={t.allowed} onSignedIn={keep} />;
  }
  return <Console token={session.token} user={session.user} lang={lang} t={t} signOut={signOut} />;
}

type Entry = { kind: 'mine'; chat: AgentChat } | { kind: 'waiting'; session: WaitingSession } | { kind: 'other'; chat: AgentChat };

function Console({ token, user, lang, t, signOut }: { token: string; user: User; lang: Lang; t: Messages; signOut: () => void }) {
  const { queue, problem, refresh } = useQueue(token);
  const [selected, setSelected] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionProblem, setActionProblem] = useState<string | null>(null);
  const now = useNow();

  const entries = useMemo<Entry[]>(() => {
    if (!queue) return [];
    const mine = queue.active.filter((chat) => chat.agentId === user.login).map((chat): Entry => ({ kind: 'mine', chat }));
    const waiting = [...queue.waiting].sort((a, b) => urgency(b, now) - urgency(a, now)).map((session): Entry => ({ kind: 'waiting', session }));
    const others = queue.active.filter((chat) => chat.agentId !== user.login).map((chat): Entry => ({ kind: 'other', chat }));
    return [...mine, ...waiting, ...others];
  }, [queue, user.login, now]);
  const current = entries.find((entry) => keyOf(entry.kind === 'waiting' ? entry.session : entry.chat) === selected) ?? null;

  const accept = async (session: WaitingSession) => {
    setBusy(true);
    setActionProblem(null);
    try {
      await acceptChat(token, { shopId: session.shopId, sessionId: session.sessionId });
      refresh();
    } catch (error) {
      setActionProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  };

  const keys = useRef({ entries, current, accept });
  keys.current = { entries, current, accept };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // Esc leaves a text field, so the one-key shortcuts work again.
      if (event.key === 'Escape' && isTyping(event.target) && event.target instanceof HTMLElement) return event.target.blur();
      if (isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      const { entries: list, current: entry } = keys.current;
      if (event.key === 'a' && entry?.kind === 'waiting') void keys.current.accept(entry.session);
      if (event.key !== 'j' && event.key !== 'k') return;
      if (list.length === 0) return;
      const index = entry ? list.indexOf(entry) : -1;
      const next = list[event.key === 'j' ? Math.min(list.length - 1, index + 1) : Math.max(0, index - 1)];
      if (next) setSelected(keyOf(next.kind === 'waiting' ? next.session : next.chat));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const mine = entries.filter((entry) => entry.kind === 'mine');
  const waiting = entries.filter((entry) => entry.kind === 'waiting');
  return (
    <main className="console" data-testid="agent-console">
      <header className="console-header">
        <h1>{t.title}</h1>
        <span className="spacer" />
        <ShortcutLegend label={t.shortcuts} keys={t.keys} />
        <span data-testid="who">{user.displayName}</span>
        <button className="btn link" type="button" onClick={signOut}>
          {t.signOut}
        </button>
      </header>
      <div className="console-body" style={{ gridTemplateColumns: 'minmax(340px, 32%) 1fr' }}>
        <div className="pane">
          {problem ? <div className="notice error">{problem}</div> : null}
          {mine.length > 0 ? <h2 style={{ fontSize: 15, margin: '0 0 8px' }}>{t.mine}</h2> : null}
          {mine.map((entry) => entry.kind === 'mine' && <ChatRow key={keyOf(entry.chat)} entry={entry} selected={current === entry} onSelect={setSelected} now={now} lang={lang} t={t} />)}
          <h2 style={{ fontSize: 15, margin: '12px 0 8px' }} data-testid="waiting-count">
            {t.waiting(queue?.waitingTotal ?? 0)}
          </h2>
          {waiting.length === 0 ? <div className="muted">{t.emptyQueue}</div> : null}
          <div data-testid="queue">
            {waiting.map((entry) => entry.kind === 'waiting' && <ChatRow key={keyOf(entry.session)} entry={entry} selected={current === entry} onSelect={setSelected} now={now} lang={lang} t={t} />)}
          </div>
          <FollowUpList token={token} now={now} lang={lang} t={t} />
        </div>
        <div className="pane">
          {actionProblem ? <div className="notice error">{actionProblem}</div> : null}
          {current === null ? (
            <div className="muted" style={{ marginTop: '20vh', textAlign: 'center' }}>
              {t.pick}
            </div>
          ) : current.kind === 'mine' ? (
            <ChatPanel key={keyOf(current.chat)} chat={current.chat} token={token} user={user} lang={lang} t={t} onEnded={refresh} />
          ) : current.kind === 'waiting' ? (
            <div className="panel" data-testid="waiting-detail">
              <div style={{ fontSize: 18, fontWeight: 700, marginBottom: 6 }}>{current.session.lastQuestion.text}</div>
              <SessionFacts facts={current.session} t={t} />
              <button className="btn primary" type="button" style={{ marginTop: 10 }} disabled={busy} onClick={() => void accept(current.session)} data-testid="accept">
                {busy ? t.accepting : t.accept}
              </button>
            </div>
          ) : (
            <div className="panel">{t.heldBy(current.chat.agentId)}</div>
          )}
        </div>
      </div>
    </main>
  );
}

function SessionFacts({ facts, t }: { facts: WaitingSession | AgentChat; t: Messages }) {
  return (
    <div className="row small muted">
      <span className={`badge ${facts.emotion.name === 'angry' ? 'angry' : ''}`}>{t.emotions[facts.emotion.name]}</span>
      <span>{t.reasons[facts.handoffReason]}</span>
      <span>{facts.shopId}</span>
      <span>{t.stages[facts.stage]}</span>
      {facts.sku ? <span>{facts.sku}</span> : null}
      <span>{t.questions(facts.questions)}</span>
    </div>
  );
}

function ChatRow({ entry, selected, onSelect, now, lang, t }: { entry: Entry; selected: boolean; onSelect: (key: string) => void; now: number; lang: Lang; t: Messages }) {
  const facts = entry.kind === 'waiting' ? entry.session : entry.chat;
  const waitedSec = entry.kind === 'waiting' ? (now - Date.parse(entry.session.handedOffAt)) / 1000 : entry.chat.waitedSec;
  return (
    <button type="button" className="list-item" aria-selected={selected} onClick={() => onSelect(keyOf(facts))} data-testid={entry.kind === 'waiting' ? 'queue-row' : 'my-chat'} data-session-id={facts.sessionId}>
      <div className="row" style={{ flexWrap: 'nowrap' }}>
        <span className="grow" style={{ fontWeight: 600, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
          {facts.lastQuestion.text}
        </span>
        <span className="small" style={{ color: waitedSec > 60 ? '#ff7b72' : '#f0b72f', whiteSpace: 'nowrap' }}>
          {t.waited(formatWait(waitedSec, lang))}
        </span>
      </div>
      <div style={{ marginTop: 3 }}>
        <SessionFacts facts={facts} t={t} />
      </div>
    </button>
  );
}
