import { type ConfigShape, ConfigError, type VariableDoc, variableDocs } from './read-config.js';

/** One process's configuration, as docs/configuration.md lists it. */
export interface ProcessConfiguration {
  /** `api`, `device-agent`… */
  name: string;
  /** One sentence: what the process is and how it is started. */
  summary: string;
  shape: ConfigShape;
}

/** Every variable of `shape` with its documentation; a variable without any is a fault. */
export function describeVariables(shape: ConfigShape): Array<{ name: string } & VariableDoc> {
  return Object.entries(shape).map(([name, schema]) => {
    const doc = variableDocs.get(schema);
    if (!doc) {
      throw new ConfigError(
        `${name} has no description: declare it with an \`env\` helper of @wagate/config`,
      );
    }
    return { name, ...doc };
  });
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The markdown table of a process's variables, sorted by name. */
export function variableTable(shape: ConfigShape): string {
  const rows = describeVariables(shape)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((variable) => {
      const name = `\`${variable.name}\`${variable.required ? ' (required)' : ''}`;
      const fallback = variable.default === undefined ? '' : `\`${variable.default}\``;
      return `| ${name} | ${cell(fallback)} | ${cell(variable.accepts)} | ${cell(variable.description)} |`;
    });
  return ['| Variable | Default | Accepts | What it governs |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}

/** docs/configuration.md: a section per process, generated from the processes' schemas. */
export function configurationDocument(processes: readonly ProcessConfiguration[]): string {
  const sections = processes.map(
    (process) => `## ${process.name}\n\n${process.summary}\n\n${variableTable(process.shape)}\n`,
  );
  return [
    '# Configuration',
    '',
    "<!-- Generated from each process's src/config.ts by `npm run docs:config`; do not edit by hand. -->",
    '',
    'Every process reads its environment once, at start, and refuses to start with a message that',
    'names each variable that is wrong. The tables below are generated from the same schemas, so',
    'they list exactly what each process reads. Durations are in the unit the name says.',
    '',
    ...sections,
  ].join('\n');
}
