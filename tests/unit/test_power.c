/* test_power.c — which EV_KEY bitmaps (EVIOCGBIT) are a power button. */
#include <linux/input.h>
#include <string.h>

#include "init/power.h"
#include "tests/unit/unit.h"

static void bitmap_with_key_power_is_a_button(void)
{
	unsigned char bits[KEY_MAX / 8 + 1];

	memset(bits, 0, sizeof bits);
	bits[KEY_POWER / 8] |= 1 << (KEY_POWER % 8);
	CHECK(power_bits_have_key(bits, sizeof bits));
}

static void keyboard_without_power_key_is_not(void)
{
	unsigned char bits[KEY_MAX / 8 + 1];

	memset(bits, 0xff, sizeof bits); /* every other key */
	bits[KEY_POWER / 8] &= (unsigned char)~(1 << (KEY_POWER % 8));
	CHECK(!power_bits_have_key(bits, sizeof bits));
}

static void short_bitmap_is_not(void)
{
	unsigned char bits[KEY_POWER / 8];

	memset(bits, 0xff, sizeof bits);
	CHECK(!power_bits_have_key(bits, sizeof bits));
}

UNIT_MAIN(UNIT(bitmap_with_key_power_is_a_button), UNIT(keyboard_without_power_key_is_not),
	  UNIT(short_bitmap_is_not))
