import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { User } from '@warroom/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubApi, withQueryClient } from '../../../testing/api-stub';
import { aGap, aUser, aVersion } from '../../../testing/fixtures';
import { GapEditor } from './gap-editor';
import { messages } from './messages';

const t = messages.en;
const preview = { replayed: 40, cap: 5_000, capped: false, gapQuestions: { total: 2, answered: 2 }, newlyAnswered: 3, changed: [{ text: 'digital yuan accepted?', before: null, after: 'faq.pay' }], tookMs: 12 };

function renderEditor(user: User) {
  stubApi({
    'GET /api/kb/answers': () => ({ status: 200, body: [{ answerId: 'faq.pay', target: 'shop:s1/faq.pay', version: aVersion(1, 'We take cards and Alipay.') }] }),
    'GET /api/kb/history': () => ({ status: 200, body: [aVersion(1, 'We take cards and Alipay.')] }),
    'POST /api/kb/preview': () => ({ status: 200, body: preview }),
  });
  const Wrapper = withQueryClient();
  return render(
    <Wrapper>
      <GapEditor gap={aGap()} token="token" user={user} lang="en" t={t} source="live" upsert={() => undefined} />
    </Wrapper>,
  );
}

beforeEach(() => {
  window.sessionStorage.clear();
});

afterEach(() => {
  // Without vitest's globals, testing-library cannot unmount by itself.
  cleanup();
  vi.unstubAllGlobals();
});

describe('GapEditor', () => {
  it('without the similarity service, offers the suggested answer with its score, and the patch it would publish', async () => {
    renderEditor(aUser());
    expect(screen.getByTestId('editor-title').textContent).toBe('can I pay with digital yuan');
    await screen.findByText(t.nearestFallback);
    const row = within(screen.getByTestId('nearest')).getByText('faq.pay').closest('tr');
    expect(row?.textContent).toContain(`${t.score} 0.50`);
    expect(row?.textContent).toContain('We take cards and Alipay.');
    expect(row?.getAttribute('data-selected')).toBe('true');
    await waitFor(() => expect(screen.getByTestId('base-revision').textContent).toBe(t.base(1)));
    expect(screen.getByText(t.previewFirst)).toBeTruthy();
  });

  it('offers a new answer only to a grade that may write one (contracts canWriteAnswers)', async () => {
    renderEditor(aUser({ grade: 'assistant' }));
    await waitFor(() => expect(screen.getByTestId('base-revision').textContent).toBe(t.base(1)));
    expect(screen.getByTestId<HTMLInputElement>('mode-new').disabled).toBe(true);
    cleanup();
    renderEditor(aUser({ grade: 'junior' }));
    expect(screen.getByTestId<HTMLInputElement>('mode-new').disabled).toBe(false);
  });

  it('shows the preview, and marks it stale once the examples change', async () => {
    renderEditor(aUser());
    await waitFor(() => expect(screen.getByTestId<HTMLButtonElement>('preview').disabled).toBe(false));
    fireEvent.click(screen.getByTestId('preview'));
    const result = await screen.findByTestId('preview-result');
    expect(result.getAttribute('data-stale')).toBe('false');
    expect(screen.getByTestId('preview-gap-answered').textContent).toBe('2 / 2');
    fireEvent.change(screen.getByTestId('examples'), { target: { value: 'can I pay with e-CNY' } });
    expect(screen.getByTestId('preview-result').getAttribute('data-stale')).toBe('true');
    expect(within(screen.getByTestId('preview-result')).getByText(t.stalePreview)).toBeTruthy();
  });
});
