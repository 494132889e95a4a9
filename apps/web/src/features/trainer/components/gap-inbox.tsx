import { canTakeGap, type Gap, type User } from '@warroom/contracts';
import type { Messages } from './messages';
import { mainStage } from './format';

export interface InboxFilters {
  stage: string;
  shop: string;
  sku: string;
  mine: boolean;
}

/** The gaps the inbox lists: active ones (and the one open in the editor), filtered, most costly first. */
export function visibleGaps(gaps: Iterable<Gap>, filters: InboxFilters, user: User, selectedId: string | null): Gap[] {
  return [...gaps]
    .filter((gap) => gap.status === 'open' || gap.status === 'claimed' || gap.status === 'published' || gap.gapId === selectedId)
    .filter((gap) => filters.stage === '' || mainStage(gap) === filters.stage)
    .filter((gap) => filters.shop === '' || gap.shopId === filters.shop)
    .filter((gap) => filters.sku === '' || gap.skus.includes(filters.sku))
    .filter((gap) => !filters.mine || canTakeGap(user, gap.grades))
    .sort((a, b) => rankCost(b) - rankCost(a) || b.cost - a.cost || a.gapId.localeCompare(b.gapId));
}

/** A predicted gap (the briefing expects it at a coming promo moment) ranks by the cost expected then, until it costs more already. */
export function rankCost(gap: Gap): number {
  return Math.max(gap.cost, gap.predicted?.expectedCost ?? 0);
}

export function GapInboxView({
  gaps,
  all,
  filters,
  setFilters,
  selectedId,
  select,
  fresh,
  user,
  t,
}: {
  gaps: Gap[];
  all: Gap[];
  filters: InboxFilters;
  setFilters: (filters: InboxFilters) => void;
  selectedId: string | null;
  select: (gapId: string) => void;
  fresh: ReadonlySet<string>;
  user: User;
  t: Messages;
}) {
  const shops = [...new Set(all.map((gap) => gap.shopId))].sort();
  const skus = [...new Set(all.flatMap((gap) => gap.skus))].sort();
  const isActive = (gap: Gap) => gap.status === 'open' || gap.status === 'claimed' || gap.status === 'published';
  const active = all.filter(isActive).length;
  return (
    <section aria-label={t.inbox}>
      <div className="row" style={{ justifyContent: 'space-between', marginBottom: 8 }}>
        <h2 style={{ margin: 0, fontSize: 16 }}>{t.inbox}</h2>
        <span className="muted small" data-testid="inbox-count">
          {t.inboxCount(gaps.filter(isActive).length, active)}
        </span>
      </div>
      <div className="row" style={{ marginBottom: 10 }}>
        <select className="field" aria-label={t.filters.stage} value={filters.stage} onChange={(e) => setFilters({ ...filters, stage: e.target.value })}>
          <option value="">{`${t.filters.stage}: ${t.filters.all}`}</option>
          {['pre_sale', 'in_sale', 'after_sale', 'unspecified'].map((stage) => (
            <option key={stage} value={stage}>
              {t.stages[stage]}
            </option>
          ))}
        </select>
        <select className="field" aria-label={t.filters.shop} value={filters.shop} onChange={(e) => setFilters({ ...filters, shop: e.target.value })}>
          <option value="">{`${t.filters.shop}: ${t.filters.all}`}</option>
          {shops.map((shop) => (
            <option key={shop} value={shop}>
              {shop}
            </option>
          ))}
        </select>
        <select className="field" aria-label={t.filters.sku} value={filters.sku} onChange={(e) => setFilters({ ...filters, sku: e.target.value })}>
          <option value="">{`${t.filters.sku}: ${t.filters.all}`}</option>
          {skus.map((sku) => (
            <option key={sku} value={sku}>
              {sku}
            </option>
          ))}
        </select>
        <label className="row small" style={{ gap: 4 }}>
          <input type="checkbox" checked={filters.mine} onChange={(e) => setFilters({ ...filters, mine: e.target.checked })} data-testid="filter-mine" />
          {t.filters.mine}
        </label>
      </div>
      {gaps.length === 0 ? <div className="muted">{t.empty}</div> : null}
      <div role="listbox" aria-label={t.inbox} data-testid="gap-list">
        {gaps.map((gap) => (
          <GapRow key={gap.gapId} gap={gap} selected={gap.gapId === selectedId} fresh={fresh.has(gap.gapId)} select={select} user={user} t={t} />
        ))}
      </div>
    </section>
  );
}

function GapRow({ gap, selected, fresh, select, user, t }: { gap: Gap; selected: boolean; fresh: boolean; select: (id: string) => void; user: User; t: Messages }) {
  const claimer = gap.claimedBy?.actor;
  const mine = claimer?.userId === user.userId;
  return (
    <button
      type="button"
      role="option"
      aria-selected={selected}
      className="list-item"
      data-testid="gap-row"
      data-gap-id={gap.gapId}
      data-status={gap.status}
      data-new={fresh}
      data-flags={gap.flags}
      data-predicted={gap.predicted !== undefined}
      onClick={() => select(gap.gapId)}
    >
      <div className="row" style={{ flexWrap: 'nowrap' }}>
        <span className="grow" style={{ fontWeight: 600, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={gap.representative}>
          {gap.representative}
        </span>
        <span className="figure" style={{ fontSize: 16 }} title={gap.predicted && gap.predicted.expectedCost > gap.cost ? t.expectedCost : t.cost}>
          {rankCost(gap).toFixed(1)}
        </span>
      </div>
      <div className="row small muted" style={{ marginTop: 3 }}>
        {fresh ? <span className="badge open">{t.newGap}</span> : null}
        <span className={`badge ${gap.status}`}>{t.statuses[gap.status]}</span>
        {gap.predicted ? (
          <span className="badge predicted" data-testid="predicted-marker" title={gap.predicted.momentAt}>
            {t.predicted(gap.predicted.momentLabel)}
          </span>
        ) : null}
        {gap.flags > 0 ? (
          <span className="badge flag" data-testid="flag-marker">
            ⚑ {t.flags(gap.flags)}
          </span>
        ) : null}
        <span>{gap.shopId}</span>
        <span>{t.stages[mainStage(gap)]}</span>
        <span>{t.volume(gap.volume.window, gap.volume.total)}</span>
        {gap.skus.length > 0 ? <span>{gap.skus.join(' ')}</span> : null}
      </div>
      {claimer ? (
        <div className="small" style={{ marginTop: 3, color: mine ? '#79c0ff' : '#f0b72f' }} data-testid="claimed-by">
          {mine ? t.mine : t.claimedBy(claimer.login)}
        </div>
      ) : null}
    </button>
  );
}
