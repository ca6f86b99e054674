/* kconfig.h — IS_ENABLED(CONFIG_X) for ordinary `if`s.
 *
 * autoconf.h defines CONFIG_X as 1 for enabled bool options and leaves
 * disabled ones undefined. IS_ENABLED(CONFIG_X) is 1 or 0 in both cases, so
 * code can say `if (IS_ENABLED(CONFIG_X))` and disabled code still compiles
 * (and is then dropped by the compiler).
 *
 * How: the token CONFIG_X expands to 1 when enabled; pasting it onto
 * BK_ON_ gives BK_ON_1, which expands to "0," and shifts a 1 into the second
 * argument position. Anything else leaves the 0 there.
 */
#ifndef BERTH_LIB_KCONFIG_H
#define BERTH_LIB_KCONFIG_H

#define BK_ON_1 0,
#define BK_SECOND(ignored, val, ...) val
#define BK_PICK(arg_or_junk) BK_SECOND(arg_or_junk 1, 0, 0)
#define BK_PASTE(val) BK_PICK(BK_ON_##val)
#define IS_ENABLED(option) BK_PASTE(option)

#endif
