import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import type { Gap } from '@warroom/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubApi, withQueryClient, type StubAnswer } from '../../../testing/api-stub';
import { aGap, aUser, aVersion } from '../../../testing/fixtures';
import { messages } from '../components/messages';
import { useGapEditor } from './use-gap-editor';

const t = messages.en;
const PATCH_ID = '0b6f1f9e-8a47-4c7e-9d64-3f8a2f1c5b10';
const answersOf = (revision: number) => [{ answerId: 'faq.pay', target: 'shop:s1/faq.pay', version: aVersion(revision, `reply ${revision}`) }];
const preview = { replayed: 40, cap: 5_000, capped: false, gapQuestions: { total: 2, answered: 2 }, newlyAnswered: 3, changed: [], tookMs: 12 };

function renderEditor(gap: Gap, routes: Parameters<typeof stubApi>[0], upsert: (gap: Gap) => void = () => undefined) {
  const api = stubApi(routes);
  const view = renderHook(() => useGapEditor({ gap, token: 'token', user: aUser(), t, source: 'live', upsert }), { wrapper: withQueryClient() });
  return { ...view, api };
}

beforeEach(() => {
  window.sessionStorage.clear();
});

afterEach(() => {
  // Without vitest's globals, testing-library cannot unmount by itself.
  cleanup();
  vi.unstubAllGlobals();
});

describe('useGapEditor', () => {
  it('starts from the gap: its examples for the suggested answer, based on the revision the shop sees', async () => {
    const { result } = renderEditor(aGap(), { 'GET /api/kb/answers': () => ({ status: 200, body: answersOf(1) }) });
    expect(result.current.nearest).toBe('loading');
    expect(result.current.draft).toMatchObject({ mode: 'add_examples', targetAnswerId: 'faq.pay', examples: 'can I pay with digital yuan\ndigital yuan accepted?' });
    await waitFor(() => expect(result.current.built.ok).toBe(true));
    // The api cannot rank answers (404): the editor falls back to the suggestion, without calling it a problem.
    await waitFor(() => expect(result.current.nearest).toBeNull());
    expect(result.current.problem).toBeNull();
    expect(result.current.built).toMatchObject({ ok: true, request: { baseRevision: 1, gapId: 'g-pay' } });
    expect(result.current.may).toEqual({ writeAnswers: true, publishToIndustry: false, dismiss: false });
  });

  it('says what is wrong with a draft that builds no patch, instead of sending it', async () => {
    const { result, api } = renderEditor(aGap(), { 'GET /api/kb/answers': () => ({ status: 200, body: answersOf(1) }) });
    await waitFor(() => expect(result.current.built.ok).toBe(true));
    act(() => result.current.update({ targetAnswerId: 'faq.unknown' }));
    act(() => result.current.runPreview());
    expect(result.current.problem).toBe('answerId: choose an answer');
    expect(api.calls.filter((call) => call.method === 'POST')).toEqual([]);
  });

  it('keeps a preview fresh while the draft still builds its request, stale once the draft changes', async () => {
    const { result, api } = renderEditor(aGap(), {
      'GET /api/kb/answers': () => ({ status: 200, body: answersOf(1) }),
      'POST /api/kb/preview': () => ({ status: 200, body: preview }),
    });
    await waitFor(() => expect(result.current.built.ok).toBe(true));
    act(() => result.current.runPreview());
    await waitFor(() => expect(result.current.busy).toBe('preview'));
    await waitFor(() => expect(result.current.preview).toEqual(preview));
    expect(result.current.busy).toBeNull();
    expect(result.current.previewFresh).toBe(true);
    expect(api.calls.find((call) => call.path === '/api/kb/preview')?.body).toMatchObject({ patch: { op: 'add_examples', answerId: 'faq.pay' }, baseRevision: 1 });

    act(() => result.current.update({ examples: 'one more question' }));
    expect(result.current.preview).toEqual(preview);
    expect(result.current.previewFresh).toBe(false);
  });

  it('on a conflict keeps the draft, says who changed what, and publishes again on the newer revision', async () => {
    let answersRevision = 1;
    const publishes: StubAnswer[] = [
      { status: 409, body: { statusCode: 409, message: 'revision 2 was published by wang 3 s ago', reason: 'stale base', current: aVersion(2, 'a new reply') } },
      { status: 201, body: { status: 'applied', patchId: PATCH_ID, offset: 7, version: aVersion(3, 'a new reply', ['how do I pay', 'one more question']) } },
    ];
    const upsert = vi.fn();
    const { result, api } = renderEditor(
      aGap(),
      {
        'GET /api/kb/answers': () => ({ status: 200, body: answersOf(answersRevision) }),
        'GET /api/kb/history': () => ({ status: 200, body: [aVersion(1, 'reply 1'), aVersion(2, 'a new reply')] }),
        'POST /api/kb/patches': () => {
          answersRevision = 2;
          return publishes.shift() ?? { status: 500, body: { statusCode: 500, message: 'published twice' } };
        },
        'GET /api/gaps/g-pay': () => ({ status: 200, body: aGap({ status: 'published' }) }),
      },
      upsert,
    );
    await waitFor(() => expect(result.current.built.ok).toBe(true));
    act(() => result.current.update({ examples: 'one more question' }));

    act(() => result.current.publish());
    await waitFor(() => expect(result.current.conflict).not.toBeNull());
    expect(result.current.conflict).toMatchObject({ message: 'revision 2 was published by wang 3 s ago', current: { revision: 2 }, changes: [t.changes.reply] });
    expect(result.current.draft.examples).toBe('one more question');
    expect(result.current.busy).toBeNull();

    act(() => result.current.rebaseAndPublish());
    await waitFor(() => expect(result.current.published).toMatchObject({ revision: 3 }));
    const sent = api.calls.filter((call) => call.path === '/api/kb/patches').map((call) => call.body);
    expect(sent).toMatchObject([{ baseRevision: 1 }, { baseRevision: 2, patch: { examples: ['one more question'] } }]);
    expect(result.current.conflict).toBeNull();
    expect(result.current.draft.rebaseRevision).toBeNull();
    // The published gap is watched from the api at once, not only when its push comes.
    await waitFor(() => expect(upsert).toHaveBeenCalledWith(expect.objectContaining({ gapId: 'g-pay', status: 'published' })));
  });

  it('shows the api’s words when a claim is refused, and clears them at the next action', async () => {
    const { result } = renderEditor(aGap(), {
      'GET /api/kb/answers': () => ({ status: 200, body: answersOf(1) }),
      'POST /api/gaps/g-pay/claim': () => ({ status: 409, body: { statusCode: 409, message: 'the gap is claimed by li' } }),
      'POST /api/kb/preview': () => ({ status: 200, body: preview }),
    });
    await waitFor(() => expect(result.current.built.ok).toBe(true));
    act(() => result.current.claim());
    await waitFor(() => expect(result.current.problem).toBe('the gap is claimed by li'));
    act(() => result.current.runPreview());
    await waitFor(() => expect(result.current.problem).toBeNull());
  });
});
