/* http-internal.h — shared by the parser (http.c) and writer (http_w.c). */
#ifndef BERTH_LIB_HTTP_INTERNAL_H
#define BERTH_LIB_HTTP_INTERNAL_H

/* Character classes (RFC 9110): a token character, a field-value
 * character (tab, space, visible, obs-text), a request-target character
 * (visible ASCII but '#'). */
#define HTTP_C_TCHAR 1
#define HTTP_C_VALUE 2
#define HTTP_C_TARGET 4
extern const unsigned char http_cclass[256];

#endif
