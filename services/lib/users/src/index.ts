/** What the other packages take from @liandong/users — and only that; the rest is the package's own. */
export { createUserRepository, publicUser, type UserActor, type UserRepository } from './user.repository.ts';
export { verifyAgainstNothing, verifyPassword } from './password.ts';
