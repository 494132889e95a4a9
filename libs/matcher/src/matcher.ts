export type MatcherOptions = Record<string, unknown>;
export class Matcher {
  constructor(_o?: MatcherOptions) {}
  addAnswers(_a: { id: string; examples: string[] }[]): void {}
  match(_t: string, _o: { topK: number }): { candidates: { answerId: string; score: number }[]; confidence: number } {
    return { candidates: [], confidence: 0 };
  }
}
