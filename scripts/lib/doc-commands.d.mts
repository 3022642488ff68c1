/** The repository as the docs check sees it (paths relative to its root). */
export interface DocProject {
  /** package.json's `scripts`. */
  scripts: Record<string, string>;
  /** The names in node_modules/.bin. */
  bins: Set<string>;
  /** Whether a file or folder exists. */
  exists(path: string): boolean;
  /** A file's text, or `undefined` when there is no such file. */
  source(path: string): string | undefined;
}

export interface DocFile {
  path: string;
  text: string;
}

/** Every command, path and link of `files` that does not work, as `file:line: why` messages. */
export declare function docCommandProblems(files: readonly DocFile[], project: DocProject): string[];
/** The problems of one command (`npm run x -- --flag`). */
export declare function commandProblems(command: string, project: DocProject): string[];
/** The commands a Markdown text gives, one per simple command. */
export declare function commandsOf(text: string): { text: string; line: number }[];
/** The relative links of a Markdown text. */
export declare function linksOf(text: string): { target: string; line: number }[];
/** The anchors a Markdown text defines. */
export declare function anchorsOf(text: string): Set<string>;
/** GitHub's anchor for a heading's text. */
export declare function slug(heading: string): string;
/** The file a package.json script runs last, when that is `node <file>`. */
export declare function nodeFileOf(script: string): string | undefined;
