// Types for routes-expect.mjs (imported by the workerd tests in test/unit/explain/).
import type { ExplainReport, Outcome } from '../../src/explain/report';

export declare const DEFAULT_EXPECT_FILE: string;
export interface Expectation {
  line: number;
  text: string;
  /** `npm run routes -- explain`'s arguments: [METHOD] URL and options. */
  request: string[];
  expected: { client: 'page' | 'form' | 'htmx' | 'api'; want: string }[];
}
export declare function parseExpectations(text: string): Expectation[];
export declare function outcomeMatches(outcome: Outcome, want: string): boolean;
export declare function describeOutcome(outcome: Outcome): string;
export declare function mismatches(report: ExplainReport, expectation: Expectation): string[];
