/** The registry: every rule, in code order. A new rule is one module and one line here (docs/contributing.md). */
import type { Rule } from './rule';
import ABI001 from './ABI001-non-limited-api';
import ABI002 from './ABI002-api-newer-than-target';
import ABI003 from './ABI003-private-api';
import ABI004 from './ABI004-macro-only-api';
import ABI005 from './ABI005-opaque-struct-member';
import ABI006 from './ABI006-static-type-object';
import ABI007 from './ABI007-removed-from-limited-api';
import ABI008 from './ABI008-py-version-hex-guard';
import ABI009 from './ABI009-internal-api';
import ABI010 from './ABI010-invalid-limited-api-value';
import ABI011 from './ABI011-target-mismatch';
import ABI012 from './ABI012-abi3t-incompatible';
import ABI013 from './ABI013-platform-only-api';
import ABI014 from './ABI014-deprecated-api';
import ABI015 from './ABI015-missing-libc-include';
import ABI016 from './ABI016-behaviour-newer-than-target';
import ABI017 from './ABI017-rejected-by-newer-python';
import ABI018 from './ABI018-full-api-compat-header';
import ABI019 from './ABI019-object-pointer-argument';

export const RULES: readonly Rule[] = [ABI001, ABI002, ABI003, ABI004, ABI005, ABI006, ABI007, ABI008, ABI009, ABI010, ABI011, ABI012, ABI013, ABI014, ABI015, ABI016, ABI017, ABI018, ABI019];

export type { Rule } from './rule';
