// The name of the run's migrated template database, handed from a globalSetup
// (`global-setup/postgres-template.ts`) to the test workers with vitest's provide/inject.
declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's migrated template database, when the project's globalSetup made one. */
    wagateTemplateDatabase?: string;
  }
}

export const TEMPLATE_DATABASE_KEY = 'wagateTemplateDatabase';
