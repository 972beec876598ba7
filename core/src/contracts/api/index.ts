// The one schema source shared by the api and the review UI.
export * from './common';
export * from './auth';
export * from './cases';
export * from './cameras';
export * from './lookup';
export * from './registry';
export * from './stats';
export * from './reports';
export * from './sign-in';
export * from './admin';
export * from './desk';
export * from './live';
