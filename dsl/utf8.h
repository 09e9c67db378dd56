/* utf8.h: the few UTF-8 questions the front end asks. */
#ifndef RELC_UTF8_H
#define RELC_UTF8_H

#include <stddef.h>

/* Bytes in the well-formed UTF-8 character at s[0..n), or 0 when it is not
 * one (stray continuation, overlong form, surrogate, beyond U+10FFFF,
 * truncated). */
size_t utf8_char_len(const unsigned char *s, size_t n);
/* Bytes in the longest well-formed prefix of s[0..n). */
size_t utf8_valid_prefix(const unsigned char *s, size_t n);
/* Characters (code points) in well-formed s[0..n). */
size_t utf8_length(const char *s, size_t n);

#endif
