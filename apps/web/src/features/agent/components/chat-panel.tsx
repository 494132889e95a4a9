import { useQuery } from '@tanstack/react-query';
import type { AgentChat, User } from '@warroom/contracts';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../../../lib/api-client';
import { conversationQueryOptions, endChat, flagQuestion, sendReply, suggestionsQueryOptions } from '../api/desk';
import { formatTimeOfDay } from '../../../utils/format';
import { replyAsText } from './format';
import type { Lang, Messages } from './messages';
import { isTyping } from '../../../utils/keyboard';

const draftKey = (chat: AgentChat) => `warroom.agent.draft.${chat.shopId}.${chat.sessionId}`;

/**
 * A chat the agent holds: the conversation so far (as stored), the bot's top 3 for the customer's newest
 * question to pick (1/2/3), edit or replace, send (Ctrl+Enter), flag the question for the trainers (f),
 * end (e). The reply being typed survives a reload (sessionStorage).
 */
export function ChatPanel({ chat, token, user, lang, t, onEnded }: { chat: AgentChat; token: string; user: User; lang: Lang; t: Messages; onEnded: () => void }) {
  const [text, setText] = useState(() => window.sessionStorage.getItem(draftKey(chat)) ?? '');
  const [note, setNote] = useState(chat.lastQuestion.text);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const replyBox = useRef<HTMLTextAreaElement | null>(null);

  useEffect(() => {
    window.sessionStorage.setItem(draftKey(chat), text);
  }, [chat, text]);

  // The stored conversation, refreshed while the chat is open (ingest stores each step a moment later).
  const conversationQuery = useQuery(conversationQueryOptions(token, { shopId: chat.shopId, sessionId: chat.sessionId }));
  const conversation = conversationQuery.data ?? null;
  const refetchConversation = conversationQuery.refetch;
  const suggestionsQuery = useQuery(suggestionsQueryOptions(token, chat.shopId, chat.lastQuestion.text));
  // None to offer when they cannot be read (the problem says why); null while they load.
  const suggestions = suggestionsQuery.isError ? [] : (suggestionsQuery.data?.suggestions ?? null);
  const matched = suggestionsQuery.data?.matched ?? false;
  const readProblem = conversationQuery.error ?? suggestionsQuery.error;
  const shownProblem = problem ?? (readProblem ? errorText(readProblem) : null);

  useEffect(() => {
    setNote(chat.lastQuestion.text);
  }, [chat.lastQuestion.text]);

  const act = useCallback(async (work: () => Promise<string>) => {
    setBusy(true);
    setProblem(null);
    try {
      setNotice(await work());
      void refetchConversation();
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  }, [refetchConversation]);

  const send = useCallback(() => {
    if (text.trim() === '') return;
    void act(async () => {
      await sendReply(token, { shopId: chat.shopId, sessionId: chat.sessionId, text: text.trim() });
      setText('');
      return t.sent;
    });
  }, [act, token, text, chat.shopId, chat.sessionId, t]);
  const flag = useCallback(() => {
    if (note.trim() === '') return;
    void act(async () => {
      await flagQuestion(token, { shopId: chat.shopId, sessionId: chat.sessionId, text: note.trim(), questionEventId: chat.lastQuestion.eventId });
      return t.flagDone;
    });
  }, [act, token, note, chat.shopId, chat.sessionId, chat.lastQuestion.eventId, t]);
  const end = useCallback(() => {
    void act(async () => {
      await endChat(token, { shopId: chat.shopId, sessionId: chat.sessionId });
      window.sessionStorage.removeItem(draftKey(chat));
      onEnded();
      return t.ended;
    });
  }, [act, token, chat, onEnded, t]);

  const keys = useRef({ send, flag, end, suggestions });
  keys.current = { send, flag, end, suggestions };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        keys.current.send();
        return;
      }
      if (isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      const pick = ['1', '2', '3'].indexOf(event.key);
      const suggestion = pick >= 0 ? keys.current.suggestions?.[pick] : undefined;
      if (suggestion) {
        event.preventDefault();
        setText(replyAsText(suggestion.reply));
        replyBox.current?.focus();
      } else if (event.key === 'f') keys.current.flag();
      else if (event.key === 'e') keys.current.end();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div data-testid="chat-panel" data-session-id={chat.sessionId}>
      {shownProblem ? <div className="notice error" role="alert">{shownProblem}</div> : null}
      {notice ? (
        <div className="notice ok" data-testid="agent-notice">
          {notice}
        </div>
      ) : null}
      <div className="panel">
        <h2>{t.conversation}</h2>
        <div data-testid="conversation" style={{ display: 'flex', flexDirection: 'column' }}>
          {conversation === null || conversation.messages.length === 0 ? <div className="muted">{t.noConversation}</div> : null}
          {conversation?.messages.map((message) => {
            if (message.kind === 'question') {
              return (
                <div key={message.eventId}>
                  <div className="bubble customer">
                    <span className="small muted">
                      {t.customer} · {formatTimeOfDay(message.at, lang)}
                    </span>
                    <br />
                    {message.text}
                  </div>
                  <div className="bubble system">{message.outcome === 'answered' ? t.bot(message.answerId) : message.outcome === 'handoff' ? t.handoff : t.botMissed}</div>
                </div>
              );
            }
            if (message.kind === 'agent_reply') {
              return (
                <div key={message.eventId} className="bubble agent">
                  <span className="small muted">
                    {message.agentId === user.login ? t.you : t.agentName(message.agentId)} · {formatTimeOfDay(message.at, lang)}
                  </span>
                  <br />
                  {message.text}
                </div>
              );
            }
            if (message.kind === 'agent_flag') {
              return (
                <div key={message.eventId} className="bubble system">
                  ⚑ {t.flagged}: {message.text}
                </div>
              );
            }
            return null;
          })}
        </div>
      </div>

      <div className="panel">
        <h2>{t.suggestions}</h2>
        {suggestions !== null && suggestions.length === 0 ? <div className="muted">{t.noSuggestions}</div> : null}
        <div data-testid="suggestions">
          {suggestions?.map((s, index) => (
            <button key={s.answerId} type="button" className="list-item" onClick={() => setText(replyAsText(s.reply))} data-testid="suggestion">
              <div className="row">
                <kbd>{index + 1}</kbd>
                <strong className="grow">{s.answerId}</strong>
                {!matched || index > 0 ? <span className="small" style={{ color: '#f0b72f' }}>{t.lowConfidence}</span> : null}
                <span className="small muted">
                  {t.score} {s.score.toFixed(2)}
                </span>
              </div>
              <div className="small" style={{ marginTop: 4 }}>
                {replyAsText(s.reply)}
              </div>
            </button>
          ))}
        </div>
      </div>

      <div className="panel">
        <h2>{t.reply}</h2>
        <textarea ref={replyBox} className="field" rows={4} placeholder={t.replyPlaceholder} value={text} onChange={(e) => setText(e.target.value)} data-testid="reply" />
        <div className="row" style={{ marginTop: 8 }}>
          <button className="btn primary" type="button" disabled={busy || text.trim() === ''} onClick={send} data-testid="send">
            {t.send}
          </button>
          <span className="spacer grow" />
          <button className="btn danger" type="button" disabled={busy} onClick={end} data-testid="end">
            {t.end}
          </button>
        </div>
      </div>

      <div className="panel">
        <h2>{t.flagHint}</h2>
        <div className="row">
          <input className="field grow" aria-label={t.flagNote} value={note} onChange={(e) => setNote(e.target.value)} data-testid="flag-note" />
          <button className="btn" type="button" disabled={busy || note.trim() === ''} onClick={flag} data-testid="flag">
            ⚑ {t.flag}
          </button>
        </div>
      </div>
    </div>
  );
}
