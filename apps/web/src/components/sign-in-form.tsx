import type { Role, SessionResponse } from '@warroom/contracts';
import { useState, type FormEvent } from 'react';
import { errorText } from '../lib/api-client';
import { changePassword, signIn } from '../lib/session';
import './console.css';

type Lang = 'zh' | 'en';

const words = {
  zh: {
    login: '账号',
    password: '密码',
    submit: '登录',
    busy: '正在登录…',
    mustChange: '这是管理员给你的临时密码，请先设置自己的新密码（至少 12 个字符）。',
    newPassword: '新密码',
    repeat: '再输一遍',
    change: '设置新密码并登录',
    mismatch: '两次输入的新密码不一样',
    wrongRole: (role: string, allowed: string) => `此页面供 ${allowed} 使用，你的账号角色是 ${role}。`,
  },
  en: {
    login: 'Login',
    password: 'Password',
    submit: 'Sign in',
    busy: 'Signing in…',
    mustChange: 'This is a password an admin gave you: set your own first (at least 12 characters).',
    newPassword: 'New password',
    repeat: 'Repeat it',
    change: 'Set it and sign in',
    mismatch: 'The two new passwords differ',
    wrongRole: (role: string, allowed: string) => `This page is for ${allowed}; your account is ${role}.`,
  },
} as const;

/**
 * Sign-in for the desk pages: login and password, then (for a password an admin set) a new password and a
 * second sign-in with it. Only accounts of `allowed` roles get through.
 */
export function SignInForm({ title, lang, allowed, allowedLabel, onSignedIn }: { title: string; lang: Lang; allowed: readonly Role[]; allowedLabel: string; onSignedIn: (session: SessionResponse) => void }) {
  const t = words[lang];
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState<SessionResponse | null>(null);
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const finish = (session: SessionResponse) => {
    if (!allowed.includes(session.user.role)) {
      setProblem(t.wrongRole(session.user.role, allowedLabel));
      return;
    }
    onSignedIn(session);
  };

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await work();
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const session = await signIn(login.trim(), password);
      if (session.mustChangePassword) setPending(session);
      else finish(session);
    });
  };

  const submitNew = (event: FormEvent) => {
    event.preventDefault();
    if (next !== repeat) return setProblem(t.mismatch);
    void run(async () => {
      if (!pending) return;
      await changePassword(pending.token, password, next);
      finish(await signIn(login.trim(), next));
    });
  };

  return (
    <main className="console" style={{ display: 'block', overflowY: 'auto' }}>
      <div className="sign-in">
        <h1 style={{ fontSize: 22, margin: 0 }}>{title}</h1>
        {pending === null ? (
          <form onSubmit={submit} className="sign-in" style={{ margin: 0 }} data-testid="sign-in">
            <label className="field-label">
              {t.login}
              <input className="field" name="login" autoComplete="username" autoFocus value={login} onChange={(e) => setLogin(e.target.value)} />
            </label>
            <label className="field-label">
              {t.password}
              <input className="field" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
            </label>
            <button className="btn primary" type="submit" disabled={busy || login.trim() === '' || password === ''}>
              {busy ? t.busy : t.submit}
            </button>
          </form>
        ) : (
          <form onSubmit={submitNew} className="sign-in" style={{ margin: 0 }} data-testid="change-password">
            <div className="notice warn">{t.mustChange}</div>
            <label className="field-label">
              {t.newPassword}
              <input className="field" name="new-password" type="password" autoComplete="new-password" autoFocus value={next} onChange={(e) => setNext(e.target.value)} />
            </label>
            <label className="field-label">
              {t.repeat}
              <input className="field" name="repeat-password" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
            </label>
            <button className="btn primary" type="submit" disabled={busy || next.length < 12}>
              {t.change}
            </button>
          </form>
        )}
        {problem ? (
          <div className="notice error" role="alert" data-testid="sign-in-problem">
            {problem}
          </div>
        ) : null}
      </div>
    </main>
  );
}
