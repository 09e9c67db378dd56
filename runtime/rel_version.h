/* rel_version.h: the runtime's ABI version, shared by the runtime header,
 * the generated headers' guard and `relc --version`.  Bump it whenever the
 * layout or meaning of anything in rel.h changes. */
#ifndef REL_VERSION_H
#define REL_VERSION_H

#define REL_ABI_VERSION 7

#endif
