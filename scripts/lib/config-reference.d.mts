/** A field of an exported interface, as scripts/lib/ts-source.mjs reads it. */
export interface Field {
  name: string;
  optional: boolean;
  /** The JSDoc `@default`, as written. */
  defaultValue?: string | undefined;
}

/** The interfaces the reference documents, and the prefix of their fields' names in it. */
export declare const TABLES: Readonly<Record<string, string>>;
/** A default as compared: no backticks or quotes, white space collapsed, no final period, lower case. */
export declare function normalizeDefault(value: string): string;
/** Every way the reference tables of `markdown` and `interfaces` disagree, each said in full. */
export declare function compareReference(
  interfaces: ReadonlyMap<string, readonly Field[]>,
  markdown: string | readonly string[],
  options?: { only?: readonly string[]; doc?: string; types?: string },
): string[];
