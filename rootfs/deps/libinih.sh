# inih: ini.c as libinih.a. Lines are read into a fixed stack buffer
# (INI_USE_STACK, no realloc), so a parse never allocates; handlers get the
# line number so that errors can say file:line.
"$CC" $DEP_CFLAGS -DINI_USE_STACK=1 -DINI_MAX_LINE=512 -DINI_ALLOW_REALLOC=0 \
	-DINI_STOP_ON_FIRST_ERROR=0 -DINI_HANDLER_LINENO=1 -DINI_CALL_HANDLER_ON_NEW_SECTION=0 -c ini.c -o ini.o
ar rcs libinih.a ini.o
cp libinih.a "$SYSROOT/lib/"
# The installed header carries the same settings, so every user of it sees
# the handler signature the library was built with.
{
	echo "/* berth: settings libinih.a was built with */"
	echo "#define INI_HANDLER_LINENO 1"
	echo "#define INI_USE_STACK 1"
	echo "#define INI_MAX_LINE 512"
	echo "#define INI_ALLOW_REALLOC 0"
	cat ini.h
} > "$SYSROOT/include/ini.h"
