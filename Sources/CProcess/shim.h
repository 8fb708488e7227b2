#ifndef CHRONOS_CPROCESS_SHIM_H
#define CHRONOS_CPROCESS_SHIM_H
#include <spawn.h>
#include <sys/types.h>

/* glibc declares these only under _GNU_SOURCE, which the Swift Glibc module is built without.
   The prototype is glibc's own (2.29+); the flag value is glibc's (2.26+). */
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *__restrict actions, const char *__restrict path);

/* Start the child in a new session, so it leads its own process group and a kill reaches all of it. */
static inline short chronos_posix_spawn_setsid(void) { return 0x80; }
#endif
