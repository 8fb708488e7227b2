#ifndef CHRONOS_CZOOKEEPER_SHIM_H
#define CHRONOS_CZOOKEEPER_SHIM_H
/* Debian's libzookeeper-mt-dev ships no pkg-config file: its header is named by path. */
/* The synchronous calls exist only in the multi-threaded library (zookeeper_mt), under THREADED. */
#define THREADED 1
#include <zookeeper/zookeeper.h>

/* The ACL every node gets: ZooKeeper's open ACL, through a function so Swift need not take the
   address of a mutable C global. */
static inline struct ACL_vector *chronos_zoo_open_acl(void) {
    return &ZOO_OPEN_ACL_UNSAFE;
}
#endif
