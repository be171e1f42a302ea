/** Shell blocks of the docs, for the specs that check what the docs tell a user to run. */

/** The sh blocks of a markdown text (fenced ```sh), without the indentation of a list item. */
export function shBlocks(text: string): string[] {
  return [...text.matchAll(/^( *)```sh\n([\s\S]*?)^ *```/gm)].map(([, indent, body]) =>
    body
      .split("\n")
      .map((line) => line.slice(indent.length))
      .join("\n"),
  );
}

/** The `NAME=value` assignments of a block (no command substitution, no quotes), in order. */
export function assignments(block: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [, name, value] of block.matchAll(/(?:^|[;\s])([A-Z]+)=([^\s;$("][^\s;]*)/gm))
    vars[name] = value;
  return vars;
}

/** The lines of a block that call the AWS CLI (directly or in a command substitution). */
export function awsCalls(block: string): string[] {
  return block.split("\n").filter((line) => /(^|\$\(|; |do )aws /.test(line.trim()));
}
