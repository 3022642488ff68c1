/** The bench's 50 KB HTML page; with `components`, 10 control components spread through it. */
export function htmlPage(components: boolean): string;
