// Values the test run's globalSetup hands to every test file (vitest `provide`/`inject`).
declare module 'vitest' {
  export interface ProvidedContext {
    /** An empty folder at the start of the run; the first browser test builds the UI into `<it>/dist`. */
    uiBuildRoot: string;
  }
}

export {};
