export * from './password.ts';
export * from './user.repository.ts';
