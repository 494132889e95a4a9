import type { EMOTIONS, HANDOFF_REASONS, EventSource, GapStatus, SystemPart } from '@warroom/contracts';

export type Lang = 'zh' | 'en';
type Emotion = (typeof EMOTIONS)[number];
type HandoffReason = (typeof HANDOFF_REASONS)[number];

interface WallMessages {
  title: string;
  hitRate: string;
  hitRateTrend: string;
  questionsPerMinute: string;
  questions: string;
  plan: string;
  vsPlan: string;
  promo: string;
  noCampaign: string;
  beforeFirstMoment: string;
  nextMoment: string;
  afterLastMoment: string;
  days: string;
  window: string;
  fresh: string;
  disconnectedSince: string;
  waiting: string;
  noBotQuestions: string;
  badToken: string;
  topQuestions: string;
  ownHitRate: string;
  newAnswer: string;
  unmatched: string;
  unmatchedCount: string;
  noUnmatched: string;
  outcome: Record<'unmatched' | 'handoff', string>;
  emotions: string;
  emotion: Record<Emotion, string>;
  intensity: string;
  handoffs: string;
  handoffRate: string;
  reason: Record<HandoffReason, string>;
  modes: string;
  botMode: string;
  assistMode: string;
  conversion: string;
  botSessions: string;
  agentSessions: string;
  sessions: string;
  source: Record<Exclude<EventSource, 'live'>, string>;
  /** The top gaps tile (top-gaps.tsx). */
  gaps: { title: string; none: string; questions: string; new: string; timeToPatch: string; median: string; verified: string; status: Record<GapStatus, string> };
  /** The status strip (status-strip.tsx): a part down or degraded, and events lost. */
  status: {
    part: Record<SystemPart, string>;
    down: string;
    degraded: string;
    since: string;
    dataLoss: string;
    missingEvents: string;
  };
  agentsNow: {
    title: string;
    withBot: string;
    withoutBot: string;
    saved: string;
    onShift: string;
    aht: string;
    noAht: string;
    basis: Record<'15m' | '60m' | 'none', string>;
  };
  outreach: { title: string; bot: string; agent: string; sessions: string; orders: string; open: string };
}

export const messages: Record<Lang, WallMessages> = {
  zh: {
    title: '双11 客服作战室',
    hitRate: '识别率',
    hitRateTrend: '识别率走势',
    questionsPerMinute: '每分钟提问',
    questions: '提问数',
    plan: '计划',
    vsPlan: '较计划',
    promo: '活动节点',
    noCampaign: '暂无进行中的活动',
    beforeFirstMoment: '活动已开始，首个节点未到',
    nextMoment: '下一节点',
    afterLastMoment: '今日节点已全部开始',
    days: '天',
    window: '近 5 分钟',
    fresh: '数据新鲜度',
    disconnectedSince: '连接已断开，自',
    waiting: '等待数据…',
    noBotQuestions: '暂无机器人提问',
    badToken: '缺少看板令牌：请使用启动时打印的链接',
    topQuestions: '热门问题 Top 10',
    ownHitRate: '识别',
    newAnswer: '新',
    unmatched: '最新未识别问题',
    unmatchedCount: '未识别',
    noUnmatched: '暂无未识别问题',
    outcome: { unmatched: '未识别', handoff: '转人工' },
    emotions: '情绪热度',
    emotion: {
      angry: '生气',
      anxious: '着急',
      worried: '担忧',
      disappointed: '失落',
      neutral: '平静',
      satisfied: '满意',
      grateful: '感谢',
    },
    intensity: '强度',
    handoffs: '转人工原因',
    handoffRate: '转人工率',
    reason: {
      customer_request: '客户要求',
      no_match: '无法识别',
      negative_emotion: '负面情绪',
      assist_mode: '辅助模式',
    },
    modes: '机器人 / 辅助模式',
    botMode: '机器人',
    assistMode: '辅助',
    conversion: '成交转化',
    botSessions: '机器人接待',
    agentSessions: '人工接待',
    sessions: '会话',
    source: { rehearsal: '彩排 REHEARSAL', replay: '回放 REPLAY' },
    gaps: {
      title: '知识缺口 Top（按代价）',
      none: '暂无未解决的缺口',
      questions: '问/60分',
      new: '新',
      timeToPatch: '修复用时',
      median: '中位',
      verified: '已验证',
      status: { open: '待认领', claimed: '处理中', published: '已发布', verified: '已验证', dismissed: '已忽略' },
    },
    status: {
      part: { ingest: '数据入库', bot: '机器人', store: '数据库', broker: '消息队列' },
      down: '已停止',
      degraded: '异常',
      since: '自',
      dataLoss: '数据丢失',
      missingEvents: '条事件缺失',
    },
    agentsNow: {
      title: '当前需要人工坐席（近 15 分钟）',
      withBot: '有机器人',
      withoutBot: '无机器人',
      saved: '机器人节省',
      onShift: '在岗',
      aht: '人工平均处理',
      noAht: '暂无人工处理时长',
      basis: { '15m': '近15分钟', '60m': '近60分钟', none: '无' },
    },
    outreach: { title: '机器人触达 / 人工回访', bot: '机器人', agent: '人工', sessions: '会话', orders: '单', open: '待回访' },
  },
  en: {
    title: '11.11 Customer-Service War Room',
    hitRate: 'Hit rate',
    hitRateTrend: 'Hit-rate trend',
    questionsPerMinute: 'Questions / min',
    questions: 'Questions',
    plan: 'plan',
    vsPlan: 'vs plan',
    promo: 'Promo moment',
    noCampaign: 'No campaign running',
    beforeFirstMoment: 'Campaign started, first moment ahead',
    nextMoment: 'Next:',
    afterLastMoment: 'Every promo moment has begun',
    days: 'd',
    window: 'last 5 minutes',
    fresh: 'Freshness',
    disconnectedSince: 'Disconnected since',
    waiting: 'Waiting for data…',
    noBotQuestions: 'No bot questions yet',
    badToken: 'Missing kiosk token: open the URL printed at start-up',
    topQuestions: 'Top 10 questions',
    ownHitRate: 'hit',
    newAnswer: 'new',
    unmatched: 'Newest unmatched questions',
    unmatchedCount: 'Unmatched',
    noUnmatched: 'No unmatched questions',
    outcome: { unmatched: 'unmatched', handoff: 'handoff' },
    emotions: 'Emotion heat',
    emotion: {
      angry: 'Angry',
      anxious: 'Anxious',
      worried: 'Worried',
      disappointed: 'Disappointed',
      neutral: 'Neutral',
      satisfied: 'Satisfied',
      grateful: 'Grateful',
    },
    intensity: 'intensity',
    handoffs: 'Handoffs by reason',
    handoffRate: 'Handoff rate',
    reason: {
      customer_request: 'Requested',
      no_match: 'No match',
      negative_emotion: 'Emotion',
      assist_mode: 'Assist mode',
    },
    modes: 'Bot vs assist mode',
    botMode: 'Bot',
    assistMode: 'Assist',
    conversion: 'Conversion',
    botSessions: 'Bot only',
    agentSessions: 'With human',
    sessions: 'sessions',
    source: { rehearsal: 'REHEARSAL', replay: 'REPLAY' },
    gaps: {
      title: 'Top gaps by cost',
      none: 'No open gaps',
      questions: 'q / 60 min',
      new: 'NEW',
      timeToPatch: 'Time to patch',
      median: 'median',
      verified: 'verified',
      status: { open: 'open', claimed: 'claimed', published: 'published', verified: 'verified', dismissed: 'dismissed' },
    },
    status: {
      part: { ingest: 'Ingest', bot: 'Bot', store: 'Store', broker: 'Broker' },
      down: 'DOWN',
      degraded: 'degraded',
      since: 'since',
      dataLoss: 'DATA LOSS',
      missingEvents: 'events missing',
    },
    agentsNow: {
      title: 'Agents needed now (last 15 min)',
      withBot: 'with bot',
      withoutBot: 'without',
      saved: 'bot saves',
      onShift: 'on shift',
      aht: 'handling',
      noAht: 'no human handling time yet',
      basis: { '15m': '15 min', '60m': '60 min', none: 'none' },
    },
    outreach: { title: 'Outreach: bot / agents', bot: 'bot', agent: 'agents', sessions: 'sessions', orders: 'orders', open: 'waiting' },
  },
};

export type Messages = WallMessages;
