#ifndef CHRONOS_CPROCESS_SHIM_H
#define CHRONOS_CPROCESS_SHIM_H
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#include <malloc.h>

/* glibc declares these only under _GNU_SOURCE, which the Swift Glibc module is built without.
   The prototype is glibc's own (2.29+); the flag value is glibc's (2.26+). */
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *__restrict actions, const char *__restrict path);

/* Start the child in a new session, so it leads its own process group and a kill reaches all of it. */
static inline short chronos_posix_spawn_setsid(void) { return 0x80; }

/* A descriptor that becomes readable when the process ends (Linux 5.3+); -1 with errno set when the
   kernel has none. Called through syscall(2), which is variadic, so glibc older than 2.36 works too. */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
static inline int chronos_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
#endif
