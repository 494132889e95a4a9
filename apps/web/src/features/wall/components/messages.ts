export type Lang = 'zh' | 'en';

export const messages = {
  zh: {
    title: '双11 客服作战室',
    hitRate: '识别率',
    questionsPerMinute: '每分钟提问',
    questions: '提问数',
    window: '近 5 分钟',
    fresh: '数据新鲜度',
    disconnectedSince: '连接已断开，自',
    waiting: '等待数据…',
    noBotQuestions: '暂无机器人提问',
    badToken: '缺少看板令牌：请使用启动时打印的链接',
  },
  en: {
    title: '11.11 Customer-Service War Room',
    hitRate: 'Hit rate',
    questionsPerMinute: 'Questions / min',
    questions: 'Questions',
    window: 'last 5 minutes',
    fresh: 'Freshness',
    disconnectedSince: 'Disconnected since',
    waiting: 'Waiting for data…',
    noBotQuestions: 'No bot questions yet',
    badToken: 'Missing kiosk token: open the URL printed at start-up',
  },
} as const;

export type Messages = (typeof messages)[Lang];
