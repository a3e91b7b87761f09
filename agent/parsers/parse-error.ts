// One error type for every parser, so a stage can tell "the tool said something we
// cannot read" (an infrastructure error) from a hardware verdict, and report which
// tool it was.
export class ParseError extends Error {
  readonly tool: string;

  constructor(tool: string, problem: string) {
    super(`${tool}: cannot parse output: ${problem}`);
    this.name = 'ParseError';
    this.tool = tool;
  }
}
