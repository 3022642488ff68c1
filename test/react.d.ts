// Just what test/e2e/components-differential.test.ts uses of React (no @types/react dependency).
declare module 'react' {
  export type ReactNode = unknown;
  export function createElement(type: unknown, props?: unknown, ...children: unknown[]): ReactNode;
}
declare module 'react-dom/server' {
  export function renderToString(element: unknown): string;
}
