/**
 * The line that shows the first admin's one-time password, and how launchers (npm start, tests) read it
 * back from the api's output. Pure, so scripts can import it without Nest.
 */

export const FIRST_ADMIN_LOGIN = 'admin';
const PASSWORD_LINE = /one-time password: (\S+)/;

/** A box of lines, printed once to stdout, whatever the log level. */
export function firstAdminBanner(password: string): string[] {
  const lines = [
    'warroom first start: created the admin user.',
    `login: ${FIRST_ADMIN_LOGIN}   one-time password: ${password}`,
    'Shown only this once. Sign in and replace it (POST /api/auth/password);',
    'until then this account may do nothing else.',
  ];
  const width = Math.max(...lines.map((line) => line.length));
  return [`╔${'═'.repeat(width + 2)}╗`, ...lines.map((line) => `║ ${line.padEnd(width)} ║`), `╚${'═'.repeat(width + 2)}╝`];
}

/** The one-time password in a line of the banner; null for any other line. */
export function oneTimePasswordIn(line: string): string | null {
  return PASSWORD_LINE.exec(line)?.[1] ?? null;
}
