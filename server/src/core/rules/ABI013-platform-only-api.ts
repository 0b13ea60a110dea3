/** ABI013 platform-only-api: a Limited API name that exists only where a feature macro is defined. */
import { defineRule } from './rule';

/** Platform macros that imply a manifest feature macro (projects guard Windows code with _WIN32 or their own
 *  FOO_WINDOWS, fork() code with unix/linux/BSD/macOS tests). */
const FEATURE_GUARDS: Record<string, RegExp> = {
  MS_WINDOWS: /^(MS_WINDOWS|_WIN32|_WIN64|WIN32|__CYGWIN__|__MINGW32__|\w*WINDOWS\w*|\w*_WIN32\w*)$/,
  HAVE_FORK: /^(HAVE_FORK|__unix__|__unix|unix|__linux__|__linux|__APPLE__|__MACH__|__FreeBSD__|__NetBSD__|__OpenBSD__|__DragonFly__|__sun|_AIX|\w*(POSIX|LINUX|UNIX|BSD|DARWIN|MACOS|OSX|SUNOS|AIX)\w*)$/,
};

/** Files that only build on one platform say so in their path (psutil/arch/windows/disk.c, posixmodule.c). */
const FEATURE_PATHS: Record<string, RegExp> = {
  MS_WINDOWS: /(^|[\\/_.-])(win|win32|win64|windows|nt)([\\/_.-]|$)/i,
  HAVE_FORK: /(^|[\\/_.-])(posix|unix|linux|bsd|freebsd|netbsd|openbsd|darwin|osx|macos|sunos|aix)([\\/_.-]|$)/i,
};

function isGuarded(feature: string, guards: ReadonlySet<string>, file: string): boolean {
  if (guards.has(feature)) return true;
  if (FEATURE_PATHS[feature]?.test(file)) return true;
  const re = FEATURE_GUARDS[feature];
  return !!re && [...guards].some((g) => re.test(g));
}

export default defineRule({
  meta: { code: 'ABI013', name: 'platform-only-api', reuse: 'local' },
  create: (cx) => ({
    name(use) {
      const feature = use.entry?.manifest?.ifdef;
      if (use.status?.kind !== 'limited' || !feature) return;
      if (isGuarded(feature, cx.pp.guardAt(cx.pos.position(use.start).line), cx.doc.path) || use.own()) return;
      cx.report(use.start, use.end, `'${use.name}' exists only where ${feature} is defined; guard its use with #ifdef ${feature}`, { identifier: use.name });
    },
  }),
});
